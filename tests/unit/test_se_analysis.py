"""SE probing on built blocks: inputs, guards, gates and figures, checked by hand."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from explorer.demos.se import (
    check_memory,
    extreme_channels,
    fixed_stem,
    load_uploaded_image,
    probe_block,
    sample_photo,
    se_block_artifacts,
    se_excitations,
    se_layers,
    synthetic_pattern,
)
from explorer.models.blocks import build_block
from explorer.models.specs import block_spec


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_shipped_photos_and_patterns():
    assert sample_photo("china.jpg").shape == (427, 640, 3)
    stripes = synthetic_pattern("stripes", 32, angle=0.0, period=8)
    assert stripes.shape == (32, 32, 3)
    assert (stripes[:, 0] == 255).all() and (stripes[:, 4] == 0).all()  # vertical stripes: cos(2π x / 8)
    assert (stripes[0] == stripes[7]).all()  # constant along y at angle 0
    board = synthetic_pattern("checkerboard", 8, period=4)[:, :, 0]
    assert board[0, 0] == 0 and board[0, 2] == 255 and board[2, 2] == 0
    with pytest.raises(ValueError, match="pattern"):
        synthetic_pattern("spiral")


def test_upload_guards():
    rgb = load_uploaded_image(_png(np.full((5, 7, 3), 9, np.uint8)))
    assert rgb.shape == (5, 7, 3) and rgb[0, 0, 0] == 9
    grey = load_uploaded_image(_png(np.zeros((4, 4), np.uint8)))
    assert grey.shape == (4, 4, 3)
    with pytest.raises(ValueError, match="empty"):
        load_uploaded_image(b"")
    with pytest.raises(ValueError, match="not an image"):
        load_uploaded_image(b"hello, this is text")
    with pytest.raises(ValueError, match="truncated"):
        load_uploaded_image(_png(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))[:300])
    with pytest.raises(ValueError, match="pixels"):
        load_uploaded_image(_png(np.zeros((100, 100, 3), np.uint8)), max_pixels=99 * 100)
    with pytest.raises(ValueError, match="MiB"):
        load_uploaded_image(b"x" * 2048, max_bytes=1024)


def test_fixed_stem_is_oriented_sobel():
    stem = fixed_stem(4)
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 4
    assert torch.allclose(stem.weight[0, 0], sobel_x)  # angle 0 on red
    assert torch.allclose(stem.weight[2, 2], sobel_x.T, atol=1e-6)  # angle 90 on blue
    assert stem.weight[1, 0].abs().sum() == 0  # channel 1 reads green only


def test_gates_match_a_hand_computed_squeeze_excite():
    spec = block_spec("se", in_channels=3, size=16, se_ratio=1.0)
    rgb = synthetic_pattern("noise", 16, seed=3)
    probe = probe_block(spec, rgb, seed=5)
    torch.manual_seed(5)
    se = build_block(spec)
    x = torch.tensor(probe.before).unsqueeze(0)
    pooled = x.mean(dim=(2, 3))
    hidden = torch.relu(pooled @ se.fc1.weight[:, :, 0, 0].T + se.fc1.bias)
    gates = torch.sigmoid(hidden @ se.fc2.weight[:, :, 0, 0].T + se.fc2.bias)[0]
    assert np.allclose(probe.excitation, gates.detach().numpy(), atol=1e-6)
    assert np.allclose(probe.after, probe.before * probe.excitation[:, None, None], atol=1e-6)


@pytest.mark.parametrize("kind", ["bneck", "mbconv", "fused_mbconv", "se"])
def test_every_se_kind_probes(kind):
    extra = {"se_ratio": 0.25} if kind == "fused_mbconv" else {}
    spec = block_spec(kind, in_channels=8, size=12, **extra)
    probe = probe_block(spec, sample_photo("flower.jpg"))
    channels = spec.in_channels if kind == "se" else spec.hidden_channels
    assert probe.excitation.shape == (channels,)
    assert ((probe.excitation >= 0) & (probe.excitation <= 1)).all()
    assert probe.before.shape == (channels, 12, 12)


def test_refuses_blocks_without_se_and_huge_inputs():
    with pytest.raises(ValueError, match="se_ratio"):
        check_memory(block_spec("fused_mbconv"))
    with pytest.raises(ValueError, match="MiB memory budget; lower the input size"):
        check_memory(block_spec("mbconv", in_channels=256, out_channels=256, size=1024))
    assert check_memory(block_spec("se", in_channels=16, size=10)) > 0


def test_extreme_channels():
    gates = np.array([0.5, 0.9, 0.1, 0.7, 0.2])
    assert extreme_channels(gates, 2) == ([1, 3], [2, 4])


def test_se_excitations_hooks_every_layer_and_cleans_up():
    block = torch.nn.Sequential(build_block(block_spec("se", in_channels=4, size=4)), build_block(block_spec("se", in_channels=4, size=4)))
    _, gates = se_excitations(block, torch.randn(2, 4, 4, 4))
    assert list(gates) == ["0", "1"] and gates["0"].shape == (2, 4)
    assert all(not layer.gate._forward_hooks for layer in se_layers(block).values())


def test_artifacts_order_and_sorted_bars():
    shown = se_block_artifacts(block_spec("se", in_channels=16, size=20), synthetic_pattern("checkerboard"), order="sorted")
    assert list(shown.exports()) == ["se_input", "se_excitation", "se_excitation_histogram", "se_feature_maps", "se_summary", "se_channels"]
    bars = np.array(shown.excitation.data[0].y)
    assert (np.diff(bars) <= 0).all()
    assert len(shown.feature_maps.data) == 2 * 6
    assert "random" in shown.summary.set_index("quantity").loc["weights", "value"]


def test_charts_have_numbered_channels_a_mean_in_the_legend_a_colour_bar_and_bare_images():
    """Issue 15, item 11: the mean label sat on the bars, the channel axis had no numbers, the feature maps no
    colour bar, and the image panels showed stray ticks."""
    probe = probe_block(block_spec("se", in_channels=96, size=20), synthetic_pattern("stripes"))
    shown = se_block_artifacts(block_spec("se", in_channels=96, size=20), synthetic_pattern("stripes"))
    bars, mean = shown.excitation.data
    assert list(bars.x) == list(range(96)) and shown.excitation.layout.xaxis.type != "category"  # numbered ticks
    assert mean.name == f"mean {probe.excitation.mean():.3f}" and list(mean.y) == [pytest.approx(probe.excitation.mean())] * 2
    assert not shown.excitation.layout.annotations  # nothing written over the bars
    sorted_bars = se_block_artifacts(block_spec("se", in_channels=96, size=20), synthetic_pattern("stripes"), "sorted")
    assert list(sorted_bars.excitation.data[0].x) == list(range(1, 97))  # rank; the channel is in the hover
    maps = shown.feature_maps
    assert [trace.showscale for trace in maps.data].count(True) == 1  # one colour bar for every map
    assert all(trace.zmin == -1 and trace.zmax == 1 for trace in maps.data)  # each channel / its max |before|
    # after SE a map is its gate times the map before: at most the gate, relative to its own largest |value|
    assert float(np.abs(maps.data[1].z).max()) == pytest.approx(probe.excitation[extreme_channels(probe.excitation, 3)[0][0]])
    for figure in (maps, shown.input):
        for axis in (*figure.select_xaxes(), *figure.select_yaxes()):
            assert axis.ticks == "" and axis.showticklabels is False and axis.showline is False
