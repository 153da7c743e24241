"""What the "Papers' claims" pages show: linear bottleneck, dead depthwise kernels, last stage, activation speed.

Each page's content is one frozen :class:`~explorer.artifacts.base.PageArtifacts` (one field per chart
or table, plain values in ``value_field``s); views and ``python -m explorer export`` read the fields.
Papers: MobileNetV1 (https://arxiv.org/abs/1704.04861), MobileNetV2 (https://arxiv.org/abs/1801.04381),
MobileNetV3 (https://arxiv.org/abs/1905.02244).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from explorer.artifacts.base import PageArtifacts, named_layers, value_field
from explorer.demos import bottleneck_digits as digits
from explorer.demos import last_stage
from explorer.demos.activation_speed import ActivationTiming
from explorer.demos.linear_bottleneck import error_curves, random_embedding, reconstruct, relative_error, spiral
from explorer.figures.papers import (
    activation_speed_figure,
    error_curve_figure,
    kernel_norm_figure,
    last_stage_figure,
    seed_accuracy_figure,
    spiral_figure,
)
from explorer.models.activations import REGISTRY


@dataclass(frozen=True)
class LinearBottleneckArtifacts(PageArtifacts):
    """MobileNetV2 Fig. 1 recomputed, then the linear-vs-ReLU6 bottleneck ablation on digits."""

    spiral: go.Figure
    error_curves: go.Figure
    errors: pd.DataFrame
    ablation: go.Figure
    ablation_summary: pd.DataFrame
    ablation_runs: pd.DataFrame
    n: int = value_field()
    projection_error: float = value_field()
    readout_error: float = value_field()
    linear: digits.AccuracySummary = value_field()
    relu6: digits.AccuracySummary = value_field()
    verdict: str = value_field(default="")


def ablation_verdict(linear: digits.AccuracySummary, relu6: digits.AccuracySummary) -> str:
    """One sentence on the linear-minus-ReLU6 difference of mean accuracy against the larger seed std."""
    difference, spread = linear.mean - relu6.mean, max(linear.std, relu6.std)
    if abs(difference) <= spread:
        reading = "within the seed-to-seed spread: no difference this experiment can resolve"
    else:
        reading = "beyond the seed-to-seed spread, in favour of the " + ("linear" if difference > 0 else "ReLU6") + " bottleneck"
    return (f"The linear bottleneck averages {linear.mean:.2f}% against {relu6.mean:.2f}% with ReLU6 after "
            f"the projection ({difference:+.2f} points over {linear.seeds} seeds; largest std {spread:.2f}), "
            f"{reading}.")


def runs_frame(results: dict, variants: tuple[str, ...]) -> pd.DataFrame:
    """One row per stored run of ``variants``: network, seed, correct, accuracy %."""
    return pd.DataFrame([
        {"variant": run["variant"], "network": digits.VARIANT_SHORT[run["variant"]], "seed": run["seed"],
         "correct": run["correct"], "n_test": run["n_test"], "accuracy %": round(100.0 * run["correct"] / run["n_test"], 2)}
        for run in results["runs"] if run["variant"] in variants
    ])


def linear_bottleneck_artifacts(n: int, seed: int, style: str, results: dict | None = None,
                                matrices: int = 20) -> LinearBottleneckArtifacts:
    """The spiral at embedding dimension ``n`` with matrix ``seed``, the error curves and the digits ablation."""
    points, matrix = spiral(), random_embedding(n, seed)
    shown = reconstruct(points, matrix, relu=True)
    curves = pd.DataFrame(list(error_curves(matrices)))
    results = results if results is not None else digits.load_results()
    variants = ("v2_linear", "v2_relu6")
    runs = runs_frame(results, variants)
    linear, relu6 = digits.accuracy_summary(results, variants)
    return LinearBottleneckArtifacts(
        spiral=spiral_figure(points, {f"ReLU, then T⁺ (n = {n})": shown["projection"],
                                      f"ReLU, then best linear read-out (n = {n})": shown["readout"]}, n, style),
        error_curves=error_curve_figure(curves, n, style),
        errors=curves,
        ablation=seed_accuracy_figure(runs, style, "Digits: linear against ReLU6 bottleneck (same network, same seeds)"),
        ablation_summary=pd.DataFrame([linear.as_row(), relu6.as_row()]),
        ablation_runs=runs,
        n=n, projection_error=relative_error(points, shown["projection"]),
        readout_error=relative_error(points, shown["readout"]), linear=linear, relu6=relu6,
        verdict=ablation_verdict(linear, relu6),
    )


@dataclass(frozen=True)
class NearZeroCount:
    """How many depthwise kernels of one network, over all its seeds, have an L2 norm below the threshold."""

    network: str
    near_zero: int
    kernels: int

    @property
    def percent(self) -> float:
        return 100.0 * self.near_zero / self.kernels


@dataclass(frozen=True)
class DeadKernelArtifacts(PageArtifacts):
    """Depthwise-kernel norms of trained V1-style and V2-style networks, and how many are near zero."""

    norms: go.Figure
    layers: pd.DataFrame
    accuracy: go.Figure
    accuracy_summary: pd.DataFrame
    threshold: float = value_field()
    counts: tuple[NearZeroCount, ...] = value_field()  # one per network, in display order
    verdict: str = value_field(default="")


def near_zero_counts(layers: Sequence[digits.LayerKernels]) -> tuple[NearZeroCount, ...]:
    """Per network (in the order of ``layers``): near-zero and all depthwise kernels, summed over its layers."""
    networks = dict.fromkeys(layer.network for layer in layers)
    return tuple(
        NearZeroCount(network, sum(layer.near_zero for layer in layers if layer.network == network),
                      sum(layer.kernels for layer in layers if layer.network == network))
        for network in networks
    )


def dead_kernel_verdict(layers: Sequence[digits.LayerKernels], threshold: float) -> str:
    """What the per-layer table says: near-zero kernels and never-active channels per network, depth trend."""
    parts = []
    for count in near_zero_counts(layers):
        rows = [layer for layer in layers if layer.network == count.network]
        never_active = sum(layer.never_active_percent for layer in rows) / len(rows)
        parts.append(f"{count.network}: {count.near_zero} of {count.kernels:,} kernels below {threshold:g} "
                     f"({count.percent:.2f}%), {never_active:.2f}% of channels never active per layer on average, "
                     f"median norm {rows[0].median_norm:.3f} in the first depthwise layer and {rows[-1].median_norm:.3f} "
                     "in the last")
    return "; ".join(parts) + "."


def norms_frame(results: dict, variants: tuple[str, ...]) -> pd.DataFrame:
    """One row per depthwise kernel of every stored run of ``variants``."""
    return pd.DataFrame([
        {"network": digits.VARIANT_LABELS[run["variant"]], "seed": run["seed"], "layer": layer["layer"], "norm": norm}
        for run in results["runs"] if run["variant"] in variants for layer in run["layers"] for norm in layer["norms"]
    ])


def dead_kernel_artifacts(threshold: float, style: str, results: dict | None = None) -> DeadKernelArtifacts:
    """Norm distributions, per-layer shares below ``threshold`` and the accuracy of both networks."""
    if not 0 < threshold < 10:
        raise ValueError(f"threshold: must be a norm between 0 and 10 (exclusive), got {threshold!r}.")
    results = results if results is not None else digits.load_results()
    variants = ("v1", "v2_linear")
    norms = norms_frame(results, variants)
    layers = digits.dead_kernel_summary(results, threshold, variants)
    return DeadKernelArtifacts(
        norms=kernel_norm_figure(norms, threshold, style),
        layers=named_layers(pd.DataFrame([layer.as_row() for layer in layers])),
        accuracy=seed_accuracy_figure(runs_frame(results, variants), style, "Held-out accuracy of the two networks"),
        accuracy_summary=pd.DataFrame([summary.as_row() for summary in digits.accuracy_summary(results, variants)]),
        threshold=threshold, counts=near_zero_counts(layers), verdict=dead_kernel_verdict(layers, threshold),
    )


@dataclass(frozen=True)
class LastStageArtifacts(PageArtifacts):
    """The two last-stage designs of MobileNetV3-Large side by side, and their layers."""

    comparison: go.Figure
    totals: pd.DataFrame
    layers: pd.DataFrame
    saved_macs: int = value_field()
    saved_params: int = value_field()
    saved_ms: float | None = value_field(default=None)
    saved_share: float | None = value_field(default=None)
    saved_stage_ms: float | None = value_field(default=None)


def _stage_layers(design: str, report, parts: tuple[str, ...]) -> list[dict]:
    return [
        {"design": design, "layer": layer.name, "type": layer.type, "input": "x".join(map(str, layer.input_shape or ())),
         "output": "x".join(map(str, layer.output_shape or ())), "params": layer.params, "MACs": layer.macs}
        for layer in report.layers if layer.name.split(".")[0] in parts
        or any(layer.name.startswith(part + ".") for part in parts)
    ]


@dataclass(frozen=True)
class LastStageDesign:
    """One of the two networks: its totals, its last stage's and, when measured, its latency."""

    design: str
    params: int
    macs: int
    stage_params: int
    stage_macs: int
    timing: last_stage.StageTiming | None = None

    def as_row(self) -> dict:
        """One row of the totals table (latency NaN when not measured)."""
        timing = self.timing
        return {
            "design": self.design, "params": self.params, "MACs": self.macs, "last stage params": self.stage_params,
            "last stage MACs": self.stage_macs, "latency ms": timing.median_ms if timing else float("nan"),
            "latency ms per round": ", ".join(f"{value:.2f}" for value in timing.network_ms) if timing else "",
            "last stage ms": timing.last_stage_ms if timing else float("nan"),
        }


def last_stage_artifacts(style: str, timings: dict[str, last_stage.StageTiming] | None = None) -> LastStageArtifacts:
    """Counts of both networks (and their last stages); measured latency where ``timings`` are given."""
    designs, layers = [], []
    for design, table in (("original", last_stage.original_table()), ("efficient", last_stage.efficient_table())):
        report, parts = last_stage.count(table), last_stage.last_stage_parts(table, design == "original")
        stage_params, stage_macs = last_stage.part_totals(report, parts)
        timing = timings.get(design) if timings else None
        designs.append(LastStageDesign(design, report.params, report.macs, stage_params, stage_macs, timing))
        layers += _stage_layers(design, report, parts)
    original, efficient = designs
    totals = pd.DataFrame([design.as_row() for design in designs])
    measured = original.timing is not None and efficient.timing is not None
    saved_ms = original.timing.median_ms - efficient.timing.median_ms if measured else None
    return LastStageArtifacts(
        comparison=last_stage_figure(totals, style), totals=totals, layers=named_layers(pd.DataFrame(layers)),
        saved_macs=original.macs - efficient.macs, saved_params=original.params - efficient.params,
        saved_ms=saved_ms, saved_share=100.0 * saved_ms / original.timing.median_ms if measured else None,
        saved_stage_ms=original.timing.last_stage_ms - efficient.timing.last_stage_ms if measured else None,
    )


@dataclass(frozen=True)
class ActivationSpeedArtifacts(PageArtifacts):
    """Measured time per element of each activation beside the cost engine's op count."""

    speed: go.Figure
    timings: pd.DataFrame


def activation_speed_artifacts(timings: list[ActivationTiming], style: str) -> ActivationSpeedArtifacts:
    """Chart and table from measured ``timings`` (ReLU is the 1x reference)."""
    if not timings:
        raise ValueError("timings: nothing measured yet.")
    relu = next((t.ns_per_element for t in timings if t.name == "relu"), timings[0].ns_per_element)
    frame = pd.DataFrame([
        {"activation": REGISTRY[t.name].label, "name": t.name, "formula": REGISTRY[t.name].formula,
         "ops per element": t.ops_per_element, "ops counted": REGISTRY[t.name].ops_note,
         "ns per element": round(t.ns_per_element, 4), "IQR ns": round(t.iqr_ns_per_element, 4),
         "q1 ns": round(t.quartiles_ns_per_element[0], 4), "q3 ns": round(t.quartiles_ns_per_element[1], 4),
         "x ReLU (measured)": round(t.ns_per_element / relu, 2),
         "x ReLU (ops)": t.ops_per_element / REGISTRY["relu"].ops_per_element,
         "elements": t.elements, "runs": t.latency.runs, "threads": t.latency.threads}
        for t in timings
    ])
    return ActivationSpeedArtifacts(activation_speed_figure(frame, style), frame)
