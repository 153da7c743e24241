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

from explorer.figures.labels import FAR_RINGS, line_boxes, padded_range, plot_canvas, point_labels
from explorer.figures.style import color, get_style, require_columns, styled_figure
from explorer.formatting import layer_label, short_count, threads_text

if TYPE_CHECKING:  # data in: the roof arrives as a value, figures import no analysis
    from explorer.analysis.measure import Roof


def _error_bars(frame: pd.DataFrame) -> dict:
    """Asymmetric error bars from the first to the third quartile around the median."""
    return {"type": "data", "symmetric": False, "array": list(frame["q3 ms"] - frame["latency ms"]),
            "arrayminus": list(frame["latency ms"] - frame["q1 ms"]), "thickness": 1.5}


def latency_vs_macs_figure(table: pd.DataFrame, current: str, threads: int, style: str = "screen") -> go.Figure:
    """Measured latency (median, bars = interquartile range) against MACs, one point per block kind.

    Each point's label is placed where it collides with no other label, marker or error bar
    (:mod:`explorer.figures.labels`); one that fits nowhere is left to the hover text.
    """
    require_columns(table, ("kind", "label", "MACs", "latency ms", "q1 ms", "q3 ms"), "latency table")
    chosen = get_style(style)
    colours = [color(style, 1) if kind == current else color(style, 0) for kind in table["kind"]]
    macs = [max(float(value), 1.0) for value in table["MACs"]]
    canvas = plot_canvas(chosen.font_size, chosen.height, padded_range(macs, 0.35, True),
                         padded_range([*table["q1 ms"], *table["q3 ms"]], 0.4, True), True, True)
    points = list(zip(macs, table["latency ms"], strict=True))
    bars = line_boxes(canvas, [[(x, low), (x, high)] for x, low, high in zip(macs, table["q1 ms"], table["q3 ms"], strict=True)],
                      chosen.line_width * 2, samples=4)
    order = sorted(range(len(points)), key=lambda i: table["kind"].iloc[i] != current)  # the current kind first
    label_size = max(chosen.font_size - 2, chosen.min_text)
    annotations = point_labels([points[i] for i in order], [_short(table["label"].iloc[i]) for i in order], canvas,
                               label_size, chosen.marker_size, taken=bars, rings=FAR_RINGS)
    data = [{
        "type": "scatter", "mode": "markers", "x": macs, "y": list(table["latency ms"]),
        "marker": {"color": colours}, "error_y": _error_bars(table), "customdata": list(table["label"]), "showlegend": False,
        "hovertemplate": "%{customdata}<br>%{x:,} MACs<br>%{y:.3f} ms (median)<extra></extra>",
    }]
    layout = {"xaxis": {"title": {"text": "MACs (log scale)"}, "type": "log", "range": list(canvas.x_range)},
              "yaxis": {"title": {"text": f"latency, ms (batch 1, {threads_text(threads)})"}, "type": "log",
                        "range": list(canvas.y_range)},
              "annotations": annotations}
    return styled_figure(data, layout, style, "Measured CPU latency against MACs (bars: interquartile range)")


def _short(label: str) -> str:
    """A block kind's label without its source: ``Depthwise-separable (MobileNetV1)`` -> ``Depthwise-separable``."""
    return str(label).split(" (")[0]


def reduction_figure(reductions: pd.DataFrame, style: str = "screen") -> go.Figure:
    """MAC reduction next to latency reduction against the standard conv, per block kind (horizontal bars,
    so every kind's name reads level)."""
    require_columns(reductions, ("kind", "MAC reduction (x)", "latency reduction (x)"), "reduction table")
    names = [_short(label) for label in reductions.get("label", reductions["kind"])]
    data = [
        {"type": "bar", "orientation": "h", "y": names, "x": list(reductions[column]), "name": column,
         "marker": {"color": color(style, index)}, "text": [f"{value:.2f}x" for value in reductions[column]],
         "textposition": "outside"}
        for index, column in enumerate(("MAC reduction (x)", "latency reduction (x)"))
    ]
    values = [float(v) for column in ("MAC reduction (x)", "latency reduction (x)") for v in reductions[column] if v > 0]
    low, high = padded_range([*values, 1.0], 0.1, True)
    layout = {"barmode": "group", "xaxis": {"title": {"text": "standard / this kind (higher = cheaper)"}, "type": "log",
                                            "range": [low, high + 0.35]},  # room for the value labels
              "yaxis": {"autorange": "reversed", "type": "category"},
              "shapes": [{"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": 1, "x1": 1,
                          "line": {"dash": "dash", "color": "#888", "width": 2}}]}
    return styled_figure(data, layout, style, "Fewer MACs is not proportionally faster: reduction vs standard conv")


def _raised_words(roof: Roof) -> str:
    """``raised to the best layer, pointwise conv``, or to two layers, one per roof; "" if no roof was raised."""
    compute, bandwidth = (layer_label(name) if name else name for name in (roof.compute_raised_by, roof.bandwidth_raised_by))
    if not (compute or bandwidth):
        return ""
    if compute and bandwidth and compute != bandwidth:
        return f"raised to the best layers, {compute} (compute) and {bandwidth} (bandwidth)"
    return f"raised to the best layer, {compute or bandwidth}"


def _headroom_decades(data_decades: float, lines: int, style: str) -> float:
    """Decades to add above the roof so that a key of ``lines`` lines and one row of point labels fit there."""
    chosen = get_style(style)
    plot_px = chosen.height - (80 if chosen.name == "slide" else 60) - 60 - 3 * chosen.font_size
    share = min((lines + 1.5) * 1.35 * chosen.font_size / plot_px, 0.6)
    return share * data_decades / (1 - share)


SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down")


def roofline_figure(points: pd.DataFrame, roof: Roof, style: str = "screen") -> go.Figure:
    """Per-layer attained GMAC/s against arithmetic intensity, under the roof over them (:func:`roof_over`).

    The roof starts from this machine's measured peaks; where a layer beat one, the roof was raised to
    it and the key says so. A dashed slope shows the bandwidth of a copy too large for the caches. The
    key sits above the roof, where no layer can be; the legend below it. Each layer is its own legend entry (colour and
    symbol), named as people read it (:func:`explorer.formatting.layer_label`): a block's few layers
    often sit at almost the same intensity, where labels beside the points would collide.
    """
    require_columns(points, ("layer", "MACs per byte", "attained GMAC/s"), "roofline table")
    peaks, ridge, large = roof.peaks, roof.ridge_macs_per_byte, roof.peaks.large_copy_gbytes_per_s
    large_ridge = roof.gmacs / large
    low = min(float(points["MACs per byte"].min()), ridge) / 2
    high = max(float(points["MACs per byte"].max()), ridge, large_ridge if large < roof.gbytes_per_s else 0) * 2
    data = [{
        "type": "scatter", "mode": "lines", "x": [low, ridge, high], "y": [low * roof.gbytes_per_s, roof.gmacs, roof.gmacs],
        "line": {"color": "#444"}, "hoverinfo": "skip", "showlegend": False,
    }]
    best = ", ".join(name for name in (peaks.best_probe("GMAC/s"), peaks.best_probe("GB/s")) if name)
    origin = _raised_words(roof) or (f"best probes: {best}" if best else "measured peaks")
    key = [f"roof, {threads_text(peaks.threads)}: {roof.gmacs:.1f} GMAC/s, {roof.gbytes_per_s:.1f} GB/s ({origin})"]
    second = "markers: layers, MACs / median latency"
    if large < roof.gbytes_per_s:
        data.append({
            "type": "scatter", "mode": "lines", "x": [low, large_ridge], "y": [low * large, roof.gmacs],
            "line": {"color": "#888", "dash": "dash"}, "hoverinfo": "skip", "showlegend": False,
        })
        second = f"dashed: {large:.1f} GB/s, a copy too large for the caches; " + second
    key.append(second)
    for index, row in enumerate(points.to_dict("records")):  # a legend entry per layer: nearby labels would collide
        name = layer_label(row["layer"])
        data.append({"type": "scatter", "mode": "markers", "x": [row["MACs per byte"]], "y": [row["attained GMAC/s"]],
                     "name": name, "marker": {"color": color(style, index + 1), "symbol": SYMBOLS[index % len(SYMBOLS)]},
                     "hovertemplate": name + "<br>%{x:.2f} MAC/B<br>%{y:.2f} GMAC/s<extra></extra>"})
    bottom = math.log10(max(min(float(points["attained GMAC/s"].min()), low * large), 1e-9)) - 0.3
    top = math.log10(roof.gmacs)
    layout = {
        "legend": {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 0, "yanchor": "bottom"},  # under the key's reach
        "xaxis": {"title": {"text": "arithmetic intensity, MACs per byte moved"}, "type": "log"},
        "yaxis": {"title": {"text": "attained GMAC/s"}, "type": "log",
                  "range": [bottom, top + _headroom_decades(top - bottom, len(key), style)]},
        "annotations": [{
            "xref": "paper", "yref": "paper", "x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top",
            "showarrow": False, "align": "left", "bgcolor": "rgba(255,255,255,0.8)", "text": "<br>".join(key),
        }],
    }
    return styled_figure(data, layout, style, "Roofline: each layer under this machine's measured roofs")


def memory_figure(frame: pd.DataFrame, x_column: str, live_column: str, style: str = "screen") -> go.Figure:
    """Weight bytes and live activation bytes per layer or per stage, in KiB (horizontal bars, named as people
    read them: :func:`explorer.formatting.layer_label`)."""
    require_columns(frame, (x_column, "weight bytes", live_column), "memory table")
    names = [layer_label(name) for name in frame[x_column]]
    data = [
        {"type": "bar", "orientation": "h", "y": names, "x": list(frame[column] / 1024), "name": name,
         "marker": {"color": color(style, index)}, "customdata": list(frame[x_column]),
         "hovertemplate": "%{y}: %{x:,.1f} KiB<extra>" + name + "</extra>"}
        for index, (column, name) in enumerate(((live_column, "live activations"), ("weight bytes", "weights")))
    ]
    layout = {"barmode": "group", "xaxis": {"title": {"text": "KiB (float32, batch 1)"}},
              "yaxis": {"type": "category", "autorange": "reversed"}}
    what = "layer" if x_column == "layer" else "stage"
    figure = styled_figure(data, layout, style, f"Memory per {what}: live activations (peak) and weights")
    rows = len(names) * 1.6 * get_style(style).font_size  # a row per layer, its two bars and some air
    return figure.update_layout(height=max(get_style(style).height, round(rows) + 200))


def stage_latency_figure(stages: pd.DataFrame, threads: int, style: str = "screen") -> go.Figure:
    """Measured latency per stage (median, bars = interquartile range), with each stage's MACs as text.

    Stages are named as on the Networks page: the row number of the paper's table (1 = the stem).
    """
    require_columns(stages, ("stage", "latency ms", "q1 ms", "q3 ms", "MACs"), "stage table")
    operators = list(stages["operator"]) if "operator" in stages else [""] * len(stages)
    data = [{
        "type": "bar", "x": [str(stage) for stage in stages["stage"]], "y": list(stages["latency ms"]),
        "error_y": _error_bars(stages), "text": [short_count(value) + " MACs" for value in stages["MACs"]],
        "textposition": "outside", "marker": {"color": color(style, 0)}, "showlegend": False, "customdata": operators,
        "hovertemplate": "stage %{x}: %{customdata}<br>%{y:.3f} ms (median)<extra></extra>",
    }]
    layout = {"xaxis": {"title": {"text": "stage (row of the paper's table)"}, "type": "category"},
              "yaxis": {"title": {"text": f"latency, ms (batch 1, {threads_text(threads)})"}}}
    return styled_figure(data, layout, style, "Measured latency per stage (bars: interquartile range)")
