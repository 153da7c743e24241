"""The referee: what torchinfo, fvcore, ptflops, thop and FlopCounterMode report for a module, and why.

The counters disagree (on EfficientNet-B0: 385.8 M to 415.1 M) because each folds a different
subset of the non-MAC operations into one number, with its own per-element cost
(:mod:`explorer.analysis.peer_rules`). This module runs each tool on the very module given and
explains its total as a sum over this project's categories under that tool's rule, plus a
residual: ``macs == sum(explained.values()) + residual`` always, and the residual is located per
layer (the tool's own count for a layer minus what its rule predicts there).

How the tools are run (isolation):

- each on its own private copy of the module, in eval mode, with real tensors at batch 1 (a
  module on the meta device is first materialised, weights zero: counts do not depend on values);
  the caller's module is fingerprinted before and after and must be unchanged;
- one run at a time per process (ptflops patches ``torch.nn.functional`` for the duration of its
  run and puts everything back; any global it left changed is restored and reported);
- warnings silenced, stdout, stderr and log output of the tools captured;
- memory and time are estimated first on the meta device (:mod:`explorer.analysis.memory`) and a
  configuration that would not fit is refused with a ValueError naming what to lower;
- a tool that fails on a model gives a row "could not count: <reason>" instead of an exception.
"""

from __future__ import annotations

import contextlib
import copy
import io
import itertools
import logging
import threading
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from explorer.analysis.costs import CostReport, trace_costs
from explorer.analysis.measure import BLOCK_HINT, DEFAULT_MEMORY_BUDGET, NETWORK_HINT, check_budget, check_feasible
from explorer.analysis.memory import memory_report
from explorer.analysis.peer_rules import CATEGORIES, TOOLS, layer_category
from explorer.models.blocks import build_block
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import NetworkSpec, network_table
from explorer.models.specs import BlockSpec

DEFAULT_BUDGET_S = 60.0
TOOL_PASSES = 6  # five tools, one forward pass each, plus the fvcore JIT trace's overhead
HINT = "lower the input size, the channels or the expansion"

# Quickest first, so that a budget used up on a busy server leaves out the slowest (fvcore's JIT trace).
RUN_ORDER = ("flop_counter", "thop", "torchinfo", "ptflops", "fvcore")

_RUN_LOCK = threading.Lock()


@dataclass(frozen=True)
class PeerCount:
    """One tool's total on one module and its reconciliation with this project's categories.

    ``macs`` is the tool's total in MACs (FlopCounterMode's FLOPs / 2; the others report MACs under
    one name or another), ``reported`` the number as the tool prints it. ``explained`` is what the
    tool's rule gives per category; ``residual = macs - sum(explained)``, located per layer in
    ``residual_layers``. ``layers`` is the tool's own count per module name (MACs).
    """

    tool: str
    label: str
    unit: str
    reported: int | None = None
    macs: int | None = None
    explained: dict[str, int] = field(default_factory=dict)
    predicted_layers: dict[str, int] = field(default_factory=dict)
    layers: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    notes: tuple[str, ...] = ()

    @property
    def residual(self) -> int:
        return 0 if self.macs is None else self.macs - sum(self.explained.values())

    @property
    def residual_layers(self) -> dict[str, int]:
        """Per module name: the tool's own count minus its rule's prediction, where they differ."""
        names = dict.fromkeys([*self.predicted_layers, *self.layers])
        diffs = {name: self.layers.get(name, 0) - self.predicted_layers.get(name, 0) for name in names}
        return {name: diff for name, diff in diffs.items() if diff}

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label, "macs": self.macs, "reported": self.reported, "unit": self.unit,
            "explained": dict(self.explained), "residual": self.residual, "residual_layers": self.residual_layers,
            "error": self.error, "seconds": round(self.seconds, 3), "notes": list(self.notes),
        }


@dataclass(frozen=True)
class LayerCall:
    """One leaf call as this project counts it, with every tool's rule applied to it."""

    name: str
    type: str
    category: str
    ours: dict[str, int]
    rules: dict[str, dict[str, int] | None]


@dataclass(frozen=True)
class RefereeReport:
    """Our count of a module beside every peer tool's, with the reconciliation of each."""

    input_shape: tuple[int, ...]
    ours: CostReport
    calls: tuple[LayerCall, ...]
    peers: tuple[PeerCount, ...]

    @property
    def ours_explained(self) -> dict[str, int]:
        """Our MACs and every other category, as counted by :mod:`explorer.analysis.costs`."""
        return {"MACs": self.ours.macs, **self.ours.ops}

    def peer(self, tool: str) -> PeerCount:
        return next(peer for peer in self.peers if peer.tool == tool)

    def to_dict(self) -> dict[str, Any]:
        """``{tool: {"macs", "explained", "residual", ...}}`` plus ``explorer`` (ours)."""
        ours = {"label": "this project", "macs": self.ours.macs, "explained": self.ours_explained, "residual": 0}
        return {"input_shape": list(self.input_shape), "explorer": ours} | {p.tool: p.to_dict() for p in self.peers}


def _fingerprint(module: nn.Module) -> tuple:
    """Everything a counter could change on a module: attributes, hooks, mode, tensors and their versions."""
    rows = []
    for name, sub in module.named_modules(remove_duplicate=False):
        hooks = tuple(len(value) for key, value in vars(sub).items() if key.endswith("hooks") and isinstance(value, dict))
        tensors = tuple((key, t.device.type, t.data_ptr(), t._version, tuple(t.shape))
                        for key, t in itertools.chain(sub._parameters.items(), sub._buffers.items()) if t is not None)
        rows.append((name, type(sub), sub.training, tuple(sorted(vars(sub))), hooks, tensors))
    return tuple(rows)


_PATCHABLE = (
    *((F, name) for name in ("relu", "prelu", "elu", "relu6", "gelu", "silu", "softmax", "upsample", "interpolate",
                             "avg_pool1d", "avg_pool2d", "avg_pool3d", "max_pool1d", "max_pool2d", "max_pool3d",
                             "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
                             "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d", "linear")),
    *((owner, name) for owner in (torch, torch.Tensor) for name in ("matmul", "mm", "bmm", "addmm", "mul", "add")),
    (torch, "baddbmm"),
)
_GLOBAL_HOOKS = ("_global_forward_pre_hooks", "_global_forward_hooks", "_global_forward_hooks_always_called",
                 "_global_backward_pre_hooks", "_global_backward_hooks", "_global_module_registration_hooks")


def _global_state() -> tuple[dict, dict]:
    module_globals = vars(nn.modules.module)
    return ({key: getattr(*key) for key in _PATCHABLE},
            {name: dict(module_globals[name]) for name in _GLOBAL_HOOKS if name in module_globals})


def _restore(before: tuple[dict, dict]) -> list[str]:
    """Put back every global a tool left changed; the names of what was put back."""
    attributes, hooks = before
    fixed = []
    for (owner, name), value in attributes.items():
        if getattr(owner, name) is not value:
            setattr(owner, name, value)
            fixed.append(f"{getattr(owner, '__name__', owner)}.{name}")
    module_globals = vars(nn.modules.module)
    for name, saved in hooks.items():
        if module_globals[name] != saved:
            module_globals[name].clear()
            module_globals[name].update(saved)
            fixed.append(name)
    return fixed


@contextlib.contextmanager
def _isolated(notes: list[str]) -> Iterator[io.StringIO]:
    """Warnings off, stdout/stderr and logging captured, globals checked and restored afterwards."""
    captured = io.StringIO()
    before = _global_state()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers = [logging.StreamHandler(captured)]
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            warnings.simplefilter("ignore")
            yield captured
    finally:
        root.handlers, root.level = saved_handlers, saved_level
        fixed = _restore(before)
        if fixed:
            notes.append(f"left {', '.join(fixed)} patched; restored")


def _materialised(module: nn.Module) -> nn.Module:
    """A private CPU copy in eval mode; a meta module gets real (zero) tensors of the same shapes."""
    clone = copy.deepcopy(module)
    if any(t.is_meta for t in itertools.chain(clone.parameters(), clone.buffers())):
        clone = clone.to_empty(device="cpu")
        with torch.no_grad():
            for tensor in itertools.chain(clone.parameters(), clone.buffers()):
                tensor.zero_()
    return clone.eval()


def _own_counts(inclusive: dict[str, float], model: nn.Module) -> dict[str, int]:
    """Per module name: its inclusive count minus its direct children's (what happens in its own code)."""
    own = {}
    for name, module in model.named_modules():
        if name not in inclusive:
            continue
        children = sum(inclusive.get(f"{name}.{child}" if name else child, 0) for child, _ in module.named_children())
        own[name] = int(inclusive[name] - children)
    return {name: count for name, count in own.items() if count}


def _run_torchinfo(model: nn.Module, sample: torch.Tensor) -> tuple[int, dict[str, int]]:
    import torchinfo

    stats = torchinfo.summary(model, input_data=[sample], verbose=0, mode="eval")
    names = {id(module): name for name, module in model.named_modules()}
    own: dict[str, int] = defaultdict(int)
    for layer in stats.summary_list:
        if layer.is_leaf_layer and layer.macs:
            own[names.get(id(layer.module), layer.var_name)] += layer.macs
    return int(stats.total_mult_adds), dict(own)


def _run_fvcore(model: nn.Module, sample: torch.Tensor) -> tuple[int, dict[str, int]]:
    from fvcore.nn import FlopCountAnalysis

    analysis = FlopCountAnalysis(model, (sample,))
    analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False).tracer_warnings("none")
    return int(analysis.total()), _own_counts(dict(analysis.by_module()), model)


def _ptflops_functional_total() -> int:
    """The sum of what ptflops' patched functions collected so far (0 outside its run)."""
    found = (getattr(F.relu, "collector", None), getattr(torch.matmul, "collector", None))
    collectors = {id(c): c for c in found if c is not None}
    return int(sum(sum(collector) for collector in collectors.values()))


def _run_ptflops(model: nn.Module, sample: torch.Tensor) -> tuple[int, dict[str, int]]:
    """ptflops as a user calls it (default pytorch backend, functional patching on); its module hooks
    are wrapped to read each module's count, and the patched functions' collectors are read before
    and after every module call to locate the functional part."""
    from ptflops import get_model_complexity_info
    from ptflops.pytorch_ops import MODULES_MAPPING

    hooked: dict[int, int] = {}

    def recording(hook: Callable) -> Callable:
        def wrapped(module: nn.Module, inputs: Any, output: Any) -> None:
            hook(module, inputs, output)
            hooked[id(module)] = int(module.__flops__)
        return wrapped

    functional: dict[str, float] = defaultdict(float)
    started: dict[int, list[int]] = defaultdict(list)
    for name, module in model.named_modules():
        module.register_forward_pre_hook(lambda m, i: started[id(m)].append(_ptflops_functional_total()))
        module.register_forward_hook(lambda m, i, o, name=name: functional.__setitem__(
            name, functional[name] + _ptflops_functional_total() - started[id(m)].pop()))
    total, _ = get_model_complexity_info(
        model, tuple(sample.shape[1:]), print_per_layer_stat=False, as_strings=False,
        input_constructor=lambda _: sample, custom_modules_hooks={t: recording(h) for t, h in MODULES_MAPPING.items()},
    )
    if total is None:
        raise RuntimeError("ptflops returned no count")
    own = _own_counts(dict(functional), model)
    for name, module in model.named_modules():
        if hooked.get(id(module)):
            own[name] = own.get(name, 0) + hooked[id(module)]
    return int(total), own


def _run_thop(model: nn.Module, sample: torch.Tensor) -> tuple[int, dict[str, int]]:
    import thop

    total, _, tree = thop.profile(model, (sample,), verbose=False, ret_layer_info=True)
    inclusive: dict[str, float] = {"": total}

    def walk(prefix: str, branch: dict) -> None:
        for child, (ops, _params, below) in branch.items():
            name = f"{prefix}.{child}" if prefix else child
            inclusive[name] = ops
            walk(name, below)

    walk("", tree)
    return int(total), _own_counts(inclusive, model)


def _run_flop_counter(model: nn.Module, sample: torch.Tensor) -> tuple[int, dict[str, int]]:
    """FlopCounterMode's FLOPs; per module halved to MACs (every formula it has is 2 x MACs)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        model(sample)
    root = type(model).__name__
    counts = counter.get_flop_counts()
    inclusive = {
        name: sum(counts[key].values()) / 2
        for name, _ in model.named_modules()
        if (key := f"{root}.{name}" if name else root) in counts
    }
    return int(counter.get_total_flops()), _own_counts(inclusive, model)


RUNNERS: dict[str, Callable[[nn.Module, torch.Tensor], tuple[int, dict[str, int]]]] = {
    "torchinfo": _run_torchinfo, "fvcore": _run_fvcore, "ptflops": _run_ptflops, "thop": _run_thop,
    "flop_counter": _run_flop_counter,
}


def _leaf_calls(module: nn.Module, input_shape: tuple[int, ...]) -> tuple[CostReport, tuple[LayerCall, ...]]:
    """Our cost report of ``module`` (:func:`~explorer.analysis.costs.count_costs`'s) and every leaf call of
    its trace with each tool's rule applied (meta tensors; the tools see modules, so only leaf calls)."""
    trace = trace_costs(module, input_shape)
    calls = []
    for call in trace.leaf_calls:
        row = call.layer
        ours = {key: value for key, value in {"MACs": row.macs, **row.ops}.items() if value}
        rules = {name: tool.rule(call.module, call.inputs, call.output) for name, tool in TOOLS.items()}
        calls.append(LayerCall(row.name, row.type, layer_category(call.module), ours, rules))
    return trace.report, tuple(calls)


def _reconcile(tool: str, reported: int, layers: dict[str, int], calls: Sequence[LayerCall], seconds: float,
               notes: list[str]) -> PeerCount:
    explained: dict[str, int] = defaultdict(int)
    predicted: dict[str, int] = defaultdict(int)
    for call in calls:
        parts = call.rules[tool]
        if parts is None:
            notes.append(f"{call.type}: this tool's hook for it is not modelled here (its count is in the residual)")
            continue
        for category, count in parts.items():
            explained[category] += count
            predicted[call.name] += count
    spec = TOOLS[tool]
    macs = reported // 2 if tool == "flop_counter" else reported
    return PeerCount(tool, spec.label, spec.unit, reported, macs, {c: explained[c] for c in CATEGORIES if explained[c]},
                     dict(predicted), layers, None, seconds, tuple(dict.fromkeys(notes)))


def _run_tool(tool: str, pristine: nn.Module, sample: torch.Tensor, calls: Sequence[LayerCall]) -> PeerCount:
    spec = TOOLS[tool]
    notes: list[str] = []
    start = time.perf_counter()
    try:
        model = copy.deepcopy(pristine)
        with _isolated(notes), torch.no_grad():
            reported, layers = RUNNERS[tool](model, sample)
    except Exception as error:  # noqa: BLE001 - any failure of a third-party tool becomes a row, not a crash
        reason = " ".join(str(error).split())[:300] or type(error).__name__
        return PeerCount(tool, spec.label, spec.unit, error=f"could not count: {reason}",
                         seconds=time.perf_counter() - start, notes=tuple(notes))
    return _reconcile(tool, reported, layers, calls, time.perf_counter() - start, notes)


def check_referee_feasible(module: nn.Module, input_shape: Sequence[int], budget_s: float = DEFAULT_BUDGET_S,
                           memory_budget: int = DEFAULT_MEMORY_BUDGET, hint: str = HINT,
                           costs: CostReport | None = None) -> None:
    """Refuse (ValueError naming what to lower) a module too large to run the five tools on.

    Memory: the weights twice (a pristine copy and one tool's copy) plus every activation kept at
    once (a JIT trace may hold them all); time: six pessimistic forward passes (one per tool and
    the fvcore trace), estimated on meta tensors before anything is allocated.
    """
    memory = memory_report(module, input_shape, costs=costs)
    every_output = sum(layer.output_bytes for layer in memory.layers)
    held = memory.parameter_bytes + max(every_output - memory.peak_activation_bytes, 0)
    check_feasible(memory, budget_s, memory_budget, hint, passes=TOOL_PASSES, held_bytes=held)


def referee(module: nn.Module, input_shape: Sequence[int], budget_s: float = DEFAULT_BUDGET_S,
            memory_budget: int = DEFAULT_MEMORY_BUDGET, hint: str = HINT,
            tools: Sequence[str] = tuple(TOOLS)) -> RefereeReport:
    """Run every peer counter on ``module`` at batch 1 and reconcile each with our categories.

    Args:
        module: any module (on the meta device or on the CPU); it is copied, never changed.
        input_shape: one sample's shape without the batch dimension, e.g. ``(3, 224, 224)``.
        budget_s: time budget; the tools still to run when it is used up are listed as not run.
        memory_budget: bytes the real copies may take (see :func:`check_referee_feasible`).
        hint: what a user can lower, in words, for the refusal message.
        tools: names from :data:`explorer.analysis.peer_rules.TOOLS`, in the order to run them.

    Raises:
        ValueError: a bad shape, budget or tool name, or a configuration over the budgets.
    """
    shape = tuple(int(d) for d in input_shape)
    unknown = [tool for tool in tools if tool not in TOOLS]
    if unknown:
        raise ValueError(f"tools: unknown {', '.join(unknown)}; valid tools are {', '.join(TOOLS)}.")
    budget_s = check_budget(budget_s)
    with _isolated([]):  # the rules import the tools' dispatch tables, whose imports warn
        ours, calls = _leaf_calls(module, shape)
    check_referee_feasible(module, shape, budget_s, memory_budget, hint, costs=ours)
    before = _fingerprint(module)
    with _RUN_LOCK:
        start = time.perf_counter()
        pristine = _materialised(module)
        sample = torch.randn((1, *shape), generator=torch.Generator().manual_seed(0))
        peers = {}
        for tool in sorted(tools, key=RUN_ORDER.index):
            if time.perf_counter() - start > budget_s:
                spec = TOOLS[tool]
                peers[tool] = PeerCount(tool, spec.label, spec.unit,
                                        error=f"could not count: not run, the {budget_s:g} s time budget was used up")
                continue
            peers[tool] = _run_tool(tool, pristine, sample, calls)
        del pristine
    if _fingerprint(module) != before:
        raise RuntimeError("a peer counter changed the module it was given; this is a bug in explorer.analysis.peers.")
    return RefereeReport(shape, ours, calls, tuple(peers[tool] for tool in tools))


def referee_block(spec: BlockSpec, budget_s: float = DEFAULT_BUDGET_S, tools: Sequence[str] = tuple(TOOLS)) -> RefereeReport:
    """:func:`referee` on the module the Blocks page shows for ``spec`` (built on meta, materialised after the checks)."""
    with torch.device("meta"):
        module = build_block(spec)
    return referee(module, (spec.in_channels, spec.size, spec.size), budget_s, hint=BLOCK_HINT, tools=tools)


def referee_network(spec: NetworkSpec, budget_s: float = DEFAULT_BUDGET_S, tools: Sequence[str] = tuple(TOOLS)) -> RefereeReport:
    """:func:`referee` on the network the Networks page shows for ``spec``."""
    with torch.device("meta"):
        module = build_network(network_table(spec))
    return referee(module, (3, spec.resolution, spec.resolution), budget_s, hint=NETWORK_HINT, tools=tools)
