"""What the "Your model" page shows for a model the user brings (a zoo name or an ONNX file)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import plotly.graph_objects as go

from explorer.analysis.costs import OP_CATEGORIES, CostReport
from explorer.analysis.patterns import REPLACEMENTS, layer_patterns, pattern_frame, replaced_convs, what_if_frame
from explorer.artifacts.base import PageArtifacts, named_layers, value_field
from explorer.artifacts.networks import family_frame
from explorer.figures.networks import cost_share_figure, family_figure

SOURCES = ("timm", "torchvision", "ONNX file")


@dataclasses.dataclass(frozen=True)
class ModelChoice:
    """What the page counts: a zoo model by name or an ONNX file's bytes, and the what-if's replacement.

    ``name`` is the zoo name, or the file name of an ONNX upload; ``data`` is None for a zoo model and for
    "ONNX file" before anything is uploaded.
    """

    source: str
    name: str
    replacement: str = REPLACEMENTS[0]
    data: bytes | None = dataclasses.field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source: must be one of {', '.join(SOURCES)}, got {self.source!r}.")
        if self.replacement not in REPLACEMENTS:
            raise ValueError(f"replacement: must be one of {', '.join(REPLACEMENTS)}, got {self.replacement!r}.")

    @property
    def awaiting_upload(self) -> bool:
        """Whether "ONNX file" is chosen and nothing is uploaded yet."""
        return self.source == "ONNX file" and self.data is None


@dataclasses.dataclass(frozen=True)
class YourModelArtifacts(PageArtifacts):
    """Totals, where the cost goes, recognised patterns, the family chart and the what-if, for one model."""

    label: str = value_field()
    note: str = value_field()
    input_size: tuple[int, ...] = value_field()
    params: int = value_field()
    macs: int = value_field()
    skipped: tuple[str, ...] = value_field()
    saved_macs: int = value_field()
    convs_replaced: int = value_field()  # standard k x k convs (k >= 3) the what-if replaces
    op_categories: pd.DataFrame = None
    by_type: pd.DataFrame = None
    by_type_chart: go.Figure = None
    by_stage: pd.DataFrame = None
    layers: pd.DataFrame = None
    patterns: pd.DataFrame = None
    family: go.Figure = None
    what_if: pd.DataFrame = None

    def file_name(self, field: str) -> str:
        return f"your_model_{field}"

    @property
    def saved_percent(self) -> float:
        """The what-if's saving as a share of the model's MACs."""
        return 100.0 * self.saved_macs / max(self.macs, 1)


def op_category_frame(report: CostReport) -> pd.DataFrame:
    rows = [{"category": "MACs (conv, linear, matmul)", "ops": report.macs, "per element": "multiply-accumulate"}]
    rows += [{"category": name, "ops": report.ops[name], "per element": text} for name, text in OP_CATEGORIES.items()]
    return pd.DataFrame(rows)


def _grouped(frame: pd.DataFrame, key: pd.Series, column: str, report: CostReport) -> pd.DataFrame:
    grouped = frame.groupby(key.to_numpy(), sort=False)[["params", "MACs"]].sum().reset_index()
    grouped.columns = [column, "params", "MACs"]
    grouped["% params"] = (100.0 * grouped["params"] / max(report.params, 1)).round(2)
    grouped["% MACs"] = (100.0 * grouped["MACs"] / max(report.macs, 1)).round(2)
    return grouped


def stage_key(name: str) -> str:
    """The first two parts of a layer's path (``features.3``, ``blocks.2``, ``stages/stages.1``): its stage or block."""
    parts = [part for part in name.replace("/", ".").split(".") if part]
    return ".".join(parts[:2]) if len(parts) > 2 else (parts[0] if parts else name)


def your_model_artifacts(label: str, note: str, input_size: tuple[int, ...], report: CostReport,
                         replacement: str, style: str) -> YourModelArtifacts:
    layers = report.to_frame()
    patterns = layer_patterns(report)
    layers.insert(2, "pattern", [patterns.get(index, "") for index in range(len(layers))])
    by_type = _grouped(layers, layers["type"], "type", report).sort_values("MACs", ascending=False, ignore_index=True)
    replaced = replaced_convs(report, replacement)
    what_if = what_if_frame(replaced)
    return YourModelArtifacts(
        label=label, note=note, input_size=tuple(input_size), params=report.params, macs=report.macs,
        skipped=report.skipped, saved_macs=sum(conv.macs_saved for conv in replaced), convs_replaced=len(replaced),
        op_categories=op_category_frame(report), by_type=by_type,
        by_type_chart=cost_share_figure(by_type[(by_type["params"] > 0) | (by_type["MACs"] > 0)].head(12), "type", style,
                                        f"{label}: params and MACs by layer type"),
        by_stage=named_layers(_grouped(layers, layers["layer"].map(stage_key), "stage or block", report), "stage or block"),
        layers=named_layers(layers), patterns=pattern_frame(report),
        family=family_figure(family_frame(), label, max(report.params, 1), max(report.macs, 1), style),
        what_if=named_layers(what_if) if not what_if.empty else what_if,
    )
