"""Per-layer parameters, MACs, other operations and activation memory of any ``nn.Module``.

Counting conventions (the same ones the app and the CLI print):

- **params**: every parameter, BatchNorm's affine weights included; a parameter shared by
  two modules is counted once.
- **MACs**: multiply-accumulates of convolution, linear and matrix-multiply ops for one image
  (batch 1): ``out_elements * (C_in / groups) * k_h * k_w`` for a conv, ``out_elements *
  in_features`` for a linear layer, and ``torch.utils.flop_counter``'s formula / 2 for a
  functional op (``F.conv2d``, ``F.linear``, ``matmul``, ``bmm``, ``einsum``,
  ``scaled_dot_product_attention``) called outside a conv or linear module, so the total equals
  ``FlopCounterMode``'s total / 2. This is the papers' "mult-adds" and torchvision's "GFLOPS".
  FLOPs, where shown, are 2 x MACs.
- Every other operation is counted **separately**, never folded into MACs, with the
  per-element cost in :data:`OP_CATEGORIES` and :data:`explorer.models.activations.REGISTRY`.

How it counts: a private copy of the module whose parameters and buffers are meta tensors
runs one forward pass on a meta input, with hooks on the copy's leaf modules. Meta tensors
carry shapes only, so no activation memory is allocated whatever the input size, the
caller's module is never touched (no hooks, no device move, no mode change), and calls
from several threads at once share nothing. A dispatch mode (thread-local) sees every aten op
of that pass, with a stack of the copy's module calls naming the enclosing module: ops outside a
counted leaf get rows of their own (``aten.<op>`` under the enclosing module's name).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry

from explorer.analysis.shapes import shape_only_forward
from explorer.models.activations import OPS_PER_ELEMENT, REGISTRY
from explorer.models.blocks import FusedMBConv, InvertedBottleneck
from explorer.models.layers import ChannelScale, DropConnect, ResidualAdd, SqueezeExcite
from explorer.models.networks.build import Network

if TYPE_CHECKING:  # pandas is imported only when a table is asked for
    import pandas as pd

OP_CATEGORIES: dict[str, str] = {
    "batchnorm": "BatchNorm at inference: 2 ops per output element (scale and shift once mean/var are folded)",
    "activation": "activation functions: ops per element by function, see the activation registry",
    "pooling": "average pooling: 1 add per input element; max pooling: 1 compare per window element",
    "se_multiply": "squeeze-and-excitation scale: 1 multiply per element of the scaled map",
    "residual_add": "residual (shortcut) add: 1 add per output element",
    "bias": "bias of a conv or linear layer: 1 add per output element",
}

FREE_MODULES: tuple[type[nn.Module], ...] = (nn.Identity, nn.Flatten, nn.Dropout, DropConnect)

# Modules whose output has their input's shape: during the meta trace they pass their input
# through (meta BatchNorm alone costs ~5 ms a call, which would dominate a network's count).
SHAPE_PRESERVING: tuple[type[nn.Module], ...] = (
    nn.modules.batchnorm._BatchNorm, nn.Dropout, DropConnect, *OPS_PER_ELEMENT,
)


def _pass_through(x: torch.Tensor) -> torch.Tensor:
    return x


@dataclass(frozen=True)
class LayerCost:
    """Cost of one call of one leaf module (one row of the per-layer table)."""

    name: str
    type: str
    input_shape: tuple[int, ...] | None
    output_shape: tuple[int, ...] | None
    kernel: str
    stride: str
    groups: int | None
    params: int
    macs: int
    ops: dict[str, int]
    output_bytes: int
    counted: bool = True

    def as_row(self) -> dict[str, Any]:
        """A flat dict for tables: shapes as ``C x H x W`` strings, one column per op category."""
        row = {
            "layer": self.name,
            "type": self.type,
            "input": _shape_text(self.input_shape),
            "output": _shape_text(self.output_shape),
            "kernel": self.kernel,
            "stride": self.stride,
            "groups": self.groups,
            "params": self.params,
            "MACs": self.macs,
        }
        row.update({f"{category} ops": self.ops.get(category, 0) for category in OP_CATEGORIES})
        row["output bytes"] = self.output_bytes
        return row


@dataclass(frozen=True)
class CostReport:
    """Per-layer rows and their totals; the totals are exact sums of the rows."""

    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    layers: tuple[LayerCost, ...]
    skipped: tuple[str, ...] = field(default_factory=tuple)

    @property
    def params(self) -> int:
        return sum(layer.params for layer in self.layers)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    @property
    def flops(self) -> int:
        """2 x MACs (one multiply and one add each)."""
        return 2 * self.macs

    @property
    def ops(self) -> dict[str, int]:
        """Non-MAC operations by category, every category present."""
        return {category: sum(layer.ops.get(category, 0) for layer in self.layers) for category in OP_CATEGORIES}

    @property
    def activation_bytes(self) -> int:
        """Sum of every layer's output size in bytes (batch 1)."""
        return sum(layer.output_bytes for layer in self.layers)

    @property
    def largest_activation_bytes(self) -> int:
        return max((layer.output_bytes for layer in self.layers), default=0)

    def to_frame(self, with_percent: bool = True) -> pd.DataFrame:
        """The per-layer table; ``% params`` and ``% MACs`` columns of the totals if asked."""
        import pandas as pd

        frame = pd.DataFrame([layer.as_row() for layer in self.layers])
        if frame.empty:
            return frame
        frame["groups"] = frame["groups"].astype("Int64")
        if with_percent:
            frame.insert(frame.columns.get_loc("params") + 1, "% params", _percent(frame["params"], self.params))
            frame.insert(frame.columns.get_loc("MACs") + 1, "% MACs", _percent(frame["MACs"], self.macs))
        return frame

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict: totals, shapes, ops and per-layer rows."""
        return {
            "params": self.params,
            "macs": self.macs,
            "flops": self.flops,
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output_shape),
            "ops": self.ops,
            "activation_bytes": self.activation_bytes,
            "skipped": list(self.skipped),
            "layers": [
                {
                    "name": layer.name,
                    "type": layer.type,
                    "input_shape": list(layer.input_shape or ()),
                    "output_shape": list(layer.output_shape or ()),
                    "kernel": layer.kernel,
                    "stride": layer.stride,
                    "groups": layer.groups,
                    "params": layer.params,
                    "macs": layer.macs,
                    "ops": dict(layer.ops),
                    "output_bytes": layer.output_bytes,
                }
                for layer in self.layers
            ],
        }


def _percent(values: pd.Series, total: int) -> pd.Series:
    return (100.0 * values / total).round(2) if total else values * 0.0


def _shape_text(shape: tuple[int, ...] | None) -> str:
    return " x ".join(map(str, shape)) if shape else "-"


def _pair_text(value: Any) -> str:
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    return "x".join(map(str, values))


def _conv_cost(module: nn.Module, inputs: Sequence[torch.Tensor], output: torch.Tensor) -> tuple[int, dict[str, int]]:
    per_output = module.in_channels // module.groups * math.prod(module.kernel_size)
    ops = {"bias": output.numel()} if module.bias is not None else {}
    return output.numel() * per_output, ops


def _linear_cost(module: nn.Module, inputs: Sequence[torch.Tensor], output: torch.Tensor) -> tuple[int, dict[str, int]]:
    ops = {"bias": output.numel()} if module.bias is not None else {}
    return output.numel() * module.in_features, ops


def _batchnorm_cost(module: nn.Module, inputs: Sequence[torch.Tensor], output: torch.Tensor) -> tuple[int, dict[str, int]]:
    return 0, {"batchnorm": 2 * output.numel()}


def _activation_cost(module: nn.Module, inputs: Sequence[torch.Tensor], output: torch.Tensor) -> tuple[int, dict[str, int]]:
    return 0, {"activation": OPS_PER_ELEMENT[type(module)] * output.numel()}


def _adaptive_pool_cost(module: nn.Module, inputs: Sequence[torch.Tensor], output: torch.Tensor) -> tuple[int, dict[str, int]]:
    return 0, {"pooling": inputs[0].numel()}


def _window_pool_cost(module: nn.Module, inputs: Sequence[torch.Tensor], output: torch.Tensor) -> tuple[int, dict[str, int]]:
    kernel = module.kernel_size if isinstance(module.kernel_size, tuple) else (module.kernel_size,) * 2
    return 0, {"pooling": output.numel() * math.prod(kernel)}


def _scale_cost(module: nn.Module, inputs: Sequence[torch.Tensor], output: torch.Tensor) -> tuple[int, dict[str, int]]:
    return 0, {"se_multiply": output.numel()}


def _add_cost(module: nn.Module, inputs: Sequence[torch.Tensor], output: torch.Tensor) -> tuple[int, dict[str, int]]:
    return 0, {"residual_add": output.numel()}


def _free_cost(module: nn.Module, inputs: Sequence[torch.Tensor], output: torch.Tensor) -> tuple[int, dict[str, int]]:
    return 0, {}


CostRule = Callable[[nn.Module, Sequence[torch.Tensor], torch.Tensor], tuple[int, dict[str, int]]]

COST_RULES: dict[type[nn.Module], CostRule] = {
    nn.modules.conv._ConvNd: _conv_cost,
    nn.Linear: _linear_cost,
    nn.modules.batchnorm._BatchNorm: _batchnorm_cost,
    nn.AdaptiveAvgPool2d: _adaptive_pool_cost,
    nn.AdaptiveMaxPool2d: _adaptive_pool_cost,
    nn.AvgPool2d: _window_pool_cost,
    nn.MaxPool2d: _window_pool_cost,
    ChannelScale: _scale_cost,
    ResidualAdd: _add_cost,
} | {activation: _activation_cost for activation in OPS_PER_ELEMENT} | {free: _free_cost for free in FREE_MODULES}


def _rule_for(module: nn.Module) -> CostRule | None:
    for cls in type(module).__mro__:
        if cls in COST_RULES:
            return COST_RULES[cls]
    return None


_HOOK_DICTS = (
    "_forward_hooks", "_forward_hooks_with_kwargs", "_forward_hooks_always_called", "_forward_pre_hooks",
    "_forward_pre_hooks_with_kwargs", "_backward_hooks", "_backward_pre_hooks",
)


def _meta_tensor(tensor: torch.Tensor | None) -> torch.Tensor | None:
    if tensor is None or tensor.is_meta:
        return tensor
    meta = torch.empty_like(tensor, device="meta")
    return nn.Parameter(meta, requires_grad=tensor.requires_grad) if isinstance(tensor, nn.Parameter) else meta


def _memo_meta(tensor: torch.Tensor | None, memo: dict[int, Any]) -> torch.Tensor | None:
    """The meta stand-in for ``tensor``, made once per tensor (meta tensors are shared as they are)."""
    if id(tensor) not in memo:
        memo[id(tensor)] = _meta_tensor(tensor)
    return memo[id(tensor)]


def _meta_copy(module: nn.Module, memo: dict[int, Any] | None = None) -> nn.Module:
    """A structural copy of ``module`` in eval mode, with meta parameters and buffers and no hooks.

    Each module is copied shallowly and gets its own parameter, buffer, child and hook dicts,
    so nothing done to the copy reaches the original; a module or tensor used twice in the
    original is used twice in the copy.
    """
    memo = {} if memo is None else memo
    if id(module) in memo:
        return memo[id(module)]
    clone = copy.copy(module)
    memo[id(module)] = clone
    state = clone.__dict__
    for attr in ("_parameters", "_buffers"):
        state[attr] = {name: _memo_meta(t, memo) for name, t in getattr(module, attr).items()}
    state["_modules"] = {name: _meta_copy(child, memo) if child is not None else None for name, child in module._modules.items()}
    for attr in _HOOK_DICTS:
        state[attr] = OrderedDict()
    state["training"] = False
    return clone


# Containers whose forward only calls their children (every op is then inside a counted leaf).
CHILDREN_ONLY_FORWARDS = frozenset({
    nn.Sequential.forward, SqueezeExcite.forward, InvertedBottleneck.forward, FusedMBConv.forward, Network.forward,
})

# --- Functional ops: aten ops run outside a counted leaf module ---------------------------------------
#
# The dispatch mode below mirrors torch.utils.flop_counter's _FlopCounterMode (the same metadata ops
# let through, the same decompositions tried, the same flop_registry formulas), so the MACs it finds
# plus those of the conv and linear rules equal FlopCounterMode's total / 2.

_METADATA_OPS = frozenset({
    torch.ops.aten.sym_is_contiguous.default, torch.ops.aten.is_contiguous.default,
    torch.ops.aten.is_contiguous.memory_format, torch.ops.aten.is_strides_like_format.default,
    torch.ops.aten.is_non_overlapping_and_dense.default, torch.ops.aten.size.default,
    torch.ops.aten.sym_size.default, torch.ops.aten.stride.default, torch.ops.aten.sym_stride.default,
    torch.ops.aten.storage_offset.default, torch.ops.aten.sym_storage_offset.default,
    torch.ops.aten.numel.default, torch.ops.aten.sym_numel.default, torch.ops.aten.dim.default,
    torch.ops.prim.layout.default,
})

# Ops that move, copy or reshape data and compute nothing.
FREE_OPS: frozenset[str] = frozenset({
    "view", "_unsafe_view", "reshape", "_reshape_alias", "permute", "transpose", "t", "expand", "unsqueeze",
    "squeeze", "flatten", "contiguous", "clone", "cat", "stack", "split", "split_with_sizes", "chunk", "unbind",
    "select", "slice", "narrow", "detach", "alias", "as_strided", "_to_copy", "copy_", "empty", "empty_like",
    "new_empty", "new_zeros", "zeros", "zeros_like", "ones", "ones_like", "full", "fill_", "constant_pad_nd",
    "lift_fresh", "roll", "flip", "repeat", "index_select", "pixel_shuffle", "channel_shuffle", "dropout",
    "native_dropout", "arange", "lift_fresh_copy", "scalar_tensor", "_local_scalar_dense", "pad", "index",
    "_unsafe_index", "gather", "upsample_nearest2d", "expand_copy", "permute_copy", "view_copy",
})

_ACTIVATION_OPS: dict[str, str] = {
    "relu": "relu", "hardtanh": "relu6", "sigmoid": "sigmoid", "hardsigmoid": "hsigmoid", "silu": "swish",
    "hardswish": "hswish", "gelu": "gelu", "mish": "mish", "tanh": "tanh",
}
_BATCHNORM_OPS = frozenset({"native_batch_norm", "_native_batch_norm_legit", "_native_batch_norm_legit_no_training"})
_GLOBAL_POOL_OPS = frozenset({"mean", "_adaptive_avg_pool2d", "adaptive_max_pool2d", "adaptive_avg_pool2d"})
_WINDOW_POOL_OPS = frozenset({"avg_pool2d", "max_pool2d_with_indices", "max_pool2d"})


def _functional_op_cost(op: str, args: Sequence[Any], out: Any) -> tuple[str, int] | None:
    """(category, ops) of one non-MAC aten op by the conventions of :data:`OP_CATEGORIES`, or None."""
    op = op.rstrip("_")
    tensors = [a for a in args if isinstance(a, torch.Tensor)]
    first = out[0] if isinstance(out, (tuple, list)) else out
    if op in _ACTIVATION_OPS:
        return "activation", REGISTRY[_ACTIVATION_OPS[op]].ops_per_element * first.numel()
    if op in _BATCHNORM_OPS:
        return "batchnorm", 2 * first.numel()
    if op in _GLOBAL_POOL_OPS:
        return "pooling", tensors[0].numel()
    if op in _WINDOW_POOL_OPS:
        return "pooling", first.numel() * math.prod(_pair(args[1]))
    if op in ("add", "sub") and len(tensors) == 2 and tensors[0].shape == tensors[1].shape:
        return "residual_add", first.numel()
    if op == "mul" and len(tensors) == 2 and tensors[0].shape != tensors[1].shape:
        return "se_multiply", first.numel()
    return None


def _pair(value: Any) -> tuple[int, ...]:
    return tuple(value) * (2 if len(value) == 1 else 1) if isinstance(value, (tuple, list)) else (value, value)


@functools.cache
def _decomposable(func: torch._ops.OpOverload) -> bool:
    """Whether ``func.decompose`` would do anything (the test inside ``OpOverload.decompose``), cached per op."""
    key = torch._C.DispatchKey.CompositeImplicitAutograd
    if func is torch.ops.prim.device.default:
        return False
    return key in func.py_kernels or torch._C._dispatch_has_kernel_for_dispatch_key(func.name(), key)


@dataclass
class _Functional:
    """MACs and ops of one aten op type inside one call of a non-leaf module (one row)."""

    name: str
    module: nn.Module
    op: str
    macs: int = 0
    ops: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Frame:
    name: str
    module: nn.Module
    key: int
    leaf: bool
    ruled: bool


class _OpTracker(TorchDispatchMode):
    """Sees every aten op of the meta trace and charges it to the innermost module call.

    Ops inside a leaf with a cost rule are that rule's business; MACs inside a leaf without a rule
    go to that leaf's row; ops inside a container (a block's ``x + shortcut``, an attention's
    ``q @ k``) go to one ``aten.<op>`` row per op type and call, named after the container.
    Non-MAC ops without a convention are listed in :attr:`skipped`; a leaf without a rule that only
    moves data (a permute, an inactive stochastic depth) is not in :attr:`computing_leaves`.
    """

    def __init__(self, calls: list) -> None:
        super().__init__()
        self.calls = calls
        self.stack: list[_Frame] = []
        self.leaf_macs: dict[int, int] = {}
        self.computing_leaves: set[int] = set()
        self.skipped: list[str] = []
        self._rows: dict[tuple[int, str], _Functional] = {}
        self._count = 0

    def enter_on_call(self, name: str, module: nn.Module, leaf: bool) -> None:
        frame_of = {"name": name, "leaf": leaf, "ruled": leaf and _rule_for(module) is not None}

        def push(mod: nn.Module, inputs: tuple) -> None:
            self._count += 1
            self.stack.append(_Frame(module=mod, key=self._count, **frame_of))

        module.register_forward_pre_hook(push)

    def leave_after_call(self, module: nn.Module) -> None:
        def pop(mod: nn.Module, inputs: tuple, output: Any) -> None:
            self.stack.pop()

        module.register_forward_hook(pop)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001 - torch's signature
        kwargs = kwargs or {}
        inside_rule = self.stack and self.stack[-1].ruled  # a conv or linear rule counts these: no decomposition
        if inside_rule or func in _METADATA_OPS or isinstance(func, torch._ops.HigherOrderOperator):
            return func(*args, **kwargs)
        if _decomposable(func):
            with self:
                result = func.decompose(*args, **kwargs)
            if result is not NotImplemented:
                return result
        out = func(*args, **kwargs)
        if self.stack:
            self._charge(self.stack[-1], func, args, kwargs, out)
        return out

    def _charge(self, frame: _Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
        packet = func._overloadpacket
        if packet in flop_registry:
            macs = flop_registry[packet](*args, **kwargs, out_val=out) // 2
            if frame.leaf:
                self.leaf_macs[frame.key] = self.leaf_macs.get(frame.key, 0) + macs
            else:
                self._row(frame, func._opname).macs += macs
            return
        if func._opname in FREE_OPS:
            return
        if frame.leaf:
            self.computing_leaves.add(frame.key)
            return
        cost = _functional_op_cost(func._opname, args, out)
        if cost is None:
            self.skipped.append(f"aten.{func._opname}")
            return
        row = self._row(frame, func._opname)
        row.ops[cost[0]] = row.ops.get(cost[0], 0) + cost[1]

    def _row(self, frame: _Frame, op: str) -> _Functional:
        key = (frame.key, op)
        if key not in self._rows:
            self._rows[key] = _Functional(frame.name, frame.module, op)
            self.calls.append(self._rows[key])
        return self._rows[key]


def _functional_layer(record: _Functional, seen_params: set[int]) -> LayerCost:
    """The row of an op type inside a container; it owns the container's own parameters (a layer scale)."""
    own = [p for p in record.module.parameters(recurse=False) if id(p) not in seen_params]
    seen_params.update(id(p) for p in own)
    return LayerCost(
        name=record.name, type=f"aten.{record.op}", input_shape=None, output_shape=None, kernel="", stride="",
        groups=None, params=sum(p.numel() for p in own), macs=int(record.macs), ops=dict(record.ops),
        output_bytes=0,
    )

@dataclass
class _Call:
    name: str
    module: nn.Module
    inputs: tuple[torch.Tensor, ...]
    output: torch.Tensor
    key: int = -1


def _trace_leaf_calls(shadow: nn.Module, input_shape: tuple[int, ...]) -> tuple[list, torch.Tensor, _OpTracker]:
    calls: list[_Call | _Functional] = []
    tracker = _OpTracker(calls)

    def recorder(name: str) -> Callable:
        def hook(module: nn.Module, inputs: tuple, output: Any) -> None:
            tensors = tuple(item for item in inputs if isinstance(item, torch.Tensor))
            calls.append(_Call(name, module, tensors, output, tracker.stack[-1].key))

        return hook

    for name, child in shadow.named_modules():
        leaf = not any(True for _ in child.children())
        tracker.enter_on_call(name or type(child).__name__, child, leaf)
        if leaf and not isinstance(child, nn.Identity):
            child.register_forward_hook(recorder(name or type(child).__name__))
            if isinstance(child, SHAPE_PRESERVING):
                child.forward = _pass_through
            elif (forward := shape_only_forward(child)) is not None:
                child.forward = forward
        tracker.leave_after_call(child)
    with torch.no_grad():
        sample = torch.empty((1, *input_shape), device="meta")
        with tracker if _has_functional_ops(shadow) else contextlib.nullcontext():
            output = shadow(sample)
    return calls, output, tracker


def _has_functional_ops(module: nn.Module) -> bool:
    """Whether any op may run outside a counted leaf: a container whose ``forward`` is not known to call only
    its children, or a leaf without a cost rule. The project's own blocks and networks have neither, so
    their trace needs no dispatch mode (entering one imports ``torch._dynamo``, about 2 s, once per process).
    """
    for child in module.modules():
        leaf = not any(True for _ in child.children())
        if leaf and not isinstance(child, nn.Identity) and _rule_for(child) is None:
            return True
        if not leaf and type(child).forward not in CHILDREN_ONLY_FORWARDS:
            return True
    return False


def _layer_from_call(call: _Call, seen_params: set[int], functional_macs: int = 0) -> tuple[LayerCost, bool]:
    module = call.module
    own = [p for p in module.parameters(recurse=False) if id(p) not in seen_params]
    seen_params.update(id(p) for p in own)
    rule = _rule_for(module)
    macs, ops = rule(module, call.inputs, call.output) if rule else (0, {})
    macs += functional_macs
    output = call.output if isinstance(call.output, torch.Tensor) else None
    layer = LayerCost(
        name=call.name,
        type=type(module).__name__,
        input_shape=tuple(call.inputs[0].shape[1:]) if call.inputs else None,
        output_shape=tuple(output.shape[1:]) if output is not None else None,
        kernel=_pair_text(module.kernel_size) if hasattr(module, "kernel_size") else "",
        stride=_pair_text(module.stride) if hasattr(module, "stride") else "",
        groups=getattr(module, "groups", None) if isinstance(module, nn.modules.conv._ConvNd) else None,
        params=sum(p.numel() for p in own),
        macs=int(macs),
        ops={key: int(value) for key, value in ops.items()},
        output_bytes=output.numel() * output.element_size() if output is not None else 0,
        counted=rule is not None,
    )
    return layer, rule is not None


def _unexecuted_params(shadow: nn.Module, seen_params: set[int]) -> list[LayerCost]:
    """Rows for parameters no executed leaf owns (unused modules, params on containers)."""
    rows = []
    for name, module in shadow.named_modules():
        own = [p for p in module.parameters(recurse=False) if id(p) not in seen_params]
        if own:
            seen_params.update(id(p) for p in own)
            rows.append(
                LayerCost(
                    name=name or type(module).__name__, type=type(module).__name__, input_shape=None,
                    output_shape=None, kernel="", stride="", groups=None,
                    params=sum(p.numel() for p in own), macs=0, ops={}, output_bytes=0, counted=False,
                )
            )
    return rows


@dataclass(frozen=True)
class LeafCall:
    """One call of a leaf module in the meta trace: the module (of the private meta copy), its meta
    input and output tensors, and the row the engine counted for that call."""

    module: nn.Module
    inputs: tuple[torch.Tensor, ...]
    output: Any
    layer: LayerCost


@dataclass(frozen=True)
class CostTrace:
    """The cost report of a module and the leaf calls its rows come from (the referee applies other
    counters' rules to the same calls)."""

    report: CostReport
    leaf_calls: tuple[LeafCall, ...]


def trace_costs(module: nn.Module, input_shape: Sequence[int]) -> CostTrace:
    """:func:`count_costs`'s report of ``module`` for one input, with every leaf-module call behind its rows.

    Rows that are not leaf calls (ops a container runs itself, parameters no executed layer owns)
    are in the report only. Arguments and errors as :func:`count_costs`.
    """
    shape = tuple(int(d) for d in input_shape)
    if not shape or any(d < 1 for d in shape):
        raise ValueError(f"input_shape: every dimension must be a positive whole number, got {tuple(input_shape)!r}.")
    shadow = _meta_copy(module)
    try:
        calls, output, tracker = _trace_leaf_calls(shadow, shape)
    except RuntimeError as error:
        raise ValueError(f"input_shape: {shape} does not fit this module ({str(error).splitlines()[0]}).") from error
    seen: set[int] = set()
    layers, skipped, leaf_calls = [], [], []
    for call in calls:
        if isinstance(call, _Functional):
            layers.append(_functional_layer(call, seen))
            continue
        layer, counted = _layer_from_call(call, seen, tracker.leaf_macs.get(call.key, 0))
        if not counted and call.key not in tracker.computing_leaves:
            layer, counted = dataclasses.replace(layer, counted=True), True
        layers.append(layer)
        leaf_calls.append(LeafCall(call.module, call.inputs, call.output, layer))
        if not counted:
            skipped.append(layer.type)
    skipped += tracker.skipped
    layers.extend(_unexecuted_params(shadow, seen))
    out_shape = tuple(output.shape[1:]) if isinstance(output, torch.Tensor) else ()
    return CostTrace(CostReport(shape, out_shape, tuple(layers), tuple(dict.fromkeys(skipped))), tuple(leaf_calls))


def count_costs(module: nn.Module, input_shape: Sequence[int]) -> CostReport:
    """Count params, MACs, other ops and output memory of ``module`` for one input.

    Args:
        module: any module; it is not modified, moved or run.
        input_shape: the shape of one sample without the batch dimension, e.g. ``(3, 224, 224)``.

    Returns:
        A :class:`CostReport` whose rows (one per leaf-module call, in execution order, plus
        rows for parameters no executed layer owns) add up exactly to its totals.

    Raises:
        ValueError: the input shape does not fit the module.
    """
    return trace_costs(module, input_shape).report
