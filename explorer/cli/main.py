"""Command line: ``python -m explorer <command> ...``.

Every command prints a readable table, or one JSON object with ``--json``. Invalid input
exits with code 2 and one line on stderr that names the parameter; never a traceback.
Each command lives in its own module exposing ``add_parser(subparsers)``; the parser it
adds sets ``func``, a callable taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from explorer.formatting import short_count

COMMAND_MODULES = (
    "explorer.cli.block",
    "explorer.cli.network",
    "explorer.cli.export",
    "explorer.cli.measure",
    "explorer.cli.digits",
    "explorer.cli.count",
)


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def print_json(payload: dict[str, Any]) -> None:
    """Print one JSON object on stdout."""
    print(json.dumps(payload, indent=2, default=str))


def format_count(value: float) -> str:
    """``385814752`` -> ``385.81M``: two decimals, the CLI's reading of a count."""
    return short_count(value, ".2f")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m explorer", description="Efficient CNN block explorer.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # the reader (e.g. `| head`) closed the pipe: stop quietly, as Unix tools do
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - interpreter shutdown flushes stdout
        return 0
    except ValueError as error:
        message = " ".join(str(error).split())
        print(f"python -m explorer {args.command}: error: {message}", file=sys.stderr)
        return 2
