"""Published ImageNet top-1 of every preset, exactly as printed in the papers' tables; the accuracy chart."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from explorer.artifacts.accuracy import accuracy_artifacts, accuracy_frame, member_label
from explorer.cli.main import main
from explorer.figures.accuracy import pareto_mask
from explorer.models.networks.papers import EFFICIENTNET_ICML_TOP1, PAPER_FIGURES, paper_figure, published_presets
from explorer.models.networks.tables import network_spec

# (network_spec options, printed top-1, paper and table): one literal per preset, read off the papers.
PRINTED = [
    ({"name": "mobilenet_v1"}, 70.6, "MobileNetV1 paper Table 6"),
    ({"name": "mobilenet_v1", "width_mult": 0.75}, 68.4, "MobileNetV1 paper Table 6"),
    ({"name": "mobilenet_v1", "width_mult": 0.5}, 63.7, "MobileNetV1 paper Table 6"),
    ({"name": "mobilenet_v1", "width_mult": 0.25}, 50.6, "MobileNetV1 paper Table 6"),
    ({"name": "mobilenet_v1", "resolution": 192}, 69.1, "MobileNetV1 paper Table 7"),
    ({"name": "mobilenet_v1", "resolution": 160}, 67.2, "MobileNetV1 paper Table 7"),
    ({"name": "mobilenet_v1", "resolution": 128}, 64.4, "MobileNetV1 paper Table 7"),
    ({"name": "mobilenet_v1", "full_conv": True}, 71.7, "MobileNetV1 paper Table 4"),
    ({"name": "mobilenet_v2"}, 72.0, "MobileNetV2 paper Table 4"),
    ({"name": "mobilenet_v2", "width_mult": 1.4}, 74.7, "MobileNetV2 paper Table 4"),
    ({"name": "mobilenet_v2", "width_mult": 0.35}, 60.8, "MobileNetV3 paper Table 3"),
    ({"name": "mobilenet_v3_large"}, 75.2, "MobileNetV3 paper Table 3"),
    ({"name": "mobilenet_v3_large", "width_mult": 0.75}, 73.3, "MobileNetV3 paper Table 3"),
    ({"name": "mobilenet_v3_small"}, 67.4, "MobileNetV3 paper Table 3"),
    ({"name": "mobilenet_v3_small", "width_mult": 0.75}, 65.4, "MobileNetV3 paper Table 3"),
    ({"name": "efficientnet_b0"}, 77.1, "EfficientNet paper Table 2, revised arXiv"),
    ({"name": "efficientnet_b1"}, 79.1, "EfficientNet paper Table 2, revised arXiv"),
    ({"name": "efficientnet_b2"}, 80.1, "EfficientNet paper Table 2, revised arXiv"),
    ({"name": "efficientnet_b3"}, 81.6, "EfficientNet paper Table 2, revised arXiv"),
    ({"name": "efficientnet_b4"}, 82.9, "EfficientNet paper Table 2, revised arXiv"),
    ({"name": "efficientnet_b5"}, 83.6, "EfficientNet paper Table 2, revised arXiv"),
    ({"name": "efficientnet_b6"}, 84.0, "EfficientNet paper Table 2, revised arXiv"),
    ({"name": "efficientnet_b7"}, 84.3, "EfficientNet paper Table 2, revised arXiv"),
    ({"name": "efficientnet_v2_s"}, 83.9, "EfficientNetV2 paper Table 7"),
    ({"name": "efficientnet_v2_m"}, 85.1, "EfficientNetV2 paper Table 7"),
    ({"name": "efficientnet_v2_l"}, 85.7, "EfficientNetV2 paper Table 7"),
]


@pytest.mark.parametrize(("options", "top1", "source"), PRINTED, ids=[str(o) for o, _, _ in PRINTED])
def test_every_top1_is_the_printed_value_with_its_table(options, top1, source):
    figure = paper_figure(network_spec(**options))
    assert figure.top1 == top1
    assert figure.top1_source.startswith(source)


def test_every_published_preset_is_checked_above_and_no_other_has_a_top1():
    assert len(published_presets()) == len(PRINTED) == 26
    assert sum(figure.top1 is not None for figure in PAPER_FIGURES.values()) == 26


def test_efficientnet_icml_figures_are_kept_beside_the_revised_ones():
    assert [EFFICIENTNET_ICML_TOP1[f"efficientnet_b{i}"] for i in range(8)] == [76.3, 78.8, 79.8, 81.1, 82.6, 83.3, 84.0, 84.4]
    assert "ICML 2019 version printed 76.3" in paper_figure(network_spec("efficientnet_b0")).top1_source


def test_unpublished_configurations_have_no_figure():
    assert paper_figure(network_spec("mobilenet_v2", width_mult=0.75)) is None
    assert paper_figure(network_spec("efficientnet", phi=1.5)) is None
    assert paper_figure(network_spec("efficientnet_b0", num_classes=10)) is None
    assert paper_figure(network_spec("efficientnet_l2")).top1 is None


def test_network_json_carries_paper_top1(capsys):
    assert main(["network", "efficientnet_b3", "--json"]) == 0
    paper = json.loads(capsys.readouterr().out)["paper"]
    assert paper["top1"] == 81.6
    assert paper["top1_source"].startswith("EfficientNet paper Table 2, revised arXiv version (v5)")
    assert main(["network", "mobilenet_v1", "--width-mult", "0.5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["paper"]["top1"] == 63.7


def test_network_table_output_prints_top1(capsys):
    assert main(["network", "mobilenet_v3_small"]) == 0
    assert "ImageNet top-1 67.4% (MobileNetV3 paper Table 3)" in capsys.readouterr().out


def test_pareto_mask_by_hand():
    cost = pd.Series([1.0, 2.0, 3.0, 3.0, 5.0, float("nan")])
    top1 = pd.Series([60.0, 59.0, 70.0, 65.0, 70.0, 99.0])
    # 2 is dominated by 1 (cheaper, better); 3.0/65 by 3.0/70; 5/70 by 3/70 (same accuracy, cheaper); NaN never.
    assert pareto_mask(cost, top1).tolist() == [True, False, True, False, False, False]


def test_accuracy_frame_counts_and_front():
    frame = accuracy_frame().set_index("member")
    assert frame.loc["B0", "MACs"] == 385_814_752 and frame.loc["B0", "params"] == 5_288_548
    assert frame.loc["V2 1-224", "MACs"] == 300_774_272
    # V3-Small 0.75 is the cheapest preset by MACs and therefore on the front; V1 1.0 is dominated by V3-Large.
    assert frame.loc["V3-S 0.75-224", "on front (MACs)"]
    assert not frame.loc["V1 1-224", "on front (MACs)"]
    assert not frame["on front (latency)"].any()


def test_member_labels():
    assert member_label(network_spec("mobilenet_v1", full_conv=True)) == "V1 1-224 full conv"
    assert member_label(network_spec("efficientnet_b4")) == "B4"
    assert member_label(network_spec("efficientnet_v2_m")) == "V2-M"


def test_chart_places_a_published_network_as_a_star_and_an_unpublished_one_on_the_cost_axis_only():
    published = accuracy_artifacts(network_spec("efficientnet_b0"), "screen")
    stars = [trace for trace in published.accuracy_chart.data if trace.name and trace.name.startswith("current")]
    assert len(stars) == 2 and stars[0].y == (77.1,)  # one per panel (MACs, params); latency not measured
    assert published.current_top1 == 77.1
    design = accuracy_artifacts(network_spec("mobilenet_v2", width_mult=0.75), "slide")
    lines = [trace for trace in design.accuracy_chart.data if trace.name and trace.name.startswith("current")]
    assert [trace.mode for trace in lines] == ["lines", "lines"] and "no published top-1" in lines[0].name
    assert lines[0].x == (209_069_792, 209_069_792) and lines[1].x == (2_636_424, 2_636_424)  # counted MACs, params
    assert lines[0].y == (50.6, 85.7)  # across the published range
    assert design.current_top1 is None
    assert set(design.exports()) == {"accuracy_chart", "accuracy_table"}
