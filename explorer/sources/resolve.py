"""One SOURCE string names a model to count: ``timm:NAME``, ``torchvision:NAME``, a path to an ``.onnx``
file, or (the command line only) ``package.module:callable``, a factory in the user's own environment.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from torch import nn

from explorer.analysis.costs import CostReport
from explorer.sources import zoo
from explorer.sources.meta import build_on_meta

PYTHON_DEFAULT_SIZE = (3, 224, 224)


@dataclass(frozen=True)
class SourceCount:
    """What a SOURCE counted to, at which input size, and how the model was obtained."""

    source: str
    kind: str
    input_size: tuple[int, ...]
    note: str
    report: CostReport


def parse_input_size(text: str | None) -> tuple[int, int, int] | None:
    """``"3,224,224"`` -> ``(3, 224, 224)``; None stays None (the model's default)."""
    if text is None:
        return None
    try:
        size = tuple(int(part) for part in text.replace("x", ",").split(","))
    except ValueError:
        size = ()
    if len(size) != 3 or min(size) < 1:
        raise ValueError(f"input size: {text!r} is not C,H,W with three positive whole numbers (e.g. 3,224,224).")
    return size


def source_kind(source: str) -> str:
    """``timm``, ``torchvision``, ``onnx`` or ``python`` for a SOURCE string."""
    prefix, _, rest = source.partition(":")
    if prefix in zoo.SOURCES and rest:
        return prefix
    if source.lower().endswith(".onnx") or Path(source).is_file():
        return "onnx"
    if rest and prefix and all(part.isidentifier() for part in (*prefix.split("."), *rest.split("."))):
        return "python"
    raise ValueError(f"source: {source!r} is none of timm:NAME, torchvision:NAME, a path to an .onnx file, "
                     "or package.module:callable.")


def _python_factory(source: str) -> nn.Module:
    module_name, _, attribute = source.partition(":")
    try:
        target = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"source: cannot import {module_name!r} ({error}).") from error
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise ValueError(f"source: {module_name!r} has no attribute {attribute!r}.")
        target = getattr(target, part)
    if not callable(target):
        raise ValueError(f"source: {source!r} is not callable; name a function or class that returns an nn.Module.")
    return target


def count_python(source: str, input_size: tuple[int, int, int] | None) -> SourceCount:
    """Call the factory ``package.module:callable`` with no arguments on the meta device and count its module."""
    factory = _python_factory(source)
    try:
        module, note = build_on_meta(factory)
    except TypeError as error:
        raise ValueError(f"source: {source}() cannot be called without arguments ({error}).") from error
    if not isinstance(module, nn.Module):
        raise ValueError(f"source: {source!r} returned a {type(module).__name__}, not an nn.Module.")
    size = input_size or PYTHON_DEFAULT_SIZE
    return SourceCount(source, "python", size, note, zoo.count_module(module, size))


def count_source(source: str, input_size: tuple[int, int, int] | None = None, allow_python: bool = False) -> SourceCount:
    """Count the model ``source`` names at ``input_size`` (its default if None).

    ``allow_python`` lets ``package.module:callable`` import and run the user's code; only the
    command line sets it (the app never executes user Python).
    """
    kind = source_kind(source)
    if kind in zoo.SOURCES:
        counted = zoo.count_zoo_model(kind, source.partition(":")[2], input_size)
        return SourceCount(source, kind, counted.input_size, counted.note, counted.report)
    if kind == "onnx":
        from explorer.sources import onnx as onnx_source  # onnx is imported only when a file is counted

        counted = onnx_source.count_onnx_file(Path(source), input_size)
        return SourceCount(source, kind, counted.input_size, counted.note, counted.report)
    if not allow_python:
        raise ValueError("source: package.module:callable runs your own Python, which only the command line does.")
    return count_python(source, input_size)
