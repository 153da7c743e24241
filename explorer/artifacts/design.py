"""Everything the Design page shows for a custom network, and its difference from the preset it started from.

Counts follow :mod:`explorer.analysis.costs` (params with BatchNorm's, MACs = conv + linear); the design is
counted by the same :func:`~explorer.analysis.counting.count_network` as every preset.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from explorer.analysis.counting import count_network
from explorer.artifacts.base import PageArtifacts, named_layers, value_field
from explorer.artifacts.networks import layer_frame, operation_frame, stage_frame
from explorer.figures.design import stage_diagram_figure
from explorer.figures.networks import cost_share_figure
from explorer.models.networks.design import DesignSpec


@dataclass(frozen=True)
class DesignArtifacts(PageArtifacts):
    """The Design page's numbers (not exported) and its charts and tables, in display order."""

    params: int = value_field()
    macs: int = value_field()
    ops: dict[str, int] = value_field()
    reference_params: int | None = value_field(default=None)  # the preset it started from; None: no comparison
    reference_macs: int | None = value_field(default=None)
    totals: pd.DataFrame | None = None
    difference: pd.DataFrame | None = None
    diagram: go.Figure | None = None
    stages: pd.DataFrame | None = None
    cost_by_stage: go.Figure | None = None
    cost_by_operation: go.Figure | None = None
    operations: pd.DataFrame | None = None
    layers: pd.DataFrame | None = None

    def file_name(self, field: str) -> str:
        return f"design_{field}"


def _change(new: float, old: float | None) -> tuple[float | None, float | None]:
    if old is None or pd.isna(old):
        return None, None
    return new - old, (round(100.0 * (new - old) / old, 2) if old else None)


def totals_frame(design: DesignSpec, reference: DesignSpec | None) -> pd.DataFrame:
    """Params, MACs, FLOPs and every other op category of the design, beside the reference's."""
    report = count_network(design)
    base = count_network(reference) if reference is not None else None
    quantities = [("params", report.params, base.params if base else None), ("MACs", report.macs, base.macs if base else None),
                  ("FLOPs (= 2 x MACs)", report.flops, base.flops if base else None)]
    quantities += [(f"{category} ops", count, base.ops[category] if base else None) for category, count in report.ops.items()]
    rows = [{"quantity": name, "design": value, "preset": old, "difference": _change(value, old)[0],
             "difference %": _change(value, old)[1]} for name, value, old in quantities]
    return pd.DataFrame(rows)


def _parts(stages: pd.DataFrame) -> pd.DataFrame:
    """Stage rows named ``stem``, ``row 1``.., ``head`` so that two networks line up part by part."""
    names = ["stem", *(f"row {i}" for i in range(1, len(stages) - 1)), "head"]
    return stages.assign(part=names).set_index("part")[["operator", "params", "MACs"]]


def difference_frame(stages: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Per part (stem, each row, head) and in total: the preset's and the design's params and MACs, absolute and %."""
    mine, theirs = _parts(stages), _parts(reference)
    order = ["stem", *dict.fromkeys([p for p in [*theirs.index, *mine.index] if p.startswith("row")]), "head"]
    joined = theirs.add_suffix(" (preset)").join(mine.add_suffix(" (design)"), how="outer").reindex(order)
    total = joined.sum(numeric_only=True).to_frame("total").T
    joined = pd.concat([joined, total])
    for column in ("params", "MACs"):
        old, new = joined[f"{column} (preset)"].fillna(0), joined[f"{column} (design)"].fillna(0)
        joined[f"Δ {column}"] = (new - old).astype(int)
        joined[f"Δ {column} %"] = (100.0 * (new - old) / old.where(old != 0)).round(2)
    return joined.rename_axis("part").reset_index()


def design_artifacts(design: DesignSpec, reference: DesignSpec | None, style: str) -> DesignArtifacts:
    """Every chart and table of the Design page for ``design``, compared with ``reference`` (None: no comparison)."""
    report = count_network(design)
    layers = layer_frame(design, report)
    stages = stage_frame(design, layers)
    operations = operation_frame(layers)
    costly = operations[(operations["params"] > 0) | (operations["MACs"] > 0)]
    difference, base = None, None
    if reference is not None:
        base = count_network(reference)
        difference = difference_frame(stages, stage_frame(reference, layer_frame(reference, base)))
    return DesignArtifacts(
        params=report.params, macs=report.macs, ops=report.ops,
        reference_params=base.params if base else None, reference_macs=base.macs if base else None,
        totals=totals_frame(design, reference), difference=difference,
        diagram=stage_diagram_figure(stages, style, "Design: every stage, coloured by its share of MACs"),
        stages=stages,
        cost_by_stage=cost_share_figure(stages.assign(stage=stages["stage"].astype(str)), "stage", style,
                                        "Design: cost by stage"),
        cost_by_operation=cost_share_figure(costly, "operation", style, "Design: cost by operation type"),
        operations=operations, layers=named_layers(layers),
    )
