"""Measure panels: CPU latency and memory of a block or a network, on this server, within a time budget.

Only widgets and rendering live here; measuring is in :mod:`explorer.analysis.measurements`, drawing in
:mod:`explorer.artifacts.measure`.
Results are kept per configuration, budget and thread count in ``st.session_state``, so a rerun (a style
switch, another tab) redraws without measuring again. One measurement runs at a time on the
server, so that two sessions do not slow each other's numbers down.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import streamlit as st
import torch

from explorer.analysis.measure import MAX_BUDGET_S, Progress, thread_choices, using_threads
from explorer.analysis.measurements import (
    budget_split,
    measure_block_results,
    measure_network_results,
    network_budget_split,
)
from explorer.analysis.memory import MemoryReport, memory_report, network_stage
from explorer.analysis.torch_settings import THREADS_LOCK
from explorer.artifacts.base import PageArtifacts
from explorer.artifacts.measure import block_measure_artifacts, latency_summary, network_measure_artifacts
from explorer.models.blocks import build_block
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import NetworkSpec, network_table
from explorer.models.specs import BlockSpec
from views import downloads, widgets

RESULTS_KEY = "_measure_results"
PANEL_BUDGET_MAX = 30.0
MAX_STORED = 16


def _measure_lock() -> threading.Lock:
    """One lock for the whole process: measurements never overlap, nor overlap a digits retrain."""
    return THREADS_LOCK


def stored_measurement(key: tuple) -> Any:
    """The result a measurement stored for ``key`` in this session, or None."""
    return st.session_state.setdefault(RESULTS_KEY, {}).get(key)


def run_measurement(key: tuple, run: Callable[[Progress], Any], budget: float, threads: int) -> Any:
    """Run ``run`` with ``threads`` torch threads and a progress bar under the server-wide lock; store its result."""
    bar = st.progress(0.0, text="Waiting for another measurement on this server to finish…")
    if not _measure_lock().acquire(timeout=MAX_BUDGET_S + budget):
        bar.empty()
        raise ValueError("budget: the server is busy measuring for someone else; try again in a moment.")
    try:
        with using_threads(threads):
            result = run(lambda fraction, text: bar.progress(min(max(fraction, 0.0), 1.0), text=text))
    finally:
        _measure_lock().release()
        bar.empty()
    stored = st.session_state.setdefault(RESULTS_KEY, {})
    stored[key] = result
    for old in list(stored)[:-MAX_STORED]:
        del stored[old]
    return result


def budget_controls(prefix: str, default: float) -> tuple[float, int]:
    """The time budget slider and the thread count, side by side."""
    left, right = st.columns([3, 1])
    with left:
        budget = widgets.float_slider(
            "Time budget, seconds", f"{prefix}_budget", 0.5, PANEL_BUDGET_MAX, default, 0.5,
            help="Measuring stops when the budget is used and reports what it got (more time: more runs, tighter spread).",
        )
    with right:
        choices = thread_choices()
        threads = widgets.select(
            "Threads", f"{prefix}_threads", choices, 1,
            help="torch threads used while measuring. 1 by default: on a shared server, several threads "
                 "wait for each other and the numbers scatter.",
        )
    return budget, int(threads)


def _show(artifacts: PageArtifacts, prefix: str) -> None:
    for name, artifact in artifacts.exports().items():
        key = f"{prefix}_{name}"
        if hasattr(artifact, "to_plotly_json"):
            downloads.show_chart(artifact, key, name)
        else:
            downloads.show_table(artifact, key, name)


def _bytes_text(count: int) -> str:
    """``212`` -> ``212 B``, ``4_817_664`` -> ``4.59 MiB``."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count / size:,.2f} {unit}"
    return f"{count:,} B"


@st.cache_data(max_entries=64, show_spinner=False)
def _block_memory(spec: BlockSpec) -> MemoryReport:
    with torch.device("meta"):
        return memory_report(build_block(spec), (spec.in_channels, spec.size, spec.size))


@st.cache_data(max_entries=32, show_spinner=False)
def _network_memory(spec: NetworkSpec) -> MemoryReport:
    with torch.device("meta"):
        return memory_report(build_network(network_table(spec)), (3, spec.resolution, spec.resolution), network_stage)


def _memory_metrics(memory: MemoryReport) -> None:
    """Weights, largest activation and peak activation memory (counted on meta tensors, always shown)."""
    columns = st.columns(4)
    columns[0].metric("Weights", _bytes_text(memory.parameter_bytes), help="Every parameter, float32.")
    columns[1].metric("Largest activation", _bytes_text(memory.largest_activation_bytes),
                      help="The largest single tensor, batch 1.")
    columns[2].metric("Peak activation memory", _bytes_text(memory.peak_activation_bytes), help=(
        "Sequential execution: at each layer call, its inputs, its output and every tensor still needed later "
        f"(e.g. the residual shortcut) are live. Peak at {memory.peak_layer or 'the input'}."
    ))
    columns[3].metric("MACs per byte moved", f"{memory.intensity:.2f}", help=(
        "Arithmetic intensity: MACs / (input + output + weight bytes of every layer, each moved once)."
    ))


def render_measure_panel(spec: BlockSpec) -> None:
    """The "Measure" panel of a block: latency of it and every comparable kind, memory, roofline."""
    st.subheader("Measured latency and memory on this server")
    _memory_metrics(_block_memory(spec))
    budget, threads = budget_controls("measure", 4.0)
    key = ("block", spec, budget, threads)
    if st.button("Measure", key="measure_button", type="primary"):
        try:
            run_measurement(key, lambda progress: measure_block_results(spec, budget, progress), budget, threads)
        except ValueError as error:
            widgets.refuse(error)
            return
    results = stored_measurement(key)
    if results is None:
        st.caption("Press Measure to time this block and every block kind of the same shape on this server's CPU.")
        return
    artifacts = block_measure_artifacts(results, widgets.figure_style())
    latency = artifacts.latency
    st.caption(
        f"This block: {latency_summary(latency)}; batch 1, float32, input {' × '.join(map(str, latency.input_shape))}. "
        f"The server is shared: the spread shows how steady the numbers are. Budget: {budget_split(budget)}."
    )
    st.caption(
        "Roofline: each layer's MACs over its median latency, under the best of several matmul, conv and copy "
        "probes measured with the same threads. " + " ".join(f"{note}." for note in artifacts.roof.notes())
    )
    _show(artifacts, "measure")


def render_network_latency(network_spec: NetworkSpec) -> None:
    """Whole-network latency and latency per paper stage (batch 1, with spread), and memory per stage of a network."""
    st.subheader("Measured latency on this server")
    try:
        _memory_metrics(_network_memory(network_spec))
    except ValueError as error:
        widgets.refuse(error)
        return
    budget, threads = budget_controls("net_measure", 6.0)
    key = ("network", network_spec, budget, threads)
    if st.button("Measure latency", key="net_measure_button", type="primary"):
        try:
            run_measurement(key, lambda progress: measure_network_results(network_spec, budget, progress), budget, threads)
        except ValueError as error:
            widgets.refuse(error)
            return
    results = stored_measurement(key)
    if results is None:
        st.caption("Press the button to time this network (batch 1), whole and stage by stage, on this server's CPU.")
        return
    artifacts = network_measure_artifacts(results, network_spec.name, widgets.figure_style())
    latency = artifacts.latency
    whole, spread, stages = st.columns(3)
    whole.metric("Whole network, median", f"{latency.median_s * 1e3:.3g} ms",
                 help="One forward pass of the whole network, batch 1, float32.")
    spread.metric("Spread (IQR, 25th–75th percentile)", f"{latency.q1_s * 1e3:.3g}–{latency.q3_s * 1e3:.3g} ms",
                  help=f"Minimum {latency.min_s * 1e3:.3g} ms over {latency.runs:,} runs.")
    stages.metric("Stages timed one by one, sum", f"{artifacts.stages_latency_ms:.3g} ms",
                  help="Each stage timed on its own real input; the sum of their medians differs from the whole "
                       "network's (caches, and each stage's own call overhead).")
    st.caption(
        f"{results.label}, whole network: {latency_summary(latency)}. Stages are numbered as in the paper's table on "
        f"the Networks page (1 = the stem), each timed on its own real input ({artifacts.fewest_runs:,} to "
        f"{artifacts.most_runs:,} runs per stage); median and interquartile range. "
        f"Budget: {network_budget_split(results.budget_s)}."
    )
    _show(artifacts, "net_measure")
