"""The contract every page's artifacts follow: a frozen dataclass whose fields are its charts and tables.

A view reads a number or a chart by field name (``artifacts.totals.params``, ``artifacts.diagram``),
never by a display label; "Export all" and ``python -m explorer export`` take :meth:`PageArtifacts.exports`,
the same objects in display order under file-name-friendly names.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from explorer.formatting import layer_label

Artifact = Any  # a plotly ``go.Figure`` or a pandas ``DataFrame`` (not imported here: this module stays light)


@dataclasses.dataclass(frozen=True)
class PageArtifacts:
    """Base class: subclasses declare one field per chart or table, in display order.

    Fields whose value is ``None`` (a chart that does not apply) are left out of :meth:`exports`;
    fields declared with :func:`value_field` hold plain values (totals, names) and are never
    exported. A field holding a ``dict`` (one chart per SE layer, say) exports each item, named
    ``<field's file name>_<key>``.
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
            if isinstance(value, dict):
                items |= {self.item_name(field.name, key): item for key, item in value.items()}
            else:
                items[self.file_name(field.name)] = value
        return items

    def item_name(self, field: str, key: str) -> str:
        """The export name of item ``key`` of a dict field: ``digits_heatmap_blocks_4_se``."""
        return f"{self.file_name(field)}_{file_friendly(key)}"


def value_field(**kwargs: Any) -> Any:
    """A dataclass field that carries a plain value (a total, a name), not an exported chart or table."""
    return dataclasses.field(metadata={"export": False}, **kwargs)


def file_friendly(text: str) -> str:
    """``blocks.4.se`` -> ``blocks_4_se``: letters, digits, ``-`` and ``_`` only."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(text))


def named_layers(frame: Any, column: str = "layer") -> Any:
    """A copy of a table with a ``name`` column before its ``column`` of layer paths: each path as a person reads
    it (:func:`explorer.formatting.layer_label`, ``stages.1.0.conv_dw.conv`` -> ``stage 3 · block 1 · depthwise
    conv``). The paths stay in ``column``: CSV readers and the JSON join on them."""
    named = frame.copy()
    if frame.empty and column not in frame.columns:  # no rows, so no columns either
        return named
    named.insert(list(frame.columns).index(column), "name", [layer_label(value) for value in frame[column]])
    return named
