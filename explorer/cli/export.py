"""``python -m explorer export block|network ...``: every chart and table of a view, written to files.

``export block KIND [block options]`` takes the flags of ``python -m explorer block``;
``export network NAME [network options]`` those of ``python -m explorer network``;
``export linear-bottleneck|dead-kernels|last-stage`` the papers' claims pages that need no measurement.

The files are the ones the app's "Export all" ZIP holds, made by the same library
functions (:func:`explorer.artifacts.blocks.block_artifacts`, :func:`explorer.artifacts.networks.network_artifacts`,
whose :meth:`~explorer.artifacts.base.PageArtifacts.exports` names the files) and the same exporters (:mod:`explorer.export`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from explorer.cli.block import add_block_options, spec_from_args
from explorer.cli.network import add_network_options, network_spec_from_args
from explorer.export import bundles, models, render
from explorer.export.decks import DeckInfo
from explorer.export.formats import DECK_FORMATS, FIGURE_FORMATS, STATIC_FORMATS, TABLE_FORMATS
from explorer.figures.style import STYLES
from explorer.files import write_atomic
from explorer.formatting import COST_UNITS

DEFAULT_FORMATS = "png,csv"


def _add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="directory to write into (created if missing)")
    parser.add_argument(
        "--formats", default=DEFAULT_FORMATS,
        help=f"comma-separated, from {','.join(FIGURE_FORMATS + TABLE_FORMATS + DECK_FORMATS)} (default {DEFAULT_FORMATS}); "
             "pptx is one PowerPoint deck of the whole view",
    )
    parser.add_argument("--style", choices=sorted(STYLES), default="slide", help="figure style (default slide)")
    parser.add_argument("--scale", type=float, default=1.0, help="PNG size: 1 = 1920 x 1080 pixels (default 1)")
    parser.add_argument("--model", action="store_true", help="also write the rebuild snippet (.py), structure (.txt) and ONNX")


def _check_formats(text: str) -> list[str]:
    formats = bundles.parse_formats(text)
    static = [fmt for fmt in formats if fmt in STATIC_FORMATS + DECK_FORMATS]
    if static and not render.static_export_available():
        raise ValueError(f"formats: {', '.join(static)} need Chromium. {render.INSTALL_HINT}")
    return formats


def _output_dir(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise ValueError(f"out: {str(path)!r} exists and is not a directory.")
    return path


def write_plan(plan: Mapping[str, Callable[[], bytes]], out: Path) -> list[Path]:
    """Produce every file of ``plan`` into ``out``, printing each path and size as it is written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, produce in plan.items():
        path = write_atomic(out / name, produce())
        print(f"wrote {path}  ({path.stat().st_size:,} bytes)")
        written.append(path)
    return written


def _prefixed(artifacts: Mapping[str, go.Figure | pd.DataFrame], prefix: str) -> dict[str, go.Figure | pd.DataFrame]:
    """Names that say what they show: ``layers`` of EfficientNet-B0 becomes ``efficientnet_b0_224_layers``."""
    return {name if name.startswith(prefix) else f"{prefix}_{name}": artifact for name, artifact in artifacts.items()}


def export_view(
    artifacts: Mapping[str, go.Figure | pd.DataFrame], args: argparse.Namespace, spec: models.Model | None,
    deck: DeckInfo | None = None,
) -> int:
    """Write ``artifacts`` (and ``spec``'s model files if ``--model``) in the chosen formats; print a summary.

    ``spec`` is None for a view that shows no single model (activations, drop connect, ...); its deck is
    captioned by ``deck``. With ``--model`` the ONNX export's memory is checked before any file is written.
    """
    formats = _check_formats(args.formats)
    out = _output_dir(args.out)
    if getattr(args, "model", False) and spec is None:
        raise ValueError("model: this view shows no single block or network to export; leave out --model.")
    if getattr(args, "model", False):
        models.check_onnx_fits(spec)
    deck = models.model_deck(spec) if spec is not None else deck
    files = models.model_files(spec) if getattr(args, "model", False) else {}
    plan = bundles.export_plan(artifacts, formats, scale=args.scale, deck=deck) | files
    if not plan:
        raise ValueError(f"formats: none of {', '.join(formats)} applies to this view's charts and tables.")
    written = write_plan(plan, out)
    print(f"{len(written)} files in {out}")
    return 0


def run_export_block(args: argparse.Namespace) -> int:
    from explorer.artifacts.blocks import block_artifacts, sweep_parameters

    spec = spec_from_args(args)
    if args.sweep is not None and args.sweep not in sweep_parameters(spec):
        raise ValueError(f"sweep: must be one of {', '.join(sweep_parameters(spec))} for {spec.kind}, got {args.sweep!r}.")
    render.check_scale(args.scale)
    artifacts = block_artifacts(spec, args.style, args.sweep, args.log, args.unit).exports()
    return export_view(artifacts, args, spec)


def _add_block_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("block", help="every chart and table of the Blocks view for one block")
    add_block_options(parser)
    _add_common_options(parser)
    parser.add_argument("--sweep", default=None, help="hyperparameter the sweep chart varies (default: the kind's first)")
    parser.add_argument("--unit", choices=list(COST_UNITS), default="MACs", help="cost unit of the charts (default MACs)")
    parser.add_argument("--log", action="store_true", help="log-scale cost axes")
    parser.set_defaults(func=run_export_block)


def run_export_network(args: argparse.Namespace) -> int:
    from explorer.artifacts.networks import network_artifacts

    spec = network_spec_from_args(args)
    render.check_scale(args.scale)
    if args.name == "custom":
        from explorer.artifacts.design import design_artifacts

        return export_view(design_artifacts(spec, None, args.style).exports(), args, spec)
    artifacts = _prefixed(network_artifacts(spec, args.style).exports(), models.model_stem(spec))
    return export_view(artifacts, args, spec)


def _add_network_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("network", help="every chart and table of the Networks view for one network")
    add_network_options(parser)
    _add_common_options(parser)
    parser.set_defaults(func=run_export_network)


def run_export_paper_page(args: argparse.Namespace) -> int:
    from explorer.artifacts import papers

    render.check_scale(args.scale)
    if args.target == "linear-bottleneck":
        artifacts = papers.linear_bottleneck_artifacts(args.n, args.seed, args.style)
    elif args.target == "dead-kernels":
        artifacts = papers.dead_kernel_artifacts(args.threshold, args.style)
    else:
        artifacts = papers.last_stage_artifacts(args.style)
    deck = DeckInfo(args.target.replace("-", " ").capitalize(), "The papers' claims, as this project shows them",
                    name=args.target.replace("-", "_"))
    return export_view(_prefixed(artifacts.exports(), args.target.replace("-", "_")), args, None, deck)


def _add_paper_parsers(subparsers: argparse._SubParsersAction) -> None:
    """The papers' claims pages whose content needs no measurement: linear bottleneck, dead kernels, last stage."""
    for target, text in (("linear-bottleneck", "the Linear bottleneck page (spiral at --n, digits ablation)"),
                         ("dead-kernels", "the Dead depthwise kernels page"),
                         ("last-stage", "the Last stage page (counts; latency is measured in the app)")):
        parser = subparsers.add_parser(target, help=f"every chart and table of {text}")
        _add_common_options(parser)
        if target == "linear-bottleneck":
            parser.add_argument("--n", type=int, default=3, help="embedding dimension, 2 to 30 (default 3)")
            parser.add_argument("--seed", type=int, default=0, help="random matrix seed (default 0)")
        if target == "dead-kernels":
            parser.add_argument("--threshold", type=float, default=1e-2, help="near-zero L2 norm (default 0.01)")
        parser.set_defaults(func=run_export_paper_page)


def _page_deck(args: argparse.Namespace, title: str, settings: str) -> DeckInfo:
    return DeckInfo(title, settings, name=args.target.replace("-", "_"))


def run_export_scaling(args: argparse.Namespace) -> int:
    from explorer.artifacts.scaling import scaling_artifacts
    from explorer.models.networks.tables import network_spec

    render.check_scale(args.scale)
    spec = network_spec("efficientnet", phi=args.phi, alpha=args.alpha, beta=args.beta, gamma=args.gamma)
    settings = f"phi {spec.phi:g}, alpha {spec.alpha:g}, beta {spec.beta:g}, gamma {spec.gamma:g}"
    return export_view(scaling_artifacts(spec, args.style).exports(), args, None,
                       _page_deck(args, "EfficientNet compound scaling", settings))


def run_export_activations(args: argparse.Namespace) -> int:
    from explorer.demos.activations import DEFAULT_CURVES, activation_artifacts

    render.check_scale(args.scale)
    functions = tuple(name.strip() for name in args.functions.split(",")) if args.functions else DEFAULT_CURVES
    shown = activation_artifacts(args.x_min, args.x_max, args.beta, args.derivative, functions, style=args.style)
    settings = f"x from {args.x_min:g} to {args.x_max:g}, beta {args.beta:g}" + (", derivatives" if args.derivative else "")
    return export_view(shown.exports(), args, None, _page_deck(args, "Activation functions", settings))


def run_export_se_weights(args: argparse.Namespace) -> int:
    from explorer.demos.se import sample_photo, se_block_artifacts, synthetic_pattern

    render.check_scale(args.scale)
    spec = spec_from_args(args)
    image = sample_photo(args.photo) if args.photo else synthetic_pattern(args.pattern)
    shown = se_block_artifacts(spec, image, args.order, seed=args.seed, style=args.style)
    source = f"photo {args.photo}" if args.photo else f"pattern {args.pattern}"
    deck = _page_deck(args, "SE channel weights", f"{models.model_configuration(spec)}; input: {source}")
    return export_view(shown.exports(), args, None, deck)


def run_export_drop_connect(args: argparse.Namespace) -> int:
    from explorer.demos.drop_connect import dropconnect_artifacts

    render.check_scale(args.scale)
    shown = dropconnect_artifacts(args.name, args.p, args.samples, args.repeats, args.seed, args.style)
    settings = f"{args.name}, drop rate {args.p:g}, {args.samples} samples x {args.repeats} passes"
    return export_view(shown.exports(), args, None, _page_deck(args, "Drop connect", settings))


def run_export_latency(args: argparse.Namespace) -> int:
    from explorer.analysis.measurements import measure_block_results
    from explorer.artifacts.measure import block_measure_artifacts

    render.check_scale(args.scale)
    spec = spec_from_args(args)
    results = measure_block_results(spec, args.budget)
    return export_view(block_measure_artifacts(results, args.style).exports(), args, spec)


def _add_page_parsers(subparsers: argparse._SubParsersAction) -> None:
    """The other pages: compound scaling, activations, SE channel weights, drop connect, latency (measured)."""
    scaling = subparsers.add_parser("scaling", help="every chart and table of the Compound-scaling page")
    for name, default in (("phi", 1.0), ("alpha", 1.2), ("beta", 1.1), ("gamma", 1.15)):
        scaling.add_argument(f"--{name}", type=float, default=default, help=f"default {default:g}")
    scaling.set_defaults(func=run_export_scaling)
    activations = subparsers.add_parser("activations", help="every chart and table of the Activation functions page")
    activations.add_argument("--x-min", dest="x_min", type=float, default=-6.0)
    activations.add_argument("--x-max", dest="x_max", type=float, default=6.0)
    activations.add_argument("--beta", type=float, default=1.0, help="swish's beta (default 1)")
    activations.add_argument("--derivative", action="store_true", help="draw derivatives instead of values")
    activations.add_argument("--functions", default=None,
                             help="comma-separated curves of the first chart, from relu, relu6, sigmoid, hsigmoid, swish, "
                                  "hswish, gelu, mish (default relu,relu6,swish,hswish)")
    activations.set_defaults(func=run_export_activations)
    se = subparsers.add_parser("se-weights", help="every chart and table of the SE channel weights page")
    add_block_options(se)
    se.add_argument("--photo", default="china.jpg", help="scikit-learn sample photo (china.jpg, flower.jpg; '' for a pattern)")
    se.add_argument("--pattern", default="stripes", help="stripes, checkerboard or noise (with --photo '')")
    se.add_argument("--order", choices=("channel", "sorted"), default="channel")
    se.add_argument("--seed", type=int, default=0)
    se.set_defaults(func=run_export_se_weights)
    drop = subparsers.add_parser("drop-connect", help="every chart and table of the Drop connect page")
    drop.add_argument("--name", default="efficientnet_b0", help="an EfficientNet (default efficientnet_b0)")
    drop.add_argument("--p", type=float, default=0.2, help="drop-connect probability of the demo block (default 0.2)")
    drop.add_argument("--samples", type=int, default=16)
    drop.add_argument("--repeats", type=int, default=50)
    drop.add_argument("--seed", type=int, default=0)
    drop.set_defaults(func=run_export_drop_connect)
    latency = subparsers.add_parser("latency", help="measure one block and write the Latency & memory charts and tables")
    add_block_options(latency)
    latency.add_argument("--budget", type=float, default=4.0, help="measurement time budget in seconds (default 4)")
    latency.set_defaults(func=run_export_latency)
    for parser in (scaling, activations, se, drop, latency):
        _add_common_options(parser)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="write every chart and table of a view to files (PNG, SVG, PDF, CSV, ...)")
    targets = parser.add_subparsers(dest="target", required=True, parser_class=type(parser))
    _add_block_parser(targets)
    _add_network_parser(targets)
    _add_paper_parsers(targets)
    _add_page_parsers(targets)
