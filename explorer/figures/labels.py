"""Point labels that neither collide nor leave the plot: a greedy placement on estimated text boxes.

Plotly draws a scatter point's text at one of nine positions around it but never checks for collisions.
Here every label gets the first offset, in a preferred order, whose estimated box (0.6 x font size per
character wide, 1.3 x font size tall) overlaps no label already placed, no marker, no reserved box (a
legend) and no plot edge: first the eight places right around the point, then eight farther out (and,
with ``FAR_RINGS``, eight farther still, past a long error bar), drawn with a thin leader line. The axis
ranges are set explicitly, so data-to-pixel positions are known. A label that fits nowhere is left out
(its point keeps its hover text and legend entry). The plot area is estimated conservatively
(:func:`plot_canvas`): a larger plot only moves the points apart, never a label off its point.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

CHAR_WIDTH = 0.6  # of the font size, DejaVu Sans average
WIDE_CHARS = frozenset("MWmw%@")  # 0.85 of the font size: never narrower than the exported-chart check estimates
LINE_HEIGHT = 1.3
GAP = 4  # pixels between a marker's edge and its label
DIRECTIONS = ((0.0, 1.0), (0.0, -1.0), (1.0, 0.0), (-1.0, 0.0), (1.0, 1.0), (-1.0, 1.0), (1.0, -1.0), (-1.0, -1.0))
RINGS = (1.0, 2.6)  # the rings' distances, in multiples of the inner ring's (the outer ones with a leader line)
FAR_RINGS = (*RINGS, 5.0)  # one more, past a long error bar; far moves are only safe where the plot's size is known
PLOT_WIDTH = 760  # pixels: a conservative plot-area width (a screen column or the 1280-wide export layout)
MARGINS_HEIGHT = 170  # pixels of a figure's height taken by its title, axis titles and ticks


@dataclass(frozen=True)
class Placement:
    """Where a label's box centre sits, in pixels from its point (x right, y up); ``leader`` draws a line to it."""

    dx: float
    dy: float
    leader: bool


@dataclass(frozen=True)
class Canvas:
    """The plot area in pixels and its (log10 or linear) axis ranges."""

    width: float
    height: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x_log: bool = True
    y_log: bool = True

    def to_pixels(self, x: float, y: float) -> tuple[float, float]:
        fx = (_axis(x, self.x_log) - self.x_range[0]) / (self.x_range[1] - self.x_range[0])
        fy = (_axis(y, self.y_log) - self.y_range[0]) / (self.y_range[1] - self.y_range[0])
        return fx * self.width, fy * self.height


def _axis(value: float, log: bool) -> float:
    return math.log10(value) if log else value


Box = tuple[float, float, float, float]  # left, bottom, right, top in pixels


def text_width(text: str, font_size: float) -> float:
    """The estimated width in pixels of one line of ``text`` (wide letters count 0.85 of the font size)."""
    return font_size * (CHAR_WIDTH * len(text) + 0.25 * sum(c in WIDE_CHARS for c in text))


def text_box(centre_x: float, centre_y: float, text: str, font_size: float) -> Box:
    """The estimated box of one line of ``text`` centred at a pixel position."""
    half_w, half_h = text_width(text, font_size) / 2, LINE_HEIGHT * font_size / 2
    return (centre_x - half_w, centre_y - half_h, centre_x + half_w, centre_y + half_h)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _offset(text: str, direction: tuple[float, float], font_size: float, marker: float, ring: float) -> tuple[float, float]:
    half_w, half_h = text_width(text, font_size) / 2, LINE_HEIGHT * font_size / 2
    reach = (marker / 2 + GAP) * ring
    dx, dy = direction
    return (dx * (half_w + reach) if dx else 0.0, dy * (half_h + reach) if dy else 0.0)


def place_labels(
    points: Sequence[tuple[float, float]], texts: Sequence[str], canvas: Canvas, font_size: float, marker: float,
    taken: Sequence[Box] = (), rings: Sequence[float] = RINGS,
) -> list[Placement | None]:
    """A placement for each point's label, or ``None`` where it fits nowhere (or its text is empty).

    Points are placed in order (put the most important first); ``taken`` holds boxes to keep clear
    (a legend inside the plot), in the same pixel frame as :meth:`Canvas.to_pixels`.
    """
    pixels = [canvas.to_pixels(x, y) for x, y in points]
    taken = [*taken, *((px - marker / 2, py - marker / 2, px + marker / 2, py + marker / 2) for px, py in pixels)]
    placed: list[Placement | None] = []
    for (px, py), text in zip(pixels, texts, strict=True):
        choice = None
        for ring, direction in [(ring, d) for ring in rings for d in DIRECTIONS] if text else []:
            dx, dy = _offset(text, direction, font_size, marker, ring)
            box = text_box(px + dx, py + dy, text, font_size)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= canvas.width and box[3] <= canvas.height
            if inside and not any(overlaps(box, other) for other in taken):
                choice = Placement(dx, dy, leader=ring > 1.0)
                taken.append(box)
                break
        placed.append(choice)
    return placed


def line_boxes(canvas: Canvas, lines: Sequence[Sequence[tuple[float, float]]], width: float, samples: int = 12) -> list[Box]:
    """Small boxes along each polyline (data coordinates), so labels keep off the lines too."""
    boxes = []
    for line in lines:
        pixels = [canvas.to_pixels(x, y) for x, y in line]
        for (x0, y0), (x1, y1) in zip(pixels, pixels[1:], strict=False):
            for step in range(samples + 1):
                t = step / samples
                x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                boxes.append((x - width / 2, y - width / 2, x + width / 2, y + width / 2))
    return boxes


def label_annotations(
    points: Sequence[tuple[float, float]], texts: Sequence[str], placements: Sequence[Placement | None],
    font_size: float, log_axes: bool = True, canvas: Canvas | None = None, axes: tuple[str, str] = ("x", "y"),
) -> list[dict]:
    """Plotly annotations for the placed labels (positions in log10 units on log axes, as plotly wants).

    With ``canvas`` each axis follows its own scale (a log x against a linear y); ``axes`` names the
    subplot's axes (``("x2", "y2")``) the labels belong to.
    """
    x_log, y_log = (canvas.x_log, canvas.y_log) if canvas is not None else (log_axes, log_axes)
    annotations = []
    for (x, y), text, where in zip(points, texts, placements, strict=True):
        if where is None:
            continue
        position = {"x": _axis(x, x_log), "y": _axis(y, y_log), "text": text, "font": {"size": font_size},
                    "xref": axes[0], "yref": axes[1]}
        if where.leader:
            position |= {"showarrow": True, "ax": where.dx, "ay": -where.dy, "arrowhead": 0, "arrowwidth": 1,
                         "arrowcolor": "#888", "standoff": 2}
        else:
            position |= {"showarrow": False, "xshift": where.dx, "yshift": where.dy}
        annotations.append(position)
    return annotations


def padded_range(values: Sequence[float], pad: float, log: bool) -> tuple[float, float]:
    """The axis range of ``values`` widened by ``pad`` on each side: decades on a log axis (in log10
    units, as plotly wants them), a share of the span on a linear one."""
    if log:
        return padded_log_range(values, pad)
    low, high = float(min(values)), float(max(values))
    span = (high - low) or abs(high) or 1.0
    return (low - pad * span, high + pad * span)


def plot_canvas(font_size: float, figure_height: float, x_range: tuple[float, float], y_range: tuple[float, float],
                x_log: bool, y_log: bool, width: float = PLOT_WIDTH, share: float = 1.0) -> Canvas:
    """The conservative plot area of a figure ``figure_height`` pixels tall (the export layout is never smaller),
    or of one of its side-by-side panels taking ``share`` of the width."""
    return Canvas(width * share, figure_height - MARGINS_HEIGHT - 2 * font_size, x_range, y_range, x_log, y_log)


def point_labels(
    points: Sequence[tuple[float, float]], texts: Sequence[str], canvas: Canvas, font_size: float, marker: float,
    taken: Sequence[Box] = (), axes: tuple[str, str] = ("x", "y"), rings: Sequence[float] = RINGS,
) -> list[dict]:
    """Annotations for the labels of ``points`` that fit without colliding (see :func:`place_labels`)."""
    placements = place_labels(points, texts, canvas, font_size, marker, taken, rings)
    return label_annotations(points, texts, placements, font_size, canvas=canvas, axes=axes)


def padded_log_range(values: Sequence[float], pad_decades: float) -> tuple[float, float]:
    """``log10`` range of ``values`` widened by ``pad_decades`` on each side (room for labels at the edges)."""
    logs = [math.log10(v) for v in values if v > 0]
    return (min(logs) - pad_decades, max(logs) + pad_decades)


def literal(text: object) -> str:
    """``text`` as plotly draws it verbatim: ``&``, ``<`` and ``>`` become entities, so no tag comes from it.

    Plotly reads titles, tick labels, legend names and hover text as a small HTML: ``<a href>`` draws a
    clickable link, ``<b>`` bold, ``<br>`` a line break. Text that comes from a user (an uploaded file's
    name, the layer types and producer inside it) goes through this before it is placed in a figure.
    """
    return html.escape(str(text), quote=False)


def wrapped(text: str, width: int) -> str:
    """``text`` broken at spaces into lines of at most ``width`` characters, joined by plotly's ``<br>``
    (a long tick label then takes two short lines instead of half the chart)."""
    return "<br>".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)
