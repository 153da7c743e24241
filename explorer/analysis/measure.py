"""Measured CPU latency next to MACs, within a time and memory budget, and this machine's roofline.

Fewer MACs is often not faster: a depthwise-separable block cuts MACs by about
``1/C_out + 1/k^2`` (MobileNetV1, https://arxiv.org/abs/1704.04861) but its depthwise conv has
a low arithmetic intensity, so its latency falls far less (ShuffleNetV2,
https://arxiv.org/abs/1807.11164, "FLOPs is an indirect metric"). Here latency is *measured*,
never assumed.

How a latency is measured (``torch.utils.benchmark``):

- batch 1, float32, eval mode, ``torch.inference_mode``, ``torch.get_num_threads()`` threads
  (choose them with :func:`using_threads`);
- warm-up calls first, not counted (three, or fewer once they take 10% of the budget); then,
  if the fastest took 0.5 ms or less, blocks of back-to-back calls timed by ``Timer.timeit``
  (about 5 ms per block: timer overhead, about 1 us, is negligible), each sample being one
  block's time per call; for longer calls, single calls timed one by one
  (``time.perf_counter``, the clock ``Timer`` uses). The median, quartiles (IQR = 75th - 25th
  percentile) and minimum are over these samples;
- a block or call starts only if it is expected to end within the budget, so the budget is
  exceeded by at most about one call or block. (``Timer.blocked_autorange`` is not used: its
  block-size calibration grows blocks tenfold and ran to 9 s on a 0.5 s budget on a busy
  machine.)

A configuration is refused *before* anything is allocated when its estimated memory (weights
+ peak activations, as a real pass takes them: :mod:`explorer.analysis.budget`) exceeds the memory budget, or when a
pessimistic estimate of one forward pass (5% of the measured peak compute, 10% of the
measured bandwidth) exceeds the time budget.

Machine peaks (cached per process): compute from a large float32 matmul (GFLOP/s, 2 FLOPs per
MAC), bandwidth from a large tensor copy (GB/s counting the read and the write).
"""

from __future__ import annotations

import contextlib
import functools
import os
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import torch
from torch import nn

from explorer.analysis.budget import DEFAULT_MEMORY_BUDGET, check_memory
from explorer.analysis.costs import CostReport, count_costs
from explorer.analysis.memory import MemoryReport, StageOf, memory_report, top_level_stage
from explorer.models.blocks import build_block, comparable_specs
from explorer.models.specs import BlockSpec

MIN_BUDGET_S = 0.05
MAX_BUDGET_S = 120.0
COMPUTE_EFFICIENCY_FLOOR = 0.05
BANDWIDTH_EFFICIENCY_FLOOR = 0.10
TARGET_BLOCK_S = 0.005
WARM_UP_CALLS = 3
WARM_UP_SHARE = 0.1
MATMUL_SIZE = 1024
COPY_ELEMENTS = 16 * 1024 * 1024
PEAK_REPEATS = 3
BLOCK_HINT = "lower size, in_channels, out_channels or expansion"
NETWORK_HINT = "lower the resolution or the width multiplier, or pick a smaller network"

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class MachinePeaks:
    """Measured peak compute and memory bandwidth of this machine (best of several runs)."""

    gflops: float
    gbytes_per_s: float
    threads: int

    @property
    def gmacs(self) -> float:
        """Peak compute in GMAC/s (one MAC = 2 FLOPs)."""
        return self.gflops / 2

    @property
    def ridge_macs_per_byte(self) -> float:
        """The intensity where the bandwidth roof meets the compute roof."""
        return self.gmacs / self.gbytes_per_s


def _best_seconds(call: Callable[[], Any], repeats: int) -> float:
    call()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def machine_peaks() -> MachinePeaks:
    """Peak GFLOP/s from a 1024 x 1024 float32 matmul and GB/s from a 64 MiB copy, at the current
    thread count; measured once per process and thread count."""
    return _machine_peaks(torch.get_num_threads())


@functools.cache
def _machine_peaks(threads: int) -> MachinePeaks:
    with torch.inference_mode():
        a, b = torch.randn(MATMUL_SIZE, MATMUL_SIZE), torch.randn(MATMUL_SIZE, MATMUL_SIZE)
        matmul = _best_seconds(lambda: torch.mm(a, b), PEAK_REPEATS)
        source, target = torch.zeros(COPY_ELEMENTS), torch.empty(COPY_ELEMENTS)
        copy = _best_seconds(lambda: target.copy_(source), PEAK_REPEATS)
    return MachinePeaks(
        gflops=2 * MATMUL_SIZE**3 / matmul / 1e9,
        gbytes_per_s=2 * COPY_ELEMENTS * 4 / copy / 1e9,
        threads=threads,
    )


@dataclass(frozen=True)
class Latency:
    """Measured latency of one call: median, quartiles and minimum over samples, with how it was measured.

    On a busy machine the minimum is the least disturbed sample; the median and the IQR say
    what a user of the machine as it is would see.
    """

    median_s: float
    q1_s: float
    q3_s: float
    min_s: float
    samples: int
    runs: int
    threads: int
    input_shape: tuple[int, ...]
    budget_s: float
    elapsed_s: float
    method: str

    @property
    def iqr_s(self) -> float:
        """Interquartile range: 75th minus 25th percentile of the samples."""
        return self.q3_s - self.q1_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "latency_ms": self.median_s * 1e3,
            "latency_ms_iqr": self.iqr_s * 1e3,
            "latency_ms_q1": self.q1_s * 1e3,
            "latency_ms_q3": self.q3_s * 1e3,
            "latency_ms_min": self.min_s * 1e3,
            "samples": self.samples,
            "runs": self.runs,
            "threads": self.threads,
            "batch": 1,
            "input_shape": list(self.input_shape),
            "budget_s": self.budget_s,
            "elapsed_s": self.elapsed_s,
            "method": self.method,
        }


def check_budget(budget_s: float) -> float:
    """The time budget as a float, or ValueError naming the valid range."""
    if not MIN_BUDGET_S <= float(budget_s) <= MAX_BUDGET_S:
        raise ValueError(f"budget: must be from {MIN_BUDGET_S:g} to {MAX_BUDGET_S:g} seconds, got {budget_s!r}.")
    return float(budget_s)


def estimated_forward_seconds(memory: MemoryReport, peaks: MachinePeaks) -> float:
    """A pessimistic time for one forward pass: 5% of peak compute plus 10% of peak bandwidth."""
    compute = memory.macs / (COMPUTE_EFFICIENCY_FLOOR * peaks.gmacs * 1e9)
    traffic = memory.bytes_moved / (BANDWIDTH_EFFICIENCY_FLOOR * peaks.gbytes_per_s * 1e9)
    return compute + traffic


def _passes_text(passes: int) -> str:
    return "one forward pass" if passes == 1 else f"{passes} forward passes"


def check_feasible(memory: MemoryReport, budget_s: float, memory_budget: int = DEFAULT_MEMORY_BUDGET,
                   hint: str = BLOCK_HINT, passes: int = 1, held_bytes: int = 0) -> None:
    """Refuse (ValueError saying what to lower) work that would not fit the memory or time budget.

    Args:
        memory: the module's memory report (computed on meta tensors).
        budget_s: the time budget in seconds; ``passes`` pessimistic forward passes must fit in it.
        memory_budget: bytes the real pass may add to the process (:func:`explorer.analysis.budget.forward_bytes`
            of the weights, the peak activations and ``held_bytes``, tensors kept aside meanwhile).
        hint: what the user can lower, in words.
    """
    check_memory(memory, memory_budget, hint, held_bytes)
    estimate = passes * estimated_forward_seconds(memory, machine_peaks())
    if estimate > budget_s:
        raise ValueError(
            f"budget: {_passes_text(passes)} of {memory.macs / 1e9:,.2f} GMACs may take up to {estimate:,.1f} s on "
            f"this machine, more than the {budget_s:g} s time budget; {hint}, or raise the budget."
        )


def thread_choices() -> list[int]:
    """Thread counts a measurement may use: 1 up to this machine's CPU count."""
    return list(range(1, (os.cpu_count() or 1) + 1))


@contextlib.contextmanager
def using_threads(threads: int | None) -> Iterator[int]:
    """Run the ``with`` body with ``threads`` torch threads (None: leave as is), restored afterwards.

    torch's thread count is process-wide. On a machine shared with other busy processes one
    thread is often faster and steadier than several, which wait for each other.
    """
    if threads is None:
        yield torch.get_num_threads()
        return
    if isinstance(threads, bool) or not isinstance(threads, int) or threads not in thread_choices():
        raise ValueError(f"threads: must be a whole number from 1 to {thread_choices()[-1]}, got {threads!r}.")
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield threads
    finally:
        torch.set_num_threads(previous)


def _single_runs(call: Callable[[], Any], deadline: float, per_call: float) -> list[float]:
    """Time single calls while the next one is expected to end before ``deadline``."""
    times: list[float] = []
    while time.perf_counter() + per_call <= deadline:
        start = time.perf_counter()
        call()
        per_call = time.perf_counter() - start
        times.append(per_call)
    return times


def _blocks(call: Callable[[], Any], deadline: float, per_call: float, threads: int) -> tuple[list[float], int]:
    """Per-call times of ``Timer.timeit`` blocks of about ``TARGET_BLOCK_S`` while they fit before ``deadline``.

    The block length follows the last per-call time, so a machine that slows down mid-way
    gets shorter blocks instead of one block far past the budget. Returns the times and the
    number of calls made.
    """
    from torch.utils import benchmark  # imports torch's C++ extension tooling: only when measuring

    timer = benchmark.Timer(stmt="call()", globals={"call": call}, num_threads=threads)
    times: list[float] = []
    runs = 0
    number = max(1, int(TARGET_BLOCK_S / per_call))
    while time.perf_counter() + per_call * (number + max(number // 100, 2)) <= deadline:  # timeit warms up first
        per_call = timer.timeit(number).times[0]
        times.append(per_call)
        runs += number
        number = max(1, int(TARGET_BLOCK_S / per_call))
    return times, runs


def time_call(call: Callable[[], Any], budget_s: float, input_shape: Sequence[int] = ()) -> Latency:
    """Median, quartiles and minimum of ``call()``'s wall time within ``budget_s`` seconds (see the module docstring)."""
    import torch.utils.benchmark  # noqa: F401 - ~0.2 s the first time: loaded before the clock starts

    start = time.perf_counter()
    deadline = start + budget_s
    threads = torch.get_num_threads()
    warm_ups: list[float] = []
    for _ in range(WARM_UP_CALLS):
        if warm_ups and (sum(warm_ups) >= WARM_UP_SHARE * budget_s or time.perf_counter() + warm_ups[-1] > deadline):
            break
        begin = time.perf_counter()
        call()
        warm_ups.append(time.perf_counter() - begin)
    per_call = min(warm_ups)
    if per_call * 10 <= TARGET_BLOCK_S:
        times, runs = _blocks(call, deadline, per_call, threads)
        method = "torch.utils.benchmark Timer.timeit blocks"
    else:
        times = _single_runs(call, deadline, per_call)
        runs, method = len(times), "single calls"
    if not times:
        times, runs, method = [per_call], 1, "warm-up calls only"
    quartiles = statistics.quantiles(times, n=4, method="inclusive") if len(times) > 1 else [times[0]] * 3
    return Latency(
        median_s=statistics.median(times), q1_s=quartiles[0], q3_s=quartiles[2], min_s=min(times), samples=len(times),
        runs=runs, threads=threads, input_shape=tuple(input_shape), budget_s=budget_s,
        elapsed_s=time.perf_counter() - start, method=method,
    )


def measure_module(module: nn.Module, input_shape: Sequence[int], budget_s: float,
                   memory_budget: int = DEFAULT_MEMORY_BUDGET, hint: str = BLOCK_HINT,
                   memory: MemoryReport | None = None) -> Latency:
    """Latency of ``module`` on one random input of ``input_shape`` (batch 1), after the feasibility checks."""
    budget_s = check_budget(budget_s)
    memory = memory if memory is not None else memory_report(module, input_shape)
    check_feasible(memory, budget_s, memory_budget, hint)
    module = module.eval()
    with torch.inference_mode():
        sample = torch.randn(1, *input_shape)
        return time_call(lambda: module(sample), budget_s, input_shape)


@dataclass(frozen=True)
class BlockMeasurement:
    """One block's counts, memory and measured latency."""

    spec: BlockSpec
    costs: CostReport
    memory: MemoryReport
    latency: Latency

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.spec.kind, "spec": self.spec.to_dict(), "macs": self.costs.macs, "params": self.costs.params,
                "parameter_bytes": self.memory.parameter_bytes, "peak_activation_bytes": self.memory.peak_activation_bytes,
                "largest_activation_bytes": self.memory.largest_activation_bytes,
                "macs_per_byte": self.memory.intensity} | self.latency.to_dict()


def block_reports(spec: BlockSpec) -> tuple[CostReport, MemoryReport]:
    """The block's cost and memory reports, counted on meta tensors (no weight is allocated)."""
    shape = (spec.in_channels, spec.size, spec.size)
    with torch.device("meta"):
        skeleton = build_block(spec)
    costs = count_costs(skeleton, shape)
    return costs, memory_report(skeleton, shape, costs=costs)


def _time_block(spec: BlockSpec, costs: CostReport, memory: MemoryReport, budget_s: float) -> BlockMeasurement:
    shape = (spec.in_channels, spec.size, spec.size)
    module = build_block(spec).eval()
    with torch.inference_mode():
        sample = torch.randn(1, *shape)
        latency = time_call(lambda: module(sample), budget_s, shape)
    return BlockMeasurement(spec, costs, memory, latency)


def measure_block(spec: BlockSpec, budget_s: float, memory_budget: int = DEFAULT_MEMORY_BUDGET) -> BlockMeasurement:
    """Count, check and time one block; counts and checks run on meta tensors before any weight exists."""
    budget_s = check_budget(budget_s)
    costs, memory = block_reports(spec)
    check_feasible(memory, budget_s, memory_budget)
    return _time_block(spec, costs, memory, budget_s)


@dataclass(frozen=True)
class Comparison:
    """Every comparable block kind measured at the same shape, and the kinds that were refused."""

    measurements: dict[str, BlockMeasurement]
    refused: dict[str, str] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per measured kind: MACs, memory, intensity, latency median and IQR, runs."""
        rows = []
        for kind, item in self.measurements.items():
            row = item.to_dict()
            rows.append({
                "kind": kind, "label": item.spec.info.label, "MACs": row["macs"], "params": row["params"],
                "peak activation bytes": row["peak_activation_bytes"], "MACs per byte": round(row["macs_per_byte"], 3),
                "latency ms": round(row["latency_ms"], 4), "IQR ms": round(row["latency_ms_iqr"], 4),
                "q1 ms": round(row["latency_ms_q1"], 4), "q3 ms": round(row["latency_ms_q3"], 4),
                "samples": row["samples"], "runs": row["runs"], "threads": row["threads"],
            })
        return pd.DataFrame(rows)


def measure_comparable(spec: BlockSpec, budget_s: float, progress: Progress | None = None,
                       memory_budget: int = DEFAULT_MEMORY_BUDGET) -> Comparison:
    """Measure ``spec`` and every comparable block kind at the same shape within one shared time budget.

    Every kind is counted and checked on meta tensors first (its estimated forward pass must
    fit the whole budget): the configured block is refused (ValueError), another kind is listed
    in :attr:`Comparison.refused` with the reason. Then the configured block is timed first,
    the standard conv second, then the others, the budget left (counting shares the time
    already spent) shared evenly between the kinds still to time; a kind reached once the budget is used up is listed as
    not measured (so the budget is exceeded by about one call and 50 ms at most).
    """
    start = time.perf_counter()
    budget_s = check_budget(budget_s)
    specs = comparable_specs(spec) or {spec.kind: spec}
    order = [kind for kind in dict.fromkeys([spec.kind, "standard", *specs]) if kind in specs]
    reports, refused = _checked_reports(specs, order, spec.kind, budget_s, memory_budget)
    measurements = {}
    for index, kind in enumerate(reports):
        left = budget_s - (time.perf_counter() - start)
        if progress:
            progress(index / len(reports), f"Measuring {specs[kind].info.label} ({max(left, 0):.2f} s left)")
        if index and left <= 0:
            refused[kind] = "budget: not measured, the time budget was used up by the kinds before it; raise the budget."
            continue
        share = max(left / (len(reports) - index), MIN_BUDGET_S)
        measurements[kind] = _time_block(specs[kind], *reports[kind], share)
    if progress:
        progress(1.0, "Done")
    return Comparison(measurements, refused)


def _checked_reports(specs: dict[str, BlockSpec], order: list[str], main: str, budget_s: float,
                     memory_budget: int) -> tuple[dict[str, tuple[CostReport, MemoryReport]], dict[str, str]]:
    """Meta-tensor reports of the kinds that fit the budgets, and the reasons for those that do not."""
    reports, refused = {}, {}
    for kind in order:
        costs, memory = block_reports(specs[kind])
        try:
            check_feasible(memory, budget_s, memory_budget)
        except ValueError as error:
            if kind == main:
                raise
            refused[kind] = str(error)
            continue
        reports[kind] = (costs, memory)
    return reports, refused


def _capture_inputs(module: nn.Module, sample: torch.Tensor, names: Sequence[str]) -> dict[str, tuple]:
    """Run ``module`` once and keep the positional inputs each named submodule received."""
    captured: dict[str, tuple] = {}
    handles = []
    for name in names:
        def keep(_module: nn.Module, inputs: tuple, _output: Any, name: str = name) -> None:
            captured.setdefault(name, inputs)

        handles.append(module.get_submodule(name).register_forward_hook(keep))
    try:
        module(sample)
    finally:
        for handle in handles:
            handle.remove()
    return captured


def part_input_bytes(memory: MemoryReport, names: Sequence[str]) -> int:
    """Bytes of the inputs of the named parts: each part's first leaf call's input."""
    total = 0
    for name in names:
        first = next((layer for layer in memory.layers if layer.name == name or layer.name.startswith(name + ".")), None)
        total += first.input_bytes if first else 0
    return total


def check_parts_feasible(memory: MemoryReport, names: Sequence[str], budget_s: float,
                         memory_budget: int = DEFAULT_MEMORY_BUDGET, hint: str = BLOCK_HINT) -> None:
    """The checks of :func:`measure_parts`: two forward passes (the capture and at least one timed
    call of every part), and the captured inputs of every part held on top of the peak activations."""
    held = part_input_bytes(memory, names)
    check_feasible(memory, budget_s, memory_budget, hint, passes=2, held_bytes=held)


def measure_parts(module: nn.Module, input_shape: Sequence[int], names: Sequence[str], budget_s: float,
                  progress: Progress | None = None, memory_budget: int = DEFAULT_MEMORY_BUDGET,
                  hint: str = BLOCK_HINT, memory: MemoryReport | None = None) -> dict[str, Latency]:
    """Latency of each named submodule on the input it receives in a real forward pass (batch 1).

    The budget is shared evenly between the parts still to measure; the checks are
    :func:`check_parts_feasible`.
    """
    start = time.perf_counter()
    budget_s = check_budget(budget_s)
    memory = memory if memory is not None else memory_report(module, input_shape)
    check_parts_feasible(memory, names, budget_s, memory_budget, hint)
    module = module.eval()
    results: dict[str, Latency] = {}
    with torch.inference_mode():
        captured = _capture_inputs(module, torch.randn(1, *input_shape), names)
        parts = [name for name in names if name in captured]
        for index, name in enumerate(parts):
            share = (budget_s - (time.perf_counter() - start)) / (len(parts) - index)
            if progress:
                progress(index / len(parts), f"Measuring {name}")
            part, inputs = module.get_submodule(name), captured[name]
            results[name] = time_call(lambda part=part, inputs=inputs: part(*inputs), max(share, 1e-3),
                                      tuple(inputs[0].shape[1:]))
    if progress:
        progress(1.0, "Done")
    return results


def layer_latencies(module: nn.Module, input_shape: Sequence[int], budget_s: float,
                    progress: Progress | None = None, memory_budget: int = DEFAULT_MEMORY_BUDGET) -> dict[str, Latency]:
    """Measured latency of every leaf layer that does MACs (convs and linear layers)."""
    memory = memory_report(module, input_shape)
    names = list(dict.fromkeys(layer.name for layer in memory.layers if layer.macs > 0))
    return measure_parts(module, input_shape, names, budget_s, progress, memory_budget, memory=memory)


def stage_latencies(module: nn.Module, input_shape: Sequence[int], budget_s: float, stage_of: StageOf = top_level_stage,
                    progress: Progress | None = None, memory_budget: int = DEFAULT_MEMORY_BUDGET,
                    hint: str = NETWORK_HINT, memory: MemoryReport | None = None) -> pd.DataFrame:
    """Latency per stage (batch 1), each stage timed on its real input, next to its MACs and memory.

    Every stage name ``stage_of`` returns must be a submodule path of ``module`` (``stem``,
    ``stages.3``, ...), so that the stage can be run on its own.
    """
    memory = memory if memory is not None else memory_report(module, input_shape, stage_of)
    stages = memory.stage_frame()
    latencies = measure_parts(module, input_shape, list(stages["stage"]), budget_s, progress, memory_budget, hint, memory)
    frame = stages[["stage", "layers", "MACs", "weight bytes", "peak live bytes"]].copy()
    for column, value in (("latency ms", "median_s"), ("q1 ms", "q1_s"), ("q3 ms", "q3_s")):
        frame[column] = frame["stage"].map(lambda name, value=value: getattr(latencies[name], value) * 1e3)
    frame["IQR ms"] = frame["q3 ms"] - frame["q1 ms"]
    frame["runs"] = frame["stage"].map(lambda name: latencies[name].runs)
    frame["threads"] = torch.get_num_threads()
    return frame


def roofline_frame(memory: MemoryReport, latencies: dict[str, Latency], peaks: MachinePeaks) -> pd.DataFrame:
    """Per-layer roofline points: intensity (MAC/B), attained GMAC/s, and the roof at that intensity."""
    rows = []
    for layer in memory.layers:
        if layer.name not in latencies or layer.macs == 0:
            continue
        latency = latencies[layer.name]
        roof = min(peaks.gmacs, layer.intensity * peaks.gbytes_per_s)
        attained = layer.macs / latency.median_s / 1e9
        rows.append({
            "layer": layer.name, "stage": layer.stage, "MACs": layer.macs, "bytes moved": layer.bytes_moved,
            "MACs per byte": layer.intensity, "latency ms": latency.median_s * 1e3, "attained GMAC/s": attained,
            "roof GMAC/s": roof, "% of roof": 100 * attained / roof,
            "bound": "memory" if layer.intensity < peaks.ridge_macs_per_byte else "compute",
        })
    return pd.DataFrame(rows)
