"""The cost engine: hand-checked numbers, cross-checks against torch.utils.flop_counter and
torchinfo, and the promises (no side effects, no activation memory, thread safety)."""

import threading

import pytest
import torch
import torchinfo
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from explorer.analysis.costs import count_costs, trace_costs
from explorer.models.blocks import build_block
from explorer.models.specs import BLOCK_KINDS, block_spec, textbook_spec


def _textbook(kind, **options):
    spec = textbook_spec(block_spec(kind, **options))
    return count_costs(build_block(spec), (spec.in_channels, spec.size, spec.size))


def test_worked_examples_from_the_brief():
    # C_in 3, C_out 4, k 3: standard 3*3*3*4 = 108 params; separable 3*3*3 + 3*4 = 27 + 12 = 39.
    assert _textbook("standard", in_channels=3, out_channels=4, size=5).params == 108
    assert _textbook("depthwise_separable", in_channels=3, out_channels=4, size=5).params == 39
    # 5x5 single channel, k 3, no padding: 9 * 9 = 81 mults; 3x1 then 1x3: 15*3 + 9*3 = 72.
    assert _textbook("standard", in_channels=1, out_channels=1, size=5).macs == 81
    assert _textbook("spatially_separable", in_channels=1, out_channels=1, size=5).macs == 72


def test_group_conv_divides_by_groups():
    full = _textbook("group", in_channels=16, out_channels=32, groups=1, size=8)
    grouped = _textbook("group", in_channels=16, out_channels=32, groups=4, size=8)
    assert full.params == 3 * 3 * 16 * 32 == 4 * grouped.params
    assert full.macs == 4 * grouped.macs


def test_batchnorm_params_and_ops():
    report = count_costs(build_block(block_spec("standard", in_channels=3, out_channels=4, size=5)), (3, 5, 5))
    assert report.params == 108 + 2 * 4  # BN weight and bias per channel
    assert report.ops["batchnorm"] == 2 * 4 * 5 * 5
    assert report.ops["activation"] == 4 * 5 * 5  # ReLU: one op per element


def test_se_ops_are_counted_separately():
    spec = block_spec("se", in_channels=32, size=10, se_ratio=0.25)
    report = count_costs(build_block(spec), (32, 10, 10))
    assert report.macs == 32 * 8 + 8 * 32  # the two 1x1 convs on a 1x1 map
    assert report.params == (32 * 8 + 8) + (8 * 32 + 32)
    assert report.ops["pooling"] == 32 * 10 * 10
    assert report.ops["se_multiply"] == 32 * 10 * 10
    assert report.ops["bias"] == 8 + 32


def test_residual_add_counted():
    spec = block_spec("inverted_residual", in_channels=16, out_channels=16, size=8)
    report = count_costs(build_block(spec), (16, 8, 8))
    assert report.ops["residual_add"] == 16 * 8 * 8


@pytest.mark.parametrize("kind", list(BLOCK_KINDS))
def test_rows_add_up_and_params_match_module(kind):
    spec = block_spec(kind)
    module = build_block(spec)
    report = count_costs(module, (spec.in_channels, spec.size, spec.size))
    frame = report.to_frame()
    assert frame["params"].sum() == report.params == sum(p.numel() for p in module.parameters())
    assert frame["MACs"].sum() == report.macs
    assert abs(frame["% MACs"].sum() - 100) < 0.1 or report.macs == 0
    assert report.output_shape == tuple(module(torch.zeros(1, spec.in_channels, spec.size, spec.size)).shape[1:])


@pytest.mark.parametrize("kind", list(BLOCK_KINDS))
def test_macs_match_flop_counter(kind):
    spec = block_spec(kind)
    module = build_block(spec)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(torch.zeros(1, spec.in_channels, spec.size, spec.size))
    assert count_costs(module, (spec.in_channels, spec.size, spec.size)).macs == counter.get_total_flops() // 2


@pytest.mark.parametrize("kind", ["depthwise_separable", "mbconv", "bneck", "fused_mbconv"])
def test_layer_table_matches_torchinfo(kind):
    spec = block_spec(kind, size=16)
    module = build_block(spec)
    summary = torchinfo.summary(module, input_size=(1, spec.in_channels, 16, 16), verbose=0, depth=10)
    theirs = [
        (type(layer.module).__name__, layer.num_params, tuple(layer.output_size[1:]))
        for layer in summary.summary_list if layer.is_leaf_layer and not isinstance(layer.module, nn.Identity)
    ]
    ours = [(row.type, row.params, row.output_shape) for row in count_costs(module, (spec.in_channels, 16, 16)).layers]
    assert ours == theirs
    assert sum(r[1] for r in ours) == summary.total_params


def test_counting_leaves_the_module_untouched():
    module = build_block(block_spec("mbconv")).train()
    before = {name: p.clone() for name, p in module.state_dict().items()}
    count_costs(module, (32, 56, 56))
    assert module.training
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in module.modules())
    assert all(p.device.type == "cpu" for p in module.parameters())
    assert all(torch.equal(before[name], p) for name, p in module.state_dict().items())


def test_huge_input_needs_no_activation_memory():
    # 4096 channels at 4096 x 4096 would need 275 GB per activation in float32.
    spec = block_spec("depthwise_separable", in_channels=4096, out_channels=4096, size=4096)
    with torch.device("meta"):
        module = build_block(spec)
    report = count_costs(module, (4096, 4096, 4096))
    assert report.macs == 4096 * 4096 * (9 * 4096 + 4096 * 4096)
    assert report.largest_activation_bytes == 4096**3 * 4


def test_concurrent_counts_do_not_interfere():
    modules = {k: build_block(block_spec(k)) for k in ("standard", "mbconv", "bneck", "group")}
    expected = {k: count_costs(m, (32, 56, 56)).macs for k, m in modules.items()}
    results, errors = [], []

    def work(kind):
        try:
            for _ in range(5):
                results.append((kind, count_costs(modules[kind], (32, 56, 56)).macs))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(kind,)) for kind in list(modules) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(macs == expected[kind] for kind, macs in results) and len(results) == 40


def test_shared_parameters_counted_once():
    conv = nn.Conv2d(4, 4, 3, padding=1, bias=False)
    module = nn.Sequential(conv, nn.ReLU(), conv)
    report = count_costs(module, (4, 8, 8))
    assert report.params == 144 == sum(p.numel() for p in module.parameters())
    assert report.macs == 2 * 144 * 64


def test_unknown_layers_are_listed_as_skipped():
    module = nn.Sequential(nn.Conv2d(3, 4, 1), nn.LayerNorm([4, 2, 2]))
    report = count_costs(module, (3, 2, 2))
    assert report.skipped == ("LayerNorm",)
    assert report.params == 16 + 32


def test_bad_input_shape():
    module = build_block(block_spec("standard"))
    with pytest.raises(ValueError, match="^input_shape:"):
        count_costs(module, (3, 56, 56))
    with pytest.raises(ValueError, match="^input_shape:"):
        count_costs(module, (32, 0, 56))


class _OwnAdd(nn.Module):
    """A container that adds its input to its conv's output in its own ``forward`` (not a leaf)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x)


def test_the_trace_gives_the_leaf_call_behind_each_row():
    # conv 4 -> 4, k3 on 8 x 8: 9 * 4 * 4 * 64 = 9,216 MACs; the container's add and the ReLU: 4 * 64 = 256 each.
    module = nn.Sequential(_OwnAdd(), nn.ReLU())
    trace = trace_costs(module, (4, 8, 8))
    assert trace.report == count_costs(module, (4, 8, 8))
    assert [(row.type, row.macs, row.ops) for row in trace.report.layers] == [
        ("Conv2d", 9216, {}), ("aten.add", 0, {"residual_add": 256}), ("ReLU", 0, {"activation": 256})]
    leaves = trace.leaf_calls  # the container's own add is a row, not a leaf call
    assert [(type(call.module).__name__, call.layer) for call in leaves] == [
        ("Conv2d", trace.report.layers[0]), ("ReLU", trace.report.layers[2])]
    assert all(call.inputs[0].shape == (1, 4, 8, 8) and call.output.device.type == "meta" for call in leaves)
