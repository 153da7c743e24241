"""timm's models by name (``timm.list_models()``), built with ``pretrained=False`` on the meta device.

Each is counted at its own default input size, ``pretrained_cfg["input_size"]`` of the default
pretrained tag (read from timm's registry; nothing is downloaded).
"""

from __future__ import annotations

import functools
import warnings

import timm
from torch import nn

from explorer.sources.meta import build_on_meta


@functools.cache
def names() -> tuple[str, ...]:
    """Every timm model architecture name, sorted (timm's own natural order)."""
    return tuple(timm.list_models())


@functools.cache
def _families() -> dict[str, str]:
    return {model: module for module in timm.list_modules() for model in timm.list_models(module=module)}


def check_name(name: str) -> str:
    if name not in _families():
        raise ValueError(f"timm model: {name!r} is not a timm model (one of {len(names())}, "
                         "e.g. mobilenetv4_conv_small, efficientnet_b0, ghostnet_100).")
    return name


def family(name: str) -> str:
    """The timm module that defines ``name`` (``efficientnet``, ``mobilenetv3``, ``ghostnet``...)."""
    return _families()[check_name(name)]


def families() -> tuple[str, ...]:
    return tuple(sorted(set(_families().values())))


def default_input_size(name: str) -> tuple[int, int, int]:
    """The default pretrained config's ``input_size`` (``(3, 224, 224)`` for a model with none)."""
    cfg = timm.models.get_pretrained_cfg(check_name(name))
    size = cfg.input_size if cfg is not None and cfg.input_size else (3, 224, 224)
    return tuple(int(d) for d in size)


def build(name: str) -> tuple[nn.Module, str]:
    """The model without weights (``pretrained=False``) on the meta device, and how it was built."""
    check_name(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return build_on_meta(lambda: timm.create_model(name, pretrained=False))


def build_real(name: str) -> nn.Module:
    """The model with random weights on the CPU (``pretrained=False``), to time it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return timm.create_model(check_name(name), pretrained=False).eval()
