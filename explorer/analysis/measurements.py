"""What the pages measure: a block against every comparable kind plus its own layers, a network per stage.

Measuring is slow and done once; drawing (:mod:`explorer.artifacts.measure`) is cheap and pure, so a view
can redraw in another style without measuring again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import torch

from explorer.analysis.measure import (
    DEFAULT_MEMORY_BUDGET,
    MIN_BUDGET_S,
    NETWORK_HINT,
    Comparison,
    Latency,
    MachinePeaks,
    Progress,
    check_budget,
    check_parts_feasible,
    layer_latencies,
    machine_peaks,
    measure_comparable,
    stage_latencies,
)
from explorer.analysis.memory import MemoryReport, memory_report, network_stage
from explorer.models.blocks import build_block
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import NetworkSpec, network_table
from explorer.models.specs import BlockSpec

LAYER_SHARE = 0.3


@dataclass(frozen=True)
class BlockMeasureResults:
    """Everything measured for one block configuration (cacheable; drawing needs nothing else)."""

    spec: BlockSpec
    comparison: Comparison
    memory: MemoryReport
    layers: dict[str, Latency]
    peaks: MachinePeaks
    layers_refused: str = ""

    def refused_frame(self) -> pd.DataFrame:
        """What was not measured and why: refused kinds, and the per-layer timing if it did not fit."""
        rows = [{"what": name, "reason": reason} for name, reason in self.comparison.refused.items()]
        if self.layers_refused:
            rows.append({"what": "per-layer timing (roofline)", "reason": self.layers_refused})
        return pd.DataFrame(rows, columns=["what", "reason"])


def measure_block_results(spec: BlockSpec, budget_s: float, progress: Progress | None = None) -> BlockMeasureResults:
    """Measure every comparable kind (70% of the budget) and the block's own layers (the rest).

    Raises:
        ValueError: the configured block does not fit the memory or time budget. Per-layer
            timing that does not fit the rest of the budget is skipped, with the reason in
            ``layers_refused``.
    """
    budget_s = check_budget(budget_s)
    peaks = machine_peaks()  # measured once per process and thread count, before the clock starts
    start = time.perf_counter()
    kinds_budget = max(budget_s * (1 - LAYER_SHARE), MIN_BUDGET_S)
    try:
        comparison = measure_comparable(spec, kinds_budget, _scaled(progress, 0.0, 1 - LAYER_SHARE))
    except ValueError as error:
        if not str(error).startswith("budget:"):
            raise
        raise ValueError(f"{error} ({budget_split(budget_s).capitalize()}.)") from None
    shape = (spec.in_channels, spec.size, spec.size)
    module = build_block(spec)
    layers, refused = {}, ""
    try:
        layers_budget = max(budget_s - (time.perf_counter() - start), MIN_BUDGET_S)
        layers = layer_latencies(module, shape, layers_budget, _scaled(progress, 1 - LAYER_SHARE, 1.0))
    except ValueError as error:
        refused = str(error)
    return BlockMeasureResults(spec, comparison, memory_report(module, shape), layers, peaks, refused)


def budget_split(budget_s: float) -> str:
    """The sentence that says how a block measurement spends its budget (shown wherever a share is reported)."""
    kinds = max(budget_s * (1 - LAYER_SHARE), MIN_BUDGET_S)
    return (
        f"of the {budget_s:g} s budget, {kinds:.3g} s ({1 - LAYER_SHARE:.0%}) go to timing every comparable block kind "
        f"and the rest to this block's own layers"
    )


def _scaled(progress: Progress | None, start: float, end: float) -> Progress | None:
    if progress is None:
        return None
    return lambda fraction, message: progress(start + (end - start) * fraction, message)


@dataclass(frozen=True)
class NetworkMeasureResults:
    """Latency and memory per stage of one network (cacheable)."""

    label: str
    stages: pd.DataFrame
    memory: MemoryReport
    threads: int


def measure_network_results(spec: NetworkSpec, budget_s: float, progress: Progress | None = None,
                            memory_budget: int = DEFAULT_MEMORY_BUDGET) -> NetworkMeasureResults:
    """Latency per stage (batch 1) of a network and its memory per stage.

    The memory and time checks run on a meta-tensor copy before any weight is allocated; the
    time budget covers the measuring, not building the weights.
    """
    shape = (3, spec.resolution, spec.resolution)
    table = network_table(spec)
    with torch.device("meta"):
        skeleton = build_network(table)
    memory = memory_report(skeleton, shape, network_stage)
    check_parts_feasible(memory, list(memory.stage_frame()["stage"]), check_budget(budget_s), memory_budget, NETWORK_HINT)
    stages = stage_latencies(build_network(table), shape, budget_s, network_stage, progress, memory_budget, memory=memory)
    return NetworkMeasureResults(spec.label, stages, memory, int(stages["threads"].iloc[0]))
