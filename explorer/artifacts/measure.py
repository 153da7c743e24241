"""What a latency and memory measurement shows: charts and tables drawn from measured results.

Measuring lives in :mod:`explorer.analysis.measurements`; here the results become the charts and tables of
the measure panels (roofline: Williams et al., https://doi.org/10.1145/1498765.1498785).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from explorer.analysis.measure import Latency, Roof, roof_over, roofline
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
from explorer.formatting import threads_text


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


def machine_table(roof: Roof) -> pd.DataFrame:
    """This machine's measured probes, the peaks they give and the roof drawn, as a two-column table (GMAC/s, GB/s)."""
    peaks = roof.peaks
    rows = [{"quantity": f"probe: {probe.name}", "value": f"{probe.rate:.1f} {probe.unit}"} for probe in peaks.probes]
    rows += [
        {"quantity": "peak compute (best probe)", "value": f"{peaks.gmacs:.1f} GMAC/s"},
        {"quantity": "peak bandwidth (best copy, read + write)", "value": f"{peaks.gbytes_per_s:.1f} GB/s"},
        {"quantity": "compute roof drawn", "value": f"{roof.gmacs:.1f} GMAC/s"
         + (f" (raised to {roof.compute_raised_by})" if roof.compute_raised_by else "")},
        {"quantity": "bandwidth roof drawn", "value": f"{roof.gbytes_per_s:.1f} GB/s"
         + (f" (raised to {roof.bandwidth_raised_by})" if roof.bandwidth_raised_by else "")},
        {"quantity": "ridge point", "value": f"{roof.ridge_macs_per_byte:.2f} MACs per byte"},
        {"quantity": "threads (torch.get_num_threads)", "value": str(peaks.threads)},
    ]
    return pd.DataFrame(rows)


def latency_summary(latency: Latency) -> str:
    """``median 12.3 ms, IQR 11.9-12.8 ms, min 11.5 ms over 48 runs (single calls), 1 thread``: a measurement
    stated with its spread, run count and thread count."""
    return (f"median {latency.median_s * 1e3:.3g} ms, IQR {latency.q1_s * 1e3:.3g}–{latency.q3_s * 1e3:.3g} ms, "
            f"min {latency.min_s * 1e3:.3g} ms over {latency.runs:,} runs ({latency.method}), "
            f"{threads_text(latency.threads)}")


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
    roof: Roof = value_field()  # the roof drawn (raised to the best layer where one beat the measured peaks)

    def file_name(self, field: str) -> str:
        return field if field == "machine" else f"{self.kind}_{field}"


def block_measure_artifacts(results: BlockMeasureResults, style: str = "screen") -> BlockMeasureArtifacts:
    """Every chart and table of the block measurement, in display order."""
    kind = results.spec.kind
    table = results.comparison.to_frame()
    reductions = reduction_table(table) if "standard" in set(table["kind"]) and len(table) > 1 else None
    drawn = roofline(results.memory, results.layers, results.peaks) if results.layers else None
    points = drawn.points if drawn is not None else None
    roof = drawn.roof if drawn is not None else roof_over(results.peaks, [])
    layers = results.memory.to_frame()
    refused = results.refused_frame()
    return BlockMeasureArtifacts(
        kind=kind,
        latency=results.comparison.measurements[kind].latency,
        latency_vs_macs=latency_vs_macs_figure(table, kind, results.peaks.threads, style),
        latency_reduction=reduction_figure(reductions, style) if reductions is not None else None,
        latency_reduction_table=reductions,
        roofline=roofline_figure(points, roof, style) if points is not None else None,
        memory_per_layer=memory_figure(layers, "layer", "live bytes", style),
        latency_table=table,
        memory_table=layers,
        memory_per_part_table=results.memory.stage_frame(),
        roofline_table=points,
        not_measured=refused if not refused.empty else None,
        machine=machine_table(roof),
        roof=roof,
    )


@dataclass(frozen=True)
class NetworkMeasureArtifacts(PageArtifacts):
    """A network's measured latency (whole and per paper stage) and memory per stage; exported as ``<name>_<field>``."""

    name: str = value_field()
    latency: Latency = value_field()  # of the whole network, one forward pass
    stages_latency_ms: float = value_field()  # sum of the stage medians, each stage timed on its own
    fewest_runs: int = value_field()  # of any stage
    most_runs: int = value_field()
    stage_latency: go.Figure
    stage_memory: go.Figure
    stage_latency_table: pd.DataFrame
    stage_memory_table: pd.DataFrame

    def file_name(self, field: str) -> str:
        return f"{self.name}_{field}"


def network_measure_artifacts(results: NetworkMeasureResults, name: str, style: str = "screen") -> NetworkMeasureArtifacts:
    """Every chart and table of a network's latency and memory per stage, in display order; stages numbered
    as on the Networks page (1 = the stem)."""
    return NetworkMeasureArtifacts(
        name=name,
        latency=results.latency,
        stages_latency_ms=results.stages_latency_ms,
        fewest_runs=int(results.stages["runs"].min()),
        most_runs=int(results.stages["runs"].max()),
        stage_latency=stage_latency_figure(results.stages, results.threads, style),
        stage_memory=memory_figure(results.memory_stages, "stage", "peak live bytes", style),
        stage_latency_table=results.stages,
        stage_memory_table=results.memory_stages,
    )
