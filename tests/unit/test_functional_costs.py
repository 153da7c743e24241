"""MACs of functional ops (not modules) are counted and charged to the enclosing module's row."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from explorer.analysis.costs import count_costs


class Functional(nn.Module):
    """F.conv2d, F.linear, matmul, bmm, einsum and scaled_dot_product_attention, no conv or linear module."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(8, 3, 3, 3))
        self.fc = nn.Parameter(torch.zeros(10, 8))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.conv2d(x, self.weight, padding=1)  # 8 x 4 x 4 out, 27 MACs each: 3456
        tokens = x.flatten(2).transpose(1, 2)  # 16 tokens x 8
        attention = tokens @ tokens.transpose(1, 2)  # 16 x 16 x 8 = 2048
        mixed = torch.bmm(attention, tokens)  # 16 x 8 x 16 = 2048
        mixed = torch.einsum("bnc,bmc->bnm", mixed, tokens)  # 2048
        q = tokens.unsqueeze(1)
        attended = F.scaled_dot_product_attention(q, q, q)  # 2 x 16 x 16 x 8 = 4096
        return F.linear(attended.mean((1, 2)) + mixed.mean(), self.fc)  # 80


def flop_counter_macs(module: nn.Module, shape: tuple[int, ...]) -> int:
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(torch.zeros((1, *shape)))
    return counter.get_total_flops() // 2


def test_functional_macs_by_hand_and_by_flop_counter():
    module = Functional()
    report = count_costs(module, (3, 4, 4))
    assert report.macs == 3456 + 2048 * 3 + 4096 + 80 == flop_counter_macs(module, (3, 4, 4))
    assert report.params == 8 * 27 + 80
    # a leaf module without a rule: its MACs on its own row, its other ops listed as skipped
    assert [(layer.name, layer.macs) for layer in report.layers] == [("Functional", report.macs)]
    assert report.skipped == ("Functional",)


def test_functional_rows_are_named_after_the_enclosing_module():
    class Mixer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.proj = nn.Conv2d(3, 8, 1, bias=False)  # 8 x 3 x 16 = 384
            self.scale = nn.Parameter(torch.ones(8, 1, 1))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            tokens = (self.proj(x) * self.scale).flatten(2)  # 8 x 16
            return tokens @ tokens.transpose(1, 2)  # 8 x 8 x 16 = 1024

    module = nn.Sequential(nn.Conv2d(3, 3, 1, bias=False), Mixer())
    report = count_costs(module, (3, 4, 4))
    assert [(layer.name, layer.type, layer.macs) for layer in report.layers] == [
        ("0", "Conv2d", 9 * 16), ("1.proj", "Conv2d", 384), ("1", "aten.mul", 0), ("1", "aten.bmm", 1024),
    ]
    assert report.layers[2].params == 8 and report.params == 9 + 24 + 8
    assert report.macs == 9 * 16 + 384 + 1024 == flop_counter_macs(module, (3, 4, 4))
    assert report.ops["se_multiply"] == 8 * 16


def test_functional_non_mac_ops_by_convention_or_skipped():
    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.reduce = nn.Conv2d(2, 2, 1, bias=False)  # 4 MACs on the 1 x 1 squeezed map

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            gate = torch.sigmoid(self.reduce(x.mean((2, 3), keepdim=True)))  # pooling 32, activation 4 x 2
            y = x * gate  # SE multiply 32
            return torch.softmax(y + x, dim=1)  # residual add 32, softmax has no convention

    report = count_costs(Block(), (2, 4, 4))
    assert report.macs == 4
    assert report.ops["pooling"] == 32 and report.ops["activation"] == 8
    assert report.ops["se_multiply"] == 32 and report.ops["residual_add"] == 32
    assert report.skipped == ("aten._softmax",)


def test_data_movement_leaves_are_not_skipped():
    class Permute(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x.permute(0, 2, 3, 1)

    report = count_costs(nn.Sequential(nn.Conv2d(3, 4, 1), Permute(), nn.Sequential()), (3, 2, 2))
    assert report.skipped == ()
