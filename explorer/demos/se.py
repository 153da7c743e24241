"""Squeeze-and-excitation channel weights, measured on a real forward pass.

SENet (Hu et al., https://arxiv.org/abs/1709.01507) rescales every channel of a feature
map by a gate in [0, 1] computed from the map's global average. This module feeds an
image through a built block (bneck, MBConv, Fused-MBConv with SE, or a standalone SE
block), records the gate of every channel with forward hooks, and draws it: the gates in
channel order or sorted, their distribution, and the feature maps before and after
scaling for the most and least excited channels.

Inputs are the photos scikit-learn ships (``load_sample_images``: china.jpg, flower.jpg),
synthetic patterns made here (stripes at an angle, checkerboard, noise) or an uploaded
image, read by Pillow under size limits. A block has C_in input channels, a photo has 3:
a fixed, documented stem turns RGB into C_in channels (see :func:`fixed_stem`).
"""

from __future__ import annotations

import io
import math
import warnings
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch
from PIL import Image, UnidentifiedImageError
from plotly.subplots import make_subplots
from torch import nn

from explorer.analysis.budget import check_memory as budget_check
from explorer.analysis.memory import memory_report
from explorer.analysis.torch_settings import seeded
from explorer.artifacts.base import PageArtifacts, value_field
from explorer.figures.style import IMAGE_AXIS, apply_style, color, get_style
from explorer.models.activations import REGISTRY
from explorer.models.blocks import build_block, squeeze_channels
from explorer.models.layers import SqueezeExcite
from explorer.models.specs import BlockSpec

SE_KINDS = ("se", "bneck", "mbconv", "fused_mbconv")
SAMPLE_PHOTOS = ("china.jpg", "flower.jpg")
PATTERNS = ("stripes", "checkerboard", "noise")
MEMORY_BUDGET_BYTES = 256 * 2**20
MAX_UPLOAD_BYTES = 20 * 2**20
MAX_UPLOAD_PIXELS = 40_000_000
# Decoded size, not file size: a 117 kB PNG can claim 40 megapixels. The budget covers the decoded
# image in its own mode plus its RGB copy: 128 MiB takes an RGB photo of up to 22 megapixels (6 bytes a pixel).
MAX_DECODED_BYTES = 128 * 2**20
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
RANDOM_WEIGHTS_NOTE = (
    "The block's weights are random (PyTorch's default initialisation, seed {seed}), not trained. "
    "The gates are then a random projection of the channels' global averages: they differ between "
    "inputs, but no gate means 'this channel matters'. With random SE weights the pre-gate values are "
    "small, so the gates cluster around 0.5 and barely rescale anything. Learned importance needs a "
    "trained network: see the page “SE in a trained network”."
)


def se_layers(model: nn.Module) -> OrderedDict[str, SqueezeExcite]:
    """Every squeeze-and-excitation module of ``model`` by dotted name, in registration order."""
    return OrderedDict((name, module) for name, module in model.named_modules() if isinstance(module, SqueezeExcite))


@torch.no_grad()
def se_excitations(model: nn.Module, images: torch.Tensor) -> tuple[torch.Tensor, OrderedDict[str, torch.Tensor]]:
    """The model's output and every SE layer's gate values ``(N, C)`` from one real forward pass.

    Forward hooks on each SE module's ``gate`` record its output; they are removed before
    returning, so the model is left as it was (it is put in eval mode).
    """
    recorded: OrderedDict[str, torch.Tensor] = OrderedDict()
    handles = []
    for name, se in se_layers(model).items():
        def hook(module: nn.Module, inputs: tuple, output: torch.Tensor, name: str = name) -> None:
            recorded[name] = output.detach().flatten(1).clone()
        handles.append(se.gate.register_forward_hook(hook))
    try:
        output = model.eval()(images)
    finally:
        for handle in handles:
            handle.remove()
    return output, recorded


def sample_photo(name: str) -> np.ndarray:
    """One of scikit-learn's sample photos as ``H x W x 3`` uint8 (no download: they ship in the wheel)."""
    from sklearn.datasets import load_sample_image

    if name not in SAMPLE_PHOTOS:
        raise ValueError(f"photo: must be one of {', '.join(SAMPLE_PHOTOS)}, got {name!r}.")
    return load_sample_image(name)


def synthetic_pattern(kind: str, size: int = 224, angle: float = 30.0, period: int = 16, seed: int = 0) -> np.ndarray:
    """A grey ``size x size x 3`` uint8 pattern: stripes at ``angle`` degrees, a checkerboard, or noise."""
    if kind not in PATTERNS:
        raise ValueError(f"pattern: must be one of {', '.join(PATTERNS)}, got {kind!r}.")
    if not 2 <= int(period) <= size:
        raise ValueError(f"period: must be from 2 to the image size {size} pixels, got {period!r}.")
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    if kind == "stripes":
        theta = math.radians(angle)
        grey = 0.5 + 0.5 * np.cos(2 * math.pi * (xx * math.cos(theta) + yy * math.sin(theta)) / period)
    elif kind == "checkerboard":
        grey = ((xx // (period / 2) + yy // (period / 2)) % 2).astype(np.float64)
    else:
        grey = np.random.default_rng(seed).random((size, size))
    return np.repeat((grey * 255).round().astype(np.uint8)[:, :, None], 3, axis=2)


def load_uploaded_image(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES, max_pixels: int = MAX_UPLOAD_PIXELS) -> np.ndarray:
    """Decode an uploaded file to ``H x W x 3`` uint8 RGB, refusing what Pillow should not open.

    Checks, each with a clear ValueError naming ``image``: empty file, file too large,
    not an image, too many pixels (checked from the header before decoding, below Pillow's
    own ``Image.MAX_IMAGE_PIXELS`` decompression-bomb guard), truncated or corrupt data.
    """
    if not data:
        raise ValueError("image: the file is empty.")
    if len(data) > max_bytes:
        raise ValueError(f"image: the file is {len(data) / 2**20:.1f} MiB; the limit is {max_bytes / 2**20:.0f} MiB.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ValueError(f"image: {width} x {height} pixels is more than the limit of {max_pixels:,} pixels.")
                _check_decoded_size(image)
                image.load()
                return np.asarray(image.convert("RGB"))
        except UnidentifiedImageError:
            raise ValueError("image: not an image file Pillow can read (use PNG, JPEG, GIF, BMP or WebP).") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValueError(f"image: too many pixels (Pillow's limit is {Image.MAX_IMAGE_PIXELS:,}).") from None
        except (OSError, SyntaxError) as error:
            raise ValueError(f"image: the file is truncated or corrupt ({error}).") from None
        except ValueError as error:  # Pillow's own refusals, e.g. a metadata chunk that inflates too far
            if str(error).startswith("image:"):
                raise
            raise ValueError(f"image: Pillow refused the file ({error}).") from None


def decoded_bytes(image: Image.Image) -> int:
    """Bytes the image takes once decoded in its own mode, plus its 3-byte-per-pixel RGB copy."""
    width, height = image.size
    bits = {"1": 1, "I;16": 16, "I;16B": 16, "I;16L": 16, "I": 32, "F": 32}.get(image.mode, 8 * len(image.getbands()))
    return width * height * (-(-bits // 8) + 3)


def _check_decoded_size(image: Image.Image, limit: int = MAX_DECODED_BYTES) -> None:
    needed = decoded_bytes(image)
    if needed > limit:
        width, height = image.size
        most = limit // (needed // (width * height))
        raise ValueError(
            f"image: {width} x {height} pixels ({image.mode}) decode to about {needed / 2**20:,.0f} MiB, over the "
            f"{limit / 2**20:,.0f} MiB budget for an upload; use an image of at most about {most / 1e6:.1f} megapixels."
        )


def _square_resize(rgb: np.ndarray, size: int) -> np.ndarray:
    """Centre-crop to a square, then resize to ``size x size`` (bilinear)."""
    height, width = rgb.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = Image.fromarray(np.ascontiguousarray(rgb[top:top + side, left:left + side]))
    return np.asarray(square.resize((size, size), Image.Resampling.BILINEAR))


def fixed_stem(in_channels: int) -> nn.Conv2d:
    """A fixed 3x3 conv turning RGB into ``in_channels`` oriented-edge maps (no learning).

    Channel i is a Sobel-style derivative at angle ``180° · i / C_in`` of colour channel
    ``i mod 3`` (R, G, B), so every channel has a plain meaning. With C_in = 3 the image
    goes in as is and this stem is not used.
    """
    stem = nn.Conv2d(3, in_channels, 3, padding=1, bias=False)
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 4
    with torch.no_grad():
        stem.weight.zero_()
        for channel in range(in_channels):
            theta = math.pi * channel / in_channels
            stem.weight[channel, channel % 3] = math.cos(theta) * sobel_x + math.sin(theta) * sobel_x.T
    return stem.eval()


def image_to_input(rgb: np.ndarray, spec: BlockSpec) -> tuple[np.ndarray, torch.Tensor]:
    """The square ``size x size`` RGB crop and the block's input tensor ``(1, C_in, size, size)``."""
    crop = _square_resize(rgb, spec.size)
    tensor = torch.tensor(crop, dtype=torch.float32).permute(2, 0, 1).unsqueeze(0) / 255.0
    tensor = (tensor - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    if spec.in_channels != 3:
        with torch.no_grad():
            tensor = fixed_stem(spec.in_channels)(tensor)
    return crop, tensor


def check_memory(spec: BlockSpec, budget: int = MEMORY_BUDGET_BYTES) -> int:
    """Bytes the probe's forward pass adds to the process (:func:`explorer.analysis.budget.forward_bytes`,
    estimated on meta tensors); refuse above ``budget``.

    Held aside besides the block's own tensors: the RGB image as a float tensor (the fixed stem's input)
    and the two feature maps recorded around the SE scaling, which outlive their last reader.
    """
    if spec.kind not in SE_KINDS or squeeze_channels(spec) == 0:
        raise ValueError(f"se_ratio: a {spec.kind} block with se_ratio {spec.se_ratio:g} has no SE; use one of "
                         f"{', '.join(SE_KINDS)} with se_ratio > 0.")
    shape = (spec.in_channels, spec.size, spec.size)
    with torch.device("meta"):
        skeleton = build_block(spec)
    se_channels = spec.in_channels if spec.kind == "se" else spec.hidden_channels
    held = 4 * spec.size**2 * (3 + 2 * se_channels)
    return budget_check(memory_report(skeleton, shape), budget, "lower the input size, the channels or the expansion",
                        held, "this forward pass")


@dataclass(frozen=True)
class SEProbe:
    """One forward pass through a block with SE: the gates and the maps around the scaling."""

    spec: BlockSpec
    image: np.ndarray
    excitation: np.ndarray
    before: np.ndarray
    after: np.ndarray
    seed: int
    memory_bytes: int


def probe_block(spec: BlockSpec, rgb: np.ndarray, seed: int = 0) -> SEProbe:
    """Build ``spec`` with random weights (seed ``seed``), feed ``rgb`` through it, record its SE."""
    needed = check_memory(spec)
    crop, tensor = image_to_input(rgb, spec)
    with seeded(seed):
        block = build_block(spec)
    se = next(iter(se_layers(block).values()))
    captured: dict[str, torch.Tensor] = {}

    def hook(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        captured["before"], captured["after"] = inputs[0].detach()[0], output.detach()[0]

    handle = se.register_forward_hook(hook)
    try:
        _, gates = se_excitations(block, tensor)
    finally:
        handle.remove()
    return SEProbe(spec, crop, next(iter(gates.values()))[0].numpy(), captured["before"].numpy(),
                   captured["after"].numpy(), seed, needed)


def excitation_bar_figure(probe: SEProbe, style: str, order: str = "channel") -> go.Figure:
    """One bar per channel: its gate value, in channel order or sorted (largest first).

    The channel axis is numbered (channel index, or rank when sorted, the channel in the hover); the mean
    gate is a dashed line named in the legend, so no label sits on the bars.
    """
    if order not in ("channel", "sorted"):
        raise ValueError(f"order: must be 'channel' or 'sorted', got {order!r}.")
    gates = probe.excitation
    channels = np.argsort(-gates, kind="stable") if order == "sorted" else np.arange(len(gates))
    positions = np.arange(1, len(gates) + 1) if order == "sorted" else channels
    mean = float(gates.mean())
    fig = go.Figure(go.Bar(x=positions, y=gates[channels], marker_color=color(style, 0), name="gate of each channel",
                           customdata=channels, hovertemplate="channel %{customdata}: %{y:.4f}<extra></extra>"))
    span = [float(positions[0]) - 0.5, float(positions[-1]) + 0.5]
    fig.add_trace(go.Scatter(x=span, y=[mean, mean], mode="lines", name=f"mean {mean:.3f}", hoverinfo="skip",
                             line={"dash": "dash", "color": color(style, 3)}))
    fig.update_xaxes(title_text="rank (1 = most excited; channel in the hover)" if order == "sorted" else "channel",
                     range=span)
    fig.update_yaxes(title_text=f"gate ({REGISTRY[probe.spec.gate].label})", range=[0, 1])
    fig.update_layout(bargap=0.1)
    return apply_style(fig, style, f"SE excitation of {len(gates)} channels")


def excitation_histogram(probe: SEProbe, style: str) -> go.Figure:
    """The distribution of the gate values over channels."""
    fig = go.Figure(go.Histogram(x=probe.excitation, xbins={"start": 0, "end": 1, "size": 0.025},
                                 marker_color=color(style, 1), name="channels"))
    fig.update_xaxes(title_text="gate value", range=[0, 1])
    fig.update_yaxes(title_text="channels")
    return apply_style(fig, style, f"Distribution of excitations (std {probe.excitation.std():.4f})")


def extreme_channels(excitation: np.ndarray, count: int) -> tuple[list[int], list[int]]:
    """The ``count`` most and least excited channels (most first; least, lowest first)."""
    order = np.argsort(-excitation, kind="stable")
    count = max(1, min(count, len(excitation) // 2 or 1))
    return [int(c) for c in order[:count]], [int(c) for c in order[::-1][:count]]


def feature_map_figure(probe: SEProbe, style: str, count: int = 3) -> go.Figure:
    """Before (top) and after (bottom) scaling, for the most and least excited channels.

    Each channel's two maps are divided by the largest |value| of its map before scaling, so they share
    one colour bar from -1 to 1 and the scaling shows as fading: after SE a channel reaches at most its gate.
    """
    most, least = extreme_channels(probe.excitation, count)
    channels = most + least
    titles = [f"#{c}<br>{probe.excitation[c]:.2f}" for c in channels]
    fig = make_subplots(rows=2, cols=len(channels), subplot_titles=titles, horizontal_spacing=0.02, vertical_spacing=0.06)
    for col, channel in enumerate(channels, start=1):
        limit = float(np.abs(probe.before[channel]).max()) or 1.0
        for row, maps in ((1, probe.before), (2, probe.after)):
            fig.add_trace(go.Heatmap(z=maps[channel][::-1] / limit, zmin=-1, zmax=1, colorscale="RdBu_r",
                                     name=f"channel {channel}", showscale=col == 1 and row == 1,
                                     colorbar={"title": {"text": "÷ max |before|"}},
                                     hovertemplate=f"channel {channel}: " + "%{z:.3f}<extra></extra>"), row=row, col=col)
    fig.update_xaxes(**IMAGE_AXIS)
    fig.update_yaxes(**IMAGE_AXIS)
    fig.update_yaxes(scaleanchor="x")
    fig.update_yaxes(title_text="before SE", row=1, col=1)
    fig.update_yaxes(title_text="after SE", row=2, col=1)
    chosen = get_style(style)
    fig = apply_style(fig, style, "Feature maps before and after SE scaling (above each: channel, gate)")
    fig.update_annotations(font_size=max(chosen.min_text, chosen.font_size - 4))
    groups = [{"text": text, "x": x, "xanchor": anchor, "y": 0.0, "xref": "paper", "yref": "paper", "yanchor": "top",
               "yshift": -6, "showarrow": False, "font": {"size": max(chosen.min_text, chosen.font_size - 4)}}
              for text, x, anchor in ((f"the {len(most)} most excited", 0.0, "left"),
                                      (f"the {len(least)} least excited", 1.0, "right"))]
    return fig.update_layout(annotations=[*fig.layout.annotations, *groups],
                             margin={"t": 80 + 2 * chosen.font_size, "b": 30 + 2 * chosen.font_size})


def input_figure(probe: SEProbe, style: str) -> go.Figure:
    """The square RGB crop that went into the block (before the fixed stem)."""
    fig = go.Figure(go.Image(z=probe.image))
    fig.update_xaxes(**IMAGE_AXIS)
    fig.update_yaxes(**IMAGE_AXIS)
    return apply_style(fig, style, f"Input, {probe.spec.size} x {probe.spec.size}")


def channel_table(probe: SEProbe) -> pd.DataFrame:
    """One row per channel: gate, rank, mean |activation| before and after scaling."""
    ranks = np.empty(len(probe.excitation), dtype=int)
    ranks[np.argsort(-probe.excitation, kind="stable")] = np.arange(1, len(ranks) + 1)
    return pd.DataFrame({
        "channel": np.arange(len(probe.excitation)),
        "excitation": probe.excitation,
        "rank": ranks,
        "mean |x| before": np.abs(probe.before).mean(axis=(1, 2)),
        "mean |x| after": np.abs(probe.after).mean(axis=(1, 2)),
    })


@dataclass(frozen=True)
class GateStatistics:
    """How many SE gates one forward pass produced and how they spread."""

    channels: int
    minimum: float
    mean: float
    maximum: float
    std: float


def gate_statistics(probe: SEProbe) -> GateStatistics:
    """Count, minimum, mean, maximum and standard deviation (numpy's, ddof 0) of the probe's gates."""
    gates = probe.excitation
    return GateStatistics(len(gates), float(gates.min()), float(gates.mean()), float(gates.max()), float(gates.std()))


def summary_table(probe: SEProbe) -> pd.DataFrame:
    """What was measured, in one column: the block, its SE, the gate statistics, the weights."""
    gates = gate_statistics(probe)
    rows = {
        "block": probe.spec.info.label,
        "SE channels": gates.channels,
        "squeeze channels": squeeze_channels(probe.spec),
        "gate": REGISTRY[probe.spec.gate].label,
        "map size": f"{probe.before.shape[1]} x {probe.before.shape[2]}",
        "min excitation": f"{gates.minimum:.4f}",
        "mean excitation": f"{gates.mean:.4f}",
        "max excitation": f"{gates.maximum:.4f}",
        "std excitation": f"{gates.std:.4f}",
        "memory of the forward pass (estimated)": f"{probe.memory_bytes / 2**20:.1f} MiB",
        "weights": f"random, untrained (seed {probe.seed})",
    }
    return pd.DataFrame({"quantity": list(rows), "value": [str(v) for v in rows.values()]})


@dataclass(frozen=True)
class SEArtifacts(PageArtifacts):
    """What the "SE channel weights" page shows for one block and one input; exported as ``se_<field>``."""

    gates: GateStatistics = value_field()
    input: go.Figure
    excitation: go.Figure
    excitation_histogram: go.Figure
    feature_maps: go.Figure
    summary: pd.DataFrame
    channels: pd.DataFrame

    def file_name(self, field: str) -> str:
        return f"se_{field}"


def se_block_artifacts(
    spec: BlockSpec, rgb: np.ndarray, order: str = "channel", count: int = 3, seed: int = 0, style: str = "screen",
) -> SEArtifacts:
    """Everything the "SE channel weights" page shows for one block and one input."""
    probe = probe_block(spec, rgb, seed)
    return SEArtifacts(
        gates=gate_statistics(probe),
        input=input_figure(probe, style),
        excitation=excitation_bar_figure(probe, style, order),
        excitation_histogram=excitation_histogram(probe, style),
        feature_maps=feature_map_figure(probe, style, count),
        summary=summary_table(probe),
        channels=channel_table(probe),
    )
