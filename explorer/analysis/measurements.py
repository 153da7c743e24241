"""What the pages measure: a block against every comparable kind plus its own layers, a network per stage.

Measuring is slow and done once; drawing (:mod:`explorer.artifacts.measure`) is cheap and pure, so a view
can redraw in another style without measuring again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch

from explorer.analysis.breakdown import stage_number, stage_rows
from explorer.analysis.measure import (
    DEFAULT_MEMORY_BUDGET,
    MIN_BUDGET_S,
    NETWORK_HINT,
    Comparison,
    Latency,
    MachinePeaks,
    Progress,
    TimeBudget,
    check_budget,
    check_parts_feasible,
    layer_latencies,
    machine_peaks,
    measure_comparable,
    stage_latencies,
    stage_parts,
    time_call,
)
from explorer.analysis.memory import MemoryReport, StageOf, memory_report, network_stage
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
        ValueError: the configured block does not fit the memory or time budget (the refusal names
            the budget the user set and its split). Per-layer timing that does not fit the rest of
            the budget is skipped, with the reason in ``layers_refused``.
    """
    budget_s = check_budget(budget_s)
    peaks = machine_peaks()  # measured once per process and thread count, before the clock starts
    start = time.perf_counter()
    kinds = TimeBudget(max(budget_s * (1 - LAYER_SHARE), MIN_BUDGET_S), budget_s, KINDS_PURPOSE)
    comparison = measure_comparable(spec, kinds, _scaled(progress, 0.0, 1 - LAYER_SHARE))
    shape = (spec.in_channels, spec.size, spec.size)
    module = build_block(spec)
    layers, refused = {}, ""
    try:
        left = max(budget_s - (time.perf_counter() - start), MIN_BUDGET_S)
        layers = layer_latencies(module, shape, TimeBudget(left, budget_s, "are left for this block's own layers"),
                                 _scaled(progress, 1 - LAYER_SHARE, 1.0))
    except ValueError as error:
        refused = str(error)
    return BlockMeasureResults(spec, comparison, memory_report(module, shape), layers, peaks, refused)


KINDS_PURPOSE = "go to timing every comparable block kind"


def budget_split(budget_s: float) -> str:
    """The sentence that says how a block measurement spends its budget (shown wherever a share is reported)."""
    kinds = max(budget_s * (1 - LAYER_SHARE), MIN_BUDGET_S)
    return (
        f"of the {budget_s:g} s budget, {kinds:.3g} s ({1 - LAYER_SHARE:.0%}) {KINDS_PURPOSE} "
        f"and the rest to this block's own layers"
    )


def _scaled(progress: Progress | None, start: float, end: float) -> Progress | None:
    if progress is None:
        return None
    return lambda fraction, message: progress(start + (end - start) * fraction, message)


WHOLE_SHARE = 0.3  # of a network's budget, to timing the whole network first; the rest to each stage


def network_budget_split(budget_s: float) -> str:
    """How a network measurement spends its budget, in words (shown next to the numbers)."""
    return (f"of the {budget_s:g} s budget, {budget_s * WHOLE_SHARE:.3g} s ({WHOLE_SHARE:.0%}) go to timing the whole "
            f"network first and the rest to timing each stage on its own input")


@dataclass(frozen=True)
class NetworkMeasureResults:
    """Latency of a whole network and of each of its paper stages, and its memory per stage (cacheable).

    ``stages`` has one row per row of the paper's table (``stage`` 1 = the stem, as on the Networks
    page), its ``operator`` and the ``modules`` timed for it (``head + classifier``).
    """

    label: str
    latency: Latency  # of one whole forward pass
    stages: pd.DataFrame
    memory: MemoryReport
    memory_stages: pd.DataFrame  # memory.stage_frame() with the stages numbered and their operator
    threads: int
    budget_s: float

    @property
    def stages_latency_ms(self) -> float:
        """Sum of the stage medians (each stage timed on its own; not the whole network's latency)."""
        return float(self.stages["latency ms"].sum())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the whole network's latency (median, quartiles, minimum over runs), memory, one row per stage."""
        return {
            "label": self.label,
            **self.latency.to_dict(),
            "stages_latency_ms_sum": self.stages_latency_ms,
            "macs": self.memory.macs,
            "parameter_bytes": self.memory.parameter_bytes,
            "peak_activation_bytes": self.memory.peak_activation_bytes,
            "largest_activation_bytes": self.memory.largest_activation_bytes,
            "stages": self.stages.to_dict("records"),
        }


def paper_stages(spec: NetworkSpec) -> tuple[StageOf, dict[str, dict[str, Any]]]:
    """The paper-stage name of each layer (``stage 1`` = the stem, ... as on the Networks page) and each
    stage's row of the paper's table (stage number, operator), by name."""
    rows = stage_rows(spec, [])
    last = len(rows)
    return (lambda name: f"stage {stage_number(name, last)}"), {f"stage {row['stage']}": row for row in rows}


def measure_network_results(spec: NetworkSpec, budget_s: float, progress: Progress | None = None,
                            memory_budget: int = DEFAULT_MEMORY_BUDGET) -> NetworkMeasureResults:
    """Latency of the whole network (30% of the budget), then of each paper stage (the rest), batch 1.

    The memory and time checks run on a meta-tensor copy before any weight is allocated: three
    pessimistic forward passes (one of the whole network, the capture of the stages' inputs, one call
    of every stage) must fit the budget. The whole network goes first, so that its warm-up calls pay
    the one-off kernel set-up the stages then share. The time budget covers the measuring, not
    building the weights; it is exceeded by about one call at most.
    """
    budget_s = check_budget(budget_s)
    shape = (3, spec.resolution, spec.resolution)
    table = network_table(spec)
    stage_of, rows = paper_stages(spec)
    with torch.device("meta"):
        skeleton = build_network(table)
    memory = memory_report(skeleton, shape, stage_of)
    check_parts_feasible(memory, stage_parts(memory, network_stage), budget_s, memory_budget, NETWORK_HINT, passes=3)
    module = build_network(table)
    start = time.perf_counter()
    if progress:
        progress(0.0, "Measuring the whole network")
    with torch.inference_mode():
        sample = torch.randn(1, *shape)
        latency = time_call(lambda: module(sample), budget_s * WHOLE_SHARE, shape)
    # never less than the stages' share: the up-front check (3 passes in the budget) then covers theirs (2 passes)
    left = max(budget_s - (time.perf_counter() - start), budget_s * (1 - WHOLE_SHARE))
    stages = stage_latencies(module, shape, left, stage_of, _scaled(progress, WHOLE_SHARE, 1.0), memory_budget,
                             NETWORK_HINT, memory, network_stage)
    return NetworkMeasureResults(spec.label, latency, numbered_stages(stages, rows), memory,
                                 numbered_stages(memory.stage_frame(), rows), latency.threads, budget_s)


def numbered_stages(frame: pd.DataFrame, rows: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """``frame`` with its ``stage`` names (``stage 3``) as the paper's stage numbers, and each stage's operator."""
    names = frame["stage"]
    frame = frame.assign(stage=names.map(lambda name: rows[name]["stage"]))
    frame.insert(1, "operator", names.map(lambda name: rows[name]["operator"]).to_numpy())
    return frame
