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
    measure_module,
)
from explorer.analysis.memory import memory_report
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import NetworkSpec, network_table


@dataclass(frozen=True)
class NetworkLatencies:
    """Latency per network (batch 1, at its own resolution), and the reason for each one not measured."""

    latencies: dict[NetworkSpec, Latency]
    refused: dict[NetworkSpec, str] = field(default_factory=dict)


def measure_networks(specs: Sequence[NetworkSpec], budget_s: float, progress: Progress | None = None,
                     memory_budget: int = DEFAULT_MEMORY_BUDGET) -> NetworkLatencies:
    """Time every network of ``specs`` in turn, the budget left shared evenly between those still to time."""
    start = time.perf_counter()
    budget_s = check_budget(budget_s)
    latencies, refused = {}, {}
    for index, spec in enumerate(specs):
        share = (budget_s - (time.perf_counter() - start)) / (len(specs) - index)
        if progress:
            progress(index / len(specs), f"Measuring {spec.label}")
        if share < MIN_BUDGET_S:
            refused[spec] = "budget: not measured, the time budget was used up by the networks before it."
            continue
        shape = (3, spec.resolution, spec.resolution)
        table = network_table(spec)
        with torch.device("meta"):
            memory = memory_report(build_network(table), shape)
        try:
            check_feasible(memory, share, memory_budget, NETWORK_HINT)
        except ValueError as error:
            refused[spec] = str(error)
            continue
        latencies[spec] = measure_module(build_network(table), shape, share, memory_budget, NETWORK_HINT, memory)
    if progress:
        progress(1.0, "Done")
    return NetworkLatencies(latencies, refused)
