"""The last stage page: MobileNetV3-Large with the V2-style last stage against the redesigned one."""

from __future__ import annotations

import streamlit as st

from explorer.artifacts.papers import LastStageArtifacts, last_stage_artifacts
from explorer.demos.last_stage import PAPER_SAVED_MACS, PAPER_SAVED_MS, PAPER_SAVED_SHARE, measure_both
from views import downloads, widgets
from views.measure_panel import budget_controls, run_measurement, stored_measurement


@st.cache_data(max_entries=16, show_spinner="Counting both networks…")
def _artifacts(style: str, _timings: dict | None, timing_key: tuple) -> LastStageArtifacts:
    return last_stage_artifacts(style, _timings)


def _metrics(shown: LastStageArtifacts) -> None:
    columns = st.columns(5)
    columns[0].metric("MACs saved", f"{shown.saved_macs / 1e6:.1f} M", help=f"Paper: about {PAPER_SAVED_MACS / 1e6:.0f} M MAdds.")
    columns[1].metric("Params saved", f"{shown.saved_params / 1e6:+.2f} M",
                      help="Negative: the efficient stage has more parameters (its 960 -> 1280 layer is wider).")
    if shown.saved_ms is None:
        columns[2].metric("Latency saved", "—", help="Press the button below to measure.")
        columns[3].metric("Share of run time", "—")
        columns[4].metric("Last stage alone: saved", "—")
    else:
        columns[2].metric("Latency saved (this CPU)", f"{shown.saved_ms:.1f} ms",
                          help=f"Paper: {PAPER_SAVED_MS:g} ms on a Pixel phone.")
        columns[3].metric("Share of run time", f"{shown.saved_share:.1f}%", help=f"Paper: {PAPER_SAVED_SHARE:g}%.")
        columns[4].metric("Last stage alone: saved", f"{shown.saved_stage_ms:.1f} ms",
                          help="Each last stage timed on its own 7x7 input: steadier than the whole-network difference.")


def last_stage_controls() -> tuple[float, int]:
    """The time budget (seconds) and torch threads for timing both networks."""
    return budget_controls("ls_measure", 20.0)


def main() -> None:
    st.title("The last stage: pool first, then widen")
    st.caption(
        "MobileNetV3 ([arXiv:1905.02244](https://arxiv.org/abs/1905.02244), Sec. 5.1, Fig. 5) moves the average pool "
        "before the last 1x1 conv to 1280 and drops the last bottleneck's depthwise and projection layers. The paper: "
        f"about {PAPER_SAVED_MACS / 1e6:.0f} M MAdds and {PAPER_SAVED_MS:g} ms saved, {PAPER_SAVED_SHARE:g}% of the run "
        "time on a Pixel phone, with almost no loss of accuracy. Both networks below are built from the project's "
        "MobileNetV3-Large table and counted by the cost engine."
    )
    widgets.show_url_notices()
    budget, threads = last_stage_controls()
    key = ("last_stage", budget, threads)
    if st.button("Measure both networks", key="ls_measure_button", type="primary"):
        try:
            run_measurement(key, lambda progress: measure_both(budget, progress), budget, threads)
        except ValueError as error:
            widgets.refuse(error)
    timings = stored_measurement(key)
    timing_key = tuple(sorted((name, t.network_ms, t.last_stage_ms) for name, t in timings.items())) if timings else ()
    shown = _artifacts(widgets.figure_style(), timings, timing_key)
    _metrics(shown)
    downloads.show_chart(shown.comparison, "ls_chart", "last_stage_comparison")
    downloads.show_table(shown.totals, "ls_totals", "last_stage_totals")
    st.caption(
        "Batch 1, float32, 224x224; the two networks are timed in three alternating rounds (median of the round "
        "medians), and each last stage alone on its 7x7 input. The server is shared: when the rounds of one network "
        "spread wider than the difference between the two, the whole-network saving is noise; the last stage timed "
        "alone is the steadier reading."
        if timings else "Latency: press the button to time both networks on this server (batch 1, 224x224)."
    )
    with st.expander("The layers of both last stages"):
        downloads.show_table(shown.layers, "ls_layers", "last_stage_layers")
    downloads.export_all_panel("last_stage")


main()
