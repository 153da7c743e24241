"""MobileNetV3's efficient last stage against the MobileNetV2-style one it replaced.

Howard et al. 2019, Searching for MobileNetV3 (https://arxiv.org/abs/1905.02244), Sec. 5.1 and
Fig. 5. The original last stage, as in MobileNetV2, ends the network with one more bottleneck
(1x1 expand 160 -> 960, 3x3 depthwise, 1x1 projection to 320) and a 1x1 conv 320 -> 1280, all at
7x7, then pools. The redesigned stage pools right after the 1x1 expansion 160 -> 960, so the
1x1 conv to 1280 runs on a 1x1 map (without BatchNorm), and the depthwise and projection layers are
dropped. The paper: "reduces the latency by 7 milliseconds which is 11% of the running time and
reduces the number of operations by 30 millions MAdds with almost no loss of accuracy" (Pixel phone).

Both networks are built from the project's MobileNetV3-Large table (:mod:`explorer.models.networks`),
counted by the cost engine on meta tensors and timed with :mod:`explorer.analysis.measure`.
"""

from __future__ import annotations

import dataclasses
import statistics
from dataclasses import dataclass

import torch
from torch import nn

from explorer.analysis.costs import CostReport, count_costs
from explorer.analysis.measure import Latency, Progress, check_budget, measure_module
from explorer.models.networks.build import Network, build_network
from explorer.models.networks.tables import BlockRow, HeadRow, NetworkTable, network_spec, network_table

PAPER_SAVED_MACS = 30e6
PAPER_SAVED_MS = 7.0
PAPER_SAVED_SHARE = 11.0
ROUNDS = 3
HINT = "both networks are timed whole, three times each"


def efficient_table(width_mult: float = 1.0) -> NetworkTable:
    """MobileNetV3-Large as published (paper Table 1): the efficient last stage."""
    return network_table(network_spec("mobilenet_v3_large", width_mult=width_mult))


def original_table(width_mult: float = 1.0) -> NetworkTable:
    """The same network with the MobileNetV2-style last stage of the paper's Fig. 5 (top).

    One more bottleneck (expand to the head width, 3x3 depthwise, project to 2 x the last block's
    width; h-swish, no SE), then a 1x1 conv to 1280 with BatchNorm at 7x7, pooling and the classifier.
    """
    table = efficient_table(width_mult)
    last = table.rows[-1]
    extra = BlockRow(
        operator="bneck", kernel_size=3, stride=1, in_channels=last.out_channels, out_channels=2 * last.out_channels,
        expanded_channels=table.head.conv_channels, activation="hswish", gate="hsigmoid",
    )
    head = HeadRow(conv_channels=table.head.hidden_features, activation="hswish", dropout=table.head.dropout)
    return dataclasses.replace(table, title=f"{table.title} (original last stage)", rows=(*table.rows, extra), head=head)


def last_stage_parts(table: NetworkTable, original: bool) -> tuple[str, ...]:
    """Submodule names of the last stage: the extra bottleneck (original only), head and classifier."""
    return ((f"stages.{len(table.rows) - 1}",) if original else ()) + ("head", "classifier")


def count(table: NetworkTable) -> CostReport:
    """The cost engine's report for the whole network, built on the meta device."""
    with torch.device("meta"):
        module = build_network(table)
    return count_costs(module, (3, table.resolution, table.resolution))


def part_totals(report: CostReport, parts: tuple[str, ...]) -> tuple[int, int]:
    """``(params, MACs)`` of the layers under the named parts."""
    layers = [layer for layer in report.layers if layer.name.split(".")[0] in parts or
              any(layer.name.startswith(part + ".") for part in parts)]
    return sum(layer.params for layer in layers), sum(layer.macs for layer in layers)


@dataclass(frozen=True)
class StageTiming:
    """Whole-network latency per round (the two networks alternate) and the last stage's on its own."""

    network_ms: tuple[float, ...]
    last_stage_ms: float

    @property
    def median_ms(self) -> float:
        return statistics.median(self.network_ms)


def last_stage_module(module: Network, table: NetworkTable, original: bool) -> nn.Sequential:
    """The last stage of a built network as one module, fed the last block's 7x7 output."""
    return nn.Sequential(*(module.get_submodule(part) for part in last_stage_parts(table, original)))


def _latency_ms(latency: Latency) -> float:
    return latency.median_s * 1e3


def measure_both(budget_s: float, progress: Progress | None = None) -> dict[str, StageTiming]:
    """Time the last stages alone (an eighth of the budget each), then both networks in ``ROUNDS`` alternating rounds.

    Batch 1, 224x224 input, the current torch thread count; each whole-network call gets an equal share of
    the remaining three quarters of the budget (refused, saying so, if one forward pass may not fit it).
    """
    budget_s = check_budget(budget_s)
    tables = {"original": original_table(), "efficient": efficient_table()}
    modules: dict[str, Network] = {name: build_network(table) for name, table in tables.items()}
    stage_ms = {}
    for name, table in tables.items():
        if progress:
            progress(len(stage_ms) / (2 * ROUNDS + 2), f"Last stage of the {name} network")
        tail = last_stage_module(modules[name], table, name == "original")
        shape = (table.rows[-1 - (name == "original")].out_channels, 7, 7)
        stage_ms[name] = _latency_ms(measure_module(tail, shape, budget_s / 8, hint=HINT))
    rounds: dict[str, list[float]] = {name: [] for name in tables}
    for index in range(2 * ROUNDS):
        name = ("original", "efficient")[index % 2]
        if progress:
            progress((index + 2) / (2 * ROUNDS + 2), f"Round {index // 2 + 1} of {ROUNDS}: {name} network")
        share = 0.75 * budget_s / (2 * ROUNDS)
        rounds[name].append(_latency_ms(measure_module(modules[name], (3, 224, 224), share, hint=HINT)))
    if progress:
        progress(1.0, "Done")
    return {name: StageTiming(tuple(rounds[name]), stage_ms[name]) for name in tables}
