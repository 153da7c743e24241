"""Parameter memory, activation memory and arithmetic intensity of any ``nn.Module``.

Why: fewer MACs is often not faster. A depthwise conv does ``k*k`` MACs per output element
while reading and writing whole feature maps, so its arithmetic intensity (MACs per byte
moved) is low and it is bound by memory bandwidth, not compute (roofline model: Williams,
Waterman & Patterson 2009, https://doi.org/10.1145/1498765.1498785; the effect on mobile
blocks is discussed in ShuffleNetV2, https://arxiv.org/abs/1807.11164, guideline G1-G3).

Conventions (float32, batch 1, inference; every number is hand-checkable):

- **parameter bytes**: every parameter times its element size (4 B for float32), shared
  parameters once. BatchNorm's running mean and variance count as folded into its scale and
  shift, so a BatchNorm moves 2 values per channel, its parameter count.
- **Sequential execution**: the module runs once on one input; each *leaf call* (a call of
  a module with no children, ``nn.Identity`` excepted, exactly the rows of
  :func:`explorer.costs.count_costs`) reads its input tensors and writes one output tensor.
  Tensors made outside leaf modules (e.g. ``torch.flatten`` in a ``forward``) count from the
  call that first reads them. A view shares its base tensor's memory and is counted once.
- **Live tensors at a leaf call**: the call's inputs, its output, and every tensor made
  earlier that a later call still reads (the residual shortcut, the SE input waiting for its
  gate). The network input is live until its last reader; the final output is live at the end.
- **Peak activation memory**: the largest total size of the live tensors over all leaf calls.
  Parameter bytes are reported separately, never added in. Allocator caching, workspace
  buffers and framework overhead are not modelled.
- **Bytes moved by a leaf call**: its input bytes + output bytes + its own parameter bytes,
  each read or written exactly once (an ideal cache). A layer that returns its input
  unchanged (drop connect at inference) is still counted as reading and writing it.
- **Arithmetic intensity**: the call's MACs / bytes moved, in MAC per byte (FLOP per byte
  is twice that).

Example (hand-checked in the tests): a bias-free 1x1 conv 3 -> 4 on a 5x5 map reads
3*25*4 = 300 B, writes 4*25*4 = 400 B, has 12 weights = 48 B; it does 4*25*3 = 300 MACs, so
its intensity is 300 / 748 = 0.40 MAC/B and its peak activation memory is 700 B.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from explorer.analysis.costs import CostReport, _meta_copy, count_costs, shape_only_forward

if TYPE_CHECKING:  # pandas is imported only when a table is asked for
    import pandas as pd

StageOf = Callable[[str], str]


def top_level_stage(name: str) -> str:
    """The default stage of a layer: the first component of its dotted name (``stages.3.conv`` -> ``stages``)."""
    return name.split(".")[0]


def network_stage(name: str) -> str:
    """The stage of a layer of :class:`explorer.networks.Network`: ``stem``, ``stages.<i>`` (one table row), ``head``...."""
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] == "stages" and len(parts) > 1 else parts[0]


@dataclass(frozen=True)
class LayerMemory:
    """Memory and traffic of one leaf call (one row of the per-layer memory table)."""

    name: str
    type: str
    stage: str
    macs: int
    input_bytes: int
    output_bytes: int
    weight_bytes: int
    live_bytes: int

    @property
    def bytes_moved(self) -> int:
        """Input + output + own parameter bytes, each moved once."""
        return self.input_bytes + self.output_bytes + self.weight_bytes

    @property
    def intensity(self) -> float:
        """MACs per byte moved (0 for a layer that moves nothing)."""
        return self.macs / self.bytes_moved if self.bytes_moved else 0.0

    def as_row(self) -> dict[str, Any]:
        return {
            "layer": self.name, "type": self.type, "stage": self.stage, "MACs": self.macs,
            "input bytes": self.input_bytes, "output bytes": self.output_bytes, "weight bytes": self.weight_bytes,
            "bytes moved": self.bytes_moved, "MACs per byte": round(self.intensity, 4), "live bytes": self.live_bytes,
        }


@dataclass(frozen=True)
class MemoryReport:
    """Per-layer memory rows of one sequential execution and their totals."""

    input_shape: tuple[int, ...]
    parameter_bytes: int
    input_bytes: int
    layers: tuple[LayerMemory, ...]

    @property
    def peak_activation_bytes(self) -> int:
        """The largest total size of the tensors live at one leaf call (the input if no call)."""
        return max((layer.live_bytes for layer in self.layers), default=self.input_bytes)

    @property
    def peak_layer(self) -> str:
        """The name of the first leaf call at which the peak is reached."""
        return max(self.layers, key=lambda layer: layer.live_bytes).name if self.layers else ""

    @property
    def largest_activation_bytes(self) -> int:
        """The largest single tensor: the input or one layer's output."""
        return max([self.input_bytes] + [layer.output_bytes for layer in self.layers])

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    @property
    def bytes_moved(self) -> int:
        return sum(layer.bytes_moved for layer in self.layers)

    @property
    def intensity(self) -> float:
        """Whole-module MACs per byte moved, summing every layer's traffic."""
        return self.macs / self.bytes_moved if self.bytes_moved else 0.0

    def to_frame(self) -> pd.DataFrame:
        """One row per leaf call, in execution order."""
        import pandas as pd

        return pd.DataFrame([layer.as_row() for layer in self.layers])

    def stage_frame(self) -> pd.DataFrame:
        """One row per stage, in order of first appearance: weights, traffic, largest and peak memory."""
        frame = self.to_frame()
        if frame.empty:
            return frame
        grouped = frame.groupby("stage", sort=False)
        stages = grouped.agg(
            {"MACs": "sum", "weight bytes": "sum", "bytes moved": "sum", "output bytes": "max", "live bytes": "max"}
        ).reset_index()
        stages = stages.rename(columns={"output bytes": "largest output bytes", "live bytes": "peak live bytes"})
        stages.insert(1, "layers", grouped.size().to_numpy())
        stages["MACs per byte"] = (stages["MACs"] / stages["bytes moved"]).fillna(0.0).round(4)
        return stages

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready totals (per-layer rows under ``layers``)."""
        return {
            "input_shape": list(self.input_shape),
            "parameter_bytes": self.parameter_bytes,
            "input_bytes": self.input_bytes,
            "largest_activation_bytes": self.largest_activation_bytes,
            "peak_activation_bytes": self.peak_activation_bytes,
            "peak_layer": self.peak_layer,
            "macs": self.macs,
            "bytes_moved": self.bytes_moved,
            "macs_per_byte": self.intensity,
            "layers": [layer.as_row() for layer in self.layers],
        }


@dataclass
class _Call:
    name: str
    module: nn.Module
    inputs: list[int]
    output: int | None


def _storage_key(tensor: torch.Tensor) -> int:
    """Identity of the memory a tensor occupies: a view shares its base's key."""
    return id(tensor._base if tensor._base is not None else tensor)


def _tensor_bytes(tensor: torch.Tensor) -> int:
    base = tensor._base if tensor._base is not None else tensor
    return base.numel() * base.element_size()


def _trace(shadow: nn.Module, input_shape: tuple[int, ...]) -> tuple[list[_Call], dict[int, int], int, int | None]:
    """Run the meta copy once; return the leaf calls, tensor sizes by key, the input key and output key."""
    calls: list[_Call] = []
    sizes: dict[int, int] = {}
    keep: list[torch.Tensor] = []  # keeps every traced tensor alive so that ids stay unique

    def key_of(tensor: torch.Tensor) -> int:
        keep.append(tensor)
        key = _storage_key(tensor)
        sizes.setdefault(key, _tensor_bytes(tensor))
        return key

    def recorder(name: str) -> Callable:
        def hook(module: nn.Module, inputs: tuple, output: Any) -> None:
            keys = list(dict.fromkeys(key_of(item) for item in inputs if isinstance(item, torch.Tensor)))
            out = key_of(output) if isinstance(output, torch.Tensor) else None
            calls.append(_Call(name, module, keys, out))

        return hook

    for name, child in shadow.named_modules():
        if not any(True for _ in child.children()) and not isinstance(child, nn.Identity):
            child.register_forward_hook(recorder(name or type(child).__name__))
            if (forward := shape_only_forward(child)) is not None:
                child.forward = forward
    sample = torch.empty((1, *input_shape), device="meta")
    with torch.no_grad():
        output = shadow(sample)
    final = key_of(output) if isinstance(output, torch.Tensor) else None
    return calls, sizes, key_of(sample), final


def _live_bytes(calls: list[_Call], sizes: dict[int, int], input_key: int, output_key: int | None) -> list[int]:
    """Total bytes of the tensors live at each leaf call (see the module docstring)."""
    first: dict[int, int] = {input_key: -1}
    last: dict[int, int] = {}
    for index, call in enumerate(calls):
        for key in call.inputs + ([call.output] if call.output is not None else []):
            first.setdefault(key, index)
            last[key] = index
    if output_key is not None:
        last[output_key] = len(calls)
    return [
        sum(sizes[key] for key in first if first[key] <= index <= last.get(key, first[key]))
        for index in range(len(calls))
    ]


def _weight_bytes(module: nn.Module) -> int:
    return sum(p.numel() * p.element_size() for p in module.parameters(recurse=False))


def memory_report(
    module: nn.Module,
    input_shape: Sequence[int],
    stage_of: StageOf = top_level_stage,
    costs: CostReport | None = None,
) -> MemoryReport:
    """Parameter bytes, per-layer traffic and intensity, and peak activation memory of ``module``.

    Runs a meta-tensor copy (no activation memory is allocated, ``module`` is untouched).

    Args:
        module: any module.
        input_shape: one sample's shape without the batch dimension, e.g. ``(32, 56, 56)``.
        stage_of: maps a layer's dotted name to its stage (default: the first name component).
        costs: the module's :func:`~explorer.costs.count_costs` report, if already computed
            (its rows give the MACs; it is counted here otherwise).

    Raises:
        ValueError: the input shape does not fit the module.
    """
    costs = costs if costs is not None else count_costs(module, input_shape)
    shadow = _meta_copy(module)
    calls, sizes, input_key, output_key = _trace(shadow, tuple(int(d) for d in input_shape))
    live = _live_bytes(calls, sizes, input_key, output_key)
    seen: dict[str, int] = {}
    layers = []
    for call, live_bytes in zip(calls, live, strict=True):
        occurrence = seen.get(call.name, 0)
        seen[call.name] = occurrence + 1
        layers.append(
            LayerMemory(
                name=call.name, type=type(call.module).__name__, stage=stage_of(call.name),
                macs=_call_macs(costs, call.name, occurrence), input_bytes=sum(sizes[key] for key in call.inputs),
                output_bytes=sizes[call.output] if call.output is not None else 0,
                weight_bytes=_weight_bytes(call.module), live_bytes=live_bytes,
            )
        )
    parameter_bytes = sum(p.numel() * p.element_size() for p in shadow.parameters())
    return MemoryReport(tuple(costs.input_shape), parameter_bytes, sizes[input_key], tuple(layers))


def _call_macs(costs: CostReport, name: str, occurrence: int) -> int:
    """MACs of the ``occurrence``-th call of layer ``name`` in the cost report's rows."""
    rows = [row for row in costs.layers if row.name == name and row.input_shape is not None]
    return rows[occurrence].macs if occurrence < len(rows) else 0
