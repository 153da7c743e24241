"""``python -m explorer export block ...``: every chart and table of the view, as valid files."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import xml.etree.ElementTree as ET

import onnx
import pytest
from PIL import Image

from explorer.cli.main import main
from explorer.export import render

needs_chromium = pytest.mark.skipif(not render.static_export_available(), reason="no Chromium installed")
BLOCK = ["export", "block", "depthwise_separable", "--in-channels", "3", "--out-channels", "4", "--size", "5", "--textbook"]


@needs_chromium
def test_export_block_writes_every_chart_and_table_as_valid_files(tmp_path, capsys):
    assert main([*BLOCK, "--out", str(tmp_path), "--formats", "png,svg,pdf,html,csv,md,tex", "--model"]) == 0
    printed = capsys.readouterr().out
    names = sorted(path.name for path in tmp_path.iterdir())
    charts = ["depthwise_separable_comparison", "depthwise_separable_diagram", "depthwise_separable_ops",
              "depthwise_separable_ratio_out_channels", "depthwise_separable_sweep_out_channels"]
    tables = ["depthwise_separable_comparison_table", "depthwise_separable_layers", "depthwise_separable_ops_table"]
    model = ["depthwise_separable_block.onnx", "depthwise_separable_block.py", "depthwise_separable_block_structure.txt"]
    expected = [f"{c}.{f}" for c in charts for f in ("html", "pdf", "png", "svg")] + [f"{t}.{f}" for t in tables for f in ("csv", "md", "tex")]
    assert names == sorted(expected + model)
    for name in names:
        assert f"wrote {tmp_path / name}" in printed
    assert printed.strip().endswith(f"{len(names)} files in {tmp_path}")
    for chart in charts:
        png = (tmp_path / f"{chart}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and Image.open(io.BytesIO(png)).size == (1920, 1080)
        assert ET.parse(tmp_path / f"{chart}.svg").getroot().tag.endswith("svg")
        assert (tmp_path / f"{chart}.pdf").read_bytes().startswith(b"%PDF-")
    onnx.checker.check_model(onnx.load(tmp_path / "depthwise_separable_block.onnx"))


def test_textbook_example_numbers_reach_the_table_files(tmp_path, capsys):
    # Brief's worked example: C_in 3, C_out 4, k 3, no bias: standard 108 params, separable 27 + 12 = 39.
    assert main([*BLOCK, "--out", str(tmp_path), "--formats", "csv,md"]) == 0
    text = (tmp_path / "depthwise_separable_comparison_table.csv").read_text()
    assert text.startswith("kind,label,settings,params (count),macs (count)")
    rows = {row["kind"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["standard"]["params (count)"] == "108" and rows["depthwise_separable"]["params (count)"] == "39"
    layers = (tmp_path / "depthwise_separable_layers.md").read_text()
    assert "| params (count) |" in layers


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert main([*BLOCK, "--out", str(tmp_path), "--formats", "gif"]) == 2
    assert main(["export", "block", "group", "--groups", "5", "--out", str(tmp_path)]) == 2
    assert main([*BLOCK, "--out", str(tmp_path), "--sweep", "expansion", "--formats", "csv"]) == 2
    file = tmp_path / "file.txt"
    file.write_text("x")
    assert main([*BLOCK, "--out", str(file), "--formats", "csv"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 4
    assert [line.split("error: ")[1].split(":")[0] for line in lines] == ["formats", "groups", "sweep", "out"]


def test_static_formats_without_chromium_say_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(render, "find_chromium", lambda: None)
    assert main([*BLOCK, "--out", str(tmp_path), "--formats", "png,html"]) == 2
    assert "apt-get install chromium" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
    assert main([*BLOCK, "--out", str(tmp_path), "--formats", "html"]) == 0


def test_python_dash_m_runs_the_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "explorer", *BLOCK, "--out", str(tmp_path), "--formats", "tex"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "\\toprule" in (tmp_path / "depthwise_separable_layers.tex").read_text()


def test_export_network_names_files_after_the_network(tmp_path, capsys):
    assert main(["export", "network", "mobilenet_v2", "--width-mult", "0.5", "--resolution", "160",
                 "--out", str(tmp_path), "--formats", "csv,html"]) == 0
    names = {path.name for path in tmp_path.iterdir()}
    assert {"mobilenet_v2_0.5_160_layers.csv", "mobilenet_v2_0.5_160_totals.csv", "mobilenet_v2_0.5_160_family.html"} <= names
    assert all(name.startswith("mobilenet_v2_0.5_160_") for name in names)
    assert "params (count)" in (tmp_path / "mobilenet_v2_0.5_160_layers.csv").read_text().splitlines()[0]
    assert main(["export", "network", "mobilenet_v2", "--phi", "2", "--out", str(tmp_path)]) == 2
    assert "phi" in capsys.readouterr().err
