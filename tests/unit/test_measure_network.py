"""Network latency (explorer.analysis.measurements): stages named as on the Networks page, whole network with spread."""

import pytest
import torch

from explorer.analysis.measure import stage_parts
from explorer.analysis.measurements import measure_network_results, network_budget_split, paper_stages
from explorer.analysis.memory import memory_report, network_stage
from explorer.artifacts.measure import network_measure_artifacts
from explorer.artifacts.networks import network_artifacts
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import network_spec, network_table


def _memory(spec):
    stage_of, _ = paper_stages(spec)
    with torch.device("meta"):
        return memory_report(build_network(network_table(spec)), (3, spec.resolution, spec.resolution), stage_of)


@pytest.mark.parametrize("name", ["efficientnet_b0", "mobilenet_v3_small", "mobilenet_v1"])
def test_stages_are_the_networks_pages_stages_with_the_same_macs(name):
    spec = network_spec(name)
    networks_page = network_artifacts(spec, "screen").stages
    memory = _memory(spec)
    stages = memory.stage_frame()
    assert list(stages["stage"]) == [f"stage {number}" for number in networks_page["stage"]]
    assert list(stages["MACs"]) == list(networks_page["MACs"])


def test_each_stage_is_its_modules_and_the_last_is_head_and_classifier():
    parts = stage_parts(_memory(network_spec("efficientnet_b0")), network_stage)
    assert list(parts) == [f"stage {number}" for number in range(1, 10)]  # EfficientNet-B0, paper Table 1
    assert parts["stage 1"] == ("stem",) and parts["stage 2"] == ("stages.0",) and parts["stage 8"] == ("stages.6",)
    assert parts["stage 9"] == ("head", "classifier")


def test_whole_network_and_stages_measured_with_spread():
    spec = network_spec("mobilenet_v3_small", resolution=32)
    results = measure_network_results(spec, 1.0)
    latency = results.latency
    assert latency.input_shape == (3, 32, 32) and latency.runs >= 1
    assert latency.min_s <= latency.q1_s <= latency.median_s <= latency.q3_s
    stages = results.stages
    assert list(stages["stage"]) == list(range(1, 14))  # MobileNetV3-Small: stem, 11 bnecks, head (paper Table 2)
    assert stages["operator"].iloc[0] == "Conv3x3" and stages["operator"].iloc[1] == "bneck 3x3, exp 16, SE"
    assert stages["modules"].iloc[0] == "stem" and stages["modules"].iloc[-1] == "head + classifier"
    assert int(stages["MACs"].sum()) == results.memory.macs
    payload = results.to_dict()
    assert payload["latency_ms"] == latency.median_s * 1e3 and payload["latency_ms_min"] == latency.min_s * 1e3
    assert payload["stages_latency_ms_sum"] == pytest.approx(stages["latency ms"].sum())
    assert payload["stages"][0]["stage"] == 1 and payload["stages"][0]["modules"] == "stem"
    artifacts = network_measure_artifacts(results, spec.name, "screen")
    assert artifacts.latency is latency and artifacts.stages_latency_ms == payload["stages_latency_ms_sum"]
    figure = artifacts.stage_latency
    assert list(figure.data[0].x) == [str(number) for number in range(1, 14)]
    assert figure.layout.xaxis.title.text == "stage (row of the paper's table)"
    assert list(artifacts.stage_memory_table["stage"]) == list(range(1, 14))


def test_the_network_budget_split_is_stated():
    assert network_budget_split(6.0) == (
        "of the 6 s budget, 1.8 s (30%) go to timing the whole network first and the rest to timing each stage on its "
        "own input"
    )


def test_a_network_over_the_budget_names_the_budget_set():
    with pytest.raises(ValueError, match=r"budget: 3 forward passes of .* more than the 0\.05 s time budget; lower"):
        measure_network_results(network_spec("efficientnet_b7"), 0.05)
