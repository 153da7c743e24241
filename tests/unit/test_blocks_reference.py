"""Parity with torchvision's own blocks.

The expected values were computed once with torchvision 0.29.1 / torch 2.14.1 (a separate
environment; the project does not depend on torchvision): params = sum of ``numel`` over
``module.parameters()``, MACs = ``FlopCounterMode`` total FLOPs / 2 for one zero image in eval
mode. Blocks: ``mobilenetv2.InvertedResidual(inp, oup, stride, t)``,
``mobilenetv3.InvertedResidual(InvertedResidualConfig(inp, k, exp, out, se, act, stride, 1, 1.0))``,
``efficientnet.MBConv(MBConvConfig(t, k, s, inp, out, 1), 0.1, BatchNorm2d)`` and
``efficientnet.FusedMBConv(FusedMBConvConfig(t, k, s, inp, out, 1), 0.1, BatchNorm2d)``.
"""

import pytest

from explorer.analysis.counting import block_report
from explorer.models.specs import block_spec

TORCHVISION_BLOCKS = [
    ("inverted_residual", {"in_channels": 32, "out_channels": 16, "stride": 1, "expansion": 1.0, "size": 112}, 896, 10035200, (16, 112, 112)),
    ("inverted_residual", {"in_channels": 16, "out_channels": 24, "stride": 2, "expansion": 6.0, "size": 112}, 5136, 29202432, (24, 56, 56)),
    ("inverted_residual", {"in_channels": 24, "out_channels": 24, "stride": 1, "expansion": 6.0, "size": 56}, 8832, 25740288, (24, 56, 56)),
    ("inverted_residual", {"in_channels": 64, "out_channels": 96, "stride": 1, "expansion": 6.0, "size": 14}, 66624, 12719616, (96, 14, 14)),
    ("inverted_residual", {"in_channels": 160, "out_channels": 320, "stride": 1, "expansion": 6.0, "size": 7}, 473920, 23002560, (320, 7, 7)),
    ("bneck", {"in_channels": 16, "out_channels": 16, "kernel_size": 3, "stride": 2, "expanded_channels": 16, "se_ratio": 0.25,
               "activation": "relu", "size": 112}, 744, 1254656, (16, 56, 56)),
    ("bneck", {"in_channels": 24, "out_channels": 24, "kernel_size": 3, "stride": 1, "expanded_channels": 88, "se_ratio": 0.0,
               "activation": "relu", "size": 28}, 5416, 3932544, (24, 28, 28)),
    ("bneck", {"in_channels": 40, "out_channels": 40, "kernel_size": 5, "stride": 1, "expanded_channels": 240, "se_ratio": 0.25,
               "activation": "hswish", "size": 14}, 57264, 4969920, (40, 14, 14)),
    ("bneck", {"in_channels": 96, "out_channels": 96, "kernel_size": 5, "stride": 1, "expanded_channels": 576, "se_ratio": 0.25,
               "activation": "hswish", "size": 7}, 294096, 6290496, (96, 7, 7)),
    ("bneck", {"in_channels": 80, "out_channels": 80, "kernel_size": 3, "stride": 1, "expanded_channels": 184, "se_ratio": 0.0,
               "activation": "hswish", "size": 14}, 31992, 6094816, (80, 14, 14)),
    ("bneck", {"in_channels": 112, "out_channels": 160, "kernel_size": 5, "stride": 2, "expanded_channels": 672, "se_ratio": 0.25,
               "activation": "hswish", "size": 14}, 429224, 21069216, (160, 7, 7)),
    ("mbconv", {"in_channels": 32, "out_channels": 16, "kernel_size": 3, "stride": 1, "expansion": 1.0, "size": 112}, 1448, 10035712, (16, 112, 112)),
    ("mbconv", {"in_channels": 16, "out_channels": 24, "kernel_size": 3, "stride": 2, "expansion": 6.0, "size": 112}, 6004, 29203200, (24, 56, 56)),
    ("mbconv", {"in_channels": 40, "out_channels": 40, "kernel_size": 5, "stride": 1, "expansion": 6.0, "size": 28}, 31290, 19761600, (40, 28, 28)),
    ("mbconv", {"in_channels": 80, "out_channels": 112, "kernel_size": 5, "stride": 2, "expansion": 6.0, "size": 14}, 126004, 10767840, (112, 7, 7)),
    ("mbconv", {"in_channels": 192, "out_channels": 320, "kernel_size": 3, "stride": 1, "expansion": 6.0, "size": 7}, 717232, 29520000, (320, 7, 7)),
    ("mbconv", {"in_channels": 24, "out_channels": 24, "kernel_size": 3, "stride": 1, "expansion": 4.0, "size": 56}, 7158, 17161344, (24, 56, 56)),
    ("fused_mbconv", {"in_channels": 24, "out_channels": 24, "kernel_size": 3, "stride": 1, "expansion": 1.0, "size": 192}, 5232, 191102976, (24, 192, 192)),
    ("fused_mbconv", {"in_channels": 24, "out_channels": 48, "kernel_size": 3, "stride": 2, "expansion": 4.0, "size": 192}, 25632, 233570304, (48, 96, 96)),
    ("fused_mbconv", {"in_channels": 48, "out_channels": 48, "kernel_size": 3, "stride": 1, "expansion": 4.0, "size": 96}, 92640, 849346560, (48, 96, 96)),
    ("fused_mbconv", {"in_channels": 16, "out_channels": 32, "kernel_size": 3, "stride": 2, "expansion": 1.0, "size": 64}, 4672, 4718592, (32, 32, 32)),
]


@pytest.mark.parametrize(("kind", "options", "params", "macs", "output_shape"), TORCHVISION_BLOCKS)
def test_block_matches_torchvision(kind, options, params, macs, output_shape):
    # drop connect and activation choices do not change params or MACs; MobileNetV2 blocks are
    # always 3x3 and their default activation (ReLU6) matches torchvision's.
    report = block_report(block_spec(kind, **options))
    assert (report.params, report.macs, report.output_shape) == (params, macs, output_shape)
