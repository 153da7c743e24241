"""Latency measurement (explorer.measure): the time budget holds, refusals say what to lower, figures are right."""

import time

import pandas as pd
import pytest
import torch
from torch import nn

from explorer.analysis.measure import (
    Latency,
    MachinePeaks,
    Probe,
    TimeBudget,
    check_budget,
    machine_peaks,
    measure_block,
    measure_comparable,
    measure_module,
    roof_over,
    roofline,
    stage_latencies,
    time_call,
    using_threads,
)
from explorer.analysis.memory import memory_report
from explorer.artifacts.measure import latency_summary, machine_table, reduction_table
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
    comparison = measure_comparable(TINY.replace(kind="depthwise_separable"), 2.0, lambda f, m: seen.append(f))  # slack for a loaded machine
    assert list(comparison.measurements)[:2] == ["depthwise_separable", "standard"]
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    frame = comparison.to_frame()
    assert {"kind", "MACs", "latency ms", "IQR ms", "runs", "threads"} <= set(frame.columns)
    assert set(frame["kind"]) | set(comparison.refused) == {
        "standard", "spatially_separable", "depthwise_separable", "group", "inverted_residual", "bneck", "mbconv",
        "fused_mbconv",
    }


def test_roofline_points_by_hand():
    peaks = MachinePeaks(gmacs=10.0, gbytes_per_s=10.0, threads=1)  # ridge at 1 MAC/B
    memory = memory_report(nn.Conv2d(3, 4, 1, bias=False), (3, 5, 5))
    latency = Latency(1e-6, 1e-6, 1e-6, 1e-6, 1, 1, 1, (3, 5, 5), 1.0, 0.1, "single calls")
    drawn = roofline(memory, {"Conv2d": latency}, peaks)
    (row,) = drawn.points.to_dict("records")
    assert row["MACs per byte"] == pytest.approx(300 / 748)
    assert row["roof GMAC/s"] == pytest.approx(300 / 748 * 10)  # bandwidth-bound below the ridge
    assert row["attained GMAC/s"] == pytest.approx(0.3)  # 300 MACs in 1 microsecond
    assert row["bound"] == "memory"
    assert drawn.roof.notes() == []  # 0.3 GMAC/s beats neither roof: the measured peaks stand
    fig = roofline_figure(drawn.points, drawn.roof, "slide")
    roof = fig.data[0]
    assert list(roof.y)[1:] == [10.0, 10.0] and roof.x[1] == pytest.approx(1.0)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.title.text == "attained GMAC/s"


def _under_the_roof(roof, layers):
    return all(attained <= roof.at(intensity) for _, intensity, attained in layers)


def test_a_layer_that_beats_the_measured_peaks_raises_the_roof_and_says_so():
    peaks = MachinePeaks(gmacs=34.0, gbytes_per_s=10.0, threads=1)  # the issue: a layer at 45 over a roof of 34
    layers = [("conv_pw.conv", 5.3, 45.0), ("conv_dw.conv", 0.5, 8.0), ("fc", 2.0, 12.0)]
    roof = roof_over(peaks, layers)
    assert roof.gmacs == pytest.approx(45.0) and roof.gmacs >= 45.0
    assert roof.gbytes_per_s == pytest.approx(16.0) and roof.gbytes_per_s >= 16.0  # 8 GMAC/s at 0.5 MAC/B
    assert (roof.compute_raised_by, roof.bandwidth_raised_by) == ("conv_pw.conv", "conv_dw.conv")
    assert _under_the_roof(roof, layers)
    assert roof.notes() == [
        "Compute roof raised from the measured 34.0 to 45.0 GMAC/s, the best layer (conv_pw.conv beat every probe)",
        "Bandwidth roof raised from the measured 10.0 to 16.0 GB/s, the best layer (conv_dw.conv beat every copy)",
    ]
    measured = roof_over(peaks, [])  # the measured peaks alone: a roof these layers beat
    assert measured.gmacs == 34.0 and measured.notes() == [] and not _under_the_roof(measured, layers)


def test_no_layer_lies_above_the_roof_for_any_numbers():
    generator = torch.Generator().manual_seed(0)
    peaks = MachinePeaks(gmacs=20.0, gbytes_per_s=5.0, threads=1)
    intensities = 10 ** (torch.rand(500, generator=generator) * 4 - 2)  # 0.01 to 100 MACs per byte
    attained = 10 ** (torch.rand(500, generator=generator) * 3 - 1)  # 0.1 to 100 GMAC/s: many beat a roof
    layers = [(f"layer{i}", float(x), float(y)) for i, (x, y) in enumerate(zip(intensities, attained, strict=True))]
    assert _under_the_roof(roof_over(peaks, layers), layers)


def test_the_roofline_of_measured_numbers_keeps_every_point_under_the_roof():
    peaks = MachinePeaks(gmacs=0.001, gbytes_per_s=0.001, threads=1)  # a first estimate any real layer beats
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.Conv2d(8, 8, 1))
    memory = memory_report(model, (3, 8, 8))
    latencies = {name: Latency(t, t, t, t, 1, 1, 1, (3, 8, 8), 1.0, 0.1, "single calls")
                 for name, t in (("0", 1e-5), ("1", 2e-6))}  # 13,824 MACs in 10 us, 4,096 in 2 us
    drawn = roofline(memory, latencies, peaks)
    points = drawn.points
    assert list(points["attained GMAC/s"]) == pytest.approx([1.3824, 2.048])
    assert (points["attained GMAC/s"] <= points["roof GMAC/s"]).all() and (points["% of roof"] <= 100).all()
    assert drawn.roof.gmacs == pytest.approx(2.048) and drawn.roof.compute_raised_by == "1"
    fig = roofline_figure(points, drawn.roof, "screen")
    assert max(fig.data[0].y) >= max(points["attained GMAC/s"])
    key = fig.layout.annotations[0].text
    assert key.startswith("roof, 1 thread: 2.0 GMAC/s, 2.2 GB/s (raised to the best layer, layer 2)<br>")  # layer "1"; 2.048 GMAC/s at 4,096 MACs / 4,384 B
    both = roof_over(peaks, [("a", 1.0, 2.0), ("b", 100.0, 3.0)])
    assert roofline_figure(points, both, "screen").layout.annotations[0].text.startswith(
        "roof, 1 thread: 3.0 GMAC/s, 2.0 GB/s (raised to the best layers, b (compute) and a (bandwidth))")
    assert "GFLOP" not in fig.to_json()


def test_machine_peaks_are_the_best_probes_in_one_unit():
    with using_threads(1):
        peaks = machine_peaks()
    compute = [probe.rate for probe in peaks.probes if probe.unit == "GMAC/s"]
    copies = [probe.rate for probe in peaks.probes if probe.unit == "GB/s"]
    assert len(compute) == 7 and len(copies) == 3  # 3 matmuls and 4 convs; copies of 1, 8 and 64 MiB
    assert peaks.gmacs == max(compute) and peaks.gbytes_per_s == max(copies)
    assert peaks.large_copy_gbytes_per_s == copies[-1] and peaks.threads == 1
    assert set(peaks.to_dict()) == {"peak_gmac_per_s", "peak_gb_per_s", "large_copy_gb_per_s", "threads", "probes"}
    table = machine_table(roof_over(peaks, []))
    assert "GFLOP" not in table.to_csv() and table["value"].str.endswith(("GMAC/s", "GB/s", "per byte", "1")).all()


def test_machine_table_names_a_raised_roof():
    peaks = MachinePeaks(gmacs=34.0, gbytes_per_s=10.0, threads=2, probes=(Probe("matmul 8 x 8 x 8", 34.0, "GMAC/s"),))
    rows = dict(machine_table(roof_over(peaks, [("conv_pw.conv", 5.0, 45.0)])).to_records(index=False))
    assert rows["probe: matmul 8 x 8 x 8"] == "34.0 GMAC/s" and rows["peak compute (best probe)"] == "34.0 GMAC/s"
    assert rows["compute roof drawn"] == "45.0 GMAC/s (raised to conv_pw.conv)"
    assert rows["bandwidth roof drawn"] == "10.0 GB/s" and rows["threads (torch.get_num_threads)"] == "2"


def test_a_share_of_the_budget_is_named_with_the_number_the_user_set():
    assert TimeBudget(4.0, 4.0).words() == "the 4 s time budget"
    share = TimeBudget(2.8, 4.0, "go to timing every comparable block kind")
    assert share.words() == "the 4 s time budget, of which 2.8 s (70%) go to timing every comparable block kind"
    slow = block_spec("standard", in_channels=512, out_channels=512, size=128, kernel_size=7)  # 210 GMACs, 64 MiB
    with pytest.raises(ValueError, match=r"more than the 4 s time budget, of which 2\.8 s \(70%\) go to timing"):
        measure_comparable(slow, share)


def test_latency_summary_states_spread_runs_and_threads():
    latency = Latency(0.0123, 0.0119, 0.0128, 0.0115, 48, 48, 1, (3, 5, 5), 1.0, 0.9, "single calls")
    assert latency_summary(latency) == (
        "median 12.3 ms, IQR 11.9–12.8 ms, min 11.5 ms over 48 runs (single calls), 1 thread"
    )


def test_stage_latencies_of_named_children():
    model = nn.Sequential()
    model.add_module("first", nn.Conv2d(3, 8, 3, padding=1))
    model.add_module("second", nn.Conv2d(8, 8, 1))
    frame = stage_latencies(model, (3, 8, 8), 0.5)
    assert list(frame["stage"]) == ["first", "second"] and list(frame["modules"]) == ["first", "second"]
    assert list(frame["MACs"]) == [8 * 64 * 27, 8 * 64 * 8]
    assert (frame["runs"] >= 1).all() and (frame["q1 ms"] <= frame["q3 ms"]).all()


def test_a_stage_of_several_modules_is_timed_as_their_chain():
    model = nn.Sequential()
    model.add_module("first", nn.Conv2d(3, 8, 3, padding=1))
    model.add_module("second", nn.Conv2d(8, 8, 1))
    model.add_module("third", nn.Conv2d(8, 4, 1))
    stage_of = {"first": "stage 1", "second": "stage 2", "third": "stage 2"}.__getitem__
    frame = stage_latencies(model, (3, 8, 8), 0.5, stage_of, module_of=lambda name: name)
    assert list(frame["stage"]) == ["stage 1", "stage 2"] and list(frame["modules"]) == ["first", "second + third"]
    assert list(frame["MACs"]) == [8 * 64 * 27, 8 * 64 * 8 + 4 * 64 * 8]
    assert list(frame["layers"]) == [1, 2] and (frame["min ms"] <= frame["latency ms"]).all()


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
    assert "1 thread)" in latency_vs_macs_figure(TABLE, "standard", 1, "screen").layout.yaxis.title.text


def test_memory_figure_in_kib_and_bad_input():
    frame = memory_report(nn.Conv2d(3, 4, 1, bias=False), (3, 5, 5)).to_frame()
    fig = memory_figure(frame, "layer", "live bytes", "screen")
    assert list(fig.data[0].x) == [700 / 1024] and list(fig.data[1].x) == [48 / 1024]  # horizontal bars
    assert list(fig.data[0].y) == ["Conv2d"]  # a top-level layer keeps its name
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
    points = artifacts.roofline_table
    assert set(points["layer"]) == {"conv_dw.conv", "conv_pw.conv"}
    # measured numbers on a shared machine: whatever they are, no plotted layer lies above the roof drawn
    assert (points["attained GMAC/s"] <= points["roof GMAC/s"]).all()
    roof_trace = artifacts.roofline.data[0]
    assert max(roof_trace.y) == artifacts.roof.gmacs >= points["attained GMAC/s"].max()
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
