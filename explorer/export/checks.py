"""Is an exported chart readable? Estimated text boxes of a rendered SVG, checked for overlap and clipping.

Plotly's SVG places every piece of text (titles, tick labels, legend entries, bar and point labels,
annotations) as a ``<text>`` element inside nested ``<g transform="translate(...)">`` groups. Each box is
estimated from its font size, its characters (0.6 x font size wide on average for DejaVu Sans; 0.3 for
narrow characters), its anchor and baseline, and any rotation. Two boxes that overlap by more than a
couple of pixels, or a box that leaves the canvas, is a problem a reader would see.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = "{http://www.w3.org/2000/svg}"
NARROW = set("il.,:;|!'`1 ()[]/tfjrI")
WIDE = set("MWmw%@")
TOLERANCE = 2.0  # pixels of overlap that no reader notices (anti-aliased edges, estimate error)
EXPORT_HEIGHT = 720.0  # the export layout's height (1080 pixels / 1.5): a taller figure is drawn smaller to fit


@dataclass(frozen=True)
class TextBox:
    """One piece of text on the canvas: its string, its class (``xtick``, ``legendtext``, ...) and its box."""

    text: str
    kind: str
    font_size: float
    angle: float
    left: float
    top: float
    right: float
    bottom: float

    def overlap(self, other: TextBox) -> float:
        """The smaller side of the intersection of two boxes, in pixels (0 when they do not meet)."""
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        return min(width, height) if width > 0 and height > 0 else 0.0


def text_width(text: str, font_size: float) -> float:
    """Estimated width in pixels of one line of ``text``."""
    return font_size * sum(0.3 if c in NARROW else 0.85 if c in WIDE else 0.6 for c in text)


def _transform(value: str | None) -> tuple[float, float, float, float]:
    """``translate(x, y)``, ``rotate(a)`` and ``scale(s)`` of one element, as (dx, dy, degrees, scale)."""
    dx = dy = angle = 0.0
    scale = 1.0
    for name, args in re.findall(r"(translate|rotate|scale)\(([^)]*)\)", value or ""):
        numbers = [float(v) for v in re.split(r"[ ,]+", args.strip()) if v]
        if name == "translate":
            dx, dy = dx + numbers[0], dy + (numbers[1] if len(numbers) > 1 else 0.0)
        elif name == "rotate":
            angle += numbers[0]
        else:
            scale *= numbers[0]
    return dx, dy, angle, scale


def _font_size(element: ET.Element) -> float:
    match = re.search(r"font-size:\s*([\d.]+)px", element.get("style", ""))
    return float(match.group(1)) if match else 12.0


def _box(element: ET.Element, x: float, y: float, angle: float, scale: float) -> TextBox | None:
    lines = [("".join(t.itertext())) for t in element.findall(f"{SVG}tspan")] or ["".join(element.itertext())]
    lines = [line for line in lines if line.strip()]
    if not lines:
        return None
    size = _font_size(element) * scale
    width, height = max(text_width(line, size) for line in lines), size * (0.95 + 1.3 * (len(lines) - 1))
    anchor = element.get("text-anchor", "start")
    left = x - {"start": 0.0, "middle": width / 2, "end": width}[anchor]
    top = y - 0.8 * size
    if angle % 180:
        radians = math.radians(angle)
        w = abs(width * math.cos(radians)) + abs(height * math.sin(radians))
        h = abs(width * math.sin(radians)) + abs(height * math.cos(radians))
        left, top, width, height = x - w / 2, y - h / 2, w, h
    return TextBox(" / ".join(lines), element.get("class", ""), size, angle % 360, left, top, left + width, top + height)


def text_boxes(svg: str | bytes) -> tuple[list[TextBox], tuple[float, float]]:
    """Every text box of a plotly SVG, in canvas pixels, and the canvas size (the SVG's viewBox)."""
    root = ET.fromstring(svg)
    view = [float(v) for v in root.get("viewBox", "0 0 0 0").split()]
    boxes: list[TextBox] = []

    def walk(node: ET.Element, ox: float, oy: float, angle: float, scale: float) -> None:
        dx, dy, rotation, factor = _transform(node.get("transform"))
        if node.tag == f"{SVG}text":
            x, y = ox + dx + float(node.get("x", 0) or 0), oy + dy + float(node.get("y", 0) or 0)
            box = _box(node, x, y, angle + rotation, scale * factor)
            if box is not None and "opacity: 0" not in node.get("style", ""):
                boxes.append(box)
            return
        for child in node:
            walk(child, ox + dx, oy + dy, angle + rotation, scale * factor)

    walk(root, 0.0, 0.0, 0.0, 1.0)
    return boxes, (view[2], view[3])


def text_problems(svg: str | bytes, min_font: float = 10.0) -> list[str]:
    """Human-readable problems: text that overlaps other text, leaves the canvas, is shrunk below
    ``min_font`` pixels (plotly shrinks labels to fit inside short bars) or is turned inside a bar.

    A figure taller than the export layout is drawn smaller to fit the picture (:func:`explorer.export.render.
    figure_to_bytes`), and so is its text: sizes are compared as drawn, ``EXPORT_HEIGHT / height`` of their own.
    """
    boxes, (width, height) = text_boxes(svg)
    drawn = min(1.0, EXPORT_HEIGHT / height) if height else 1.0
    problems = [f"too small: {box.text!r} ({box.kind}) at {box.font_size * drawn:.1f} px"
                + (f" (drawn at {drawn:.2f} of its {box.font_size:g} px)" if drawn < 1 else "")
                for box in boxes if box.font_size * drawn < min_font]
    problems += [f"rotated: {box.text!r} ({box.kind})" for box in boxes if "bartext" in box.kind and box.angle]
    problems += [
        f"clipped: {box.text!r} ({box.kind}) reaches {box.left:.0f}..{box.right:.0f} x {box.top:.0f}..{box.bottom:.0f}"
        f" of {width:.0f} x {height:.0f}"
        for box in boxes
        if box.left < -TOLERANCE or box.top < -TOLERANCE or box.right > width + TOLERANCE or box.bottom > height + TOLERANCE
    ]
    for index, box in enumerate(boxes):
        for other in boxes[index + 1:]:
            if box.overlap(other) > TOLERANCE:
                problems.append(f"overlap: {box.text!r} ({box.kind}) and {other.text!r} ({other.kind})")
    return problems
