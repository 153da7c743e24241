"""Blocks page: pick a block kind, move sliders, see the real module's cost.

Reads widgets, builds a :class:`~explorer.specs.BlockSpec`, and renders what
:func:`explorer.artifacts.blocks.block_artifacts` returns. No counting logic lives here.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from explorer.analysis.formulas import block_formula
from explorer.artifacts.blocks import BlockArtifacts, BlockTotals, block_artifacts, sweep_parameters
from explorer.formatting import COST_UNITS, parameter_label
from explorer.models.activations import BLOCK_ACTIVATIONS, GATE_NAMES, activation_label
from explorer.models.specs import BLOCK_KINDS, BlockSpec, block_spec, textbook_spec
from views import downloads, widgets
from views.measure_panel import render_measure_panel
from views.referee_panel import render_block_referee
from views.scenes import SCENES

KIND_DEPENDENT_KEYS = ("activation", "gate", "expansion", "se_ratio", "drop_connect", "groups", "size", "sweep")


def _reset_kind_defaults() -> None:
    """Switching block kind restores that kind's own defaults (activation, expansion, ...)."""
    widgets.forget(KIND_DEPENDENT_KEYS)


def _default(kind: str, name: str) -> Any:
    return BLOCK_KINDS[kind].defaults.get(name, BlockSpec.__dataclass_fields__[name].default)


def _group_options(in_channels: int, out_channels: int) -> list[int]:
    common_divisor = math.gcd(in_channels, out_channels)
    return [g for g in range(1, common_divisor + 1) if common_divisor % g == 0]


def _shape_controls(kind: str, applies: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "in_channels" in applies:
        values["in_channels"] = widgets.int_slider("Input channels C_in", "in_channels", 1, 1024, 32)
    if "out_channels" in applies:
        values["out_channels"] = widgets.int_slider("Output channels C_out", "out_channels", 1, 1024, 64)
    if "size" in applies:
        values["size"] = widgets.int_slider("Input size H = W", "size", 1, 512, _default(kind, "size"))
    if "kernel_size" in applies:
        values["kernel_size"] = widgets.int_slider("Kernel size k", "kernel_size", 1, 15, 3)
    if "stride" in applies:
        values["stride"] = widgets.int_slider("Stride", "stride", 1, 4, 1)
    if "padding" in applies:
        padding = widgets.select(
            "Padding", "padding", ["same", *range(0, 8)], "same",
            help="'same' is (k − 1) // 2 × dilation on every side, as in torchvision: the output is ⌈H / stride⌉ for "
                 "an odd kernel; an even kernel loses a pixel (56 → 55 at k = 4), explained under the results.",
        )
        values["padding"] = padding
    if "dilation" in applies:
        values["dilation"] = widgets.int_slider("Dilation", "dilation", 1, 4, 1)
    if "groups" in applies:
        options = _group_options(values["in_channels"], values["out_channels"])
        wanted = _default(kind, "groups")
        default = max(g for g in options if g <= wanted)
        values["groups"] = widgets.select("Groups G (divides C_in and C_out)", "groups", options, default)
    return values


def _block_controls(kind: str, applies: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "expansion" in applies:
        values["expansion"] = widgets.float_slider("Expansion t", "expansion", 1.0, 12.0, _default(kind, "expansion"), 0.5)
    if "se_ratio" in applies:
        values["se_ratio"] = widgets.float_slider(
            "SE ratio (0 = no SE)", "se_ratio", 0.0, 1.0, _default(kind, "se_ratio"), 0.0625,
            help="bneck squeezes from the expanded width, MBConv and SE from the input width.",
        )
    if "drop_connect" in applies:
        values["drop_connect"] = widgets.float_slider(
            "Drop-connect probability", "drop_connect", 0.0, 0.9, _default(kind, "drop_connect"), 0.05,
            help="Acts in training only; costs nothing at inference.",
        )
    if "activation" in applies:
        values["activation"] = widgets.select("Activation", "activation", list(BLOCK_ACTIVATIONS), _default(kind, "activation"),
                                              format_func=activation_label)
    if "gate" in applies:
        values["gate"] = widgets.select("SE gate", "gate", list(GATE_NAMES), _default(kind, "gate"), format_func=activation_label)
    if "norm" in applies:
        values["norm"] = widgets.radio("Norm", "norm", ["batch", "none"], "batch")
    if "bias" in applies:
        values["bias"] = widgets.toggle("Conv bias", "bias", False, disabled=values.get("norm") == "batch",
                                       help="Only without BatchNorm: BatchNorm's shift replaces a bias.")
        values["bias"] = values["bias"] and values.get("norm") != "batch"
    return values


def block_controls() -> BlockSpec:
    """Sidebar widgets -> a validated spec (ValueError, explaining why, if it is impossible)."""
    with st.sidebar:
        st.header("Block")
        kind = widgets.select("Block kind", "kind", list(BLOCK_KINDS), "mbconv",
                             format_func=lambda k: BLOCK_KINDS[k].label, on_change=_reset_kind_defaults)
        applies = BLOCK_KINDS[kind].params
        values = _shape_controls(kind, applies) | _block_controls(kind, applies)
        textbook = widgets.toggle("Textbook mode", "textbook", False,
                                 help="Convolutions only: no norm, no bias, no activation, padding 0.")
    spec = block_spec(kind, **values)
    return textbook_spec(spec) if textbook else spec


def _metrics(spec: BlockSpec, totals: BlockTotals, unit: str) -> None:
    factor = 2 if unit == "FLOPs" else 1
    ratio = totals.macs_vs_standard
    columns = st.columns(4)
    columns[0].metric("Parameters", f"{totals.params:,}", help="Every parameter, BatchNorm's affine weights included.")
    columns[1].metric(unit, f"{totals.macs * factor:,}", help="Conv + linear multiply-accumulates, batch 1. FLOPs = 2 × MACs.")
    if ratio is not None and spec.kind != "standard":
        columns[2].metric("MACs vs standard conv", f"{ratio:.3f}×", f"{100 * (ratio - 1):+.1f}% MACs", delta_color="inverse",
                          help=f"Standard conv with the same shape: {totals.standard_params:,} params, "
                               f"{totals.standard_macs:,} MACs.")
    else:
        columns[2].metric("MACs vs standard conv", "1×" if spec.kind == "standard" else "n/a")
    input_text = " × ".join(map(str, totals.input_shape))
    columns[3].metric("Output", " × ".join(map(str, totals.output_shape)), help=f"Input {input_text}")


def _formula(spec: BlockSpec) -> None:
    formula = block_formula(spec)
    st.caption("Derived analytically from the hyperparameters; the tests check it equals the count of the built module.")
    for definition in formula.definitions:
        st.latex(definition)
    st.markdown("**Parameters**")
    st.latex(formula.params_text)
    st.markdown("**MACs** (batch 1; FLOPs = 2 × MACs)")
    st.latex(formula.macs_text)
    if formula.ratio_text:
        st.markdown("**Cost ratio against a standard conv of the same shape**")
        st.latex(formula.ratio_text)


def _view_controls(spec: BlockSpec) -> tuple[str, bool, str]:
    left, middle, right = st.columns([2, 1, 2])
    with left:
        unit = widgets.radio("Cost unit", "unit", list(COST_UNITS), "MACs")
    with middle:
        log_scale = widgets.toggle("Log scale", "log", False)
    with right:
        options = sweep_parameters(spec)
        sweep = widgets.select("Sweep chart: vary", "sweep", options, options[0], format_func=parameter_label)
    return unit, log_scale, sweep


TABS = ("Block diagram", "Formula", "Compare kinds", "Sweep", "Per-layer table", "Latency & memory")


def _render_layers(artifacts: BlockArtifacts) -> None:
    frame, totals = artifacts.layers, artifacts.totals
    st.caption(
        f"{len(frame)} rows; they add up to {totals.params:,} params and {totals.macs:,} MACs. "
        "Non-MAC operations are in their own columns, never folded into MACs."
    )
    downloads.show_table(frame, "table_layers", artifacts.file_name("layers"))
    downloads.show_chart(artifacts.ops, "chart_ops", artifacts.file_name("ops"))
    downloads.show_table(artifacts.ops_table, "table_ops", artifacts.file_name("ops_table"))


def _render_artifacts(spec: BlockSpec, artifacts: BlockArtifacts) -> None:
    """Six tabs; only the open one runs (its name is kept in the URL as ``tab``)."""
    downloads.register_for_export(artifacts)
    diagram, formula, compare, sweep, layers, measure = widgets.tabs(TABS, "tab")
    if diagram.open:
        with diagram:
            downloads.show_chart(artifacts.diagram, "chart_diagram", artifacts.file_name("diagram"))
    if formula.open:
        with formula:
            _formula(spec)
    if compare.open:
        with compare:
            st.caption(artifacts.comparison_note)
            downloads.show_chart(artifacts.comparison, "chart_comparison", artifacts.file_name("comparison"))
            downloads.show_table(artifacts.comparison_table, "table_comparison", artifacts.file_name("comparison_table"))
    if sweep.open:
        with sweep:
            downloads.show_chart(artifacts.sweep, "chart_sweep", artifacts.file_name("sweep"))
            if artifacts.ratio is not None:
                downloads.show_chart(artifacts.ratio, "chart_ratio", artifacts.file_name("ratio"))
    if layers.open:
        with layers:
            _render_layers(artifacts)
    if measure.open:
        with measure:
            render_measure_panel(spec)


def _start_here() -> None:
    """A few lines on where to begin, and the classic teaching points one click away (each a plain link)."""
    st.markdown(
        "**Start here.** Pick a *Block kind* in the sidebar and move its sliders: parameters and MACs are counted "
        "from the PyTorch module built from them, and the tabs show its layers, its formula, every other kind at "
        "the same shape, and a sweep. Once you change something, the address bar holds a link to exactly this view."
    )
    st.markdown("Or open a classic scene (each opens in a new tab): " + " · ".join(
        f"[{scene.title}]({scene.link} \"{scene.point}\")" for scene in SCENES
    ))


def main() -> None:
    st.title("Blocks")
    st.caption("Every number is counted from the real PyTorch module built from these settings.")
    widgets.show_url_notices()
    _start_here()
    try:
        spec = block_controls()
    except ValueError as error:
        widgets.refuse(error)
        return
    st.markdown(f"**{spec.info.label}** — {spec.info.paper or 'the baseline every other block is measured against'}")
    unit, log_scale, sweep = _view_controls(spec)
    artifacts = block_artifacts(spec, widgets.figure_style(), sweep, log_scale, unit)
    _metrics(spec, artifacts.totals, unit)
    if artifacts.padding_note:
        st.info(artifacts.padding_note, icon="📏")
    _render_artifacts(spec, artifacts)
    with st.expander("Referee: what torchinfo, fvcore, ptflops, thop and FlopCounterMode count for this block"):
        render_block_referee(spec)
    st.subheader("Take it with you")
    st.caption("This block as a plain-PyTorch snippet (needs only torch), its printed structure, or ONNX for Netron.")
    downloads.model_downloads(spec)
    downloads.export_all_panel(f"{spec.kind}_block")


main()
