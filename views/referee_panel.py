"""The referee panel: what torchinfo, fvcore, ptflops, thop and FlopCounterMode count for the module a
page shows, beside our own count, and why they disagree.

Widgets and rendering only; running and reconciling are in :mod:`explorer.analysis.peers`, tables and
charts in :mod:`explorer.artifacts.referee`. Any page calls :func:`render_referee_panel` with a
function building its module (on the meta device: nothing real is allocated before the memory and
time checks) and the input shape. Results are kept per configuration in ``st.session_state``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import pandas as pd
import streamlit as st
import torch
from torch import nn

from explorer.analysis.measure import BLOCK_HINT, NETWORK_HINT
from explorer.analysis.peers import DEFAULT_BUDGET_S, RefereeReport, referee
from explorer.artifacts.referee import referee_artifacts
from explorer.models.blocks import build_block
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import NetworkSpec, network_table
from explorer.models.specs import BlockSpec
from views import downloads, widgets

RESULTS_KEY = "_referee_results"
MAX_STORED = 8

INTRO = (
    "The same module, run by five other counters (real tensors, batch 1, each on a private copy). Each total is "
    "split into our categories under that tool's own rule, read from its source; the parts add up to the tool's "
    "number exactly, and anything they do not explain is shown as a residual, layer by layer."
)


def stored_measurement() -> dict[Hashable, RefereeReport]:
    return st.session_state.setdefault(RESULTS_KEY, {})


def _run(config: Hashable, build: Callable[[], nn.Module], input_shape: Sequence[int], budget: float, hint: str) -> None:
    with st.spinner("Running torchinfo, fvcore, ptflops, thop and FlopCounterMode on this module…"):
        report = referee(build(), input_shape, budget, hint=hint)
    stored = stored_measurement()
    stored[config] = report
    for old in list(stored)[:-MAX_STORED]:
        del stored[old]


def _counts_format(frame: pd.DataFrame) -> dict[str, Any]:
    """Thousands separators for every whole-number column of a table."""
    columns = [name for name, dtype in frame.dtypes.items() if pd.api.types.is_integer_dtype(dtype)]
    return {"column_config": {name: st.column_config.NumberColumn(format="localized") for name in columns}}


def _render(report: RefereeReport, name: str, key: str) -> None:
    artifacts = referee_artifacts(report, name, widgets.figure_style())
    failed = [peer for peer in report.peers if peer.error]
    if failed:
        st.warning("\n".join(f"- **{peer.label}**: {peer.error}" for peer in failed), icon="⚠️")
    downloads.show_chart(artifacts.totals_chart, f"{key}_chart_totals", artifacts.file_name("totals_chart"))
    st.caption("FlopCounterMode reports FLOPs (2 per MAC); here it is halved to MACs. Empty cells: the tool counts "
               "nothing for that category.")
    downloads.show_table(artifacts.totals, f"{key}_table_totals", artifacts.file_name("totals"),
                         **_counts_format(artifacts.totals))
    if artifacts.disagreement_chart is not None:
        st.markdown("**Which layers each counter skips or counts differently**")
        downloads.show_chart(artifacts.disagreement_chart, f"{key}_chart_types", artifacts.file_name("disagreement_chart"))
    with st.expander(f"Per-layer counts of every tool ({len(artifacts.layers)} layers)"):
        downloads.show_table(artifacts.layers, f"{key}_table_layers", artifacts.file_name("layers"),
                             **_counts_format(artifacts.layers))
        downloads.show_table(artifacts.by_type, f"{key}_table_types", artifacts.file_name("by_type"),
                             **_counts_format(artifacts.by_type))
    st.markdown("**What each tool counts** (read from the pinned sources)")
    st.markdown("\n".join(f"- **{tool.label}** {tool.version} ({tool.unit}): {tool.convention}" for tool in artifacts.tools))
    downloads.register_for_export({artifacts.file_name("rules"): artifacts.rules})


def referee_controls(key: str) -> tuple[float, bool]:
    """The time budget (seconds) for the five tools, and whether "Run the other counters" was pressed."""
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    with left:
        budget = widgets.float_slider("Time budget, seconds", f"{key}_budget", 5.0, 120.0, DEFAULT_BUDGET_S, 5.0,
                                      help="Configurations whose estimated time or memory would not fit are refused.")
    with right:
        pressed = st.button("Run the other counters", key=f"{key}_button", type="primary")
    return budget, pressed


def render_referee_panel(config: Hashable, build: Callable[[], nn.Module], input_shape: Sequence[int], name: str,
                         key: str = "referee", hint: str = BLOCK_HINT) -> None:
    """A "Run the other counters" button and, once run for ``config``, their totals, reconciliation and disagreement.

    Args:
        config: a hashable description of the module (its spec): results are kept per config.
        build: returns the module the page shows (ideally on the meta device).
        input_shape: one sample's shape without the batch dimension.
        name: the export file-name prefix (``mbconv``, ``efficientnet_b0``).
        key: widget key prefix, unique on the page.
        hint: what the user can lower when a configuration is refused, in words.
    """
    st.caption(INTRO)
    budget, pressed = referee_controls(key)
    if pressed:
        try:
            _run(config, build, input_shape, budget, hint)
        except ValueError as error:
            widgets.refuse(error)
            return
    report = stored_measurement().get(config)
    if report is None:
        st.caption("Press the button to count this module with the five tools (a few seconds).")
        return
    _render(report, name, key)


def _meta_block(spec: BlockSpec) -> nn.Module:
    with torch.device("meta"):
        return build_block(spec)


def _meta_network(spec: NetworkSpec) -> nn.Module:
    with torch.device("meta"):
        return build_network(network_table(spec))


def render_block_referee(spec: BlockSpec) -> None:
    """The referee panel for the Blocks page's block."""
    render_referee_panel(("block", spec), lambda: _meta_block(spec), (spec.in_channels, spec.size, spec.size), spec.kind)


def render_network_referee(spec: NetworkSpec) -> None:
    """The referee panel for the Networks page's network."""
    render_referee_panel(("network", spec), lambda: _meta_network(spec), (3, spec.resolution, spec.resolution), spec.name,
                         key="net_referee", hint=NETWORK_HINT)
