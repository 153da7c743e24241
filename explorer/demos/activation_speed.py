"""Is h-swish cheap? Measured CPU time per element of six activations, next to the cost engine's op counts.

MobileNetV3 (https://arxiv.org/abs/1905.02244, Sec. 5.2) replaces swish x·σ(x) (Ramachandran et
al. 2017, https://arxiv.org/abs/1710.05941) by h-swish x·ReLU6(x + 3)/6 because "computing
sigmoid is expensive on mobile devices" and piecewise-linear functions are exact in low precision.
Here each activation module of the registry (:data:`explorer.models.activations.REGISTRY`) runs on
one float32 tensor in PyTorch on this CPU; the op counts per element are the registry's, the same
numbers the cost engine multiplies by the elements of every activation layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from explorer.analysis.measure import Latency, Progress, check_budget, time_call
from explorer.models.activations import REGISTRY

ACTIVATIONS = ("relu", "relu6", "sigmoid", "swish", "hsigmoid", "hswish")
ELEMENT_CHOICES = (4_096, 65_536, 1_048_576, 16_777_216)
DEFAULT_ELEMENTS = 65_536


@dataclass(frozen=True)
class ActivationTiming:
    """One activation's measured time on ``elements`` float32 values, with the registry's op count."""

    name: str
    elements: int
    latency: Latency

    @property
    def ns_per_element(self) -> float:
        return self.latency.median_s * 1e9 / self.elements

    @property
    def iqr_ns_per_element(self) -> float:
        return self.latency.iqr_s * 1e9 / self.elements

    @property
    def quartiles_ns_per_element(self) -> tuple[float, float]:
        """25th and 75th percentile of the per-call time, per element."""
        return self.latency.q1_s * 1e9 / self.elements, self.latency.q3_s * 1e9 / self.elements

    @property
    def ops_per_element(self) -> int:
        return REGISTRY[self.name].ops_per_element


def check_elements(elements: int) -> int:
    """``elements`` if it is one of :data:`ELEMENT_CHOICES`, else ValueError listing them."""
    if isinstance(elements, bool) or elements not in ELEMENT_CHOICES:
        raise ValueError(f"elements: must be one of {', '.join(map(str, ELEMENT_CHOICES))}, got {elements!r}.")
    return int(elements)


def measure_activations(elements: int, budget_s: float, progress: Progress | None = None,
                        seed: int = 0) -> list[ActivationTiming]:
    """Time each of :data:`ACTIVATIONS` (its registry module, not in place) on the same standard-normal input.

    The budget is shared evenly; batch 1 means here one tensor of ``elements`` values.
    """
    elements, budget_s = check_elements(elements), check_budget(budget_s)
    sample = torch.randn(elements, generator=torch.Generator().manual_seed(seed))
    timings = []
    with torch.inference_mode():
        for index, name in enumerate(ACTIVATIONS):
            if progress:
                progress(index / len(ACTIVATIONS), f"Timing {REGISTRY[name].label}")
            module = REGISTRY[name].module()
            latency = time_call(lambda module=module: module(sample), budget_s / len(ACTIVATIONS), (elements,))
            timings.append(ActivationTiming(name, elements, latency))
    if progress:
        progress(1.0, "Done")
    return timings
