"""``python -m explorer count SOURCE``: zoo names, ONNX files, factories; JSON keys; one-line errors."""

import json

import pytest
import torch
from torch import nn

from explorer.cli.main import main
from explorer.export.models import onnx_bytes


def _json(capsys, *argv):
    assert main(["count", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_timm_json_has_the_promised_keys(capsys):
    payload = _json(capsys, "timm:mobilenetv2_100")
    assert {"params", "macs", "flops", "ops", "layers", "skipped", "input_size"} <= set(payload)
    # timm's mobilenetv2_100 is torchvision's MobileNetV2 1.0 (BRIEF calibration figures)
    assert (payload["params"], payload["macs"]) == (3_504_872, 300_774_272)
    assert payload["flops"] == 2 * payload["macs"] and payload["input_size"] == [3, 224, 224]
    assert sum(layer["macs"] for layer in payload["layers"]) == payload["macs"]


def test_torchvision_with_input_size_and_a_factory(capsys):
    payload = _json(capsys, "torchvision:efficientnet_b0", "--input-size", "3,224,224")
    assert (payload["params"], payload["macs"]) == (5_288_548, 385_814_752)
    factory = _json(capsys, "torchvision.models:efficientnet_b0")
    assert factory["macs"] == payload["macs"] and factory["kind"] == "python"


def test_onnx_file(capsys, tmp_path):
    path = tmp_path / "conv.onnx"
    path.write_bytes(onnx_bytes(nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.ReLU()), (3, 10, 10)))
    payload = _json(capsys, str(path))
    assert payload["macs"] == 4 * 64 * 27 and payload["params"] == 108 and payload["ops"]["activation"] == 256
    assert main(["count", str(path)]) == 0
    assert "params 108" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("source", "start"),
    [("timm:nope_net", "timm model:"), ("keras:resnet", "source:"), ("no_such_pkg.mod:make", "source: cannot import"),
     ("torch:zeros", "source:")],
)
def test_errors_are_one_line(capsys, source, start):
    assert main(["count", source]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"python -m explorer count: error: {start}") and "\n" not in err


def test_factory_that_returns_no_module(capsys):
    assert torch.zeros  # torch:zeros is callable but returns a tensor
    assert main(["count", "torch:zeros"]) == 2
