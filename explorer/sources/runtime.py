"""Latency of a model the user brings: PyTorch on real tensors (zoo models) and onnxruntime (ONNX files).

Both go through :func:`explorer.analysis.measure.time_call` (the Networks page's timer); PyTorch
also through its memory feasibility check, on real tensors within the memory budget. onnxruntime
is the runtime people deploy ONNX with; timing a file runs it, counting it never does.
"""

from __future__ import annotations

import numpy as np
import torch

from explorer.analysis.measure import DEFAULT_MEMORY_BUDGET, Latency, check_budget, measure_module, time_call
from explorer.sources import zoo

MAX_TIMED_PARAMS = 100_000_000  # real weights are allocated to time a zoo model: 400 MB at float32


def torch_latency(source: str, name: str, input_size: tuple[int, ...], budget_s: float) -> Latency:
    """Build ``source:name`` with random weights on the CPU and time one batch-1 forward pass."""
    meta_model, _ = zoo.build_zoo_model(source, name)
    params = sum(p.numel() for p in meta_model.parameters())
    if params > MAX_TIMED_PARAMS:
        raise ValueError(f"model: {params:,} params is over the {MAX_TIMED_PARAMS:,} this page allocates to time a model.")
    return measure_module(zoo.SOURCES[source].build_real(name), input_size, budget_s, DEFAULT_MEMORY_BUDGET)


def onnxruntime_latency(data: bytes, input_size: tuple[int, ...], budget_s: float) -> Latency:
    """Time one batch-1 run of the ONNX model in onnxruntime's CPU provider."""
    import onnxruntime

    budget_s = check_budget(budget_s)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    image = session.get_inputs()[0]
    sample = np.random.default_rng(0).standard_normal((1, *input_size), dtype=np.float32)
    return time_call(lambda: session.run(None, {image.name: sample}), budget_s, input_size)
