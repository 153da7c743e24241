"""``python -m explorer papers train [--out FILE] [--seeds 0,1,2,3,4]``: regenerate the shipped digits results.

The linear-bottleneck ablation and the dead-depthwise-kernel experiment
(:mod:`explorer.demos.bottleneck_digits`) train small networks on scikit-learn's digits,
deterministically; this command retrains every run and writes the JSON the pages read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.cli.main import print_json
from explorer.demos.bottleneck_digits import DEFAULT_SEEDS, RESULTS_ASSET, VARIANTS, accuracy_summary, regenerate


def _seeds(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"seeds: must be whole numbers separated by commas, got {text!r}.") from None
    if not seeds or any(not 0 <= seed < 2**32 for seed in seeds):
        raise ValueError(f"seeds: must be one or more whole numbers from 0 to 2^32 - 1, got {text!r}.")
    return seeds


def run_train(args: argparse.Namespace) -> int:
    results = regenerate(VARIANTS, _seeds(args.seeds), path=Path(args.out))
    summary = accuracy_summary(results)
    if args.json:
        print_json({"out": str(args.out), "runs": len(results["runs"]), "accuracy": [row.as_row() for row in summary]})
    else:
        print(f"wrote {args.out}: {len(results['runs'])} runs")
        for row in summary:
            print(f"  {row.network}: {row.mean}% ± {row.std} over {row.seeds} seeds")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("papers", help="regenerate the papers pages' digits experiments")
    commands = parser.add_subparsers(dest="papers_command", required=True, parser_class=type(parser))
    train = commands.add_parser("train", help="retrain every run of the linear-bottleneck and dead-kernel experiments")
    train.add_argument("--out", default=str(RESULTS_ASSET), help=f"JSON file to write (default {RESULTS_ASSET.name})")
    train.add_argument("--seeds", default=",".join(map(str, DEFAULT_SEEDS)), help="comma-separated seeds (default 0-4)")
    train.add_argument("--json", action="store_true", help="print one JSON object")
    train.set_defaults(func=run_train)
