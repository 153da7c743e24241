"""``python -m explorer network NAME [options]``: a whole network's totals, stages and layers.

Networks: MobileNetV1 (https://arxiv.org/abs/1704.04861), V2 (https://arxiv.org/abs/1801.04381),
V3 (https://arxiv.org/abs/1905.02244), EfficientNet (https://arxiv.org/abs/1905.11946) and
EfficientNetV2 (https://arxiv.org/abs/2104.00298).
"""

from __future__ import annotations

import argparse
from typing import Any

from explorer.analysis.breakdown import layer_rows, stage_rows
from explorer.analysis.counting import count_network
from explorer.cli.design import DESIGN_OPTIONS, add_design_options, design_from_args, design_payload, print_design
from explorer.cli.main import format_count, print_json
from explorer.models.networks.design import DesignSpec
from explorer.models.networks.papers import PaperFigure, paper_figure
from explorer.models.networks.tables import NETWORK_NAMES, NetworkSpec, network_spec

NETWORK_OPTIONS: tuple[tuple[str, type, str], ...] = (
    ("width_mult", float, "width multiplier (MobileNets; alpha for V1)"),
    ("resolution", int, "input height = width in pixels (default: the network's own)"),
    ("phi", float, "compound coefficient (network 'efficientnet')"),
    ("alpha", float, "depth base alpha (network 'efficientnet', default 1.2)"),
    ("beta", float, "width base beta (network 'efficientnet', default 1.1)"),
    ("gamma", float, "resolution base gamma (network 'efficientnet', default 1.15)"),
    ("num_classes", int, "classifier outputs (default 1000)"),
)


def add_network_options(parser: argparse.ArgumentParser) -> None:
    """The network flags, shared with other commands that take a network."""
    parser.add_argument("name", choices=(*NETWORK_NAMES, "custom"), metavar="NAME",
                        help=f"one of: {', '.join(NETWORK_NAMES)}, or custom (with --arch)")
    for name, kind, text in NETWORK_OPTIONS:
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind, default=None, help=text)
    parser.add_argument("--full-conv", dest="full_conv", action="store_true", help="MobileNetV1 with full 3x3 convs (Table 4)")
    add_design_options(parser)


def network_spec_from_args(args: argparse.Namespace) -> NetworkSpec:
    """The :class:`NetworkSpec` the flags describe; flags left out take the network's defaults."""
    if args.name == "custom":
        return design_from_args(args)
    given = [name for name, _, _ in DESIGN_OPTIONS if getattr(args, name) is not None]
    if given:
        raise ValueError(f"{given[0]}: applies to network custom only.")
    options: dict[str, Any] = {name: getattr(args, name) for name, _, _ in NETWORK_OPTIONS}
    return network_spec(args.name, full_conv=args.full_conv, **options)


def _paper_payload(paper: PaperFigure | None) -> dict[str, Any] | None:
    """The paper's figures: params, MACs and ImageNet top-1 (a percentage as printed), each with its source."""
    if paper is None:
        return None
    return {"params": paper.params, "macs": paper.macs, "source": paper.source, "top1": paper.top1,
            "top1_source": paper.top1_source}


def network_payload(spec: NetworkSpec) -> dict[str, Any]:
    """The JSON object: spec, totals, the paper's figures, other ops, stages and layers."""
    report = count_network(spec)
    layers = layer_rows(spec, report)
    paper = paper_figure(spec)
    return {
        "name": spec.name,
        "label": spec.label,
        "spec": spec.to_dict(),
        "params": report.params,
        "macs": report.macs,
        "flops": report.flops,
        "resolution": spec.resolution,
        "paper": _paper_payload(paper),
        "ops": report.ops,
        "stages": stage_rows(spec, layers),
        "layers": layers,
    }


def _print_table(spec: NetworkSpec) -> None:
    import pandas as pd

    report = count_network(spec)
    paper = paper_figure(spec)
    print(f"{spec.label}: input 3 x {spec.resolution} x {spec.resolution}")
    print(f"params {report.params:,} ({format_count(report.params)})   MACs {report.macs:,} ({format_count(report.macs)})")
    if paper:
        macs = format_count(paper.macs) if paper.macs else "-"
        print(f"paper: params {format_count(paper.params)}, MACs {macs} ({paper.source})")
        if paper.top1 is not None:
            print(f"paper: ImageNet top-1 {paper.top1}% ({paper.top1_source})")
    for category, count in report.ops.items():
        print(f"  {category + ' ops':<18}{count:>18,}")
    print(pd.DataFrame(stage_rows(spec, layer_rows(spec, report))).to_string(index=False))


def run_network(args: argparse.Namespace) -> int:
    spec = network_spec_from_args(args)
    if isinstance(spec, DesignSpec):
        print_json(design_payload(spec)) if args.json else print_design(spec)
        return 0
    if args.json:
        print_json(network_payload(spec))
    else:
        _print_table(spec)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("network", help="count a whole network's params, MACs, stages and layers")
    add_network_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_network)
