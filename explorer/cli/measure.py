"""``python -m explorer measure block KIND ...`` and ``python -m explorer measure network NAME ...``.

``block`` measures one block's CPU latency (batch 1, ``torch.utils.benchmark``) within the time
budget, next to its MACs and memory; ``network`` measures a network whole and stage by stage (stages
numbered as the paper's table, 1 = the stem, with the modules timed for each). See
:mod:`explorer.measure` for how, and :mod:`explorer.memory` for the memory conventions. A
configuration over the memory or time budget exits with code 2 and one line saying what to lower.
"""

from __future__ import annotations

import argparse

import pandas as pd

from explorer.analysis.measure import DEFAULT_MEMORY_BUDGET, BlockMeasurement, measure_block, using_threads
from explorer.analysis.measurements import measure_network_results, network_budget_split
from explorer.cli.block import add_block_options, spec_from_args
from explorer.cli.main import format_count, print_json
from explorer.cli.network import add_network_options, network_spec_from_args
from explorer.formatting import threads_text


def _print_table(result: BlockMeasurement) -> None:
    latency, memory = result.latency, result.memory
    print(f"{result.spec.info.label}: {result.spec.to_dict()}")
    print(f"input {list(latency.input_shape)}, batch 1, float32, {threads_text(latency.threads)}")
    print(f"latency   {latency.median_s * 1e3:.4f} ms median, IQR {latency.iqr_s * 1e3:.4f} ms "
          f"({latency.runs} runs in {latency.samples} samples, {latency.method}, {latency.elapsed_s:.2f} s)")
    print(f"MACs      {result.costs.macs:,} ({format_count(result.costs.macs)}), params {result.costs.params:,}")
    print(f"memory    weights {memory.parameter_bytes:,} B, largest activation {memory.largest_activation_bytes:,} B, "
          f"peak activations {memory.peak_activation_bytes:,} B (at {memory.peak_layer})")
    print(f"intensity {memory.intensity:.3f} MACs per byte moved")


MAX_MEMORY_BUDGET_MIB = 2**20  # 1 TiB: more than any machine this runs on; beyond it a number is a typo


def _memory_budget(args: argparse.Namespace) -> int:
    if not 0 < args.memory_budget_mib <= MAX_MEMORY_BUDGET_MIB:  # also false for nan
        raise ValueError(
            f"memory-budget-mib: must be a number of MiB above 0 and at most {MAX_MEMORY_BUDGET_MIB:,} (1 TiB), "
            f"got {args.memory_budget_mib!r}."
        )
    return int(args.memory_budget_mib * 2**20)


def run_measure_block(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    with using_threads(args.threads):
        result = measure_block(spec, args.budget, _memory_budget(args))
    if args.json:
        print_json(result.to_dict())
    else:
        _print_table(result)
    return 0


def run_measure_network(args: argparse.Namespace) -> int:
    spec = network_spec_from_args(args)
    with using_threads(args.threads):
        results = measure_network_results(spec, args.budget, memory_budget=_memory_budget(args))
    payload = results.to_dict()
    if args.json:
        print_json(payload)
        return 0
    print(f"{payload['label']}: batch 1, float32, input {payload['input_shape']}, {threads_text(payload['threads'])}")
    print(f"latency {payload['latency_ms']:.3f} ms median of the whole network, IQR {payload['latency_ms_iqr']:.3f} ms, "
          f"min {payload['latency_ms_min']:.3f} ms ({payload['runs']} runs); stages timed one by one sum to "
          f"{payload['stages_latency_ms_sum']:.3f} ms")
    print(f"MACs {format_count(payload['macs'])}, peak activations {payload['peak_activation_bytes']:,} B; "
          f"{network_budget_split(args.budget)}")
    columns = ["stage", "operator", "modules", "MACs", "latency ms", "IQR ms", "runs", "peak live bytes", "weight bytes"]
    print(pd.DataFrame(payload["stages"])[columns].to_string(index=False))
    return 0


def _common_options(parser: argparse.ArgumentParser, default_budget: float) -> None:
    parser.add_argument("--budget", type=float, default=default_budget,
                        help=f"time budget in seconds (0.05 to 120; default {default_budget:g})")
    parser.add_argument("--memory-budget-mib", type=float, default=DEFAULT_MEMORY_BUDGET / 2**20,
                        help="refuse configurations whose forward pass would add more memory than this "
                             f"(default {DEFAULT_MEMORY_BUDGET // 2**20})")
    parser.add_argument("--threads", type=int, default=None, help="torch threads to measure with (default: torch's own)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("measure", help="measure CPU latency and memory next to MACs")
    targets = parser.add_subparsers(dest="target", required=True, parser_class=type(parser))
    block = targets.add_parser("block", help="one block's latency (batch 1), MACs and memory")
    add_block_options(block)
    _common_options(block, 2.0)
    block.set_defaults(func=run_measure_block)
    network = targets.add_parser("network", help="a network's latency per stage (batch 1), MACs and memory")
    add_network_options(network)
    _common_options(network, 6.0)
    network.set_defaults(func=run_measure_network)
