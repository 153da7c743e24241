"""Counting: one public entry point, :func:`count`, for any module, block spec or network spec.

Every number follows the conventions of :mod:`explorer.analysis.costs` (params include BatchNorm's
affine weights; MACs are conv + linear multiply-accumulates for one image; every other operation is
counted in its own category). Specs are counted on the meta device and cached (they are frozen), so
the app, the CLI and the exports share one count per configuration.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import OrderedDict
from collections.abc import Sequence

import torch
from torch import nn

from explorer.analysis.costs import CostReport, LayerCost, count_costs
from explorer.models.blocks import build_block
from explorer.models.networks.build import classifier_module, head_module, stem_module
from explorer.models.networks.tables import NetworkSpec, block_specs, network_table
from explorer.models.specs import BlockSpec

Countable = nn.Module | BlockSpec | NetworkSpec


def count(target: Countable, input_size: Sequence[int] | None = None) -> CostReport:
    """Params, MACs, other operations by category and per-layer rows of ``target``, for one image.

    Args:
        target: any ``nn.Module`` (yours too: an ``nn.Sequential``, a timm or torchvision model); it
            is not modified, moved or run, and no activation memory is allocated. Or a
            :class:`~explorer.models.specs.BlockSpec` / :class:`~explorer.models.networks.tables.NetworkSpec`,
            counted on the meta device with its own input size (cached).
        input_size: one sample's shape without the batch dimension, e.g. ``(3, 224, 224)``; required
            for a module, optional for a spec (it must then equal the spec's own input).

    Returns:
        A :class:`~explorer.analysis.costs.CostReport`: ``params``, ``macs``, ``flops`` (2 x MACs),
        ``ops`` (by category), ``layers`` (rows that add up to the totals) and ``skipped`` (layer
        types without a cost rule, listed rather than dropped).

    Raises:
        ValueError: no input size for a module, one that does not fit, or one that contradicts a spec.
        TypeError: ``target`` is none of the above.
    """
    if isinstance(target, BlockSpec | NetworkSpec):
        report = block_report(target) if isinstance(target, BlockSpec) else count_network(target)
        if input_size is not None and tuple(int(d) for d in input_size) != report.input_shape:
            raise ValueError(
                f"input_size: this spec takes {tuple(report.input_shape)}, got {tuple(input_size)}; "
                "change the spec's size or resolution instead."
            )
        return report
    if isinstance(target, nn.Module):
        if input_size is None:
            raise ValueError("input_size: a module needs one sample's shape without the batch, e.g. (3, 224, 224).")
        return count_costs(target, input_size)
    raise TypeError(f"target: expected an nn.Module, a BlockSpec or a NetworkSpec, got {type(target).__name__}.")


@functools.lru_cache(maxsize=4096)
def block_report(spec: BlockSpec) -> CostReport:
    """The cost report of ``spec``'s module, built on the meta device (no weights allocated).

    Cached per spec (specs are frozen); treat the report as read-only.
    """
    with torch.device("meta"):
        module = build_block(spec)
    return count_costs(module, (spec.in_channels, spec.size, spec.size))


@functools.lru_cache(maxsize=64)
def count_network(spec: NetworkSpec) -> CostReport:
    """Params, MACs, other ops and per-layer rows of the network ``spec`` describes, for one image.

    The same report as ``count_costs`` on the whole :func:`build_network` module (a test checks
    they are equal row for row), assembled part by part: the stem, every block and the head are
    counted on the meta device (structure only, no weights, no activations), and a block that
    repeats in a stage is counted once, so the time does not depend on the resolution and grows
    with the number of distinct blocks only. Results are cached per spec; treat them as read-only.
    """
    table = network_table(spec)
    resolution = table.resolution
    with torch.device("meta"):
        stem, tail = stem_module(table), nn.Sequential(OrderedDict(head=head_module(table), classifier=classifier_module(table)))
    stem_report = count_costs(stem, (3, resolution, resolution))
    layers = [dataclasses.replace(layer, name=f"stem.{layer.name}") for layer in stem_report.layers]
    skipped = list(stem_report.skipped)
    stages = block_specs(table)
    for stage_index, stage in enumerate(stages):
        for block_index, part in enumerate(stage):
            rows, block_skipped = _block_rows(part)
            layers += [dataclasses.replace(row, name=f"stages.{stage_index}.{block_index}.{row.name}") for row in rows]
            skipped += block_skipped
    last = stages[-1][-1]
    tail_report = count_costs(tail, (last.output_channels, last.output_size, last.output_size))
    layers += tail_report.layers
    skipped += tail_report.skipped
    return CostReport((3, resolution, resolution), tail_report.output_shape, tuple(layers), tuple(dict.fromkeys(skipped)))


def _block_rows(part: BlockSpec) -> tuple[tuple[LayerCost, ...], tuple[str, ...]]:
    """The block's rows and skipped layer types, counted once per spec without drop connect.

    Drop connect costs nothing at inference but makes every block's spec distinct, so it is left
    out of the (cached) count; where the block has it, its ``drop_path`` row (shape-preserving,
    zero cost) goes back in just before the residual add, where the module calls it.
    """
    report = block_report(part.replace(drop_connect=0.0))
    rows = report.layers
    if not (part.drop_connect and part.has_residual):
        return rows, report.skipped
    add = next(index for index, row in enumerate(rows) if row.name == "residual")
    branch = rows[add - 1]
    drop = LayerCost("drop_path", "DropConnect", branch.output_shape, branch.output_shape, "", "", None, 0, 0, {},
                     branch.output_bytes)
    return (*rows[:add], drop, *rows[add:]), report.skipped


def clear_count_caches() -> None:
    """Forget every cached network and block count (for cold-start benchmarks)."""
    count_network.cache_clear()
    block_report.cache_clear()
    network_totals.cache_clear()


def _part_cost(part: BlockSpec) -> tuple[int, int]:
    report = block_report(part)
    return report.params, report.macs


@functools.lru_cache(maxsize=1024)
def network_totals(spec: NetworkSpec) -> tuple[int, int]:
    """``(params, MACs)`` of the network, fast: each distinct block is counted once.

    Blocks with the same spec cost the same (drop connect changes nothing at inference), so
    the totals are the stem, the head and the sum over blocks; equal to :func:`count_network`'s
    totals, but cheap enough for family charts and scaling curves with dozens of networks.
    """
    table = network_table(spec)
    parts = [part.replace(drop_connect=0.0) for stage in block_specs(table) for part in stage]
    params, macs = map(sum, zip(*(_part_cost(part) for part in parts), strict=True))
    last = parts[-1]
    with torch.device("meta"):
        stem, tail = stem_module(table), nn.Sequential(head_module(table), classifier_module(table))
    stem_report = count_costs(stem, (3, table.resolution, table.resolution))
    tail_report = count_costs(tail, (last.output_channels, last.output_size, last.output_size))
    return params + stem_report.params + tail_report.params, macs + stem_report.macs + tail_report.macs
