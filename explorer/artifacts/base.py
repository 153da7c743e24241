"""The contract every page's artifacts follow: a frozen dataclass whose fields are its charts and tables.

A view reads a number or a chart by field name (``artifacts.totals.params``, ``artifacts.diagram``),
never by a display label; "Export all" and ``python -m explorer export`` take :meth:`PageArtifacts.exports`,
the same objects in display order under file-name-friendly names.
"""

from __future__ import annotations

import dataclasses
from typing import Any

Artifact = Any  # a plotly ``go.Figure`` or a pandas ``DataFrame`` (not imported here: this module stays light)


@dataclasses.dataclass(frozen=True)
class PageArtifacts:
    """Base class: subclasses declare one field per chart or table, in display order.

    Fields whose value is ``None`` (a chart that does not apply) are left out of :meth:`exports`;
    fields declared with ``metadata={"export": False}`` hold plain values (totals, names) and are
    never exported.
    """

    def file_name(self, field: str) -> str:
        """The export name of ``field``; subclasses prefix or rename (``mbconv_diagram``)."""
        return field

    def exports(self) -> dict[str, Artifact]:
        """Every chart and table, keyed by file-name-friendly name, in display order."""
        items: dict[str, Artifact] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None or not field.metadata.get("export", True):
                continue
            items[self.file_name(field.name)] = value
        return items


def value_field(**kwargs: Any) -> Any:
    """A dataclass field that carries a plain value (a total, a name), not an exported chart or table."""
    return dataclasses.field(metadata={"export": False}, **kwargs)
