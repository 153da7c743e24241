"""Accuracy against cost: published ImageNet top-1 against MACs, params and measured latency.

Data in, plotly Figure out. The Pareto front (no other preset is both cheaper and more accurate)
is drawn per panel; a network without a published top-1 is shown on the cost axis only, as a
dashed vertical line at its cost. Papers: MobileNetV1-V3 (https://arxiv.org/abs/1704.04861,
https://arxiv.org/abs/1801.04381, https://arxiv.org/abs/1905.02244), EfficientNet
(https://arxiv.org/abs/1905.11946), EfficientNetV2 (https://arxiv.org/abs/2104.00298).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from explorer.figures.labels import Canvas, line_boxes, padded_range, plot_canvas, point_labels
from explorer.figures.style import apply_style, color, get_style, require_columns
from explorer.formatting import short_count

COST_AXES = (("MACs", "MACs (conv + linear)"), ("params", "params"), ("latency ms", "measured latency, ms"))


def pareto_mask(cost: pd.Series, top1: pd.Series) -> pd.Series:
    """True where no other point has lower-or-equal cost and higher-or-equal top-1 (one of them strictly).

    Rows whose cost is missing (NaN) are never on the front.
    """
    mask = pd.Series(False, index=cost.index)
    order = pd.DataFrame({"cost": cost, "top1": top1}).dropna().sort_values(["cost", "top1"], ascending=[True, False])
    best = float("-inf")
    for index, row in order.iterrows():
        if row["top1"] > best:
            mask[index] = True
            best = row["top1"]
    return mask


def _panel(fig: go.Figure, frame: pd.DataFrame, column: str, panel: int, style: str, canvas: Canvas,
           current: dict) -> list[dict]:
    """Draw one panel's points and Pareto front; return the front's labels, placed clear of every point
    (the current network's star too), the front's line and each other (:mod:`explorer.figures.labels`)."""
    chosen = get_style(style)
    shown = frame.dropna(subset=[column])
    for index, (family, members) in enumerate(frame.groupby("family", sort=False)):
        members = members.dropna(subset=[column])
        fig.add_scatter(
            x=members[column], y=members["top1"], mode="markers", name=family, legendgroup=family,
            showlegend=panel == 1, marker={"color": color(style, index)}, text=members["member"],
            customdata=members["source"],
            hovertemplate="%{text}: %{y}% top-1, %{x:,.4~g} " + column + "<br>%{customdata}<extra></extra>",
            row=1, col=panel,
        )
    front = shown[pareto_mask(shown[column], shown["top1"])].sort_values(column)
    fig.add_scatter(
        x=front[column], y=front["top1"], mode="lines", line={"shape": "hv", "dash": "dot", "color": "#222"},
        name="Pareto front", legendgroup="front", showlegend=panel == 1, hoverinfo="skip", row=1, col=panel,
    )
    xs, ys = list(front[column].astype(float)), list(front["top1"].astype(float))
    steps = [[(x0, y0), (x1, y0), (x1, y1)] for x0, y0, x1, y1 in zip(xs, ys, xs[1:], ys[1:], strict=False)]
    marker = chosen.marker_size
    others = [canvas.to_pixels(x, y) for x, y in zip(shown[column], shown["top1"], strict=True)]
    taken = [(px - marker / 2, py - marker / 2, px + marker / 2, py + marker / 2) for px, py in others]
    if current.get("top1") is not None and current.get(column) is not None and not pd.isna(current[column]):
        px, py = canvas.to_pixels(float(current[column]), float(current["top1"]))
        taken.append((px - marker, py - marker, px + marker, py + marker))  # the star is twice a marker
    taken += line_boxes(canvas, steps, chosen.line_width * 2, samples=6)
    axes = ("x", "y") if panel == 1 else (f"x{panel}", f"y{panel}")
    return point_labels(list(zip(xs, ys, strict=True)), list(front["member"]), canvas,
                        max(chosen.font_size - 4, chosen.min_text), marker, taken, axes)


def _current(fig: go.Figure, current: dict, panel: int, column: str, style: str, span: tuple[float, float]) -> None:
    cost = current.get(column)
    if cost is None or pd.isna(cost):
        return
    if current.get("top1") is None:  # on the cost axis only: a dashed vertical line across the accuracy range
        fig.add_scatter(
            x=[cost, cost], y=list(span), mode="lines", line={"dash": "dash", "color": "#D62728"}, legendgroup="current",
            name=f"current: {current['label']} (no published top-1)", showlegend=panel == 1, row=1, col=panel,
            hovertemplate=f"{current['label']}: {short_count(cost)} {column}, no published top-1<extra></extra>",
        )
        return
    fig.add_scatter(
        x=[cost], y=[current["top1"]], mode="markers", name=f"current: {current['label']}", legendgroup="current",
        showlegend=panel == 1, marker={"symbol": "star", "size": 2 * get_style(style).marker_size, "color": "#D62728",
                                       "line": {"width": 1, "color": "#222"}},
        hovertemplate=current["label"] + ": %{y}% top-1<extra></extra>", row=1, col=panel,
    )


def accuracy_figure(frame: pd.DataFrame, current: dict, style: str) -> go.Figure:
    """Three panels (MACs, params, latency; log x) sharing the top-1 axis, Pareto fronts dotted.

    Args:
        frame: one row per preset: ``member``, ``family``, ``top1``, ``source``, ``MACs``, ``params``,
            ``latency ms`` (NaN where not measured).
        current: the network on screen: ``label``, ``top1`` (None if unpublished), ``MACs``,
            ``params``, ``latency ms`` (None if not measured).
    """
    require_columns(frame, ["member", "family", "top1", "source", *(column for column, _ in COST_AXES)], "frame")
    measured = frame["latency ms"].notna().any()
    axes = COST_AXES if measured else COST_AXES[:2]
    fig = make_subplots(rows=1, cols=len(axes), shared_yaxes=True, horizontal_spacing=0.04)
    chosen = get_style(style)
    top1 = padded_range(list(frame["top1"].dropna()), 0.08, False)
    labels = []
    for panel, (column, title) in enumerate(axes, start=1):
        costs = frame[column].dropna()
        span = padded_range(list(costs), 0.2, True) if not costs.empty else (0.0, 1.0)
        # the plot is as tall as an unstretched figure: the extra 80 pixels hold the legend below it
        canvas = plot_canvas(chosen.font_size, chosen.height, span, top1, True, False, share=1 / len(axes))
        labels += _panel(fig, frame, column, panel, style, canvas, current)
        _current(fig, current, panel, column, style, (float(frame["top1"].min()), float(frame["top1"].max())))
        fig.update_xaxes(range=list(span), type="log", title=title, row=1, col=panel)
    fig.update_yaxes(range=list(top1))
    fig.update_layout(annotations=labels)
    fig.update_yaxes(title="ImageNet top-1, % (papers' tables)", row=1, col=1)
    fig.update_layout(legend={"orientation": "h", "y": -0.25})
    title = "Accuracy against cost" + ("" if measured else " (measure latency for the third panel)")
    styled = apply_style(fig, style, title)
    styled.update_layout(height=get_style(style).height + 80)
    return styled
