"""``python -m explorer block KIND [options]``: one block's totals and per-layer table."""

from __future__ import annotations

import argparse
from typing import Any

from explorer.analysis.counting import block_report
from explorer.cli.main import format_count, print_json
from explorer.models.specs import BLOCK_KINDS, BlockSpec, block_spec, textbook_spec

BLOCK_OPTIONS: tuple[tuple[str, type, str], ...] = (
    ("in_channels", int, "input channels C_in"),
    ("out_channels", int, "output channels C_out"),
    ("size", int, "input height = width"),
    ("kernel_size", int, "kernel size k"),
    ("stride", int, "stride"),
    ("dilation", int, "dilation"),
    ("groups", int, "groups (group conv)"),
    ("expansion", float, "expansion ratio t"),
    ("expanded_channels", int, "explicit expanded width (overrides --expansion)"),
    ("se_ratio", float, "squeeze-and-excitation ratio (0 = no SE)"),
    ("activation", str, "relu, relu6, sigmoid, hsigmoid, swish|silu, hswish|hardswish, none"),
    ("gate", str, "SE gate: sigmoid or hsigmoid"),
    ("norm", str, "batch or none"),
    ("drop_connect", float, "drop-connect probability on the residual branch"),
)


def _padding(text: str) -> int | str:
    if text == "same":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be 'same' or a whole number, got {text!r}") from None


def add_block_options(parser: argparse.ArgumentParser) -> None:
    """The block hyperparameter flags, shared with ``export block`` and ``measure block``."""
    parser.add_argument("kind", choices=sorted(BLOCK_KINDS), help="block kind")
    for name, kind, text in BLOCK_OPTIONS:
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind, default=None, help=text)
    parser.add_argument("--padding", type=_padding, default=None, help="'same' (default) or pixels")
    parser.add_argument("--bias", action=argparse.BooleanOptionalAction, default=None, help="conv bias (norm none only)")
    parser.add_argument("--textbook", action="store_true", help="conv only: no norm, no bias, no activation, padding 0")


def spec_from_args(args: argparse.Namespace) -> BlockSpec:
    """The :class:`BlockSpec` the flags describe; flags left out take the kind's defaults."""
    names = [name for name, _, _ in BLOCK_OPTIONS] + ["padding", "bias"]
    given: dict[str, Any] = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    spec = block_spec(args.kind, **given)
    return textbook_spec(spec) if args.textbook else spec


def _print_table(spec: BlockSpec, report) -> None:
    print(f"{spec.info.label}: {spec.to_dict()}")
    print(f"input {list(report.input_shape)} -> output {list(report.output_shape)}")
    print(f"params {report.params:,} ({format_count(report.params)})   MACs {report.macs:,} ({format_count(report.macs)})")
    for category, count in report.ops.items():
        print(f"  {category + ' ops':<18}{count:>16,}")
    frame = report.to_frame()
    columns = ["layer", "type", "output", "kernel", "stride", "groups", "params", "% params", "MACs", "% MACs"]
    print(frame[columns].to_string(index=False))


def run_block(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    report = block_report(spec)
    if args.json:
        print_json({"kind": spec.kind, "spec": spec.to_dict()} | report.to_dict())
    else:
        _print_table(spec, report)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("block", help="count one block's params, MACs and other ops")
    add_block_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_block)
