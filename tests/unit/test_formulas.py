"""The analytic formulas of ``explorer.formulas``: worked examples checked by hand.

The four full-block examples were worked by hand below and agree with torchvision 0.29.1
(computed once with the reference venv: ``sum(p.numel())`` for params and
``torch.utils.flop_counter.FlopCounterMode`` total / 2 for MACs on torchvision's
``InvertedResidual(24, 24, 1, 6)``, MobileNetV3 ``InvertedResidual`` with
``InvertedResidualConfig(40, 5, 120, 40, True, "RE", 1, 1, 1.0)``, ``MBConv`` with
``MBConvConfig(6, 3, 1, 24, 24, 1)`` and ``FusedMBConv`` with ``FusedMBConvConfig(4, 3, 2, 24, 48, 1)``).
"""

from __future__ import annotations

import pytest
import torch

from explorer.analysis.costs import count_costs
from explorer.analysis.formulas import block_formula, latex_number
from explorer.models.blocks import build_block
from explorer.models.specs import BLOCK_KINDS, block_spec, textbook_spec


def textbook(kind: str, **overrides) -> object:
    return block_formula(textbook_spec(block_spec(kind, **overrides)))


def terms(formula) -> dict[str, tuple[int, int]]:
    return {name: (params, macs) for name, params, macs in formula.terms}


def test_standard_textbook_108_params_with_numbers_plugged_in():
    formula = textbook("standard", in_channels=3, out_channels=4, kernel_size=3, size=3)
    assert (formula.params, formula.macs) == (108, 108)  # 3*3*3*4 weights, one output position
    assert formula.params_text == r"k^2 C_{in} C_{out} = 3^2 \cdot 3 \cdot 4 = 108"
    assert formula.macs_text == r"k^2 C_{in} C_{out} H' W' = 3^2 \cdot 3 \cdot 4 \cdot 1 \cdot 1 = 108"
    assert formula.ratio_vs_standard == 1.0


def test_depthwise_separable_textbook_27_plus_12():
    formula = textbook("depthwise_separable", in_channels=3, out_channels=4, kernel_size=3, size=3)
    assert terms(formula) == {"conv_dw.conv": (27, 27), "conv_pw.conv": (12, 12)}
    assert formula.params == 39
    assert formula.standard_params == 108
    assert formula.textbook_ratio == pytest.approx(1 / 4 + 1 / 9)
    assert formula.ratio_vs_standard == pytest.approx(39 / 108)  # = 13/36 = 1/4 + 1/9 exactly
    assert r"3^2 \cdot 3 & = 27" in formula.params_text and r"3 \cdot 4 & = 12" in formula.params_text
    assert r"\frac{1}{4} + \frac{1}{3^2}" in formula.ratio_text


@pytest.mark.parametrize("out_channels, kernel_size", [(4, 3), (64, 3), (256, 5), (1024, 7)])
def test_depthwise_separable_macs_ratio_is_exactly_one_over_cout_plus_one_over_k2(out_channels, kernel_size):
    formula = block_formula(block_spec("depthwise_separable", out_channels=out_channels, kernel_size=kernel_size))
    assert formula.ratio_vs_standard == pytest.approx(1 / out_channels + 1 / kernel_size**2)


def test_five_by_five_single_channel_81_vs_45_plus_27():
    standard = textbook("standard", in_channels=1, out_channels=1, kernel_size=3, size=5)
    separable = textbook("spatially_separable", in_channels=1, out_channels=1, kernel_size=3, size=5)
    assert standard.macs == 81  # 9 weights at 3x3 output positions
    assert terms(separable) == {"conv_kx1.conv": (3, 45), "conv_1xk.conv": (3, 27)}  # 3 x 15, then 3 x 9
    assert separable.macs == 72
    assert r"3 \cdot 1 \cdot 1 \cdot 3 \cdot 5 & = 45" in separable.macs_text


def test_group_conv_divides_params_and_macs_by_groups():
    formula = textbook("group", in_channels=8, out_channels=16, kernel_size=3, size=10, groups=4)
    assert formula.params == 3 * 3 * 8 * 16 // 4 == 288
    assert formula.macs == 288 * 8 * 8  # output 8 x 8 without padding
    assert formula.standard_params == 1152
    assert formula.ratio_vs_standard == 0.25
    assert formula.params_text == r"\frac{k^2 C_{in} C_{out}}{G} = \frac{3^2 \cdot 8 \cdot 16}{4} = 288"


def test_mobilenet_v2_block_by_hand():
    formula = block_formula(block_spec("inverted_residual", in_channels=24, out_channels=24, expansion=6, size=56))
    # hidden 144; expand 24*144 + BN 2*144, depthwise 9*144 + BN 2*144, project 144*24 + BN 2*24
    assert terms(formula) == {
        "conv_pw.conv": (3456, 3456 * 56 * 56), "conv_pw.bn": (288, 0),
        "conv_dw.conv": (1296, 1296 * 56 * 56), "conv_dw.bn": (288, 0),
        "conv_pwl.conv": (3456, 3456 * 56 * 56), "conv_pwl.bn": (48, 0),
    }
    assert (formula.params, formula.macs) == (8832, 25_740_288)  # torchvision InvertedResidual(24, 24, 1, 6)


def test_mobilenet_v3_bneck_by_hand():
    spec = block_spec(
        "bneck", in_channels=40, out_channels=40, expanded_channels=120, kernel_size=5, se_ratio=0.25,
        activation="relu", size=28,
    )
    formula = block_formula(spec)
    # squeeze = make_divisible(120 / 4, 8) = 32; SE 1x1 convs have biases
    assert terms(formula)["se.fc1"] == (120 * 32 + 32, 120 * 32)
    assert terms(formula)["se.fc2"] == (32 * 120 + 120, 32 * 120)
    # 4800 + 240 + 3000 + 240 + 3872 + 3960 + 4800 + 80
    assert (formula.params, formula.macs) == (20992, 9_886_080)  # torchvision MobileNetV3 bneck
    assert r"C_{sq} = \operatorname{round}_8(r\,C_{exp}) = \operatorname{round}_8(0.25 \cdot 120) = 32" in formula.definitions


def test_efficientnet_mbconv_by_hand():
    formula = block_formula(block_spec("mbconv", in_channels=24, out_channels=24, expansion=6, size=56))
    # squeeze from the block input: max(1, int(24 * 0.25)) = 6
    assert terms(formula)["se.fc1"] == (144 * 6 + 6, 864)
    assert terms(formula)["se.fc2"] == (6 * 144 + 144, 864)
    assert (formula.params, formula.macs) == (10710, 25_742_016)  # torchvision MBConv, B0 stage 3 block 2


def test_fused_mbconv_by_hand():
    spec = block_spec("fused_mbconv", in_channels=24, out_channels=48, expansion=4, stride=2, size=56)
    formula = block_formula(spec)
    # fused 3x3: 9*24*96 + BN 192 at 28x28; project 96*48 + BN 96
    assert terms(formula) == {
        "conv_fused.conv": (20736, 20736 * 784), "conv_fused.bn": (192, 0),
        "conv_pwl.conv": (4608, 4608 * 784), "conv_pwl.bn": (96, 0),
    }
    assert (formula.params, formula.macs) == (25632, 19_869_696)  # torchvision FusedMBConv


def test_fused_mbconv_without_expansion_is_one_conv():
    formula = block_formula(block_spec("fused_mbconv", in_channels=24, out_channels=24, expansion=1, size=8))
    assert [name for name, _, _ in formula.terms] == ["conv_fused.conv", "conv_fused.bn"]
    assert formula.params == 9 * 24 * 24 + 48


def test_global_depthwise_conv_is_one_weight_per_position_and_channel():
    formula = block_formula(block_spec("gdc", in_channels=512, size=7))
    assert (formula.params, formula.macs) == (7 * 7 * 512 + 2 * 512, 7 * 7 * 512)
    assert formula.ratio_vs_standard == pytest.approx(1 / 512)
    assert formula.definitions == (r"k \times k = H \times W = 7 \times 7,\quad H' = W' = 1",)


def test_squeeze_excite_two_biased_1x1_convs():
    formula = block_formula(block_spec("se", in_channels=64, se_ratio=0.25, size=14))
    assert (formula.params, formula.macs) == (64 * 16 + 16 + 16 * 64 + 64, 2 * 64 * 16)
    assert formula.ratio_vs_standard is None and formula.standard_macs is None


def test_bias_counted_only_without_batchnorm():
    with_bn = block_formula(block_spec("standard", in_channels=3, out_channels=4))
    with_bias = block_formula(block_spec("standard", in_channels=3, out_channels=4, norm="none", bias=True))
    assert with_bn.params == 108 + 2 * 4
    assert with_bias.params == 108 + 4
    assert with_bias.params_text == r"k^2 C_{in} C_{out} + C_{out} = 3^2 \cdot 3 \cdot 4 + 4 = 112"


def test_output_size_definition_with_stride_and_dilation():
    formula = block_formula(block_spec("standard", size=10, kernel_size=3, stride=2, dilation=2, padding=1))
    # floor((10 + 2 - 2*2 - 1) / 2) + 1 = 4
    assert formula.definitions[0].endswith("= 4")
    assert formula.macs == 9 * 32 * 64 * 16


def test_latex_number_separates_thousands():
    assert latex_number(12345678) == "12{,}345{,}678"
    assert latex_number(7) == "7"


@pytest.mark.parametrize("kind", sorted(BLOCK_KINDS))
def test_every_term_matches_the_counted_layer_of_the_same_name(kind):
    spec = block_spec(kind, **({"stride": 2} if kind not in ("gdc", "se") else {}))
    with torch.device("meta"):
        report = count_costs(build_block(spec), (spec.in_channels, spec.size, spec.size))
    counted: dict[str, tuple[int, int]] = {}
    for layer in report.layers:
        params, macs = counted.get(layer.name, (0, 0))
        counted[layer.name] = (params + layer.params, macs + layer.macs)
    assert terms(block_formula(spec)) == {name: cost for name, cost in counted.items() if cost != (0, 0)}
