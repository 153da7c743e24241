"""Building a module on the meta device, and the one way round for models that compute with tensors in ``__init__``."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils._device import _device_constructors

META_NOTE = "built on the meta device (no weights allocated)"
DATA_NOTE = (
    "built on the meta device except tensors made from Python numbers (torch.arange, torch.tensor, "
    "torch.linspace), which stay on the CPU: this model computes its layer widths with tensors in "
    "__init__ (torchvision's RegNets do), so a pure meta build cannot read them back; every weight is "
    "still on meta and no activation is allocated"
)

# Constructors that make tensors from Python numbers (ranges, lists), not weights of a given shape.
_FROM_DATA = frozenset({torch.arange, torch.tensor, torch.as_tensor, torch.linspace, torch.logspace})


class _MetaExceptData(TorchFunctionMode):
    """Like ``torch.device("meta")``, except for the constructors in :data:`_FROM_DATA`, which stay on the CPU."""

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001 - torch's signature
        kwargs = kwargs or {}
        if func in _device_constructors() and func not in _FROM_DATA and kwargs.get("device") is None:
            kwargs["device"] = "meta"
        return func(*args, **kwargs)


def build_on_meta(factory: Callable[[], nn.Module]) -> tuple[nn.Module, str]:
    """``factory()`` built on the meta device, and a sentence saying how it was built.

    A model whose ``__init__`` reads a tensor's values back (``.tolist()``, ``int(t)``) cannot be
    built on meta; it is built again with tensors made from Python numbers on the CPU (what such
    computations start from) and every weight still on meta.
    """
    try:
        with torch.device("meta"):
            return factory(), META_NOTE
    except NotImplementedError as error:
        if "meta" not in str(error):
            raise
    with _MetaExceptData():
        module = factory()
    if any(not p.is_meta for p in module.parameters()):
        raise ValueError("model: some of its weights were made from Python numbers, so it cannot be built on meta.")
    return module, DATA_NOTE
