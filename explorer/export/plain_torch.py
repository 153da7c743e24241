"""Plain-PyTorch building blocks that the downloadable Python snippets are made of.

This module imports nothing but torch: :mod:`explorer.export.snippets` copies the source of
the parts a block or network needs into its snippet, so the snippet runs with only torch
installed, from any folder. Each part builds exactly the module the app builds
(:mod:`explorer.models.layers`, :mod:`explorer.models.blocks`, :mod:`explorer.models.networks.build`):
the same classes, child names, ``state_dict`` keys and shapes, so the counts agree; a test
runs every snippet in a clean interpreter and compares.

Papers: depthwise-separable conv, MobileNetV1 (https://arxiv.org/abs/1704.04861); inverted
residual, MobileNetV2 (https://arxiv.org/abs/1801.04381); bneck and h-swish, MobileNetV3
(https://arxiv.org/abs/1905.02244); MBConv, EfficientNet (https://arxiv.org/abs/1905.11946);
Fused-MBConv, EfficientNetV2 (https://arxiv.org/abs/2104.00298); squeeze-and-excitation, SENet
(https://arxiv.org/abs/1709.01507); global depthwise conv, MobileFaceNet (https://arxiv.org/abs/1804.07573);
spatially separable conv, Inception-v3 (https://arxiv.org/abs/1512.00567); stochastic depth
(https://arxiv.org/abs/1603.09382).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import torch
from torch import nn

Activation = type[nn.Module] | None  # an activation class such as nn.ReLU, or None for no activation


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round to the nearest multiple of ``divisor``, never below 90% of ``value`` (MobileNet reference code)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def same_padding(kernel_size: int, dilation: int, padding: int | str) -> int:
    """``"same"`` is ``(k - 1) // 2 * dilation`` pixels, as in torchvision; a number is kept as it is."""
    return (kernel_size - 1) // 2 * dilation if padding == "same" else int(padding)


class ConvNormAct(nn.Sequential):
    """Convolution, then BatchNorm (or nothing), then an activation (or nothing: ``activation=None``).

    The conv has no bias when BatchNorm follows it (BatchNorm's shift replaces it).
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0, dilation: int = 1, groups: int = 1, batch_norm: bool = True,
        activation: Activation = nn.ReLU, bias: bool = False,
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, stride=stride, padding=padding, dilation=dilation, groups=groups,
            bias=bias and not batch_norm,
        )
        self.bn = nn.BatchNorm2d(out_channels) if batch_norm else nn.Identity()
        self.act = activation() if activation else nn.Identity()


class ChannelScale(nn.Module):
    """Multiply every channel of ``x`` by its gate value: the SE "scale" step."""

    def forward(self, x: torch.Tensor, gate: torch.Tensor) -> torch.Tensor:
        return x * gate


class ResidualAdd(nn.Module):
    """Element-wise sum of the shortcut and the residual branch."""

    def forward(self, shortcut: torch.Tensor, branch: torch.Tensor) -> torch.Tensor:
        return shortcut + branch


class DropConnect(nn.Module):
    """Stochastic depth: in training, keep a sample's whole branch with probability 1 - p (rescaled); eval: identity."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = float(p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        survival = 1.0 - self.p
        keep = torch.empty((x.shape[0],) + (1,) * (x.dim() - 1), dtype=x.dtype, device=x.device).bernoulli_(survival)
        return x * keep / survival

    def extra_repr(self) -> str:
        return f"p={self.p}"


class SqueezeExcite(nn.Module):
    """Squeeze-and-excitation: pool -> 1x1 reduce -> act -> 1x1 expand -> gate -> scale (no BatchNorm inside)."""

    def __init__(
        self, channels: int, squeeze_channels: int, activation: Activation = nn.ReLU, gate: Activation = nn.Sigmoid,
    ) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze_channels, 1)
        self.act = activation() if activation else nn.Identity()
        self.fc2 = nn.Conv2d(squeeze_channels, channels, 1)
        self.gate = gate()
        self.scale = ChannelScale()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.scale(x, self.gate(self.fc2(self.act(self.fc1(self.pool(x))))))


class InvertedBottleneck(nn.Module):
    """Expand 1x1 -> depthwise k x k -> SE -> linear project 1x1 (+ drop connect + residual add).

    MobileNetV2's inverted residual, MobileNetV3's bneck and EfficientNet's MBConv; a part the
    block does not have is ``nn.Identity``. The residual add needs stride 1, equal widths and
    a padding that keeps the map's size (2 x padding = dilation x (k - 1)); ``skip=False``
    removes it whatever the shapes (timm's ``noskip``).
    """

    def __init__(
        self, in_channels: int, expanded_channels: int, out_channels: int, kernel_size: int, stride: int, padding: int,
        dilation: int = 1, squeeze_channels: int = 0, activation: Activation = nn.ReLU6, se_activation: Activation = nn.ReLU,
        gate: Activation = nn.Sigmoid, batch_norm: bool = True, bias: bool = False, drop_connect: float = 0.0,
        skip: bool = True,
    ) -> None:
        super().__init__()
        hidden, unit = expanded_channels, {"batch_norm": batch_norm, "bias": bias}
        self.has_residual = (
            skip and stride == 1 and in_channels == out_channels and 2 * padding == dilation * (kernel_size - 1)
        )
        self.conv_pw = nn.Identity() if hidden == in_channels else ConvNormAct(
            in_channels, hidden, 1, activation=activation, **unit,
        )
        self.conv_dw = ConvNormAct(
            hidden, hidden, kernel_size, stride=stride, padding=padding, dilation=dilation, groups=hidden, activation=activation,
            **unit,
        )
        self.se = SqueezeExcite(hidden, squeeze_channels, se_activation, gate) if squeeze_channels else nn.Identity()
        self.conv_pwl = ConvNormAct(hidden, out_channels, 1, activation=None, **unit)  # the linear bottleneck
        self.drop_path = DropConnect(drop_connect) if self.has_residual and drop_connect else nn.Identity()
        self.residual = ResidualAdd() if self.has_residual else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branch = self.drop_path(self.conv_pwl(self.se(self.conv_dw(self.conv_pw(x)))))
        return self.residual(x, branch) if self.has_residual else branch


class FusedMBConv(nn.Module):
    """Fused-MBConv: one k x k conv (expand + spatial) -> SE -> linear project 1x1 (+ drop connect + residual).

    Without expansion the block is a single k x k Conv-Norm-Act from in to out channels;
    ``skip=False`` removes the residual add (timm's ``noskip``).
    """

    def __init__(
        self, in_channels: int, expanded_channels: int, out_channels: int, kernel_size: int, stride: int, padding: int,
        dilation: int = 1, squeeze_channels: int = 0, activation: Activation = nn.SiLU, gate: Activation = nn.Sigmoid,
        batch_norm: bool = True, bias: bool = False, drop_connect: float = 0.0, skip: bool = True,
    ) -> None:
        super().__init__()
        unit = {"batch_norm": batch_norm, "bias": bias}
        expands = expanded_channels != in_channels
        fused_out = expanded_channels if expands else out_channels
        self.has_residual = (
            skip and stride == 1 and in_channels == out_channels and 2 * padding == dilation * (kernel_size - 1)
        )
        self.conv_fused = ConvNormAct(
            in_channels, fused_out, kernel_size, stride=stride, padding=padding, dilation=dilation, activation=activation, **unit,
        )
        self.se = SqueezeExcite(fused_out, squeeze_channels, activation, gate) if squeeze_channels else nn.Identity()
        self.conv_pwl = ConvNormAct(expanded_channels, out_channels, 1, activation=None, **unit) if expands else nn.Identity()
        self.drop_path = DropConnect(drop_connect) if self.has_residual and drop_connect else nn.Identity()
        self.residual = ResidualAdd() if self.has_residual else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branch = self.drop_path(self.conv_pwl(self.se(self.conv_fused(x))))
        return self.residual(x, branch) if self.has_residual else branch


def standard(
    in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1, padding: int | str = "same", dilation: int = 1,
    activation: Activation = nn.ReLU, batch_norm: bool = True, bias: bool = False,
) -> ConvNormAct:
    """A standard k x k convolution with BatchNorm and activation."""
    return ConvNormAct(
        in_channels, out_channels, kernel_size, stride=stride, padding=same_padding(kernel_size, dilation, padding),
        dilation=dilation, batch_norm=batch_norm, activation=activation, bias=bias,
    )


def group(
    in_channels: int, out_channels: int, groups: int, kernel_size: int = 3, stride: int = 1, padding: int | str = "same",
    dilation: int = 1, activation: Activation = nn.ReLU, batch_norm: bool = True, bias: bool = False,
) -> ConvNormAct:
    """Group conv (AlexNet, ResNeXt): channels split into ``groups``; params and MACs divided by ``groups``."""
    return ConvNormAct(
        in_channels, out_channels, kernel_size, stride=stride, padding=same_padding(kernel_size, dilation, padding),
        dilation=dilation, groups=groups, batch_norm=batch_norm, activation=activation, bias=bias,
    )


def spatially_separable(
    in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1, padding: int | str = "same", dilation: int = 1,
    activation: Activation = nn.ReLU, batch_norm: bool = True, bias: bool = False,
) -> nn.Sequential:
    """A k x 1 conv (in -> out), then a 1 x k conv (out -> out), each with BatchNorm and activation."""
    k, s, p, unit = kernel_size, stride, same_padding(kernel_size, dilation, padding), {"batch_norm": batch_norm, "bias": bias}
    return nn.Sequential(OrderedDict(
        conv_kx1=ConvNormAct(in_channels, out_channels, (k, 1), (s, 1), (p, 0), dilation, activation=activation, **unit),
        conv_1xk=ConvNormAct(out_channels, out_channels, (1, k), (1, s), (0, p), dilation, activation=activation, **unit),
    ))


def depthwise_separable(
    in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1, padding: int | str = "same", dilation: int = 1,
    activation: Activation = nn.ReLU, batch_norm: bool = True, bias: bool = False,
) -> nn.Sequential:
    """MobileNetV1: a depthwise k x k conv (groups = in_channels), then a pointwise 1x1 conv, each with BN + act."""
    unit = {"batch_norm": batch_norm, "activation": activation, "bias": bias}
    return nn.Sequential(OrderedDict(
        conv_dw=ConvNormAct(
            in_channels, in_channels, kernel_size, stride=stride, padding=same_padding(kernel_size, dilation, padding),
            dilation=dilation, groups=in_channels, **unit,
        ),
        conv_pw=ConvNormAct(in_channels, out_channels, 1, **unit),
    ))


def gdc(
    in_channels: int, size: int, activation: Activation = None, batch_norm: bool = True, bias: bool = False,
) -> nn.Sequential:
    """MobileFaceNet's global depthwise conv: a depthwise conv whose kernel is the whole ``size`` x ``size`` map."""
    return nn.Sequential(OrderedDict(
        conv_dw=ConvNormAct(
            in_channels, in_channels, size, groups=in_channels, activation=activation, batch_norm=batch_norm, bias=bias,
        ),
    ))


def se(
    in_channels: int, se_ratio: float = 0.0625, activation: Activation = nn.ReLU, gate: Activation = nn.Sigmoid,
) -> SqueezeExcite:
    """SENet's squeeze-and-excitation on its own: squeeze width ``max(1, int(in_channels * se_ratio))``."""
    return SqueezeExcite(in_channels, max(1, int(in_channels * se_ratio)), activation, gate)


def inverted_residual(
    in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1, padding: int | str = "same", dilation: int = 1,
    expansion: float = 6.0, expanded_channels: int | None = None, drop_connect: float = 0.0, activation: Activation = nn.ReLU6,
    batch_norm: bool = True, bias: bool = False, skip: bool = True,
) -> InvertedBottleneck:
    """MobileNetV2's inverted residual with linear bottleneck: hidden width ``round(in * t)``, no SE."""
    return InvertedBottleneck(
        in_channels=in_channels, expanded_channels=expanded_channels or int(round(in_channels * expansion)),
        out_channels=out_channels, kernel_size=kernel_size, stride=stride, padding=same_padding(kernel_size, dilation, padding),
        dilation=dilation, activation=activation, batch_norm=batch_norm, bias=bias, drop_connect=drop_connect, skip=skip,
    )


def bneck(
    in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1, padding: int | str = "same", dilation: int = 1,
    expansion: float = 4.0, expanded_channels: int | None = None, drop_connect: float = 0.0, se_ratio: float = 0.25,
    gate: Activation = nn.Hardsigmoid, activation: Activation = nn.Hardswish, batch_norm: bool = True, bias: bool = False,
    skip: bool = True,
) -> InvertedBottleneck:
    """MobileNetV3's bneck: hidden ``round(in * t)``; SE squeezes the *expanded* width (round8(hidden x ratio)), ReLU inside."""
    hidden = expanded_channels or int(round(in_channels * expansion))
    squeeze = make_divisible(hidden * se_ratio) if se_ratio else 0
    return InvertedBottleneck(
        in_channels=in_channels, expanded_channels=hidden, out_channels=out_channels, kernel_size=kernel_size, stride=stride,
        padding=same_padding(kernel_size, dilation, padding), dilation=dilation, squeeze_channels=squeeze, activation=activation,
        se_activation=nn.ReLU, gate=gate, batch_norm=batch_norm, bias=bias, drop_connect=drop_connect, skip=skip,
    )


def mbconv(
    in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1, padding: int | str = "same", dilation: int = 1,
    expansion: float = 6.0, expanded_channels: int | None = None, drop_connect: float = 0.0, se_ratio: float = 0.25,
    gate: Activation = nn.Sigmoid, activation: Activation = nn.SiLU, batch_norm: bool = True, bias: bool = False,
    skip: bool = True,
) -> InvertedBottleneck:
    """EfficientNet's MBConv: hidden ``make_divisible(in * t, 8)``; SE squeezes the block *input* width, swish inside."""
    hidden = expanded_channels or make_divisible(in_channels * expansion)
    squeeze = max(1, int(in_channels * se_ratio)) if se_ratio else 0
    return InvertedBottleneck(
        in_channels=in_channels, expanded_channels=hidden, out_channels=out_channels, kernel_size=kernel_size, stride=stride,
        padding=same_padding(kernel_size, dilation, padding), dilation=dilation, squeeze_channels=squeeze, activation=activation,
        se_activation=activation, gate=gate, batch_norm=batch_norm, bias=bias, drop_connect=drop_connect, skip=skip,
    )


def fused_mbconv(
    in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1, padding: int | str = "same", dilation: int = 1,
    expansion: float = 4.0, expanded_channels: int | None = None, drop_connect: float = 0.0, se_ratio: float = 0.0,
    gate: Activation = nn.Sigmoid, activation: Activation = nn.SiLU, batch_norm: bool = True, bias: bool = False,
    skip: bool = True,
) -> FusedMBConv:
    """EfficientNetV2's Fused-MBConv: hidden ``make_divisible(in * t, 8)``; SE (if any) squeezes the block input width."""
    hidden = expanded_channels or make_divisible(in_channels * expansion)
    squeeze = max(1, int(in_channels * se_ratio)) if se_ratio else 0
    return FusedMBConv(
        in_channels=in_channels, expanded_channels=hidden, out_channels=out_channels, kernel_size=kernel_size, stride=stride,
        padding=same_padding(kernel_size, dilation, padding), dilation=dilation, squeeze_channels=squeeze, activation=activation,
        gate=gate, batch_norm=batch_norm, bias=bias, drop_connect=drop_connect, skip=skip,
    )


def build_stages(rows: list[dict], stochastic_depth_prob: float = 0.0) -> nn.Sequential:
    """One ``nn.Sequential`` per table row of ``repeats`` blocks made by the row's ``block`` function.

    The first block of a row has the row's stride, input width and (gdc) map size; the others
    stride 1, the row's output width (gdc and se keep their input's) and a 1 x 1 map (what a
    global conv leaves). Drop connect rises linearly with the block's index over the whole
    network (``p * index / number_of_blocks``), so the first block has none.
    """
    total, index, stages = sum(row["repeats"] for row in rows), 0, []
    for row in rows:
        first = {key: row[key] for key in ("in_channels", "stride", "size") if key in row}
        later = {"in_channels": row.get("out_channels", row["in_channels"]), "stride": 1, "size": 1}
        options = {key: value for key, value in row.items() if key not in ("block", "repeats", *first)}
        blocks = []
        for repeat in range(row["repeats"]):
            drop = {"drop_connect": stochastic_depth_prob * index / total} if stochastic_depth_prob else {}
            shape = {key: later[key] for key in first} if repeat else first
            blocks.append(row["block"](**shape, **options, **drop))
            index += 1
        stages.append(nn.Sequential(*blocks))
    return nn.Sequential(*stages)


class Network(nn.Module):
    """``stem`` -> ``stages`` (one ``nn.Sequential`` per table row) -> ``head`` -> ``classifier``."""

    def __init__(self, stem: nn.Module, stages: nn.Sequential, head: nn.Sequential, classifier: nn.Sequential) -> None:
        super().__init__()
        self.stem = stem
        self.stages = stages
        self.head = head
        self.classifier = classifier

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.head(self.stages(self.stem(x))))


def count(model: nn.Module, image: torch.Tensor) -> tuple[int, int, torch.Tensor]:
    """Parameters, MACs of one image and the output: one forward pass with hooks on the conv and linear layers.

    MACs (multiply-accumulates) of a conv: output elements x in_channels / groups x k_h x k_w;
    of a linear layer: output elements x in_features. Everything else (BatchNorm, activations,
    pooling, the SE multiply, residual adds) is not a MAC. Parameters include BatchNorm's.
    """
    macs = 0

    def conv_macs(module: nn.Conv2d, inputs: tuple, output: torch.Tensor) -> None:
        nonlocal macs
        macs += output.numel() * (module.in_channels // module.groups) * module.kernel_size[0] * module.kernel_size[1]

    def linear_macs(module: nn.Linear, inputs: tuple, output: torch.Tensor) -> None:
        nonlocal macs
        macs += output.numel() * module.in_features

    hooks = [
        layer.register_forward_hook(conv_macs if isinstance(layer, nn.Conv2d) else linear_macs)
        for layer in model.modules() if isinstance(layer, (nn.Conv2d, nn.Linear))
    ]
    try:
        with torch.no_grad():
            output = model(image)
    finally:
        for hook in hooks:
            hook.remove()
    return sum(parameter.numel() for parameter in model.parameters()), macs, output


def forward_memory(build_model: Callable[[], nn.Module], input_shape: tuple[int, ...]) -> int:
    """Bytes one forward pass of one image needs, estimated on the meta device before anything is allocated.

    The weights, the input and three times the largest layer output (a residual's input, a layer's input
    and its output are live at once in these networks), times 1.7 for the allocator's slack, and a copy
    of the largest layer's weights (the CPU kernels reorder a conv's weights while it runs): the rule of
    the explorer's own memory budget (``explorer/analysis/budget.py``).
    """
    largest_output = largest_weights = 0

    def record(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        nonlocal largest_output, largest_weights
        if isinstance(output, torch.Tensor):
            largest_output = max(largest_output, output.numel() * output.element_size())
        own = sum(p.numel() * p.element_size() for p in module.parameters(recurse=False))
        largest_weights = max(largest_weights, own)

    with torch.device("meta"):
        model = build_model().eval()
        hooks = [module.register_forward_hook(record) for module in model.modules()]
        with torch.no_grad():
            model(torch.empty(1, *input_shape))
    for hook in hooks:
        hook.remove()
    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    image = 4 * torch.Size(input_shape).numel()
    return int(1.7 * (weights + image + 3 * largest_output)) + largest_weights
