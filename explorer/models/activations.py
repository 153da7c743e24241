"""The one activation registry: name, aliases, PyTorch module, ops per element, curve and where it is used.

Specs validate names against it, layers build modules from it, the cost engine counts
``ops_per_element`` for each module type, and the activation page draws its curves.

Papers: ReLU6 and the linear bottleneck, MobileNetV2 (https://arxiv.org/abs/1801.04381);
swish x·σ(βx), Ramachandran et al. 2017 (https://arxiv.org/abs/1710.05941); hard-sigmoid and
h-swish, MobileNetV3 (https://arxiv.org/abs/1905.02244); GELU, Hendrycks & Gimpel 2016
(https://arxiv.org/abs/1606.08415); Mish, Misra 2019 (https://arxiv.org/abs/1908.08681); sigmoid
SE gate, SENet (https://arxiv.org/abs/1709.01507).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class Activation:
    """One activation function and everything the project says about it.

    ``ops_per_element`` is the cost engine's convention for one output element; ``curve`` computes
    it with PyTorch's own function (``beta`` matters only for swish's x·σ(βx)); ``in_blocks`` says
    whether a block's activation may be it, ``gate`` whether an SE gate may be it.
    """

    name: str
    label: str
    formula: str
    module: type[nn.Module]
    ops_per_element: int
    ops_note: str
    curve: Callable[[torch.Tensor, float], torch.Tensor]
    used_in: str
    aliases: tuple[str, ...] = ()
    in_blocks: bool = True
    gate: bool = False
    drawn: bool = True


def _swish(x: torch.Tensor, beta: float) -> torch.Tensor:
    """x·σ(βx) computed as SiLU(βx) / β with PyTorch's SiLU."""
    return F.silu(beta * x) / beta


REGISTRY: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("relu", "ReLU", "max(x, 0)", nn.ReLU, 1, "max(x, 0)", lambda x, b: F.relu(x),
                   "MobileNetV1 everywhere; MobileNetV3 early bnecks and inside its SE; SENet"),
        Activation("relu6", "ReLU6", "min(max(x, 0), 6)", nn.ReLU6, 2, "max, min", lambda x, b: F.relu6(x),
                   "MobileNetV2 after expand and depthwise convs (never after the linear projection)"),
        Activation("sigmoid", "sigmoid", "1 / (1 + e^-x)", nn.Sigmoid, 4, "negate, exp, add 1, divide",
                   lambda x, b: torch.sigmoid(x), "SE gate in SENet and EfficientNet (MBConv)", gate=True),
        Activation("hsigmoid", "hard-sigmoid", "ReLU6(x + 3) / 6", nn.Hardsigmoid, 4, "add 3, max, min, multiply by 1/6",
                   lambda x, b: F.hardsigmoid(x), "SE gate in MobileNetV3",
                   aliases=("hardsigmoid", "h_sigmoid", "hard_sigmoid"), gate=True),
        Activation("swish", "swish / SiLU", "x·σ(βx)", nn.SiLU, 5, "sigmoid (4) + multiply", _swish,
                   "EfficientNet every conv unit and inside SE (β = 1); EfficientNetV2", aliases=("silu",)),
        Activation("hswish", "h-swish", "x·ReLU6(x + 3) / 6", nn.Hardswish, 5, "hard-sigmoid (4) + multiply",
                   lambda x, b: F.hardswish(x),
                   "MobileNetV3: stem and second half only (Large from the 80-channel stage, Small from the "
                   "40-channel stage), plus the last convs", aliases=("hardswish", "h_swish", "hard_swish")),
        Activation("gelu", "GELU", "x·Φ(x)", nn.GELU, 8, "tanh approximation: cube, 2 mul, add, tanh, add, 2 mul",
                   lambda x, b: F.gelu(x), "context: Transformers (BERT, ViT), ConvNeXt; not in these CNNs",
                   in_blocks=False),
        Activation("mish", "Mish", "x·tanh(softplus(x))", nn.Mish, 6, "softplus (exp, add, log), tanh, multiply",
                   lambda x, b: F.mish(x), "context: YOLOv4 backbone; not in these CNNs", in_blocks=False),
        Activation("tanh", "tanh", "(e^x - e^-x) / (e^x + e^-x)", nn.Tanh, 4, "counted like sigmoid: exponential, add, divide",
                   lambda x, b: torch.tanh(x), "context: RNNs, inside Mish and GELU's approximation; not in these CNNs",
                   in_blocks=False, drawn=False),
        Activation("none", "none (linear)", "x", nn.Identity, 0, "nothing", lambda x, b: x,
                   "MobileNetV2's linear bottleneck: the 1x1 projection has no activation",
                   aliases=("identity", "linear"), drawn=False),
    )
}

ALIASES: dict[str, str] = {alias: a.name for a in REGISTRY.values() for alias in a.aliases}
BLOCK_ACTIVATIONS: tuple[str, ...] = tuple(name for name, a in REGISTRY.items() if a.in_blocks)
GATE_NAMES: tuple[str, ...] = tuple(name for name, a in REGISTRY.items() if a.gate)
DRAWN: tuple[str, ...] = tuple(name for name, a in REGISTRY.items() if a.drawn)
OPS_PER_ELEMENT: dict[type[nn.Module], int] = {
    a.module: a.ops_per_element for a in REGISTRY.values() if a.module is not nn.Identity
}


def canonical_activation(name: str, allowed: tuple[str, ...] = BLOCK_ACTIVATIONS, field: str = "activation") -> str:
    """The registry name for ``name``, resolving aliases and case (``SiLU`` -> ``swish``).

    Raises:
        ValueError: ``name`` is not one of ``allowed`` or their aliases (the message lists them).
    """
    key = str(name).strip().lower()
    key = ALIASES.get(key, key)
    if key not in allowed:
        aliases = [alias for alias, target in ALIASES.items() if target in allowed]
        raise ValueError(f"{field}: unknown name {name!r}; valid names are {', '.join(allowed + tuple(aliases))}.")
    return key


def make_activation(name: str) -> nn.Module:
    """A fresh activation module by registry name or alias (``silu`` = ``swish``, ``none`` = identity)."""
    return REGISTRY[canonical_activation(name, tuple(REGISTRY))].module()


def activation_label(name: str) -> str:
    """How a person reads an activation's name: ``hswish`` -> ``h-swish``, ``swish`` -> ``swish / SiLU``."""
    return REGISTRY[canonical_activation(name, tuple(REGISTRY))].label

