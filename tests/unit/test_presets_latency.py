"""Whole networks timed within one budget, cheapest first; the accuracy chart gains its latency panel."""

from __future__ import annotations

from explorer.analysis.measure import using_threads
from explorer.analysis.presets import measure_networks
from explorer.artifacts.accuracy import accuracy_artifacts
from explorer.models.networks.tables import network_spec


def test_small_networks_are_timed_and_a_huge_one_is_refused():
    small = network_spec("mobilenet_v3_small", resolution=32)
    tiny = network_spec("mobilenet_v3_small", width_mult=0.75, resolution=32)
    huge = network_spec("efficientnet_b7")
    with using_threads(1):  # on a loaded 2-core machine two threads can take seconds per call
        results = measure_networks([huge, small, tiny], 3.0)
    assert set(results.latencies) == {small, tiny}
    assert all(latency.runs >= 1 and latency.median_s > 0 for latency in results.latencies.values())
    assert set(results.refused) == {huge} and results.refused[huge].startswith("budget:")


def test_measured_presets_get_a_latency_panel_with_their_own_front():
    preset = network_spec("mobilenet_v3_small")
    with using_threads(1):
        results = measure_networks([preset], 3.0)
    shown = accuracy_artifacts(preset, "screen", results.latencies)
    row = shown.accuracy_table.set_index("member").loc["V3-S 1-224"]
    assert row["latency ms"] == results.latencies[preset].median_s * 1e3
    assert row["on front (latency)"]  # the only measured preset is its own front
    assert shown.accuracy_table["latency ms"].notna().sum() == 1
    stars = [trace for trace in shown.accuracy_chart.data if trace.name and trace.name.startswith("current")]
    assert len(stars) == 3  # MACs, params and latency panels
