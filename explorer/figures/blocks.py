"""Figure builders for the Blocks view: data in, ``go.Figure`` out; no I/O, no global state.

Every builder takes the style (``screen`` or ``slide``) explicitly and validates its input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from explorer.figures.style import color, get_style, require_columns, styled_figure
from explorer.formatting import COST_UNITS, parameter_label, short_count


def _check_unit(unit: str) -> int:
    if unit not in COST_UNITS:
        raise ValueError(f"unit: must be one of {', '.join(COST_UNITS)}, got {unit!r}.")
    return 2 if unit == "FLOPs" else 1


def _side_by_side_axes(left_title: str, right_title: str, style: str, gap: float = 0.06, shared_y: bool = False) -> dict:
    """Layout for two panels side by side (like ``make_subplots(1, 2)``), built as a dict."""
    half = (1 - gap) / 2
    layout = {
        "xaxis": {"domain": [0, half], "anchor": "y"},
        "xaxis2": {"domain": [1 - half, 1], "anchor": "y2"},
        "yaxis": {"anchor": "x"},
        "yaxis2": {"anchor": "x2", "matches": "y", "showticklabels": False} if shared_y else {"anchor": "x2"},
        "annotations": [
            {"text": text, "x": x, "y": 1.0, "xref": "paper", "yref": "paper", "xanchor": "center", "yanchor": "bottom",
             "showarrow": False, "font": {"size": get_style(style).font_size}}
            for text, x in ((left_title, half / 2), (right_title, 1 - half / 2))
        ],
    }
    return layout


def _vline(x: float, axis: str = "") -> dict:
    return {"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "xref": f"x{axis}", "yref": f"y{axis} domain",
            "line": {"dash": "dash", "color": "#888", "width": 2}}


def comparison_figure(
    table: pd.DataFrame, current: str, style: str = "screen", log_scale: bool = False, unit: str = "MACs"
) -> go.Figure:
    """Params and MACs (or FLOPs = 2 x MACs) of every block kind at the same shape, side by side.

    Args:
        table: one row per kind with columns ``kind``, ``label``, ``params``, ``macs``.
        current: the kind to highlight.
    """
    require_columns(table, ("kind", "label", "params", "macs"), "comparison table")
    factor = _check_unit(unit)
    colours = [color(style, 1) if kind == current else color(style, 0) for kind in table["kind"]]
    data = []
    for axis, (field, scale) in enumerate((("params", 1), ("macs", factor))):
        values = [int(v) * scale for v in table[field]]
        data.append({
            "type": "bar", "orientation": "h", "y": list(table["label"]), "x": values, "marker": {"color": colours},
            "text": [short_count(v) for v in values], "textposition": "auto", "name": field, "showlegend": False,
            "hovertemplate": "%{y}: %{x:,}<extra></extra>", "xaxis": f"x{axis + 1 if axis else ''}",
            "yaxis": f"y{axis + 1 if axis else ''}",
        })
    layout = _side_by_side_axes("Parameters", unit, style, gap=0.04, shared_y=True)
    axis_type = "log" if log_scale else "linear"
    layout["xaxis"] |= {"type": axis_type, "title": {"text": "parameters"}}
    layout["xaxis2"] |= {"type": axis_type, "title": {"text": unit}}
    layout["yaxis"] |= {"autorange": "reversed"}
    return styled_figure(data, layout, style, "Every block kind at the same input and output shape")


def sweep_figure(
    sweep: pd.DataFrame, parameter: str, current: float, style: str = "screen", log_scale: bool = False, unit: str = "MACs"
) -> go.Figure:
    """Cost of the block and of a standard conv against one hyperparameter, current value marked.

    Args:
        sweep: columns ``value``, ``params``, ``macs``, ``standard_params``, ``standard_macs``
            (the standard columns may be missing, e.g. for SE).
        parameter: the swept hyperparameter's name (x-axis title).
        current: the current value, marked with a dashed line.
    """
    require_columns(sweep, ("value", "params", "macs"), "sweep table")
    factor = _check_unit(unit)
    series = [("this block", "", 0)]
    if "standard_macs" in sweep.columns:
        series.append(("standard conv", "standard_", 3))
    data = []
    for label, prefix, colour_index in series:
        for axis, (field, scale) in enumerate((("params", 1), ("macs", factor))):
            suffix = str(axis + 1) if axis else ""
            data.append({
                "type": "scatter", "mode": "lines+markers", "x": [float(v) for v in sweep["value"]],
                "y": [float(v) * scale for v in sweep[prefix + field]], "name": label, "legendgroup": label,
                "showlegend": axis == 0, "line": {"color": color(style, colour_index)},
                "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
            })
    layout = _side_by_side_axes("Parameters", unit, style, gap=0.1)
    axis_type = "log" if log_scale else "linear"
    for suffix in ("", "2"):
        layout[f"xaxis{suffix}"] |= {"title": {"text": parameter_label(parameter)}}
        layout[f"yaxis{suffix}"] |= {"type": axis_type}
    layout["shapes"] = [_vline(current), _vline(current, "2")]
    layout["legend"] = {"x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top", "bgcolor": "rgba(255,255,255,0.8)"}
    return styled_figure(data, layout, style, f"Cost against {parameter_label(parameter)} (dashed: current value {current:g})")


def ratio_figure(sweep: pd.DataFrame, parameter: str, current: float, style: str = "screen") -> go.Figure:
    """Depthwise-separable / standard MACs: counted from the modules vs the formula 1/C_out + 1/k².

    Args:
        sweep: columns ``value``, ``ratio`` (counted) and ``formula_ratio``.
    """
    require_columns(sweep, ("value", "ratio", "formula_ratio"), "ratio table")
    x = [float(v) for v in sweep["value"]]
    data = [
        {"type": "scatter", "mode": "lines", "x": x, "y": list(sweep["formula_ratio"]), "name": "1/C_out + 1/k²",
         "line": {"color": color(style, 0)}},
        {"type": "scatter", "mode": "markers", "x": x, "y": list(sweep["ratio"]),
         "name": "counted (separable / standard MACs)", "marker": {"color": color(style, 1), "symbol": "x"}},
    ]
    layout = {
        "xaxis": {"title": {"text": parameter_label(parameter)}},
        "yaxis": {"title": {"text": "MAC ratio"}, "rangemode": "tozero"},
        "shapes": [_vline(current)],
        "legend": {"x": 0.98, "y": 0.98, "xanchor": "right", "yanchor": "top", "bgcolor": "rgba(255,255,255,0.8)"},
    }
    return styled_figure(data, layout, style, "Depthwise-separable cost as a fraction of standard conv")


@dataclass(frozen=True)
class DiagramUnit:
    """One box of a block diagram: what it does, its output shape and its cost."""

    name: str
    description: str
    output_shape: str
    params: int
    macs: int
    share: float


def block_diagram_figure(
    units: Sequence[DiagramUnit], input_shape: str, title: str, style: str = "screen",
    residual: bool = False, unit: str = "MACs",
) -> go.Figure:
    """The block as a vertical stack of boxes, each saying what it does, then its output shape and cost.

    A box's fill deepens with its share of the block's MACs; a residual shortcut is drawn as an
    arc from the input to the last box.
    """
    if not units:
        raise ValueError("units: a block diagram needs at least one unit.")
    factor = _check_unit(unit)
    chosen = get_style(style)
    step, shapes, annotations = 1.6, [], []
    boxes = [DiagramUnit("input", "input", input_shape, 0, 0, 0.0), *units]
    for index, box in enumerate(boxes):
        top = -index * step
        fill = "#f2f2f2" if box.name == "input" else _share_colour(box.share)
        shapes.append({"type": "rect", "x0": 0, "x1": 10, "y0": top - 1.1, "y1": top, "fillcolor": fill,
                       "line": {"color": "#444", "width": 1.5}, "layer": "below"})
        cost = "" if box.name == "input" else (
            f" · {short_count(box.params)} params · {short_count(box.macs * factor)} {unit} ({100 * box.share:.1f}%)")
        annotations.append({"x": 5, "y": top - 0.55, "showarrow": False, "font": {"size": chosen.font_size},
                            "text": f"<b>{box.description}</b><br>{box.output_shape}{cost}"})
        if index:
            annotations.append({"x": 5, "y": top, "ax": 5, "ay": top + step - 1.1, "xref": "x", "yref": "y",
                                "axref": "x", "ayref": "y", "showarrow": True, "arrowhead": 2, "arrowwidth": 1.5, "text": ""})
    bottom = -(len(boxes) - 1) * step - 0.55
    if residual:
        shapes.append({"type": "path", "path": f"M 10,-0.55 C 12.5,-0.55 12.5,{bottom} 10,{bottom}",
                       "line": {"color": color(style, 3), "width": 2, "dash": "dot"}})
        annotations.append({"x": 11.9, "y": bottom / 2, "text": "shortcut", "showarrow": False, "textangle": 90,
                            "font": {"color": color(style, 3)}})
    # two text lines (what the box does; its output shape and cost) must fit in a box of 1.1 data units:
    # size the figure from the font (a taller figure is drawn smaller on an exported slide)
    unit_px = (2 * 1.45 * chosen.font_size + 18) / 1.1
    height = int((bottom - 0.55 - 0.2) * -unit_px) + 150
    layout = {
        "shapes": shapes, "annotations": annotations, "showlegend": False,
        "xaxis": {"visible": False, "range": [-0.5, 13]},
        "yaxis": {"visible": False, "range": [bottom - 0.75, 0.2]},
    }
    fig = styled_figure([], layout, style, title)
    fig.layout.height = max(chosen.height, height)
    return fig


def _share_colour(share: float) -> str:
    """White to orange by share of MACs (0..1)."""
    share = min(max(share, 0.0), 1.0)
    red, green, blue = 255, int(255 - 120 * share), int(255 - 200 * share)
    return f"rgb({red},{green},{blue})"


def ops_figure(ops: dict[str, int], macs: int, style: str = "screen") -> go.Figure:
    """MACs next to every other operation category, each counted separately."""
    if not ops:
        raise ValueError("ops: no operation categories to draw.")
    labels = ["MACs (conv + linear)", *(name.replace("_", " ") for name in ops)]
    values = [int(macs), *(int(v) for v in ops.values())]
    data = [{
        "type": "bar", "orientation": "h", "x": values, "y": labels, "text": [short_count(v) for v in values],
        "textposition": "auto", "marker": {"color": [color(style, 1)] + [color(style, 0)] * len(ops)},
    }]
    layout = {"yaxis": {"autorange": "reversed"}, "xaxis": {"title": {"text": "operations (batch 1)"}}}
    return styled_figure(data, layout, style, "MACs and the operations counted separately")
