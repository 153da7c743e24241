"""Memory and arithmetic-intensity arithmetic (explorer.memory) on layers small enough to check by hand."""

import pytest
import torch
from torch import nn

from explorer.analysis.memory import memory_report, network_stage, top_level_stage
from explorer.models.blocks import build_block
from explorer.models.specs import block_spec


def test_pointwise_conv_3_to_4_on_5x5():
    report = memory_report(nn.Conv2d(3, 4, 1, bias=False), (3, 5, 5))
    (layer,) = report.layers
    assert report.parameter_bytes == 48  # 12 weights x 4 B
    assert layer.input_bytes == 300  # 3 x 25 floats
    assert layer.output_bytes == 400  # 4 x 25 floats
    assert layer.weight_bytes == 48
    assert layer.macs == 300  # 4 x 25 outputs x 3 inputs each
    assert layer.bytes_moved == 748
    assert layer.intensity == pytest.approx(300 / 748)
    assert report.peak_activation_bytes == 700  # input and output live together
    assert report.largest_activation_bytes == 400


def test_depthwise_conv_has_low_intensity():
    report = memory_report(nn.Conv2d(4, 4, 3, groups=4, bias=False), (4, 5, 5))
    (layer,) = report.layers
    # output 4 x 3 x 3 = 36 floats = 144 B, weights 4 x 9 = 36 floats = 144 B, input 100 floats = 400 B
    assert (layer.input_bytes, layer.output_bytes, layer.weight_bytes) == (400, 144, 144)
    assert layer.macs == 36 * 9
    assert layer.intensity == pytest.approx(324 / 688)


def test_batchnorm_moves_its_scale_and_shift():
    report = memory_report(nn.BatchNorm2d(4), (4, 2, 2))
    assert report.parameter_bytes == 32  # weight and bias, 4 each; running stats count as folded
    assert report.layers[0].bytes_moved == 64 + 64 + 32


def test_residual_shortcut_stays_live_until_the_add():
    block = build_block(block_spec("inverted_residual", in_channels=8, out_channels=8, size=4, expansion=2))
    report = memory_report(block, (8, 4, 4))
    live = {layer.name: layer.live_bytes for layer in report.layers}
    # x: 8x4x4 = 512 B; expanded 16x4x4 = 1024 B; projected 8x4x4 = 512 B
    assert live["conv_pw.conv"] == 512 + 1024
    assert live["conv_pw.bn"] == 512 + 1024 + 1024  # x kept for the residual add
    assert live["conv_pwl.conv"] == 512 + 1024 + 512
    assert live["residual"] == 512 + 512 + 512
    assert report.peak_activation_bytes == 2560
    assert report.peak_layer == "conv_pw.bn"


def test_without_residual_the_input_dies_after_its_last_reader():
    block = build_block(block_spec("inverted_residual", in_channels=8, out_channels=16, size=4, expansion=2))
    live = {layer.name: layer.live_bytes for layer in memory_report(block, (8, 4, 4)).layers}
    assert live["conv_pw.conv"] == 512 + 1024
    assert live["conv_pw.bn"] == 1024 + 1024


def test_se_input_waits_for_its_gate():
    block = build_block(block_spec("mbconv", in_channels=8, out_channels=8, size=4, expansion=2))
    live = {layer.name: layer.live_bytes for layer in memory_report(block, (8, 4, 4)).layers}
    # x 512 (residual) + depthwise output 1024 (SE input) + gate 16 floats = 64 + scaled output 1024
    assert live["se.scale"] == 512 + 1024 + 64 + 1024


def test_a_view_shares_its_base():
    model = nn.Sequential(nn.Conv2d(1, 2, 1, bias=False), nn.Flatten())
    report = memory_report(model, (1, 2, 2))
    assert [layer.live_bytes for layer in report.layers] == [16 + 32, 32]


def test_totals_and_stages():
    block = build_block(block_spec("mbconv", in_channels=16, out_channels=16, size=8))
    report = memory_report(block, (16, 8, 8))
    stages = report.stage_frame()
    assert list(stages["stage"]) == ["conv_pw", "conv_dw", "se", "conv_pwl", "drop_path", "residual"]
    assert stages["MACs"].sum() == report.macs
    assert stages["bytes moved"].sum() == report.bytes_moved
    assert stages["peak live bytes"].max() == report.peak_activation_bytes
    single = memory_report(block, (16, 8, 8), stage_of=lambda name: "all").stage_frame()
    assert len(single) == 1 and single["layers"].iloc[0] == len(report.layers)


def test_stage_names():
    assert top_level_stage("conv_dw.conv") == "conv_dw"
    assert network_stage("stages.3.1.conv_dw.conv") == "stages.3"
    assert network_stage("stem.conv") == "stem"
    assert network_stage("classifier.fc") == "classifier"


def test_module_is_untouched_and_meta_works():
    block = build_block(block_spec("bneck", in_channels=16, out_channels=16, size=8))
    memory_report(block, (16, 8, 8))
    assert all(not module._forward_hooks for module in block.modules())
    with torch.device("meta"):
        skeleton = build_block(block_spec("standard", in_channels=3, out_channels=4, size=5))
    assert memory_report(skeleton, (3, 5, 5)).layers[0].output_bytes == 400


def test_report_to_dict():
    payload = memory_report(nn.Conv2d(3, 4, 1, bias=False), (3, 5, 5)).to_dict()
    assert payload["peak_activation_bytes"] == 700 and payload["parameter_bytes"] == 48
    assert payload["layers"][0]["bytes moved"] == 748


def test_bad_shape_is_a_value_error():
    with pytest.raises(ValueError, match="input_shape"):
        memory_report(nn.Conv2d(3, 4, 1), (5, 5, 5))
