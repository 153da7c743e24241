"""The referee: every peer counter run on real blocks and networks, its total reproduced by its rule.

Reference numbers: the tools' own totals (each tool also called directly, the way its README shows),
torchvision's EfficientNet-B0 (the same totals), and a conv-BN-ReLU small enough to count by hand.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import warnings

import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from explorer.analysis.measure import MAX_BUDGET_S
from explorer.analysis.peer_rules import TOOLS
from explorer.analysis.peers import _fingerprint, referee, referee_block, referee_network
from explorer.models.blocks import build_block
from explorer.models.networks.tables import network_spec
from explorer.models.specs import block_spec

BLOCKS = ("mbconv", "bneck", "depthwise_separable")
NETWORKS = ("mobilenet_v2", "mobilenet_v3_large", "efficientnet_b0")


@functools.cache
def _block(kind: str):
    return referee_block(block_spec(kind), MAX_BUDGET_S)  # a busy test machine must not run out of time


@functools.cache
def _network(name: str):
    return referee_network(network_spec(name), MAX_BUDGET_S)


@pytest.fixture(params=BLOCKS)
def block(request):
    return _block(request.param)


@pytest.fixture(params=NETWORKS)
def network(request):
    return _network(request.param)


def _check_reconciled(report) -> None:
    assert [peer.tool for peer in report.peers] == list(TOOLS)
    for peer in report.peers:
        assert peer.error is None, (peer.tool, peer.error)
        assert sum(peer.explained.values()) == peer.macs, (peer.tool, peer.explained, peer.macs)
        assert peer.residual == 0 and peer.residual_layers == {}, (peer.tool, peer.residual_layers)
        assert sum(peer.layers.values()) == peer.macs, peer.tool  # the per-layer counts add up to the total
        assert peer.explained["MACs"] == report.ours.macs, peer.tool  # every tool agrees on conv + linear MACs


def test_every_tool_on_three_blocks_is_explained_exactly(block):
    _check_reconciled(block)


def test_every_tool_on_three_networks_is_explained_exactly(network):
    _check_reconciled(network)


def test_flop_counter_mode_is_twice_our_macs(network):
    peer = network.peer("flop_counter")
    assert peer.reported == 2 * network.ours.macs


def _bn_params(report) -> int:
    return sum(layer.params for layer in report.ours.layers if layer.type == "BatchNorm2d")


def test_each_tool_rule_in_terms_of_our_categories(network):
    ours = network.ours.ops
    assert network.peer("thop").explained["batchnorm"] == 2 * ours["batchnorm"]  # 4 per element, ours 2
    assert network.peer("fvcore").explained == {"MACs": network.ours.macs, "batchnorm": ours["batchnorm"],
                                                 "pooling": ours["pooling"]}
    assert network.peer("ptflops").explained["pooling"] == 2 * ours["pooling"]  # hook + patched F.adaptive_avg_pool2d
    assert network.peer("torchinfo").explained == {"MACs": network.ours.macs, "batchnorm": _bn_params(network),
                                                   "bias": ours["bias"]}
    for tool in TOOLS:  # nobody counts the SE multiply or the residual add
        assert not {"se_multiply", "residual_add"} & set(network.peer(tool).explained)


def test_efficientnet_b0_numbers_match_torchvision_and_the_published_spread():
    ours = _network("efficientnet_b0")
    reference = referee(torchvision.models.efficientnet_b0(), (3, 224, 224), MAX_BUDGET_S)
    totals = {peer.tool: peer.macs for peer in ours.peers}
    assert totals == {peer.tool: peer.macs for peer in reference.peers}
    assert totals == {"torchinfo": 385_867_108, "fvcore": 401_659_392, "ptflops": 410_196_896, "thop": 415_145_024,
                      "flop_counter": 385_814_752}
    assert all(peer.residual == 0 for peer in reference.peers)


def test_tools_called_directly_give_the_same_totals():
    import thop
    from fvcore.nn import FlopCountAnalysis
    from ptflops import get_model_complexity_info

    spec = block_spec("bneck")
    report = _block("bneck")
    model, sample = build_block(spec), torch.randn(1, spec.in_channels, spec.size, spec.size)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = {
            "thop": int(thop.profile(copy.deepcopy(model), (sample,), verbose=False)[0]),
            "ptflops": get_model_complexity_info(copy.deepcopy(model), tuple(sample.shape[1:]), as_strings=False,
                                                 print_per_layer_stat=False)[0],
            "fvcore": FlopCountAnalysis(copy.deepcopy(model), (sample,)).unsupported_ops_warnings(False).total(),
        }
    assert direct == {tool: report.peer(tool).reported for tool in direct}


def test_conv_bn_relu_counted_by_hand():
    # conv 3 -> 4, k3, bias, on 5 x 5: output 4 x 3 x 3 = 36 elements, 36 * 27 = 972 MACs, bias 36;
    # BatchNorm(4) on 36 elements, ReLU on 36 elements.
    module = nn.Sequential(nn.Conv2d(3, 4, 3, bias=True), nn.BatchNorm2d(4), nn.ReLU())
    report = referee(module, (3, 5, 5))
    assert report.ours.macs == 972
    assert {peer.tool: peer.macs for peer in report.peers} == {
        "torchinfo": 972 + 36 + 8,          # + bias per output element + BN's 2 x 4 parameters
        "fvcore": 972 + 2 * 36,             # + BN 2 per element, bias ignored
        "ptflops": 972 + 36 + 2 * 36 + 2 * 36,  # + bias + BN 2 per element + ReLU twice (hook and F.relu)
        "thop": 972 + 4 * 36,               # + BN 4 per element, bias ignored
        "flop_counter": 972,                # 1944 FLOPs / 2
    }


def test_the_callers_module_and_the_globals_are_untouched(capsys):
    module = torchvision.models.mobilenet_v3_small().eval()
    before, relu, mul, filters = _fingerprint(module), F.relu, torch.Tensor.mul, list(warnings.filters)
    report = referee(module, (3, 96, 96), MAX_BUDGET_S)
    assert all(peer.error is None and not peer.notes for peer in report.peers)
    assert _fingerprint(module) == before
    assert not any(hasattr(sub, "total_ops") or hasattr(sub, "__flops__") for sub in module.modules())
    assert F.relu is relu and torch.Tensor.mul is mul and warnings.filters == filters
    assert capsys.readouterr().out == ""


class _IntOutput(nn.Module):
    """Returns a Python number beside the tensor: fvcore's JIT trace cannot follow it."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, int]:
        return self.conv(x), 3


def test_a_tool_that_cannot_count_gives_a_row_not_an_exception():
    report = referee(_IntOutput(), (3, 8, 8))
    fvcore = report.peer("fvcore")
    assert fvcore.error.startswith("could not count: ") and fvcore.macs is None
    assert report.peer("flop_counter").macs == 8 * 6 * 6 * 27


def test_too_large_a_configuration_is_refused_with_what_to_lower():
    with pytest.raises(ValueError, match="memory: .*lower the resolution"):
        referee_network(network_spec("efficientnet_b0", resolution=2048))
    with pytest.raises(ValueError, match="tools: unknown nope"):
        referee(nn.Conv2d(3, 4, 3), (3, 8, 8), tools=("nope",))


def test_our_side_is_the_cost_engines_count(block):
    from explorer.analysis.counting import block_report

    spec = block_spec(next(kind for kind in BLOCKS if _block(kind) is block))
    assert block.ours.to_dict() == block_report(spec).to_dict() | {"skipped": []}


def test_our_side_counts_what_a_container_computes_itself():
    # x + conv(x) in a container's own forward: the cost engine's residual add (4 * 64 = 256) is ours too.
    from explorer.analysis.costs import count_costs

    class OwnAdd(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(4, 4, 3, padding=1, bias=False)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x + self.conv(x)

    report = referee(OwnAdd(), (4, 8, 8), tools=("flop_counter",))
    assert report.ours == count_costs(OwnAdd(), (4, 8, 8))
    assert report.ours_explained["residual_add"] == 256 and [call.name for call in report.calls] == ["conv"]
    assert report.peer("flop_counter").macs == 9 * 4 * 4 * 64
