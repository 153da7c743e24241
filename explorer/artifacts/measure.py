"""Charts and tables of a block's or network's measured latency, memory and roofline, from measured results."""

from __future__ import annotations

import pandas as pd

from explorer.analysis.measure import (
    MachinePeaks,
    roofline_frame,
)
from explorer.analysis.measurements import BlockMeasureResults, NetworkMeasureResults
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


def block_measure_artifacts(results: BlockMeasureResults, style: str = "screen") -> dict[str, object]:
    """Every chart and table of the block measurement, keyed by a file-name-friendly name, in display order."""
    kind = results.spec.kind
    table = results.comparison.to_frame()
    threads = results.peaks.threads
    artifacts: dict[str, object] = {f"{kind}_latency_vs_macs": latency_vs_macs_figure(table, kind, threads, style)}
    if "standard" in set(table["kind"]) and len(table) > 1:
        reductions = reduction_table(table)
        artifacts[f"{kind}_latency_reduction"] = reduction_figure(reductions, style)
        artifacts[f"{kind}_latency_reduction_table"] = reductions
    points = roofline_frame(results.memory, results.layers, results.peaks)
    if not points.empty:
        artifacts[f"{kind}_roofline"] = roofline_figure(points, results.peaks, style)
    layers = results.memory.to_frame()
    artifacts[f"{kind}_memory_per_layer"] = memory_figure(layers, "layer", "live bytes", style)
    artifacts[f"{kind}_latency_table"] = table
    artifacts[f"{kind}_memory_table"] = layers
    artifacts[f"{kind}_memory_per_part_table"] = results.memory.stage_frame()
    if not points.empty:
        artifacts[f"{kind}_roofline_table"] = points
    refused = results.refused_frame()
    if not refused.empty:
        artifacts[f"{kind}_not_measured"] = refused
    artifacts["machine"] = machine_table(results.peaks)
    return artifacts


def network_measure_artifacts(results: NetworkMeasureResults, name: str, style: str = "screen") -> dict[str, object]:
    """Every chart and table of a network's per-stage latency and memory, in display order."""
    memory_stages = results.memory.stage_frame()
    return {
        f"{name}_stage_latency": stage_latency_figure(results.stages, results.threads, style),
        f"{name}_stage_memory": memory_figure(memory_stages, "stage", "peak live bytes", style),
        f"{name}_stage_latency_table": results.stages,
        f"{name}_stage_memory_table": memory_stages,
    }
