"""ONNX files counted from the graph (never executed): by hand, against count_costs, and round trip."""

from __future__ import annotations

import dataclasses

import onnx
import pytest
import torch
from onnx import TensorProto, helper
from torch import nn

from explorer.analysis.costs import count_costs
from explorer.analysis.counting import block_report, count_network
from explorer.export.models import model_onnx, onnx_bytes
from explorer.models.networks.design import preset_design
from explorer.models.networks.tables import NETWORK_NAMES, network_spec
from explorer.models.specs import BLOCK_KINDS, block_spec
from explorer.sources import onnx as onnx_source


class Small(nn.Module):
    """Every op kind the parser has a rule for, with numbers checkable by hand (input 4 x 8 x 8)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3, stride=2, padding=2, dilation=2, groups=2, bias=False)  # 8 x 4 x 4
        self.depthwise = nn.Conv2d(8, 8, 3, padding=1, groups=8)  # 8 x 4 x 4, bias
        self.norm = nn.BatchNorm2d(8)
        self.fc1, self.fc2 = nn.Linear(8, 2), nn.Linear(2, 8)
        self.head = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.conv(x))
        x = self.norm(nn.functional.hardswish(self.depthwise(x)))  # not folded: an activation sits between
        gate = torch.sigmoid(self.fc2(nn.functional.relu6(self.fc1(x.mean((2, 3))))))
        x = x * gate[:, :, None, None] + x
        x = x * torch.sigmoid(x)
        x = nn.functional.interpolate(nn.functional.max_pool2d(x, 2), scale_factor=2.0)
        return self.head(x.flatten(1))


SMALL_MACS = 8 * 16 * 2 * 9 + 8 * 16 * 9 + 8 * 2 + 2 * 8 + 128 * 10


def test_small_model_by_hand_and_against_count_costs():
    module = Small().eval()
    counted = onnx_source.count_onnx_bytes(onnx_bytes(module, (4, 8, 8)))
    assert counted.input_size == (4, 8, 8)
    assert counted.report.macs == SMALL_MACS == count_costs(module, (4, 8, 8)).macs
    assert counted.report.params == sum(p.numel() for p in module.parameters())  # float initializers, BN's included
    conv = next(layer for layer in counted.report.layers if layer.type == "Conv")
    assert (conv.kernel, conv.stride, conv.groups, conv.output_shape) == ("3x3", "2x2", 2, (8, 4, 4))
    ops = counted.report.ops
    assert ops["batchnorm"] == 2 * 128 and ops["residual_add"] == 128 and ops["se_multiply"] == 128
    # relu 128, hardswish 5 x 128, relu6 2 x 2, sigmoid 4 x 8, swish = sigmoid 4 + multiply 1 per element
    assert ops["activation"] == 128 + 5 * 128 + 2 * 2 + 4 * 8 + 5 * 128
    assert ops["pooling"] == 128 + 32 * 4  # global mean over the map, 2 x 2 max pool
    assert counted.report.skipped == ()


ONNX_REFUSED = {"efficientnet_l2"}  # its 480M weights (1.8 GiB) alone are over the export's 1 GiB memory budget
ROUND_TRIP_NETWORKS = [network_spec(name, resolution=32) for name in NETWORK_NAMES if name not in ONNX_REFUSED]
ROUND_TRIP_NETWORKS += [
    network_spec("mobilenet_v1", resolution=32, full_conv=True),
    network_spec("mobilenet_v2", resolution=32, width_mult=0.35, num_classes=10),
    dataclasses.replace(preset_design("mobilenet_v3_large"), resolution=32),
    dataclasses.replace(preset_design("efficientnet_v2_s"), resolution=32),
]


@pytest.mark.parametrize("spec", ROUND_TRIP_NETWORKS, ids=lambda spec: spec.label)
def test_every_project_network_round_trips(spec):
    """Exported by the project (model_onnx, the download's code: weights included up to 30M params, the
    structure only beyond) at 32 x 32, the file counts the MACs the module counts."""
    assert onnx_source.count_onnx_bytes(model_onnx(spec)).report.macs == count_network(spec).macs


@pytest.mark.parametrize("kind", BLOCK_KINDS)
def test_every_block_kind_round_trips(kind):
    spec = block_spec(kind, size=8)
    assert onnx_source.count_onnx_bytes(model_onnx(spec)).report.macs == block_report(spec).macs


@pytest.mark.parametrize("name", sorted(ONNX_REFUSED))
def test_a_network_too_large_to_export_is_refused_naming_the_network_not_the_resolution(name):
    with pytest.raises(ValueError, match="weights alone are over it at any resolution: pick a smaller network"):
        model_onnx(network_spec(name, resolution=32))


def _graph_model(op_type: str, input_dims: list) -> onnx.ModelProto:
    node = helper.make_node(op_type, ["x"], ["y"], name="only")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_dims)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_unknown_ops_are_listed_as_skipped():
    report = onnx_source.count_onnx(_graph_model("LpNormalization", [1, 3, 4, 4])).report
    assert report.skipped == ("LpNormalization",) and report.macs == 0


def test_free_input_size_needs_one():
    model = _graph_model("Relu", ["batch", 3, "height", "width"])
    with pytest.raises(ValueError, match="^input_size: .* free size"):
        onnx_source.count_onnx(model)
    assert onnx_source.count_onnx(model, (3, 5, 5)).report.ops["activation"] == 75


def test_refusals_are_one_sentence(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="^onnx file: these bytes are not an ONNX model"):
        onnx_source.count_onnx_bytes(b"\x89PNG\r\n\x1a\n not a model")
    with pytest.raises(ValueError, match="^onnx file: these bytes are not an ONNX model"):
        onnx_source.count_onnx_bytes(b"")
    data = onnx_bytes(nn.Conv2d(3, 4, 3), (3, 8, 8))
    monkeypatch.setattr(onnx_source, "MAX_BYTES", len(data) - 1)
    with pytest.raises(ValueError, match="^onnx file: .* over the 0 MB limit"):
        onnx_source.count_onnx_bytes(data)
    monkeypatch.undo()
    model = onnx.load_model_from_string(data)
    path = tmp_path / "external.onnx"
    onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True, location="w.bin",
                    size_threshold=0)
    with pytest.raises(ValueError, match="^onnx file: its weights are in external data files"):
        onnx_source.count_onnx_file(path)
    with pytest.raises(ValueError, match="^onnx file: .* does not exist"):
        onnx_source.count_onnx_file(tmp_path / "missing.onnx")
