"""Everything the Blocks view shows, computed from a :class:`~explorer.specs.BlockSpec`.

The view, the "export all" ZIP and ``python -m explorer export block`` all call
:func:`block_artifacts`, so they show the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from explorer.analysis.costs import OP_CATEGORIES, CostReport, LayerCost
from explorer.analysis.counting import block_report
from explorer.artifacts.base import PageArtifacts, named_layers, value_field
from explorer.figures.blocks import DiagramUnit, block_diagram_figure, comparison_figure, ops_figure, ratio_figure, sweep_figure
from explorer.formatting import layer_label
from explorer.models.activations import REGISTRY, activation_label
from explorer.models.blocks import comparable_specs, standard_equivalent
from explorer.models.specs import BLOCK_KINDS, BlockSpec

SWEEP_VALUES: dict[str, tuple[float, ...]] = {
    "out_channels": (8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024),
    "in_channels": (8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024),
    "kernel_size": (1, 3, 5, 7, 9, 11),
    "size": (7, 14, 28, 56, 112, 224),
    "stride": (1, 2, 4),
    "dilation": (1, 2, 3, 4),
    "expansion": (1, 2, 3, 4, 6, 8),
    "se_ratio": (0.0, 0.0625, 0.125, 0.25, 0.5),
}


def sweep_parameters(spec: BlockSpec) -> list[str]:
    """The hyperparameters of ``spec``'s kind that a sweep chart can vary."""
    names = [name for name in SWEEP_VALUES if name in spec.info.params]
    if spec.kind == "group":
        names.insert(1, "groups")
    return names


def _sweep_values(spec: BlockSpec, parameter: str) -> list[float]:
    if parameter == "groups":
        common = math.gcd(spec.in_channels, spec.out_channels)
        values = [g for g in range(1, common + 1) if common % g == 0]
    else:
        values = list(SWEEP_VALUES[parameter])
    current = getattr(spec, parameter)
    return sorted(set(values) | {current})


def sweep_table(spec: BlockSpec, parameter: str) -> pd.DataFrame:
    """Params and MACs of the block (and of a standard conv of the same shape) over ``parameter``.

    Values that make the block impossible (e.g. a kernel larger than the input) are left out.
    For a depthwise-separable block the counted MAC ratio and ``1/C_out + 1/k²`` are added.
    """
    valid = sweep_parameters(spec)
    if parameter not in valid:
        raise ValueError(f"sweep parameter: must be one of {', '.join(valid)} for {spec.kind}, got {parameter!r}.")
    rows = []
    for value in _sweep_values(spec, parameter):
        try:
            variant = spec.replace(**{parameter: type(getattr(spec, parameter))(value)})
        except ValueError:
            continue
        rows.append(_sweep_row(variant, value))
    return pd.DataFrame(rows)


def _sweep_row(variant: BlockSpec, value: float) -> dict[str, float]:
    report = block_report(variant)
    row = {"value": value, "params": report.params, "macs": report.macs}
    standard = standard_equivalent(variant)
    if standard is not None:
        reference = block_report(standard)
        row |= {"standard_params": reference.params, "standard_macs": reference.macs}
        if variant.kind == "depthwise_separable":
            row["ratio"] = report.macs / reference.macs
            row["formula_ratio"] = 1 / variant.out_channels + 1 / variant.kernel_size**2
    return row


def same_padding_outputs(spec: BlockSpec) -> tuple[int, int] | None:
    """``(output size, TensorFlow's SAME output size)`` where padding ``same`` does not give ``ceil(size / stride)``.

    ``same`` here is torchvision's symmetric ``(k - 1) // 2 x dilation`` on every side: exact for odd
    kernels, one dilation short for even ones (56 -> 55 at k = 4). TensorFlow's SAME pads asymmetrically
    so that the output is always ``ceil(size / stride)``. None where the two agree or padding is in pixels.
    """
    if spec.padding != "same" or "padding" not in spec.info.params:
        return None
    tensorflow = -(-spec.size // spec.stride)
    return None if spec.output_size == tensorflow else (spec.output_size, tensorflow)


def padding_note(spec: BlockSpec) -> str | None:
    """Why padding ``same`` with an even kernel shrinks the map here, with this configuration's numbers (or None)."""
    outputs = same_padding_outputs(spec)
    if outputs is None:
        return None
    ours, tensorflow = outputs
    total = max((tensorflow - 1) * spec.stride + spec.effective_kernel - spec.size, 0)
    lost_shortcut = (
        spec.kind in ("inverted_residual", "bneck", "mbconv", "fused_mbconv") and spec.stride == 1
        and spec.in_channels == spec.out_channels and not spec.has_residual
    )
    side = spec.padding_amount
    return (
        f"Padding 'same' is torchvision's (k − 1) // 2 × dilation = {side} px on every side, which keeps the size "
        f"only for odd kernels. With k = {spec.kernel_size} the conv needs {total} px in all and gets {2 * side}, so the "
        f"output is {ours} × {ours}, not {tensorflow} × {tensorflow}. TensorFlow's SAME would pad {total // 2} px "
        f"left/top and {total - total // 2} px right/bottom to keep ⌈{spec.size} / {spec.stride}⌉ = {tensorflow}. "
        "The app keeps PyTorch's symmetric padding (what torchvision builds; its MobileNets and EfficientNets use "
        f"odd kernels only) and counts the {ours} × {ours} output"
        + (", which also costs the block its shortcut (no residual add)" if lost_shortcut else "")
        + f". For {tensorflow} × {tensorflow}, use an odd kernel."
    )


SE_BASE = {"bneck": "of the expanded width", "mbconv": "of C_in", "fused_mbconv": "of C_in", "se": "of C_in"}
"""What the SE ratio multiplies: MobileNetV3 squeezes the expanded width, EfficientNet the block's input."""


def kind_settings(spec: BlockSpec) -> str:
    """The hyperparameters of ``spec`` that its kind adds to the shared shape, as a person reads them.

    E.g. ``t = 6 (hidden 192), SE 0.25 of C_in, swish / SiLU, sigmoid gate`` for an MBConv, ``G = 4, ReLU``
    for a group conv: what "Compare kinds" assumed for each kind it did not take from the sidebar.
    """
    parts = []
    if spec.kind == "group":
        parts.append(f"G = {spec.groups}")
    if "expansion" in spec.info.params:
        parts.append(f"t = {spec.expansion:g} (hidden {spec.hidden_channels})")
    if "se_ratio" in spec.info.params:
        parts.append(f"SE {spec.se_ratio:g} {SE_BASE[spec.kind]}" if spec.se_ratio else "no SE")
    parts.append("no activation" if spec.activation == "none" else activation_label(spec.activation))
    if "gate" in spec.info.params and spec.se_ratio:
        parts.append(f"{activation_label(spec.gate)} gate")
    return ", ".join(parts)


def comparison_note(spec: BlockSpec) -> str:
    """What "Compare kinds" holds fixed across the kinds and where each kind's own settings come from."""
    if not comparable_specs(spec):
        return f"{spec.info.label} has no counterpart of another kind with the same input and output shape."
    shared = (
        f"C_in {spec.in_channels}, C_out {spec.out_channels}, {spec.size} × {spec.size} input, k {spec.kernel_size}, "
        f"stride {spec.stride}, padding {spec.padding}, dilation {spec.dilation}, "
        + ("BatchNorm" if spec.norm == "batch" else "no norm") + (", conv bias" if spec.bias else "")
    )
    return (
        f"Same for every kind: {shared}. The {spec.info.label} keeps the sidebar's settings; every other kind takes "
        "its own defaults (expansion, SE ratio, groups, activation), listed in the table's settings column."
    )


def comparison_table(spec: BlockSpec) -> pd.DataFrame:
    """Params and MACs of every block kind mapping the same input to the same output shape.

    ``settings`` says what each kind assumed beyond the shared shape (:func:`kind_settings`): the block
    on the page keeps the sidebar's values, every other kind its own defaults.
    """
    rows = []
    for kind, variant in comparable_specs(spec).items():
        report = block_report(variant)
        rows.append({"kind": kind, "label": BLOCK_KINDS[kind].label, "settings": kind_settings(variant),
                     "params": report.params, "macs": report.macs})
    if not rows:
        report = block_report(spec)
        rows.append({"kind": spec.kind, "label": spec.info.label, "settings": kind_settings(spec),
                     "params": report.params, "macs": report.macs})
    table = pd.DataFrame(rows)
    standard = table.loc[table["kind"] == "standard"]
    if not standard.empty and int(standard["macs"].iloc[0]):
        table["MACs vs standard"] = (table["macs"] / int(standard["macs"].iloc[0])).round(4)
    return table


def _unit_name(layer: LayerCost, single_unit: bool) -> str:
    return "conv" if single_unit else layer.name.split(".")[0]


SINGLE_LAYER_TEXT = {
    "AdaptiveAvgPool2d": "global average pool (squeeze)",
    "ChannelScale": "scale each channel by its gate",
    "ResidualAdd": "add shortcut",
}


def _conv_text(name: str, conv: LayerCost) -> str:
    channels_in, channels_out = conv.input_shape[0], conv.output_shape[0]
    if conv.groups == channels_in == channels_out and channels_in > 1:
        kind = " depthwise"
    elif conv.groups and conv.groups > 1:
        kind = f" group ({conv.groups})"
    else:
        kind = ""
    stride = f", stride {conv.stride}" if conv.stride not in ("1x1", "1") else ""
    label = layer_label(name)
    if kind.split(" ")[1:2] and kind.split(" ")[1] in label:  # "depthwise conv: 3x3, ..." says depthwise once
        kind = ""
    return f"{label}: {conv.kernel}{kind}, {channels_in}→{channels_out}{stride}"


# a module class as the page names the activation (``Hardswish`` -> ``h-swish``); other classes keep their name
TYPE_LABELS = {a.module.__name__: a.label for a in REGISTRY.values()} | {"BatchNorm2d": "BN", "Identity": "linear"}


def _describe(name: str, layers: list[LayerCost]) -> str:
    """One line saying what a diagram box does, e.g. ``depthwise conv: 3x3, 192→192, BN, SiLU``."""
    types = [TYPE_LABELS.get(layer.type, layer.type) for layer in layers]
    if name == "se":
        fc1 = next(layer for layer in layers if layer.name.endswith("fc1"))
        return f"squeeze-excite {fc1.input_shape[0]}→{fc1.output_shape[0]}→{fc1.input_shape[0]}, {types[-2]} gate, scale"
    conv = next((layer for layer in layers if layer.type == "Conv2d"), None)
    if conv is None:
        if len(types) > 1:
            return ", ".join(types)
        return SINGLE_LAYER_TEXT.get(layers[0].type, f"{layer_label(name)}: {types[0]}")
    extras = [t for t in types if t != "Conv2d"]
    return ", ".join([_conv_text(name, conv), *extras]) if extras else _conv_text(name, conv) + ", linear"


def diagram_units(report: CostReport) -> list[DiagramUnit]:
    """Group the report's rows into the boxes of a block diagram.

    One box per top-level child; a bare Conv-Norm-Act block (children ``conv``, ``bn``, ``act``)
    is one box.
    """
    names = {layer.name for layer in report.layers}
    single_unit = "conv" in names and names <= {"conv", "bn", "act"}
    groups: dict[str, list[LayerCost]] = {}
    for layer in report.layers:
        if layer.output_shape is not None:
            groups.setdefault(_unit_name(layer, single_unit), []).append(layer)
    total = report.macs or 1
    units = []
    for name, layers in groups.items():
        macs = sum(layer.macs for layer in layers)
        shape = " × ".join(map(str, layers[-1].output_shape))
        units.append(DiagramUnit(name, _describe(name, layers), shape, sum(layer.params for layer in layers), macs, macs / total))
    return units


def ops_table(report: CostReport) -> pd.DataFrame:
    """Every non-MAC operation category with its count and per-element cost convention."""
    return pd.DataFrame(
        [{"operation": name.replace("_", " "), "count": report.ops[name], "how it is counted": text}
         for name, text in OP_CATEGORIES.items()]
    )


@dataclass(frozen=True)
class BlockTotals:
    """Counted totals of one block and of the standard conv of the same shape (None where there is none)."""

    params: int
    macs: int
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    standard_params: int | None
    standard_macs: int | None

    @property
    def macs_vs_standard(self) -> float | None:
        """The block's MACs over the standard conv's (nan if that conv has no MACs, None if there is none)."""
        if self.standard_macs is None:
            return None
        return self.macs / self.standard_macs if self.standard_macs else float("nan")


def block_totals(spec: BlockSpec, report: CostReport | None = None) -> BlockTotals:
    """Params, MACs and shapes of ``spec``'s block beside those of its standard-conv equivalent."""
    report = report or block_report(spec)
    standard = standard_equivalent(spec)
    reference = block_report(standard) if standard is not None else None
    return BlockTotals(
        report.params, report.macs, tuple(report.input_shape), tuple(report.output_shape),
        reference.params if reference else None, reference.macs if reference else None,
    )


@dataclass(frozen=True)
class BlockArtifacts(PageArtifacts):
    """What the Blocks view shows for one spec; exported as ``<kind>_<field>`` (``<kind>_sweep_<parameter>``)."""

    kind: str = value_field()
    sweep_parameter: str = value_field()
    totals: BlockTotals = value_field()
    comparison_note: str = value_field()
    padding_note: str | None = value_field()
    diagram: go.Figure
    comparison: go.Figure
    sweep: go.Figure
    ratio: go.Figure | None
    ops: go.Figure
    layers: pd.DataFrame
    comparison_table: pd.DataFrame
    ops_table: pd.DataFrame

    def file_name(self, field: str) -> str:
        suffix = f"_{self.sweep_parameter}" if field in ("sweep", "ratio") else ""
        return f"{self.kind}_{field}{suffix}"


def block_artifacts(
    spec: BlockSpec, style: str = "screen", sweep_parameter: str | None = None, log_scale: bool = False, unit: str = "MACs"
) -> BlockArtifacts:
    """Every chart and table of the Blocks view, with the block's totals, in display order."""
    report = block_report(spec)
    parameter = sweep_parameter or sweep_parameters(spec)[0]
    sweep = sweep_table(spec, parameter)
    input_shape = " × ".join(map(str, report.input_shape))
    comparison = comparison_table(spec)
    current = getattr(spec, parameter)
    return BlockArtifacts(
        kind=spec.kind,
        sweep_parameter=parameter,
        totals=block_totals(spec, report),
        comparison_note=comparison_note(spec),
        padding_note=padding_note(spec),
        diagram=block_diagram_figure(
            diagram_units(report), input_shape, f"{spec.info.label}: layers, shapes and cost", style,
            residual=spec.has_residual, unit=unit,
        ),
        comparison=comparison_figure(comparison, spec.kind, style, log_scale, unit),
        sweep=sweep_figure(sweep, parameter, current, style, log_scale, unit),
        ratio=ratio_figure(sweep, parameter, current, style) if "ratio" in sweep.columns else None,
        ops=ops_figure(report.ops, report.macs, style),
        layers=named_layers(report.to_frame()),
        comparison_table=comparison,
        ops_table=ops_table(report),
    )
