"""The stage-level diagram of a whole network with cost heat: data in, plotly Figure out."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from explorer.figures.labels import wrapped
from explorer.figures.style import TEXT_COLOUR, apply_style, get_style

LABEL_CHARACTERS = 30  # a longer stage label (a MobileNetV3 head) wraps onto a second line


def stage_diagram_figure(stages: pd.DataFrame, style: str, title: str) -> go.Figure:
    """One horizontal bar per stage (stem, each row, head; first at the top), as long as its output channels,
    coloured by its share of MACs, each labelled with its input resolution and blocks.

    Args:
        stages: the stage table (``stage``, ``operator``, ``input resolution``, ``channels``, ``layers``,
            ``MACs``, ``% MACs``), one row per stage in network order.
    """
    missing = {"stage", "operator", "input resolution", "channels", "layers", "MACs", "% MACs"} - set(stages.columns)
    if missing:
        raise ValueError(f"stages: missing columns {', '.join(sorted(missing))}.")
    labels = [wrapped(f"{stage}. {operator}", LABEL_CHARACTERS)
              for stage, operator in zip(stages["stage"], stages["operator"], strict=True)]
    text = [f"{size}, ×{count}" for size, count in zip(stages["input resolution"], stages["layers"], strict=True)]
    fig = go.Figure(go.Bar(
        y=labels, x=stages["channels"], orientation="h", text=text, textposition="outside", cliponaxis=False,
        textfont={"color": TEXT_COLOUR}, marker={"color": stages["% MACs"], "colorscale": "YlOrRd", "cmin": 0, "showscale": True,
                "colorbar": {"title": {"text": "% of MACs"}}, "line": {"width": 1, "color": "#444"}},
        customdata=stages[["MACs", "% MACs"]].to_numpy(),
        hovertemplate="%{y}<br>%{x} channels<br>%{customdata[0]:,} MACs (%{customdata[1]:.2f}%)<extra></extra>",
    ))
    widest = math.log10(max(float(stages["channels"].max()), 1.0))
    # no axis title: each label starts with its stage number, and a title would sit on the wrapped labels
    fig.update_yaxes(autorange="reversed", type="category")
    # a decade of room on the right for the longest bar's label
    fig.update_xaxes(title="output channels (label: input resolution, blocks)", type="log", range=[0, widest + 1.0])
    chosen = get_style(style)
    lines = sum(label.count("<br>") + 1 for label in labels)
    return apply_style(fig, style, title).update_layout(height=max(chosen.height, round(1.5 * chosen.font_size * lines) + 220))
