"""Everything the Networks page shows, as a :class:`NetworkArtifacts` (tables, figures and the totals against the paper).

:func:`network_artifacts` (and :func:`explorer.artifacts.scaling.scaling_artifacts`) are the single source for the pages,
the export ZIP and the command line. Counts follow the conventions of :mod:`explorer.costs`:
params include BatchNorm's affine weights; MACs are conv + linear multiply-accumulates.

Papers: MobileNetV1 (https://arxiv.org/abs/1704.04861), MobileNetV2
(https://arxiv.org/abs/1801.04381), MobileNetV3 (https://arxiv.org/abs/1905.02244),
EfficientNet (https://arxiv.org/abs/1905.11946), EfficientNetV2 (https://arxiv.org/abs/2104.00298).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from explorer.analysis.breakdown import layer_operations, stage_number, stage_rows
from explorer.analysis.costs import OP_CATEGORIES, CostReport
from explorer.analysis.counting import count_network, network_totals
from explorer.artifacts.base import PageArtifacts, named_layers, value_field
from explorer.figures.networks import (
    cost_share_figure,
    family_figure,
)
from explorer.models.networks.papers import PaperFigure, paper_figure
from explorer.models.networks.tables import (
    NetworkSpec,
    network_spec,
    network_table,
    paper_stage_columns,
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
        "implementation agrees with this count to the last MAC. The table's exp size, SE, NL (RE = ReLU, "
        "HS = h-swish) and stride are the paper's Tables 1 and 2; Table 2 also marks SE on Small's last 1x1 conv, "
        "which torchvision (and this count) builds without one."
    ),
    "efficientnet_v2": (
        "The paper's figures are rounded and it does not say how it counted them; torchvision's reference "
        "implementation agrees with this count to the last MAC."
    ),
    "efficientnet": (
        "Its figures are rounded to two significant digits; torchvision's reference implementation agrees with "
        "this count to the last MAC (B0-B7)."
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


@dataclass(frozen=True)
class NetworkTotals:
    """Counted params and MACs beside the paper's figures (None where the paper gives none), and why they differ."""

    params: int
    macs: int
    paper_params: float | None
    paper_macs: float | None
    note: str


def network_totals_against_paper(spec: NetworkSpec, report: CostReport) -> NetworkTotals:
    """The counted totals of ``spec`` with the paper's figures for exactly this configuration."""
    paper = paper_figure(spec)
    return NetworkTotals(
        report.params, report.macs, paper.params if paper else None, paper.macs if paper else None, _note(spec, report, paper)
    )


def totals_frame(totals: NetworkTotals, report: CostReport) -> pd.DataFrame:
    """Counted totals beside the paper's figures, the difference, and why; then every other op."""
    rows = []
    for quantity, counted, reported in (
        ("params", totals.params, totals.paper_params),
        ("MACs (conv + linear)", totals.macs, totals.paper_macs),
    ):
        difference, percent = _difference(counted, reported)
        rows.append(
            {"quantity": quantity, "counted": counted, "paper": reported, "difference": difference,
             "difference %": percent, "note": totals.note}
        )
    rows.append({"quantity": "FLOPs (= 2 x MACs)", "counted": report.flops, "note": "one multiply and one add per MAC"})
    for category, count in report.ops.items():
        rows.append({"quantity": f"{category} ops (not in MACs)", "counted": count, "note": OP_CATEGORIES[category]})
    return pd.DataFrame(rows, columns=["quantity", "counted", "paper", "difference", "difference %", "note"])


def layer_frame(spec: NetworkSpec, report: CostReport) -> pd.DataFrame:
    """The per-layer table with its paper stage and operation type; its rows sum to the totals."""
    table = network_table(spec)
    last = len(table.rows) + 2
    frame = report.to_frame()
    frame.insert(1, "stage", [stage_number(layer.name, last) for layer in report.layers])
    frame.insert(2, "operation", layer_operations(report.layers))
    return frame


PAPER_COLUMN_ORDER = ("stage", "operator", "input resolution", "exp size", "channels", "SE", "NL", "stride", "layers")


def stage_frame(spec: NetworkSpec, layers: pd.DataFrame) -> pd.DataFrame:
    """The paper's table (stage, operator, input resolution, channels, stride, layers) with params and MACs.

    MobileNetV3 also has its paper's exp size, SE and NL columns (:func:`paper_stage_columns`).
    """
    rows = stage_rows(spec, layers[["stage", "params", "MACs"]].to_dict("records"))
    frame = pd.DataFrame([row | extra for row, extra in zip(rows, paper_stage_columns(network_table(spec)), strict=True)])
    first = [column for column in PAPER_COLUMN_ORDER if column in frame.columns]
    return frame[first + [column for column in frame.columns if column not in first]]


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


@dataclass(frozen=True)
class NetworkArtifacts(PageArtifacts):
    """What the Networks page shows for one spec, in page order; ``totals_table`` is exported as ``totals``."""

    totals: NetworkTotals = value_field()
    longest_operator: int = value_field()  # characters of the stage table's longest operator, for its column width
    totals_table: pd.DataFrame
    stages: pd.DataFrame
    cost_by_stage: go.Figure
    cost_by_operation: go.Figure
    operations: pd.DataFrame
    family: go.Figure
    layers: pd.DataFrame

    def file_name(self, field: str) -> str:
        return "totals" if field == "totals_table" else field


def network_artifacts(spec: NetworkSpec, style: str) -> NetworkArtifacts:
    """Every table and figure of the Networks page for ``spec``, in page order, with its totals."""
    report = count_network(spec)
    totals = network_totals_against_paper(spec, report)
    layers = layer_frame(spec, report)
    stages = stage_frame(spec, layers)
    operations = operation_frame(layers)
    by_stage = stages.assign(stage=stages["stage"].astype(str))
    costly = operations[(operations["params"] > 0) | (operations["MACs"] > 0)]
    return NetworkArtifacts(
        totals=totals,
        longest_operator=max(map(len, stages["operator"])),
        totals_table=totals_frame(totals, report),
        stages=stages,
        cost_by_stage=cost_share_figure(by_stage, "stage", style, f"{spec.label}: cost by stage"),
        cost_by_operation=cost_share_figure(costly, "operation", style, f"{spec.label}: cost by operation type"),
        operations=operations,
        family=family_figure(family_frame(), spec.label, report.params, report.macs, style),
        layers=named_layers(layers),
    )
