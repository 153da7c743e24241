"""Everything the Networks and Compound-scaling pages show, as ordered name -> figure or table.

:func:`network_artifacts` and :func:`scaling_artifacts` are the single source for the pages,
the export ZIP and the command line. Counts follow the conventions of :mod:`explorer.costs`:
params include BatchNorm's affine weights; MACs are conv + linear multiply-accumulates.

Papers: MobileNetV1 (https://arxiv.org/abs/1704.04861), MobileNetV2
(https://arxiv.org/abs/1801.04381), MobileNetV3 (https://arxiv.org/abs/1905.02244),
EfficientNet (https://arxiv.org/abs/1905.11946), EfficientNetV2 (https://arxiv.org/abs/2104.00298).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from explorer.analysis.costs import OP_CATEGORIES, CostReport, LayerCost
from explorer.analysis.counting import count_network, network_totals
from explorer.figures.networks import (
    cost_share_figure,
    family_figure,
)
from explorer.models.networks.papers import PaperFigure, paper_figure
from explorer.models.networks.tables import (
    NetworkSpec,
    block_specs,
    network_spec,
    network_table,
)

FAMILY_NOTES = {
    "mobilenet_v1": (
        "The paper counts no BatchNorm: without BatchNorm's {bn:,} affine params our count is {no_bn:,}, "
        "the paper's 4.2M. Its mult-adds are conv + FC MACs rounded to millions; channels follow TF-slim "
        "(int(c x alpha), at least 8)."
    ),
    "mobilenet_v2": "Rounded paper figures; widths follow make_divisible(c x width, 8) as in the reference code.",
    "mobilenet_v3": (
        "The paper's MAdds come from its own TensorFlow counter and are rounded; torchvision's reference "
        "implementation agrees with this count to the last MAC."
    ),
    "efficientnet_v2": (
        "The paper's figures are rounded and it does not say how it counted them; torchvision's reference "
        "implementation agrees with this count to the last MAC."
    ),
    "efficientnet": (
        "The paper's 'FLOPs' are multiply-adds, rounded to two digits; torchvision's reference implementation "
        "agrees with this count to the last MAC (B0-B7)."
    ),
}


def _difference(counted: int, reported: float | None) -> tuple[float | None, float | None]:
    if reported is None:
        return None, None
    return counted - reported, round(100.0 * (counted - reported) / reported, 2)


def _note(spec: NetworkSpec, report: CostReport, paper: PaperFigure | None) -> str:
    if paper is None:
        return "The papers report no figure for this exact configuration."
    bn = sum(layer.params for layer in report.layers if layer.type.startswith("BatchNorm"))
    key = next(prefix for prefix in FAMILY_NOTES if spec.name.startswith(prefix))
    return f"{paper.source}. " + FAMILY_NOTES[key].format(bn=bn, no_bn=report.params - bn)


def totals_frame(spec: NetworkSpec, report: CostReport) -> pd.DataFrame:
    """Counted totals beside the paper's figures, the difference, and why; then every other op."""
    paper = paper_figure(spec)
    note = _note(spec, report, paper)
    rows = []
    for quantity, counted, reported in (
        ("params", report.params, paper.params if paper else None),
        ("MACs (conv + linear)", report.macs, paper.macs if paper else None),
    ):
        difference, percent = _difference(counted, reported)
        rows.append(
            {"quantity": quantity, "counted": counted, "paper": reported, "difference": difference,
             "difference %": percent, "note": note}
        )
    rows.append({"quantity": "FLOPs (= 2 x MACs)", "counted": report.flops, "note": "one multiply and one add per MAC"})
    for category, count in report.ops.items():
        rows.append({"quantity": f"{category} ops (not in MACs)", "counted": count, "note": OP_CATEGORIES[category]})
    return pd.DataFrame(rows, columns=["quantity", "counted", "paper", "difference", "difference %", "note"])


def _stage_of(name: str, last: int) -> int:
    """Paper stage number of a layer: 1 is the stem, 2.. are the table rows, ``last`` the head."""
    top, _, rest = name.partition(".")
    if top == "stem":
        return 1
    if top == "stages":
        return int(rest.split(".")[0]) + 2
    return last


def _conv_operation(layer: LayerCost) -> str:
    channels = layer.input_shape[0] if layer.input_shape else 0
    if layer.groups and layer.groups > 1 and layer.groups == channels:
        return "depthwise"
    return "1x1 conv" if layer.kernel == "1x1" else f"{layer.kernel} conv"


def layer_operations(layers: Sequence[LayerCost]) -> list[str]:
    """Operation type per row: stem, 1x1 conv, depthwise, k x k conv, SE, residual add, head, classifier.

    BatchNorm and activation rows take the type of the conv of their Conv-Norm-Act unit.
    """
    unit_types: dict[str, str] = {}
    operations = []
    for layer in layers:
        top = layer.name.split(".")[0]
        unit, _, leaf = layer.name.rpartition(".")
        if top in ("stem", "head", "classifier"):
            operation = top
        elif ".se." in layer.name:
            operation = "SE"
        elif leaf in ("residual", "drop_path"):
            operation = "residual add"
        elif layer.type == "Conv2d":
            operation = unit_types.setdefault(unit, _conv_operation(layer))
        else:
            operation = unit_types.get(unit, "other")
        operations.append(operation)
    return operations


def layer_frame(spec: NetworkSpec, report: CostReport) -> pd.DataFrame:
    """The per-layer table with its paper stage and operation type; its rows sum to the totals."""
    table = network_table(spec)
    last = len(table.rows) + 2
    frame = report.to_frame()
    frame.insert(1, "stage", [_stage_of(layer.name, last) for layer in report.layers])
    frame.insert(2, "operation", layer_operations(report.layers))
    return frame


def stage_frame(spec: NetworkSpec, layers: pd.DataFrame) -> pd.DataFrame:
    """The paper's table (stage, operator, input resolution, channels, layers) with params and MACs."""
    table = network_table(spec)
    specs = block_specs(table)
    stem_out = specs[0][0].size if specs and specs[0] else table.resolution
    kernel = table.stem.kernel_size
    rows = [(f"Conv{kernel}x{kernel}", table.resolution, table.stem.out_channels, 1)]
    rows += [(row.label, stage[0].size, row.out_channels, row.repeats) for row, stage in zip(table.rows, specs, strict=True)]
    last = specs[-1][-1]
    rows.append((table.head.label, last.output_size if specs else stem_out, table.features, 1))
    sums = layers.groupby("stage")[["params", "MACs"]].sum()
    frame = pd.DataFrame(
        [
            {"stage": i, "operator": op, "input resolution": f"{size}x{size}", "channels": channels, "layers": count}
            for i, (op, size, channels, count) in enumerate(rows, start=1)
        ]
    )
    frame["params"] = frame["stage"].map(sums["params"]).fillna(0).astype(int)
    frame["MACs"] = frame["stage"].map(sums["MACs"]).fillna(0).astype(int)
    for column, total in (("params", layers["params"].sum()), ("MACs", layers["MACs"].sum())):
        frame[f"% {column}"] = (100.0 * frame[column] / total).round(2) if total else 0.0
    return frame


OPERATION_ORDER = ("stem", "1x1 conv", "depthwise", "3x3 conv", "5x5 conv", "SE", "residual add", "head", "classifier")


def operation_frame(layers: pd.DataFrame) -> pd.DataFrame:
    """Params and MACs by operation type, with shares of the totals."""
    sums = layers.groupby("operation")[["params", "MACs"]].sum()
    order = [op for op in OPERATION_ORDER if op in sums.index] + sorted(set(sums.index) - set(OPERATION_ORDER))
    frame = sums.loc[order].reset_index()
    for column in ("params", "MACs"):
        total = frame[column].sum()
        frame[f"% {column}"] = (100.0 * frame[column] / total).round(2) if total else 0.0
    return frame


FAMILY_MEMBERS: tuple[tuple[str, str, dict], ...] = (
    *((f"B{i}", "EfficientNet", {"name": f"efficientnet_b{i}"}) for i in range(8)),
    *((f"V1 {a:g}", "MobileNetV1", {"name": "mobilenet_v1", "width_mult": a}) for a in (0.25, 0.5, 0.75, 1.0)),
    *((f"V2 {w:g}", "MobileNetV2", {"name": "mobilenet_v2", "width_mult": w}) for w in (0.5, 1.0, 1.4)),
    *((f"V3-L {w:g}", "MobileNetV3-Large", {"name": "mobilenet_v3_large", "width_mult": w}) for w in (0.75, 1.0)),
    *((f"V3-S {w:g}", "MobileNetV3-Small", {"name": "mobilenet_v3_small", "width_mult": w}) for w in (0.75, 1.0)),
)


def family_frame() -> pd.DataFrame:
    """Params and MACs of every family member at its own resolution (B0-B7, V1 per alpha, V2, V3)."""
    rows = []
    for label, family, options in FAMILY_MEMBERS:
        spec = network_spec(**options)
        params, macs = network_totals(spec)
        rows.append({"member": label, "family": family, "resolution": spec.resolution, "params": params, "MACs": macs})
    return pd.DataFrame(rows)


def network_artifacts(spec: NetworkSpec, style: str) -> dict[str, go.Figure | pd.DataFrame]:
    """Every table and figure of the Networks page for ``spec``, in page order."""
    report = count_network(spec)
    layers = layer_frame(spec, report)
    stages = stage_frame(spec, layers)
    operations = operation_frame(layers)
    by_stage = stages.assign(stage=stages["stage"].astype(str))
    costly = operations[(operations["params"] > 0) | (operations["MACs"] > 0)]
    return {
        "totals": totals_frame(spec, report),
        "stages": stages,
        "cost_by_stage": cost_share_figure(by_stage, "stage", style, f"{spec.label}: cost by stage"),
        "cost_by_operation": cost_share_figure(costly, "operation", style, f"{spec.label}: cost by operation type"),
        "operations": operations,
        "family": family_figure(family_frame(), spec.label, report.params, report.macs, style),
        "layers": layers,
    }
















