"""Whole networks, each defined by a table that reads like its paper's, and one build function.

- MobileNetV1, Howard et al. 2017 (https://arxiv.org/abs/1704.04861), Table 1: a 3x3 stem
  and 13 depthwise-separable blocks; width multiplier alpha; ``full_conv`` replaces every
  depthwise-separable block by a full 3x3 conv (the paper's Table 4 comparison). BatchNorm
  after every conv, a biased 1000-class FC.
- MobileNetV2, Sandler et al. 2018 (https://arxiv.org/abs/1801.04381), Table 2.
- MobileNetV3-Large and -Small, Howard et al. 2019 (https://arxiv.org/abs/1905.02244), Tables 1-2.
- EfficientNet-B0..B7, Tan & Le 2019 (https://arxiv.org/abs/1905.11946), Table 1 and compound
  scaling; B8 (AdvProp, https://arxiv.org/abs/1911.09665) and L2 (Noisy Student,
  https://arxiv.org/abs/1911.04252) use the same rules with larger coefficients.
- EfficientNetV2-S/M/L, Tan & Le 2021 (https://arxiv.org/abs/2104.00298), Table 4 and torchvision.

Construction and rounding follow torchvision's reference code, so parameter and MAC counts
agree with it exactly. The rounding rules live in :mod:`explorer.scaling` and are applied once,
when a table is made (:func:`network_table`); :func:`build_network` only reads the table.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from explorer.models.scaling import make_divisible, round_repeats, scale_v1_channels
from explorer.models.specs import BLOCK_KINDS, BlockSpec, block_spec


@dataclass(frozen=True, kw_only=True)
class StemRow:
    """The first conv of the network (a standard k x k conv with BatchNorm and activation)."""

    out_channels: int
    activation: str
    kernel_size: int = 3
    stride: int = 2


@dataclass(frozen=True, kw_only=True)
class BlockRow:
    """One row of a paper's table: ``repeats`` blocks of one kind; only the first has the stride.

    ``operator`` is a block kind of :mod:`explorer.specs` (``depthwise_separable``,
    ``standard``, ``inverted_residual``, ``bneck``, ``mbconv``, ``fused_mbconv``);
    ``expanded_channels`` is the hidden width inside inverted-residual-style blocks, already
    rounded by the family's rule. Channels here are final: width scaling is already applied.
    """

    operator: str
    kernel_size: int
    stride: int
    in_channels: int
    out_channels: int
    repeats: int = 1
    expansion: float = 1.0
    expanded_channels: int | None = None
    se_ratio: float = 0.0
    activation: str = "relu"
    gate: str = "sigmoid"
    skip: bool = True
    groups: int | None = None

    @property
    def expanded_width(self) -> int:
        """The hidden width as the paper's "exp size" column: given, or ``round(in x t)`` (a design's row)."""
        return self.expanded_channels if self.expanded_channels is not None else int(round(self.in_channels * self.expansion))

    @property
    def label(self) -> str:
        """The operator as the papers write it, e.g. ``MBConv6, k5x5`` or ``bneck, 5x5, SE``."""
        k = f"{self.kernel_size}x{self.kernel_size}"
        t = f"{self.expansion:g}"
        return {
            "depthwise_separable": f"Conv dw {k} + Conv 1x1",
            "standard": f"Conv {k}",
            "spatially_separable": f"Conv {self.kernel_size}x1 + 1x{self.kernel_size}",
            "group": f"Group conv {k}, G={self.groups}",
            "gdc": "GDC (global depthwise)",
            "se": "SE",
            "inverted_residual": f"bottleneck t={t}, {k}",
            "bneck": f"bneck {k}, exp {self.expanded_width}" + (", SE" if self.se_ratio else ""),
            "mbconv": f"MBConv{t}, k{k}",
            "fused_mbconv": f"Fused-MBConv{t}, k{k}" + (", SE" if self.se_ratio else ""),
        }[self.operator]


@dataclass(frozen=True, kw_only=True)
class HeadRow:
    """What follows the last block: an optional 1x1 conv, pooling, an optional FC, the classifier."""

    conv_channels: int | None
    activation: str
    hidden_features: int | None = None
    dropout: float = 0.0

    @property
    def label(self) -> str:
        parts = [f"Conv1x1 ({self.conv_channels})"] if self.conv_channels else []
        parts.append("Pooling")
        if self.hidden_features:
            parts.append(f"FC ({self.hidden_features}, NBN)")
        return " & ".join(parts + ["FC"])


@dataclass(frozen=True, kw_only=True)
class NetworkTable:
    """A whole network as its paper's table: stem, block rows, head; every width final."""

    name: str
    title: str
    paper: str
    resolution: int
    stem: StemRow
    rows: tuple[BlockRow, ...]
    head: HeadRow
    num_classes: int = 1000
    stochastic_depth_prob: float = 0.0

    @property
    def num_blocks(self) -> int:
        return sum(row.repeats for row in self.rows)

    @property
    def features(self) -> int:
        """Width entering the classifier."""
        return self.head.hidden_features or self.head.conv_channels or self.rows[-1].out_channels


# Released EfficientNet coefficients (width, depth, resolution, dropout); BRIEF and the papers.
EFFICIENTNET_RELEASED: dict[str, tuple[float, float, int, float]] = {
    "efficientnet_b0": (1.0, 1.0, 224, 0.2),
    "efficientnet_b1": (1.0, 1.1, 240, 0.2),
    "efficientnet_b2": (1.1, 1.2, 260, 0.3),
    "efficientnet_b3": (1.2, 1.4, 300, 0.3),
    "efficientnet_b4": (1.4, 1.8, 380, 0.4),
    "efficientnet_b5": (1.6, 2.2, 456, 0.4),
    "efficientnet_b6": (1.8, 2.6, 528, 0.5),
    "efficientnet_b7": (2.0, 3.1, 600, 0.5),
    "efficientnet_b8": (2.2, 3.6, 672, 0.5),
    "efficientnet_l2": (4.3, 5.3, 800, 0.5),
}
EFFICIENTNET_PHI: dict[str, float] = {f"efficientnet_b{i}": float(i) for i in range(9)}
COMPOUND_ALPHA, COMPOUND_BETA, COMPOUND_GAMMA = 1.2, 1.1, 1.15
BASE_RESOLUTION = 224

# One row per line of the papers' tables, base (unscaled) widths; width and depth scaling are
# applied once, by each family's rule, in the table makers below.
_dws = functools.partial(BlockRow, operator="depthwise_separable", kernel_size=3, activation="relu")
_bottleneck = functools.partial(BlockRow, operator="inverted_residual", kernel_size=3, activation="relu6")
_bneck_re = functools.partial(BlockRow, operator="bneck", gate="hsigmoid", activation="relu")  # paper's NL = RE
_bneck_hs = functools.partial(BlockRow, operator="bneck", gate="hsigmoid", activation="hswish")  # NL = HS
_mbconv = functools.partial(BlockRow, operator="mbconv", se_ratio=0.25, activation="swish")
_fused = functools.partial(BlockRow, operator="fused_mbconv", kernel_size=3, activation="swish")
_SE = 0.25

# MobileNetV1, paper Table 1: one row per depthwise-separable block (the paper lists its dw and pw
# convs on separate lines). The last block has stride 1: the paper prints s2 but keeps 7x7.
MOBILENET_V1_ROWS = (
    _dws(stride=1, in_channels=32, out_channels=64),
    _dws(stride=2, in_channels=64, out_channels=128),
    _dws(stride=1, in_channels=128, out_channels=128),
    _dws(stride=2, in_channels=128, out_channels=256),
    _dws(stride=1, in_channels=256, out_channels=256),
    _dws(stride=2, in_channels=256, out_channels=512),
    _dws(stride=1, in_channels=512, out_channels=512, repeats=5),
    _dws(stride=2, in_channels=512, out_channels=1024),
    _dws(stride=1, in_channels=1024, out_channels=1024),
)

# MobileNetV2, paper Table 2 (t = expansion, c = out_channels, n = repeats, s = stride).
MOBILENET_V2_ROWS = (
    _bottleneck(expansion=1, in_channels=32, out_channels=16, repeats=1, stride=1),
    _bottleneck(expansion=6, in_channels=16, out_channels=24, repeats=2, stride=2),
    _bottleneck(expansion=6, in_channels=24, out_channels=32, repeats=3, stride=2),
    _bottleneck(expansion=6, in_channels=32, out_channels=64, repeats=4, stride=2),
    _bottleneck(expansion=6, in_channels=64, out_channels=96, repeats=3, stride=1),
    _bottleneck(expansion=6, in_channels=96, out_channels=160, repeats=3, stride=2),
    _bottleneck(expansion=6, in_channels=160, out_channels=320, repeats=1, stride=1),
)

# MobileNetV3, paper Tables 1 (Large) and 2 (Small): one row per bneck (exp size = expanded_channels).
MOBILENET_V3_ROWS: dict[str, tuple[BlockRow, ...]] = {
    "mobilenet_v3_large": (
        _bneck_re(kernel_size=3, in_channels=16, expanded_channels=16, out_channels=16, stride=1),
        _bneck_re(kernel_size=3, in_channels=16, expanded_channels=64, out_channels=24, stride=2),
        _bneck_re(kernel_size=3, in_channels=24, expanded_channels=72, out_channels=24, stride=1),
        _bneck_re(kernel_size=5, in_channels=24, expanded_channels=72, out_channels=40, se_ratio=_SE, stride=2),
        _bneck_re(kernel_size=5, in_channels=40, expanded_channels=120, out_channels=40, se_ratio=_SE, stride=1),
        _bneck_re(kernel_size=5, in_channels=40, expanded_channels=120, out_channels=40, se_ratio=_SE, stride=1),
        _bneck_hs(kernel_size=3, in_channels=40, expanded_channels=240, out_channels=80, stride=2),
        _bneck_hs(kernel_size=3, in_channels=80, expanded_channels=200, out_channels=80, stride=1),
        _bneck_hs(kernel_size=3, in_channels=80, expanded_channels=184, out_channels=80, stride=1),
        _bneck_hs(kernel_size=3, in_channels=80, expanded_channels=184, out_channels=80, stride=1),
        _bneck_hs(kernel_size=3, in_channels=80, expanded_channels=480, out_channels=112, se_ratio=_SE, stride=1),
        _bneck_hs(kernel_size=3, in_channels=112, expanded_channels=672, out_channels=112, se_ratio=_SE, stride=1),
        _bneck_hs(kernel_size=5, in_channels=112, expanded_channels=672, out_channels=160, se_ratio=_SE, stride=2),
        _bneck_hs(kernel_size=5, in_channels=160, expanded_channels=960, out_channels=160, se_ratio=_SE, stride=1),
        _bneck_hs(kernel_size=5, in_channels=160, expanded_channels=960, out_channels=160, se_ratio=_SE, stride=1),
    ),
    "mobilenet_v3_small": (
        _bneck_re(kernel_size=3, in_channels=16, expanded_channels=16, out_channels=16, se_ratio=_SE, stride=2),
        _bneck_re(kernel_size=3, in_channels=16, expanded_channels=72, out_channels=24, stride=2),
        _bneck_re(kernel_size=3, in_channels=24, expanded_channels=88, out_channels=24, stride=1),
        _bneck_hs(kernel_size=5, in_channels=24, expanded_channels=96, out_channels=40, se_ratio=_SE, stride=2),
        _bneck_hs(kernel_size=5, in_channels=40, expanded_channels=240, out_channels=40, se_ratio=_SE, stride=1),
        _bneck_hs(kernel_size=5, in_channels=40, expanded_channels=240, out_channels=40, se_ratio=_SE, stride=1),
        _bneck_hs(kernel_size=5, in_channels=40, expanded_channels=120, out_channels=48, se_ratio=_SE, stride=1),
        _bneck_hs(kernel_size=5, in_channels=48, expanded_channels=144, out_channels=48, se_ratio=_SE, stride=1),
        _bneck_hs(kernel_size=5, in_channels=48, expanded_channels=288, out_channels=96, se_ratio=_SE, stride=2),
        _bneck_hs(kernel_size=5, in_channels=96, expanded_channels=576, out_channels=96, se_ratio=_SE, stride=1),
        _bneck_hs(kernel_size=5, in_channels=96, expanded_channels=576, out_channels=96, se_ratio=_SE, stride=1),
    ),
}
MOBILENET_V3_HEAD = {"mobilenet_v3_large": 1280, "mobilenet_v3_small": 1024}

# EfficientNet-B0, paper Table 1 (MBConv1 = expansion 1, MBConv6 = expansion 6).
EFFICIENTNET_B0_ROWS = (
    _mbconv(expansion=1, kernel_size=3, stride=1, in_channels=32, out_channels=16, repeats=1),
    _mbconv(expansion=6, kernel_size=3, stride=2, in_channels=16, out_channels=24, repeats=2),
    _mbconv(expansion=6, kernel_size=5, stride=2, in_channels=24, out_channels=40, repeats=2),
    _mbconv(expansion=6, kernel_size=3, stride=2, in_channels=40, out_channels=80, repeats=3),
    _mbconv(expansion=6, kernel_size=5, stride=1, in_channels=80, out_channels=112, repeats=3),
    _mbconv(expansion=6, kernel_size=5, stride=2, in_channels=112, out_channels=192, repeats=4),
    _mbconv(expansion=6, kernel_size=3, stride=1, in_channels=192, out_channels=320, repeats=1),
)

# EfficientNetV2, paper Table 4 (S) and torchvision (M, L): Fused-MBConv without SE, then MBConv with SE.
EFFICIENTNET_V2_ROWS: dict[str, tuple[BlockRow, ...]] = {
    "efficientnet_v2_s": (
        _fused(expansion=1, stride=1, in_channels=24, out_channels=24, repeats=2),
        _fused(expansion=4, stride=2, in_channels=24, out_channels=48, repeats=4),
        _fused(expansion=4, stride=2, in_channels=48, out_channels=64, repeats=4),
        _mbconv(expansion=4, kernel_size=3, stride=2, in_channels=64, out_channels=128, repeats=6),
        _mbconv(expansion=6, kernel_size=3, stride=1, in_channels=128, out_channels=160, repeats=9),
        _mbconv(expansion=6, kernel_size=3, stride=2, in_channels=160, out_channels=256, repeats=15),
    ),
    "efficientnet_v2_m": (
        _fused(expansion=1, stride=1, in_channels=24, out_channels=24, repeats=3),
        _fused(expansion=4, stride=2, in_channels=24, out_channels=48, repeats=5),
        _fused(expansion=4, stride=2, in_channels=48, out_channels=80, repeats=5),
        _mbconv(expansion=4, kernel_size=3, stride=2, in_channels=80, out_channels=160, repeats=7),
        _mbconv(expansion=6, kernel_size=3, stride=1, in_channels=160, out_channels=176, repeats=14),
        _mbconv(expansion=6, kernel_size=3, stride=2, in_channels=176, out_channels=304, repeats=18),
        _mbconv(expansion=6, kernel_size=3, stride=1, in_channels=304, out_channels=512, repeats=5),
    ),
    "efficientnet_v2_l": (
        _fused(expansion=1, stride=1, in_channels=32, out_channels=32, repeats=4),
        _fused(expansion=4, stride=2, in_channels=32, out_channels=64, repeats=7),
        _fused(expansion=4, stride=2, in_channels=64, out_channels=96, repeats=7),
        _mbconv(expansion=4, kernel_size=3, stride=2, in_channels=96, out_channels=192, repeats=10),
        _mbconv(expansion=6, kernel_size=3, stride=1, in_channels=192, out_channels=224, repeats=19),
        _mbconv(expansion=6, kernel_size=3, stride=2, in_channels=224, out_channels=384, repeats=25),
        _mbconv(expansion=6, kernel_size=3, stride=1, in_channels=384, out_channels=640, repeats=7),
    ),
}
EFFICIENTNET_V2_RESOLUTION = {"efficientnet_v2_s": 384, "efficientnet_v2_m": 480, "efficientnet_v2_l": 480}
EFFICIENTNET_V2_DROPOUT = {"efficientnet_v2_s": 0.2, "efficientnet_v2_m": 0.3, "efficientnet_v2_l": 0.4}


@dataclass(frozen=True)
class NetworkFamily:
    """A selectable network: its label, paper, and the options a user may set for it."""

    name: str
    label: str
    paper: str
    options: tuple[str, ...]
    max_width: float = 4.0


_MOBILE_OPTIONS = ("width_mult", "resolution", "num_classes")
_RELEASED_OPTIONS = ("resolution", "num_classes")
NETWORK_FAMILIES: dict[str, NetworkFamily] = {
    family.name: family
    for family in (
        NetworkFamily("mobilenet_v1", "MobileNetV1", "https://arxiv.org/abs/1704.04861", _MOBILE_OPTIONS + ("full_conv",)),
        NetworkFamily("mobilenet_v2", "MobileNetV2", "https://arxiv.org/abs/1801.04381", _MOBILE_OPTIONS),
        NetworkFamily("mobilenet_v3_large", "MobileNetV3-Large", "https://arxiv.org/abs/1905.02244", _MOBILE_OPTIONS),
        NetworkFamily("mobilenet_v3_small", "MobileNetV3-Small", "https://arxiv.org/abs/1905.02244", _MOBILE_OPTIONS),
        *(
            NetworkFamily(name, f"EfficientNet-{name.split('_')[1].upper()}", paper, _RELEASED_OPTIONS)
            for name, paper in (
                *((f"efficientnet_b{i}", "https://arxiv.org/abs/1905.11946") for i in range(8)),
                ("efficientnet_b8", "https://arxiv.org/abs/1911.09665"),
                ("efficientnet_l2", "https://arxiv.org/abs/1911.04252"),
            )
        ),
        NetworkFamily(
            "efficientnet", "EfficientNet (custom φ)", "https://arxiv.org/abs/1905.11946",
            ("phi", "alpha", "beta", "gamma", "resolution", "num_classes"),
        ),
        *(
            NetworkFamily(name, f"EfficientNetV2-{name[-1].upper()}", "https://arxiv.org/abs/2104.00298", _RELEASED_OPTIONS)
            for name in EFFICIENTNET_V2_ROWS
        ),
    )
}
NETWORK_NAMES = tuple(NETWORK_FAMILIES)

MAX_RESOLUTION = 4096
MIN_RESOLUTION = 1
MAX_CLASSES = 100_000


@dataclass(frozen=True)
class NetworkSpec:
    """Everything that defines one network; validated on creation. Make one with :func:`network_spec`.

    ``width_mult``, ``depth_mult`` and ``resolution`` are the values actually used (for the
    released EfficientNets, their published coefficients; for the custom one, derived from
    ``phi``, ``alpha``, ``beta``, ``gamma``). ``phi`` is ``None`` where it is not defined.
    """

    name: str
    width_mult: float = 1.0
    depth_mult: float = 1.0
    resolution: int = BASE_RESOLUTION
    phi: float | None = None
    alpha: float = COMPOUND_ALPHA
    beta: float = COMPOUND_BETA
    gamma: float = COMPOUND_GAMMA
    full_conv: bool = False
    num_classes: int = 1000

    def __post_init__(self) -> None:
        if self.name not in NETWORK_FAMILIES:
            raise ValueError(f"name: unknown network {self.name!r}; valid names are {', '.join(NETWORK_NAMES)}.")
        _check_float("width_mult", self.width_mult, 0.1, 4.5)
        _check_float("depth_mult", self.depth_mult, 0.1, 8.0)
        _check_int("resolution", self.resolution, MIN_RESOLUTION, MAX_RESOLUTION)
        _check_int("num_classes", self.num_classes, 1, MAX_CLASSES)
        if self.phi is not None:
            _check_float("phi", self.phi, 0.0, 10.0)
        for name in ("alpha", "beta", "gamma"):
            _check_float(name, getattr(self, name), 1.0, 2.0)
        if not isinstance(self.full_conv, bool):
            raise ValueError(f"full_conv: must be true or false, got {self.full_conv!r}.")

    @property
    def family(self) -> NetworkFamily:
        return NETWORK_FAMILIES[self.name]

    @property
    def label(self) -> str:
        """A short title such as ``MobileNetV1 0.75-160 (full conv)`` or ``EfficientNet-B3 300x300``."""
        family = self.family
        if "width_mult" in family.options:
            text = f"{family.label} {self.width_mult:g}-{self.resolution}"
        elif self.name == "efficientnet" and self.phi is not None:
            text = f"EfficientNet φ={self.phi:g} {self.resolution}x{self.resolution}"
        elif self.name == "efficientnet":
            text = f"EfficientNet depth {self.depth_mult:.2f}, width {self.width_mult:.2f}, {self.resolution}x{self.resolution}"
        else:
            text = f"{family.label} {self.resolution}x{self.resolution}"
        return text + (" (full conv)" if self.full_conv else "")

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain values (for JSON and cache keys)."""
        return {field: getattr(self, field) for field in self.__dataclass_fields__}


def _check_float(name: str, value: Any, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name}: must be a number from {low:g} to {high:g}, got {value!r}.")


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name}: must be a whole number from {low} to {high}, got {value!r}.")


def _custom_efficientnet(options: dict[str, Any]) -> dict[str, Any]:
    """Depth, width and resolution from phi and alpha, beta, gamma (resolution kept if given)."""
    phi = options.setdefault("phi", 1.0)
    _check_float("phi", phi, 0.0, 10.0)
    for name, default in (("alpha", COMPOUND_ALPHA), ("beta", COMPOUND_BETA), ("gamma", COMPOUND_GAMMA)):
        _check_float(name, options.setdefault(name, default), 1.0, 2.0)
    depth = options["alpha"] ** phi
    width = options["beta"] ** phi
    if depth > 8.0 or width > 4.5:
        raise ValueError(
            f"phi: alpha^phi = {depth:.2f} (depth) and beta^phi = {width:.2f} (width) must stay at most 8 and 4.5; "
            "use a smaller phi, alpha or beta."
        )
    options.setdefault("resolution", int(round(BASE_RESOLUTION * options["gamma"] ** phi)))
    if options["resolution"] > MAX_RESOLUTION:
        raise ValueError(
            f"phi: 224 x gamma^phi = {options['resolution']} pixels exceeds {MAX_RESOLUTION}; use a smaller phi or gamma."
        )
    return options | {"depth_mult": depth, "width_mult": width}


def network_spec(name: str, **options: Any) -> NetworkSpec:
    """A validated :class:`NetworkSpec` for network ``name``; options left out (or None) take defaults.

    Raises:
        ValueError: unknown name, an option that does not apply to the network, or an invalid
            value (the message names the parameter and the valid range).
    """
    if name not in NETWORK_FAMILIES:
        raise ValueError(f"name: unknown network {name!r}; valid names are {', '.join(NETWORK_NAMES)}.")
    family = NETWORK_FAMILIES[name]
    given = {key: value for key, value in options.items() if value is not None and not (key == "full_conv" and value is False)}
    unknown = [key for key in given if key not in family.options]
    if unknown:
        raise ValueError(f"{unknown[0]}: does not apply to {name}; it takes {', '.join(family.options)}.")
    if "width_mult" in given:
        _check_float("width_mult", given["width_mult"], 0.1, family.max_width)
    if name in EFFICIENTNET_RELEASED:
        width, depth, resolution, _ = EFFICIENTNET_RELEASED[name]
        given = {"width_mult": width, "depth_mult": depth, "resolution": resolution, "phi": EFFICIENTNET_PHI.get(name)} | given
    elif name in EFFICIENTNET_V2_RESOLUTION:
        given = {"resolution": EFFICIENTNET_V2_RESOLUTION[name]} | given
    elif name == "efficientnet":
        given = _custom_efficientnet(given)
    return NetworkSpec(name=name, **given)


def _table(spec: NetworkSpec, stem: StemRow, rows: tuple[BlockRow, ...], head: HeadRow, **extra: Any) -> NetworkTable:
    return NetworkTable(
        name=spec.name, title=spec.label, paper=NETWORK_FAMILIES[spec.name].paper, resolution=spec.resolution,
        stem=stem, rows=rows, head=head, num_classes=spec.num_classes, **extra,
    )


def _scaled(rows: tuple[BlockRow, ...], channels: Callable[[int], int], depth_mult: float = 1.0) -> tuple[BlockRow, ...]:
    """Every width through the family's rounding rule ``channels``, every repeat count ``ceil(n * depth)``."""
    return tuple(
        dataclasses.replace(
            row, in_channels=channels(row.in_channels), out_channels=channels(row.out_channels),
            expanded_channels=None if row.expanded_channels is None else channels(row.expanded_channels),
            repeats=round_repeats(row.repeats, depth_mult),
        )
        for row in rows
    )


def _width_rule(width_mult: float) -> Callable[[int], int]:
    """torchvision's rule for V2, V3 and EfficientNet: ``make_divisible(c * width, 8)``."""
    return lambda channels: make_divisible(channels * width_mult)


def _mobilenet_v1_table(spec: NetworkSpec) -> NetworkTable:
    """Paper Table 1; with ``full_conv`` each depthwise-separable block becomes one full 3x3 conv (Table 4)."""
    def channels(count: int) -> int:
        return scale_v1_channels(count, spec.width_mult)

    operator = "standard" if spec.full_conv else "depthwise_separable"
    rows = tuple(dataclasses.replace(row, operator=operator) for row in _scaled(MOBILENET_V1_ROWS, channels))
    stem = StemRow(out_channels=channels(32), activation="relu")
    return _table(spec, stem, rows, HeadRow(conv_channels=None, activation="relu"))


def _mobilenet_v2_table(spec: NetworkSpec) -> NetworkTable:
    """Paper Table 2 with torchvision's rounding; the last conv never narrower than 1280."""
    channels = _width_rule(spec.width_mult)
    head = HeadRow(conv_channels=make_divisible(1280 * max(1.0, spec.width_mult)), activation="relu6", dropout=0.2)
    return _table(spec, StemRow(out_channels=channels(32), activation="relu6"), _scaled(MOBILENET_V2_ROWS, channels), head)


def _mobilenet_v3_table(spec: NetworkSpec) -> NetworkTable:
    """Paper Table 1 (Large) or 2 (Small); last conv 6 x the last block's width, then an FC without BN."""
    channels = _width_rule(spec.width_mult)
    rows = _scaled(MOBILENET_V3_ROWS[spec.name], channels)
    head = HeadRow(
        conv_channels=6 * rows[-1].out_channels, activation="hswish", hidden_features=channels(MOBILENET_V3_HEAD[spec.name]),
        dropout=0.2,
    )
    return _table(spec, StemRow(out_channels=channels(16), activation="hswish"), rows, head)


def _efficientnet_table(spec: NetworkSpec) -> NetworkTable:
    """B0 (paper Table 1) scaled by ``width_mult`` and ``depth_mult``; last conv 4 x the last block's width."""
    channels = _width_rule(spec.width_mult)
    rows = _scaled(EFFICIENTNET_B0_ROWS, channels, spec.depth_mult)
    dropout = EFFICIENTNET_RELEASED[spec.name][3] if spec.name in EFFICIENTNET_RELEASED else 0.2
    head = HeadRow(conv_channels=4 * rows[-1].out_channels, activation="swish", dropout=dropout)
    stem = StemRow(out_channels=channels(32), activation="swish")
    return _table(spec, stem, rows, head, stochastic_depth_prob=0.2)


def _efficientnet_v2_table(spec: NetworkSpec) -> NetworkTable:
    """EfficientNetV2 as in torchvision: stem as wide as the first stage, last conv 1280."""
    rows = EFFICIENTNET_V2_ROWS[spec.name]
    head = HeadRow(conv_channels=1280, activation="swish", dropout=EFFICIENTNET_V2_DROPOUT[spec.name])
    stem = StemRow(out_channels=rows[0].in_channels, activation="swish")
    return _table(spec, stem, rows, head, stochastic_depth_prob=0.2)


TABLE_MAKERS: dict[str, Callable[[NetworkSpec], NetworkTable]] = {
    "mobilenet_v1": _mobilenet_v1_table,
    "mobilenet_v2": _mobilenet_v2_table,
    **dict.fromkeys(MOBILENET_V3_ROWS, _mobilenet_v3_table),
    **dict.fromkeys((*EFFICIENTNET_RELEASED, "efficientnet"), _efficientnet_table),
    **dict.fromkeys(EFFICIENTNET_V2_ROWS, _efficientnet_v2_table),
}


def network_table(spec: NetworkSpec) -> NetworkTable:
    """The network's table with every width, depth and resolution rule already applied.

    A custom design (:class:`explorer.models.networks.design.DesignSpec`) makes its own table.
    """
    if not isinstance(spec, NetworkSpec):
        return spec.table()
    return TABLE_MAKERS[spec.name](spec)


NONLINEARITY = {"relu": "RE", "hswish": "HS"}
"""MobileNetV3 Tables 1-2 write the block's non-linearity as RE (ReLU) or HS (h-swish)."""


def paper_stage_columns(table: NetworkTable) -> list[dict[str, Any]]:
    """The columns of the paper's table that the operator alone does not show, one dict per stage (stem, rows, head).

    Every table gets the stride of the stage's first layer (MobileNetV1 Table 1, MobileNetV2 Table 2's ``s``).
    MobileNetV3 (Howard et al. 2019, Tables 1 and 2) also gets its own columns: the operator as printed
    (``bneck, 5x5``), ``exp size`` (the expanded width), ``SE`` (✓ where the block has squeeze-and-excite)
    and ``NL`` (RE or HS). ``None`` marks a column the paper leaves as "-" for that row.
    """
    strides = [{"stride": table.stem.stride}, *({"stride": row.stride} for row in table.rows), {"stride": 1}]
    if table.name not in MOBILENET_V3_ROWS or any(row.operator != "bneck" for row in table.rows):
        return strides
    stem = {"exp size": None, "SE": None, "NL": NONLINEARITY[table.stem.activation]}
    rows = [
        {"operator": f"bneck, {row.kernel_size}x{row.kernel_size}", "exp size": row.expanded_channels,
         "SE": "✓" if row.se_ratio else None, "NL": NONLINEARITY[row.activation]}
        for row in table.rows
    ]
    head = {"exp size": None, "SE": None, "NL": NONLINEARITY[table.head.activation]}
    return [stride | columns for stride, columns in zip(strides, [stem, *rows, head], strict=True)]


def _conv_output(size: int, kernel: int, stride: int) -> int:
    """Output size of a conv with torchvision's padding ``(k - 1) // 2``."""
    return (size + 2 * ((kernel - 1) // 2) - kernel) // stride + 1


def _block_options(row: BlockRow, in_channels: int, stride: int, size: int, drop: float) -> dict[str, Any]:
    values = {
        "in_channels": in_channels, "out_channels": row.out_channels, "size": size, "kernel_size": row.kernel_size,
        "stride": stride, "expansion": max(1.0, row.expansion), "expanded_channels": row.expanded_channels,
        "se_ratio": row.se_ratio, "activation": row.activation, "gate": row.gate, "drop_connect": drop,
    }
    if row.groups is not None:
        values["groups"] = row.groups
    applicable = BLOCK_KINDS[row.operator].params
    return {key: value for key, value in values.items() if key in applicable}


def block_specs(table: NetworkTable) -> tuple[tuple[BlockSpec, ...], ...]:
    """One :class:`BlockSpec` per block, grouped by table row, with each block's input size.

    Drop connect (stochastic depth) rises linearly with the block index as in torchvision's
    EfficientNet: ``p * index / number_of_blocks``, so the first block has none.
    """
    size = _conv_output(table.resolution, table.stem.kernel_size, table.stem.stride)
    index, total, stages = 0, table.num_blocks, []
    for row in table.rows:
        specs, in_channels, stride = [], row.in_channels, row.stride
        for _ in range(row.repeats):
            drop = table.stochastic_depth_prob * index / total
            spec = block_spec(row.operator, **_block_options(row, in_channels, stride, size, drop))
            specs.append(spec if row.skip else spec.replace(skip=False))
            size = spec.output_size
            in_channels, stride, index = row.out_channels, 1, index + 1
        stages.append(tuple(specs))
    return tuple(stages)




















