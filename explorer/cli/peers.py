"""``python -m explorer peers block|network ...``: what torchinfo, fvcore, ptflops, thop and
FlopCounterMode report for the same module as ``block`` / ``network``, and why they disagree.

``--json`` prints ``{tool: {"macs": N, "explained": {category: N, ...}, "residual": N, ...}}`` plus
``explorer`` (our own count); for every tool ``macs == sum(explained) + residual``.

Each source is one entry of :data:`SOURCES`: a function adding its options (shared with the
``block`` and ``network`` commands) and one turning the parsed options into a report. A source
that yields any ``nn.Module`` and input shape (such as ``count SOURCE`` from ``explorer/cli/count.py``)
is added with one more entry whose report function calls
``explorer.analysis.peers.referee(module, input_shape, budget_s)``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from explorer.analysis.peer_rules import TOOLS
from explorer.analysis.peers import DEFAULT_BUDGET_S, RefereeReport, referee_block, referee_network
from explorer.artifacts.referee import totals_table
from explorer.cli.block import add_block_options, spec_from_args
from explorer.cli.main import print_json
from explorer.cli.network import add_network_options, network_spec_from_args


def _block_report(args: argparse.Namespace) -> RefereeReport:
    return referee_block(spec_from_args(args), args.budget, args.tools)


def _network_report(args: argparse.Namespace) -> RefereeReport:
    return referee_network(network_spec_from_args(args), args.budget, args.tools)


SOURCES: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], RefereeReport]]] = {
    "block": ("one block, the options of `python -m explorer block`", add_block_options, _block_report),
    "network": ("a whole network, the options of `python -m explorer network`", add_network_options, _network_report),
}


def _tools(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in TOOLS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"must be a comma-separated list of {', '.join(TOOLS)}, got {text!r}")
    return names


def _print_table(report: RefereeReport) -> None:
    print(f"input {' x '.join(map(str, report.input_shape))}, batch 1; every counter's MACs = its parts + residual")
    frame = totals_table(report).drop(columns=["version", "seconds"])
    print(frame.to_string(index=False, na_rep="-"))


def run_peers(args: argparse.Namespace) -> int:
    report = SOURCES[args.source][2](args)
    if args.json:
        print_json(report.to_dict())
    else:
        _print_table(report)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("peers", help="run torchinfo, fvcore, ptflops, thop and FlopCounterMode and explain each")
    sources = parser.add_subparsers(dest="source", required=True, parser_class=type(parser))
    for name, (text, add_options, _) in SOURCES.items():
        source = sources.add_parser(name, help=text)
        add_options(source)
        source.add_argument("--budget", type=float, default=DEFAULT_BUDGET_S, help="time budget in seconds for all tools")
        source.add_argument("--tools", type=_tools, default=tuple(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
        source.add_argument("--json", action="store_true", help="print one JSON object")
        source.set_defaults(func=run_peers)
