"""Per-chart options a presenter sets before a chart goes on a slide: title, series, value labels, aspect, background.

:func:`customize` returns a new figure (the input is never changed); :data:`ASPECTS` gives the export size of
each aspect ratio (1080 pixels tall at 1x, as the 16:9 default).
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

ASPECTS: dict[str, tuple[int, int]] = {"16:9": (1920, 1080), "4:3": (1440, 1080), "1:1": (1080, 1080)}


@dataclass(frozen=True)
class ChartOptions:
    """What the presenter changed; the defaults leave a chart as the page drew it."""

    title: str | None = None
    hidden_series: tuple[str, ...] = ()
    value_labels: bool = True
    aspect: str = "16:9"
    transparent: bool = False

    def __post_init__(self) -> None:
        if self.aspect not in ASPECTS:
            raise ValueError(f"aspect: must be one of {', '.join(ASPECTS)}, got {self.aspect!r}.")

    @property
    def export_size(self) -> tuple[int, int]:
        """Width and height in pixels of a 1x PNG in this aspect."""
        return ASPECTS[self.aspect]


def series_names(fig: go.Figure) -> list[str]:
    """The names of the chart's series a reader can tell apart (its named traces, in order, once each)."""
    names = [trace.name for trace in fig.data if trace.name and trace.showlegend is not False]
    return list(dict.fromkeys(names))


def has_value_labels(fig: go.Figure) -> bool:
    """Whether any trace writes values on the chart (bar labels, point labels)."""
    return any(getattr(trace, "text", None) is not None and "text" in (getattr(trace, "mode", None) or "text")
               for trace in fig.data)


def customize(fig: go.Figure, options: ChartOptions) -> go.Figure:
    """A copy of ``fig`` with the presenter's title, series, value labels and background."""
    copy = go.Figure(fig)
    if options.title is not None:
        copy.update_layout(title_text=options.title)
    for trace in copy.data:
        if trace.name in options.hidden_series:
            trace.visible = False
    if not options.value_labels:
        for trace in copy.data:
            if trace.type == "bar":
                trace.text = None
            elif trace.type == "scatter" and trace.mode and "text" in trace.mode:
                trace.mode = trace.mode.replace("+text", "").replace("text+", "") or "markers"
    if options.transparent:
        copy.update_layout(paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    return copy
