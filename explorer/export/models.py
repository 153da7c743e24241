"""The block or network a page shows, as files: a plain-PyTorch rebuild snippet, the printed structure, ONNX.

The snippet (:mod:`explorer.export.snippets`) needs only torch; ONNX uses torch's TorchScript-based
exporter so that the file opens in Netron (https://netron.app).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable

import torch
from torch import nn

from explorer.analysis.torch_settings import seeded
from explorer.export.decks import DeckInfo
from explorer.export.snippets import block_snippet, network_snippet
from explorer.formatting import parameter_label
from explorer.models.activations import activation_label
from explorer.models.blocks import build_block
from explorer.models.networks.build import build_network
from explorer.models.networks.design import DesignSpec
from explorer.models.networks.tables import NetworkSpec, network_table
from explorer.models.specs import BlockSpec

ONNX_WEIGHTS_LIMIT = 30_000_000
ONNX_MEMORY_BUDGET = 1 << 30  # its own rule (check_onnx_fits), tested like the others to stay under 2 GB of peak RSS


Model = BlockSpec | NetworkSpec | DesignSpec


def model_snippet(spec: Model) -> str:
    """The plain-PyTorch rebuild snippet of a block, a network or a custom design."""
    return block_snippet(spec) if isinstance(spec, BlockSpec) else network_snippet(spec)


def model_input_shape(spec: Model) -> tuple[int, int, int]:
    """C x H x W of one input image of the block or network."""
    if isinstance(spec, BlockSpec):
        return (spec.in_channels, spec.size, spec.size)
    return (3, spec.resolution, spec.resolution)


def build_model(spec: Model) -> nn.Module:
    """The block or network module (eval mode, randomly initialised weights)."""
    return build_block(spec) if isinstance(spec, BlockSpec) else build_network(network_table(spec))


def model_title(spec: Model) -> str:
    """A human title: the block kind's label with its shape, or the network's label."""
    if isinstance(spec, BlockSpec):
        return f"{spec.info.label}, input {spec.in_channels} x {spec.size} x {spec.size}"
    return spec.label


def model_configuration(spec: Model) -> str:
    """The settings a caption states, in human words: ``MBConv (EfficientNet): input channels 32, ...``."""
    if isinstance(spec, BlockSpec):
        shown = {name: activation_label(value) if name in ("activation", "gate") else value
                 for name, value in spec.to_dict().items() if name != "kind" and value is not None}
        settings = ", ".join(f"{parameter_label(name)} {value}" for name, value in shown.items())
        return f"{spec.info.label}: {settings}"
    settings = [f"{spec.resolution} x {spec.resolution} input", f"{spec.num_classes:,} classes"]
    if isinstance(spec, DesignSpec):
        settings += [f"width multiplier {spec.width_mult:g}", f"depth multiplier {spec.depth_mult:g}"]
    elif "width_mult" in spec.family.options:
        settings.insert(0, f"width multiplier {spec.width_mult:g}")
    return f"{spec.label}: {', '.join(settings)}"


def model_deck(spec: Model) -> DeckInfo:
    """Title, caption and source for a PowerPoint deck of the block's or network's view."""
    paper = spec.info.paper if isinstance(spec, BlockSpec) else "" if isinstance(spec, DesignSpec) else spec.family.paper
    source = "Counted from the PyTorch module built by the efficient-CNN explorer (meta device, batch 1)"
    return DeckInfo(model_title(spec), model_configuration(spec), f"{source}; paper: {paper}." if paper else f"{source}.",
                    name=model_stem(spec))


def model_stem(spec: Model) -> str:
    """A file-name stem for the model's files: ``mbconv_block``, ``mobilenet_v2_0.75_160``, ``efficientnet_b0_224``."""
    if isinstance(spec, BlockSpec):
        return f"{spec.kind}_block"
    if isinstance(spec, DesignSpec):
        return f"custom_design_{spec.resolution}"
    width = f"_{spec.width_mult:g}" if "width_mult" in spec.family.options else ""
    return f"{spec.name}{width}_{spec.resolution}" + ("_full_conv" if spec.full_conv else "")


def model_onnx(spec: Model) -> bytes:
    """The block or network as ONNX; weights included up to ``ONNX_WEIGHTS_LIMIT`` parameters.

    Larger networks are built without initialising their weights and exported structure
    only (weights become graph inputs), so a large network still opens in Netron without
    a file of its weights' size. Tracing runs one real forward pass, so the memory it needs is
    checked first (:func:`check_onnx_fits`) and a configuration over the budget is refused.
    """
    with torch.device("meta"):
        skeleton = build_model(spec)
    with_weights = check_onnx_fits(spec, skeleton)
    if with_weights:
        with seeded(0):
            return onnx_bytes(build_model(spec), model_input_shape(spec))
    return onnx_bytes(skeleton.to_empty(device="cpu"), model_input_shape(spec), export_params=False)


def check_onnx_fits(spec: Model, skeleton: nn.Module | None = None) -> bool:
    """Refuse (ValueError saying what to lower) an ONNX export over ``ONNX_MEMORY_BUDGET``; else whether
    its weights are included.

    Estimated on meta tensors before anything is allocated: the weights (three copies when they
    are exported: the module's, the ONNX initializers and the serialised file; one otherwise) plus
    twice the forward pass's peak activation memory (:func:`explorer.analysis.memory.memory_report`):
    measured with ``ru_maxrss``, tracing MobileNetV2 at 1024 and 1600 pixels took 1.6 and 1.5 times
    the plain forward pass's peak.
    """
    from explorer.analysis.memory import memory_report

    if skeleton is None:
        with torch.device("meta"):
            skeleton = build_model(spec)
    memory = memory_report(skeleton, model_input_shape(spec))
    with_weights = memory.parameter_bytes // 4 <= ONNX_WEIGHTS_LIMIT
    weights = memory.parameter_bytes * (3 if with_weights else 1)
    activations = 2 * memory.peak_activation_bytes
    needed = weights + activations
    if needed > ONNX_MEMORY_BUDGET:
        hint = _onnx_hint(spec, weights > ONNX_MEMORY_BUDGET)
        raise ValueError(
            f"model: the ONNX export traces one real forward pass, which needs about {needed / 2**20:,.0f} MiB "
            f"(weights {weights / 2**20:,.0f} MiB + tracing the activations {activations / 2**20:,.0f} MiB), over "
            f"the {ONNX_MEMORY_BUDGET / 2**20:,.0f} MiB budget; {hint}. The snippet and the structure need no memory."
        )
    return with_weights


def _onnx_hint(spec: Model, weights_alone: bool) -> str:
    """What to lower: a smaller input cannot help when the weights alone are over the budget."""
    if isinstance(spec, BlockSpec):
        return "lower in_channels, out_channels or expansion" if weights_alone else (
            "lower size, in_channels, out_channels or expansion")
    width = isinstance(spec, DesignSpec) or "width_mult" in spec.family.options
    if weights_alone:
        lower = "lower the width multiplier or pick a smaller network" if width else "pick a smaller network"
        return f"its weights alone are over it at any resolution: {lower}"
    return f"lower the resolution{' or the width multiplier' if width else ''}, or pick a smaller network"


def model_structure(spec: Model) -> str:
    """The printed module structure of the block or network (built on the meta device: instant)."""
    with torch.device("meta"):
        module = build_model(spec)
    return module_structure(module, model_title(spec))


def model_files(spec: Model) -> dict[str, Callable[[], bytes]]:
    """File name -> bytes producer for the rebuild snippet, the module structure and the ONNX model."""
    stem = model_stem(spec)
    return {
        f"{stem}.py": lambda: model_snippet(spec).encode("utf-8"),
        f"{stem}_structure.txt": lambda: model_structure(spec).encode("utf-8"),
        f"{stem}.onnx": lambda: model_onnx(spec),
    }


def module_structure(module: nn.Module, title: str = "") -> str:
    """The module's printed structure (``print(module)``), headed by its parameter count."""
    params = sum(parameter.numel() for parameter in module.parameters())
    head = f"{title}\n" if title else ""
    return f"{head}parameters: {params:,}\n\n{module!r}\n"


def onnx_bytes(module: nn.Module, input_shape: tuple[int, ...], export_params: bool = True) -> bytes:
    """The module (in eval mode, batch 1) as an ONNX model, e.g. to open in Netron.

    Uses torch's TorchScript-based exporter (``dynamo=False``): it needs no network, takes
    ~0.1 s for a block instead of ~3 s, and handles every layer here (h-swish, SE, drop
    connect in eval mode). ``export_params=False`` leaves the weights out (structure only:
    a small file even for a large network).
    """
    was_training = module.training
    module.eval()
    buffer = io.BytesIO()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module, (torch.zeros(1, *input_shape),), buffer, dynamo=False, export_params=export_params,
                input_names=["image"], output_names=["output"], opset_version=17,
            )
    finally:
        module.train(was_training)
    return buffer.getvalue()
