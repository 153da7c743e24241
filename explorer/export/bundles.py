"""Many charts, tables and model files in one ZIP: the export plan of a view and the archive, with progress."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go

from explorer.export.decks import DeckInfo, build_deck
from explorer.export.formats import DECK_FORMATS, FIGURE_FORMATS, TABLE_FORMATS
from explorer.export.render import figure_to_bytes
from explorer.export.tables import table_to_bytes


def artifact_formats(artifact: go.Figure | pd.DataFrame, formats: Iterable[str]) -> list[str]:
    """The formats among ``formats`` that apply to ``artifact`` (figure or table), in order."""
    valid = FIGURE_FORMATS if isinstance(artifact, go.Figure) else TABLE_FORMATS
    return [fmt for fmt in formats if fmt in valid]


def artifact_to_bytes(artifact: go.Figure | pd.DataFrame, fmt: str, scale: float = 1.0, caption: str = "") -> bytes:
    """One figure or table in one format."""
    if isinstance(artifact, go.Figure):
        return figure_to_bytes(artifact, fmt, scale=scale)
    if isinstance(artifact, pd.DataFrame):
        return table_to_bytes(artifact, fmt, caption=caption)
    raise TypeError(f"artifact: expected a plotly Figure or a pandas DataFrame, got {type(artifact).__name__}.")


def parse_formats(text: str | Iterable[str]) -> list[str]:
    """``"png,svg,csv"`` -> ``["png", "svg", "csv"]``, refusing unknown formats."""
    items = text.split(",") if isinstance(text, str) else list(text)
    formats = [item.strip().lower().lstrip(".") for item in items if item.strip()]
    valid = FIGURE_FORMATS + TABLE_FORMATS + DECK_FORMATS
    unknown = [fmt for fmt in formats if fmt not in valid]
    if unknown or not formats:
        raise ValueError(f"formats: choose from {', '.join(valid)} (comma-separated), got {text!r}.")
    return list(dict.fromkeys(formats))


def export_plan(
    artifacts: Mapping[str, go.Figure | pd.DataFrame], formats: Iterable[str], scale: float = 1.0,
    deck: DeckInfo | None = None,
) -> dict[str, Callable[[], bytes]]:
    """File name -> a function producing its bytes, for every artifact in every format that applies.

    ``pptx`` adds one deck of the whole view (``deck.name`` + ``.pptx``), when ``deck`` says what the
    view is and the view has a chart. Nothing is rendered until a function is called. Producing PNG,
    SVG, PDF or PPTX raises :class:`ChromiumNotFoundError` when no Chromium is installed; check
    :func:`static_export_available` first to offer HTML only.
    """
    formats = list(formats)
    plan: dict[str, Callable[[], bytes]] = {}
    for name, artifact in artifacts.items():
        for fmt in artifact_formats(artifact, formats):
            caption = name.replace("_", " ")
            plan[f"{name}.{fmt}"] = lambda a=artifact, f=fmt, c=caption: artifact_to_bytes(a, f, scale=scale, caption=c)
    charts = any(isinstance(artifact, go.Figure) for artifact in artifacts.values())
    if "pptx" in formats and deck is not None and charts:
        plan[f"{deck.name}.pptx"] = lambda: build_deck(dict(artifacts), deck)
    return plan


ProgressCallback = Callable[[int, int, str], None]


def build_zip(files: Mapping[str, bytes | Callable[[], bytes]], progress: ProgressCallback | None = None) -> bytes:
    """One ZIP of ``files`` (name -> bytes or a function producing them), in order.

    ``progress(done, total, name)`` is called before each file (``done`` files finished)
    and once at the end with ``done == total``.
    """
    buffer = io.BytesIO()
    total = len(files)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, (name, content) in enumerate(files.items()):
            if progress is not None:
                progress(done, total, name)
            archive.writestr(name, content() if callable(content) else content)
    if progress is not None:
        progress(total, total, "")
    return buffer.getvalue()
