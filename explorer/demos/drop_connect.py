"""Drop connect (stochastic depth) across an EfficientNet and inside one block.

Stochastic depth (Huang et al. 2016, https://arxiv.org/abs/1603.09382), called drop connect
in EfficientNet (https://arxiv.org/abs/1905.11946): during training each sample's whole
residual branch is dropped with probability p and kept, divided by 1 - p, otherwise; at
inference the branch is always kept. EfficientNet raises p linearly with depth,
``p_i = 0.2 · i / N`` for block i of N (torchvision), and only blocks with a shortcut can
drop their branch. Dropout (Srivastava et al. 2014) instead zeroes single activations.

The per-block schedule comes from ``explorer.networks`` (the same specs the Networks page
builds); the in-block demonstration runs a real MBConv block whose ``drop_path`` is
``explorer.layers.DropConnect``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots
from torch import nn

from explorer.analysis.torch_settings import seeded
from explorer.artifacts.base import PageArtifacts, value_field
from explorer.figures.style import IMAGE_AXIS, apply_style, color
from explorer.models.blocks import build_block
from explorer.models.networks.tables import NETWORK_NAMES, block_specs, network_spec, network_table
from explorer.models.specs import block_spec

EFFICIENTNETS = tuple(name for name in NETWORK_NAMES if name.startswith("efficientnet_"))
MAX_SAMPLES = 32
MAX_REPEATS = 100
DEMO_CHANNELS = 16
DEMO_SIZE = 8


def survival_table(network: str = "efficientnet_b0") -> pd.DataFrame:
    """One row per block: stage, shape, drop rate ``0.2·i/N`` and survival probability.

    Stages are numbered as in the paper's table and on the Networks page: 1 is the stem, so the
    blocks start in stage 2 (EfficientNet-B0 Table 1: MBConv1 is stage 2, the 320-wide MBConv6 stage 8).
    Blocks without a shortcut (stride 2 or a change of width) never drop their branch, so
    their effective survival is 1 whatever their scheduled rate.
    """
    _check_network(network)
    stages = block_specs(network_table(network_spec(network)))
    rows, index = [], 0
    for stage, specs in enumerate(stages, start=2):
        for spec in specs:
            rows.append({
                "block": index, "stage": stage, "kind": spec.kind,
                "in -> out": f"{spec.in_channels} -> {spec.out_channels}", "stride": spec.stride,
                "residual": spec.has_residual, "drop rate": spec.drop_connect, "survival": 1.0 - spec.drop_connect,
                "effective survival": 1.0 - spec.drop_connect if spec.has_residual else 1.0,
            })
            index += 1
    return pd.DataFrame(rows)


def survival_figure(table: pd.DataFrame, network: str, style: str) -> go.Figure:
    """Survival probability per block; hollow markers where no shortcut exists (never dropped)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=table["block"], y=table["survival"], mode="lines", name="scheduled 1 − 0.2·i/N",
                             line={"color": color(style, 0)}))
    for residual, symbol, name in ((True, "circle", "with shortcut: can be dropped"),
                                   (False, "circle-open", "no shortcut: always kept")):
        part = table[table["residual"] == residual]
        fig.add_trace(go.Scatter(x=part["block"], y=part["effective survival"], mode="markers", name=name,
                                 marker={"symbol": symbol, "color": color(style, 0 if residual else 3)},
                                 customdata=part[["stage", "in -> out"]],
                                 hovertemplate="block %{x} (stage %{customdata[0]}, %{customdata[1]}): %{y:.4f}<extra></extra>"))
    fig.update_xaxes(title_text="block index i (shallow → deep)")
    fig.update_yaxes(title_text="survival probability", range=[0.75, 1.01])
    return apply_style(fig, style, f"{network}: survival probability per block ({len(table)} blocks)")


def _check_network(network: str) -> None:
    if network not in EFFICIENTNETS:
        raise ValueError(f"network: must be one of {', '.join(EFFICIENTNETS)}, got {network!r}.")


def _check_demo(p: float, samples: int, repeats: int) -> None:
    if not 0.0 <= float(p) < 1.0:
        raise ValueError(f"p: the drop probability must be from 0 up to (not including) 1, got {p!r}.")
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples: must be a whole number from 1 to {MAX_SAMPLES}, got {samples!r}.")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or not 1 <= repeats <= MAX_REPEATS:
        raise ValueError(f"repeats: must be a whole number from 1 to {MAX_REPEATS}, got {repeats!r}.")


@dataclass(frozen=True)
class DropConnectSettings:
    """The page's choices: which network's schedule, and the in-block demo's p, batch, passes and seed (checked)."""

    network: str = "efficientnet_b0"
    p: float = 0.2
    samples: int = 16
    repeats: int = 50
    seed: int = 0

    def __post_init__(self) -> None:
        _check_network(self.network)
        _check_demo(self.p, self.samples, self.repeats)


@dataclass(frozen=True)
class DropDemo:
    """Repeated training-mode passes of one MBConv block next to its eval-mode output."""

    p: float
    x: torch.Tensor
    eval_branch: torch.Tensor
    connect_branches: torch.Tensor
    dropout_branches: torch.Tensor
    train_outputs: torch.Tensor
    eval_output: torch.Tensor

    @cached_property
    def kept(self) -> np.ndarray:
        """``(repeats, samples)``: 1 where drop connect kept the sample's branch, 0 where it dropped it."""
        return (self.connect_branches.abs().flatten(2).amax(2) > 0).to(torch.int64).numpy()

    def zero_fraction(self, branches: torch.Tensor) -> np.ndarray:
        """``(repeats, samples)``: the fraction of branch elements that are exactly zero."""
        nonzero = self.eval_branch.abs() > 0
        zeroed = (branches == 0) & nonzero
        return (zeroed.flatten(2).sum(2) / nonzero.flatten(1).sum(1)).numpy()


@torch.no_grad()
def run_demo(p: float = 0.2, samples: int = 16, repeats: int = 50, seed: int = 0) -> DropDemo:
    """Pass ``samples`` random inputs through a residual MBConv block ``repeats`` times in training mode.

    Only the block's ``drop_path`` (``DropConnect``) is switched to training mode; BatchNorm
    stays in eval mode, so drop connect is the only difference from inference and the
    branch (expand, depthwise, SE, project) is the same on every pass: it is computed once
    by the block's own layers, and each pass applies the block's own ``drop_path`` and
    ``residual`` to it, exactly as its ``forward`` does. The dropout comparison applies
    ``nn.Dropout(p)`` to the same branch.
    """
    _check_demo(p, samples, repeats)
    spec = block_spec("mbconv", in_channels=DEMO_CHANNELS, out_channels=DEMO_CHANNELS, size=DEMO_SIZE, drop_connect=p)
    with seeded(seed):
        block = build_block(spec)
        x = torch.randn(samples, DEMO_CHANNELS, DEMO_SIZE, DEMO_SIZE)
        eval_output = block(x)
        eval_branch = block.conv_pwl(block.se(block.conv_dw(block.conv_pw(x))))
        block.drop_path.train()
        dropout = nn.Dropout(p).train()
        connect_branches = torch.stack([block.drop_path(eval_branch) for _ in range(repeats)])
        dropout_branches = torch.stack([dropout(eval_branch) for _ in range(repeats)])
    train_outputs = torch.stack([block.residual(x, branch) for branch in connect_branches])
    return DropDemo(float(p), x, eval_branch, connect_branches, dropout_branches, train_outputs, eval_output)


def kept_figure(demo: DropDemo, style: str) -> go.Figure:
    """Repeats x samples: which samples kept their whole residual branch on each pass."""
    kept = demo.kept
    fig = go.Figure(go.Heatmap(z=kept, colorscale=[[0, "#dddddd"], [1, color(style, 0)]], zmin=0, zmax=1,
                               showscale=False, hovertemplate="pass %{y}, sample %{x}: %{z}<extra></extra>"))
    fig.update_xaxes(title_text="sample in the batch")
    fig.update_yaxes(title_text="training pass", autorange="reversed")
    return apply_style(fig, style, f"Branch kept (colour) or dropped (grey): {kept.mean():.0%} kept")


def zero_fraction_figure(demo: DropDemo, style: str) -> go.Figure:
    """Distribution of the share of branch elements zeroed per sample and pass: all-or-nothing vs ~p."""
    fig = go.Figure()
    for index, (name, branches) in enumerate((("drop connect", demo.connect_branches), ("dropout", demo.dropout_branches))):
        fig.add_trace(go.Histogram(x=demo.zero_fraction(branches).ravel(), name=name, marker_color=color(style, index),
                                   xbins={"start": -0.0125, "end": 1.0125, "size": 0.025}, opacity=0.75))
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title_text="fraction of the sample's branch set to zero", range=[-0.05, 1.05])
    fig.update_yaxes(title_text="(sample, pass) pairs")
    return apply_style(fig, style, f"Whole branch or single activations (p = {demo.p:g})")


def maps_figure(demo: DropDemo, style: str, channel: int = 0) -> go.Figure:
    """One channel of one sample's branch: eval, drop connect kept, drop connect dropped, dropout."""
    kept = demo.kept
    sample = int(np.argmax((kept.min(0) == 0) & (kept.max(0) == 1)))  # first sample both kept and dropped, else 0
    kept_pass = int(np.argmax(kept[:, sample])) if kept[:, sample].any() else None
    dropped_pass = int(np.argmin(kept[:, sample])) if not kept[:, sample].all() else None
    panels = [("eval", demo.eval_branch[sample, channel])]
    if kept_pass is not None:
        panels.append((f"kept, ×{1 / (1 - demo.p):.2f}", demo.connect_branches[kept_pass, sample, channel]))
    if dropped_pass is not None:
        panels.append(("dropped", demo.connect_branches[dropped_pass, sample, channel]))
    panels.append(("dropout", demo.dropout_branches[0, sample, channel]))
    limit = max(float(panel.abs().max()) for _, panel in panels) or 1.0
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[title for title, _ in panels], horizontal_spacing=0.03)
    for col, (title, panel) in enumerate(panels, start=1):
        fig.add_trace(go.Heatmap(z=panel.numpy()[::-1], zmin=-limit, zmax=limit, colorscale="RdBu_r", showscale=col == 1,
                                 name=title), row=1, col=col)
    fig.update_xaxes(**IMAGE_AXIS)
    fig.update_yaxes(**IMAGE_AXIS)
    return apply_style(fig, style, f"Residual branch of sample {sample}, channel {channel}: eval, drop connect, dropout")


def demo_table(demo: DropDemo) -> pd.DataFrame:
    """The numbers behind the pictures, with what theory says next to what was measured."""
    kept = demo.kept
    peak = demo.connect_branches.abs().flatten(2).amax(2) / demo.eval_branch.abs().flatten(1).amax(1)
    kept_scale = peak[torch.as_tensor(kept, dtype=torch.bool)]
    mean_error = float((demo.train_outputs.mean(0) - demo.eval_output).abs().max())
    rows = [
        ("drop probability p", demo.p, demo.p),
        ("share of branches kept", 1 - demo.p, float(kept.mean())),
        ("scale of a kept branch", 1 / (1 - demo.p), float(kept_scale.median()) if kept.any() else float("nan")),
        ("share zeroed per sample, drop connect", "0 or 1", float(demo.zero_fraction(demo.connect_branches).mean())),
        ("share zeroed per sample, dropout", demo.p, float(demo.zero_fraction(demo.dropout_branches).mean())),
        ("max |mean training output - eval output|", "→ 0 as passes grow", mean_error),
    ]
    rows = [(name, f"{theory:.4g}" if isinstance(theory, float) else theory, measured) for name, theory, measured in rows]
    return pd.DataFrame(rows, columns=["quantity", "theory", "measured"])


@dataclass(frozen=True)
class DropConnectSummary:
    """The page's headline numbers: the schedule's blocks and lowest survival, and what the demo measured.

    The lowest survival is over the blocks that can drop their branch (those with a shortcut); a block
    without one is always kept, however high its scheduled rate (EfficientNet-B0's last block, 15, is one).
    """

    blocks: int
    lowest_survival: float
    lowest_block: int  # index i of the block with the lowest survival, 0-based as in the chart
    lowest_stage: int  # its stage in the paper's table (1 is the stem)
    kept_share: float  # of drop-connect branches kept over every pass and sample
    dropout_zeroed_share: float  # mean share of a sample's branch that dropout zeroed


def lowest_survival(table: pd.DataFrame) -> pd.Series:
    """The row of :func:`survival_table` with the lowest survival among blocks that have a shortcut.

    Ties go to the deeper block (survival falls with depth, so the deepest such block is the lowest).
    """
    droppable = table[table["residual"]]
    if droppable.empty:
        raise ValueError("network: no block has a shortcut, so none can drop its branch.")
    return droppable.loc[droppable["survival"].idxmin()]


@dataclass(frozen=True)
class DropConnectArtifacts(PageArtifacts):
    """What the "Drop connect" page shows, in page order."""

    summary: DropConnectSummary = value_field()
    survival_per_block: go.Figure
    survival_table: pd.DataFrame
    drop_connect_kept: go.Figure
    drop_connect_vs_dropout: go.Figure
    drop_connect_maps: go.Figure
    drop_connect_numbers: pd.DataFrame


def dropconnect_artifacts(
    network: str = "efficientnet_b0", p: float = 0.2, samples: int = 16, repeats: int = 50, seed: int = 0,
    style: str = "screen",
) -> DropConnectArtifacts:
    """Everything the "Drop connect" page shows."""
    table = survival_table(network)
    demo = run_demo(p, samples, repeats, seed)
    lowest = lowest_survival(table)
    summary = DropConnectSummary(
        blocks=len(table), lowest_survival=float(lowest["survival"]), lowest_block=int(lowest["block"]),
        lowest_stage=int(lowest["stage"]), kept_share=float(demo.kept.mean()),
        dropout_zeroed_share=float(demo.zero_fraction(demo.dropout_branches).mean()),
    )
    return DropConnectArtifacts(
        summary=summary,
        survival_per_block=survival_figure(table, network, style),
        survival_table=table,
        drop_connect_kept=kept_figure(demo, style),
        drop_connect_vs_dropout=zero_fraction_figure(demo, style),
        drop_connect_maps=maps_figure(demo, style),
        drop_connect_numbers=demo_table(demo),
    )
