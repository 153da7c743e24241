"""Activation functions as curves: values, derivatives, approximation errors and cost.

Every curve is computed with PyTorch's own implementation (``torch.nn.functional``) and
every derivative by autograd, so what is drawn is what the networks compute.

Papers: ReLU6 and the linear bottleneck, MobileNetV2 (https://arxiv.org/abs/1801.04381);
swish x·σ(βx), Ramachandran et al. 2017 (https://arxiv.org/abs/1710.05941); hard-sigmoid
and h-swish, MobileNetV3 (https://arxiv.org/abs/1905.02244); GELU, Hendrycks & Gimpel 2016
(https://arxiv.org/abs/1606.08415); Mish, Misra 2019 (https://arxiv.org/abs/1908.08681);
sigmoid SE gate, SENet (https://arxiv.org/abs/1709.01507).

Closed forms used by the tests: hard-sigmoid(x) = ReLU6(x + 3) / 6 and sigmoid differ
most where σ'(x) = 1/6, i.e. at x = ±ln((1 + 1/√3) / (1 - 1/√3)) ≈ ±1.317 (error ≈ 0.0692);
h-swish(x) - swish(x) = x·(hard-sigmoid(x) - σ(x)) is even and largest at x = ±3, where
it equals 3 / (1 + e³) ≈ 0.1423.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from explorer.artifacts.base import PageArtifacts, value_field
from explorer.figures.style import apply_style, color
from explorer.models.activations import DRAWN, REGISTRY, Activation

MAX_POINTS = 20001
MAX_RANGE = 100.0
BETA_RANGE = (0.1, 10.0)


ACTIVATION_CURVES: dict[str, Activation] = {name: REGISTRY[name] for name in DRAWN}
"""The activations this page draws, from the one registry (:mod:`explorer.models.activations`)."""

APPROXIMATIONS: tuple[tuple[str, str], ...] = (("swish", "hswish"), ("sigmoid", "hsigmoid"))

DEFAULT_CURVES: tuple[str, ...] = ("relu", "relu6", "swish", "hswish")
"""The curves drawn unless others are chosen: the activations of MobileNetV1, V2, EfficientNet and V3 (the
sigmoid gates and their hard versions have a chart of their own). Eight curves at once are a tangle."""

DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "2px,6px", "12px,4px,2px,4px")
"""One dash pattern per curve, so that curves which coincide (ReLU and ReLU6 below x = 6) stay told apart."""


def _check_range(x_min: float, x_max: float) -> None:
    if not -MAX_RANGE <= x_min < x_max <= MAX_RANGE:
        raise ValueError(f"x_min, x_max: need -{MAX_RANGE:g} <= x_min < x_max <= {MAX_RANGE:g}, got {x_min!r}, {x_max!r}.")


def _check_grid(x_min: float, x_max: float, points: int) -> None:
    _check_range(x_min, x_max)
    if isinstance(points, bool) or not isinstance(points, int) or not 3 <= points <= MAX_POINTS:
        raise ValueError(f"points: must be a whole number from 3 to {MAX_POINTS}, got {points!r}.")


def _check_beta(beta: float) -> None:
    if not BETA_RANGE[0] <= float(beta) <= BETA_RANGE[1]:
        raise ValueError(f"beta: must be from {BETA_RANGE[0]:g} to {BETA_RANGE[1]:g}, got {beta!r}.")


def _check_names(names: tuple[str, ...]) -> None:
    unknown = [name for name in names if name not in ACTIVATION_CURVES]
    if unknown or not names:
        raise ValueError(f"functions: choose at least one of {', '.join(ACTIVATION_CURVES)}; got {list(names)!r}.")


@dataclass(frozen=True)
class CurveSettings:
    """What the page draws: the x range, swish's beta and whether to draw derivatives (checked on creation)."""

    x_min: float = -6.0
    x_max: float = 6.0
    beta: float = 1.0
    derivative: bool = False

    def __post_init__(self) -> None:
        _check_range(self.x_min, self.x_max)
        _check_beta(self.beta)


def evaluate(name: str, x: torch.Tensor, beta: float = 1.0, derivative: bool = False) -> torch.Tensor:
    """Values (or autograd derivative) of activation ``name`` at ``x``, float64."""
    _check_names((name,))
    _check_beta(beta)
    points = x.detach().to(torch.float64).clone().requires_grad_(derivative)
    values = ACTIVATION_CURVES[name].curve(points, float(beta))
    if not derivative:
        return values.detach()
    (grad,) = torch.autograd.grad(values.sum(), points)
    return grad


def curves(
    x_min: float = -6.0, x_max: float = 6.0, beta: float = 1.0, derivative: bool = False,
    functions: tuple[str, ...] = tuple(ACTIVATION_CURVES), points: int = 1201,
) -> pd.DataFrame:
    """A table with column ``x`` and one column per activation (values or derivatives)."""
    _check_grid(x_min, x_max, points)
    _check_names(tuple(functions))
    x = torch.linspace(x_min, x_max, points, dtype=torch.float64)
    columns = {"x": x.numpy()} | {name: evaluate(name, x, beta, derivative).numpy() for name in functions}
    return pd.DataFrame(columns)


def _peak_locations(x: np.ndarray, error: np.ndarray, peak: float) -> list[float]:
    """Centre of every run of grid points whose |error| is within 1e-9 of the peak."""
    at_peak = np.flatnonzero(error >= peak - 1e-9 * max(peak, 1.0))
    runs = np.split(at_peak, np.flatnonzero(np.diff(at_peak) > 1) + 1)
    return [float(x[run].mean()) for run in runs if run.size]


def approximation_error(
    exact: str, approx: str, x_min: float = -6.0, x_max: float = 6.0, beta: float = 1.0, points: int = 12001,
) -> dict[str, object]:
    """Largest |approx - exact| on a grid and every x where it occurs.

    Returns a dict with ``x`` and ``error`` (signed approx - exact, numpy arrays),
    ``max_abs_error`` and ``at_x`` (list of locations, several when the error is symmetric).
    """
    _check_grid(x_min, x_max, points)
    x = torch.linspace(x_min, x_max, points, dtype=torch.float64)
    error = (evaluate(approx, x, beta) - evaluate(exact, x, beta)).numpy()
    peak = float(np.abs(error).max())
    grid = x.numpy()
    return {"x": grid, "error": error, "max_abs_error": peak, "at_x": _peak_locations(grid, np.abs(error), peak)}


def cost_table(beta: float = 1.0) -> pd.DataFrame:
    """Per-element cost (the registry's ``ops_per_element``, as the cost engine counts it) and where each activation is used."""
    _check_beta(beta)
    rows = []
    for act in ACTIVATION_CURVES.values():
        ops = act.ops_per_element
        extra = act.name == "swish" and beta != 1.0
        rows.append({
            "activation": act.label,
            "formula": act.formula,
            "PyTorch": f"nn.{act.module.__name__}",
            "ops per element": ops + int(extra),
            "note": "+1 multiply for βx" if extra else "",
            "used in": act.used_in,
        })
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ApproximationError:
    """The largest |approximation - exact| of one pair over a range, and where it occurs."""

    exact: str  # label, with swish's beta
    approximation: str
    max_abs_error: float
    at_x: str  # every location, e.g. "-3.000, +3.000"
    range: str


def approximation_errors(x_min: float = -6.0, x_max: float = 6.0, beta: float = 1.0) -> tuple[ApproximationError, ...]:
    """One :class:`ApproximationError` per approximation pair (swish/h-swish, sigmoid/hard-sigmoid)."""
    errors = []
    for exact, approx in APPROXIMATIONS:
        result = approximation_error(exact, approx, x_min, x_max, beta)
        errors.append(ApproximationError(
            exact=ACTIVATION_CURVES[exact].label + (f" (β = {beta:g})" if exact == "swish" else ""),
            approximation=ACTIVATION_CURVES[approx].label,
            max_abs_error=result["max_abs_error"],
            at_x=", ".join(f"{v:+.3f}" for v in result["at_x"]),
            range=f"[{x_min:g}, {x_max:g}]",
        ))
    return tuple(errors)


def error_table(errors: tuple[ApproximationError, ...]) -> pd.DataFrame:
    """One row per approximation pair: max |error| over the range and where it occurs."""
    return pd.DataFrame([
        {"exact": e.exact, "approximation": e.approximation, "max |error|": e.max_abs_error, "at x": e.at_x, "range": e.range}
        for e in errors
    ])


def curves_figure(frame: pd.DataFrame, style: str, derivative: bool = False, beta: float = 1.0) -> go.Figure:
    """Every activation column of ``frame`` (from :func:`curves`) as a line, each with its own colour and dash.

    Where two curves coincide they overlap, so each has its own dash pattern (the later one, drawn on top, is
    dashed over the earlier one) and one that equals an earlier curve over the whole range says so in the legend:
    on [-6, 6] ReLU6 is ReLU, ``ReLU6 (= ReLU on this range)``.
    """
    fig = go.Figure()
    names = [c for c in frame.columns if c != "x"]
    for index, name in enumerate(names):
        label = ACTIVATION_CURVES[name].label + (f" β={beta:g}" if name == "swish" else "")
        same = next((ACTIVATION_CURVES[other].label for other in names[:index]
                     if np.allclose(frame[name], frame[other], rtol=0.0, atol=1e-9)), None)
        if same is not None:
            label += f" (= {same} on this range)"
        fig.add_trace(go.Scatter(x=frame["x"], y=frame[name], mode="lines", name=label,
                                 line={"color": color(style, index), "dash": DASHES[index % len(DASHES)]}))
    what = "derivative f′(x) (autograd)" if derivative else "f(x)"
    fig.update_xaxes(title_text="x")
    fig.update_yaxes(title_text=what)
    return apply_style(fig, style, f"Activation functions: {what}")


def approximation_figure(exact: str, approx: str, style: str, x_min: float, x_max: float, beta: float = 1.0) -> go.Figure:
    """Top: exact and approximation; bottom: signed error with the largest |error| marked."""
    result = approximation_error(exact, approx, x_min, x_max, beta)
    x = torch.as_tensor(result["x"])
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.08)
    for index, name in enumerate((exact, approx)):
        fig.add_trace(go.Scatter(x=result["x"], y=evaluate(name, x, beta).numpy(), mode="lines",
                                 name=ACTIVATION_CURVES[name].label, line={"color": color(style, index)}), row=1, col=1)
    fig.add_trace(go.Scatter(x=result["x"], y=result["error"], mode="lines", name="approximation − exact",
                             line={"color": color(style, 3)}), row=2, col=1)
    peaks = result["at_x"]
    error_at = np.interp(peaks, result["x"], result["error"])
    where = ", ".join(f"{v:+.2f}" for v in peaks)
    label = f"max |error| {result['max_abs_error']:.4f} at x = {where}"
    fig.add_trace(go.Scatter(x=peaks, y=error_at, mode="markers", name=label,
                             marker={"color": color(style, 3), "symbol": "x"}), row=2, col=1)
    fig.update_yaxes(title_text="f(x)", row=1, col=1)
    fig.update_yaxes(title_text="error", row=2, col=1)
    fig.update_xaxes(title_text="x", row=2, col=1)
    fig = apply_style(fig, style, f"{ACTIVATION_CURVES[approx].label} vs {ACTIVATION_CURVES[exact].label}")
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0})
    return fig


@dataclass(frozen=True)
class ActivationArtifacts(PageArtifacts):
    """What the "Activation functions" page shows, in page order."""

    approximations: tuple[ApproximationError, ...] = value_field()
    activation_curves: go.Figure
    swish_vs_hswish: go.Figure
    sigmoid_vs_hsigmoid: go.Figure
    approximation_errors: pd.DataFrame
    activation_costs: pd.DataFrame
    activation_values: pd.DataFrame


def activation_artifacts(
    x_min: float = -6.0, x_max: float = 6.0, beta: float = 1.0, derivative: bool = False,
    functions: tuple[str, ...] = DEFAULT_CURVES, style: str = "screen",
) -> ActivationArtifacts:
    """Everything the "Activation functions" page shows; ``functions`` are the curves of the first chart
    (and the columns of the values table)."""
    frame = curves(x_min, x_max, beta, derivative, tuple(functions))
    errors = approximation_errors(x_min, x_max, beta)
    return ActivationArtifacts(
        approximations=errors,
        activation_curves=curves_figure(frame, style, derivative, beta),
        swish_vs_hswish=approximation_figure("swish", "hswish", style, x_min, x_max, beta),
        sigmoid_vs_hsigmoid=approximation_figure("sigmoid", "hsigmoid", style, x_min, x_max, beta),
        approximation_errors=error_table(errors),
        activation_costs=cost_table(beta),
        activation_values=frame,
    )
