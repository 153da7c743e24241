"""ONNX files, parsed and never executed: ``onnx`` + shape inference, then one cost rule per op type.

Conventions are those of :mod:`explorer.analysis.costs`: MACs of Conv / ConvTranspose (groups,
dilation, pads and strides are in the weight's and the output's shapes), Gemm and MatMul; BatchNorm,
activations (Relu, Clip = ReLU6, Sigmoid, HardSigmoid, HardSwish, x*sigmoid(x) = swish, ...),
residual and bias adds, SE multiplies and pooling counted separately. Params are the elements of
every float initializer. Ops that move data (Reshape, Concat, Resize, ...) cost nothing; any other op
type is listed as skipped. Files over 200 MB, files whose weights live in external data files and
bytes that are not ONNX are refused with one sentence.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import onnx
from google.protobuf.message import DecodeError
from onnx import helper, shape_inference

from explorer.analysis.costs import CostReport, LayerCost
from explorer.models.activations import REGISTRY

MAX_BYTES = 200 * 1024 * 1024
FLOAT_TYPES = frozenset({onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE, onnx.TensorProto.BFLOAT16})
ELEMENT_BYTES = {onnx.TensorProto.FLOAT: 4, onnx.TensorProto.FLOAT16: 2, onnx.TensorProto.BFLOAT16: 2, onnx.TensorProto.DOUBLE: 8}
SMALL_INITIALIZER = 64  # initializers up to this many elements keep their values for shape inference (Reshape shapes)

FREE_OPS = frozenset({
    "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Concat", "Split", "Slice", "Gather", "Shape",
    "Constant", "ConstantOfShape", "Identity", "Dropout", "Cast", "Pad", "Expand", "Tile", "Range", "Resize",
    "Upsample", "DepthToSpace", "SpaceToDepth", "Size", "GatherElements", "GatherND", "CastLike",
})
ACTIVATIONS = {
    "Relu": "relu", "Clip": "relu6", "Sigmoid": "sigmoid", "HardSigmoid": "hsigmoid", "HardSwish": "hswish",
    "Gelu": "gelu", "Mish": "mish", "Tanh": "tanh",
}


@dataclass(frozen=True)
class OnnxCount:
    input_size: tuple[int, ...]
    note: str
    report: CostReport


@dataclass(frozen=True)
class _Node:
    """One node with the shapes shape inference gave its inputs and outputs (None where unknown)."""

    node: onnx.NodeProto
    inputs: tuple[tuple[int, ...] | None, ...]
    output: tuple[int, ...] | None
    swish_mul: bool = False

    def attribute(self, name: str, default: object = None) -> object:
        for attribute in self.node.attribute:
            if attribute.name == name:
                return helper.get_attribute_value(attribute)
        return default


def load_onnx(data: bytes) -> onnx.ModelProto:
    """The model in ``data``; ``ValueError`` for over 200 MB, external data or bytes that are not ONNX."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"onnx file: {len(data) / 2**20:.0f} MB is over the {MAX_BYTES // 2**20} MB limit.")
    try:
        model = onnx.load_model_from_string(data)
    except (DecodeError, RuntimeError, ValueError) as error:
        raise ValueError("onnx file: these bytes are not an ONNX model (the protobuf does not parse).") from error
    if model.ir_version < 1 or not model.graph.node:
        raise ValueError("onnx file: these bytes are not an ONNX model (no IR version or no graph nodes).")
    if any(t.data_location == onnx.TensorProto.EXTERNAL or t.external_data for t in model.graph.initializer):
        raise ValueError("onnx file: its weights are in external data files; save it as one file "
                         "(onnx.save(model, path, save_as_external_data=False)).")
    return model


def _dims(value: onnx.ValueInfoProto) -> tuple[int, ...] | None:
    shape = value.type.tensor_type.shape
    if not value.type.tensor_type.HasField("shape") or any(not d.HasField("dim_value") for d in shape.dim):
        return None
    return tuple(int(d.dim_value) for d in shape.dim)


def _image_input(model: onnx.ModelProto) -> onnx.ValueInfoProto:
    initializers = {t.name for t in model.graph.initializer}
    inputs = [value for value in model.graph.input if value.name not in initializers]
    if not inputs:
        raise ValueError("onnx file: the graph has no input besides its weights.")
    return inputs[0]


def _fixed_input(model: onnx.ModelProto, input_size: tuple[int, ...] | None) -> onnx.ValueInfoProto:
    """The image input with batch 1 and ``input_size`` (its declared size where None)."""
    image = _image_input(model)
    dims = image.type.tensor_type.shape.dim
    declared = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    sample = list(input_size) if input_size else declared[1:]
    if input_size and len(input_size) != len(declared) - 1:
        raise ValueError(f"input_size: the file's input {image.name!r} has {len(declared) - 1} dimensions "
                         f"per sample, not {len(input_size)}.")
    if any(d is None or d < 1 for d in sample):
        raise ValueError(f"input_size: the file's input {image.name!r} has a free size {declared}; give one "
                         "(e.g. --input-size 3,224,224).")
    return helper.make_tensor_value_info(image.name, image.type.tensor_type.elem_type, [1, *sample])


def _shapes(model: onnx.ModelProto, image: onnx.ValueInfoProto) -> dict[str, tuple[int, ...] | None]:
    """Every value's shape by shape inference on a light copy: large initializers become typed inputs."""
    big = [t for t in model.graph.initializer if math.prod(t.dims) > SMALL_INITIALIZER]
    small = [t for t in model.graph.initializer if math.prod(t.dims) <= SMALL_INITIALIZER]
    names = {t.name for t in model.graph.initializer} | {image.name}
    inputs = [image, *(v for v in model.graph.input if v.name not in names)]
    inputs += [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in big]
    graph = helper.make_graph(list(model.graph.node), model.graph.name or "graph", inputs, list(model.graph.output),
                              initializer=small)
    light = helper.make_model(graph, opset_imports=list(model.opset_import), ir_version=model.ir_version)
    light.functions.extend(model.functions)
    inferred = shape_inference.infer_shapes(light, strict_mode=False, data_prop=True)
    shapes = {v.name: _dims(v) for v in (*inferred.graph.input, *inferred.graph.value_info, *inferred.graph.output)}
    shapes.update({t.name: tuple(t.dims) for t in model.graph.initializer})
    return shapes


def _numel(shape: tuple[int, ...] | None) -> int:
    return math.prod(shape) if shape is not None else 0


def _conv(n: _Node) -> tuple[int, dict[str, int]]:
    weight = n.inputs[1]
    ops = {"bias": _numel(n.output)} if len(n.inputs) > 2 and n.node.input[2] else {}
    return _numel(n.output) * math.prod(weight[1:]), ops


def _conv_transpose(n: _Node) -> tuple[int, dict[str, int]]:
    weight = n.inputs[1]
    ops = {"bias": _numel(n.output)} if len(n.inputs) > 2 and n.node.input[2] else {}
    return _numel(n.inputs[0]) * math.prod(weight[1:]), ops


def _gemm(n: _Node) -> tuple[int, dict[str, int]]:
    a = n.inputs[0]
    inner = a[0] if n.attribute("transA", 0) else a[1]
    ops = {"bias": _numel(n.output)} if len(n.inputs) > 2 and n.node.input[2] else {}
    return _numel(n.output) * inner, ops


def _matmul(n: _Node) -> tuple[int, dict[str, int]]:
    return _numel(n.output) * n.inputs[0][-1], {}


def _activation(n: _Node) -> tuple[int, dict[str, int]]:
    return 0, {"activation": REGISTRY[ACTIVATIONS[n.node.op_type]].ops_per_element * _numel(n.output)}


def _batchnorm(n: _Node) -> tuple[int, dict[str, int]]:
    return 0, {"batchnorm": 2 * _numel(n.output)}


def _global_pool(n: _Node) -> tuple[int, dict[str, int]]:
    return 0, {"pooling": _numel(n.inputs[0])}


def _window_pool(n: _Node) -> tuple[int, dict[str, int]]:
    return 0, {"pooling": _numel(n.output) * math.prod(n.attribute("kernel_shape", (1,)))}


def _add(n: _Node) -> tuple[int, dict[str, int]]:
    same = len(set(n.inputs)) == 1
    return 0, {"residual_add" if same else "bias": _numel(n.output)}


def _mul(n: _Node) -> tuple[int, dict[str, int]] | None:
    if n.swish_mul:  # x * sigmoid(x): with the Sigmoid's 4 ops, swish's 5 per element
        return 0, {"activation": _numel(n.output)}
    if len(n.inputs) == 2 and min(_numel(shape) for shape in n.inputs) > 1:  # a gate times a map, not a scaling
        return 0, {"se_multiply": _numel(n.output)}
    return None


Rule = Callable[[_Node], "tuple[int, dict[str, int]] | None"]
RULES: dict[str, Rule] = {
    "Conv": _conv, "ConvTranspose": _conv_transpose, "Gemm": _gemm, "MatMul": _matmul,
    "BatchNormalization": _batchnorm, "GlobalAveragePool": _global_pool, "GlobalMaxPool": _global_pool,
    "ReduceMean": _global_pool, "AveragePool": _window_pool, "MaxPool": _window_pool, "Add": _add, "Mul": _mul,
} | {op: _activation for op in ACTIVATIONS}


def _nodes(model: onnx.ModelProto, shapes: dict[str, tuple[int, ...] | None]) -> list[_Node]:
    producers = {output: node for node in model.graph.node for output in node.output}
    nodes = []
    for node in model.graph.node:
        sources = [producers.get(name) for name in node.input]
        swish = node.op_type == "Mul" and len(node.input) == 2 and any(
            src is not None and src.op_type == "Sigmoid" and src.input[0] == other
            for src, other in zip(sources, reversed(node.input), strict=True)
        )
        inputs = tuple(shapes.get(name) for name in node.input)
        nodes.append(_Node(node, inputs, shapes.get(node.output[0]) if node.output else None, swish))
    return nodes


def _pair_text(values: object) -> str:
    return "x".join(map(str, values)) if values else ""


def _row(n: _Node, index: int, params: int) -> tuple[LayerCost, bool]:
    rule = RULES.get(n.node.op_type)
    try:
        cost = (0, {}) if n.node.op_type in FREE_OPS else rule(n) if rule else None
    except (TypeError, IndexError):  # a shape shape inference could not give
        cost = None
    macs, ops = cost if cost is not None else (0, {})
    conv = n.node.op_type in ("Conv", "ConvTranspose")
    weight = n.inputs[1] if conv and len(n.inputs) > 1 else None
    layer = LayerCost(
        name=n.node.name.strip("/") or f"{n.node.op_type}_{index}", type=n.node.op_type,
        input_shape=n.inputs[0][1:] if n.inputs and n.inputs[0] else None,
        output_shape=n.output[1:] if n.output else None,
        kernel=_pair_text(n.attribute("kernel_shape") or (weight[2:] if weight else ())),
        stride=_pair_text(n.attribute("strides") or ()) if conv or "Pool" in n.node.op_type else "",
        groups=int(n.attribute("group", 1)) if conv else None,
        params=params, macs=int(macs), ops={k: int(v) for k, v in ops.items()},
        output_bytes=4 * _numel(n.output), counted=cost is not None,
    )
    return layer, cost is not None


def count_onnx(model: onnx.ModelProto, input_size: tuple[int, ...] | None = None) -> OnnxCount:
    """Count a parsed model for one sample of ``input_size`` (the file's declared size if None)."""
    image = _fixed_input(model, input_size)
    shapes = _shapes(model, image)
    floats = {t.name: math.prod(t.dims) for t in model.graph.initializer if t.data_type in FLOAT_TYPES}
    layers, skipped = [], []
    for index, n in enumerate(_nodes(model, shapes)):
        params = sum(floats.pop(name, 0) for name in n.node.input)
        if n.node.op_type in FREE_OPS and not params:
            continue
        layer, counted = _row(n, index, params)
        layers.append(layer)
        if not counted:
            skipped.append(n.node.op_type)
    if floats:
        layers.append(LayerCost(name="initializers no node reads", type="Initializer", input_shape=None, output_shape=None,
                                kernel="", stride="", groups=None, params=sum(floats.values()), macs=0, ops={},
                                output_bytes=0, counted=False))
    sample = tuple(d.dim_value for d in image.type.tensor_type.shape.dim)[1:]
    output = shapes.get(model.graph.output[0].name) if model.graph.output else None
    report = CostReport(sample, tuple(output[1:]) if output else (), tuple(layers), tuple(dict.fromkeys(skipped)))
    producer = f"{model.producer_name} {model.producer_version}".strip() or "unknown producer"
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)
    return OnnxCount(sample, f"parsed, never executed (ONNX opset {opset}, from {producer})", report)


def initializer_bytes(tensor: onnx.TensorProto) -> int:
    """Bytes of one initializer's values in memory (its element type's size times its elements)."""
    return math.prod(tensor.dims) * helper.tensor_dtype_to_np_dtype(tensor.data_type).itemsize


def peak_activation_bytes(model: onnx.ModelProto, input_size: tuple[int, ...] | None = None) -> int:
    """The largest total size of the values live at one node when the graph runs in its node order (batch 1).

    The convention of :mod:`explorer.analysis.memory`, on the graph: a value is live from the node that
    makes it (the input: from the start) to its last reader (a graph output: to the end); initializers
    are weights, not activations; every element is taken as 4 bytes (float32). A value whose shape
    inference left unknown counts as the largest known one.
    """
    image = _fixed_input(model, input_size)
    shapes = _shapes(model, image)
    weights = {t.name for t in model.graph.initializer}
    first: dict[str, int] = {image.name: 0}
    last: dict[str, int] = {}
    for index, node in enumerate(model.graph.node):
        for name in node.input:
            if name and name not in weights:
                first.setdefault(name, index)
                last[name] = index
        for name in node.output:
            if name:
                first.setdefault(name, index)
                last.setdefault(name, index)
    for output in model.graph.output:
        last[output.name] = len(model.graph.node)
    known = [4 * _numel(shapes[name]) for name in first if shapes.get(name) is not None]
    change = [0] * (len(model.graph.node) + 2)  # a sweep over the nodes: + when a value appears, - after its last reader
    for name, start in first.items():
        size = 4 * _numel(shapes[name]) if shapes.get(name) is not None else max(known, default=0)
        change[start] += size
        change[last.get(name, start) + 1] -= size
    live = list(itertools.accumulate(change[: len(model.graph.node)]))
    return max(live, default=0)


def count_onnx_bytes(data: bytes, input_size: tuple[int, ...] | None = None) -> OnnxCount:
    """Parse and count ONNX ``data`` (an upload); see :func:`load_onnx` for what is refused."""
    return count_onnx(load_onnx(data), input_size)


def count_onnx_file(path: Path, input_size: tuple[int, ...] | None = None) -> OnnxCount:
    """Parse and count the ONNX file at ``path``; its size is checked before it is read."""
    if not path.is_file():
        raise ValueError(f"onnx file: {str(path)!r} does not exist.")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ValueError(f"onnx file: {size / 2**20:.0f} MB is over the {MAX_BYTES // 2**20} MB limit.")
    return count_onnx_bytes(path.read_bytes(), input_size)
