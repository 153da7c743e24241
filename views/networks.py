"""Networks page: pick MobileNetV1/V2/V3 or an EfficientNet, see where params and MACs go.

Reads widgets, builds a :class:`~explorer.networks.NetworkSpec`, renders what
:func:`explorer.artifacts.networks.network_artifacts` returns. No counting logic lives here.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from explorer.artifacts.networks import NetworkArtifacts, NetworkTotals, network_artifacts
from explorer.formatting import printed_count
from explorer.models.networks.tables import (
    COMPOUND_ALPHA,
    COMPOUND_BETA,
    COMPOUND_GAMMA,
    MIN_RESOLUTION,
    NETWORK_FAMILIES,
    NETWORK_NAMES,
    NetworkSpec,
    network_spec,
)
from views import downloads, widgets
from views.accuracy_panel import render_accuracy
from views.measure_panel import render_network_latency
from views.referee_panel import render_network_referee


def _family_controls(name: str) -> dict[str, Any]:
    options = NETWORK_FAMILIES[name].options
    values: dict[str, Any] = {}
    if "width_mult" in options:
        values["width_mult"] = widgets.float_slider(
            "Width multiplier", "net_width", 0.25, 2.0, 1.0, 0.05,
            help="Scales every channel count (MobileNetV1: α; rounding rule of each family applied once).",
        )
    if "phi" in options:
        values["phi"] = widgets.float_slider("Compound coefficient φ", "net_phi", 0.0, 8.0, 1.0, 0.1)
        for key, label, default in (("alpha", "α (depth)", COMPOUND_ALPHA), ("beta", "β (width)", COMPOUND_BETA),
                                    ("gamma", "γ (resolution)", COMPOUND_GAMMA)):
            values[key] = widgets.number_input(label, f"net_{key}", 1.0, 2.0, default, 0.01, format="%.2f")
    if "full_conv" in options:
        values["full_conv"] = widgets.toggle(
            "Full convolutions", "net_full_conv", False,
            help="Replace every depthwise-separable block by a full 3x3 conv (paper Table 4).",
        )
    return values


def network_controls() -> NetworkSpec:
    """Sidebar widgets -> a validated network spec (ValueError, explaining why, if it is impossible)."""
    with st.sidebar:
        st.header("Network")
        name = widgets.select("Network", "net", list(NETWORK_NAMES), "efficientnet_b0",
                             format_func=lambda n: NETWORK_FAMILIES[n].label)
        values = _family_controls(name)
        if widgets.toggle("Custom resolution", "net_custom_res", False, help="Off: the network's own resolution."):
            values["resolution"] = widgets.int_slider(
                "Resolution (pixels)", "net_resolution", MIN_RESOLUTION, 2048, 224, 1,
                help="Every size from 1 pixel builds: with padding (k - 1) // 2 no feature map shrinks below 1 x 1.",
            )
        values["num_classes"] = widgets.number_input("Classes", "net_classes", 1, 100_000, 1000, 1)
    return network_spec(name, **values)


@st.cache_data(max_entries=32, show_spinner="Counting every layer…")
def _cached_artifacts(spec: NetworkSpec, style: str) -> NetworkArtifacts:
    return network_artifacts(spec, style)


def _metrics(totals: NetworkTotals) -> None:
    columns = st.columns(4)
    columns[0].metric("Parameters", f"{totals.params:,}", help="Every parameter, BatchNorm's affine weights included.")
    columns[1].metric("MACs", f"{totals.macs:,}", help="Conv + linear multiply-accumulates for one image. FLOPs = 2 × MACs.")
    paper_help = "As the paper prints it, at its own (rounded) precision."
    columns[2].metric("Paper: params", printed_count(totals.paper_params) if totals.paper_params is not None else "—",
                      help=paper_help)
    columns[3].metric("Paper: MACs", printed_count(totals.paper_macs) if totals.paper_macs is not None else "—",
                      help=paper_help)
    st.caption(totals.note)


def _render(spec: NetworkSpec, artifacts: NetworkArtifacts) -> None:
    stem = spec.name
    st.subheader("The paper's table, counted")
    stages = artifacts.stages
    operator_width = 8 * artifacts.longest_operator + 24  # pixels: the longest operator (the head) in full
    downloads.show_table(stages, "table_stages", f"{stem}_stages", height=35 * (len(stages) + 1) + 3,
                         column_config={"operator": st.column_config.TextColumn(width=operator_width)})
    left, right = widgets.chart_columns(2)
    with left:
        downloads.show_chart(artifacts.cost_by_stage, "chart_stages", f"{stem}_cost_by_stage")
    with right:
        downloads.show_chart(artifacts.cost_by_operation, "chart_operations", f"{stem}_cost_by_operation")
    downloads.show_chart(artifacts.family, "chart_family", f"{stem}_family")
    with st.expander("Totals against the paper, and every other operation"):
        downloads.show_table(artifacts.totals_table, "table_totals", f"{stem}_totals")
        downloads.show_table(artifacts.operations, "table_operations", f"{stem}_operations")
    layers, totals = artifacts.layers, artifacts.totals
    with st.expander(f"Per-layer table ({len(layers)} rows)"):
        st.caption(
            f"The rows add up to {totals.params:,} params and {totals.macs:,} MACs. "
            "Sort by clicking a column header; non-MAC operations have their own columns."
        )
        downloads.show_table(layers, "table_layers", f"{stem}_layers")


def main() -> None:
    st.title("Networks")
    st.caption("MobileNetV1, V2, V3 and EfficientNet, built on the fly and counted layer by layer.")
    widgets.show_url_notices()
    try:
        spec = network_controls()
    except ValueError as error:
        widgets.refuse(error)
        return
    st.markdown(f"**{spec.label}** — {spec.family.paper}")
    artifacts = _cached_artifacts(spec, widgets.figure_style())
    _metrics(artifacts.totals)
    _render(spec, artifacts)
    render_accuracy(spec)
    with st.expander("Latency and memory on this server"):
        render_network_latency(spec)
    with st.expander("Referee: what torchinfo, fvcore, ptflops, thop and FlopCounterMode count for this network"):
        render_network_referee(spec)
    downloads.model_downloads(spec, key="net_model")
    downloads.export_all_panel(zip_name=spec.name)


main()
