"""Command line: ``python -m explorer <command> ...``.

Every command prints a readable table, or one JSON object with ``--json``. Invalid input
exits with code 2 and one line on stderr that names the parameter; never a traceback.
Each command lives in its own module exposing ``add_parser(subparsers)``; the parser it
adds sets ``func``, a callable taking the parsed arguments and returning an exit code.
Only the named command's module is imported, so counting a block or a network never waits
for plotly, pandas or kaleido, which only the export and measure commands need.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from explorer.formatting import short_count

COMMAND_MODULES = (
    "explorer.cli.block",
    "explorer.cli.network",
    "explorer.cli.export",
    "explorer.cli.measure",
    "explorer.cli.digits",
    "explorer.cli.papers",
    "explorer.cli.peers",
    "explorer.cli.count",
)


# torch.utils.benchmark imports torch.utils.cpp_extension, which logs "No CUDA runtime is found" on
# every CPU-only machine: a second stderr line before the command's own. It says nothing a CLI user can act on.
logging.getLogger("torch.utils.cpp_extension").setLevel(logging.ERROR)


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


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser of the command ``argv`` names, or of every command (for help or a mistyped name)."""
    parser = OneLineParser(prog="python -m explorer", description="Efficient CNN block explorer.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    named = f"explorer.cli.{argv[0]}" if argv else None
    for module_name in [named] if named in COMMAND_MODULES else COMMAND_MODULES:
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: the process's arguments) and run the command; returns the process exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # the reader (e.g. `| head`) closed the pipe: stop quietly, as Unix tools do
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - interpreter shutdown flushes stdout
        return 0
    except ValueError as error:
        return _fail(args, " ".join(str(error).split()))
    except OSError as error:
        return _fail(args, os_error_line(args, error))
    except OverflowError as error:  # a number too large for a C integer or float somewhere downstream
        return _fail(args, f"a number is too large to use ({error}); give a smaller value.")


def _fail(args: argparse.Namespace, message: str) -> int:
    print(f"python -m explorer {args.command}: error: {message}", file=sys.stderr)
    return 2


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else f"{text[:limit // 2]}...{text[-limit // 2:]} ({len(text):,} characters)"


def os_error_line(args: argparse.Namespace, error: OSError) -> str:
    """One line for a file-system error: the argument whose path failed, what happened, and the path.

    ``error.filename`` is matched against every path-like argument: equal, inside it (a file the
    command writes under ``--out``) or above it (a parent directory it had to create).
    """
    names = [str(name) for name in (error.filename, error.filename2) if name is not None]
    paths = {key: str(value) for key, value in vars(args).items() if isinstance(value, (str, Path)) and key != "command"}
    argument = next(
        (key for name in names for key, value in paths.items()
         if name == value or name.startswith(value.rstrip("/") + "/") or value.startswith(name.rstrip("/") + "/")),
        "file",
    )
    where = f" ({_shorten(names[0])})" if names else ""
    return f"{argument.replace('_', '-')}: {error.strerror or error}{where}."
