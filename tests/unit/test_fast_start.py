"""Counting never imports ``torch._dynamo`` (about 2 s of start-up on its own).

PyTorch runs some ops on meta tensors through Python decompositions wrapped in
``torch._disable_dynamo``, whose first call imports ``torch._dynamo``. The cost and memory traces
give those layers their output shape by arithmetic instead; these tests count in a fresh
interpreter and look at ``sys.modules`` afterwards, and check the arithmetic against PyTorch.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from explorer.analysis.costs import count_costs, shape_only_forward
from explorer.analysis.memory import memory_report
from explorer.models.layers import ChannelScale, ResidualAdd

ROOT = Path(__file__).resolve().parents[2]

COUNT_EVERYTHING = """
import sys
import torch
from explorer.analysis.counting import block_report, count_network, network_totals
from explorer.analysis.memory import memory_report, network_stage
from explorer.models.blocks import build_block
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import network_spec, network_table
from explorer.models.specs import BLOCK_KINDS, block_spec

b7 = network_spec("efficientnet_b7")
assert b7.resolution == 600 and count_network(b7).macs > 3e10 and network_totals(b7)[1] == count_network(b7).macs
for name in ("mobilenet_v3_large", "mobilenet_v3_small"):
    spec = network_spec(name)
    count_network(spec)
    with torch.device("meta"):
        network = build_network(network_table(spec))
    memory_report(network, (3, spec.resolution, spec.resolution), stage_of=network_stage)
for kind in BLOCK_KINDS:
    for options in ({}, {"activation": "hswish"}):
        spec = block_spec(kind, **options)
        with torch.device("meta"):
            block = build_block(spec)
        memory_report(block, (spec.in_channels, spec.size, spec.size), costs=block_report(spec))
print(sorted(name for name in sys.modules if name.startswith("torch._dynamo")))
"""


@pytest.mark.slow
def test_counting_in_a_fresh_interpreter_never_imports_dynamo():
    result = subprocess.run(
        [sys.executable, "-c", COUNT_EVERYTHING], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def _real_and_stand_in(module: nn.Module, *inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    forward = shape_only_forward(module)
    assert forward is not None
    return module(*inputs), forward(*inputs)


@pytest.mark.parametrize(
    ("module", "shapes"),
    [
        (nn.Conv2d(3, 8, 3), [(1, 3, 9, 7)]),
        (nn.Conv2d(4, 8, (3, 5), stride=(2, 3), padding=(1, 2), dilation=(2, 1), groups=2), [(1, 4, 17, 16)]),
        (nn.Conv2d(3, 6, 4, padding="same", padding_mode="reflect"), [(3, 9, 8)]),
        (nn.Conv2d(3, 6, 3, stride=2, padding="valid"), [(2, 3, 10, 11)]),
        (nn.Conv1d(2, 5, 3, stride=2, padding=1), [(1, 2, 10)]),
        (nn.Conv3d(2, 3, (1, 3, 3), padding=(0, 1, 1)), [(1, 2, 4, 5, 6)]),
        (nn.MaxPool2d(3, 2, 1), [(1, 4, 11, 10)]),
        (nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True), [(1, 4, 12, 11)]),
        (nn.MaxPool2d((2, 3), ceil_mode=True), [(2, 7, 7)]),
        (nn.AvgPool2d(3, 2, 1, ceil_mode=True), [(1, 4, 10, 9)]),
        (nn.AvgPool2d(2), [(1, 4, 5, 5)]),
        (nn.AdaptiveMaxPool2d((2, 3)), [(1, 4, 7, 9)]),
        (nn.Linear(7, 3), [(2, 5, 7)]),
        (nn.Linear(7, 3), [(7,)]),
        (nn.AdaptiveAvgPool2d(1), [(1, 8, 5, 6)]),
        (nn.AdaptiveAvgPool2d((2, None)), [(8, 5, 6)]),
        (nn.AdaptiveAvgPool2d((3, 4)), [(1, 2, 9, 9)]),
        (nn.BatchNorm2d(4).eval(), [(1, 4, 3, 3)]),
        (nn.Hardswish(), [(1, 4, 3, 3)]),
        (ChannelScale(), [(1, 4, 3, 3), (1, 4, 1, 1)]),
        (ChannelScale(), [(4, 1, 3), (2, 1)]),
        (ResidualAdd(), [(1, 4, 3, 3), (1, 4, 3, 3)]),
    ],
)
def test_stand_in_output_has_the_real_output_shape(module, shapes):
    inputs = [torch.randn(shape) for shape in shapes]
    real, stand_in = _real_and_stand_in(module, *inputs)
    assert stand_in.is_meta and stand_in.shape == real.shape and stand_in.dtype == real.dtype


def test_in_place_activation_returns_its_input_as_the_real_one_does():
    x = torch.randn(1, 4, 3, 3)
    real, stand_in = _real_and_stand_in(nn.ReLU6(inplace=True), x)
    assert real is x and stand_in is x


def test_a_subclass_with_its_own_forward_runs_for_real():
    class Doubling(nn.Linear):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.cat([super().forward(x)] * 2, dim=-1)

    assert shape_only_forward(Doubling(4, 3)) is None
    assert count_costs(Doubling(4, 3), (4,)).output_shape == (6,)


class _MismatchedAdd(nn.Module):
    """Adds a 2x2 pooled copy to its input: shapes that cannot be broadcast."""

    def __init__(self) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.add = ResidualAdd()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.add(x, self.pool(x))


@pytest.mark.parametrize(
    ("module", "shape"),
    [
        (nn.Linear(4, 3), (5,)),
        (nn.Conv2d(4, 3, 3), (5, 8, 8)),
        (nn.Conv2d(4, 3, 5), (4, 3, 8)),
        (nn.MaxPool2d(3, padding=2), (4, 8, 8)),
        (_MismatchedAdd(), (4, 3, 3)),
    ],
)
def test_what_pytorch_refuses_is_still_refused(module, shape):
    with pytest.raises(RuntimeError):
        module(torch.randn(1, *shape))
    with pytest.raises(ValueError, match=r"^input_shape: .* does not fit this module"):
        count_costs(module, shape)


def test_hand_checked_counts_of_the_arithmetic_layers():
    # pool 8x5x6 -> 8x1x1 adds 240 inputs; the linear 8 -> 3 does 24 MACs and 3 bias adds
    module = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3))
    report = count_costs(module, (8, 5, 6))
    assert (report.macs, report.ops["pooling"], report.ops["bias"], report.output_shape) == (24, 240, 3, (3,))
    memory = memory_report(module, (8, 5, 6))
    # live at the pool: its 960 B input and 32 B output; flatten is a view of the pooled map
    assert [layer.live_bytes for layer in memory.layers] == [992, 32, 44]
