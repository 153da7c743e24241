"""``python -m explorer network``: JSON totals, stages and layers; one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def _json(capsys, *argv: str) -> dict:
    assert main(["network", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_totals_stages_and_layers(capsys):
    payload = _json(capsys, "efficientnet_b0")
    assert (payload["params"], payload["macs"], payload["resolution"]) == (5288548, 385814752, 224)
    assert len(payload["stages"]) == 9  # paper Table 1: stem, 7 MBConv stages, head
    assert payload["stages"][6]["operator"] == "MBConv6, k5x5"
    assert payload["stages"][6]["layers"] == 4
    assert sum(layer["params"] for layer in payload["layers"]) == payload["params"]
    assert sum(layer["MACs"] for layer in payload["layers"]) == payload["macs"]


def test_width_and_resolution_flags(capsys):
    payload = _json(capsys, "mobilenet_v2", "--width-mult", "0.75", "--resolution", "192")
    assert (payload["params"], payload["macs"]) == (2636424, 153941888)  # torchvision


def test_full_conv_and_classes(capsys):
    payload = _json(capsys, "mobilenet_v1", "--full-conv", "--num-classes", "10")
    assert payload["spec"]["full_conv"] is True
    assert payload["layers"][-1]["params"] == 1024 * 10 + 10


def test_custom_phi(capsys):
    payload = _json(capsys, "efficientnet", "--phi", "0")
    assert payload["macs"] == 385814752


def test_table_output(capsys):
    assert main(["network", "mobilenet_v1"]) == 0
    out = capsys.readouterr().out
    assert "params 4,231,976" in out
    assert "Conv dw 3x3 + Conv 1x1" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["mobilenet_v2", "--phi", "2"], "phi: does not apply"),
        (["mobilenet_v2", "--width-mult", "-1"], "width_mult:"),
        (["efficientnet_b0", "--resolution", "0"], "resolution:"),  # every map still builds at 1 px
        (["efficientnet", "--phi", "10", "--gamma", "2"], "phi:"),
        (["resnet"], "invalid choice"),
        (["mobilenet_v2", "--width-mult", "abc"], "invalid float"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, needle):
    try:
        code = main(["network", *argv])
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]


def test_bad_input_in_a_real_process_has_no_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "explorer", "network", "mobilenet_v3_large", "--width-mult", "0"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("python -m explorer network: error: width_mult:")
    assert len(done.stderr.strip().splitlines()) == 1
