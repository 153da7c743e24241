"""What each peer counter counts for one layer call, in this project's cost categories.

Derived by reading the pinned sources (``site-packages`` of the project's virtual environment) and
checked on blocks and networks by ``tests/unit/test_peers.py`` (the rules reproduce each tool's own
per-layer numbers exactly on every block kind and network family):

- **thop** 0.1.1.post2209072238, ``thop/profile.py`` (``register_hooks``, matched by exact type) and
  ``thop/vision/basic_hooks.py``, ``calc_func.py``: conv ``out_elements * C_in/groups * k*k`` (no
  bias); BatchNorm ``2 * elements``, doubled again when affine (so 4 per element); ReLU, ReLU6,
  max pooling and dropout 0; adaptive average pooling ``(H*W / (H'*W') + 1)`` per output element;
  linear ``in_features`` per output element; every unregistered type (SiLU, Hardswish, Hardsigmoid,
  Sigmoid, a subclass of a registered type, the SE multiply and the residual add) 0.
- **ptflops** 0.7.5, pytorch backend (``ptflops/pytorch_engine.py``, ``pytorch_ops.py``): a hook per
  exact type of ``MODULES_MAPPING`` plus, by default, ``torch.nn.functional`` and tensor functions
  patched for the run. Conv MACs + 1 per output element for a bias; BatchNorm 1 per input element,
  doubled when affine; ReLU, ReLU6, GELU 1 per output element; pooling 1 per *input* element;
  linear MACs + bias. The patched ``F.relu``, ``F.silu``, ``F.gelu`` and the ``F`` pooling
  functions add 1 per input element again when a module's ``forward`` calls them, so ReLU, GELU
  and every pooling count twice and SiLU once; ``F.hardtanh`` (ReLU6), ``F.hardswish``,
  ``F.hardsigmoid``, ``torch.sigmoid`` and the ``*`` / ``+`` operators are not patched: 0.
- **fvcore** 0.1.5.post20221221 (``fvcore/nn/flop_count.py``, ``jit_handles.py``): a JIT trace,
  counting aten ops: ``_convolution`` ``prod(weight) * H'*W'`` (= MACs, no bias), ``linear``
  ``prod(input) * out_features`` (no bias), ``batch_norm`` in eval 1 per element, 2 when affine,
  ``adaptive_avg_pool2d`` 1 per input element; every other op (silu, sigmoid, hardswish, mul, add)
  is "unsupported" and counts 0.
- **torchinfo** 1.8.0 (``torchinfo/layer_info.py``, ``calculate_macs``): per leaf layer, per parameter
  named ``weight`` or ``bias``: ``numel * H'*W'`` when the class name contains "Conv", ``numel *
  batch`` otherwise. So conv MACs + 1 per output element for a bias, linear MACs + out_features,
  and a BatchNorm counts its 2 x C affine parameters, not its elements; no activation, pooling,
  multiply or add.
- **FlopCounterMode** (``torch/utils/flop_counter.py``): aten convolution ``2 * prod(filter) * C_in *
  C_out * H'*W'`` and mm/addmm/bmm ``2 * M*K*N``: 2 FLOPs per MAC, bias ignored, nothing else.
  Shown here in MACs (its total / 2, the convention of this project).

Each rule maps one leaf call ``(module, inputs, output)`` (shapes only, meta tensors are fine) to
``{category: count}`` in :data:`CATEGORIES`, the count the tool adds for that call split into this
project's categories (``MACs`` for a conv or linear layer's weights, ``bias`` for its bias, the
layer's own category otherwise, ``other`` for a layer this project does not count).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from explorer.analysis.costs import OP_CATEGORIES
from explorer.models.activations import OPS_PER_ELEMENT
from explorer.models.layers import ChannelScale, ResidualAdd

CATEGORIES: tuple[str, ...] = ("MACs", *OP_CATEGORIES, "other")

Rule = Callable[[nn.Module, tuple[torch.Tensor, ...], torch.Tensor], dict[str, int]]

POOLS = (nn.modules.pooling._AdaptiveAvgPoolNd, nn.modules.pooling._AdaptiveMaxPoolNd,
         nn.modules.pooling._AvgPoolNd, nn.modules.pooling._MaxPoolNd)


def layer_category(module: nn.Module) -> str:
    """This project's category of a leaf module's cost (conv and linear weights: ``MACs``)."""
    if isinstance(module, (nn.modules.conv._ConvNd, nn.Linear)):
        return "MACs"
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        return "batchnorm"
    if isinstance(module, tuple(OPS_PER_ELEMENT)):
        return "activation"
    if isinstance(module, POOLS):
        return "pooling"
    if isinstance(module, ChannelScale):
        return "se_multiply"
    if isinstance(module, ResidualAdd):
        return "residual_add"
    return "other"


def _split(module: nn.Module, main: float, bias: float = 0) -> dict[str, int]:
    parts = {layer_category(module): int(main)}
    if bias:
        parts["bias"] = int(bias)
    return {name: count for name, count in parts.items() if count}


def _spatial(tensor: torch.Tensor) -> int:
    return math.prod(tensor.shape[2:])


def _affine(module: nn.Module) -> bool:
    return bool(getattr(module, "affine", False) or getattr(module, "elementwise_affine", False))


def _conv_macs(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> int:
    """``prod(weight) * output positions * batch`` (input positions for a transposed conv), as fvcore
    and FlopCounterMode compute it; equal to this project's conv MACs."""
    positions = _spatial(inputs[0]) if getattr(module, "transposed", False) else _spatial(output)
    return module.weight.numel() * positions * output.shape[0]


def _linear_macs(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> int:
    return math.prod(inputs[0].shape) * module.out_features


# thop: one formula per hook function of ``thop.profile.register_hooks`` (looked up by exact type).
def _thop_conv(m, inputs, output):
    return _split(m, output.numel() * (inputs[0].shape[1] // m.groups) * math.prod(m.weight.shape[2:]))


def _thop_norm(m, inputs, output):
    return _split(m, 2 * inputs[0].numel() * (2 if _affine(m) else 1))


def _thop_adaptive_avg(m, inputs, output):
    window = math.prod(float(a) / float(b) for a, b in zip(inputs[0].shape[2:], output.shape[2:], strict=True))
    return _split(m, int((window + 1) * output.numel()))


def _thop_softmax(m, inputs, output):
    features = inputs[0].shape[m.dim]
    return _split(m, inputs[0].numel() // features * (3 * features - 1))


THOP_FORMULAS: dict[str, Rule] = {
    "count_convNd": _thop_conv,
    "count_normalization": _thop_norm,
    "count_adap_avgpool": _thop_adaptive_avg,
    "count_avgpool": lambda m, inputs, output: _split(m, output.numel()),
    "count_linear": lambda m, inputs, output: _split(m, m.in_features * output.numel()),
    "count_prelu": lambda m, inputs, output: _split(m, 0 if m.training else inputs[0].numel()),
    "count_softmax": _thop_softmax,
    "count_relu": lambda m, inputs, output: {},
    "zero_ops": lambda m, inputs, output: {},
}


def thop_rule(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> dict[str, int] | None:
    """thop's count for one call; ``{}`` for a type it does not register, None for a hook not modelled here."""
    from thop.profile import register_hooks

    hook = register_hooks.get(type(module))
    if hook is None:
        return {}
    formula = THOP_FORMULAS.get(hook.__name__)
    return formula(module, inputs, output) if formula else None


# ptflops: the module hook (``MODULES_MAPPING``, exact type) plus the patched functions ``forward`` calls.
def _ptflops_conv(m, inputs, output):
    macs = math.prod(m.kernel_size) * m.in_channels * (m.out_channels // m.groups) * output.shape[0] * _spatial(output)
    return _split(m, macs, output.numel() if m.bias is not None else 0)


def _ptflops_linear(m, inputs, output):
    rows = math.prod(inputs[0].shape[:-1])
    return _split(m, rows * inputs[0].shape[-1] * output.shape[-1], rows * output.shape[-1] if m.bias is not None else 0)


PTFLOPS_FORMULAS: dict[str, Rule] = {
    "conv_flops_counter_hook": _ptflops_conv,
    "linear_flops_counter_hook": _ptflops_linear,
    "relu_flops_counter_hook": lambda m, inputs, output: _split(m, output.numel()),
    "pool_flops_counter_hook": lambda m, inputs, output: _split(m, inputs[0].numel()),
    "bn_flops_counter_hook": lambda m, inputs, output: _split(m, inputs[0].numel() * (2 if _affine(m) else 1)),
    "empty_flops_counter_hook": lambda m, inputs, output: {},
}

# Modules whose ``forward`` calls a function ptflops patches (each adds ``input.numel()``):
# torch/nn/modules/activation.py and pooling.py. ReLU6 calls F.hardtanh, which it does not patch.
PTFLOPS_PATCHED_FORWARDS: tuple[type[nn.Module], ...] = (
    nn.ReLU, nn.SiLU, nn.GELU, nn.ELU, nn.PReLU, nn.Softmax, nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d,
    nn.AdaptiveAvgPool3d, nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d, nn.AvgPool1d,
    nn.AvgPool2d, nn.AvgPool3d, nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d,
)


def ptflops_rule(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> dict[str, int] | None:
    """ptflops' count for one call (module hook + patched functional calls inside ``forward``)."""
    from ptflops.pytorch_ops import MODULES_MAPPING

    counts: dict[str, int] = {}
    hook = MODULES_MAPPING.get(type(module))
    if hook is not None:
        formula = PTFLOPS_FORMULAS.get(getattr(hook, "func", hook).__name__)
        if formula is None or getattr(hook, "keywords", None):
            return None
        counts = formula(module, inputs, output)
    if any(type(module).forward is patched.forward for patched in PTFLOPS_PATCHED_FORWARDS):
        category = layer_category(module)
        counts[category] = counts.get(category, 0) + inputs[0].numel()
    return counts


def fvcore_rule(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> dict[str, int]:
    """fvcore's count for one call: the aten ops its default handles count (eval mode)."""
    if isinstance(module, nn.modules.conv._ConvNd):
        return _split(module, _conv_macs(module, inputs, output))
    if isinstance(module, nn.Linear):
        return _split(module, _linear_macs(module, inputs, output))
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        training = module.training or not module.track_running_stats
        per_element = (5 if _affine(module) else 4) if training else (2 if _affine(module) else 1)
        return _split(module, per_element * inputs[0].numel())
    if isinstance(module, (nn.GroupNorm, nn.LayerNorm)):
        return _split(module, (5 if _affine(module) else 4) * inputs[0].numel())
    if isinstance(module, nn.AdaptiveAvgPool2d):
        return _split(module, inputs[0].numel())
    return {}


def torchinfo_rule(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> dict[str, int]:
    """torchinfo's count for one call of a leaf layer: its weight and bias counts times the output size."""
    if not isinstance(output, torch.Tensor):
        return {}
    size = list(output.shape)
    conv = "Conv" in type(module).__name__
    main = bias = 0
    for name, parameter in module.named_parameters():
        if name in ("weight", "bias"):
            count = parameter.numel() * (math.prod(size[:1] + size[2:]) if conv else size[0])
        elif "weight" in name or "bias" in name:
            count = parameter.numel() * math.prod(size[:2])
        else:
            continue
        if name == "bias" and layer_category(module) == "MACs":
            bias += count
        else:
            main += count
    return _split(module, main, bias)


def flop_counter_rule(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> dict[str, int]:
    """FlopCounterMode's count for one call, in MACs (its FLOPs / 2): conv and linear weights only."""
    if isinstance(module, nn.modules.conv._ConvNd):
        return _split(module, _conv_macs(module, inputs, output))
    if isinstance(module, nn.Linear):
        return _split(module, _linear_macs(module, inputs, output))
    return {}


@dataclass(frozen=True)
class PeerTool:
    """One peer counter: how to call it is in :mod:`explorer.analysis.peers`; here what it counts."""

    name: str
    label: str
    version: str
    unit: str
    rule: Callable[[nn.Module, tuple[torch.Tensor, ...], torch.Tensor], dict[str, int] | None]
    convention: str


TOOLS: dict[str, PeerTool] = {
    tool.name: tool
    for tool in (
        PeerTool("torchinfo", "torchinfo", "1.8.0", "mult-adds", torchinfo_rule,
                 "conv and linear MACs + 1 per output element of a bias; BatchNorm counts 2 x C (its parameters), "
                 "not its elements; no activation, pooling, SE multiply or residual add"),
        PeerTool("fvcore", "fvcore", "0.1.5.post20221221", "flops (= MACs)", fvcore_rule,
                 "conv and linear MACs (no bias) + BatchNorm 2 per element + adaptive average pooling 1 per input "
                 "element; silu, sigmoid, hardswish, mul and add are unsupported ops (0)"),
        PeerTool("ptflops", "ptflops", "0.7.5", "MACs", ptflops_rule,
                 "conv and linear MACs + bias + BatchNorm 2 per element + ReLU 2 (module hook and patched F.relu), "
                 "ReLU6 and SiLU 1 per element, pooling 2 per input element; h-swish, hard-sigmoid, sigmoid, "
                 "SE multiply and residual add 0"),
        PeerTool("thop", "thop", "0.1.1.post2209072238", "MACs", thop_rule,
                 "conv and linear MACs (no bias) + BatchNorm 4 per element + adaptive average pooling "
                 "(H*W + 1) per output element; every activation, the SE multiply and the residual add 0"),
        PeerTool("flop_counter", "FlopCounterMode", torch.__version__.split("+")[0], "FLOPs (2 per MAC)",
                 flop_counter_rule, "conv and linear MACs only (its FLOPs / 2); bias and everything else 0"),
    )
}
