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
bandwidth of the largest copy, which does not fit in cache) exceeds the time budget.

Machine peaks (cached per process and thread count), each the best of several probes so that no
layer of a real network beats them (Williams et al., https://doi.org/10.1145/1498765.1498785): compute
in GMAC/s from float32 matmuls and convs of several shapes (batch 1, the kernels the layers use),
bandwidth in GB/s from tensor copies of several sizes (counting the read and the write; the small ones
fit in cache, as a block's activations at batch 1 do), each timed ``PEAK_REPEATS`` times. The roofline
drawn over measured layers (:func:`roof_over`) starts from these peaks and, should a layer still beat
one of them (the machine is shared and was busier while the peaks were measured), is raised to that
layer, and says so.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
MATMUL_SIZES = (256, 512, 1024)
CONV_PROBES = ((64, 1, 56), (256, 1, 14), (512, 1, 7), (128, 3, 28))  # (channels in = out, kernel, size)
COPY_MIB = (1, 8, 64)  # size of the copied tensor: 1 MiB is about a batch-1 activation, 64 MiB fits in no cache
PROBE_BLOCK_S = 0.002  # a probe repeat times back-to-back calls for at least this long
PEAK_REPEATS = 5
RAISE_MARGIN = 1e-6  # a raised roof sits this fraction above the layer, so rounding never puts the layer over it
BLOCK_HINT = "lower size, in_channels, out_channels or expansion"
NETWORK_HINT = "lower the resolution or the width multiplier, or pick a smaller network"

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Probe:
    """One timed probe of the machine: what ran and the best rate it reached."""

    name: str  # "matmul 1024 x 1024 x 1024", "conv 1x1 64 -> 64 on 56x56", "copy 64 MiB"
    rate: float  # GMAC/s for compute probes, GB/s for copies
    unit: str  # "GMAC/s" or "GB/s"


@dataclass(frozen=True)
class MachinePeaks:
    """Measured peak compute (GMAC/s) and bandwidth (GB/s) of this machine: the best probe of each kind.

    ``dram_gbytes_per_s`` is the largest copy's bandwidth (a tensor that does not fit in cache), used
    for the pessimistic time estimate; 0 means the same as ``gbytes_per_s``.
    """

    gmacs: float
    gbytes_per_s: float
    threads: int
    probes: tuple[Probe, ...] = ()
    dram_gbytes_per_s: float = 0.0

    @property
    def ridge_macs_per_byte(self) -> float:
        """The intensity where the bandwidth roof meets the compute roof."""
        return self.gmacs / self.gbytes_per_s

    @property
    def large_copy_gbytes_per_s(self) -> float:
        """Bandwidth of a copy too large for the caches (the estimate's bandwidth)."""
        return self.dram_gbytes_per_s or self.gbytes_per_s

    def best_probe(self, unit: str) -> str:
        """The name of the probe that set the peak in ``unit`` ("GMAC/s" or "GB/s"), or "" if none is recorded."""
        rated = [probe for probe in self.probes if probe.unit == unit]
        return max(rated, key=lambda probe: probe.rate).name if rated else ""

    def to_dict(self) -> dict[str, Any]:
        return {"peak_gmac_per_s": self.gmacs, "peak_gb_per_s": self.gbytes_per_s,
                "large_copy_gb_per_s": self.large_copy_gbytes_per_s, "threads": self.threads,
                "probes": [{"name": probe.name, "rate": probe.rate, "unit": probe.unit} for probe in self.probes]}


def _best_seconds(call: Callable[[], Any], repeats: int) -> float:
    """Best time per call over ``repeats`` blocks of back-to-back calls, each at least ``PROBE_BLOCK_S`` long."""
    call()
    start = time.perf_counter()
    call()
    number = max(1, math.ceil(PROBE_BLOCK_S / max(time.perf_counter() - start, 1e-9)))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            call()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def _compute_probes() -> list[tuple[str, int, Callable[[], Any]]]:
    """(name, MACs per call, call): square float32 matmuls, and batch-1 convs like a network's layers."""
    probes: list[tuple[str, int, Callable[[], Any]]] = []
    for n in MATMUL_SIZES:
        a, b = torch.randn(n, n), torch.randn(n, n)
        probes.append((f"matmul {n} x {n} x {n}", n**3, lambda a=a, b=b: torch.mm(a, b)))
    for channels, kernel, size in CONV_PROBES:
        conv = nn.Conv2d(channels, channels, kernel, padding=kernel // 2, bias=False).eval()
        sample = torch.randn(1, channels, size, size)
        name = f"conv {kernel}x{kernel} {channels} -> {channels} on {size}x{size}"
        probes.append((name, kernel**2 * channels**2 * size**2, lambda conv=conv, sample=sample: conv(sample)))
    return probes


def machine_peaks() -> MachinePeaks:
    """Best GMAC/s of several matmul and conv shapes and best GB/s of several copy sizes, at the current
    thread count (see the module docstring); measured once per process and thread count."""
    return _machine_peaks(torch.get_num_threads())


@functools.cache
def _machine_peaks(threads: int) -> MachinePeaks:
    probes = []
    with torch.inference_mode():
        for name, macs, call in _compute_probes():
            probes.append(Probe(name, macs / _best_seconds(call, PEAK_REPEATS) / 1e9, "GMAC/s"))
        for mib in COPY_MIB:
            elements = int(mib * 2**20) // 4
            source, target = torch.zeros(elements), torch.empty(elements)
            seconds = _best_seconds(lambda source=source, target=target: target.copy_(source), PEAK_REPEATS)
            probes.append(Probe(f"copy {mib:g} MiB", 2 * elements * 4 / seconds / 1e9, "GB/s"))
    copies = [probe.rate for probe in probes if probe.unit == "GB/s"]
    return MachinePeaks(
        gmacs=max(probe.rate for probe in probes if probe.unit == "GMAC/s"), gbytes_per_s=max(copies),
        threads=threads, probes=tuple(probes), dram_gbytes_per_s=copies[-1],
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


@dataclass(frozen=True)
class TimeBudget:
    """The seconds one step of a measurement may use, out of the budget the user set, and what they go to.

    A refusal names the user's number and states the split next to it (:meth:`words`), never the share alone.
    """

    seconds: float
    total_s: float
    purpose: str = ""  # "go to timing every comparable block kind"

    def words(self) -> str:
        """``the 4 s time budget, of which 2.8 s (70%) go to timing every comparable block kind``."""
        text = f"the {self.total_s:g} s time budget"
        if self.purpose and self.seconds != self.total_s:
            text += f", of which {self.seconds:.3g} s ({self.seconds / self.total_s:.0%}) {self.purpose}"
        return text


def _time_budget(budget: float | TimeBudget) -> TimeBudget:
    return budget if isinstance(budget, TimeBudget) else TimeBudget(float(budget), float(budget))


def estimated_forward_seconds(memory: MemoryReport, peaks: MachinePeaks) -> float:
    """A pessimistic time for one forward pass: 5% of peak compute plus 10% of a large copy's bandwidth."""
    compute = memory.macs / (COMPUTE_EFFICIENCY_FLOOR * peaks.gmacs * 1e9)
    traffic = memory.bytes_moved / (BANDWIDTH_EFFICIENCY_FLOOR * peaks.large_copy_gbytes_per_s * 1e9)
    return compute + traffic


def _passes_text(passes: int) -> str:
    return "one forward pass" if passes == 1 else f"{passes} forward passes"


def check_feasible(memory: MemoryReport, budget_s: float | TimeBudget, memory_budget: int = DEFAULT_MEMORY_BUDGET,
                   hint: str = BLOCK_HINT, passes: int = 1, held_bytes: int = 0) -> None:
    """Refuse (ValueError saying what to lower) work that would not fit the memory or time budget.

    Args:
        memory: the module's memory report (computed on meta tensors).
        budget_s: the time budget in seconds, or a :class:`TimeBudget` (a share of the user's budget,
            named as such in the refusal); ``passes`` pessimistic forward passes must fit in it.
        memory_budget: bytes the real pass may add to the process (:func:`explorer.analysis.budget.forward_bytes`
            of the weights, the peak activations and ``held_bytes``, tensors kept aside meanwhile).
        hint: what the user can lower, in words.
    """
    budget = _time_budget(budget_s)
    check_memory(memory, memory_budget, hint, held_bytes)
    estimate = passes * estimated_forward_seconds(memory, machine_peaks())
    if estimate > budget.seconds:
        raise ValueError(
            f"budget: {_passes_text(passes)} of {memory.macs / 1e9:,.2f} GMACs may take up to {estimate:,.1f} s on "
            f"this machine, more than {budget.words()}; {hint}, or raise the budget."
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


def measure_comparable(spec: BlockSpec, budget_s: float | TimeBudget, progress: Progress | None = None,
                       memory_budget: int = DEFAULT_MEMORY_BUDGET) -> Comparison:
    """Measure ``spec`` and every comparable block kind at the same shape within one shared time budget.

    Every kind is counted and checked on meta tensors first (its estimated forward pass must
    fit the whole budget): the configured block is refused (ValueError), another kind is listed
    in :attr:`Comparison.refused` with the reason. Then the configured block is timed first,
    the standard conv second, then the others, the budget left (counting shares the time
    already spent) shared evenly between the kinds still to time; a kind reached once the budget is used up is listed as
    not measured (so the budget is exceeded by about one call and 50 ms at most). ``budget_s`` may be a
    :class:`TimeBudget` (a share of the user's budget), so that a refusal names the user's number.
    """
    start = time.perf_counter()
    budget = _time_budget(budget_s)
    budget_s = check_budget(budget.seconds)
    specs = comparable_specs(spec) or {spec.kind: spec}
    order = [kind for kind in dict.fromkeys([spec.kind, "standard", *specs]) if kind in specs]
    reports, refused = _checked_reports(specs, order, spec.kind, budget, memory_budget)
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


def _checked_reports(specs: dict[str, BlockSpec], order: list[str], main: str, budget: TimeBudget,
                     memory_budget: int) -> tuple[dict[str, tuple[CostReport, MemoryReport]], dict[str, str]]:
    """Meta-tensor reports of the kinds that fit the budgets, and the reasons for those that do not."""
    reports, refused = {}, {}
    for kind in order:
        costs, memory = block_reports(specs[kind])
        try:
            check_feasible(memory, budget, memory_budget)
        except ValueError as error:
            if kind == main:
                raise
            refused[kind] = str(error)
            continue
        reports[kind] = (costs, memory)
    return reports, refused


Parts = Mapping[str, Sequence[str]]
"""Parts to time by label, each a chain of submodule paths run one after the other (``{"stage 9": ("head", "classifier")}``)."""


def _as_parts(parts: Parts | Sequence[str]) -> dict[str, tuple[str, ...]]:
    """A list of submodule paths is one part per path, labelled by its path."""
    if isinstance(parts, Mapping):
        return {label: tuple(chain) for label, chain in parts.items()}
    return {name: (name,) for name in parts}


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


def _run_chain(modules: Sequence[nn.Module], inputs: tuple) -> Any:
    """``modules[-1](...modules[1](modules[0](*inputs)))``."""
    output = modules[0](*inputs)
    for module in modules[1:]:
        output = module(output)
    return output


def part_input_bytes(memory: MemoryReport, names: Parts | Sequence[str]) -> int:
    """Bytes of the inputs of the named parts: each part's first leaf call's input."""
    total = 0
    for chain in _as_parts(names).values():
        name = chain[0]
        first = next((layer for layer in memory.layers if layer.name == name or layer.name.startswith(name + ".")), None)
        total += first.input_bytes if first else 0
    return total


def check_parts_feasible(memory: MemoryReport, names: Parts | Sequence[str], budget_s: float | TimeBudget,
                         memory_budget: int = DEFAULT_MEMORY_BUDGET, hint: str = BLOCK_HINT, passes: int = 2) -> None:
    """The checks of :func:`measure_parts`: two forward passes (the capture and at least one timed
    call of every part; more if the caller times more), and the captured inputs of every part held on
    top of the peak activations."""
    held = part_input_bytes(memory, names)
    check_feasible(memory, budget_s, memory_budget, hint, passes=passes, held_bytes=held)


def measure_parts(module: nn.Module, input_shape: Sequence[int], names: Parts | Sequence[str],
                  budget_s: float | TimeBudget, progress: Progress | None = None,
                  memory_budget: int = DEFAULT_MEMORY_BUDGET, hint: str = BLOCK_HINT,
                  memory: MemoryReport | None = None) -> dict[str, Latency]:
    """Latency of each part on the input it receives in a real forward pass (batch 1), by label.

    A part is a submodule path, or a chain of them run one after the other (:data:`Parts`). The
    budget is shared evenly between the parts still to measure; the checks are :func:`check_parts_feasible`.
    """
    start = time.perf_counter()
    budget = _time_budget(budget_s)
    budget_s = check_budget(budget.seconds)
    parts = _as_parts(names)
    memory = memory if memory is not None else memory_report(module, input_shape)
    check_parts_feasible(memory, parts, budget, memory_budget, hint)
    module = module.eval()
    results: dict[str, Latency] = {}
    with torch.inference_mode():
        captured = _capture_inputs(module, torch.randn(1, *input_shape), [chain[0] for chain in parts.values()])
        labels = [label for label, chain in parts.items() if chain[0] in captured]
        for index, label in enumerate(labels):
            share = (budget_s - (time.perf_counter() - start)) / (len(labels) - index)
            if progress:
                progress(index / len(labels), f"Measuring {label}")
            chain, inputs = [module.get_submodule(name) for name in parts[label]], captured[parts[label][0]]
            results[label] = time_call(lambda chain=chain, inputs=inputs: _run_chain(chain, inputs), max(share, 1e-3),
                                       tuple(inputs[0].shape[1:]))
    if progress:
        progress(1.0, "Done")
    return results


def layer_latencies(module: nn.Module, input_shape: Sequence[int], budget_s: float | TimeBudget,
                    progress: Progress | None = None, memory_budget: int = DEFAULT_MEMORY_BUDGET) -> dict[str, Latency]:
    """Measured latency of every leaf layer that does MACs (convs and linear layers)."""
    memory = memory_report(module, input_shape)
    names = list(dict.fromkeys(layer.name for layer in memory.layers if layer.macs > 0))
    return measure_parts(module, input_shape, names, budget_s, progress, memory_budget, memory=memory)


def stage_parts(memory: MemoryReport, module_of: StageOf | None = None) -> dict[str, tuple[str, ...]]:
    """Each stage of ``memory`` (in order) and the submodules that make it up, in the order they run.

    ``module_of`` names the submodule a layer belongs to (``head.conv.conv`` -> ``head``); without it a
    stage's name is its submodule path.
    """
    parts: dict[str, dict[str, None]] = {}
    for layer in memory.layers:
        parts.setdefault(layer.stage, {})[module_of(layer.name) if module_of else layer.stage] = None
    return {stage: tuple(modules) for stage, modules in parts.items()}


def stage_latencies(module: nn.Module, input_shape: Sequence[int], budget_s: float | TimeBudget,
                    stage_of: StageOf = top_level_stage, progress: Progress | None = None,
                    memory_budget: int = DEFAULT_MEMORY_BUDGET, hint: str = NETWORK_HINT,
                    memory: MemoryReport | None = None, module_of: StageOf | None = None) -> pd.DataFrame:
    """Latency per stage (batch 1), each stage timed on its real input, next to its MACs and memory.

    A stage is timed as the chain of the submodules its layers belong to (:func:`stage_parts`): with
    ``module_of`` None, every stage name ``stage_of`` returns must be a submodule path of ``module``
    (``stem``, ``stages.3``, ...). The ``modules`` column names them (``head + classifier``).
    """
    memory = memory if memory is not None else memory_report(module, input_shape, stage_of)
    stages = memory.stage_frame()
    parts = stage_parts(memory, module_of)
    latencies = measure_parts(module, input_shape, parts, budget_s, progress, memory_budget, hint, memory)
    frame = stages[["stage", "layers", "MACs", "weight bytes", "peak live bytes"]].copy()
    frame.insert(1, "modules", frame["stage"].map(lambda name: " + ".join(parts[name])))
    for column, value in (("latency ms", "median_s"), ("q1 ms", "q1_s"), ("q3 ms", "q3_s"), ("min ms", "min_s")):
        frame[column] = frame["stage"].map(lambda name, value=value: getattr(latencies[name], value) * 1e3)
    frame["IQR ms"] = frame["q3 ms"] - frame["q1 ms"]
    frame["runs"] = frame["stage"].map(lambda name: latencies[name].runs)
    frame["threads"] = torch.get_num_threads()
    return frame


@dataclass(frozen=True)
class Roof:
    """The roofline drawn over measured layers: this machine's peaks, raised to any layer that beat them.

    ``compute_raised_by`` / ``bandwidth_raised_by`` name the layer that set a raised roof ("" if the
    measured peak held), so that a chart can say so.
    """

    gmacs: float
    gbytes_per_s: float
    peaks: MachinePeaks
    compute_raised_by: str = ""
    bandwidth_raised_by: str = ""

    def at(self, intensity: float) -> float:
        """The roof (GMAC/s) at ``intensity`` MACs per byte: the lower of the compute and the bandwidth roof."""
        return min(self.gmacs, intensity * self.gbytes_per_s)

    @property
    def ridge_macs_per_byte(self) -> float:
        """The intensity where the bandwidth roof meets the compute roof."""
        return self.gmacs / self.gbytes_per_s

    def notes(self) -> list[str]:
        """One sentence (no full stop) per raised roof: from what, to what, by which layer."""
        notes = []
        if self.compute_raised_by:
            notes.append(f"Compute roof raised from the measured {self.peaks.gmacs:.1f} to {self.gmacs:.1f} GMAC/s, "
                         f"the best layer ({self.compute_raised_by} beat every probe)")
        if self.bandwidth_raised_by:
            notes.append(f"Bandwidth roof raised from the measured {self.peaks.gbytes_per_s:.1f} to "
                         f"{self.gbytes_per_s:.1f} GB/s, the best layer ({self.bandwidth_raised_by} beat every copy)")
        return notes

    def to_dict(self) -> dict[str, Any]:
        return {"roof_gmac_per_s": self.gmacs, "roof_gb_per_s": self.gbytes_per_s,
                "compute_raised_by": self.compute_raised_by, "bandwidth_raised_by": self.bandwidth_raised_by,
                "measured": self.peaks.to_dict()}


def roof_over(peaks: MachinePeaks, layers: Iterable[tuple[str, float, float]]) -> Roof:
    """The roof over ``layers`` given as (name, MACs per byte, attained GMAC/s): no layer lies above it.

    Starts from the measured peaks; a layer above the compute roof raises it to that layer's GMAC/s, a
    layer above the bandwidth slope raises the bandwidth to its GMAC/s / intensity (each by
    ``RAISE_MARGIN`` more, so that rounding never leaves the layer above).
    """
    gmacs, bandwidth, compute_by, bandwidth_by = peaks.gmacs, peaks.gbytes_per_s, "", ""
    for name, intensity, attained in layers:
        if attained > gmacs:
            gmacs, compute_by = attained * (1 + RAISE_MARGIN), name
        if intensity > 0 and attained / intensity > bandwidth:
            bandwidth, bandwidth_by = attained / intensity * (1 + RAISE_MARGIN), name
    return Roof(gmacs, bandwidth, peaks, compute_by, bandwidth_by)


@dataclass(frozen=True)
class Roofline:
    """Per-layer roofline points (attained = MACs / median latency) and the roof over them."""

    points: pd.DataFrame
    roof: Roof


def roofline(memory: MemoryReport, latencies: dict[str, Latency], peaks: MachinePeaks) -> Roofline:
    """Per-layer roofline points: intensity (MAC/B), attained GMAC/s, and the roof at that intensity.

    The roof is :func:`roof_over` the points, so every point lies on or under it.
    """
    layers = [layer for layer in memory.layers if layer.name in latencies and layer.macs > 0]
    attained = {layer.name: layer.macs / latencies[layer.name].median_s / 1e9 for layer in layers}
    roof = roof_over(peaks, [(layer.name, layer.intensity, attained[layer.name]) for layer in layers])
    rows = []
    for layer in layers:
        at = roof.at(layer.intensity)
        rows.append({
            "layer": layer.name, "stage": layer.stage, "MACs": layer.macs, "bytes moved": layer.bytes_moved,
            "MACs per byte": layer.intensity, "latency ms": latencies[layer.name].median_s * 1e3,
            "attained GMAC/s": attained[layer.name], "roof GMAC/s": at, "% of roof": 100 * attained[layer.name] / at,
            "bound": "memory" if layer.intensity < roof.ridge_macs_per_byte else "compute",
        })
    return Roofline(pd.DataFrame(rows), roof)
