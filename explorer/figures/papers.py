"""Figures of the pages that test the papers' claims: data in, plotly Figure out, style passed explicitly.

Linear bottleneck and dead depthwise kernels: MobileNetV2 (https://arxiv.org/abs/1801.04381) and
MobileNetV1 (https://arxiv.org/abs/1704.04861); last stage and h-swish: MobileNetV3
(https://arxiv.org/abs/1905.02244).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from explorer.figures.labels import wrapped
from explorer.figures.style import apply_style, color, get_style, require_columns
from explorer.formatting import layer_label, short_count

METHOD_LABELS = {"projection": "T⁺ projection (the paper's Fig. 1)", "readout": "best linear read-out"}


def spiral_figure(points: np.ndarray, reconstructions: dict[str, np.ndarray], n: int, style: str) -> go.Figure:
    """The input spiral and each reconstruction side by side, coloured by position along the curve.

    Points that collapse onto each other share a place but keep their colour, so a lost arm shows.
    """
    if points.ndim != 2 or points.shape[0] != 2:
        raise ValueError(f"points: must have shape (2, N), got {points.shape}.")
    panels = {"input spiral (2-D)": points, **reconstructions}
    fig = make_subplots(rows=1, cols=len(panels), horizontal_spacing=0.05)
    position = np.linspace(0.0, 1.0, points.shape[1])
    limit = 1.15 * float(np.abs(points).max())
    for col, estimate in enumerate(panels.values(), start=1):
        fig.add_scatter(
            x=estimate[0], y=estimate[1], mode="markers", showlegend=False, row=1, col=col,
            marker={"color": position, "colorscale": "Viridis", "size": max(4, get_style(style).marker_size // 2)},
            hovertemplate="(%{x:.2f}, %{y:.2f})<extra></extra>",
        )
        # each panel is named under it, on two short lines: a name above a third of the width would not fit
        fig.update_xaxes(range=[-limit, limit], row=1, col=col, constrain="domain", title=wrapped(list(panels)[col - 1], 24))
        fig.update_yaxes(range=[-limit, limit], row=1, col=col, scaleanchor=f"x{col if col > 1 else ''}")
    return apply_style(fig, style, f"ReLU(T x) with T random, n = {n}, projected back to 2-D")


def error_curve_figure(curves: pd.DataFrame, n: int, style: str) -> go.Figure:
    """Mean relative reconstruction error against n, with and without ReLU; band = ± one std over matrices."""
    require_columns(curves, ["n", "relu", "method", "mean error", "std"], "curves")
    fig = go.Figure()
    for index, ((relu, method), rows) in enumerate(curves.groupby(["relu", "method"], sort=False)):
        name = f"{'ReLU' if relu else 'no ReLU'}: {METHOD_LABELS[method]}"
        line = {"color": color(style, index), "dash": "solid" if relu else "dot"}
        upper, lower = rows["mean error"] + rows["std"], (rows["mean error"] - rows["std"]).clip(lower=0)
        fig.add_scatter(x=[*rows["n"], *rows["n"][::-1]], y=[*upper, *lower[::-1]], fill="toself", mode="lines",
                        line={"width": 0}, fillcolor=color(style, index), opacity=0.15, hoverinfo="skip", showlegend=False)
        fig.add_scatter(x=rows["n"], y=rows["mean error"], mode="lines+markers", name=name, line=line,
                        hovertemplate="n = %{x}: %{y:.4f}<extra>" + name + "</extra>")
    fig.add_vline(x=n, line_dash="dash", line_color="#666", annotation_text=f"n = {n}")
    fig.update_xaxes(title="embedding dimension n")
    fig.update_yaxes(title="relative error ||X − X̂|| / ||X||", rangemode="tozero")
    fig.update_layout(legend={"orientation": "h", "y": -0.3})
    styled = apply_style(fig, style, "Reconstruction error against n (mean over random matrices)")
    styled.update_layout(height=get_style(style).height + 60)
    return styled


def seed_accuracy_figure(runs: pd.DataFrame, style: str, title: str) -> go.Figure:
    """Held-out accuracy of every seed per network: the seeds as points beside a box with mean ± std (dashed)."""
    require_columns(runs, ["network", "seed", "accuracy %"], "runs")
    fig = go.Figure()
    for index, (network, rows) in enumerate(runs.groupby("network", sort=False)):
        fig.add_box(
            y=rows["accuracy %"], name=network, marker_color=color(style, index), boxpoints="all", jitter=0.3,
            pointpos=-1.6, boxmean="sd", text=[f"seed {s}" for s in rows["seed"]], showlegend=False,
            hovertemplate="%{text}: %{y:.2f}%<extra>" + network + "</extra>",
        )
    fig.update_yaxes(title="held-out accuracy, % (360 digits)")
    fig.update_xaxes(title="box: quartiles; dashed: mean ± std over seeds")
    return apply_style(fig, style, title)


def kernel_norm_figure(norms: pd.DataFrame, threshold: float, style: str) -> go.Figure:
    """Box plots of depthwise-kernel L2 norms per layer for each network (log y), the threshold dashed."""
    require_columns(norms, ["network", "layer", "norm"], "norms")
    fig = go.Figure()
    for index, (network, rows) in enumerate(norms.groupby("network", sort=False)):
        fig.add_box(x=[layer_label(layer) for layer in rows["layer"]], y=rows["norm"], name=network,
                    marker_color=color(style, index), boxpoints="outliers",
                    hovertemplate="%{x}: norm %{y:.4f}<extra>" + network + "</extra>")
    fig.add_hline(y=threshold, line_dash="dash", line_color="#D62728")
    # annotations on a log axis take log10 positions (shapes take data values)
    fig.add_annotation(x=1, xref="paper", xanchor="right", y=float(np.log10(threshold)), yanchor="bottom",
                       text=f"near zero: below {threshold:g}", showarrow=False, font={"color": "#D62728"})
    low = min(threshold, float(norms["norm"].min())) / 3
    fig.update_layout(boxmode="group", legend={"orientation": "h", "y": -0.25})
    fig.update_xaxes(title="depthwise layer (block, in depth order)")
    fig.update_yaxes(title="L2 norm of each 3x3 depthwise kernel", type="log", dtick=1,
                     range=[float(np.log10(low)), float(np.log10(1.5 * float(norms["norm"].max())))])
    return apply_style(fig, style, "Depthwise-kernel norms after training (all seeds)")


def last_stage_figure(comparison: pd.DataFrame, style: str) -> go.Figure:
    """Three bar panels: params, MACs and measured latency (where measured) of both last-stage designs."""
    require_columns(comparison, ["design", "params", "MACs", "latency ms"], "comparison")
    quantities = [("params", "params"), ("MACs", "MACs (conv + linear)")]
    if comparison["latency ms"].notna().all():
        quantities += [("latency ms", "network latency, ms"), ("last stage ms", "last stage alone, ms")]
    fig = make_subplots(rows=1, cols=len(quantities), subplot_titles=[title for _, title in quantities])
    for col, (column, _) in enumerate(quantities, start=1):
        fig.add_bar(
            x=comparison["design"], y=comparison[column], marker_color=[color(style, i) for i in range(len(comparison))],
            text=[f"{value:.1f}" if column.endswith(" ms") else short_count(value, ".3g") for value in comparison[column]],
            textposition="outside", showlegend=False,
            row=1, col=col, hovertemplate="%{x}: %{y:,}<extra>" + column + "</extra>",
        )
        fig.update_yaxes(range=[0, 1.18 * float(comparison[column].max())], row=1, col=col)
    styled = apply_style(fig, style, "MobileNetV3-Large: original against efficient last stage")
    styled.update_annotations(font={"size": get_style(style).font_size})
    return styled


def activation_speed_figure(timings: pd.DataFrame, style: str) -> go.Figure:
    """Measured ns per element (median bars, whiskers to the quartiles) next to the engine's ops per element,
    one row per activation (horizontal bars, so every name reads level)."""
    require_columns(timings, ["activation", "ns per element", "q1 ns", "q3 ns", "ops per element"], "timings")
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=["measured here: ns per element (median, IQR)", "cost engine: ops per element"])
    colors = [color(style, i) for i in range(len(timings))]
    fig.add_bar(y=timings["activation"], x=timings["ns per element"], orientation="h", marker_color=colors, showlegend=False,
                error_x={"type": "data", "symmetric": False, "array": timings["q3 ns"] - timings["ns per element"],
                         "arrayminus": timings["ns per element"] - timings["q1 ns"], "color": "#444"}, row=1, col=1,
                hovertemplate="%{y}: %{x:.3f} ns per element<extra></extra>")
    fig.add_bar(y=timings["activation"], x=timings["ops per element"], orientation="h", marker_color=colors, showlegend=False,
                text=timings["ops per element"], textposition="outside", row=1, col=2,
                hovertemplate="%{y}: %{x} ops per element<extra></extra>")
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(rangemode="tozero", title="ns per element", row=1, col=1)
    fig.update_xaxes(range=[0, 1.25 * float(timings["ops per element"].max())], title="ops per element", row=1, col=2)
    styled = apply_style(fig, style, "Activation cost: measured time against counted ops")
    styled.update_annotations(font={"size": get_style(style).font_size})
    return styled
