"""``python -m explorer count SOURCE [--input-size C,H,W] [--json]``: count a model you bring.

SOURCE is ``timm:NAME`` or ``torchvision:NAME`` (built without weights on the meta device, nothing
downloaded), a path to an ``.onnx`` file (parsed, never executed), or ``package.module:callable``
(a factory in your own environment, called with no arguments on the meta device).
"""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from explorer.cli.main import format_count, print_json
from explorer.sources.resolve import SourceCount, count_source, parse_input_size


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("count", help="count params and MACs of a timm / torchvision model, an ONNX file or a factory")
    parser.add_argument("source", metavar="SOURCE",
                        help="timm:NAME, torchvision:NAME, path/to/model.onnx or package.module:callable")
    parser.add_argument("--input-size", dest="input_size", default=None, help="C,H,W (default: the model's own)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def count_payload(counted: SourceCount) -> dict[str, Any]:
    """The JSON object: params, macs, flops, ops, layers, skipped, input_size, and where the model came from."""
    report = counted.report.to_dict()
    return {
        "source": counted.source,
        "kind": counted.kind,
        "note": counted.note,
        "input_size": list(counted.input_size),
        "params": report["params"],
        "macs": report["macs"],
        "flops": report["flops"],
        "ops": report["ops"],
        "skipped": report["skipped"],
        "layers": report["layers"],
    }


def _print_table(counted: SourceCount) -> None:
    report = counted.report
    print(f"{counted.source}: input {' x '.join(map(str, counted.input_size))} ({counted.note})")
    print(f"params {report.params:,} ({format_count(report.params)})   MACs {report.macs:,} ({format_count(report.macs)})"
          f"   FLOPs = 2 x MACs {format_count(report.flops)}")
    for category, count in report.ops.items():
        print(f"  {category + ' ops':<18}{count:>18,}")
    by_type: Counter[str] = Counter()
    for layer in report.layers:
        by_type[layer.type] += layer.macs
    print("MACs by layer type:")
    for kind, macs in by_type.most_common():
        if macs:
            print(f"  {kind:<32}{macs:>18,}  {100 * macs / max(report.macs, 1):6.2f}%")
    print(f"{len(report.layers)} layers; skipped (no rule for their non-MAC ops): {', '.join(report.skipped) or 'none'}")


def run(args: argparse.Namespace) -> int:
    counted = count_source(args.source, parse_input_size(args.input_size), allow_python=True)
    if args.json:
        print_json(count_payload(counted))
    else:
        _print_table(counted)
    return 0
