"""Spec validation: every impossible combination names the parameter and what is valid."""

import pytest

from explorer.models.activations import canonical_activation
from explorer.models.blocks import squeeze_channels
from explorer.models.scaling import make_divisible
from explorer.models.specs import BLOCK_KINDS, block_spec, textbook_spec


@pytest.mark.parametrize(
    ("kind", "options", "parameter"),
    [
        ("group", {"in_channels": 32, "out_channels": 64, "groups": 5}, "groups"),
        ("standard", {"stride": 0}, "stride"),
        ("standard", {"kernel_size": 9, "size": 4, "padding": 0}, "kernel_size"),
        ("standard", {"in_channels": 0}, "in_channels"),
        ("standard", {"padding": "valid"}, "padding"),
        ("standard", {"activation": "tanh"}, "activation"),
        ("standard", {"norm": "layer"}, "norm"),
        ("standard", {"bias": True}, "bias"),
        ("standard", {"expansion": 6}, "expansion"),
        ("mbconv", {"drop_connect": 1.0}, "drop_connect"),
        ("mbconv", {"expansion": 0.5}, "expansion"),
        ("bneck", {"se_ratio": 1.5}, "se_ratio"),
        ("se", {"se_ratio": 0.0}, "se_ratio"),
        ("bneck", {"gate": "relu"}, "gate"),
        ("nonsense", {}, "kind"),
    ],
)
def test_invalid_values_name_the_parameter(kind, options, parameter):
    with pytest.raises(ValueError, match=rf"^{parameter}:"):
        block_spec(kind, **options)


def test_group_error_lists_valid_groups():
    with pytest.raises(ValueError, match="valid groups for 12 -> 18 channels are 1, 2, 3, 6"):
        block_spec("group", in_channels=12, out_channels=18, groups=4)


def test_kind_defaults_follow_the_papers():
    assert block_spec("inverted_residual").activation == "relu6"
    assert block_spec("bneck").activation == "hswish" and block_spec("bneck").gate == "hsigmoid"
    assert block_spec("mbconv").activation == "swish" and block_spec("mbconv").gate == "sigmoid"
    assert block_spec("se").se_ratio == 1 / 16


def test_activation_aliases():
    assert canonical_activation("SiLU") == "swish"
    assert canonical_activation("hardswish") == "hswish"
    assert block_spec("standard", activation="silu").activation == "swish"


@pytest.mark.parametrize(("kernel", "dilation", "padding"), [(1, 1, 0), (3, 1, 1), (5, 1, 2), (3, 2, 2), (7, 3, 9), (4, 1, 1)])
def test_same_padding_is_torchvision_rule(kernel, dilation, padding):
    assert block_spec("standard", kernel_size=kernel, dilation=dilation).padding_amount == padding


def test_output_size_formula():
    # floor((56 + 2*1 - 3) / 2) + 1 = 28
    assert block_spec("standard", stride=2).output_size == 28
    # floor((7 + 0 - 5) / 1) + 1 = 3
    assert block_spec("standard", size=7, kernel_size=5, padding=0).output_size == 3


def test_hidden_width_rules():
    assert block_spec("inverted_residual", in_channels=24, expansion=6.0).hidden_channels == 144
    assert block_spec("mbconv", in_channels=20, expansion=6.0).hidden_channels == make_divisible(120, 8) == 120
    assert block_spec("mbconv", in_channels=10, expansion=1.5).hidden_channels == 16  # 15 -> 16
    assert block_spec("bneck", in_channels=16, expanded_channels=72).hidden_channels == 72


def test_squeeze_width_switch():
    # MobileNetV3 squeezes from the expanded width, EfficientNet from the input width.
    assert squeeze_channels(block_spec("bneck", in_channels=40, expanded_channels=120, se_ratio=0.25)) == 32
    assert squeeze_channels(block_spec("mbconv", in_channels=40, expansion=6.0, se_ratio=0.25)) == 10
    assert squeeze_channels(block_spec("bneck", se_ratio=0.0)) == 0


def test_make_divisible_examples():
    assert make_divisible(35.2) == 32
    assert make_divisible(20) == 24
    assert make_divisible(3) == 8
    assert make_divisible(91) == 88  # 88 >= 0.9 * 91


def test_textbook_spec_strips_everything_but_the_convolutions():
    spec = textbook_spec(block_spec("depthwise_separable"))
    assert (spec.norm, spec.bias, spec.activation, spec.padding) == ("none", False, "none", 0)


def test_every_kind_builds_with_defaults():
    for kind in BLOCK_KINDS:
        assert block_spec(kind).kind == kind


def test_to_dict_has_only_applicable_fields():
    assert set(block_spec("se").to_dict()) == {"kind", "in_channels", "size", "se_ratio", "activation", "gate"}
