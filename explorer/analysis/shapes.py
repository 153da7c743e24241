"""Output shapes by arithmetic for the meta-tensor traces of :mod:`explorer.analysis.costs` and
:mod:`explorer.analysis.memory`, so that counting starts fast.

Several of PyTorch's meta kernels are Python functions: decompositions wrapped in
``torch._disable_dynamo`` import ``torch._dynamo`` on their first call (about 2 s), and shape
checks through ``torch._check`` import sympy (about 0.2 s), both far longer than counting a whole
network. The layers here get their output shape from the formulas PyTorch documents for them
(https://pytorch.org/docs/stable/nn.html: Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Linear)
and numpy broadcasting; any other layer runs as usual on meta tensors.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import torch
from torch import nn

from explorer.models.activations import OPS_PER_ELEMENT
from explorer.models.layers import ChannelScale, ResidualAdd


def _same_shape(module: nn.Module, x: torch.Tensor) -> tuple[int, ...]:
    return tuple(x.shape)


def _broadcast_shape(module: nn.Module, *inputs: torch.Tensor) -> tuple[int, ...]:
    """NumPy broadcasting: shapes aligned from the right, each dimension equal or 1."""
    rank = max(tensor.dim() for tensor in inputs)
    shapes = [(1,) * (rank - tensor.dim()) + tuple(tensor.shape) for tensor in inputs]
    result = []
    for sizes in zip(*shapes, strict=True):
        wide = {size for size in sizes if size != 1}
        if len(wide) > 1:
            raise RuntimeError(f"shapes {[tuple(tensor.shape) for tensor in inputs]} cannot be broadcast together")
        result.append(wide.pop() if wide else 1)
    return tuple(result)


def _linear_shape(module: nn.Linear, x: torch.Tensor) -> tuple[int, ...]:
    if x.dim() == 0 or x.shape[-1] != module.in_features:
        rows = math.prod(x.shape[:-1])
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1] if x.dim() else 1} and "
            f"{module.in_features}x{module.out_features})"
        )
    return (*x.shape[:-1], module.out_features)


def _adaptive_pool_shape(module: nn.AdaptiveAvgPool2d | nn.AdaptiveMaxPool2d, x: torch.Tensor) -> tuple[int, ...]:
    if x.dim() not in (3, 4) or 0 in x.shape[-3:]:
        raise RuntimeError(f"adaptive pooling: expected 3D or 4D tensor with non-zero sizes, got {tuple(x.shape)}")
    size = module.output_size if isinstance(module.output_size, (tuple, list)) else (module.output_size,) * 2
    return (*x.shape[:-2], *(x.shape[i - 2] if s is None else s for i, s in enumerate(size)))


def _conv_shape(module: nn.modules.conv._ConvNd, x: torch.Tensor) -> tuple[int, ...]:
    """``floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1`` per spatial dimension."""
    spatial = len(module.kernel_size)
    channels = x.shape[-spatial - 1] if x.dim() in (spatial + 1, spatial + 2) else None
    if channels != module.in_channels:
        raise RuntimeError(f"expected input{list(x.shape)} to have {module.in_channels} channels, but got {channels}")
    padding = (0,) * spatial if module.padding == "valid" else module.padding
    sizes = tuple(x.shape[-spatial:])
    if padding != "same":
        parts = zip(sizes, module.kernel_size, module.stride, padding, module.dilation, strict=True)
        sizes = tuple((size + 2 * pad - dilation * (kernel - 1) - 1) // step + 1 for size, kernel, step, pad, dilation in parts)
    if min(sizes) < 1:
        raise RuntimeError(f"Given input size {tuple(x.shape)}, the calculated output size {sizes} is too small")
    return (*x.shape[:-spatial - 1], module.out_channels, *sizes)


def _window_pool_shape(module: nn.MaxPool2d | nn.AvgPool2d, x: torch.Tensor) -> tuple[int, ...]:
    """The conv formula per dimension; with ``ceil_mode`` rounded up unless the last window would start in the padding."""
    kernel, stride, padding = (value if isinstance(value, tuple) else (value,) * 2 for value in
                               (module.kernel_size, module.stride or module.kernel_size, module.padding))
    dilation = getattr(module, "dilation", 1)
    dilation = dilation if isinstance(dilation, tuple) else (dilation,) * 2
    if x.dim() not in (3, 4) or any(2 * p > d * (k - 1) + 1 for p, k, d in zip(padding, kernel, dilation, strict=True)):
        raise RuntimeError(f"pooling: input {tuple(x.shape)} must be 3D or 4D and padding at most half the kernel")
    sizes = []
    for size, k, step, pad, d in zip(x.shape[-2:], kernel, stride, padding, dilation, strict=True):
        span = size + 2 * pad - d * (k - 1) - 1
        out = (span + (step - 1 if module.ceil_mode else 0)) // step + 1
        sizes.append(out - 1 if module.ceil_mode and (out - 1) * step >= size + pad else out)
    if min(sizes) < 1:
        raise RuntimeError(f"Given input size {tuple(x.shape)}, the calculated output size {tuple(sizes)} is too small")
    return (*x.shape[:-2], *sizes)


ShapeRule = Callable[..., tuple[int, ...]]

# Output shapes by arithmetic, for modules whose meta kernels are Python functions in PyTorch:
# decompositions wrapped in ``torch._disable_dynamo`` import ``torch._dynamo`` (~2 s) on their
# first call, and the conv's shape checks import sympy (~0.2 s), far longer than a whole count.
OUTPUT_SHAPES: dict[type[nn.Module], ShapeRule] = {
    nn.Conv1d: _conv_shape,
    nn.Conv2d: _conv_shape,
    nn.Conv3d: _conv_shape,
    nn.modules.batchnorm._BatchNorm: _same_shape,
    nn.Linear: _linear_shape,
    nn.AdaptiveAvgPool2d: _adaptive_pool_shape,
    nn.AdaptiveMaxPool2d: _adaptive_pool_shape,
    nn.MaxPool2d: _window_pool_shape,
    nn.AvgPool2d: _window_pool_shape,
    ChannelScale: _broadcast_shape,
    ResidualAdd: _broadcast_shape,
} | {activation: _same_shape for activation in OPS_PER_ELEMENT if activation is not nn.Identity}


def shape_only_forward(module: nn.Module) -> Callable[..., torch.Tensor] | None:
    """A stand-in ``forward`` for the meta trace that returns an empty tensor of the output's shape.

    It returns the input itself for an in-place activation, as the real module does, so that
    memory's tensor identities are unchanged. None for a module without an arithmetic shape
    rule, whose class overrides the ``forward`` the rule describes, or that returns indices too.
    """
    rule = next(
        (rule for cls, rule in OUTPUT_SHAPES.items() if isinstance(module, cls) and type(module).forward is cls.forward),
        None,
    )
    if rule is None or getattr(module, "return_indices", False):
        return None

    def forward(*inputs: torch.Tensor) -> torch.Tensor:
        shape = rule(module, *inputs)
        if getattr(module, "inplace", False):
            return inputs[0]
        dtype = functools.reduce(torch.promote_types, (tensor.dtype for tensor in inputs))
        return torch.empty(shape, dtype=dtype, device="meta")

    return forward
