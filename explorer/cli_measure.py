"""``python -m explorer measure block KIND [block options] [--budget SECONDS] [--json]``.

Measures one block's CPU latency (batch 1, ``torch.utils.benchmark``) within the time budget,
next to its MACs and memory; see :mod:`explorer.measure` for how, and :mod:`explorer.memory`
for the memory conventions. A configuration over the memory or time budget exits with code 2
and one line saying what to lower.
"""

from __future__ import annotations

import argparse

from explorer.cli import format_count, print_json
from explorer.cli_block import add_block_options, spec_from_args
from explorer.measure import DEFAULT_MEMORY_BUDGET, BlockMeasurement, measure_block


def _print_table(result: BlockMeasurement) -> None:
    latency, memory = result.latency, result.memory
    print(f"{result.spec.info.label}: {result.spec.to_dict()}")
    print(f"input {list(latency.input_shape)}, batch 1, float32, {latency.threads} threads")
    print(f"latency   {latency.median_s * 1e3:.4f} ms median, IQR {latency.iqr_s * 1e3:.4f} ms "
          f"({latency.runs} runs in {latency.samples} samples, {latency.method}, {latency.elapsed_s:.2f} s)")
    print(f"MACs      {result.costs.macs:,} ({format_count(result.costs.macs)}), params {result.costs.params:,}")
    print(f"memory    weights {memory.parameter_bytes:,} B, largest activation {memory.largest_activation_bytes:,} B, "
          f"peak activations {memory.peak_activation_bytes:,} B (at {memory.peak_layer})")
    print(f"intensity {memory.intensity:.3f} MACs per byte moved")


def run_measure_block(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    if args.memory_budget_mib <= 0:
        raise ValueError(f"memory budget: must be a positive number of MiB, got {args.memory_budget_mib!r}.")
    result = measure_block(spec, args.budget, int(args.memory_budget_mib * 2**20))
    if args.json:
        print_json(result.to_dict())
    else:
        _print_table(result)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("measure", help="measure CPU latency and memory next to MACs")
    targets = parser.add_subparsers(dest="target", required=True, parser_class=type(parser))
    block = targets.add_parser("block", help="one block's latency (batch 1), MACs and memory")
    add_block_options(block)
    block.add_argument("--budget", type=float, default=2.0, help="time budget in seconds (0.05 to 120; default 2)")
    block.add_argument("--memory-budget-mib", type=float, default=DEFAULT_MEMORY_BUDGET / 2**20,
                       help="refuse configurations needing more memory than this (default 1024)")
    block.add_argument("--json", action="store_true", help="print one JSON object")
    block.set_defaults(func=run_measure_block)
