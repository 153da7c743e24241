"""torchvision's classification models by name (``torchvision.models.list_models(module=torchvision.models)``).

Each is built without weights (``weights=None``, nothing downloaded) on the meta device and
counted at the crop size of its DEFAULT weights' transforms (read from the enum, which downloads
nothing): 224 for most, 299 for Inception-v3, 600 for EfficientNet-B7, and so on.
"""

from __future__ import annotations

import functools
import warnings

import torchvision
from torch import nn

from explorer.sources.meta import build_on_meta

DEFAULT_SIZE = 224


@functools.cache
def names() -> tuple[str, ...]:
    """Every torchvision classification model name, sorted."""
    return tuple(sorted(torchvision.models.list_models(module=torchvision.models)))


def check_name(name: str) -> str:
    if name not in names():
        raise ValueError(f"torchvision model: {name!r} is not a torchvision classification model "
                         f"(one of {len(names())}, e.g. resnet50, mobilenet_v3_large, regnet_y_400mf).")
    return name


def family(name: str) -> str:
    """The torchvision module that defines ``name`` (``resnet``, ``regnet``, ``mobilenetv3``...)."""
    return torchvision.models.get_model_builder(check_name(name)).__module__.rsplit(".", 1)[-1]


def default_input_size(name: str) -> tuple[int, int, int]:
    """``(3, crop, crop)`` with the crop size of the DEFAULT weights' transforms (224 if they name none)."""
    weights = torchvision.models.get_model_weights(check_name(name)).DEFAULT
    crop = getattr(weights.transforms, "keywords", {}).get("crop_size", DEFAULT_SIZE)
    return (3, int(crop), int(crop))


def build(name: str) -> tuple[nn.Module, str]:
    """The model without weights on the meta device, and how it was built."""
    check_name(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # GoogLeNet / Inception-v3 init_weights notices
        return build_on_meta(lambda: torchvision.models.get_model(name, weights=None))


def build_real(name: str) -> nn.Module:
    """The model with random weights on the CPU (``weights=None``), to time it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return torchvision.models.get_model(check_name(name), weights=None).eval()
