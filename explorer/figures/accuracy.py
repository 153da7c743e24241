"""Accuracy against cost: published ImageNet top-1 against MACs, params and measured latency.

Data in, plotly Figure out. The Pareto front (no other preset is both cheaper and more accurate)
is drawn per panel; a network without a published top-1 is shown on the cost axis only, as a
dashed vertical line at its cost. Papers: MobileNetV1-V3 (https://arxiv.org/abs/1704.04861,
https://arxiv.org/abs/1801.04381, https://arxiv.org/abs/1905.02244), EfficientNet
(https://arxiv.org/abs/1905.11946), EfficientNetV2 (https://arxiv.org/abs/2104.00298).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


def _panel(fig: go.Figure, frame: pd.DataFrame, column: str, panel: int, style: str) -> None:
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
    logs = np.log10(front[column].astype(float))
    # labels in the left third of the front read to the right of their point, the others to the left
    left_third = logs < logs.min() + (logs.max() - logs.min()) / 3 if len(front) else logs
    fig.add_scatter(
        x=front[column], y=front["top1"], mode="lines+text", line={"shape": "hv", "dash": "dot", "color": "#222"},
        text=front["member"], textposition=["top right" if left else "top left" for left in left_third],
        textfont={"size": get_style(style).font_size - 4},
        name="Pareto front", legendgroup="front", showlegend=panel == 1, hoverinfo="skip", row=1, col=panel,
    )


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
    for panel, (column, title) in enumerate(axes, start=1):
        _panel(fig, frame, column, panel, style)
        _current(fig, current, panel, column, style, (float(frame["top1"].min()), float(frame["top1"].max())))
        costs = frame[column].dropna()
        if not costs.empty:  # half a decade of room on the left for the first label, a bit on the right
            span = [float(np.log10(costs.min())) - 0.5, float(np.log10(costs.max())) + 0.15]
            fig.update_xaxes(range=span, row=1, col=panel)
        fig.update_xaxes(type="log", title=title, row=1, col=panel)
    fig.update_yaxes(title="ImageNet top-1, % (papers' tables)", row=1, col=1)
    fig.update_layout(legend={"orientation": "h", "y": -0.25})
    title = "Accuracy against cost" + ("" if measured else " (measure latency for the third panel)")
    styled = apply_style(fig, style, title)
    styled.update_layout(height=get_style(style).height + 80)
    return styled
