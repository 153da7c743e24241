"""The export formats (figures, tables, decks, archives), their MIME types, and the check that names a bad one."""

from __future__ import annotations

FIGURE_FORMATS = ("png", "svg", "pdf", "html")
STATIC_FORMATS = ("png", "svg", "pdf")
TABLE_FORMATS = ("csv", "md", "tex")
DECK_FORMATS = ("pptx",)  # one file for the whole view, not one per chart

MIME_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "md": "text/markdown",
    "tex": "application/x-tex",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "py": "text/x-python",
    "txt": "text/plain",
    "onnx": "application/octet-stream",
    "zip": "application/zip",
}


def check_format(fmt: str, valid: tuple[str, ...], what: str) -> str:
    """``fmt`` normalised (``.PNG`` -> ``png``), or a ValueError naming the valid formats for ``what``."""
    text = str(fmt).strip().lower().lstrip(".")
    if text not in valid:
        raise ValueError(f"format: {what} export supports {', '.join(valid)}, got {fmt!r}.")
    return text
