"""Latency measurement (explorer.measure): the time budget holds, refusals say what to lower, figures are right."""

import time

import pandas as pd
import pytest
import torch
from torch import nn

from explorer.analysis.measure import (
    Latency,
    MachinePeaks,
    check_budget,
    machine_peaks,
    measure_block,
    measure_comparable,
    measure_module,
    roofline_frame,
    stage_latencies,
    time_call,
    using_threads,
)
from explorer.analysis.memory import memory_report
from explorer.artifacts.measure import reduction_table
from explorer.figures.measure import latency_vs_macs_figure, memory_figure, reduction_figure, roofline_figure
from explorer.models.specs import block_spec

TINY = block_spec("standard", in_channels=4, out_channels=4, size=8)


@pytest.fixture(scope="module", autouse=True)
def warm():
    """One-time process costs (torch's lazy imports for meta kernels, the machine peaks) are start-up, not budget."""
    machine_peaks()
    measure_block(TINY, 0.05)


def test_budget_is_respected():
    start = time.perf_counter()
    result = measure_block(TINY, 0.5)
    assert time.perf_counter() - start < 1.5
    latency = result.latency
    assert latency.runs >= 1 and latency.threads >= 1
    assert latency.min_s <= latency.q1_s <= latency.median_s <= latency.q3_s
    assert latency.input_shape == (4, 8, 8)


def test_fast_calls_are_timed_in_blocks():
    latency = time_call(lambda: None, 0.2)
    assert latency.method == "torch.utils.benchmark Timer.timeit blocks"
    assert latency.runs > latency.samples >= 1


def test_slow_calls_fall_back_to_single_runs_within_budget():
    start = time.perf_counter()
    latency = time_call(lambda: time.sleep(0.15), 0.5)
    assert time.perf_counter() - start < 1.5
    assert latency.method == "single calls"
    assert latency.runs == latency.samples >= 1
    only = time_call(lambda: time.sleep(0.06), 0.05)
    assert only.method == "warm-up calls only" and only.runs == 1


def test_quartiles_and_iqr():
    latency = Latency(median_s=2.0, q1_s=1.0, q3_s=4.0, min_s=0.5, samples=5, runs=50, threads=2, input_shape=(3, 5, 5),
                      budget_s=1.0, elapsed_s=0.9, method="single calls")
    payload = latency.to_dict()
    assert payload["latency_ms"] == 2000.0 and payload["latency_ms_iqr"] == 3000.0
    assert payload["runs"] == 50 and payload["threads"] == 2


@pytest.mark.parametrize("budget", [0, 0.01, 121, -1])
def test_budget_range(budget):
    with pytest.raises(ValueError, match="budget: must be from 0.05 to 120 seconds"):
        check_budget(budget)


def test_memory_refusal_says_what_to_lower():
    huge = block_spec("standard", in_channels=512, out_channels=512, size=2048)
    # peak at the BatchNorm: conv output and BN output, each 512 x 2048^2 x 4 B = 8 GiB, and the 8 GiB input the
    # caller holds; refused before allocating
    with pytest.raises(ValueError, match=r"memory: .*activations 24,576\.0 MiB.*lower size, in_channels, out_channels or expansion"):
        measure_block(huge, 1.0)


def test_time_refusal_says_what_to_lower():
    slow = block_spec("standard", in_channels=512, out_channels=512, size=128, kernel_size=7)  # 210 GMACs in 300 MiB
    with pytest.raises(ValueError, match=r"budget: .*GMACs may take up to .*raise the budget"):
        measure_block(slow, 1.0)


def test_memory_budget_is_a_parameter():
    with pytest.raises(ValueError, match="over the 0 MiB memory budget"):
        measure_block(TINY, 0.5, memory_budget=100)


def test_comparable_kinds_share_the_budget_with_progress():
    seen = []
    comparison = measure_comparable(TINY.replace(kind="depthwise_separable"), 1.0, lambda f, m: seen.append(f))
    assert list(comparison.measurements)[:2] == ["depthwise_separable", "standard"]
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    frame = comparison.to_frame()
    assert {"kind", "MACs", "latency ms", "IQR ms", "runs", "threads"} <= set(frame.columns)
    assert set(frame["kind"]) | set(comparison.refused) == {
        "standard", "spatially_separable", "depthwise_separable", "group", "inverted_residual", "bneck", "mbconv",
        "fused_mbconv",
    }


def test_roofline_points_by_hand():
    peaks = MachinePeaks(gflops=20.0, gbytes_per_s=10.0, threads=1)  # 10 GMAC/s, ridge at 1 MAC/B
    memory = memory_report(nn.Conv2d(3, 4, 1, bias=False), (3, 5, 5))
    latency = Latency(1e-6, 1e-6, 1e-6, 1e-6, 1, 1, 1, (3, 5, 5), 1.0, 0.1, "single calls")
    (row,) = roofline_frame(memory, {"Conv2d": latency}, peaks).to_dict("records")
    assert row["MACs per byte"] == pytest.approx(300 / 748)
    assert row["roof GMAC/s"] == pytest.approx(300 / 748 * 10)  # bandwidth-bound below the ridge
    assert row["attained GMAC/s"] == pytest.approx(0.3)  # 300 MACs in 1 microsecond
    assert row["bound"] == "memory"
    fig = roofline_figure(pd.DataFrame([row]), peaks, "slide")
    roof = fig.data[0]
    assert list(roof.y)[1:] == [10.0, 10.0] and roof.x[1] == pytest.approx(1.0)
    assert fig.layout.xaxis.type == "log"


def test_stage_latencies_of_named_children():
    model = nn.Sequential()
    model.add_module("first", nn.Conv2d(3, 8, 3, padding=1))
    model.add_module("second", nn.Conv2d(8, 8, 1))
    frame = stage_latencies(model, (3, 8, 8), 0.5)
    assert list(frame["stage"]) == ["first", "second"]
    assert list(frame["MACs"]) == [8 * 64 * 27, 8 * 64 * 8]
    assert (frame["runs"] >= 1).all() and (frame["q1 ms"] <= frame["q3 ms"]).all()


TABLE = pd.DataFrame({
    "kind": ["standard", "depthwise_separable"], "label": ["Standard", "DS"], "MACs": [100, 10],
    "latency ms": [10.0, 5.0], "q1 ms": [9.0, 4.0], "q3 ms": [12.0, 5.5],
})


def test_reduction_table_by_hand():
    (row,) = reduction_table(TABLE).to_dict("records")
    assert row["MAC reduction (x)"] == 10.0 and row["latency reduction (x)"] == 2.0
    fig = reduction_figure(reduction_table(TABLE), "screen")
    assert [trace.name for trace in fig.data] == ["MAC reduction (x)", "latency reduction (x)"]


def test_latency_vs_macs_figure_has_quartile_bars():
    fig = latency_vs_macs_figure(TABLE, "depthwise_separable", 2, "screen")
    (trace,) = fig.data
    assert list(trace.x) == [100, 10] and list(trace.y) == [10.0, 5.0]
    assert list(trace.error_y.array) == [2.0, 0.5] and list(trace.error_y.arrayminus) == [1.0, 1.0]
    assert "2 threads" in fig.layout.yaxis.title.text


def test_memory_figure_in_kib_and_bad_input():
    frame = memory_report(nn.Conv2d(3, 4, 1, bias=False), (3, 5, 5)).to_frame()
    fig = memory_figure(frame, "layer", "live bytes", "screen")
    assert list(fig.data[0].y) == [700 / 1024] and list(fig.data[1].y) == [48 / 1024]
    with pytest.raises(ValueError, match="memory table: missing column"):
        memory_figure(frame.drop(columns="weight bytes"), "layer", "live bytes", "screen")
    with pytest.raises(ValueError, match="style"):
        memory_figure(frame, "layer", "live bytes", "poster")
    with pytest.raises(ValueError, match="standard conv was not measured"):
        reduction_table(TABLE.iloc[1:])


def test_threads_are_set_for_the_measurement_and_restored():
    before = torch.get_num_threads()
    with using_threads(1):
        assert measure_block(TINY, 0.1).latency.threads == 1
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="threads: must be a whole number from 1 to"), using_threads(0):
        pass


def test_block_artifacts_in_display_order():
    from explorer.analysis.measurements import measure_block_results
    from explorer.artifacts.measure import block_measure_artifacts

    spec = block_spec("depthwise_separable", in_channels=4, out_channels=8, size=8)
    # a budget generous enough that the standard conv is timed even on a loaded 2-core machine
    # (the reduction chart needs it); the budget itself is tested above
    results = measure_block_results(spec, 4.0)
    artifacts = block_measure_artifacts(results, "slide")
    figures = [name for name, item in artifacts.exports().items() if hasattr(item, "to_plotly_json")]
    assert figures == [
        "depthwise_separable_latency_vs_macs", "depthwise_separable_latency_reduction",
        "depthwise_separable_roofline", "depthwise_separable_memory_per_layer",
    ]
    assert artifacts.latency_reduction_table["MAC reduction (x)"].iloc[0] == pytest.approx(
        results.comparison.measurements["standard"].costs.macs / results.comparison.measurements["depthwise_separable"].costs.macs,
        abs=1e-3,
    )
    assert set(artifacts.roofline_table["layer"]) == {"conv_dw.conv", "conv_pw.conv"}
    assert artifacts.memory_table["live bytes"].max() == results.memory.peak_activation_bytes


def test_any_module_with_an_input_shape():
    latency = measure_module(nn.Conv2d(3, 4, 1, bias=False), (3, 5, 5), 0.2)
    assert latency.input_shape == (3, 5, 5) and latency.runs >= 1
    with pytest.raises(ValueError, match="memory: "):
        measure_module(nn.Conv2d(3, 4, 1), (3, 5, 5), 0.2, memory_budget=10)


def test_captured_part_inputs_by_hand():
    from explorer.analysis.measure import part_input_bytes

    model = nn.Sequential()
    model.add_module("first", nn.Conv2d(3, 8, 3, padding=1))
    model.add_module("second", nn.Conv2d(8, 8, 1))
    memory = memory_report(model, (3, 8, 8))
    assert part_input_bytes(memory, ["first", "second"]) == 3 * 64 * 4 + 8 * 64 * 4
