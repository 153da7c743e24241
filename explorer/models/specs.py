"""Validated, frozen hyperparameter specs for every block kind.

A :class:`BlockSpec` is the single source of truth that flows one way:
widgets / CLI flags -> spec -> module (``explorer.blocks``) -> cost report.
Every check raises ``ValueError`` with a sentence naming the parameter and what
would be valid, so the UI and the CLI can show it as is.

Block kinds and the papers they come from:

- ``standard``: plain convolution.
- ``spatially_separable``: k x 1 then 1 x k convolution (Inception-v3,
  https://arxiv.org/abs/1512.00567).
- ``depthwise_separable``: depthwise then pointwise (MobileNetV1,
  https://arxiv.org/abs/1704.04861).
- ``group``: grouped convolution (AlexNet; ResNeXt, https://arxiv.org/abs/1611.05431).
- ``gdc``: global depthwise convolution (MobileFaceNet, https://arxiv.org/abs/1804.07573).
- ``se``: squeeze-and-excitation (SENet, https://arxiv.org/abs/1709.01507).
- ``inverted_residual``: MobileNetV2 block (https://arxiv.org/abs/1801.04381).
- ``bneck``: MobileNetV3 block (https://arxiv.org/abs/1905.02244).
- ``mbconv``: EfficientNet block (https://arxiv.org/abs/1905.11946).
- ``fused_mbconv``: EfficientNetV2 block (https://arxiv.org/abs/2104.00298).
"""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass, field
from typing import Any

from explorer.models.activations import GATE_NAMES, canonical_activation

NORM_NAMES = ("batch", "none")

MAX_CHANNELS = 4096
MAX_SIZE = 4096
MAX_KERNEL = 31
MAX_STRIDE = 8
MAX_DILATION = 8
MAX_EXPANSION = 16.0


@dataclass(frozen=True)
class BlockKind:
    """What a block kind is called, which hyperparameters apply to it, and its defaults."""

    name: str
    label: str
    paper: str
    params: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)


_CONV = ("in_channels", "out_channels", "size", "kernel_size", "stride", "padding", "dilation")
_UNIT = ("activation", "norm", "bias")
_BLOCK = ("expansion", "expanded_channels", "drop_connect")

BLOCK_KINDS: dict[str, BlockKind] = {
    kind.name: kind
    for kind in (
        BlockKind("standard", "Standard conv", "", _CONV + _UNIT),
        BlockKind(
            "spatially_separable", "Spatially separable (k x 1, 1 x k)",
            "https://arxiv.org/abs/1512.00567", _CONV + _UNIT,
        ),
        BlockKind(
            "depthwise_separable", "Depthwise-separable (MobileNetV1)",
            "https://arxiv.org/abs/1704.04861", _CONV + _UNIT,
        ),
        BlockKind(
            "group", "Group conv (AlexNet, ResNeXt)", "https://arxiv.org/abs/1611.05431",
            _CONV + ("groups",) + _UNIT, {"groups": 4},
        ),
        BlockKind(
            "gdc", "Global depthwise conv (MobileFaceNet)", "https://arxiv.org/abs/1804.07573",
            ("in_channels", "size", "activation", "norm", "bias"),
            {"activation": "none", "size": 7},
        ),
        BlockKind(
            "se", "Squeeze-and-excitation (SENet)", "https://arxiv.org/abs/1709.01507",
            ("in_channels", "size", "se_ratio", "activation", "gate"),
            {"se_ratio": 0.0625},
        ),
        BlockKind(
            "inverted_residual", "Inverted residual (MobileNetV2)",
            "https://arxiv.org/abs/1801.04381", _CONV + _BLOCK + _UNIT,
            {"activation": "relu6"},
        ),
        BlockKind(
            "bneck", "bneck (MobileNetV3)", "https://arxiv.org/abs/1905.02244",
            _CONV + _BLOCK + ("se_ratio", "gate") + _UNIT,
            {"activation": "hswish", "gate": "hsigmoid", "expansion": 4.0},
        ),
        BlockKind(
            "mbconv", "MBConv (EfficientNet)", "https://arxiv.org/abs/1905.11946",
            _CONV + _BLOCK + ("se_ratio", "gate") + _UNIT,
            {"activation": "swish", "drop_connect": 0.2},
        ),
        BlockKind(
            "fused_mbconv", "Fused-MBConv (EfficientNetV2)", "https://arxiv.org/abs/2104.00298",
            _CONV + _BLOCK + ("se_ratio", "gate") + _UNIT,
            {"activation": "swish", "expansion": 4.0, "se_ratio": 0.0, "drop_connect": 0.2},
        ),
    )
}


@dataclass(frozen=True)
class BlockSpec:
    """Every hyperparameter of one block; validated on creation.

    Build one with :func:`block_spec`, which fills in the kind's defaults and refuses
    hyperparameters that do not apply to the kind. Fields that do not apply keep their
    neutral values and are ignored by the builders.
    """

    kind: str
    in_channels: int = 32
    out_channels: int = 64
    size: int = 56
    kernel_size: int = 3
    stride: int = 1
    padding: int | str = "same"
    dilation: int = 1
    groups: int = 1
    expansion: float = 6.0
    expanded_channels: int | None = None
    se_ratio: float = 0.25
    activation: str = "relu"
    gate: str = "sigmoid"
    norm: str = "batch"
    bias: bool = False
    drop_connect: float = 0.0
    skip: bool = True

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"kind: unknown block kind {self.kind!r}; valid kinds are {', '.join(BLOCK_KINDS)}.")
        object.__setattr__(self, "activation", canonical_activation(self.activation))
        for check in _CHECKS:
            check(self)

    @property
    def info(self) -> BlockKind:
        """The :class:`BlockKind` this spec belongs to."""
        return BLOCK_KINDS[self.kind]

    @property
    def padding_amount(self) -> int:
        """Padding in pixels: ``same`` is ``(k - 1) // 2 * dilation`` as in torchvision."""
        if self.padding == "same":
            return (self.kernel_size - 1) // 2 * self.dilation
        return int(self.padding)

    @property
    def effective_kernel(self) -> int:
        """The kernel's extent on the input once dilated: ``dilation * (k - 1) + 1``."""
        return self.dilation * (self.kernel_size - 1) + 1

    @property
    def output_size(self) -> int:
        """Spatial output size ``floor((size + 2p - d(k-1) - 1) / s) + 1`` (1 for gdc and se pool)."""
        if self.kind == "gdc":
            return 1
        if self.kind == "se":
            return self.size
        return (self.size + 2 * self.padding_amount - self.effective_kernel) // self.stride + 1

    @property
    def output_channels(self) -> int:
        """Channels leaving the block (equal to the input for gdc and se)."""
        return self.in_channels if self.kind in ("gdc", "se") else self.out_channels

    @property
    def hidden_channels(self) -> int:
        """Expanded width inside an inverted-residual-style block.

        ``expanded_channels`` if given; else ``round(in * t)`` for ``inverted_residual``
        and ``bneck`` (torchvision MobileNetV2) and ``make_divisible(in * t, 8)`` for
        ``mbconv`` and ``fused_mbconv`` (torchvision EfficientNet).
        """
        from explorer.models.scaling import make_divisible

        if self.expanded_channels is not None:
            return self.expanded_channels
        if self.kind in ("mbconv", "fused_mbconv"):
            return make_divisible(self.in_channels * self.expansion, 8)
        return int(round(self.in_channels * self.expansion))

    @property
    def has_expand_conv(self) -> bool:
        """Whether the block starts with a 1x1 expand conv, following each reference implementation.

        torchvision's MobileNetV2 ``InvertedResidual`` keeps it whenever ``expand_ratio != 1``, even
        when ``round(in * t)`` is back to ``in`` (8 channels at t = 1.05); its MobileNetV3 and
        EfficientNet blocks keep it when the expanded width differs from the input width.
        """
        if self.kind == "inverted_residual" and self.expanded_channels is None:
            return self.expansion != 1
        return self.hidden_channels != self.in_channels

    @property
    def has_residual(self) -> bool:
        """Residual add only when stride is 1, in == out and the map keeps its size (inverted-residual family).

        ``skip=False`` removes it (timm's ``noskip`` option), whatever the shapes.
        """
        return (
            self.skip
            and self.kind in ("inverted_residual", "bneck", "mbconv", "fused_mbconv")
            and self.stride == 1
            and self.in_channels == self.out_channels
            and self.output_size == self.size
        )

    def replace(self, **changes: Any) -> BlockSpec:
        """A copy with some fields changed, validated again."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The fields that apply to this kind, as plain values (for URLs, JSON, snippets)."""
        return {"kind": self.kind} | {name: getattr(self, name) for name in self.info.params}


def block_spec(kind: str, **overrides: Any) -> BlockSpec:
    """Build a :class:`BlockSpec` of ``kind`` with that kind's defaults and ``overrides``.

    Raises:
        ValueError: unknown kind, a hyperparameter that does not apply to the kind, or any
            invalid value (the message names the parameter and the valid range).
    """
    if kind not in BLOCK_KINDS:
        raise ValueError(f"kind: unknown block kind {kind!r}; valid kinds are {', '.join(BLOCK_KINDS)}.")
    info = BLOCK_KINDS[kind]
    unknown = [name for name in overrides if name not in info.params]
    if unknown:
        raise ValueError(
            f"{unknown[0]}: does not apply to block kind {kind!r}; "
            f"it takes {', '.join(info.params)}."
        )
    return BlockSpec(kind=kind, **(info.defaults | overrides))


def textbook_spec(spec: BlockSpec) -> BlockSpec:
    """The same block as pure convolutions: no norm, no bias, no activation, padding 0.

    In this mode the worked examples come out exactly (C_in 3, C_out 4, k 3: 108 params
    standard vs 39 depthwise-separable).
    """
    changes: dict[str, Any] = {}
    for name, value in (("norm", "none"), ("bias", False), ("activation", "none"), ("padding", 0)):
        if name in spec.info.params:
            changes[name] = value
    return spec.replace(**changes)


def _require_int(spec: BlockSpec, name: str, low: int, high: int) -> None:
    value = getattr(spec, name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name}: must be a whole number from {low} to {high}, got {value!r}.")


def _check_ranges(spec: BlockSpec) -> None:
    for name, high in (
        ("in_channels", MAX_CHANNELS),
        ("out_channels", MAX_CHANNELS),
        ("size", MAX_SIZE),
        ("kernel_size", MAX_KERNEL),
        ("stride", MAX_STRIDE),
        ("dilation", MAX_DILATION),
        ("groups", MAX_CHANNELS),
    ):
        _require_int(spec, name, 1, high)
    padding_ok = spec.padding == "same" or (
        isinstance(spec.padding, int) and not isinstance(spec.padding, bool) and 0 <= spec.padding <= 64
    )
    if not padding_ok:
        raise ValueError(f"padding: must be 'same' or a whole number from 0 to 64, got {spec.padding!r}.")
    for name in ("expansion", "se_ratio", "drop_connect"):
        value = getattr(spec, name)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name}: must be a number, got {value!r}.")
    if not 1.0 <= float(spec.expansion) <= MAX_EXPANSION:
        raise ValueError(f"expansion: must be from 1 to {MAX_EXPANSION:g}, got {spec.expansion!r}.")
    if spec.expanded_channels is not None:
        _require_int(spec, "expanded_channels", 1, MAX_CHANNELS * 16)
    if not 0.0 <= float(spec.se_ratio) <= 1.0:
        raise ValueError(f"se_ratio: must be from 0 (no SE) to 1, got {spec.se_ratio!r}.")
    if not 0.0 <= float(spec.drop_connect) < 1.0:
        raise ValueError(f"drop_connect: must be a probability from 0 up to (not including) 1, got {spec.drop_connect!r}.")


def _check_names(spec: BlockSpec) -> None:
    if spec.gate not in GATE_NAMES:
        raise ValueError(f"gate: must be one of {', '.join(GATE_NAMES)}, got {spec.gate!r}.")
    if spec.norm not in NORM_NAMES:
        raise ValueError(f"norm: must be one of {', '.join(NORM_NAMES)}, got {spec.norm!r}.")
    for name in ("bias", "skip"):
        if not isinstance(getattr(spec, name), bool):
            raise ValueError(f"{name}: must be true or false, got {getattr(spec, name)!r}.")
    if spec.bias and spec.norm == "batch":
        raise ValueError(
            "bias: a conv followed by BatchNorm has no bias (BatchNorm's shift replaces it); "
            "set norm to 'none' to use a bias."
        )


def _check_groups(spec: BlockSpec) -> None:
    if spec.kind != "group":
        return
    for name in ("in_channels", "out_channels"):
        channels = getattr(spec, name)
        if channels % spec.groups:
            divisors = [g for g in range(1, channels + 1) if channels % g == 0]
            common = [g for g in divisors if spec.in_channels % g == 0 and spec.out_channels % g == 0]
            raise ValueError(
                f"groups: {spec.groups} does not divide {name}={channels}; "
                f"valid groups for {spec.in_channels} -> {spec.out_channels} channels are "
                f"{', '.join(map(str, common))}."
            )


def _check_geometry(spec: BlockSpec) -> None:
    if spec.kind in ("gdc", "se"):
        return
    padded = spec.size + 2 * spec.padding_amount
    if spec.effective_kernel > padded:
        raise ValueError(
            f"kernel_size: a {spec.kernel_size}x{spec.kernel_size} kernel (dilation {spec.dilation}, "
            f"extent {spec.effective_kernel}) is larger than the padded input ({padded}); "
            f"use kernel_size <= {(padded - 1) // spec.dilation + 1} or more padding."
        )


def _check_se(spec: BlockSpec) -> None:
    if spec.kind == "se" and spec.se_ratio == 0:
        raise ValueError("se_ratio: the standalone SE block needs a ratio above 0 (SENet uses 1/16 = 0.0625).")


_CHECKS = (_check_ranges, _check_names, _check_groups, _check_geometry, _check_se)
