"""One builder per block kind, each taking a validated :class:`~explorer.specs.BlockSpec`.

The construction rules follow torchvision's reference implementations so that counts
match them exactly:

- Conv-Norm-Act units have no conv bias when BatchNorm follows (``ops/misc.py``).
- MobileNetV2 inverted residual (https://arxiv.org/abs/1801.04381): hidden width
  ``round(in * t)``, ReLU6, linear 1x1 projection, no expand conv when t = 1.
- MobileNetV3 bneck (https://arxiv.org/abs/1905.02244): SE squeeze
  ``make_divisible(expanded * se_ratio, 8)`` from the *expanded* width, ReLU inside SE,
  hard-sigmoid gate.
- EfficientNet MBConv (https://arxiv.org/abs/1905.11946): hidden width
  ``make_divisible(in * t, 8)``, SE squeeze ``max(1, int(in * se_ratio))`` from the block
  *input* width, SiLU inside SE, sigmoid gate, drop connect on the residual branch.
- EfficientNetV2 Fused-MBConv (https://arxiv.org/abs/2104.00298): the expand 1x1 and the
  depthwise k x k replaced by one standard k x k conv.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import torch
from torch import nn

from explorer.models.layers import ConvNormAct, DropConnect, ResidualAdd, SqueezeExcite
from explorer.models.scaling import make_divisible
from explorer.models.specs import MAX_KERNEL, BlockSpec, block_spec


def squeeze_channels(spec: BlockSpec) -> int:
    """Width of the SE bottleneck, 0 when the block has no SE.

    The one switch that matters for counts: MobileNetV3 squeezes from the expanded width
    (rounded to a multiple of 8), EfficientNet and SENet from the block input width.
    """
    if spec.kind not in ("se", "bneck", "mbconv", "fused_mbconv") or spec.se_ratio == 0:
        return 0
    if spec.kind == "bneck":
        return make_divisible(spec.hidden_channels * spec.se_ratio, 8)
    return max(1, int(spec.in_channels * spec.se_ratio))


def _se_or_identity(spec: BlockSpec, channels: int) -> nn.Module:
    squeeze = squeeze_channels(spec)
    if squeeze == 0:
        return nn.Identity()
    inner = "relu" if spec.kind == "bneck" else spec.activation
    return SqueezeExcite(channels, squeeze, activation=inner, gate=spec.gate)


def _unit(spec: BlockSpec, cin: int, cout: int, kernel: int, **overrides) -> ConvNormAct:
    """A Conv-Norm-Act unit with the spec's norm, activation and bias unless overridden."""
    options = {"norm": spec.norm, "activation": spec.activation, "bias": spec.bias} | overrides
    return ConvNormAct(cin, cout, kernel, **options)


class InvertedBottleneck(nn.Module):
    """Expand 1x1 -> depthwise k x k -> SE -> linear project 1x1 (+ drop connect + residual).

    Shared by MobileNetV2's inverted residual, MobileNetV3's bneck and EfficientNet's MBConv;
    a part a block does not have is ``nn.Identity``.
    """

    def __init__(self, spec: BlockSpec) -> None:
        super().__init__()
        hidden = spec.hidden_channels
        self.has_residual = spec.has_residual
        self.conv_pw = _unit(spec, spec.in_channels, hidden, 1) if spec.has_expand_conv else nn.Identity()
        self.conv_dw = _unit(
            spec, hidden, hidden, spec.kernel_size, stride=spec.stride, padding=spec.padding_amount,
            dilation=spec.dilation, groups=hidden,
        )
        self.se = _se_or_identity(spec, hidden)
        self.conv_pwl = _unit(spec, hidden, spec.out_channels, 1, activation="none")
        self.drop_path = DropConnect(spec.drop_connect) if self.has_residual and spec.drop_connect else nn.Identity()
        self.residual = ResidualAdd() if self.has_residual else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branch = self.drop_path(self.conv_pwl(self.se(self.conv_dw(self.conv_pw(x)))))
        return self.residual(x, branch) if self.has_residual else branch


class FusedMBConv(nn.Module):
    """Fused-MBConv: one k x k conv (expand + spatial) -> SE -> linear project 1x1.

    With expansion 1 the block is a single k x k Conv-Norm-Act from in to out channels,
    as in torchvision's ``FusedMBConv``.
    """

    def __init__(self, spec: BlockSpec) -> None:
        super().__init__()
        hidden = spec.hidden_channels
        expands = hidden != spec.in_channels
        self.has_residual = spec.has_residual
        self.conv_fused = _unit(
            spec, spec.in_channels, hidden if expands else spec.out_channels, spec.kernel_size,
            stride=spec.stride, padding=spec.padding_amount, dilation=spec.dilation,
        )
        self.se = _se_or_identity(spec, hidden if expands else spec.out_channels)
        self.conv_pwl = _unit(spec, hidden, spec.out_channels, 1, activation="none") if expands else nn.Identity()
        self.drop_path = DropConnect(spec.drop_connect) if self.has_residual and spec.drop_connect else nn.Identity()
        self.residual = ResidualAdd() if self.has_residual else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branch = self.drop_path(self.conv_pwl(self.se(self.conv_fused(x))))
        return self.residual(x, branch) if self.has_residual else branch


def _standard(spec: BlockSpec) -> nn.Module:
    return _unit(
        spec, spec.in_channels, spec.out_channels, spec.kernel_size, stride=spec.stride,
        padding=spec.padding_amount, dilation=spec.dilation,
    )


def _group(spec: BlockSpec) -> nn.Module:
    return _unit(
        spec, spec.in_channels, spec.out_channels, spec.kernel_size, stride=spec.stride,
        padding=spec.padding_amount, dilation=spec.dilation, groups=spec.groups,
    )


def _spatially_separable(spec: BlockSpec) -> nn.Module:
    """k x 1 conv (in -> out), then 1 x k conv (out -> out), each with norm and activation."""
    k, p, d, s = spec.kernel_size, spec.padding_amount, spec.dilation, spec.stride
    return nn.Sequential(OrderedDict(
        {
            "conv_kx1": _unit(spec, spec.in_channels, spec.out_channels, (k, 1), stride=(s, 1), padding=(p, 0), dilation=d),
            "conv_1xk": _unit(spec, spec.out_channels, spec.out_channels, (1, k), stride=(1, s), padding=(0, p), dilation=d),
        }
    ))


def _depthwise_separable(spec: BlockSpec) -> nn.Module:
    """MobileNetV1: depthwise k x k (groups = C_in) then pointwise 1x1, each with BN + act."""
    return nn.Sequential(OrderedDict(
        {
            "conv_dw": _unit(
                spec, spec.in_channels, spec.in_channels, spec.kernel_size, stride=spec.stride,
                padding=spec.padding_amount, dilation=spec.dilation, groups=spec.in_channels,
            ),
            "conv_pw": _unit(spec, spec.in_channels, spec.out_channels, 1),
        }
    ))


def _gdc(spec: BlockSpec) -> nn.Module:
    """MobileFaceNet's global depthwise conv: a depthwise conv whose kernel is the whole map."""
    return nn.Sequential(OrderedDict(
        {"conv_dw": _unit(spec, spec.in_channels, spec.in_channels, spec.size, groups=spec.in_channels)}
    ))


def _se(spec: BlockSpec) -> nn.Module:
    return SqueezeExcite(spec.in_channels, squeeze_channels(spec), activation=spec.activation, gate=spec.gate)


BUILDERS: dict[str, Callable[[BlockSpec], nn.Module]] = {
    "standard": _standard,
    "spatially_separable": _spatially_separable,
    "depthwise_separable": _depthwise_separable,
    "group": _group,
    "gdc": _gdc,
    "se": _se,
    "inverted_residual": InvertedBottleneck,
    "bneck": InvertedBottleneck,
    "mbconv": InvertedBottleneck,
    "fused_mbconv": FusedMBConv,
}


def build_block(spec: BlockSpec) -> nn.Module:
    """Build the PyTorch module for ``spec`` (in eval mode, default initialisation).

    Build under ``torch.device("meta")`` to get the structure without allocating weights.
    """
    return BUILDERS[spec.kind](spec).eval()




SHARED_SHAPE_FIELDS = (
    "in_channels", "out_channels", "size", "kernel_size", "stride", "padding", "dilation", "norm", "bias",
)


def standard_equivalent(spec: BlockSpec) -> BlockSpec | None:
    """The standard conv that maps the same input to the same output shape, or None for SE.

    Same in/out channels, kernel, stride, padding and dilation; for a global depthwise conv,
    a standard conv whose kernel covers the whole map.
    """
    if spec.kind == "se":
        return None
    if spec.kind == "gdc":
        return block_spec(
            "standard", in_channels=spec.in_channels, out_channels=spec.in_channels, size=spec.size,
            kernel_size=spec.size, padding=0, norm=spec.norm, bias=spec.bias, activation=spec.activation,
        ) if spec.size <= MAX_KERNEL else None
    shared = {name: getattr(spec, name) for name in SHARED_SHAPE_FIELDS}
    return block_spec("standard", activation=spec.activation, **shared)


COMPARABLE_KINDS = (
    "standard",
    "spatially_separable",
    "depthwise_separable",
    "group",
    "inverted_residual",
    "bneck",
    "mbconv",
    "fused_mbconv",
)


def _largest_common_groups(in_channels: int, out_channels: int, wanted: int) -> int:
    """The largest group count <= ``wanted`` that divides both channel counts."""
    return max(g for g in range(1, wanted + 1) if in_channels % g == 0 and out_channels % g == 0)


def comparable_specs(spec: BlockSpec) -> dict[str, BlockSpec]:
    """Every block kind that maps the same input to the same output shape, keyed by kind.

    Shared: channels, input size, kernel, stride, padding, dilation, norm and bias; each
    kind keeps its own defaults for the rest (activation, expansion, SE ratio). The group
    conv takes the spec's groups if it divides both channel counts, else the largest
    count up to 4 that does.
    """
    if spec.kind in ("gdc", "se"):
        return {}
    shared = {name: getattr(spec, name) for name in SHARED_SHAPE_FIELDS}
    wanted_groups = spec.groups if spec.kind == "group" else 4
    specs = {}
    for kind in COMPARABLE_KINDS:
        options = dict(shared)
        if kind == "group":
            options["groups"] = _largest_common_groups(spec.in_channels, spec.out_channels, wanted_groups)
        if kind == spec.kind:
            specs[kind] = spec
            continue
        if spec.activation == "none" and kind not in ("standard",):
            options["activation"] = "none"
        specs[kind] = block_spec(kind, **options)
    return specs
