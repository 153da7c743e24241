"""Downloadable Python snippets of a block or a network: plain PyTorch, one self-contained file.

A snippet imports only torch. It carries the source of the parts it needs, copied from
:mod:`explorer.export.plain_torch` (Conv-Norm-Act, squeeze-excite, the inverted bottleneck,
the network container, a small MAC counter), then a ``build()`` function with this block's
hyperparameters or this network's table, one row per line as in the paper. Run as a script it
estimates the memory of one forward pass on the meta device (refused above ``MEMORY_BUDGET_MIB``,
saying what to lower), builds the module, counts its parameters and MACs with forward hooks,
exactly as the explorer counts them, and runs one forward pass on a random image.

Papers: MobileNetV1 (https://arxiv.org/abs/1704.04861), MobileNetV2 (https://arxiv.org/abs/1801.04381),
MobileNetV3 (https://arxiv.org/abs/1905.02244), EfficientNet (https://arxiv.org/abs/1905.11946),
EfficientNetV2 (https://arxiv.org/abs/2104.00298).
"""

from __future__ import annotations

import ast
import functools
import inspect
from typing import Any

from explorer.analysis.counting import block_report, network_totals
from explorer.export import plain_torch
from explorer.models.activations import REGISTRY, canonical_activation
from explorer.models.networks.design import DesignSpec
from explorer.models.networks.tables import BlockRow, NetworkSpec, NetworkTable, block_specs, network_table
from explorer.models.specs import BLOCK_KINDS, BlockSpec

ROW_FIELDS = (
    "kernel_size", "stride", "in_channels", "out_channels", "groups", "expansion", "expanded_channels", "se_ratio", "activation",
    "gate",
)
SNIPPET_MEMORY_BUDGET_MIB = 1024  # what the snippet's own forward pass may take (it runs on the user's machine)
RESIDUAL_KINDS = ("inverted_residual", "bneck", "mbconv", "fused_mbconv")  # the blocks that take ``skip``


@functools.cache
def _parts() -> dict[str, tuple[str, frozenset[str]]]:
    """Every top-level class, function and alias of :mod:`plain_torch`: name -> (source, names it uses)."""
    source = inspect.getsource(plain_torch)
    lines = source.splitlines()
    parts = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            name = node.name
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        else:
            continue
        used = frozenset(child.id for child in ast.walk(node) if isinstance(child, ast.Name))
        parts[name] = ("\n".join(lines[node.lineno - 1 : node.end_lineno]), used)
    return parts


def _needed_source(roots: set[str]) -> str:
    """The source of ``roots`` and every part they use, in :mod:`plain_torch`'s order."""
    parts, needed, todo = _parts(), set(), list(roots)
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo.extend(parts[name][1] & parts.keys())
    return "\n\n\n".join(source for name, (source, _) in parts.items() if name in needed)


def _literal(name: str, value: Any) -> str:
    """Python source for one argument: activations as their ``torch.nn`` class (``nn.SiLU``) or ``None``, t as 6 not 6.0."""
    if name in ("activation", "gate"):
        module = REGISTRY[canonical_activation(value, tuple(REGISTRY))].module
        return "None" if module.__name__ == "Identity" else f"nn.{module.__name__}"
    if name == "expansion" and float(value).is_integer():
        return str(int(value))
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _file(title: str, paper: str, params: int, macs: int, body: str, roots: set[str], input_shape: tuple[int, ...]) -> str:
    """A whole snippet: docstring, imports, the parts ``roots`` need, ``body`` (defines ``build``) and the script part."""
    code = f"{_needed_source(roots | {'forward_memory'})}\n\n\n{body}"
    imports = "from collections import OrderedDict\n\n" if "OrderedDict" in code else ""
    paper_line = f"Paper: {paper}\n" if paper else ""
    return (
        f'"""{title}: plain PyTorch, needs only torch.\n\n{paper_line}'
        "Exported from the efficient-CNN explorer. Run it as a script: it builds the model, counts its\n"
        "parameters and MACs (multiply-accumulates of the conv and linear layers, for one image) with forward\n"
        "hooks, runs one forward pass on a random image and prints the output shape. It first estimates that pass's\n"
        "memory on the meta device and refuses it above MEMORY_BUDGET_MIB.\n"
        f"The explorer counts: params {params:,}  MACs {macs:,}\n"
        '"""\n\n'
        f"from __future__ import annotations\n\n{imports}import torch\nfrom torch import nn\n\n"
        f"{code}\n\n\n"
        f"INPUT_SHAPE = {input_shape!r}  # channels, height, width of one image\n"
        f"MEMORY_BUDGET_MIB = {SNIPPET_MEMORY_BUDGET_MIB}  # the forward pass below is refused above this; "
        "raise it on a larger machine\n\n"
        'if __name__ == "__main__":\n'
        "    needed = forward_memory(build, INPUT_SHAPE)  # on the meta device: nothing allocated yet\n"
        "    if needed > MEMORY_BUDGET_MIB * 2**20:\n"
        '        raise SystemExit(f"INPUT_SHAPE {INPUT_SHAPE}: one forward pass needs about {needed / 2**20:,.0f} MiB, over "\n'
        '                         f"MEMORY_BUDGET_MIB = {MEMORY_BUDGET_MIB:,}; lower the height and width in INPUT_SHAPE, "\n'
        '                         "or raise MEMORY_BUDGET_MIB.")\n'
        "    torch.manual_seed(0)\n"
        "    model = build().eval()\n"
        "    params, macs, output = count(model, torch.randn(1, *INPUT_SHAPE))\n"
        '    print(f"params {params:,}  MACs {macs:,}")\n'
        '    print("output shape:", tuple(output.shape))\n'
    )


def block_snippet(spec: BlockSpec) -> str:
    """A plain-PyTorch script that builds ``spec``'s block, counts it as the explorer does and runs it once."""
    arguments = []
    for name, value in spec.to_dict().items():
        if name == "kind" or (name == "size" and spec.kind != "gdc"):
            continue
        argument, text = ("batch_norm", repr(value == "batch")) if name == "norm" else (name, _literal(name, value))
        arguments.append(f"        {argument}={text},\n")
    body = (
        "def build() -> nn.Module:\n"
        f'    """{spec.info.label} with the hyperparameters chosen in the explorer."""\n'
        f"    return {spec.kind}(\n{''.join(arguments)}    )"
    )
    report = block_report(spec)
    title = f"{spec.info.label}, input {spec.in_channels} x {spec.size} x {spec.size}"
    return _file(title, spec.info.paper, report.params, report.macs, body, {spec.kind, "count"},
                 (spec.in_channels, spec.size, spec.size))


def _row_line(row: BlockRow, size: int) -> str:
    """One table row as ``dict(block=mbconv, repeats=2, kernel_size=3, ...)``, only the fields its block takes.

    ``size`` is the map entering the row; only the global depthwise conv (gdc) needs it, as its kernel.
    """
    applicable = BLOCK_KINDS[row.operator].params
    values = {name: getattr(row, name) for name in ROW_FIELDS if name in applicable}
    values.pop("expanded_channels" if row.expanded_channels is None else "expansion", None)
    if not row.se_ratio:
        values.pop("gate", None)
    if row.operator == "gdc":
        values["size"] = size
    if not row.skip and row.operator in RESIDUAL_KINDS:
        values["skip"] = False
    arguments = ", ".join(f"{name}={_literal(name, value)}" for name, value in values.items())
    return f"    dict(block={row.operator}, repeats={row.repeats}, {arguments}),\n"


def _network_body(table: NetworkTable) -> str:
    """``ROWS`` (the paper's table) and ``build()``: stem, stages, head and classifier as the explorer builds them."""
    stem, head = table.stem, table.head
    sizes = [specs[0].size for specs in block_specs(table)]
    head_parts = []
    activation = _literal("activation", head.activation)
    if head.conv_channels:
        widths = f"{table.rows[-1].out_channels}, {head.conv_channels}"
        head_parts.append(f"conv=ConvNormAct({widths}, kernel_size=1, activation={activation})")
    head_parts += ["pool=nn.AdaptiveAvgPool2d(1)", "flatten=nn.Flatten()"]
    if head.hidden_features:
        act = "nn.Identity()" if activation == "None" else f"{activation}()"
        width = head.conv_channels or table.rows[-1].out_channels
        head_parts += [f"fc=nn.Linear({width}, {head.hidden_features})", f"act={act}"]
    head_lines = "".join(f"            {part},\n" for part in head_parts)
    return (
        "# The network's table, one row per line as in its paper, widths and repeats already scaled: `repeats`\n"
        "# blocks made by the function `block`; only the first block of a row has the row's stride and input width.\n"
        f"ROWS = [\n{''.join(map(_row_line, table.rows, sizes))}]\n\n\n"
        "def build() -> Network:\n"
        f'    """{table.title}: stem, one stage per table row, head, classifier."""\n'
        "    return Network(\n"
        f"        stem=ConvNormAct(3, {stem.out_channels}, kernel_size={stem.kernel_size}, stride={stem.stride}, "
        f"padding={(stem.kernel_size - 1) // 2}, activation={_literal('activation', stem.activation)}),\n"
        f"        stages=build_stages(ROWS, stochastic_depth_prob={table.stochastic_depth_prob!r}),\n"
        f"        head=nn.Sequential(OrderedDict(\n{head_lines}        )),\n"
        f"        classifier=nn.Sequential(OrderedDict(dropout=nn.Dropout(p={table.head.dropout!r}), "
        f"fc=nn.Linear({table.features}, {table.num_classes}))),\n"
        "    )"
    )


def network_snippet(spec: NetworkSpec | DesignSpec) -> str:
    """A plain-PyTorch script that builds the network ``spec`` describes, counts it as the explorer does and runs it once."""
    table = network_table(spec)
    params, macs = network_totals(spec)
    roots = {"Network", "ConvNormAct", "build_stages", "count"} | {row.operator for row in table.rows}
    paper = spec.family.paper if hasattr(spec, "family") else ""
    return _file(spec.label, paper, params, macs, _network_body(table), roots,
                 (3, spec.resolution, spec.resolution))
