"""Figures of the Networks and Compound-scaling pages: data in, plotly Figure out.

Every builder takes the figure ``style`` explicitly and ends with :func:`explorer.style.apply_style`.
Compound scaling: Tan & Le 2019, EfficientNet (https://arxiv.org/abs/1905.11946), eq. 3 and Figure 8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from explorer.figures.labels import (
    CHAR_WIDTH,
    LINE_HEIGHT,
    MARGINS_HEIGHT,
    PLOT_WIDTH,
    Canvas,
    label_annotations,
    line_boxes,
    literal,
    padded_log_range,
    place_labels,
)
from explorer.figures.style import apply_style, color, get_style

PHI_GRID = np.linspace(0.0, 8.0, 161)
PHI_RANGE = (-0.4, 8.6)  # room beyond phi = 0 and 8 for a whole marker and its label
FAMILY_PLOT_WIDTH = 760  # pixels: a conservative plot-area width (screen column or 1280-wide export)


def cost_share_figure(frame: pd.DataFrame, category: str, style: str, title: str) -> go.Figure:
    """Grouped bars: each category's share (%) of all params and of all MACs.

    Args:
        frame: one row per category with ``params``, ``MACs``, ``% params`` and ``% MACs`` columns.
        category: the column that names the categories (``stage`` or ``operation``).
        title: plain text; it and the category names are drawn as typed (:func:`literal`), never as markup.
    """
    missing = {category, "params", "MACs", "% params", "% MACs"} - set(frame.columns)
    if missing:
        raise ValueError(f"frame: missing columns {', '.join(sorted(missing))}.")
    fig = go.Figure()
    for index, quantity in enumerate(("params", "MACs")):
        fig.add_bar(
            x=frame[category].map(literal), y=frame[f"% {quantity}"], name=f"% of {quantity}", marker_color=color(style, index),
            customdata=frame[quantity], hovertemplate="%{x}: %{y:.2f}% (%{customdata:,})<extra>" + quantity + "</extra>",
            text=[f"{value:.1f}%" for value in frame[f"% {quantity}"]], textposition="outside",
        )
    fig.update_layout(barmode="group", xaxis_title=category, yaxis_title="share of the network's total (%)")
    return apply_style(fig, style, literal(title))


def family_figure(family: pd.DataFrame, current_label: str, params: int, macs: int, style: str) -> go.Figure:
    """MACs against params of every family member (log axes), the current choice as a black star.

    Labels are placed so they neither collide nor leave the plot (:mod:`explorer.figures.labels`); the
    legend sits in the empty top-left corner and names the star, whose point is kept clear.
    ``current_label`` is plain text (an uploaded file's name, say), drawn as typed.
    """
    chosen = get_style(style)
    canvas = Canvas(
        PLOT_WIDTH, chosen.height - MARGINS_HEIGHT,
        padded_log_range([*family["params"], params], 0.3), padded_log_range([*family["MACs"], macs], 0.15),
    )
    points = [(params, macs), *zip(family["params"], family["MACs"], strict=True)]
    texts = ["", *family["member"]]
    legend_box = _legend_box(family["family"].unique(), current_label, chosen.font_size, canvas.height)
    label_size = max(round(chosen.font_size * 0.75), 12)  # slide: 18 px, the smallest text on a slide
    lines = [list(zip(m["params"], m["MACs"], strict=True)) for _, m in family.groupby("family", sort=False)]
    keep_clear = [legend_box, *line_boxes(canvas, lines, chosen.line_width * 2)]
    placements = place_labels(points, texts, canvas, label_size, chosen.marker_size * 1.6, taken=keep_clear)
    fig = go.Figure()
    for index, (name, members) in enumerate(family.groupby("family", sort=False)):
        fig.add_scatter(
            x=members["params"], y=members["MACs"], mode="lines+markers", name=name, customdata=members["member"],
            line={"color": color(style, index)}, marker={"color": color(style, index)},
            hovertemplate="%{customdata}: %{x:,} params, %{y:,} MACs<extra></extra>",
        )
    fig.add_scatter(
        x=[params], y=[macs], mode="markers", name=f"current: {literal(current_label)}", customdata=[literal(current_label)],
        marker={"symbol": "star", "size": 2 * chosen.marker_size, "color": "#000000", "line": {"width": 1, "color": "#ffffff"}},
        hovertemplate="%{customdata}: %{x:,} params, %{y:,} MACs<extra></extra>",
    )
    fig.update_xaxes(type="log", title="params", range=list(canvas.x_range))
    fig.update_yaxes(type="log", title="MACs (conv + linear)", range=list(canvas.y_range))
    fig.update_layout(
        legend={"x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top", "bgcolor": "rgba(255,255,255,0.8)"},
        annotations=label_annotations(points, texts, placements, label_size),
    )
    return apply_style(fig, style, "The families: MACs against params")


def _legend_box(families, current_label: str, font_size: float, plot_height: float) -> tuple[float, float, float, float]:
    """The estimated pixel box of the legend in the plot's top-left corner (one row per family and the star)."""
    names = [*families, f"current: {current_label}"]
    width = CHAR_WIDTH * font_size * max(map(len, names)) + 50
    return (0.0, plot_height - LINE_HEIGHT * font_size * 1.15 * len(names) - 10, width, plot_height)


def compound_figure(alpha: float, beta: float, gamma: float, released: pd.DataFrame, phi: float, style: str) -> go.Figure:
    """Depth alpha^phi, width beta^phi and resolution gamma^phi against phi, with the released B0-B7 points."""
    fig = go.Figure()
    for index, (name, base) in enumerate((("depth", alpha), ("width", beta), ("resolution", gamma))):
        fig.add_scatter(
            x=PHI_GRID, y=base**PHI_GRID, mode="lines", name=f"{name} = {base:g}^φ", line={"color": color(style, index)},
        )
        fig.add_scatter(
            x=released["phi"], y=released[name], mode="markers", name=f"{name}, released B0-B7",
            marker={"color": color(style, index), "symbol": "diamond"}, text=released["model"],
            hovertemplate="%{text}: " + name + " x%{y:.2f}<extra></extra>",
        )
    fig.add_vline(x=phi, line_dash="dash", line_color="#666", annotation_text=f"φ = {phi:g}",
                  annotation_position="top left" if phi > PHI_GRID[-1] / 2 else "top right")
    fig.update_layout(xaxis_title="compound coefficient φ", yaxis_title="multiplier of B0")
    fig.update_xaxes(range=list(PHI_RANGE))
    return apply_style(fig, style, "Compound scaling: depth, width and resolution against φ")


def mac_prediction_figure(compound: pd.DataFrame, factor: float, phi: float, counted: int, style: str) -> go.Figure:
    """Counted MACs against the predictions B0 x (alpha beta^2 gamma^2)^phi and B0 x 2^phi (log scale)."""
    base = float(compound.loc[compound["phi"] == 0, "counted MACs"].iloc[0])
    fig = go.Figure()
    fig.add_scatter(
        x=PHI_GRID, y=base * factor**PHI_GRID, mode="lines", name=f"B0 x {factor:.3f}^φ", line={"color": color(style, 0)},
    )
    fig.add_scatter(
        x=PHI_GRID, y=base * 2.0**PHI_GRID, mode="lines", name="B0 x 2^φ", line={"color": color(style, 1), "dash": "dot"},
    )
    fig.add_scatter(
        x=compound["phi"], y=compound["counted MACs"], mode="markers", name="counted, this α β γ",
        marker={"color": color(style, 0)},
    )
    released = compound.dropna(subset=["released MACs"])
    fig.add_scatter(
        x=released["phi"], y=released["released MACs"], mode="markers", name="counted, released B0-B8",
        marker={"color": color(style, 2), "symbol": "diamond"}, text=released["released"],
    )
    fig.add_scatter(
        x=[phi], y=[counted], mode="markers+text", name=f"current φ = {phi:g}", text=[f"{counted / 1e9:.2f} G"],
        textposition="top left" if phi >= 1 else "bottom right",  # away from the rising curves
        marker={"symbol": "star", "size": 2 * get_style(style).marker_size, "color": "#D62728"},
    )
    drawn = [base, counted, *compound["counted MACs"], *released["released MACs"], base * max(factor, 2.0) ** PHI_GRID[-1]]
    fig.update_yaxes(type="log", title="MACs (conv + linear)", range=list(padded_log_range(drawn, 0.25)))
    fig.update_xaxes(title="compound coefficient φ", range=list(PHI_RANGE))
    return apply_style(fig, style, "Predicted against counted MACs")


def single_dimension_figure(singles: pd.DataFrame, style: str) -> go.Figure:
    """Params against counted MACs when B0 grows by depth only, width only, resolution only, or compound."""
    fig = go.Figure()
    for index, (strategy, rows) in enumerate(singles.groupby("strategy", sort=False)):
        fig.add_scatter(
            x=rows["MACs"], y=rows["params"], mode="lines+markers", name=strategy, line={"color": color(style, index)},
            customdata=rows[["MAC budget", "depth", "width", "resolution"]],
            hovertemplate=(
                "budget %{customdata[0]}x: depth x%{customdata[1]:.2f}, width x%{customdata[2]:.2f}, "
                "%{customdata[3]} px<br>%{x:,} MACs, %{y:,} params<extra>" + strategy + "</extra>"
            ),
        )
    fig.update_xaxes(type="log", title="counted MACs (1x to 8x B0)")
    fig.update_yaxes(type="log", title="params")
    return apply_style(fig, style, "One dimension against compound scaling, at equal MAC budgets")
