"""Latency of a model the user brings: PyTorch on real tensors and onnxruntime, the runtime people deploy with.

A zoo model is timed in PyTorch and, exported to ONNX by the project (:func:`explorer.export.models.onnx_bytes`),
in onnxruntime next to it; an uploaded ONNX file in onnxruntime only (there is no module to run). Every
timing goes through :func:`explorer.analysis.measure.time_call` (the Networks page's timer). Timing a
file runs it; counting it never does.

Each path is checked before it allocates anything, on the meta-device model or on the parsed graph
(:mod:`explorer.analysis.budget`): a zoo model's real weights are built only once its forward pass,
and its ONNX export and session if asked for, fit the memory budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from explorer.analysis.budget import ALLOCATOR_FACTOR, DEFAULT_MEMORY_BUDGET, mib
from explorer.analysis.measure import Latency, check_budget, check_feasible, time_call
from explorer.analysis.memory import MemoryReport, memory_report
from explorer.sources import zoo

ZOO_HINT = "pick a smaller model (zoo models are timed at their default input size)"
FILE_HINT = "export the model at a smaller input size or with fewer weights"


@dataclass(frozen=True)
class ZooLatencies:
    """A zoo model timed in PyTorch and in onnxruntime (exported by the project), each share of the time budget stated."""

    torch: Latency
    onnxruntime: Latency | None
    onnxruntime_refused: str
    share_s: float


def zoo_memory(source: str, name: str, input_size: tuple[int, ...]) -> MemoryReport:
    """The zoo model's memory report, on its meta-device build (nothing allocated)."""
    meta_model, _ = zoo.build_zoo_model(source, name)
    return memory_report(meta_model, input_size, costs=zoo.count_zoo_model(source, name, tuple(input_size)).report)


def onnx_export_bytes(memory: MemoryReport) -> int:
    """What building the model, exporting it to ONNX and opening it in onnxruntime add to the process, at most.

    Exporting holds the weights three times besides the module's own (the traced graph's constants, the
    ONNX initializers and the serialised bytes; :func:`explorer.export.models.check_onnx_fits`) and traces
    one forward pass; the session, once the module is freed, holds the bytes, its own initializers and the
    copies its kernels pre-pack. Measured: RegNetY-8GF (150 MiB of weights) rose 4.7 times its weights
    over the process before it was built, at the export.
    """
    activations = memory.peak_activation_bytes + memory.input_bytes
    return int(ALLOCATOR_FACTOR * (3 * memory.parameter_bytes + 2 * activations)) + memory.parameter_bytes


def check_onnx_export(memory: MemoryReport, memory_budget: int = DEFAULT_MEMORY_BUDGET) -> None:
    """Refuse (ValueError naming what to lower) an ONNX export and session over ``memory_budget``."""
    needed = onnx_export_bytes(memory)
    if needed > memory_budget:
        raise ValueError(
            f"memory: exporting this model to ONNX and opening it in onnxruntime needs about {mib(needed)} "
            f"(the weights, {mib(memory.parameter_bytes)}, and while exporting three copies of them and twice the "
            f"activations, {mib(memory.peak_activation_bytes + memory.input_bytes)}, these times {ALLOCATOR_FACTOR:g} "
            f"for the allocator), over the {mib(memory_budget)} memory budget; {ZOO_HINT}."
        )


def _session(data: bytes):  # noqa: ANN202 - onnxruntime is imported only when a model is timed
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    return onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def _time_session(data: bytes, input_size: tuple[int, ...], budget_s: float) -> Latency:
    session = _session(data)
    image = session.get_inputs()[0]
    sample = np.random.default_rng(0).standard_normal((1, *input_size), dtype=np.float32)
    return time_call(lambda: session.run(None, {image.name: sample}), budget_s, input_size)


def _time_module(module: torch.nn.Module, input_size: tuple[int, ...], budget_s: float) -> Latency:
    with torch.inference_mode():
        sample = torch.randn(1, *input_size)
        return time_call(lambda: module(sample), budget_s, input_size)


def torch_latency(source: str, name: str, input_size: tuple[int, ...], budget_s: float,
                  memory_budget: int = DEFAULT_MEMORY_BUDGET) -> Latency:
    """Build ``source:name`` with random weights on the CPU and time one batch-1 forward pass.

    The memory and time checks run on the meta-device build before any weight is allocated.
    """
    return zoo_latencies(source, name, input_size, budget_s, memory_budget, with_onnx=False).torch


def zoo_latencies(source: str, name: str, input_size: tuple[int, ...], budget_s: float,
                  memory_budget: int = DEFAULT_MEMORY_BUDGET, with_onnx: bool = True) -> ZooLatencies:
    """Time ``source:name`` in PyTorch and, exported to ONNX by the project, in onnxruntime: half the budget each.

    The PyTorch pass is refused (ValueError) when it does not fit the budgets; the ONNX side, checked
    apart, is left out with the reason in :attr:`ZooLatencies.onnxruntime_refused`. Exporting is not
    timed and not counted in the budget.
    """
    from explorer.export.models import onnx_bytes

    budget_s = check_budget(budget_s)
    size = tuple(input_size)
    share = budget_s / 2 if with_onnx else budget_s
    memory = zoo_memory(source, name, size)
    check_feasible(memory, share, memory_budget, ZOO_HINT)
    refused = ""
    if with_onnx:
        try:
            check_onnx_export(memory, memory_budget)
        except ValueError as error:
            refused = str(error)
    module = zoo.SOURCES[source].build_real(name)
    latency = _time_module(module, size, share)
    if not with_onnx or refused:
        return ZooLatencies(latency, None, refused, share)
    try:
        data, module = onnx_bytes(module, size), None  # the session needs the bytes only: the weights go first
        return ZooLatencies(latency, _time_session(data, size, share), "", share)
    except Exception as error:  # noqa: BLE001 - an op the exporter or onnxruntime lacks: PyTorch's number still stands
        reason = " ".join(str(error).split())[:300] or type(error).__name__
        return ZooLatencies(latency, None, f"onnx: this model could not be exported or run in onnxruntime ({reason}).", share)


def check_onnx_session(data: bytes, input_size: tuple[int, ...] | None = None,
                       memory_budget: int = DEFAULT_MEMORY_BUDGET) -> int:
    """Bytes an onnxruntime session of the file adds to the process; ValueError naming what to lower above the budget.

    The file's bytes are held already; the session adds its initializers and its activations
    (:func:`explorer.sources.onnx.peak_activation_bytes`), both times the allocator factor, and the copies
    its kernels pre-pack (measured: RegNetY-8GF's session took 2.2 times its weights).
    """
    from explorer.sources import onnx as onnx_source

    model = onnx_source.load_onnx(data)
    weights = sum(onnx_source.initializer_bytes(t) for t in model.graph.initializer)
    activations = onnx_source.peak_activation_bytes(model, input_size)
    needed = int(ALLOCATOR_FACTOR * (weights + activations)) + weights
    if needed > memory_budget:
        raise ValueError(
            f"memory: running this file in onnxruntime needs about {mib(needed)} (weights {mib(weights)} + "
            f"activations {mib(activations)}, times {ALLOCATOR_FACTOR:g} for the allocator, and a pre-packed copy of "
            f"the weights), over the {mib(memory_budget)} memory budget; {FILE_HINT}."
        )
    return needed


def onnxruntime_latency(data: bytes, input_size: tuple[int, ...], budget_s: float,
                        memory_budget: int = DEFAULT_MEMORY_BUDGET) -> Latency:
    """Time one batch-1 run of the ONNX model in onnxruntime's CPU provider, after the memory check."""
    budget_s = check_budget(budget_s)
    check_onnx_session(data, tuple(input_size), memory_budget)
    return _time_session(data, tuple(input_size), budget_s)
