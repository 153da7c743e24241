"""Refuse only what cannot be built: small inputs, and MobileNetV2's expand conv exactly as torchvision keeps it.

With torchvision's padding ``(k - 1) // 2`` a stride-s conv maps a map of n >= 1 pixels to ceil(n / s) >= 1,
so no feature map of these networks ever shrinks below 1 x 1: every resolution from 1 pixel builds, in
torchvision as here (MNIST's 28 x 28 included). The MACs at small sizes are checked against
``torch.utils.flop_counter`` on torchvision's own models (total / 2).
"""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models.mobilenetv2 import InvertedResidual

from explorer.analysis.costs import count_costs
from explorer.analysis.counting import count_network
from explorer.models.blocks import build_block
from explorer.models.networks.tables import MIN_RESOLUTION, network_spec
from explorer.models.specs import block_spec


def torchvision_macs(model: torch.nn.Module, shape: tuple[int, ...]) -> int:
    with FlopCounterMode(display=False) as counter:
        model(torch.empty(1, *shape, device=next(model.parameters()).device))
    return counter.get_total_flops() // 2


@pytest.mark.parametrize(
    ("name", "reference", "resolution"),
    [("mobilenet_v2", "mobilenet_v2", 16), ("mobilenet_v2", "mobilenet_v2", 28), ("efficientnet_b0", "efficientnet_b0", 28),
     ("mobilenet_v3_small", "mobilenet_v3_small", 28), ("mobilenet_v3_large", "mobilenet_v3_large", 1)],
)
def test_small_inputs_build_and_count_like_torchvision(name, reference, resolution):
    with torch.device("meta"):
        model = getattr(torchvision.models, reference)().eval()
    report = count_network(network_spec(name, resolution=resolution))
    assert report.macs == torchvision_macs(model, (3, resolution, resolution))
    assert report.params == sum(p.numel() for p in model.parameters())


def test_the_smallest_resolution_is_one_pixel_and_below_is_refused():
    assert MIN_RESOLUTION == 1
    assert count_network(network_spec("efficientnet_l2", resolution=1)).macs > 0
    with pytest.raises(ValueError, match="resolution"):
        network_spec("mobilenet_v2", resolution=0)


@pytest.mark.parametrize(("channels", "expansion", "expands"), [(8, 1.05, True), (8, 1.0, False), (16, 1.5, True), (3, 1.1, True)])
def test_inverted_residual_keeps_its_expand_conv_whenever_the_ratio_is_not_one(channels, expansion, expands):
    """torchvision: ``if expand_ratio != 1`` adds the 1x1 expand conv, even when ``round(8 * 1.05) == 8``."""
    reference = InvertedResidual(channels, channels, stride=1, expand_ratio=expansion).eval()
    spec = block_spec("inverted_residual", in_channels=channels, out_channels=channels, size=8, expansion=expansion)
    block = build_block(spec).eval()
    convs = [module for module in block.modules() if isinstance(module, torch.nn.Conv2d)]
    assert len(convs) == len([m for m in reference.modules() if isinstance(m, torch.nn.Conv2d)]) == (3 if expands else 2)
    assert spec.has_expand_conv is expands
    report = count_costs(block, (channels, 8, 8))
    assert report.params == sum(p.numel() for p in reference.parameters())
    assert report.macs == torchvision_macs(reference, (channels, 8, 8))
