"""Latency & memory page: pick a block or a network and measure it on this server's CPU.

Widgets only; the panels are in :mod:`views.measure_panel`, the measuring in
:mod:`explorer.measure` and the arithmetic of memory in :mod:`explorer.memory`.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from explorer.models.networks.tables import NETWORK_FAMILIES, NETWORK_NAMES, NetworkSpec, network_spec
from explorer.models.specs import BLOCK_KINDS, BlockSpec, block_spec
from views import downloads, widgets
from views.measure_panel import render_measure_panel, render_network_latency

BLOCK_SLIDERS = (
    ("in_channels", "Input channels C_in", 1, 512, 32),
    ("out_channels", "Output channels C_out", 1, 512, 64),
    ("size", "Input size H = W", 1, 224, 56),
    ("kernel_size", "Kernel size k", 1, 9, 3),
    ("stride", "Stride", 1, 2, 1),
)


def block_controls() -> BlockSpec:
    """Kind and shape sliders -> a validated block spec (ValueError if impossible)."""
    kind = widgets.select("Block kind", "lat_kind", list(BLOCK_KINDS), "depthwise_separable",
                         format_func=lambda k: BLOCK_KINDS[k].label)
    applies = BLOCK_KINDS[kind].params
    values: dict[str, Any] = {}
    columns = st.columns(len(BLOCK_SLIDERS))
    for column, (name, label, low, high, default) in zip(columns, BLOCK_SLIDERS, strict=True):
        if name in applies:
            with column:
                values[name] = widgets.int_slider(label, f"lat_{name}", low, high, default)
    if "expansion" in applies:
        values["expansion"] = widgets.float_slider("Expansion t", "lat_expansion", 1.0, 8.0, 6.0, 0.5)
    return block_spec(kind, **values)


def _reset_network_options() -> None:
    """Switching network restores its own default resolution and width."""
    widgets.forget(("lat_resolution", "lat_width"))


def network_controls() -> NetworkSpec:
    """Network choice, resolution and width -> a validated network spec (ValueError if impossible)."""
    name = widgets.select("Network", "lat_network", list(NETWORK_NAMES), "mobilenet_v2",
                         format_func=lambda n: NETWORK_FAMILIES[n].label, on_change=_reset_network_options)
    options = NETWORK_FAMILIES[name].options
    values: dict[str, Any] = {}
    left, right = st.columns(2)
    if "resolution" in options:
        with left:
            values["resolution"] = widgets.int_slider("Resolution", "lat_resolution", 32, 800, network_spec(name).resolution, 8)
    if "width_mult" in options:
        with right:
            values["width_mult"] = widgets.float_slider("Width multiplier α", "lat_width", 0.25, 2.0, 1.0, 0.05)
    return network_spec(name, **values)


def main() -> None:
    st.title("Latency & memory")
    st.caption(
        "Fewer MACs is often not faster: a depthwise conv moves much data for little arithmetic. "
        "Here latency is measured on this server's CPU (torch.utils.benchmark, batch 1), "
        "next to MACs, memory and a roofline of this machine's measured peaks."
    )
    widgets.show_url_notices()
    what = widgets.radio("Measure", "lat_what", ["block", "network"], "block")
    try:
        spec = block_controls() if what == "block" else network_controls()
    except ValueError as error:
        widgets.refuse(error)
        return
    if isinstance(spec, BlockSpec):
        render_measure_panel(spec)
    else:
        render_network_latency(spec)
    downloads.export_all_panel("latency_memory")


main()
