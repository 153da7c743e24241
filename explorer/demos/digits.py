"""A small EfficientNet-style network trained on scikit-learn's handwritten digits.

Why: squeeze-and-excitation weights only mean something in a network that learned
something. This module builds a tiny EfficientNet (https://arxiv.org/abs/1905.11946):
a 3x3 stem, five MBConv blocks with SE (``explorer.blocks.InvertedBottleneck`` built from
``block_spec("mbconv", ...)``, swish everywhere, sigmoid SE gates, drop connect rising
linearly with depth), a 1x1 head conv, global pooling and a linear classifier. It trains
on ``sklearn.datasets.load_digits`` (1,797 8x8 images, UCI optical digits) with a fixed
stratified held-out split and a fixed seed, in about a minute on one CPU core.

Weights ship as safetensors (no pickle) with a JSON file of metadata beside them.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch
import torch.nn.functional as F
from PIL import Image
from plotly.subplots import make_subplots
from safetensors import SafetensorError
from safetensors.torch import load, load_file, save
from torch import nn

from explorer.analysis.torch_settings import exclusive_torch_settings
from explorer.artifacts.base import PageArtifacts, value_field
from explorer.demos.se import se_excitations
from explorer.figures.style import IMAGE_AXIS, apply_style, color, get_style
from explorer.files import write_atomic
from explorer.formatting import layer_label
from explorer.models.blocks import InvertedBottleneck
from explorer.models.layers import ConvNormAct
from explorer.models.specs import block_spec

_PACKAGE = Path(__file__).resolve().parents[1]
# An installed package carries the assets inside it (pyproject maps assets/ to explorer/assets); a checkout has them beside it.
ASSETS = _PACKAGE / "assets" if (_PACKAGE / "assets").is_dir() else _PACKAGE.parent / "assets"
DEFAULT_WEIGHTS = ASSETS / "digits_mbconv.safetensors"
INPUT_SIZE = 16  # the 8x8 digits are upsampled x2 (bilinear) so that two stride-2 stages fit
STEM_CHANNELS = 16
HEAD_CHANNELS = 96
DROP_CONNECT = 0.2
SPLIT_SEED = 0
TEST_FRACTION = 0.2
DEFAULT_SEED = 0
DEFAULT_EPOCHS = 20
BATCH_SIZE = 64
LEARNING_RATE = 4e-3
WEIGHT_DECAY = 1e-4
NUM_THREADS = 1  # tiny tensors: one thread is as fast unloaded and ~15x faster on a shared, loaded machine

# One row per MBConv block: (out_channels, kernel_size, stride, expansion).
BLOCKS: tuple[tuple[int, int, int, float], ...] = (
    (16, 3, 1, 1.0),
    (24, 3, 2, 4.0),
    (24, 3, 1, 4.0),
    (40, 5, 2, 4.0),
    (40, 3, 1, 4.0),
)


def block_specs() -> list:
    """The MBConv specs of the network; drop connect 0.2·i/N as in EfficientNet."""
    specs, channels, size = [], STEM_CHANNELS, INPUT_SIZE
    for index, (out, kernel, stride, expansion) in enumerate(BLOCKS):
        specs.append(block_spec(
            "mbconv", in_channels=channels, out_channels=out, size=size, kernel_size=kernel, stride=stride,
            expansion=expansion, se_ratio=0.25, drop_connect=DROP_CONNECT * index / len(BLOCKS),
        ))
        channels, size = out, specs[-1].output_size
    return specs


class DigitsNet(nn.Module):
    """Upsample -> stem -> MBConv blocks with SE -> 1x1 head -> pool -> dropout -> classifier."""

    def __init__(self) -> None:
        super().__init__()
        self.upsample = nn.Upsample(size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear", align_corners=False)
        self.stem = ConvNormAct(1, STEM_CHANNELS, 3, padding=1, activation="swish")
        self.blocks = nn.Sequential(*(InvertedBottleneck(spec) for spec in block_specs()))
        self.head = ConvNormAct(BLOCKS[-1][0], HEAD_CHANNELS, 1, activation="swish")
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(0.2)
        self.classifier = nn.Linear(HEAD_CHANNELS, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.head(self.blocks(self.stem(self.upsample(x))))
        return self.classifier(self.dropout(self.flatten(self.pool(features))))


@dataclass(frozen=True)
class DigitsData:
    """The fixed split: images ``(N, 1, 8, 8)`` scaled to [0, 1], labels, original indices."""

    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    test_index: np.ndarray


def load_split(split_seed: int = SPLIT_SEED) -> DigitsData:
    """``load_digits`` with a stratified 80/20 split (``train_test_split``, ``random_state=split_seed``)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    labels = torch.tensor(digits.target, dtype=torch.long)
    train_index, test_index = train_test_split(
        np.arange(len(labels)), test_size=TEST_FRACTION, random_state=split_seed, stratify=digits.target,
    )
    return DigitsData(images[train_index], labels[train_index], images[test_index], labels[test_index], test_index)


def _check_training(epochs: int, seed: int) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= 500:
        raise ValueError(f"epochs: must be a whole number from 1 to 500, got {epochs!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(f"seed: must be a whole number from 0 to 2^32 - 1, got {seed!r}.")


def _shift(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Augment: shift each 8x8 image by up to one pixel in each direction (zero fill)."""
    padded = F.pad(images, (1, 1, 1, 1))[:, 0]
    offsets = torch.randint(0, 3, (images.shape[0], 2), generator=generator)
    grid = torch.arange(8)
    rows = (offsets[:, :1] + grid)[:, :, None]
    cols = (offsets[:, 1:] + grid)[:, None, :]
    return padded[torch.arange(images.shape[0])[:, None, None], rows, cols].unsqueeze(1)


@dataclass(frozen=True)
class EpochLog:
    """What one epoch of training reports (for progress bars and the history table)."""

    epoch: int
    epochs: int
    loss: float
    train_accuracy: float
    test_accuracy: float
    seconds: float


def _train_epoch(model: DigitsNet, data: DigitsData, optimizer, scheduler, generator: torch.Generator) -> tuple[float, float]:
    model.train()
    order = torch.randperm(len(data.train_y), generator=generator)
    total_loss, correct = 0.0, 0
    for start in range(0, len(order), BATCH_SIZE):
        batch = order[start:start + BATCH_SIZE]
        images, labels = _shift(data.train_x[batch], generator), data.train_y[batch]
        logits = model(images)
        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total_loss += loss.item() * len(batch)
        correct += int((logits.argmax(1) == labels).sum())
    return total_loss / len(order), correct / len(order)


def train_digits(
    epochs: int = DEFAULT_EPOCHS, seed: int = DEFAULT_SEED, data: DigitsData | None = None,
    progress: Callable[[EpochLog], None] | None = None,
) -> tuple[DigitsNet, list[EpochLog]]:
    """Train :class:`DigitsNet` reproducibly: fixed seed, deterministic algorithms, one thread.

    Holds :data:`~explorer.analysis.torch_settings.THREADS_LOCK` (shared with latency measurement) and
    :data:`~explorer.analysis.torch_settings.RNG_LOCK`, and restores threads, determinism and the default generator, so
    concurrent sessions neither disturb nor see each other's settings.

    AdamW with a one-cycle learning-rate schedule; augmentation by random 1-pixel shifts.
    ``progress`` is called after every epoch. Returns the model (in eval mode) and the log.
    """
    _check_training(epochs, seed)
    data = data or load_split()
    with exclusive_torch_settings(threads=NUM_THREADS, deterministic=True, seed=seed):
        generator = torch.Generator().manual_seed(seed)
        model = DigitsNet()
        optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
        steps = epochs * -(-len(data.train_y) // BATCH_SIZE)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LEARNING_RATE, total_steps=steps)
        log, start = [], time.perf_counter()
        for epoch in range(1, epochs + 1):
            loss, train_accuracy = _train_epoch(model, data, optimizer, scheduler, generator)
            test_accuracy = evaluate(model, data)["accuracy"]
            log.append(EpochLog(epoch, epochs, loss, train_accuracy, test_accuracy, time.perf_counter() - start))
            if progress is not None:
                progress(log[-1])
    return model.eval(), log


@torch.no_grad()
def predict_proba(model: DigitsNet, images: torch.Tensor) -> torch.Tensor:
    """Class probabilities ``(N, 10)`` for images ``(N, 1, 8, 8)`` in [0, 1], in eval mode."""
    model.eval()
    return torch.softmax(model(images), dim=1)


def evaluate(model: DigitsNet, data: DigitsData | None = None) -> dict[str, float | int]:
    """Held-out accuracy: ``accuracy``, ``correct``, ``n_test``."""
    data = data or load_split()
    predicted = predict_proba(model, data.test_x).argmax(1)
    correct = int((predicted == data.test_y).sum())
    return {"accuracy": correct / len(data.test_y), "correct": correct, "n_test": len(data.test_y)}


def metadata_path(weights: Path) -> Path:
    """The JSON metadata file that sits beside a weights file."""
    return Path(weights).with_suffix(".json")


def save_weights(model: DigitsNet, log: list[EpochLog], seed: int, path: Path = DEFAULT_WEIGHTS) -> dict:
    """Write the weights (safetensors) and the metadata JSON beside them; returns the metadata.

    Both files are written atomically (temporary file, then rename). A path whose metadata file
    would be the weights file itself (``w.json``), or that is a directory, is refused.
    """
    path = weights_target(Path(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {name: tensor.detach().contiguous() for name, tensor in model.state_dict().items()}
    result = evaluate(model)
    metadata = {
        "model": "explorer.digits.DigitsNet",
        "dataset": "sklearn.datasets.load_digits",
        "split": {"method": "sklearn train_test_split, stratified", "test_fraction": TEST_FRACTION,
                  "random_state": SPLIT_SEED, "n_train": 1797 - result["n_test"], "n_test": result["n_test"]},
        "seed": seed,
        "epochs": len(log),
        "accuracy": result["accuracy"],
        "correct": result["correct"],
        "n_test": result["n_test"],
        "train_seconds": round(log[-1].seconds, 1) if log else 0.0,
        "torch": torch.__version__,
        "history": [{"epoch": e.epoch, "loss": round(e.loss, 5), "test_accuracy": round(e.test_accuracy, 5)} for e in log],
    }
    write_atomic(path, save(tensors, metadata={"format": "pt", "model": "explorer.digits.DigitsNet"}))
    write_atomic(metadata_path(path), json.dumps(metadata, indent=2) + "\n")
    return metadata


def weights_target(path: Path) -> Path:
    """``path`` if the weights and their metadata can both be written there as two different files.

    Checked before training (``digits train`` calls it first), so a bad ``--out`` costs no minute of
    training: a directory, a path under an existing file, or a metadata file that would overwrite
    the weights is refused by name.
    """
    path = Path(path)
    blocker = next((parent for parent in path.parents if parent.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise ValueError(f"out: {str(blocker)!r} is a file, so nothing can be written under it.")
    if path.is_dir():
        raise ValueError(f"out: {str(path)!r} is a directory; give a weights file such as {str(path / 'digits.safetensors')!r}.")
    if metadata_path(path) == path:
        raise ValueError(
            f"out: the metadata is written beside the weights as {path.stem}.json, which is {str(path)!r} itself; "
            "give the weights file another extension, e.g. .safetensors."
        )
    return path


def load_trained(path: Path = DEFAULT_WEIGHTS) -> tuple[DigitsNet, dict]:
    """The trained network (eval mode) and its metadata, loaded without unpickling anything."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"weights: no file at {path}; create it with `python -m explorer digits train --out {path}`.")
    model = DigitsNet()
    try:
        model.load_state_dict(load_file(str(path)), strict=True)
    except (SafetensorError, RuntimeError, OSError) as error:
        raise ValueError(f"weights: {path} does not hold DigitsNet weights ({' '.join(str(error).split())[:200]}).") from None
    meta_file = metadata_path(path)
    metadata = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    return model.eval(), metadata


def image_to_digit(rgb: np.ndarray) -> np.ndarray:
    """Turn a photo or drawing of one digit into an 8x8 map in [0, 1] like ``load_digits``.

    Greyscale; inverted when the background is light (the dataset has bright ink on black);
    cropped to the ink's bounding box, padded to a centred square with a margin, then
    area-averaged down to 8x8 (the dataset counts ink pixels in 4x4 blocks of a 32x32 bitmap).
    """
    grey = np.asarray(Image.fromarray(np.asarray(rgb, dtype=np.uint8)).convert("L"), dtype=np.float64) / 255.0
    if np.median(grey) > 0.5:
        grey = 1.0 - grey
    grey = np.clip(grey - np.median(grey), 0.0, None)
    if grey.max() <= 0.05:
        raise ValueError("image: no digit found (the image is blank or has no contrast).")
    rows, cols = np.nonzero(grey > 0.3 * grey.max())
    ink = grey[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    side = int(max(ink.shape) * 1.25) + 1
    square = np.zeros((side, side))
    top, left = (side - ink.shape[0]) // 2, (side - ink.shape[1]) // 2
    square[top:top + ink.shape[0], left:left + ink.shape[1]] = ink
    small = np.asarray(Image.fromarray((square * 255).astype(np.uint8)).resize((8, 8), Image.Resampling.BOX), dtype=np.float64)
    return small / small.max()


def weights_to_bytes(model: DigitsNet) -> bytes:
    """The model's weights as safetensors bytes (for a download, or to pass a retrained model around)."""
    return save({name: tensor.detach().contiguous() for name, tensor in model.state_dict().items()})


def model_from_bytes(data: bytes) -> DigitsNet:
    """A :class:`DigitsNet` (eval mode) from safetensors bytes; no pickle involved."""
    model = DigitsNet()
    try:
        model.load_state_dict(load(data), strict=True)
    except (SafetensorError, RuntimeError) as error:
        raise ValueError(f"weights: not DigitsNet safetensors weights ({' '.join(str(error).split())[:200]}).") from None
    return model.eval()


def class_specificity(gates: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of the excitation variance explained by the class (pooled η² over channels).

    ``sum_c sum_k n_k (mean_kc - mean_c)^2 / sum_c sum_i (g_ic - mean_c)^2``: 0 when every
    class has the same mean gates (class-agnostic), 1 when the gates depend only on the class.
    """
    gates = gates.to(torch.float64)
    overall = gates.mean(0)
    total = ((gates - overall) ** 2).sum()
    between = sum(
        (labels == k).sum() * ((gates[labels == k].mean(0) - overall) ** 2).sum() for k in labels.unique()
    )
    return float(between / total) if total > 0 else 0.0


def se_statistics(model: DigitsNet, data: DigitsData) -> tuple[pd.DataFrame, OrderedDict[str, np.ndarray]]:
    """Per SE layer on the held-out set: a summary row and the class x channel mean gates."""
    _, gates = se_excitations(model, data.test_x)
    rows, means = [], OrderedDict()
    for depth, (name, layer) in enumerate(gates.items(), start=1):
        means[name] = np.stack([layer[data.test_y == k].mean(0).numpy() for k in range(10)])
        rows.append({
            "SE layer": layer_label(name), "depth": depth, "channels": layer.shape[1],
            "class specificity η²": class_specificity(layer, data.test_y),
            "std of class means": float(means[name].std(0).mean()),
            "mean gate": float(layer.mean()), "std of gates (all channels)": float(layer.std()), "layer": name,
        })
    return pd.DataFrame(rows), means


def heatmap_figure(name: str, means: np.ndarray, style: str, centred: bool = False) -> go.Figure:
    """Class x channel heatmap of the mean gate of one SE layer (SENet Fig. 6, as a heatmap).

    With ``centred`` each channel's mean over the classes is subtracted, so what remains is
    how each class departs from it (a class-agnostic layer then looks flat).
    """
    z = means - means.mean(0, keepdims=True) if centred else means
    limit = float(np.abs(z).max()) or 1.0
    scale = {"colorscale": "RdBu_r", "zmin": -limit, "zmax": limit} if centred else {"colorscale": "Viridis"}
    fig = go.Figure(go.Heatmap(z=z, x=list(range(means.shape[1])), y=[str(k) for k in range(10)],
                               colorbar={"title": "gate − channel mean" if centred else "mean gate"}, **scale))
    fig.update_xaxes(title_text="channel")
    fig.update_yaxes(title_text="digit class", type="category")
    what = "class mean − channel mean" if centred else "mean excitation per class"
    return apply_style(fig, style, f"{layer_label(name)}: {what} ({means.shape[1]} channels)")


def specificity_figure(table: pd.DataFrame, style: str) -> go.Figure:
    """Class specificity (η²) of each SE layer, from the first block to the last."""
    fig = go.Figure(go.Bar(x=table["SE layer"], y=table["class specificity η²"], marker_color=color(style, 0),
                           text=[f"{v:.2f}" for v in table["class specificity η²"]], textposition="outside"))
    fig.update_xaxes(title_text="SE layer (shallow → deep)", type="category")
    fig.update_yaxes(title_text="η² (variance explained by class)", range=[0, 1])
    return apply_style(fig, style, "How class-specific is each SE layer? (held-out set)")


@dataclass(frozen=True)
class HeldOutAccuracy:
    """How the model does on the fixed held-out split."""

    accuracy: float
    correct: int
    n_test: int


@dataclass(frozen=True)
class SpecificityTrend:
    """Class specificity (eta squared) of the first and the last SE layer."""

    first_layer: str
    first: float
    last_layer: str
    last: float

    @property
    def rises(self) -> bool:
        return self.last > self.first


@dataclass(frozen=True)
class DigitsArtifacts(PageArtifacts):
    """What the trained-model page shows about SE on the held-out set; exported as ``digits_<field>``.

    ``heatmaps`` maps each SE layer's name (``blocks.4.se``) to its class x channel heatmap,
    exported as ``digits_heatmap_blocks_4_se``.
    """

    held_out: HeldOutAccuracy = value_field()
    trend: SpecificityTrend = value_field()
    accuracy: pd.DataFrame
    se_specificity: go.Figure
    se_layers: pd.DataFrame
    heatmaps: dict[str, go.Figure]

    def file_name(self, field: str) -> str:
        return "digits_heatmap" if field == "heatmaps" else f"digits_{field}"


def specificity_trend(table: pd.DataFrame) -> SpecificityTrend:
    """The first and last rows of :func:`se_statistics`' table, as a :class:`SpecificityTrend`."""
    first, last = table.iloc[0], table.iloc[-1]
    column = "class specificity η²"
    return SpecificityTrend(str(first["SE layer"]), float(first[column]), str(last["SE layer"]), float(last[column]))


def digits_artifacts(model: DigitsNet, style: str = "screen", centred: bool = False) -> DigitsArtifacts:
    """Everything the trained-model page shows about SE on the held-out set."""
    data = load_split()
    table, means = se_statistics(model, data)
    result = evaluate(model, data)
    accuracy = pd.DataFrame([{"held-out accuracy": result["accuracy"], "correct": result["correct"],
                              "n_test": result["n_test"], "split": f"stratified {TEST_FRACTION:.0%}, random_state {SPLIT_SEED}"}])
    return DigitsArtifacts(
        held_out=HeldOutAccuracy(result["accuracy"], result["correct"], result["n_test"]),
        trend=specificity_trend(table),
        accuracy=accuracy,
        se_specificity=specificity_figure(table, style),
        se_layers=table,
        heatmaps={name: heatmap_figure(name, layer_means, style, centred) for name, layer_means in means.items()},
    )


def held_out_example(label: int) -> np.ndarray:
    """The first held-out image of class ``label`` (8x8 in [0, 1]): built-in examples to try."""
    if not 0 <= int(label) <= 9:
        raise ValueError(f"digit: must be from 0 to 9, got {label!r}.")
    data = load_split()
    return data.test_x[int((data.test_y == int(label)).nonzero()[0, 0]), 0].numpy()


def _digit_figure(digit: np.ndarray, style: str) -> go.Figure:
    fig = go.Figure(go.Heatmap(z=np.asarray(digit)[::-1], colorscale="Greys", zmin=0, zmax=1, showscale=False))
    fig.update_xaxes(**IMAGE_AXIS)
    fig.update_yaxes(**IMAGE_AXIS, scaleanchor="x")
    return apply_style(fig, style, "Input (8 x 8)")


def _probability_figure(probabilities: np.ndarray, style: str) -> go.Figure:
    predicted = int(probabilities.argmax())
    fig = go.Figure(go.Bar(x=[str(k) for k in range(10)], y=probabilities, marker_color=color(style, 0)))
    fig.update_xaxes(title_text="class", type="category")
    fig.update_yaxes(title_text="probability", range=[0, 1])
    return apply_style(fig, style, f"Prediction: {predicted} ({probabilities[predicted]:.1%})")


def _gates_figure(gates: OrderedDict[str, torch.Tensor], reference: OrderedDict[str, torch.Tensor], style: str) -> go.Figure:
    """Each SE layer's gates for this digit (bars) and their held-out mean (line), two layers a row.

    Two columns keep the chart within the export layout's height (a taller chart would be shrunk, text and
    all, onto the slide) and leave each panel room for its name and its channel numbers.
    """
    columns = 1 if len(gates) == 1 else 2
    rows = -(-len(gates) // columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=[layer_label(name) for name in gates],
                        vertical_spacing=0.5 / rows, horizontal_spacing=0.06)
    for index, (name, value) in enumerate(gates.items()):
        row, col = index // columns + 1, index % columns + 1
        channels = list(range(value.shape[1]))
        fig.add_trace(go.Bar(x=channels, y=value[0].numpy(), marker_color=color(style, 0), name="this digit",
                             showlegend=index == 0), row=row, col=col)
        fig.add_trace(go.Scatter(x=channels, y=reference[name].mean(0).numpy(), mode="lines", name="held-out mean",
                                 line={"color": color(style, 3)}, showlegend=index == 0), row=row, col=col)
        fig.update_yaxes(range=[0, 1], row=row, col=col)
    chosen = get_style(style)
    fig = apply_style(fig, style, "SE gates for this digit, per layer (x: channel)")
    fig.update_annotations(font_size=max(chosen.min_text, chosen.font_size - 4))
    fig.update_layout(height=min(720, max(chosen.height, 160 + 180 * rows)))
    if columns * rows > len(gates):  # the legend takes the empty last cell
        fig.update_layout(legend={"x": 0.76, "xanchor": "center", "y": 0.5 / rows, "yanchor": "middle"})
    return fig


@dataclass(frozen=True)
class PredictionArtifacts(PageArtifacts):
    """One digit's prediction and SE gates; exported as ``digit_<field>``."""

    input: go.Figure
    probabilities: go.Figure
    se_gates: go.Figure

    def file_name(self, field: str) -> str:
        return f"digit_{field}"


def prediction_artifacts(model: DigitsNet, digit: np.ndarray, style: str = "screen") -> PredictionArtifacts:
    """Prediction for one 8x8 digit and each SE layer's gates for it next to the held-out mean."""
    digit = np.asarray(digit, dtype=np.float32)
    if digit.shape != (8, 8):
        raise ValueError(f"digit: must be an 8 x 8 image, got shape {digit.shape}.")
    logits, gates = se_excitations(model, torch.tensor(digit).view(1, 1, 8, 8))
    _, reference = se_excitations(model, load_split().test_x)
    return PredictionArtifacts(
        input=_digit_figure(digit, style),
        probabilities=_probability_figure(torch.softmax(logits, 1)[0].numpy(), style),
        se_gates=_gates_figure(gates, reference, style),
    )
