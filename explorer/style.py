"""Figure styles for the screen and for slides, passed explicitly to every figure builder.

Nothing here changes plotly's global defaults: :func:`apply_style` sets a figure's own
layout. The slide style has a white background, large fonts, thick lines and the Okabe-Ito
colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design").
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
SCREEN_PALETTE = ("#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#FF9DA6", "#9D755D")


@dataclass(frozen=True)
class FigureStyle:
    """Everything a figure builder needs to look right on one medium."""

    name: str
    font_size: int
    title_size: int
    line_width: float
    marker_size: int
    palette: tuple[str, ...]
    template: str
    height: int
    grid: bool


STYLES: dict[str, FigureStyle] = {
    "screen": FigureStyle("screen", 14, 18, 2.5, 9, SCREEN_PALETTE, "plotly_white", 420, True),
    "slide": FigureStyle("slide", 24, 32, 5.0, 16, OKABE_ITO, "simple_white", 560, False),
}


def get_style(style: str | FigureStyle) -> FigureStyle:
    """Resolve a style name (``screen`` or ``slide``) to a :class:`FigureStyle`."""
    if isinstance(style, FigureStyle):
        return style
    if style not in STYLES:
        raise ValueError(f"style: must be one of {', '.join(STYLES)}, got {style!r}.")
    return STYLES[style]


def color(style: str | FigureStyle, index: int) -> str:
    """The ``index``-th colour of the style's palette (cycling)."""
    palette = get_style(style).palette
    return palette[index % len(palette)]


def apply_style(fig: go.Figure, style: str | FigureStyle, title: str | None = None) -> go.Figure:
    """Set the figure's fonts, template, colours and line widths for ``style``; returns ``fig``."""
    chosen = get_style(style)
    fig.update_layout(
        template=chosen.template,
        font={"size": chosen.font_size, "family": "DejaVu Sans, Arial, sans-serif", "color": "#222"},
        title={"text": title if title is not None else fig.layout.title.text, "font": {"size": chosen.title_size}},
        colorway=list(chosen.palette),
        height=chosen.height,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 70, "r": 30, "t": 80 if chosen.name == "slide" else 60, "b": 60},
        legend={"font": {"size": chosen.font_size}},
    )
    fig.update_xaxes(showgrid=chosen.grid, gridcolor="#e5e5e5", linecolor="#444", ticks="outside")
    fig.update_yaxes(showgrid=chosen.grid, gridcolor="#e5e5e5", linecolor="#444", ticks="outside")
    fig.update_traces(line={"width": chosen.line_width}, selector={"type": "scatter"})
    fig.update_traces(marker={"size": chosen.marker_size}, selector={"mode": "markers"})
    fig.update_traces(marker={"size": chosen.marker_size}, selector={"mode": "lines+markers"})
    return fig
