"""Two claims of the MobileNet papers, tested on scikit-learn's digits with small networks trained here.

1. Linear bottleneck (MobileNetV2, https://arxiv.org/abs/1801.04381, Sec. 3.2 and Fig. 6a): the
   same inverted-residual network with a linear 1x1 projection against one with ReLU6 after it.
2. Dead depthwise kernels: after training a MobileNetV1-style network (https://arxiv.org/abs/1704.04861)
   some depthwise kernels end up (near) zero; MobileNetV2 argues that ReLU in a narrow space loses
   information and puts its depthwise convs in the expanded space. Here per layer the distribution of
   depthwise-kernel L2 norms of a V1-style and a V2-style network, and the share below a stated threshold.

The networks are built from the project's blocks (``block_spec`` + ``build_block``) on the 8x8
``load_digits`` images with the same stratified held-out split as :mod:`explorer.demos.digits`.
Training is deterministic (fixed seeds, deterministic algorithms, one thread) and cheap (about a
second per run); the results ship as a JSON asset that :func:`regenerate` reproduces exactly on the CPU kind that made
it (another instruction set sums floats in another order; see the tests for the tolerance).

The optimiser is Adam with *coupled* L2 weight decay (the gradient of ``wd/2·||w||²`` is added before
Adam's normalisation), like the RMSProp + L2 the MobileNets were trained with: a weight whose loss
gradient is zero (a channel whose activation never fires) is then driven towards zero.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from explorer.analysis.torch_settings import exclusive_torch_settings
from explorer.demos.digits import ASSETS, DigitsData, load_split
from explorer.models.blocks import build_block
from explorer.models.layers import ConvNormAct
from explorer.models.specs import block_spec

RESULTS_ASSET = ASSETS / "papers_digits.json"
VARIANTS = ("v1", "v2_linear", "v2_relu6")
VARIANT_LABELS = {
    "v1": "MobileNetV1-style (depthwise-separable, ReLU)",
    "v2_linear": "MobileNetV2-style, linear bottleneck",
    "v2_relu6": "MobileNetV2-style, ReLU6 after the projection",
}
VARIANT_SHORT = {"v1": "V1-style", "v2_linear": "V2-style, linear", "v2_relu6": "V2-style, ReLU6"}
STEM_CHANNELS = 16
V1_ROWS = ((32, 1), (64, 2), (64, 1), (128, 2), (128, 1))  # (out_channels, stride)
V2_ROWS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6))  # (out_channels, stride, expansion)
V2_HEAD = 128


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that fixes a run besides the variant and the seed."""

    epochs: int = 15
    batch_size: int = 64
    learning_rate: float = 4e-3
    weight_decay: float = 1e-3
    threads: int = 1


DEFAULT_CONFIG = TrainingConfig()
DEFAULT_SEEDS = (0, 1, 2, 3, 4)
# Near zero: a depthwise kernel whose L2 norm is below this. Every 3x3 kernel starts at a norm of
# about 0.58 (PyTorch's default init draws its 9 weights from U(-1/3, 1/3): sqrt(9/27)), so the
# threshold is under 2% of where training begins.
DEAD_THRESHOLD = 1e-2


def _v1_blocks() -> list[nn.Module]:
    blocks, channels, size = [], STEM_CHANNELS, 8
    for out, stride in V1_ROWS:
        spec = block_spec("depthwise_separable", in_channels=channels, out_channels=out, size=size, stride=stride,
                          kernel_size=3, activation="relu")
        blocks.append(build_block(spec))
        channels, size = out, spec.output_size
    return blocks


def _v2_blocks(projection: str) -> list[nn.Module]:
    """Inverted residuals; ``projection`` is the activation after the 1x1 projection (``none`` = linear)."""
    blocks, channels, size = [], STEM_CHANNELS, 8
    for out, stride, expansion in V2_ROWS:
        spec = block_spec("inverted_residual", in_channels=channels, out_channels=out, size=size, stride=stride,
                          kernel_size=3, expansion=expansion)
        block = build_block(spec)
        if projection != "none":
            block.conv_pwl = ConvNormAct(spec.hidden_channels, out, 1, activation=projection)
        blocks.append(block)
        channels, size = out, spec.output_size
    return blocks


def build_variant(variant: str) -> nn.Sequential:
    """The small network of ``variant`` (``v1``, ``v2_linear``, ``v2_relu6``) for 1 x 8 x 8 digits."""
    if variant not in VARIANTS:
        raise ValueError(f"variant: must be one of {', '.join(VARIANTS)}, got {variant!r}.")
    if variant == "v1":
        stem, blocks, width, head = ConvNormAct(1, STEM_CHANNELS, 3, padding=1), _v1_blocks(), V1_ROWS[-1][0], []
    else:
        projection = "relu6" if variant == "v2_relu6" else "none"
        stem = ConvNormAct(1, STEM_CHANNELS, 3, padding=1, activation="relu6")
        blocks, width = _v2_blocks(projection), V2_HEAD
        head = [ConvNormAct(V2_ROWS[-1][0], V2_HEAD, 1, activation="relu6")]
    parts = OrderedDict(stem=stem, blocks=nn.Sequential(*blocks))
    parts |= OrderedDict((f"head{i}", module) for i, module in enumerate(head))
    parts |= OrderedDict(pool=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten(), classifier=nn.Linear(width, 10))
    return nn.Sequential(parts)


def depthwise_units(model: nn.Module) -> OrderedDict[str, ConvNormAct]:
    """The depthwise Conv-Norm-Act units, by block name (``blocks.0`` ...), in depth order."""
    return OrderedDict(
        (name.rsplit(".", 1)[0], module) for name, module in model.named_modules()
        if isinstance(module, ConvNormAct) and module.conv.groups > 1 and module.conv.groups == module.conv.in_channels
    )


def _train(model: nn.Module, data: DigitsData, config: TrainingConfig, seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    for _ in range(config.epochs):
        model.train()
        order = torch.randperm(len(data.train_y), generator=generator)
        for start in range(0, len(order), config.batch_size):
            batch = order[start:start + config.batch_size]
            loss = F.cross_entropy(model(data.train_x[batch]), data.train_y[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    model.eval()


@torch.no_grad()
def _never_active(model: nn.Module, images: torch.Tensor) -> dict[str, int]:
    """Per depthwise unit: channels whose activation output is 0 on every held-out image and position."""
    peaks: dict[str, torch.Tensor] = {}
    handles = [unit.act.register_forward_hook(lambda _m, _i, out, name=name: peaks.__setitem__(name, out.amax((0, 2, 3))))
               for name, unit in depthwise_units(model).items()]
    try:
        model(images)
    finally:
        for handle in handles:
            handle.remove()
    return {name: int((peak <= 0).sum()) for name, peak in peaks.items()}


def train_run(variant: str, seed: int, config: TrainingConfig = DEFAULT_CONFIG, data: DigitsData | None = None) -> dict:
    """Train one variant with one seed; its held-out accuracy and, per depthwise layer, kernel norms.

    Deterministic, as digits training is (:func:`~explorer.analysis.torch_settings.exclusive_torch_settings`):
    the seed, deterministic algorithms and the thread count hold for the run only, under the locks shared with
    latency measurement and seeded builds, and the default generator continues where it was afterwards.
    """
    data = data or load_split()
    with exclusive_torch_settings(threads=config.threads, deterministic=True, seed=seed):
        model = build_variant(variant)
        _train(model, data, config, seed)
        with torch.no_grad():
            correct = int((model(data.test_x).argmax(1) == data.test_y).sum())
        inactive = _never_active(model, data.test_x)
    layers = [
        {"layer": name, "channels": unit.conv.out_channels, "never_active": inactive[name],
         "norms": [round(float(v), 8) for v in unit.conv.weight.detach().flatten(1).norm(dim=1)]}
        for name, unit in depthwise_units(model).items()
    ]
    return {"variant": variant, "seed": seed, "correct": correct, "n_test": len(data.test_y), "layers": layers}


def regenerate(variants: tuple[str, ...] = VARIANTS, seeds: tuple[int, ...] = DEFAULT_SEEDS,
               config: TrainingConfig = DEFAULT_CONFIG, path: Path | None = RESULTS_ASSET) -> dict:
    """Train every (variant, seed), write the results JSON to ``path`` (None: do not write), return it."""
    data = load_split()
    results = {
        "dataset": "sklearn.datasets.load_digits, stratified 80/20 split (random_state 0), 8x8 inputs",
        "config": asdict(config), "dead_threshold": DEAD_THRESHOLD, "torch": torch.__version__,
        "runs": [train_run(variant, seed, config, data) for variant in variants for seed in seeds],
    }
    if path is not None:
        Path(path).write_text(json.dumps(results, indent=1) + "\n")
    return results


def load_results(path: Path = RESULTS_ASSET) -> dict:
    """The shipped results; ValueError saying how to make them if the file is missing."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"results: no file at {path}; create it with `python -m explorer papers train --out {path}`.")
    return json.loads(path.read_text())


def find_run(results: dict, variant: str, seed: int) -> dict:
    """The stored run of ``variant`` with ``seed``."""
    for run in results["runs"]:
        if run["variant"] == variant and run["seed"] == seed:
            return run
    raise ValueError(f"run: no stored run of {variant!r} with seed {seed}.")


@dataclass(frozen=True)
class AccuracySummary:
    """Held-out accuracy (%) of one variant over its seeds; mean, sample std, min and max rounded to 0.01."""

    variant: str
    network: str
    per_seed: tuple[float, ...]
    mean: float
    std: float
    minimum: float
    maximum: float

    @property
    def seeds(self) -> int:
        return len(self.per_seed)

    def as_row(self) -> dict:
        """One row of the summary table (and of ``papers train --json``)."""
        return {
            "variant": self.variant, "network": self.network, "seeds": self.seeds,
            "accuracy % per seed": ", ".join(f"{value:.2f}" for value in self.per_seed),
            "mean %": self.mean, "std %": self.std, "min %": self.minimum, "max %": self.maximum,
        }


def accuracy_summary(results: dict, variants: tuple[str, ...] = ("v2_linear", "v2_relu6")) -> tuple[AccuracySummary, ...]:
    """Per variant: held-out accuracy (%) of every seed, mean, sample std, min and max."""
    summaries = []
    for variant in variants:
        runs = [run for run in results["runs"] if run["variant"] == variant]
        accuracy = np.array([100.0 * run["correct"] / run["n_test"] for run in runs])
        summaries.append(AccuracySummary(
            variant=variant, network=VARIANT_LABELS[variant], per_seed=tuple(float(value) for value in accuracy),
            mean=round(float(accuracy.mean()), 2),
            std=round(float(accuracy.std(ddof=1)), 2) if len(runs) > 1 else 0.0,
            minimum=round(float(accuracy.min()), 2), maximum=round(float(accuracy.max()), 2),
        ))
    return tuple(summaries)


@dataclass(frozen=True)
class LayerKernels:
    """One depthwise layer of one variant, over all seeds: its kernels' norms against a near-zero threshold."""

    variant: str
    network: str
    layer: str
    depth: int
    channels: int
    kernels: int
    near_zero: int
    near_zero_percent: float
    never_active_percent: float
    median_norm: float
    min_norm: float

    def as_row(self) -> dict:
        """One row of the per-layer table."""
        return {
            "variant": self.variant, "network": self.network, "layer": self.layer, "depth": self.depth,
            "channels": self.channels, "kernels (all seeds)": self.kernels, "near zero": self.near_zero,
            "near zero %": self.near_zero_percent, "never active %": self.never_active_percent,
            "median norm": self.median_norm, "min norm": self.min_norm,
        }


def dead_kernel_summary(results: dict, threshold: float,
                        variants: tuple[str, ...] = ("v1", "v2_linear")) -> tuple[LayerKernels, ...]:
    """Per variant and depthwise layer, over all seeds: kernels, share below ``threshold``, never-active share."""
    layers = []
    for variant in variants:
        runs = [run for run in results["runs"] if run["variant"] == variant]
        for depth, layer in enumerate(runs[0]["layers"]):
            norms = np.concatenate([run["layers"][depth]["norms"] for run in runs])
            inactive = sum(run["layers"][depth]["never_active"] for run in runs)
            layers.append(LayerKernels(
                variant=variant, network=VARIANT_LABELS[variant], layer=layer["layer"], depth=depth + 1,
                channels=layer["channels"], kernels=len(norms), near_zero=int((norms < threshold).sum()),
                near_zero_percent=round(100.0 * float((norms < threshold).mean()), 2),
                never_active_percent=round(100.0 * inactive / len(norms), 2),
                median_norm=round(float(np.median(norms)), 4), min_norm=float(norms.min()),
            ))
    return tuple(layers)
