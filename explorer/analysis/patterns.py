"""Block patterns recognised in any model's per-layer rows, and "what if" a conv kind were replaced.

Works on a :class:`~explorer.analysis.costs.CostReport` alone (PyTorch or ONNX), reading the conv
rows in execution order. Convs on a 1 x 1 map are the squeeze-and-excitation's (SENet,
https://arxiv.org/abs/1709.01507); the others are matched as, in this order of preference:

- inverted residual (MobileNetV2, https://arxiv.org/abs/1801.04381): 1x1 expand, depthwise, 1x1 project;
  **MBConv** (EfficientNet, https://arxiv.org/abs/1905.11946) when an SE multiply sits inside;
- depthwise-separable (MobileNetV1, https://arxiv.org/abs/1704.04861): depthwise then 1x1;
- Fused-MBConv (EfficientNetV2, https://arxiv.org/abs/2104.00298): k x k standard conv that expands,
  then a 1x1 projection;
- group conv (ResNeXt, https://arxiv.org/abs/1611.05431): 1 < groups < channels;
- standard k x k conv (k >= 3, groups 1), pointwise 1x1 conv.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from explorer.analysis.costs import CostReport, LayerCost

PATTERNS = ("inverted residual", "MBConv", "depthwise-separable", "Fused-MBConv", "group conv", "standard conv",
            "pointwise conv", "SE")
REPLACEMENTS = ("depthwise-separable", "group conv (4 groups)", "spatially separable (k x 1 then 1 x k)")


@dataclass(frozen=True)
class _Conv:
    index: int
    layer: LayerCost
    k: int
    c_in: int
    c_out: int
    groups: int

    @property
    def depthwise(self) -> bool:
        return self.groups > 1 and self.groups == self.c_in

    @property
    def pointwise(self) -> bool:
        return self.k == 1 and self.groups == 1


def _convs(report: CostReport) -> list[_Conv]:
    convs = []
    for index, layer in enumerate(report.layers):
        if layer.groups is None or not layer.input_shape or not layer.output_shape or len(layer.output_shape) != 3:
            continue
        k = max(int(part) for part in layer.kernel.split("x")) if layer.kernel else 1
        convs.append(_Conv(index, layer, k, layer.input_shape[0], layer.output_shape[0], int(layer.groups)))
    return convs


def _has_se(report: CostReport, start: int, stop: int) -> bool:
    return any(layer.ops.get("se_multiply", 0) for layer in report.layers[start:stop + 2])


def _match(main: list[_Conv], i: int) -> tuple[str, int]:
    """(pattern, number of convs) starting at ``main[i]``."""
    a, b, c = (main[i + j] if i + j < len(main) else None for j in range(3))
    if a.pointwise and a.c_out > a.c_in and b is not None and b.depthwise and c is not None and c.pointwise:
        return "inverted residual", 3
    if a.depthwise and b is not None and b.pointwise:
        return "depthwise-separable", 2
    if a.groups == 1 and a.k >= 3 and a.c_out > a.c_in and b is not None and b.pointwise and b.c_out < b.c_in:
        return "Fused-MBConv", 2
    if 1 < a.groups < a.c_in:
        return "group conv", 1
    if a.groups == 1 and a.k >= 3:
        return "standard conv", 1
    return ("pointwise conv" if a.pointwise else "other conv"), 1


def layer_patterns(report: CostReport) -> dict[int, str]:
    """Row index -> the pattern its conv belongs to (rows that are no conv are left out)."""
    convs = _convs(report)
    labels = {conv.index: "SE" for conv in convs if conv.layer.input_shape[1:] == conv.layer.output_shape[1:] == (1, 1)
              and _has_se(report, conv.index, conv.index + 3)}
    main = [conv for conv in convs if conv.index not in labels]
    i = 0
    while i < len(main):
        pattern, length = _match(main, i)
        members = main[i:i + length]
        if pattern in ("inverted residual", "depthwise-separable") and _has_se(report, members[0].index, members[-1].index):
            pattern = "MBConv"
        labels.update({conv.index: pattern for conv in members})
        i += length
    return labels


def pattern_frame(report: CostReport) -> pd.DataFrame:
    """pattern, convs, MACs and % of the model's MACs, for every recognised pattern."""
    labels = layer_patterns(report)
    rows = {}
    for index, pattern in labels.items():
        row = rows.setdefault(pattern, {"pattern": pattern, "convs": 0, "MACs": 0})
        row["convs"] += 1
        row["MACs"] += report.layers[index].macs
    frame = pd.DataFrame(list(rows.values()), columns=["pattern", "convs", "MACs"])
    frame["% MACs"] = (100.0 * frame["MACs"] / max(report.macs, 1)).round(2)
    return frame.sort_values("MACs", ascending=False, ignore_index=True)


def _replacement_macs(conv: _Conv, replacement: str) -> tuple[int, int]:
    """(MACs, params) of ``conv`` rebuilt as ``replacement`` on the same output map (no bias)."""
    area = math.prod(conv.layer.output_shape[1:])
    k2 = conv.k * conv.k
    if replacement == "depthwise-separable":
        return area * (k2 * conv.c_in + conv.c_in * conv.c_out), k2 * conv.c_in + conv.c_in * conv.c_out
    if replacement.startswith("group conv"):
        groups = math.gcd(math.gcd(conv.c_in, conv.c_out), 4)
        return area * k2 * conv.c_in * conv.c_out // groups, k2 * conv.c_in * conv.c_out // groups
    per_position = conv.k * conv.c_in * conv.c_out + conv.k * conv.c_out * conv.c_out
    return area * per_position, per_position


@dataclass(frozen=True)
class ReplacedConv:
    """One standard conv of a model and its cost rebuilt as the what-if's replacement."""

    layer: str
    kernel: str
    c_in: int
    c_out: int
    macs: int
    macs_after: int
    params_after: int

    @property
    def macs_saved(self) -> int:
        return self.macs - self.macs_after

    def as_row(self) -> dict:
        return {"layer": self.layer, "kernel": self.kernel, "C_in": self.c_in, "C_out": self.c_out, "MACs": self.macs,
                "MACs after": self.macs_after, "MACs saved": self.macs_saved, "params after": self.params_after}


def replaced_convs(report: CostReport, replacement: str = "depthwise-separable") -> tuple[ReplacedConv, ...]:
    """Every standard k x k conv (k >= 3, groups 1) replaced by ``replacement``: MACs before and after, params after.

    Depthwise-separable: k²·C_in + C_in·C_out per output position instead of k²·C_in·C_out
    (ratio 1/C_out + 1/k², MobileNetV1 Sec. 3.1); group conv: divided by the groups (4, or the
    largest divisor of both channel counts below it); spatially separable: k x 1 (C_in -> C_out)
    then 1 x k (C_out -> C_out), both counted on the output map.
    """
    if replacement not in REPLACEMENTS:
        raise ValueError(f"replacement: {replacement!r} is not one of {', '.join(REPLACEMENTS)}.")
    replaced = []
    for conv in _convs(report):
        if conv.groups != 1 or conv.k < 3:
            continue
        macs, params = _replacement_macs(conv, replacement)
        replaced.append(ReplacedConv(conv.layer.name, conv.layer.kernel, conv.c_in, conv.c_out, conv.layer.macs, macs, params))
    return tuple(replaced)


def what_if_frame(replaced: Sequence[ReplacedConv]) -> pd.DataFrame:
    """The what-if table: one row per replaced conv (columns even when there is none)."""
    return pd.DataFrame([conv.as_row() for conv in replaced],
                        columns=["layer", "kernel", "C_in", "C_out", "MACs", "MACs after", "MACs saved", "params after"])
