"""What the papers print for each preset: params, mult-adds and ImageNet top-1, with the table it comes from.

The one place for paper figures. Every number is as printed (rounded by the paper); top-1 is a
percentage on the ImageNet (ILSVRC 2012) validation set, single crop, from the papers' own tables:

- MobileNetV1, Howard et al. 2017 (https://arxiv.org/abs/1704.04861): Table 4 (full convs),
  Table 6 (width multiplier), Table 7 (resolution).
- MobileNetV2, Sandler et al. 2018 (https://arxiv.org/abs/1801.04381): Table 4 (1.0 and 1.4).
  The paper shows its other widths and resolutions only as a curve (Fig. 5), no printed number;
  the 0.35 model is printed in the MobileNetV3 paper's Table 3.
- MobileNetV3, Howard et al. 2019 (https://arxiv.org/abs/1905.02244): Table 3 (floating point).
  Its Table 4 is the 8-bit quantized models, not these float networks, so it is not used for top-1.
- EfficientNet, Tan & Le 2019 (https://arxiv.org/abs/1905.11946): Table 2 of the revised arXiv
  version (v5, better training recipe). The ICML 2019 version printed lower figures for B0-B6 and a
  higher one for B7; they are kept in :data:`EFFICIENTNET_ICML_TOP1`.
- EfficientNetV2, Tan & Le 2021 (https://arxiv.org/abs/2104.00298): Table 7, ImageNet-1k only
  (not the ImageNet-21k pretrained rows).

B8 (AdvProp) and L2 (Noisy Student, with 300M extra unlabelled images) come from other training
methods; only their parameter counts are listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.models.networks.tables import EFFICIENTNET_RELEASED, NetworkSpec, network_spec


@dataclass(frozen=True)
class PaperFigure:
    """Params, MACs and top-1 as a paper prints them (rounded), with where each comes from.

    ``top1`` is a percentage exactly as printed (``77.1``); ``top1_source`` names paper and table.
    """

    params: float | None
    macs: float | None
    source: str
    top1: float | None = None
    top1_source: str | None = None


_V1, _V2, _V3 = "MobileNetV1 paper", "MobileNetV2 paper Table 4", "MobileNetV3 paper Table 3"
_EFF = "EfficientNet paper Table 2 (its 'FLOPs' are multiply-adds)"
_EFF_TOP1 = "EfficientNet paper Table 2, revised arXiv version (v5)"
_V2_TABLE7 = "EfficientNetV2 paper Table 7"

# EfficientNet B0-B7 from Table 2: (params M, FLOPs B = mult-adds, top-1 revised arXiv, top-1 ICML 2019).
_EFFICIENTNET_TABLE2 = (
    (5.3, 0.39, 77.1, 76.3),
    (7.8, 0.70, 79.1, 78.8),
    (9.2, 1.0, 80.1, 79.8),
    (12, 1.8, 81.6, 81.1),
    (19, 4.2, 82.9, 82.6),
    (30, 9.9, 83.6, 83.3),
    (43, 19, 84.0, 84.0),
    (66, 37, 84.3, 84.4),
)
EFFICIENTNET_ICML_TOP1: dict[str, float] = {
    f"efficientnet_b{i}": row[3] for i, row in enumerate(_EFFICIENTNET_TABLE2)
}


def _efficientnet(index: int) -> tuple[tuple[str, float, int, bool], PaperFigure]:
    name = f"efficientnet_b{index}"
    params, macs, top1, icml = _EFFICIENTNET_TABLE2[index]
    width, _, resolution, _ = EFFICIENTNET_RELEASED[name]
    source = f"{_EFF_TOP1}; the ICML 2019 version printed {icml}"
    return (name, width, resolution, False), PaperFigure(params * 1e6, macs * 1e9, _EFF, top1, source)


# Keyed by (name, width_mult, resolution, full_conv); every number as printed in the papers.
PAPER_FIGURES: dict[tuple[str, float, int, bool], PaperFigure] = {
    ("mobilenet_v1", 1.0, 224, False): PaperFigure(4.2e6, 569e6, f"{_V1} Table 1/6", 70.6, f"{_V1} Table 6"),
    ("mobilenet_v1", 0.75, 224, False): PaperFigure(2.6e6, 325e6, f"{_V1} Table 6", 68.4, f"{_V1} Table 6"),
    ("mobilenet_v1", 0.5, 224, False): PaperFigure(1.3e6, 149e6, f"{_V1} Table 6", 63.7, f"{_V1} Table 6"),
    ("mobilenet_v1", 0.25, 224, False): PaperFigure(0.5e6, 41e6, f"{_V1} Table 6", 50.6, f"{_V1} Table 6"),
    ("mobilenet_v1", 1.0, 192, False): PaperFigure(4.2e6, 418e6, f"{_V1} Table 7", 69.1, f"{_V1} Table 7"),
    ("mobilenet_v1", 1.0, 160, False): PaperFigure(4.2e6, 290e6, f"{_V1} Table 7", 67.2, f"{_V1} Table 7"),
    ("mobilenet_v1", 1.0, 128, False): PaperFigure(4.2e6, 186e6, f"{_V1} Table 7", 64.4, f"{_V1} Table 7"),
    ("mobilenet_v1", 1.0, 224, True): PaperFigure(
        29.3e6, 4866e6, f"{_V1} Table 4 (full convolutions)", 71.7, f"{_V1} Table 4 (Conv MobileNet)"
    ),
    ("mobilenet_v2", 1.0, 224, False): PaperFigure(3.4e6, 300e6, _V2, 72.0, _V2),
    ("mobilenet_v2", 1.4, 224, False): PaperFigure(6.9e6, 585e6, _V2, 74.7, _V2),
    ("mobilenet_v2", 0.35, 224, False): PaperFigure(1.6e6, 59.2e6, _V3, 60.8, _V3),
    ("mobilenet_v3_large", 1.0, 224, False): PaperFigure(5.4e6, 219e6, _V3, 75.2, _V3),
    ("mobilenet_v3_large", 0.75, 224, False): PaperFigure(4.0e6, 155e6, _V3, 73.3, _V3),
    ("mobilenet_v3_small", 1.0, 224, False): PaperFigure(2.5e6, 56e6, _V3, 67.4, _V3),
    ("mobilenet_v3_small", 0.75, 224, False): PaperFigure(2.0e6, 44e6, _V3, 65.4, _V3),
    **dict(_efficientnet(index) for index in range(8)),
    ("efficientnet_b8", 2.2, 672, False): PaperFigure(88e6, None, "AdvProp paper (params only)"),
    ("efficientnet_l2", 4.3, 800, False): PaperFigure(480e6, None, "Noisy Student paper (params only)"),
    ("efficientnet_v2_s", 1.0, 384, False): PaperFigure(22e6, 8.8e9, _V2_TABLE7, 83.9, _V2_TABLE7),
    ("efficientnet_v2_m", 1.0, 480, False): PaperFigure(54e6, 24e9, _V2_TABLE7, 85.1, _V2_TABLE7),
    ("efficientnet_v2_l", 1.0, 480, False): PaperFigure(120e6, 53e9, _V2_TABLE7, 85.7, _V2_TABLE7),
}


def paper_figure(spec: NetworkSpec) -> PaperFigure | None:
    """The paper's figures for exactly this configuration (1000 classes), or None."""
    if spec.num_classes != 1000:
        return None
    width = spec.width_mult if spec.name.startswith("mobilenet") or spec.name in EFFICIENTNET_RELEASED else 1.0
    return PAPER_FIGURES.get((spec.name, round(width, 4), spec.resolution, spec.full_conv))


def published_presets() -> list[tuple[NetworkSpec, PaperFigure]]:
    """Every preset with a published top-1, as a spec and its paper figure, in table order."""
    presets = []
    for (name, width, resolution, full_conv), figure in PAPER_FIGURES.items():
        if figure.top1 is None:
            continue
        options = {"resolution": resolution, "full_conv": full_conv}
        if name.startswith("mobilenet"):
            options["width_mult"] = width
        presets.append((network_spec(name, **options), figure))
    return presets
