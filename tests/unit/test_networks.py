"""Whole networks: exact parity with torchvision, MobileNetV1 against its paper, spec validation."""

from __future__ import annotations

import pytest
import torch

from explorer.analysis.costs import count_costs
from explorer.analysis.counting import count_network, network_totals
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import NETWORK_NAMES, block_specs, network_spec, network_table

# (name, width_mult, resolution, params, conv + linear MACs). Obtained once with torchvision 0.29.1
# (torch 2.14.1) in a separate environment: params = sum(p.numel() for p in model.parameters());
# MACs = torch.utils.flop_counter.FlopCounterMode total FLOPs / 2 for one 3 x R x R meta input
# (it counts convolutions and matrix products only, 2 FLOPs per MAC, no bias).
# Models: torchvision.models.<name>(width_mult=W) for MobileNets, efficientnet_bN() / efficientnet_v2_x().
# Calibration (BRIEF): B0 5,288,548 / 385,814,752; V2 3,504,872 / 300,774,272; V3-L 5,483,032 / 216,589,760.
TORCHVISION_REFERENCE = [
    ("mobilenet_v2", 1.0, 224, 3504872, 300774272),
    ("mobilenet_v2", 0.75, 192, 2636424, 153941888),
    ("mobilenet_v2", 0.5, 160, 1968680, 50184000),
    ("mobilenet_v2", 1.4, 224, 6108776, 582195824),
    ("mobilenet_v2", 0.35, 96, 1677128, 11934128),
    ("mobilenet_v2", 1.3, 224, 5386792, 509374560),
    ("mobilenet_v2", 1.0, 300, 3504872, 564405744),
    ("mobilenet_v3_large", 1.0, 224, 5483032, 216589760),
    ("mobilenet_v3_small", 1.0, 224, 2542856, 56510400),
    ("mobilenet_v3_large", 0.75, 224, 3377576, 140033816),
    ("mobilenet_v3_small", 0.75, 224, 1653920, 39115576),
    ("mobilenet_v3_large", 1.25, 224, 8164744, 343461000),
    ("mobilenet_v3_small", 1.25, 224, 3644912, 88155944),
    ("mobilenet_v3_large", 0.5, 160, 1734576, 33796368),
    ("mobilenet_v3_small", 0.5, 160, 917264, 10059248),
    ("mobilenet_v3_large", 1.0, 320, 5483032, 437840000),
    ("mobilenet_v3_small", 1.0, 320, 2542856, 113170176),
    ("efficientnet_b0", None, 224, 5288548, 385814752),
    ("efficientnet_b1", None, 240, 7794184, 686802832),
    ("efficientnet_b2", None, 260, 9109994, 993561872),
    ("efficientnet_b3", None, 300, 12233232, 1827141392),
    ("efficientnet_b4", None, 380, 19341616, 4393771024),
    ("efficientnet_b5", None, 456, 30389784, 10266384752),
    ("efficientnet_b6", None, 528, 43040704, 19067593536),
    ("efficientnet_b7", None, 600, 66347960, 37745884192),
    ("efficientnet_b0", None, 600, 5288548, 2806929440),
    ("efficientnet_v2_s", None, 384, 21458488, 8365617152),
    ("efficientnet_v2_m", None, 480, 54139356, 24582460384),
    ("efficientnet_v2_l", None, 480, 118515272, 56079699008),
]


def _count(name: str, **options):
    spec = network_spec(name, **options)
    with torch.device("meta"):
        module = build_network(network_table(spec))
    return count_costs(module, (3, spec.resolution, spec.resolution))


@pytest.mark.parametrize(("name", "width", "resolution", "params", "macs"), TORCHVISION_REFERENCE)
def test_params_and_macs_equal_torchvision(name, width, resolution, params, macs):
    report = _count(name, width_mult=width, resolution=resolution)
    assert (report.params, report.macs) == (params, macs)


def test_mobilenet_v1_against_paper_table_1():
    """Paper: 4.2M params (no BatchNorm), 569M mult-adds. BatchNorm adds 2 params per channel of every conv."""
    report = _count("mobilenet_v1")
    bn_params = sum(layer.params for layer in report.layers if layer.type == "BatchNorm2d")
    # BN after stem (32) and after each dw and pw conv: 2 * (32 + sum of dw and pw widths).
    widths = [32, 32, 64, 64, 128, 128, 128, 128, 256, 256, 256, 256, 512] + [512] * 10 + [512, 1024, 1024, 1024]
    assert bn_params == 2 * sum(widths) == 21888
    assert report.params - bn_params == 4210088  # the paper's 4.2M
    fc_macs = 1024 * 1000
    assert report.macs == 568740352  # paper: 569M
    assert report.macs - fc_macs == 567716352


def test_mobilenet_v1_full_conv_against_paper_table_4():
    """Paper Table 4: the same network with full 3x3 convs is 29.3M params and 4866M mult-adds."""
    report = _count("mobilenet_v1", full_conv=True)
    assert report.params == 29294088
    assert round(report.params / 1e6, 1) == 29.3
    assert abs(report.macs - 4866e6) / 4866e6 < 0.001


@pytest.mark.parametrize(("alpha", "params_m", "macs_m"), [(0.75, 2.6, 325), (0.5, 1.3, 149), (0.25, 0.5, 41)])
def test_mobilenet_v1_width_multiplier_paper_table_6(alpha, params_m, macs_m):
    report = _count("mobilenet_v1", width_mult=alpha)
    assert round(report.params / 1e6, 1) == params_m
    assert abs(report.macs / 1e6 - macs_m) < 1.5


def test_custom_efficientnet_phi_zero_is_b0():
    assert _count("efficientnet", phi=0.0).macs == 385814752


def test_custom_efficientnet_follows_compound_rule():
    spec = network_spec("efficientnet", phi=2.0)
    assert spec.depth_mult == pytest.approx(1.44)
    assert spec.width_mult == pytest.approx(1.21)
    assert spec.resolution == round(224 * 1.15**2)  # 296


def test_every_network_builds_and_counts():
    for name in NETWORK_NAMES:
        params, macs = network_totals(network_spec(name, resolution=64))
        assert params > 0 and macs > 0


def test_drop_connect_rises_linearly_with_block_index():
    stages = block_specs(network_table(network_spec("efficientnet_b0")))
    drops = [spec.drop_connect for stage in stages for spec in stage]
    assert len(drops) == 16
    assert drops[0] == 0.0
    assert drops[5] == pytest.approx(0.2 * 5 / 16)
    assert drops[-1] == pytest.approx(0.2 * 15 / 16)


def test_layer_names_read_like_the_paper():
    report = _count("efficientnet_b0")
    names = [layer.name for layer in report.layers]
    assert names[0] == "stem.conv"
    assert "stages.3.1.conv_dw.conv" in names
    assert "stages.3.1.se.fc1" in names
    assert "head.conv.conv" in names
    assert names[-1] == "classifier.fc"


@pytest.mark.parametrize(
    ("name", "options", "parameter"),
    [
        ("resnet50", {}, "name"),
        ("mobilenet_v2", {"phi": 1.0}, "phi"),
        ("mobilenet_v2", {"width_mult": 0.0}, "width_mult"),
        ("mobilenet_v2", {"width_mult": 9.0}, "width_mult"),
        ("mobilenet_v2", {"full_conv": True}, "full_conv"),
        ("mobilenet_v1", {"resolution": 0}, "resolution"),
        ("mobilenet_v1", {"resolution": 224.5}, "resolution"),
        ("efficientnet_b3", {"width_mult": 1.0}, "width_mult"),
        ("efficientnet", {"phi": -1.0}, "phi"),
        ("efficientnet", {"alpha": 0.5}, "alpha"),
        ("efficientnet", {"phi": 10.0, "gamma": 2.0}, "phi"),
        ("efficientnet_b0", {"num_classes": 0}, "num_classes"),
    ],
)
def test_bad_options_name_the_parameter(name, options, parameter):
    with pytest.raises(ValueError, match=rf"^{parameter}:"):
        network_spec(name, **options)


@pytest.mark.parametrize(
    ("name", "options"),
    [("efficientnet_b0", {}), ("efficientnet_b3", {}), ("mobilenet_v1", {"full_conv": True}), ("mobilenet_v1", {"width_mult": 0.5}),
     ("mobilenet_v2", {"width_mult": 0.75}), ("mobilenet_v3_large", {}), ("mobilenet_v3_small", {}), ("efficientnet_v2_s", {})],
)
def test_assembled_count_equals_counting_the_whole_module(name, options):
    # count_network assembles the report part by part, counting a repeated block once; it must be
    # the very report count_costs gives for the whole built network, row for row.
    spec = network_spec(name, **options)
    with torch.device("meta"):
        module = build_network(network_table(spec))
    whole = count_costs(module, (3, spec.resolution, spec.resolution))
    assert count_network(spec).to_dict() == whole.to_dict()
