"""Drop connect page: survival probability across an EfficientNet, and what it does in one block."""

from __future__ import annotations

import streamlit as st

from explorer.demos.drop_connect import (
    EFFICIENTNETS,
    MAX_REPEATS,
    MAX_SAMPLES,
    DropConnectArtifacts,
    DropConnectSettings,
    dropconnect_artifacts,
)
from views.downloads import export_all_panel, show_chart, show_table
from views.widgets import chart_columns, figure_style, float_slider, int_slider, refuse, select, show_url_notices


@st.cache_data(show_spinner=False, max_entries=32)
def artifacts(settings: DropConnectSettings, style: str) -> DropConnectArtifacts:
    return dropconnect_artifacts(settings.network, settings.p, settings.samples, settings.repeats, settings.seed, style)


def dropconnect_controls() -> DropConnectSettings:
    """Network, drop probability, batch, passes and seed (ValueError if out of range)."""
    network = select("Network", "dc_network", EFFICIENTNETS, "efficientnet_b0")
    cols = st.columns(4)
    with cols[0]:
        p = float_slider("Drop probability p of the demo block", "dc_p", 0.0, 0.9, 0.2, 0.05)
    with cols[1]:
        samples = int_slider("Samples in the batch", "dc_samples", 1, MAX_SAMPLES, 16)
    with cols[2]:
        repeats = int_slider("Training passes", "dc_repeats", 1, MAX_REPEATS, 50)
    with cols[3]:
        seed = int_slider("Seed", "dc_seed", 0, 99, 0)
    return DropConnectSettings(network, p, samples, repeats, seed)


def main() -> None:
    st.title("Drop connect (stochastic depth)")
    st.caption(
        "In training, each sample's whole residual branch is dropped with probability p and otherwise divided by 1 − p "
        "([Huang et al., arXiv:1603.09382](https://arxiv.org/abs/1603.09382)); at inference it is always kept. "
        "EfficientNet ([arXiv:1905.11946](https://arxiv.org/abs/1905.11946)) raises p linearly with depth: "
        "p = 0.2 · i / N for block i of N. Dropout, by contrast, zeroes single activations."
    )
    show_url_notices()
    try:
        shown = artifacts(dropconnect_controls(), figure_style())
    except ValueError as error:
        refuse(error)
        return
    summary = shown.summary
    metrics = st.columns(4)
    metrics[0].metric("Blocks", summary.blocks)
    metrics[1].metric(
        "Lowest survival", f"{summary.lowest_survival:.4f}", f"block {summary.lowest_block}, stage {summary.lowest_stage}",
        delta_color="off", delta_arrow="off",
        help="Over the blocks with a shortcut, the only ones that can drop their branch; a block without one "
             "(stride 2 or a change of width) is always kept, whatever its scheduled rate.",
    )
    metrics[2].metric("Branches kept in the demo", f"{summary.kept_share:.1%}")
    metrics[3].metric("Dropout: share zeroed", f"{summary.dropout_zeroed_share:.1%}")
    show_chart(shown.survival_per_block, "dc_survival_chart", "survival_per_block")
    with st.expander("Every block"):
        show_table(shown.survival_table, "dc_survival_table", "survival_table")
    st.subheader("One MBConv block in training mode, pass after pass")
    st.caption("A residual MBConv block (16 channels, 8 x 8, random weights). Only its drop connect is in training mode; "
               "BatchNorm stays in inference mode, so drop connect is the only difference from the eval output.")
    left, right = chart_columns(2)
    with left:
        show_chart(shown.drop_connect_kept, "dc_kept_chart", "drop_connect_kept")
    with right:
        show_chart(shown.drop_connect_vs_dropout, "dc_vs_dropout_chart", "drop_connect_vs_dropout")
    show_chart(shown.drop_connect_maps, "dc_maps_chart", "drop_connect_maps")
    show_table(shown.drop_connect_numbers, "dc_numbers_table", "drop_connect_numbers")
    export_all_panel("drop_connect")


main()
