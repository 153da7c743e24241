"""Figures and tables of measured latency, memory and the roofline: data in, ``go.Figure`` out.

Measuring is slow and done once (:func:`measure_block_results`, :func:`measure_network_results`);
drawing is cheap and pure (:func:`block_measure_artifacts`, :func:`network_measure_artifacts`),
so a view can redraw for another style without measuring again. Roofline model: Williams,
Waterman & Patterson 2009 (https://doi.org/10.1145/1498765.1498785); MACs vs latency of
depthwise-separable convs: ShuffleNetV2 (https://arxiv.org/abs/1807.11164).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import torch

from explorer.blocks import build_block
from explorer.figures import short_count
from explorer.measure import (
    DEFAULT_MEMORY_BUDGET,
    MIN_BUDGET_S,
    NETWORK_HINT,
    Comparison,
    Latency,
    MachinePeaks,
    Progress,
    check_budget,
    check_parts_feasible,
    layer_latencies,
    machine_peaks,
    measure_comparable,
    roofline_frame,
    stage_latencies,
)
from explorer.memory import MemoryReport, memory_report, network_stage
from explorer.networks import NetworkSpec, build_network, network_table
from explorer.specs import BlockSpec
from explorer.style import color, styled_figure

LAYER_SHARE = 0.3


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}.")
    if frame.empty:
        raise ValueError(f"{what}: no rows to draw.")


def _error_bars(frame: pd.DataFrame) -> dict:
    """Asymmetric error bars from the first to the third quartile around the median."""
    return {"type": "data", "symmetric": False, "array": list(frame["q3 ms"] - frame["latency ms"]),
            "arrayminus": list(frame["latency ms"] - frame["q1 ms"]), "thickness": 1.5}


def latency_vs_macs_figure(table: pd.DataFrame, current: str, threads: int, style: str = "screen") -> go.Figure:
    """Measured latency (median, bars = interquartile range) against MACs, one point per block kind."""
    _require(table, ("kind", "label", "MACs", "latency ms", "q1 ms", "q3 ms"), "latency table")
    colours = [color(style, 1) if kind == current else color(style, 0) for kind in table["kind"]]
    data = [{
        "type": "scatter", "mode": "markers+text", "x": list(table["MACs"]), "y": list(table["latency ms"]),
        "text": list(table["kind"]), "textposition": "top center", "marker": {"color": colours}, "cliponaxis": False,
        "error_y": _error_bars(table), "customdata": list(table["label"]), "showlegend": False,
        "hovertemplate": "%{customdata}<br>%{x:,} MACs<br>%{y:.3f} ms (median)<extra></extra>",
    }]
    low, high = math.log10(max(float(table["MACs"].min()), 1.0)), math.log10(max(float(table["MACs"].max()), 1.0))
    layout = {"xaxis": {"title": {"text": "MACs (log scale)"}, "type": "log", "range": [low - 0.25, high + 0.25]},
              "yaxis": {"title": {"text": f"latency, ms (batch 1, {threads} threads)"}, "type": "log"}}
    return styled_figure(data, layout, style, "Measured CPU latency against MACs (bars: interquartile range)")


def reduction_table(table: pd.DataFrame) -> pd.DataFrame:
    """Each kind's MAC reduction and latency reduction against the standard conv (standard / kind)."""
    _require(table, ("kind", "MACs", "latency ms"), "latency table")
    standard = table.set_index("kind").loc["standard"] if "standard" in set(table["kind"]) else None
    if standard is None:
        raise ValueError("latency table: the standard conv was not measured, so there is nothing to compare against.")
    others = table[table["kind"] != "standard"]
    return pd.DataFrame({
        "kind": others["kind"], "label": others["label"] if "label" in others else others["kind"],
        "MAC reduction (x)": (standard["MACs"] / others["MACs"]).round(3),
        "latency reduction (x)": (standard["latency ms"] / others["latency ms"]).round(3),
    }).reset_index(drop=True)


def reduction_figure(reductions: pd.DataFrame, style: str = "screen") -> go.Figure:
    """MAC reduction next to latency reduction against the standard conv, per block kind."""
    _require(reductions, ("kind", "MAC reduction (x)", "latency reduction (x)"), "reduction table")
    data = [
        {"type": "bar", "x": list(reductions["kind"]), "y": list(reductions[column]), "name": column,
         "marker": {"color": color(style, index)}, "text": [f"{value:.2f}x" for value in reductions[column]],
         "textposition": "outside"}
        for index, column in enumerate(("MAC reduction (x)", "latency reduction (x)"))
    ]
    layout = {"barmode": "group", "yaxis": {"title": {"text": "standard / this kind (higher = cheaper)"}, "type": "log"},
              "shapes": [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 1, "y1": 1,
                          "line": {"dash": "dash", "color": "#888", "width": 2}}]}
    return styled_figure(data, layout, style, "Fewer MACs is not proportionally faster: reduction vs standard conv")


def roofline_figure(points: pd.DataFrame, peaks: MachinePeaks, style: str = "screen") -> go.Figure:
    """Per-layer attained GMAC/s against arithmetic intensity, under this machine's measured roofs."""
    _require(points, ("layer", "MACs per byte", "attained GMAC/s"), "roofline table")
    low = min(float(points["MACs per byte"].min()), peaks.ridge_macs_per_byte) / 2
    high = max(float(points["MACs per byte"].max()), peaks.ridge_macs_per_byte) * 2
    roof_x = [low, peaks.ridge_macs_per_byte, high]
    roof_y = [low * peaks.gbytes_per_s, peaks.gmacs, peaks.gmacs]
    data = [
        {"type": "scatter", "mode": "lines", "x": roof_x, "y": roof_y, "name": "roof (measured)",
         "line": {"color": "#444"}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers+text", "x": list(points["MACs per byte"]), "y": list(points["attained GMAC/s"]),
         "text": list(points["layer"]), "textposition": "top center", "name": "layers",
         "marker": {"color": color(style, 3)},
         "hovertemplate": "%{text}<br>%{x:.2f} MAC/B<br>%{y:.2f} GMAC/s<extra></extra>"},
    ]
    layout = {
        "xaxis": {"title": {"text": "arithmetic intensity, MACs per byte moved"}, "type": "log"},
        "yaxis": {"title": {"text": "GMAC/s (1 MAC = 2 FLOPs)"}, "type": "log"},
        "annotations": [{
            "xref": "paper", "yref": "paper", "x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top", "showarrow": False,
            "align": "left", "bgcolor": "rgba(255,255,255,0.8)",
            "text": f"roofs: {peaks.gflops:.1f} GFLOP/s (matmul), {peaks.gbytes_per_s:.1f} GB/s (copy), "
                    f"{peaks.threads} threads<br>layers that fit in cache can beat the memory roof",
        }],
    }
    return styled_figure(data, layout, style, "Roofline: each layer against this machine's measured peaks")


def memory_figure(frame: pd.DataFrame, x_column: str, live_column: str, style: str = "screen") -> go.Figure:
    """Weight bytes and live activation bytes per layer or per stage, in KiB."""
    _require(frame, (x_column, "weight bytes", live_column), "memory table")
    data = [
        {"type": "bar", "x": list(frame[x_column]), "y": list(frame[column] / 1024), "name": name,
         "marker": {"color": color(style, index)}}
        for index, (column, name) in enumerate(((live_column, "live activations"), ("weight bytes", "weights")))
    ]
    layout = {"barmode": "group", "yaxis": {"title": {"text": "KiB (float32, batch 1)"}},
              "xaxis": {"title": {"text": x_column}, "type": "category"}}
    what = "layer" if x_column == "layer" else "stage"
    return styled_figure(data, layout, style, f"Memory per {what}: live activations (peak) and weights")


def stage_latency_figure(stages: pd.DataFrame, threads: int, style: str = "screen") -> go.Figure:
    """Measured latency per stage (median, bars = interquartile range), with each stage's MACs as text."""
    _require(stages, ("stage", "latency ms", "q1 ms", "q3 ms", "MACs"), "stage table")
    data = [{
        "type": "bar", "x": list(stages["stage"]), "y": list(stages["latency ms"]), "error_y": _error_bars(stages),
        "text": [short_count(value) + " MACs" for value in stages["MACs"]], "textposition": "outside",
        "marker": {"color": color(style, 0)}, "showlegend": False,
    }]
    layout = {"xaxis": {"title": {"text": "stage"}, "type": "category"},
              "yaxis": {"title": {"text": f"latency, ms (batch 1, {threads} threads)"}}}
    return styled_figure(data, layout, style, "Measured latency per stage (bars: interquartile range)")


@dataclass(frozen=True)
class BlockMeasureResults:
    """Everything measured for one block configuration (cacheable; drawing needs nothing else)."""

    spec: BlockSpec
    comparison: Comparison
    memory: MemoryReport
    layers: dict[str, Latency]
    peaks: MachinePeaks
    layers_refused: str = ""

    def refused_frame(self) -> pd.DataFrame:
        """What was not measured and why: refused kinds, and the per-layer timing if it did not fit."""
        rows = [{"what": name, "reason": reason} for name, reason in self.comparison.refused.items()]
        if self.layers_refused:
            rows.append({"what": "per-layer timing (roofline)", "reason": self.layers_refused})
        return pd.DataFrame(rows, columns=["what", "reason"])


def measure_block_results(spec: BlockSpec, budget_s: float, progress: Progress | None = None) -> BlockMeasureResults:
    """Measure every comparable kind (70% of the budget) and the block's own layers (the rest).

    Raises:
        ValueError: the configured block does not fit the memory or time budget. Per-layer
            timing that does not fit the rest of the budget is skipped, with the reason in
            ``layers_refused``.
    """
    budget_s = check_budget(budget_s)
    peaks = machine_peaks()  # measured once per process and thread count, before the clock starts
    start = time.perf_counter()
    kinds_budget = max(budget_s * (1 - LAYER_SHARE), MIN_BUDGET_S)
    comparison = measure_comparable(spec, kinds_budget, _scaled(progress, 0.0, 1 - LAYER_SHARE))
    shape = (spec.in_channels, spec.size, spec.size)
    module = build_block(spec)
    layers, refused = {}, ""
    try:
        layers_budget = max(budget_s - (time.perf_counter() - start), MIN_BUDGET_S)
        layers = layer_latencies(module, shape, layers_budget, _scaled(progress, 1 - LAYER_SHARE, 1.0))
    except ValueError as error:
        refused = str(error)
    return BlockMeasureResults(spec, comparison, memory_report(module, shape), layers, peaks, refused)


def _scaled(progress: Progress | None, start: float, end: float) -> Progress | None:
    if progress is None:
        return None
    return lambda fraction, message: progress(start + (end - start) * fraction, message)


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


@dataclass(frozen=True)
class NetworkMeasureResults:
    """Latency and memory per stage of one network (cacheable)."""

    label: str
    stages: pd.DataFrame
    memory: MemoryReport
    threads: int


def measure_network_results(spec: NetworkSpec, budget_s: float, progress: Progress | None = None,
                            memory_budget: int = DEFAULT_MEMORY_BUDGET) -> NetworkMeasureResults:
    """Latency per stage (batch 1) of a network and its memory per stage.

    The memory and time checks run on a meta-tensor copy before any weight is allocated; the
    time budget covers the measuring, not building the weights.
    """
    shape = (3, spec.resolution, spec.resolution)
    table = network_table(spec)
    with torch.device("meta"):
        skeleton = build_network(table)
    memory = memory_report(skeleton, shape, network_stage)
    check_parts_feasible(memory, list(memory.stage_frame()["stage"]), check_budget(budget_s), memory_budget, NETWORK_HINT)
    stages = stage_latencies(build_network(table), shape, budget_s, network_stage, progress, memory_budget, memory=memory)
    return NetworkMeasureResults(spec.label, stages, memory, int(stages["threads"].iloc[0]))


def network_measure_artifacts(results: NetworkMeasureResults, name: str, style: str = "screen") -> dict[str, object]:
    """Every chart and table of a network's per-stage latency and memory, in display order."""
    memory_stages = results.memory.stage_frame()
    return {
        f"{name}_stage_latency": stage_latency_figure(results.stages, results.threads, style),
        f"{name}_stage_memory": memory_figure(memory_stages, "stage", "peak live bytes", style),
        f"{name}_stage_latency_table": results.stages,
        f"{name}_stage_memory_table": memory_stages,
    }
