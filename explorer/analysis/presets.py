"""Measured CPU latency of whole networks, one after another within one shared time budget.

Used to put the published presets on a latency axis next to their MACs and params (accuracy
against cost, as MobileNetV3's Fig. 1, https://arxiv.org/abs/1905.02244, does for a Pixel phone).
Each network is checked on meta tensors first (:func:`explorer.analysis.measure.check_feasible`);
one that would not fit its share of the budget is refused with the reason, never started.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from explorer.analysis.measure import (
    DEFAULT_MEMORY_BUDGET,
    MIN_BUDGET_S,
    NETWORK_HINT,
    Latency,
    Progress,
    check_budget,
    check_feasible,
    estimated_forward_seconds,
    machine_peaks,
    measure_module,
)
from explorer.analysis.memory import MemoryReport, memory_report
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import NetworkSpec, network_table


def _memory(spec: NetworkSpec) -> MemoryReport:
    """The network's memory report, counted on the meta device (no weight allocated)."""
    with torch.device("meta"):
        return memory_report(build_network(network_table(spec)), (3, spec.resolution, spec.resolution))


@dataclass(frozen=True)
class NetworkLatencies:
    """Latency per network (batch 1, at its own resolution), and the reason for each one not measured."""

    latencies: dict[NetworkSpec, Latency]
    refused: dict[NetworkSpec, str] = field(default_factory=dict)


def measure_networks(specs: Sequence[NetworkSpec], budget_s: float, progress: Progress | None = None,
                     memory_budget: int = DEFAULT_MEMORY_BUDGET) -> NetworkLatencies:
    """Time every network of ``specs``, cheapest (by pessimistic forward time) first.

    Each gets the budget left divided by the networks still to time, or three pessimistic forward
    passes if that is more and still fits in what is left; a network that does not fit is refused.
    The budget counts timing only: the meta-device memory reports and the machine peaks come first.
    """
    budget_s = check_budget(budget_s)
    latencies, refused = {}, {}
    memories = {spec: _memory(spec) for spec in specs}
    peaks = machine_peaks()
    start = time.perf_counter()
    order = sorted(specs, key=lambda spec: estimated_forward_seconds(memories[spec], peaks))
    for index, spec in enumerate(order):
        left = budget_s - (time.perf_counter() - start)
        share = min(max(left / (len(order) - index), 3 * estimated_forward_seconds(memories[spec], peaks)), left)
        if progress:
            progress(index / len(order), f"Measuring {spec.label}")
        if share < MIN_BUDGET_S:
            refused[spec] = "budget: not measured, the time budget was used up by the networks before it."
            continue
        shape, memory = (3, spec.resolution, spec.resolution), memories[spec]
        try:
            check_feasible(memory, share, memory_budget, NETWORK_HINT)
        except ValueError as error:
            refused[spec] = str(error)
            continue
        module = build_network(network_table(spec))
        latencies[spec] = measure_module(module, shape, share, memory_budget, NETWORK_HINT, memory)
    if progress:
        progress(1.0, "Done")
    return NetworkLatencies(latencies, refused)
