"""``python -m explorer digits train|evaluate``: the small trained MBConv network on digits.

``train`` reproduces the shipped weights (same seed, same split, deterministic algorithms,
one thread); ``evaluate`` reports the held-out accuracy of a weights file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explorer.cli.main import print_json
from explorer.demos.digits import (
    DEFAULT_EPOCHS,
    DEFAULT_SEED,
    DEFAULT_WEIGHTS,
    EpochLog,
    evaluate,
    load_trained,
    save_weights,
    train_digits,
    weights_target,
)


def _print_epoch(log: EpochLog) -> None:
    print(
        f"epoch {log.epoch:>3}/{log.epochs}  loss {log.loss:.4f}  train acc {log.train_accuracy:.4f}  "
        f"held-out acc {log.test_accuracy:.4f}  {log.seconds:6.1f} s",
        file=sys.stderr,
    )


def run_train(args: argparse.Namespace) -> int:
    weights_target(Path(args.out))
    model, log = train_digits(epochs=args.epochs, seed=args.seed, progress=None if args.quiet else _print_epoch)
    metadata = save_weights(model, log, args.seed, Path(args.out))
    summary = {key: metadata[key] for key in ("accuracy", "correct", "n_test", "epochs", "seed", "train_seconds")}
    if args.json:
        print_json(summary | {"weights": str(args.out)})
    else:
        print(f"held-out accuracy {summary['accuracy']:.4f} ({summary['correct']}/{summary['n_test']}), "
              f"{summary['train_seconds']} s; weights written to {args.out}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    model, metadata = load_trained(Path(args.weights))
    result = evaluate(model) | {"weights": str(args.weights), "seed": metadata.get("seed"), "epochs": metadata.get("epochs")}
    if args.json:
        print_json(result)
    else:
        print(f"held-out accuracy {result['accuracy']:.4f} ({result['correct']}/{result['n_test']}) for {args.weights}")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("digits", help="train or evaluate the small MBConv network on scikit-learn digits")
    commands = parser.add_subparsers(dest="digits_command", required=True, parser_class=type(parser))
    train = commands.add_parser("train", help="train reproducibly and write safetensors weights + JSON metadata")
    train.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS, help=f"epochs (default {DEFAULT_EPOCHS})")
    train.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    train.add_argument("--out", default=str(DEFAULT_WEIGHTS), help="weights file (.safetensors); metadata goes beside it")
    train.add_argument("--quiet", action="store_true", help="no per-epoch progress on stderr")
    train.add_argument("--json", action="store_true", help="print one JSON object")
    train.set_defaults(func=run_train)
    evaluate_parser = commands.add_parser("evaluate", help="held-out accuracy of a weights file")
    evaluate_parser.add_argument("--weights", default=str(DEFAULT_WEIGHTS), help="weights file (.safetensors)")
    evaluate_parser.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate_parser.set_defaults(func=run_evaluate)
