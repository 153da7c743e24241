"""Networks page, accuracy section: published ImageNet top-1 against MACs, params and measured latency.

Only widgets and rendering; the figures come from :func:`explorer.artifacts.accuracy.accuracy_artifacts`.
Latency of every preset is measured on request, under the server-wide measurement lock.
"""

from __future__ import annotations

import streamlit as st

from explorer.analysis.measure import MAX_BUDGET_S, thread_choices
from explorer.analysis.presets import measure_networks
from explorer.artifacts.accuracy import AccuracyArtifacts, accuracy_artifacts
from explorer.models.networks.papers import published_presets
from explorer.models.networks.tables import NetworkSpec
from views import downloads, widgets
from views.measure_panel import run_measurement, stored_measurement


@st.cache_data(max_entries=16, show_spinner="Counting every preset…")
def _cached(spec: NetworkSpec, style: str, _latencies: dict, latency_key: tuple) -> AccuracyArtifacts:
    return accuracy_artifacts(spec, style, _latencies)


def accuracy_controls() -> tuple[float, int]:
    """The time budget (seconds) for timing every preset and the torch threads, side by side."""
    left, right = st.columns([3, 1])
    with left:
        budget = widgets.float_slider(
            "Time budget for all presets, seconds", "acc_budget", 10.0, MAX_BUDGET_S, 60.0, 5.0,
            help="Cheapest networks first; one that would not fit what is left is listed as not timed.",
        )
    with right:
        threads = int(widgets.select("Threads", "acc_threads", thread_choices(), 1,
                                     help="torch threads while measuring (1: steadier on a shared server)."))
    return budget, threads


def render_accuracy(spec: NetworkSpec) -> None:
    """The accuracy chart and table, with a button that times every preset on this server."""
    st.subheader("What the cost buys: published ImageNet top-1")
    st.caption(
        "Top-1 as printed in the papers' own tables (source per row; EfficientNet: revised arXiv Table 2). "
        "Params and MACs are counted here. Dotted: the Pareto front (nothing cheaper is more accurate). "
        "A network without a published figure is drawn on the cost axes only (dashed line)."
    )
    budget, threads = accuracy_controls()
    key = ("presets", budget, threads)
    if st.button("Measure latency of every preset", key="acc_measure_button"):
        try:
            specs = [preset for preset, _ in published_presets()]
            run_measurement(key, lambda progress: measure_networks(specs, budget, progress), budget, threads)
        except ValueError as error:
            widgets.refuse(error)
    results = stored_measurement(key)
    latencies = results.latencies if results else {}
    artifacts = _cached(spec, widgets.figure_style(), latencies, tuple(sorted(
        (s.label, round(v.median_s, 9)) for s, v in latencies.items())))
    downloads.show_chart(artifacts.accuracy_chart, "chart_accuracy", f"{spec.name}_accuracy")
    if results and results.refused:
        st.caption(f"Not timed within the budget ({len(results.refused)}): "
                   + "; ".join(f"{s.label}" for s in results.refused) + ". Raise the budget to include them.")
    with st.expander("Published top-1 and counted cost of every preset"):
        downloads.show_table(artifacts.accuracy_table, "table_accuracy", f"{spec.name}_accuracy")
