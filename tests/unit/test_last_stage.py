"""MobileNetV3-Large's efficient last stage against the V2-style one (paper Sec. 5.1, Fig. 5), counted by hand."""

from __future__ import annotations

import torch

from explorer.analysis.counting import count_network
from explorer.artifacts.papers import last_stage_artifacts
from explorer.demos.last_stage import (
    StageTiming,
    count,
    efficient_table,
    last_stage_module,
    last_stage_parts,
    original_table,
    part_totals,
)
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import network_spec

# Original last stage at 7x7: expand 160->960, 3x3 depthwise, project 960->320, conv 320->1280, FC 1280->1000.
ORIGINAL_STAGE_MACS = 160 * 960 * 49 + 9 * 960 * 49 + 960 * 320 * 49 + 320 * 1280 * 49 + 1280 * 1000
# Efficient: expand 160->960 at 7x7, pool, 960->1280 on 1x1, FC 1280->1000.
EFFICIENT_STAGE_MACS = 160 * 960 * 49 + 960 * 1280 + 1280 * 1000
ORIGINAL_STAGE_PARAMS = (160 * 960 + 2 * 960) + (9 * 960 + 2 * 960) + (960 * 320 + 2 * 320) + (320 * 1280 + 2 * 1280) \
    + 1280 * 1000 + 1000
EFFICIENT_STAGE_PARAMS = (160 * 960 + 2 * 960) + (960 * 1280 + 1280) + 1280 * 1000 + 1000


def test_efficient_network_is_the_published_one():
    report, reference = count(efficient_table()), count_network(network_spec("mobilenet_v3_large"))
    assert (report.params, report.macs) == (reference.params, reference.macs) == (5_483_032, 216_589_760)


def test_last_stages_by_hand():
    original, efficient = original_table(), efficient_table()
    assert part_totals(count(original), last_stage_parts(original, True)) == (ORIGINAL_STAGE_PARAMS, ORIGINAL_STAGE_MACS)
    assert part_totals(count(efficient), last_stage_parts(efficient, False)) == (EFFICIENT_STAGE_PARAMS, EFFICIENT_STAGE_MACS)
    assert ORIGINAL_STAGE_MACS - EFFICIENT_STAGE_MACS == 34_317_760  # the paper: "30 millions MAdds"


def test_artifacts_savings_and_measured_share():
    timings = {"original": StageTiming((12.0, 10.0, 11.0), 2.5), "efficient": StageTiming((9.0, 8.0, 10.0), 0.5)}
    shown = last_stage_artifacts("screen", timings)
    assert shown.saved_macs == 34_317_760
    assert shown.saved_params == ORIGINAL_STAGE_PARAMS - EFFICIENT_STAGE_PARAMS == -499_520  # efficient has more params
    assert shown.saved_ms == 11.0 - 9.0 and shown.saved_share == 100 * 2 / 11
    assert shown.totals["last stage ms"].tolist() == [2.5, 0.5]
    assert len(shown.comparison.data) == 4  # params, MACs, network latency, last stage latency
    assert shown.saved_stage_ms == 2.0
    assert len(last_stage_artifacts("slide").comparison.data) == 2 and last_stage_artifacts("slide").saved_ms is None


def test_timed_last_stage_is_the_networks_own_tail():
    torch.manual_seed(0)
    table = original_table()
    network = build_network(table)
    image = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        features = network.stages[:-1](network.stem(image))
        tail = last_stage_module(network, table, original=True)
        torch.testing.assert_close(tail(features), network(image))
    assert features.shape == (1, 160, 7, 7)
