"""timm and torchvision models by name: one place to list, build and count them.

A zoo model is named ``timm:NAME`` or ``torchvision:NAME``; it is built without weights on the
meta device (:mod:`explorer.sources.meta`) and counted by :func:`explorer.analysis.costs.count_costs`
at its own default input size unless another is given.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import ModuleType

from torch import nn

from explorer.analysis.costs import CostReport, count_costs
from explorer.sources import timm as timm_source
from explorer.sources import torchvision as torchvision_source

SOURCES: dict[str, ModuleType] = {"timm": timm_source, "torchvision": torchvision_source}


@dataclass(frozen=True)
class ZooCount:
    """A zoo model's cost report with where it came from and how it was built."""

    source: str
    name: str
    family: str
    input_size: tuple[int, int, int]
    note: str
    report: CostReport

    @property
    def label(self) -> str:
        return f"{self.source}:{self.name}"


def _source(source: str) -> ModuleType:
    if source not in SOURCES:
        raise ValueError(f"source: {source!r} is not a model zoo; use one of {', '.join(SOURCES)}.")
    return SOURCES[source]


def zoo_names(source: str) -> tuple[str, ...]:
    return _source(source).names()


def family(source: str, name: str) -> str:
    return _source(source).family(name)


def default_input_size(source: str, name: str) -> tuple[int, int, int]:
    return _source(source).default_input_size(name)


def build_zoo_model(source: str, name: str) -> tuple[nn.Module, str]:
    """The model ``source:name`` without weights on the meta device, and a sentence on how it was built."""
    return _source(source).build(name)


def count_module(module: nn.Module, input_size: tuple[int, ...]) -> CostReport:
    """:func:`count_costs`, with a model's own input checks (``torch._assert``) reported as ``ValueError`` too."""
    try:
        return count_costs(module, input_size)
    except AssertionError as error:
        raise ValueError(f"input_size: {tuple(input_size)} does not fit this model ({error}).") from error


@functools.lru_cache(maxsize=256)
def count_zoo_model(source: str, name: str, input_size: tuple[int, int, int] | None = None) -> ZooCount:
    """Count ``source:name`` at ``input_size`` (the model's default if None). Cached; treat as read-only.

    A model whose weights' crop size it does not accept when built without weights (torchvision's
    ``vit_h_14``: SWAG weights at 518, the bare model fixed at 224) is counted at 224, and the
    note says so.
    """
    module, note = build_zoo_model(source, name)
    size = tuple(input_size) if input_size else default_input_size(source, name)
    try:
        report = count_module(module, size)
    except ValueError:
        fallback = (3, 224, 224)
        if input_size or size == fallback:
            raise
        report = count_module(module, fallback)
        note += f"; counted at 224 x 224, the size the model accepts without weights (its weights' crop is {size[1]})"
        size = fallback
    return ZooCount(source, name, family(source, name), size, note, report)
