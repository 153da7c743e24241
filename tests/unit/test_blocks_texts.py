"""What the Blocks page says about its choices: even-kernel 'same' padding, and what Compare kinds assumed."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from explorer.analysis.counting import block_report
from explorer.artifacts.blocks import (
    block_artifacts,
    comparison_note,
    comparison_table,
    kind_settings,
    padding_note,
    same_padding_outputs,
)
from explorer.models.blocks import build_block
from explorer.models.specs import BLOCK_KINDS, block_spec


@pytest.mark.parametrize(("kernel", "dilation", "expected"), [(4, 1, 55), (6, 1, 55), (4, 2, 54), (2, 1, 55)])
def test_even_kernel_same_padding_counts_the_symmetric_conv(kernel, dilation, expected):
    """torchvision's (k - 1) // 2 x d on each side: the module built, its count and the note agree on the size."""
    spec = block_spec("standard", in_channels=3, out_channels=4, size=56, kernel_size=kernel, dilation=dilation, norm="none",
                      activation="none")
    assert same_padding_outputs(spec) == (expected, 56)
    with torch.no_grad():
        output = build_block(spec)(torch.zeros(1, 3, 56, 56))
    assert tuple(output.shape) == (1, 4, expected, expected)
    report = block_report(spec)
    assert report.output_shape[1:] == (expected, expected)
    assert report.macs == kernel**2 * 3 * 4 * expected**2  # k² · C_in · C_out · H' · W'


def test_tensorflow_same_would_keep_56_with_the_split_the_note_names():
    spec = block_spec("standard", in_channels=3, out_channels=4, kernel_size=4, norm="none", activation="none")
    note = padding_note(spec)
    assert "1 px on every side" in note and "needs 3 px in all and gets 2" in note
    assert "55 × 55, not 56 × 56" in note and "1 px left/top and 2 px right/bottom" in note
    conv = build_block(spec).conv
    with torch.no_grad():
        tensorflow = F.conv2d(F.pad(torch.zeros(1, 3, 56, 56), (1, 2, 1, 2)), conv.weight)  # TF SAME's asymmetric pad
    assert tuple(tensorflow.shape[2:]) == (56, 56)


def test_no_note_where_same_keeps_ceil_size_over_stride():
    assert padding_note(block_spec("standard", kernel_size=3)) is None  # odd kernel
    assert padding_note(block_spec("standard", kernel_size=5, stride=2, size=57)) is None  # 29 = ceil(57 / 2)
    assert padding_note(block_spec("standard", kernel_size=4, stride=2)) is None  # 28 either way
    assert padding_note(block_spec("standard", kernel_size=4, padding=1)) is None  # pixels, chosen on purpose
    assert padding_note(block_spec("se")) is None  # no padding at all


def test_even_kernel_costs_a_residual_block_its_shortcut_and_says_so():
    spec = block_spec("mbconv", in_channels=32, out_channels=32, kernel_size=6)
    assert not spec.has_residual
    assert "costs the block its shortcut" in padding_note(spec)
    assert block_artifacts(spec).padding_note == padding_note(spec)
    assert "shortcut" not in padding_note(block_spec("standard", kernel_size=4))


def test_compare_kinds_says_what_it_assumed_for_every_kind():
    table = comparison_table(block_spec("mbconv", expansion=4.0)).set_index("kind")["settings"]
    assert table["mbconv"] == "t = 4 (hidden 128), SE 0.25 of C_in, swish / SiLU, sigmoid gate"  # the sidebar's block
    assert table["inverted_residual"] == "t = 6 (hidden 192), ReLU6"  # MobileNetV2's own defaults
    assert table["bneck"] == "t = 4 (hidden 128), SE 0.25 of the expanded width, h-swish, hard-sigmoid gate"
    assert table["fused_mbconv"] == "t = 4 (hidden 128), no SE, swish / SiLU"
    assert table["group"] == "G = 4, ReLU"
    assert table["standard"] == "ReLU"
    assert comparison_table(block_spec("group", groups=8)).set_index("kind").loc["group", "settings"] == "G = 8, ReLU"
    note = comparison_note(block_spec("mbconv"))
    assert "Same for every kind: C_in 32, C_out 64, 56 × 56 input, k 3, stride 1, padding same" in note
    assert "own defaults (expansion, SE ratio, groups, activation)" in note


def test_kind_settings_without_activation():
    assert kind_settings(block_spec("standard", activation="none")) == "no activation"
    assert "no other kind" not in comparison_note(block_spec("standard"))
    assert "no counterpart" in comparison_note(block_spec("gdc"))


def test_every_kind_has_settings_text():
    settings = {kind: kind_settings(block_spec(kind)) for kind in BLOCK_KINDS}
    assert settings["se"] == "SE 0.0625 of C_in, ReLU, sigmoid gate"
    assert settings["gdc"] == "no activation"
