"""Channel and depth rounding rules shared by every network.

``make_divisible`` is the rule of the MobileNet reference code (used by MobileNetV2,
https://arxiv.org/abs/1801.04381, MobileNetV3 and EfficientNet,
https://arxiv.org/abs/1905.11946): round to the nearest multiple of ``divisor`` but
never go below 90% of the requested value.
"""

from __future__ import annotations

import math


def make_divisible(value: float, divisor: int = 8, min_value: int | None = None) -> int:
    """Round ``value`` to a multiple of ``divisor``, never below 90% of ``value``.

    Example: ``make_divisible(32 * 1.1) == 32`` (35.2 rounds down to 32, which is
    >= 0.9 * 35.2); ``make_divisible(20) == 24``.
    """
    if divisor < 1:
        raise ValueError(f"divisor: must be at least 1, got {divisor!r}.")
    floor = divisor if min_value is None else min_value
    rounded = max(floor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


def round_repeats(repeats: int, depth_mult: float) -> int:
    """EfficientNet depth scaling: ``ceil(repeats * depth_mult)``."""
    return int(math.ceil(repeats * depth_mult))


def scale_v1_channels(channels: int, width_mult: float, min_channels: int = 8) -> int:
    """MobileNetV1 width multiplier alpha: ``max(int(channels * alpha), 8)``.

    The rule of the reference TF-slim ``mobilenet_v1.py`` (``depth = max(int(d * alpha), min_depth)``,
    https://arxiv.org/abs/1704.04861 section 3.3); exact for alpha in {1, 0.75, 0.5, 0.25}.
    """
    return max(int(channels * width_mult), min_channels)


def compound_multipliers(phi: float, alpha: float, beta: float, gamma: float) -> tuple[float, float, float]:
    """EfficientNet compound scaling (https://arxiv.org/abs/1905.11946, eq. 3).

    Returns ``(depth, width, resolution)`` multipliers ``(alpha**phi, beta**phi, gamma**phi)``;
    MACs grow about ``(alpha * beta**2 * gamma**2) ** phi``.
    """
    return alpha**phi, beta**phi, gamma**phi


def compound_flops_factor(alpha: float, beta: float, gamma: float) -> float:
    """``alpha * beta**2 * gamma**2``: the MAC growth per unit of phi (the paper constrains it to about 2)."""
    return alpha * beta**2 * gamma**2
