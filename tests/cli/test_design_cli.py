"""``network custom``: timm's definitions count the calibration figures; bad input exits 2 with one line;
``export network custom`` writes every chart and table, the snippet and ONNX."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.cli.main import main

B0 = ('[["ds_r1_k3_s1_e1_c16_se0.25"], ["ir_r2_k3_s2_e6_c24_se0.25"], ["ir_r2_k5_s2_e6_c40_se0.25"], '
      '["ir_r3_k3_s2_e6_c80_se0.25"], ["ir_r3_k5_s1_e6_c112_se0.25"], ["ir_r4_k5_s2_e6_c192_se0.25"], '
      '["ir_r1_k3_s1_e6_c320_se0.25"]]')
MOBILENET_V2 = "ds_r1_k3_s1_c16,ir_r2_k3_s2_e6_c24,ir_r3_k3_s2_e6_c32,ir_r4_k3_s2_e6_c64,ir_r3_k3_s1_e6_c96,ir_r3_k3_s2_e6_c160,ir_r1_k3_s1_e6_c320"


def _json(capsys, *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_efficientnet_b0_and_mobilenet_v2_from_timm_notation(capsys, tmp_path):
    path = tmp_path / "b0.json"
    path.write_text(B0)
    b0 = _json(capsys, "network", "custom", "--arch", f"@{path}", "--stem-channels", "32", "--head-channels", "1280",
               "--activation", "swish", "--json")
    assert (b0["params"], b0["macs"]) == (5_288_548, 385_814_752)
    assert b0["spec"]["arch"] == json.loads(B0) and len(b0["stages"]) == 9
    assert sum(row["params"] for row in b0["layers"]) == b0["params"]
    v2 = _json(capsys, "network", "custom", "--arch", MOBILENET_V2, "--stem-channels", "32", "--head-channels", "1280",
               "--activation", "relu6", "--json")
    assert (v2["params"], v2["macs"]) == (3_504_872, 300_774_272)
    assert set(v2) == set(_json(capsys, "network", "mobilenet_v2", "--json"))  # the same JSON shape as a preset


@pytest.mark.parametrize(("argv", "message"), [
    (["--arch", '[["ir_r1_k4_s1_e6_c24"]]'], "row 1 (kernel): must be one of 1, 3, 5, 7, 9, 11, got 4."),
    (["--arch", '[["ir_r1_k3_s3_e6_c24"]]'], "row 1 (stride): must be 1 or 2, got 3."),
    (["--arch", '[["ir_r1_k3_s1_e6"]]'], "channels missing"),
    (["--arch", '[["ir_r1_k3_s1_e6_c24_zz"]]'], "unknown option 'zz'"),
    ([], "network custom needs --arch"),
    (["--arch", "@/no/such/file.json"], "arch: no file"),
])
def test_bad_designs_exit_2_with_one_line_naming_the_field(argv, message):
    done = subprocess.run([sys.executable, "-m", "explorer", "network", "custom", *argv], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if "error" in line]
    assert len(lines) == 1 and message in lines[0]


def test_design_flags_are_refused_for_a_preset(capsys):
    assert main(["network", "mobilenet_v2", "--stem-channels", "16"]) == 2
    assert "stem_channels: applies to network custom only" in capsys.readouterr().err


def test_export_network_custom_writes_charts_tables_snippet_and_onnx(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export", "network", "custom", "--arch", MOBILENET_V2, "--activation", "relu6", "--out", str(out),
                 "--formats", "csv,html", "--model"]) == 0
    names = {path.name for path in out.iterdir()}
    assert {"design_totals.csv", "design_stages.csv", "design_layers.csv", "design_operations.csv",
            "design_diagram.html", "design_cost_by_stage.html", "design_cost_by_operation.html",
            "custom_design_224.py", "custom_design_224.onnx", "custom_design_224_structure.txt"} <= names
    namespace: dict = {"__name__": "__main__"}  # run its script part, which prints the counts
    exec(compile((out / "custom_design_224.py").read_text(), "snippet", "exec"), namespace)  # noqa: S102 - our own snippet
    assert "params 3,504,872" in capsys.readouterr().out
