"""A view as a PowerPoint deck (python-pptx): a title slide, one chart per slide, and the view's main table.

Each chart slide carries the chart's title, the chart as a high-resolution PNG (16:9, rendered like every
other export), and a caption saying the configuration and where the numbers come from. PowerPoint has no
native SVG picture in the format python-pptx writes, so the picture is a 2x PNG (3840 x 2160 pixels):
sharp on a projector and when zoomed.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from explorer.export.render import figure_to_bytes

SLIDE_WIDTH_IN, SLIDE_HEIGHT_IN = 13.333, 7.5  # 16:9
DECK_PICTURE_SCALE = 2.0
TABLE_ROWS = 12
TABLE_COLUMNS = 10
TITLE_PT, LONG_TITLE_PT, CAPTION_PT, TABLE_PT = 30, 24, 14, 10
LONG_TITLE = 45  # characters: a longer title gets the smaller font so it stays on its line


@dataclass(frozen=True)
class DeckInfo:
    """What the deck is about: its title, the configuration shown, and the source of the numbers."""

    title: str
    configuration: str
    source: str = "Counted from the PyTorch module built by the efficient-CNN explorer (meta device, batch 1)."
    name: str = "slides"  # the file name stem of the deck


def figure_title(fig: go.Figure, fallback: str) -> str:
    """The chart's own title as plain text (plotly's ``&lt;`` read back as ``<``), or ``fallback`` (a human form
    of its export name) when it has none."""
    text = fig.layout.title.text if fig.layout.title is not None else None
    return html.unescape(str(text)) if text else fallback


def _text(slide, text: str, box: tuple[float, float, float, float], points: int, bold: bool = False) -> None:
    from pptx.util import Inches, Pt

    frame = slide.shapes.add_textbox(*(Inches(v) for v in box)).text_frame
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    paragraph.text = text
    paragraph.font.size = Pt(points)
    paragraph.font.bold = bold


def _title(slide, text: str) -> None:
    _text(slide, text, (0.5, 0.2, 12.3, 0.8), LONG_TITLE_PT if len(text) > LONG_TITLE else TITLE_PT, bold=True)


def _untitled(fig: go.Figure) -> go.Figure:
    """A copy without its title (the slide carries it) and with the title's top margin given back."""
    copy = go.Figure(fig)
    margin = copy.layout.margin.t
    copy.update_layout(title_text="", margin_t=min(margin, 60) if margin is not None else 60)
    return copy


def _chart_slide(deck, fig: go.Figure, name: str, info: DeckInfo) -> None:
    from pptx.util import Inches

    slide = deck.slides.add_slide(deck.slide_layouts[6])
    _title(slide, figure_title(fig, name.replace("_", " ")))
    png = figure_to_bytes(_untitled(fig), "png", scale=DECK_PICTURE_SCALE)
    height = 5.6
    width = height * 16 / 9
    slide.shapes.add_picture(io.BytesIO(png), Inches((SLIDE_WIDTH_IN - width) / 2), Inches(1.1), Inches(width), Inches(height))
    _text(slide, f"{info.configuration}. {info.source}", (0.5, 6.8, 12.3, 0.6), CAPTION_PT)


def _cell_text(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def _table_slide(deck, frame: pd.DataFrame, name: str, info: DeckInfo) -> None:
    from pptx.util import Inches, Pt

    slide = deck.slides.add_slide(deck.slide_layouts[6])
    _title(slide, name.replace("_", " "))
    informative = [c for c in frame.columns if not (frame[c].isna() | frame[c].astype(str).isin(["0", "", "-"])).all()]
    if "name" in informative and "layer" in informative:  # people read the slide: a layer's name, not its path
        informative.remove("layer")  # (the CSV keeps both)
    shown = frame[informative[:TABLE_COLUMNS]].head(TABLE_ROWS)
    rows, columns = len(shown) + 1, len(shown.columns)
    table = slide.shapes.add_table(rows, columns, Inches(0.5), Inches(1.1), Inches(12.3), Inches(0.37 * rows)).table
    for column, header in enumerate(shown.columns):
        table.cell(0, column).text = str(header)
    for row, values in enumerate(shown.itertuples(index=False), start=1):
        for column, value in enumerate(values):
            table.cell(row, column).text = _cell_text(value.item() if hasattr(value, "item") else value)
    for cell in (table.cell(r, c) for r in range(rows) for c in range(columns)):
        cell.text_frame.paragraphs[0].font.size = Pt(TABLE_PT)
    cut = len(frame) > TABLE_ROWS or len(informative) > TABLE_COLUMNS
    kept = f"{len(shown)} of {len(frame)} rows, {len(shown.columns)} of {len(frame.columns)} columns"
    more = f" {kept}; the CSV export has them all." if cut else ""
    _text(slide, f"{info.configuration}.{more} {info.source}", (0.5, 6.8, 12.3, 0.6), CAPTION_PT)


def build_deck(
    artifacts: Mapping[str, go.Figure | pd.DataFrame], info: DeckInfo, main_table: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> bytes:
    """The view as a .pptx: title slide, one slide per chart in display order, then the main table.

    Args:
        artifacts: export name -> figure or table, in display order (a page's ``exports()``).
        info: the deck's title, configuration and source (captions on every slide).
        main_table: which table ends the deck; default the first table of ``artifacts``.
        progress: called as ``progress(done, total, name)`` before each chart is rendered.

    Raises:
        ValueError: ``artifacts`` holds no chart.
        ChromiumNotFoundError: no Chromium to render the charts.
    """
    from pptx import Presentation
    from pptx.util import Inches

    charts = {name: a for name, a in artifacts.items() if isinstance(a, go.Figure)}
    tables = {name: a for name, a in artifacts.items() if isinstance(a, pd.DataFrame)}
    if not charts:
        raise ValueError("formats: pptx needs at least one chart in the view; this one has only tables.")
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    cover = deck.slides.add_slide(deck.slide_layouts[6])
    _text(cover, info.title, (0.8, 2.4, 11.7, 1.2), 40, bold=True)
    _text(cover, info.configuration, (0.8, 3.7, 11.7, 1.0), 20)
    _text(cover, info.source, (0.8, 6.6, 11.7, 0.6), CAPTION_PT)
    for done, (name, fig) in enumerate(charts.items()):
        if progress is not None:
            progress(done, len(charts), name)
        _chart_slide(deck, fig, name, info)
    table_name = main_table if main_table in tables else next(iter(tables), None)
    if table_name is not None:
        _table_slide(deck, tables[table_name], table_name, info)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
