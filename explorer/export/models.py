"""TODO"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable

import torch
from torch import nn

from explorer.analysis.torch_settings import seeded
from explorer.models.blocks import build_block
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import NetworkSpec, network_table
from explorer.models.specs import BlockSpec

ONNX_WEIGHTS_LIMIT = 30_000_000
ONNX_MEMORY_BUDGET = 1 << 30  # the same 1 GiB as a latency measurement (explorer.analysis.measure)


def block_snippet(spec: BlockSpec) -> str:
    """Python code that rebuilds ``spec``'s block with this library, runs it once and counts it."""
    arguments = "".join(f"    {name}={value!r},\n" for name, value in spec.to_dict().items() if name != "kind")
    return (
        f'"""{spec.info.label}: rebuilt with the efficient-CNN explorer library{_paper_note(spec.info.paper)}."""\n\n'
        "import torch\n\n"
        "from explorer.blocks import build_block\n"
        "from explorer.costs import count_costs\n"
        "from explorer.specs import block_spec\n\n"
        f"spec = block_spec(\n    {spec.kind!r},\n{arguments})\n"
        "block = build_block(spec).eval()\n"
        "print(block)\n"
        "output = block(torch.randn(1, spec.in_channels, spec.size, spec.size))\n"
        "print('output shape:', tuple(output.shape))\n"
        "report = count_costs(block, (spec.in_channels, spec.size, spec.size))\n"
        "print(f'params {report.params:,}  MACs {report.macs:,}')\n"
    )


def network_snippet(spec: NetworkSpec) -> str:
    """Python code that rebuilds the network ``spec`` describes with this library and counts it."""
    options = {name: getattr(spec, name) for name in spec.family.options}
    arguments = "".join(f"    {name}={value!r},\n" for name, value in options.items())
    return (
        f'"""{spec.label}: rebuilt with the efficient-CNN explorer library{_paper_note(spec.family.paper)}."""\n\n'
        "import torch\n\n"
        "from explorer.networks import build_network, count_network, network_spec, network_table\n\n"
        f"spec = network_spec(\n    {spec.name!r},\n{arguments})\n"
        "model = build_network(network_table(spec)).eval()\n"
        "print(model)\n"
        "report = count_network(spec)\n"
        "print(f'params {report.params:,}  MACs {report.macs:,}')\n"
        "with torch.no_grad():\n"
        "    logits = model(torch.randn(1, 3, spec.resolution, spec.resolution))\n"
        "print('logits shape:', tuple(logits.shape))\n"
    )


def _paper_note(paper: str) -> str:
    return f" ({paper})" if paper else ""


Model = BlockSpec | NetworkSpec


def model_snippet(spec: Model) -> str:
    """The rebuild snippet of a block or a network spec."""
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


def model_stem(spec: Model) -> str:
    """A file-name stem for the model's files: ``mbconv_block``, ``mobilenet_v2_0.75_160``, ``efficientnet_b0_224``."""
    if isinstance(spec, BlockSpec):
        return f"{spec.kind}_block"
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
        hint = "lower size, in_channels, out_channels or expansion" if isinstance(spec, BlockSpec) else (
            "lower the resolution or the width multiplier, or pick a smaller network")
        raise ValueError(
            f"model: the ONNX export traces one real forward pass, which needs about {needed / 2**20:,.0f} MiB "
            f"(weights {weights / 2**20:,.0f} MiB + tracing the activations {activations / 2**20:,.0f} MiB), over "
            f"the {ONNX_MEMORY_BUDGET / 2**20:,.0f} MiB budget; {hint}. The snippet and the structure need no memory."
        )
    return with_weights


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
