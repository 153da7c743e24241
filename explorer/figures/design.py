"""The stage-level diagram of a whole network with cost heat: data in, plotly Figure out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from explorer.figures.style import apply_style


def stage_diagram_figure(stages: pd.DataFrame, style: str, title: str) -> go.Figure:
    """One bar per stage (stem, each row, head), as tall as its output channels, coloured by its share of MACs.

    Args:
        stages: the stage table (``stage``, ``operator``, ``input resolution``, ``channels``, ``layers``,
            ``MACs``, ``% MACs``), one row per stage in network order.
    """
    missing = {"stage", "operator", "input resolution", "channels", "layers", "MACs", "% MACs"} - set(stages.columns)
    if missing:
        raise ValueError(f"stages: missing columns {', '.join(sorted(missing))}.")
    labels = [f"{stage}. {operator}" for stage, operator in zip(stages["stage"], stages["operator"], strict=True)]
    text = [f"{size}<br>×{count}" for size, count in zip(stages["input resolution"], stages["layers"], strict=True)]
    fig = go.Figure(go.Bar(
        x=labels, y=stages["channels"], text=text, textposition="outside", cliponaxis=False,
        marker={"color": stages["% MACs"], "colorscale": "YlOrRd", "cmin": 0, "showscale": True,
                "colorbar": {"title": {"text": "% of MACs"}}, "line": {"width": 1, "color": "#444"}},
        customdata=stages[["MACs", "% MACs"]].to_numpy(),
        hovertemplate="%{x}<br>%{y} channels<br>%{customdata[0]:,} MACs (%{customdata[1]:.2f}%)<extra></extra>",
    ))
    fig.update_xaxes(title="stage (input resolution, blocks)", tickangle=-35)
    fig.update_yaxes(title="output channels", type="log")
    return apply_style(fig, style, title)
