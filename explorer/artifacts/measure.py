"""What a latency and memory measurement shows: charts and tables drawn from measured results.

Measuring lives in :mod:`explorer.analysis.measurements`; here the results become the charts and tables of
the measure panels (roofline: Williams et al., https://doi.org/10.1145/1498765.1498785).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from explorer.analysis.measure import (
    Latency,
    MachinePeaks,
    roofline_frame,
)
from explorer.analysis.measurements import BlockMeasureResults, NetworkMeasureResults
from explorer.artifacts.base import PageArtifacts, value_field
from explorer.figures.measure import (
    latency_vs_macs_figure,
    memory_figure,
    reduction_figure,
    roofline_figure,
    stage_latency_figure,
)
from explorer.figures.style import require_columns


def reduction_table(table: pd.DataFrame) -> pd.DataFrame:
    """Each kind's MAC reduction and latency reduction against the standard conv (standard / kind)."""
    require_columns(table, ("kind", "MACs", "latency ms"), "latency table")
    standard = table.set_index("kind").loc["standard"] if "standard" in set(table["kind"]) else None
    if standard is None:
        raise ValueError("latency table: the standard conv was not measured, so there is nothing to compare against.")
    others = table[table["kind"] != "standard"]
    return pd.DataFrame({
        "kind": others["kind"], "label": others["label"] if "label" in others else others["kind"],
        "MAC reduction (x)": (standard["MACs"] / others["MACs"]).round(3),
        "latency reduction (x)": (standard["latency ms"] / others["latency ms"]).round(3),
    }).reset_index(drop=True)


def machine_table(peaks: MachinePeaks) -> pd.DataFrame:
    """This machine's measured peaks as a two-column table."""
    return pd.DataFrame([
        {"quantity": "peak compute (float32 matmul 1024 x 1024)", "value": f"{peaks.gflops:.1f} GFLOP/s"},
        {"quantity": "memory bandwidth (64 MiB copy, read + write)", "value": f"{peaks.gbytes_per_s:.1f} GB/s"},
        {"quantity": "ridge point", "value": f"{peaks.ridge_macs_per_byte:.2f} MACs per byte"},
        {"quantity": "threads (torch.get_num_threads)", "value": str(peaks.threads)},
    ])


@dataclass(frozen=True)
class BlockMeasureArtifacts(PageArtifacts):
    """A block's measured latency, roofline and memory; exported as ``<kind>_<field>`` (``machine`` as is).

    Charts and tables that need what was not measured (the standard conv, per-layer timings, refused
    kinds) are None.
    """

    kind: str = value_field()
    latency: Latency = value_field()  # of the chosen block itself
    latency_vs_macs: go.Figure
    latency_reduction: go.Figure | None
    latency_reduction_table: pd.DataFrame | None
    roofline: go.Figure | None
    memory_per_layer: go.Figure
    latency_table: pd.DataFrame
    memory_table: pd.DataFrame
    memory_per_part_table: pd.DataFrame
    roofline_table: pd.DataFrame | None
    not_measured: pd.DataFrame | None
    machine: pd.DataFrame

    def file_name(self, field: str) -> str:
        return field if field == "machine" else f"{self.kind}_{field}"


def block_measure_artifacts(results: BlockMeasureResults, style: str = "screen") -> BlockMeasureArtifacts:
    """Every chart and table of the block measurement, in display order."""
    kind = results.spec.kind
    table = results.comparison.to_frame()
    reductions = reduction_table(table) if "standard" in set(table["kind"]) and len(table) > 1 else None
    points = roofline_frame(results.memory, results.layers, results.peaks)
    layers = results.memory.to_frame()
    refused = results.refused_frame()
    return BlockMeasureArtifacts(
        kind=kind,
        latency=results.comparison.measurements[kind].latency,
        latency_vs_macs=latency_vs_macs_figure(table, kind, results.peaks.threads, style),
        latency_reduction=reduction_figure(reductions, style) if reductions is not None else None,
        latency_reduction_table=reductions,
        roofline=roofline_figure(points, results.peaks, style) if not points.empty else None,
        memory_per_layer=memory_figure(layers, "layer", "live bytes", style),
        latency_table=table,
        memory_table=layers,
        memory_per_part_table=results.memory.stage_frame(),
        roofline_table=points if not points.empty else None,
        not_measured=refused if not refused.empty else None,
        machine=machine_table(results.peaks),
    )


@dataclass(frozen=True)
class NetworkMeasureArtifacts(PageArtifacts):
    """A network's measured latency and memory per stage; exported as ``<name>_<field>``."""

    name: str = value_field()
    fewest_runs: int = value_field()  # of any stage
    most_runs: int = value_field()
    stage_latency: go.Figure
    stage_memory: go.Figure
    stage_latency_table: pd.DataFrame
    stage_memory_table: pd.DataFrame

    def file_name(self, field: str) -> str:
        return f"{self.name}_{field}"


def network_measure_artifacts(results: NetworkMeasureResults, name: str, style: str = "screen") -> NetworkMeasureArtifacts:
    """Every chart and table of a network's per-stage latency and memory, in display order."""
    memory_stages = results.memory.stage_frame()
    return NetworkMeasureArtifacts(
        name=name,
        fewest_runs=int(results.stages["runs"].min()),
        most_runs=int(results.stages["runs"].max()),
        stage_latency=stage_latency_figure(results.stages, results.threads, style),
        stage_memory=memory_figure(memory_stages, "stage", "peak live bytes", style),
        stage_latency_table=results.stages,
        stage_memory_table=memory_stages,
    )
