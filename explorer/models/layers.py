"""Building units shared by every block: Conv-Norm-Act, squeeze-excite, and the small modules
that make every operation visible to the cost engine (channel scaling, residual add, drop connect).

Each operation a block performs is a module, never an inline expression in ``forward``,
so that per-layer cost rows read like the paper and nothing goes uncounted.

Papers: squeeze-and-excitation, Hu et al. 2018 (https://arxiv.org/abs/1709.01507);
hard-sigmoid and h-swish, Howard et al. 2019 (https://arxiv.org/abs/1905.02244);
swish, Ramachandran et al. 2017 (https://arxiv.org/abs/1710.05941); stochastic depth,
Huang et al. 2016 (https://arxiv.org/abs/1603.09382).
"""

from __future__ import annotations

import torch
from torch import nn

from explorer.models.activations import make_activation


class ConvNormAct(nn.Sequential):
    """Convolution, then BatchNorm (or nothing), then an activation (or nothing).

    Children are ``conv``, ``bn`` and ``act``; a missing part is ``nn.Identity``. The conv
    has no bias when BatchNorm follows it, as in torchvision's ``Conv2dNormActivation``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        dilation: int = 1,
        groups: int = 1,
        norm: str = "batch",
        activation: str = "relu",
        bias: bool = False,
    ) -> None:
        super().__init__()
        with_norm = norm == "batch"
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, stride=stride, padding=padding,
            dilation=dilation, groups=groups, bias=bias and not with_norm,
        )
        self.bn = nn.BatchNorm2d(out_channels) if with_norm else nn.Identity()
        self.act = make_activation(activation)


class ChannelScale(nn.Module):
    """Multiply every channel of ``x`` by its gate value: the SE "scale" step."""

    def forward(self, x: torch.Tensor, gate: torch.Tensor) -> torch.Tensor:
        return x * gate


class ResidualAdd(nn.Module):
    """Element-wise sum of the shortcut and the residual branch."""

    def forward(self, shortcut: torch.Tensor, branch: torch.Tensor) -> torch.Tensor:
        return shortcut + branch


class DropConnect(nn.Module):
    """Stochastic depth on a residual branch (Huang et al. 2016; EfficientNet's drop connect).

    In training mode each sample's whole branch is kept with probability ``1 - p`` and
    divided by ``1 - p`` when kept; in eval mode it is the identity. Unlike dropout, which
    zeroes single activations, it drops or keeps the whole branch of a sample.
    """

    def __init__(self, p: float) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"drop_connect: must be from 0 up to (not including) 1, got {p!r}.")
        self.p = float(p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        survival = 1.0 - self.p
        mask_shape = (x.shape[0],) + (1,) * (x.dim() - 1)
        keep = torch.empty(mask_shape, dtype=x.dtype, device=x.device).bernoulli_(survival)
        return x * keep / survival

    def extra_repr(self) -> str:
        return f"p={self.p}"


class SqueezeExcite(nn.Module):
    """Squeeze-and-excitation: pool -> 1x1 reduce -> act -> 1x1 expand -> gate -> scale.

    No BatchNorm inside; the 1x1 convs have biases (as in SENet and torchvision's
    ``SqueezeExcitation``). The gate is a sigmoid, or a hard-sigmoid in MobileNetV3.
    """

    def __init__(self, channels: int, squeeze_channels: int, activation: str = "relu", gate: str = "sigmoid") -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze_channels, 1)
        self.act = make_activation(activation)
        self.fc2 = nn.Conv2d(squeeze_channels, channels, 1)
        self.gate = make_activation(gate)
        self.scale = ChannelScale()

    def excitation(self, x: torch.Tensor) -> torch.Tensor:
        """The per-channel gate values, shape ``(N, C, 1, 1)``, each in [0, 1]."""
        return self.gate(self.fc2(self.act(self.fc1(self.pool(x)))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.scale(x, self.excitation(x))
