"""Figures and tables of measured latency, memory and the roofline: data in, ``go.Figure`` out.

Measuring is slow and done once (:func:`measure_block_results`, :func:`measure_network_results`);
drawing is cheap and pure (:func:`block_measure_artifacts`, :func:`network_measure_artifacts`),
so a view can redraw for another style without measuring again. Roofline model: Williams,
Waterman & Patterson 2009 (https://doi.org/10.1145/1498765.1498785); MACs vs latency of
depthwise-separable convs: ShuffleNetV2 (https://arxiv.org/abs/1807.11164).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from explorer.figures.style import color, require_columns, styled_figure
from explorer.formatting import short_count

if TYPE_CHECKING:  # data in: the measured peaks arrive as a value, figures import no analysis
    from explorer.analysis.measure import MachinePeaks


def _error_bars(frame: pd.DataFrame) -> dict:
    """Asymmetric error bars from the first to the third quartile around the median."""
    return {"type": "data", "symmetric": False, "array": list(frame["q3 ms"] - frame["latency ms"]),
            "arrayminus": list(frame["latency ms"] - frame["q1 ms"]), "thickness": 1.5}


def latency_vs_macs_figure(table: pd.DataFrame, current: str, threads: int, style: str = "screen") -> go.Figure:
    """Measured latency (median, bars = interquartile range) against MACs, one point per block kind."""
    require_columns(table, ("kind", "label", "MACs", "latency ms", "q1 ms", "q3 ms"), "latency table")
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




def reduction_figure(reductions: pd.DataFrame, style: str = "screen") -> go.Figure:
    """MAC reduction next to latency reduction against the standard conv, per block kind."""
    require_columns(reductions, ("kind", "MAC reduction (x)", "latency reduction (x)"), "reduction table")
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
    require_columns(points, ("layer", "MACs per byte", "attained GMAC/s"), "roofline table")
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
    require_columns(frame, (x_column, "weight bytes", live_column), "memory table")
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
    require_columns(stages, ("stage", "latency ms", "q1 ms", "q3 ms", "MACs"), "stage table")
    data = [{
        "type": "bar", "x": list(stages["stage"]), "y": list(stages["latency ms"]), "error_y": _error_bars(stages),
        "text": [short_count(value) + " MACs" for value in stages["MACs"]], "textposition": "outside",
        "marker": {"color": color(style, 0)}, "showlegend": False,
    }]
    layout = {"xaxis": {"title": {"text": "stage"}, "type": "category"},
              "yaxis": {"title": {"text": f"latency, ms (batch 1, {threads} threads)"}}}
    return styled_figure(data, layout, style, "Measured latency per stage (bars: interquartile range)")
















