"""Params and MACs as each network's paper reports them, keyed by the configuration they describe.

MobileNetV1 (https://arxiv.org/abs/1704.04861) Tables 1, 4, 6, 7; MobileNetV2
(https://arxiv.org/abs/1801.04381) Table 4; MobileNetV3 (https://arxiv.org/abs/1905.02244) Table 3;
EfficientNet (https://arxiv.org/abs/1905.11946) Table 2; AdvProp (https://arxiv.org/abs/1911.09665)
and Noisy Student (https://arxiv.org/abs/1911.04252) for B8 and L2; EfficientNetV2
(https://arxiv.org/abs/2104.00298) Table 7.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.models.networks.tables import EFFICIENTNET_RELEASED, NetworkSpec


@dataclass(frozen=True)
class PaperFigure:
    """Params and MACs as a paper reports them (rounded), with where they come from."""

    params: float | None
    macs: float | None
    source: str


_V1, _V2, _V3 = "MobileNetV1 paper", "MobileNetV2 paper Table 4", "MobileNetV3 paper Table 3"
_EFF = "EfficientNet paper Table 2 (its 'FLOPs' are multiply-adds)"
# Keyed by (name, width_mult, resolution, full_conv); params and MACs as printed in the papers.
PAPER_FIGURES: dict[tuple[str, float, int, bool], PaperFigure] = {
    ("mobilenet_v1", 1.0, 224, False): PaperFigure(4.2e6, 569e6, f"{_V1} Table 1/6"),
    ("mobilenet_v1", 0.75, 224, False): PaperFigure(2.6e6, 325e6, f"{_V1} Table 6"),
    ("mobilenet_v1", 0.5, 224, False): PaperFigure(1.3e6, 149e6, f"{_V1} Table 6"),
    ("mobilenet_v1", 0.25, 224, False): PaperFigure(0.5e6, 41e6, f"{_V1} Table 6"),
    ("mobilenet_v1", 1.0, 192, False): PaperFigure(4.2e6, 418e6, f"{_V1} Table 7"),
    ("mobilenet_v1", 1.0, 160, False): PaperFigure(4.2e6, 290e6, f"{_V1} Table 7"),
    ("mobilenet_v1", 1.0, 128, False): PaperFigure(4.2e6, 186e6, f"{_V1} Table 7"),
    ("mobilenet_v1", 1.0, 224, True): PaperFigure(29.3e6, 4866e6, f"{_V1} Table 4 (full convolutions)"),
    ("mobilenet_v2", 1.0, 224, False): PaperFigure(3.4e6, 300e6, _V2),
    ("mobilenet_v2", 1.4, 224, False): PaperFigure(6.9e6, 585e6, _V2),
    ("mobilenet_v3_large", 1.0, 224, False): PaperFigure(5.4e6, 219e6, _V3),
    ("mobilenet_v3_large", 0.75, 224, False): PaperFigure(4.0e6, 155e6, _V3),
    ("mobilenet_v3_small", 1.0, 224, False): PaperFigure(2.5e6, 56e6, _V3),
    ("mobilenet_v3_small", 0.75, 224, False): PaperFigure(2.0e6, 44e6, _V3),
    **{
        (name, EFFICIENTNET_RELEASED[name][0], EFFICIENTNET_RELEASED[name][2], False): PaperFigure(params * 1e6, macs * 1e9, _EFF)
        for name, (params, macs) in zip(
            (f"efficientnet_b{i}" for i in range(8)),
            [(5.3, 0.39), (7.8, 0.70), (9.2, 1.0), (12, 1.8), (19, 4.2), (30, 9.9), (43, 19), (66, 37)],
            strict=True,
        )
    },
    ("efficientnet_b8", 2.2, 672, False): PaperFigure(88e6, None, "AdvProp paper (params only)"),
    ("efficientnet_l2", 4.3, 800, False): PaperFigure(480e6, None, "Noisy Student paper (params only)"),
    ("efficientnet_v2_s", 1.0, 384, False): PaperFigure(22e6, 8.8e9, "EfficientNetV2 paper Table 7"),
    ("efficientnet_v2_m", 1.0, 480, False): PaperFigure(54e6, 24e9, "EfficientNetV2 paper Table 7"),
    ("efficientnet_v2_l", 1.0, 480, False): PaperFigure(120e6, 53e9, "EfficientNetV2 paper Table 7"),
}

def paper_figure(spec: NetworkSpec) -> PaperFigure | None:
    """The paper's figures for exactly this configuration (1000 classes), or None."""
    if spec.num_classes != 1000:
        return None
    width = spec.width_mult if spec.name.startswith("mobilenet") or spec.name in EFFICIENTNET_RELEASED else 1.0
    return PAPER_FIGURES.get((spec.name, round(width, 4), spec.resolution, spec.full_conv))
