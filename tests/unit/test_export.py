"""explorer.export: figures, tables and models to valid files; the warm browser; ZIPs."""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import io
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
import zipfile

import onnx
import pandas as pd
import plotly.graph_objects as go
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image

from explorer.analysis.costs import count_costs
from explorer.analysis.counting import block_report, count_network
from explorer.export import bundles, models, render, tables
from explorer.figures.style import apply_style
from explorer.models.blocks import build_block
from explorer.models.networks.build import build_network
from explorer.models.networks.design import DesignRow, DesignSpec, preset_design
from explorer.models.networks.tables import NETWORK_NAMES, NetworkSpec, network_spec
from explorer.models.specs import BLOCK_KINDS, block_spec, textbook_spec

needs_chromium = pytest.mark.skipif(not render.static_export_available(), reason="no Chromium installed")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def small_figure(title: str = "Params per kernel size") -> go.Figure:
    fig = go.Figure(go.Scatter(x=[1, 3, 5], y=[10, 90, 250], name="params"))
    fig.update_layout(xaxis_title="kernel size k", yaxis_title="params")
    return apply_style(fig, "slide", title)


def small_table() -> pd.DataFrame:
    return pd.DataFrame({"layer": ["conv_dw", "conv_pw"], "params": [27, 12], "% params": [69.23, 30.77], "MACs": [2700, 1200]})


@needs_chromium
def test_png_is_slide_sized_and_scales():
    png = render.figure_to_bytes(small_figure(), "png")
    assert png.startswith(PNG_SIGNATURE)
    assert Image.open(io.BytesIO(png)).size == (1920, 1080)
    half = render.figure_to_bytes(small_figure(), "png", scale=0.5)
    assert Image.open(io.BytesIO(half)).size == (960, 540)


@needs_chromium
def test_svg_is_xml_with_the_title_and_pdf_has_a_header():
    svg = render.figure_to_bytes(small_figure("Depthwise is cheaper"), "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Depthwise is cheaper" in svg.decode()
    pdf = render.figure_to_bytes(small_figure(), "pdf")
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


@needs_chromium
def test_warm_png_export_takes_at_most_one_second():
    render.figure_to_bytes(small_figure(), "png")
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        render.figure_to_bytes(small_figure(), "png")
        timings.append(time.perf_counter() - start)
    assert render.browser_is_warm()
    assert min(timings) <= 1.0


@needs_chromium
def test_exports_from_several_threads_at_once_are_all_valid():
    results: dict[int, bytes] = {}

    def work(index: int) -> None:
        results[index] = render.figure_to_bytes(small_figure(f"figure {index}"), "svg")

    threads = [threading.Thread(target=work, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(results) == [0, 1, 2, 3]
    for index, svg in results.items():
        assert f"figure {index}" in svg.decode()


def test_missing_chromium_is_a_clear_error_and_html_still_works(monkeypatch):
    monkeypatch.setattr(render, "find_chromium", lambda: None)
    monkeypatch.setattr(render, "_BROWSER", render._WarmBrowser())
    assert not render.static_export_available()
    with pytest.raises(render.ChromiumNotFoundError, match="apt-get install chromium"):
        render.figure_to_bytes(small_figure(), "png")
    html = render.figure_to_bytes(small_figure("Offline chart"), "html").decode()
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "Offline chart" in html and "Plotly.newPlot" in html
    assert '<script src="http' not in html


def test_bad_format_and_scale_name_the_parameter():
    with pytest.raises(ValueError, match="format"):
        render.figure_to_bytes(small_figure(), "gif")
    with pytest.raises(ValueError, match="scale"):
        render.figure_to_bytes(small_figure(), "png", scale=10)
    with pytest.raises(ValueError, match="formats"):
        bundles.parse_formats("png,bmp")
    assert bundles.parse_formats("PNG, csv,png") == ["png", "csv"]


def test_headers_carry_units():
    frame = pd.DataFrame(columns=["layer", "params", "% MACs", "output bytes", "activation ops", "latency (ms)", "groups"])
    frame.attrs["units"] = {"groups": "count"}
    assert list(tables.with_units(frame).columns) == [
        "layer", "params (count)", "MACs (%)", "output (bytes)", "activation ops (count)", "latency (ms)", "groups (count)",
    ]


def test_csv_keeps_raw_numbers_under_unit_headers():
    text = tables.table_to_csv(small_table()).decode().splitlines()
    assert text[0] == "layer,params (count),params (%),MACs (count)"
    assert text[1] == "conv_dw,27,69.23,2700"


def test_markdown_right_aligns_numbers_with_thousands_separators():
    lines = tables.table_to_markdown(small_table()).decode().splitlines()
    assert lines[0] == "| layer | params (count) | params (%) | MACs (count) |"
    assert lines[1] == "|:---|---:|---:|---:|"
    assert lines[2] == "| conv_dw | 27 | 69.23 | 2,700 |"


def test_latex_is_booktabs_and_escaped():
    frame = pd.DataFrame({"layer": ["se.fc1 & gate"], "output": ["8 × 1 × 1"], "MACs": [1_234_567]})
    tex = tables.table_to_latex(frame, caption="SE 50% cost").decode()
    for command in ("\\toprule", "\\midrule", "\\bottomrule", "\\begin{tabular}{llr}", "\\caption{SE 50\\% cost}"):
        assert command in tex
    assert "se.fc1 \\& gate & 8 $\\times$ 1 $\\times$ 1 & 1{,}234{,}567 \\\\" in tex
    assert "layer & output (C $\\times$ H $\\times$ W) & MACs (count) \\\\" in tex


def test_missing_values_are_blank_cells():
    frame = pd.DataFrame({"layer": ["a", "b"], "groups": pd.array([4, None], dtype="Int64")})
    assert tables.table_to_markdown(frame).decode().splitlines()[3] == "| b |  |"


def test_zip_holds_every_planned_file_and_reports_progress():
    artifacts = {"sweep": small_figure(), "layers": small_table()}
    plan = bundles.export_plan(artifacts, ["html", "csv", "md", "tex"])
    assert list(plan) == ["sweep.html", "layers.csv", "layers.md", "layers.tex"]
    calls = []
    data = bundles.build_zip(plan, progress=lambda done, total, name: calls.append((done, total, name)))
    assert calls[0] == (0, 4, "sweep.html") and calls[-1] == (4, 4, "")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == list(plan)
        assert archive.read("layers.csv") == tables.table_to_csv(small_table())


def test_structure_is_the_printed_module_with_its_parameter_count():
    # Depthwise-separable, textbook example of the brief: 3 -> 4 channels, k 3: 27 + 12 = 39 params
    # plus two BatchNorms (3 and 4 channels, weight and bias each): 39 + 6 + 8 = 53.
    module = build_block(block_spec("depthwise_separable", in_channels=3, out_channels=4, size=5))
    text = models.module_structure(module, "Depthwise-separable")
    assert text.startswith("Depthwise-separable\nparameters: 53\n")
    assert repr(module) in text


def test_onnx_is_a_valid_model_with_the_block_operators():
    spec = block_spec("bneck", in_channels=16, out_channels=16, se_ratio=0.25)
    module = build_block(spec).train()
    model = onnx.load_from_string(models.onnx_bytes(module, (16, 14, 14)))
    onnx.checker.check_model(model)
    ops = [node.op_type for node in model.graph.node]
    for op in ("Conv", "HardSwish", "GlobalAveragePool", "HardSigmoid", "Mul", "Add"):
        assert op in ops
    assert module.training
    structure_only = models.onnx_bytes(module, (16, 14, 14), export_params=False)
    assert len(structure_only) < len(models.onnx_bytes(module, (16, 14, 14))) / 4


def test_onnx_output_matches_the_module():
    onnx_reference = pytest.importorskip("onnx.reference")
    spec = block_spec("mbconv", in_channels=8, out_channels=8, size=7, expansion=2)
    module = build_block(spec).eval()
    image = torch.randn(1, 8, 7, 7)
    session = onnx_reference.ReferenceEvaluator(onnx.load_from_string(models.onnx_bytes(module, (8, 7, 7))))
    (output,) = session.run(None, {"image": image.numpy()})
    torch.testing.assert_close(torch.from_numpy(output), module(image), atol=1e-4, rtol=1e-4)


def test_network_structure_heads_with_the_reference_parameter_count():
    # 5,288,548: torchvision efficientnet_b0 parameter count (BRIEF.md calibration table).
    text = models.model_structure(network_spec("efficientnet_b0"))
    assert text.startswith("EfficientNet-B0 224x224\nparameters: 5,288,548\n")


def test_large_network_onnx_is_structure_only(monkeypatch):
    monkeypatch.setattr(models, "ONNX_WEIGHTS_LIMIT", 1000)
    model = onnx.load_from_string(models.model_onnx(network_spec("mobilenet_v3_small", width_mult=0.5, resolution=64)))
    onnx.checker.check_model(model)
    assert len(model.graph.initializer) == 0
    assert len(model.graph.input) > 1


@needs_chromium
def test_a_tall_figure_keeps_the_slide_size_on_a_larger_canvas():
    fig = small_figure()
    fig.update_layout(height=910)
    opts = render._render_options(fig, "png", 1920, 1080, 1.0)
    assert (opts["width"], opts["height"]) == (1632, 918)
    assert Image.open(io.BytesIO(render.figure_to_bytes(fig, "png"))).size == (1920, 1080)


# The downloadable Python snippet: plain PyTorch, runs with only torch, builds and counts what the app does.


def _kind_spec(kind: str, **options):
    shape = {"in_channels": 16, "out_channels": 24, "size": 14}
    return block_spec(kind, **{name: value for name, value in shape.items() if name in BLOCK_KINDS[kind].params} | options)


SNIPPET_BLOCKS = {
    **{kind: _kind_spec(kind) for kind in BLOCK_KINDS},
    **{f"{kind}_textbook": textbook_spec(_kind_spec(kind)) for kind in BLOCK_KINDS},
    "depthwise_separable_brief": textbook_spec(block_spec("depthwise_separable", in_channels=3, out_channels=4, size=5)),
    "standard_bias_no_norm": _kind_spec("standard", norm="none", bias=True, kernel_size=5, stride=2),
    "standard_even_kernel": _kind_spec("standard", kernel_size=4),
    "group_8": _kind_spec("group", groups=8, dilation=2),
    "spatially_separable_k5_s2": _kind_spec("spatially_separable", kernel_size=5, stride=2),
    "inverted_residual_residual": _kind_spec("inverted_residual", out_channels=16),
    "inverted_residual_t1": _kind_spec("inverted_residual", expansion=1),
    "bneck_residual_se": _kind_spec("bneck", out_channels=16, se_ratio=0.25, kernel_size=5),
    "bneck_no_se_expanded": _kind_spec("bneck", se_ratio=0.0, expanded_channels=40, stride=2),
    "mbconv_residual_drop": _kind_spec("mbconv", out_channels=16, drop_connect=0.2, dilation=2),
    "mbconv_t1": _kind_spec("mbconv", expansion=1, kernel_size=5),
    "fused_mbconv_t1_residual": _kind_spec("fused_mbconv", expansion=1, out_channels=16),
    "fused_mbconv_se_s2": _kind_spec("fused_mbconv", se_ratio=0.25, stride=2),
}
SNIPPET_NETWORKS = {
    "mobilenet_v1_0.5": network_spec("mobilenet_v1", width_mult=0.5),
    "mobilenet_v1_full_conv": network_spec("mobilenet_v1", width_mult=0.5, resolution=128, full_conv=True),
    "mobilenet_v2": network_spec("mobilenet_v2"),
    "mobilenet_v3_small": network_spec("mobilenet_v3_small"),
    "efficientnet_b0": network_spec("efficientnet_b0"),
    "efficientnet_v2_s": network_spec("efficientnet_v2_s", resolution=128),
    "efficientnet_phi": network_spec("efficientnet", phi=0.5),
}
# Custom designs (the Design page): a preset-equal design per family, noskip rows, a group conv and a
# gdc (last row, repeated: its second block sees a 1 x 1 map), no head conv (last row SE), head FC
# without head conv, width and depth multipliers.
SNIPPET_DESIGNS = {
    **{f"design_{name}": dataclasses.replace(preset_design(name), resolution=64)
       for name in ("mobilenet_v1", "mobilenet_v2", "efficientnet_b0", "efficientnet_v2_s")},
    "design_mobilenet_v3_small": dataclasses.replace(preset_design("mobilenet_v3_small"), resolution=64),
    "design_noskip": DesignSpec(rows=(
        DesignRow(kind="mbconv", out_channels=16, repeats=2, expansion=4.0, se_ratio=0.25, skip=False, stage=1),
        DesignRow(kind="fused_mbconv", out_channels=24, repeats=2, stride=2, expansion=4.0, skip=False, stage=2),
        DesignRow(kind="inverted_residual", out_channels=24, repeats=2, expansion=6.0, skip=False, stage=3),
        DesignRow(kind="bneck", out_channels=32, repeats=2, stride=2, expansion=3.0, se_ratio=0.25, activation="hswish", skip=False, stage=4),
    ), stem_channels=16, head_channels=256, resolution=64, num_classes=10),
    "design_group_gdc": DesignSpec(rows=(
        DesignRow(kind="standard", out_channels=32, stride=2, stage=1),
        DesignRow(kind="group", out_channels=64, repeats=2, groups=4, stage=2),
        DesignRow(kind="spatially_separable", out_channels=48, kernel_size=5, stride=2, stage=3),
        DesignRow(kind="gdc", out_channels=1, repeats=2, stage=4),
    ), stem_channels=16, head_channels=128, activation="relu", resolution=64, num_classes=10),
    "design_no_head_conv": DesignSpec(rows=(
        DesignRow(kind="depthwise_separable", out_channels=32, stride=2, stage=1),
        DesignRow(kind="se", out_channels=1, se_ratio=0.0625, repeats=2, stage=2),
    ), stem_channels=16, head_channels=0, resolution=64, num_classes=10),
    "design_head_fc": DesignSpec(rows=(
        DesignRow(kind="mbconv", out_channels=24, stride=2, expansion=6.0, se_ratio=0.25, stage=1),
        DesignRow(kind="gdc", out_channels=1, stage=2),
    ), stem_channels=16, head_channels=0, head_fc=256, activation="hswish", resolution=64, num_classes=10),
    "design_scaled": DesignSpec(rows=(
        DesignRow(kind="mbconv", out_channels=16, expansion=1.0, se_ratio=0.25, stage=1),
        DesignRow(kind="mbconv", out_channels=24, repeats=2, stride=2, expansion=6.0, se_ratio=0.25, stage=2),
        DesignRow(kind="mbconv", out_channels=24, repeats=1, expansion=6.0, kernel_size=5, stage=2),
        DesignRow(kind="group", out_channels=48, repeats=2, stride=2, groups=2, stage=3),
    ), stem_channels=32, head_channels=320, head_fc=128, resolution=96, num_classes=10, width_mult=0.75, depth_mult=1.6),
}
# Runs each snippet given as a script (run_name "__main__") in one interpreter, to pay torch's import once.
SNIPPET_RUNNER = """
import runpy
import sys

sys.modules["explorer"] = None  # importing the explorer fails even if it is installed
for path in sys.argv[1:]:
    print("== " + path, flush=True)
    runpy.run_path(path, run_name="__main__")
"""
PRINTED = re.compile(r"params ([\d,]+)  MACs ([\d,]+)\noutput shape: \(([\d, ]+)\)\n")


def _expected(spec) -> tuple[int, int, tuple[int, ...]]:
    """The app's params and MACs and the output shape for one image."""
    if isinstance(spec, NetworkSpec | DesignSpec):
        report = count_network(spec)
        return report.params, report.macs, (1, spec.num_classes)
    report = block_report(spec)
    return report.params, report.macs, (1, spec.output_channels, spec.output_size, spec.output_size)


def _printed(text: str) -> tuple[int, int, tuple[int, ...]]:
    match = PRINTED.fullmatch(text)
    assert match, text
    params, macs, shape = match.groups()
    return int(params.replace(",", "")), int(macs.replace(",", "")), tuple(int(size) for size in shape.split(",") if size.strip())


def _top_level_imports(code: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module.split(".")[0])
    return names


def _load_snippet(code: str, folder, name: str):
    """The snippet imported as a module (its script part does not run): ``build`` and ``count`` to call."""
    path = folder / f"{name}.py"
    path.write_text(code)
    loader = importlib.util.spec_from_file_location(f"snippet_{name}", path)
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


def test_a_block_snippet_runs_alone_from_an_empty_folder(tmp_path):
    spec = block_spec("mbconv", in_channels=16, out_channels=24, size=28, stride=2, kernel_size=5)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "snippet.py").write_text(models.block_snippet(spec))
    done = subprocess.run([sys.executable, "-I", "snippet.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _printed(done.stdout) == _expected(spec)
    assert done.stdout.startswith(f"params {block_report(spec).params:,}  MACs {block_report(spec).macs:,}\n")


@pytest.mark.parametrize("batch", ["blocks", "networks"])
def test_every_snippet_imports_only_torch_and_prints_the_apps_counts(tmp_path, batch):
    specs = SNIPPET_BLOCKS if batch == "blocks" else SNIPPET_NETWORKS | SNIPPET_DESIGNS
    files = {}
    for name, spec in specs.items():
        code = models.model_snippet(spec)
        assert _top_level_imports(code) <= {"__future__", "collections", "torch"}, name
        (tmp_path / f"{name}.py").write_text(code)
        files[f"{name}.py"] = spec
    (tmp_path / "run_snippets.py").write_text(SNIPPET_RUNNER)
    done = subprocess.run(
        [sys.executable, "-I", "run_snippets.py", *files], cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outputs = dict(part.split("\n", 1) for part in done.stdout.split("== ")[1:])
    assert list(outputs) == list(files)
    for path, spec in files.items():
        assert _printed(outputs[path]) == _expected(spec), path


SNIPPET_OPTIONS = {
    "in_channels": st.integers(1, 40), "out_channels": st.integers(1, 40), "size": st.integers(1, 20),
    "kernel_size": st.integers(1, 7), "stride": st.integers(1, 3), "padding": st.one_of(st.just("same"), st.integers(0, 3)),
    "dilation": st.integers(1, 3), "groups": st.sampled_from([1, 2, 4]), "expansion": st.one_of(st.floats(1.0, 8.0), st.integers(1, 8)),
    "expanded_channels": st.one_of(st.none(), st.integers(1, 100)), "se_ratio": st.one_of(st.just(0.0), st.floats(0.0, 1.0)),
    "activation": st.sampled_from(["relu", "relu6", "swish", "hswish", "none", "SiLU"]), "gate": st.sampled_from(["sigmoid", "hsigmoid"]),
    "norm": st.sampled_from(["batch", "none"]), "bias": st.booleans(), "drop_connect": st.floats(0.0, 0.9),
}


@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_block_snippet_builds_the_apps_module(data):
    kind = data.draw(st.sampled_from(list(BLOCK_KINDS)))
    options = data.draw(st.fixed_dictionaries({}, optional={name: SNIPPET_OPTIONS[name] for name in BLOCK_KINDS[kind].params}))
    try:
        spec = block_spec(kind, **options)
    except ValueError:
        assume(False)
    namespace: dict = {"__name__": "snippet"}
    exec(compile(models.block_snippet(spec), "snippet.py", "exec"), namespace)
    with torch.device("meta"):
        assert repr(namespace["build"]()) == repr(build_block(spec))


@pytest.mark.parametrize("name", list(SNIPPET_BLOCKS))
def test_block_snippet_builds_the_apps_module(tmp_path, name):
    spec = SNIPPET_BLOCKS[name]
    snippet = _load_snippet(models.block_snippet(spec), tmp_path, name)
    with torch.device("meta"):
        rebuilt, original = snippet.build(), build_block(spec)
    assert repr(rebuilt) == repr(original)
    assert {key: value.shape for key, value in rebuilt.state_dict().items()} == {
        key: value.shape for key, value in original.state_dict().items()
    }
    shape = (spec.in_channels, spec.size, spec.size)
    assert (count_costs(rebuilt, shape).params, count_costs(rebuilt, shape).macs) == (block_report(spec).params, block_report(spec).macs)


def test_the_brief_depthwise_separable_example_counts_39_params(tmp_path):
    # BRIEF: C_in 3, C_out 4, k 3: separable 27 + 12 = 39 params; on a 5 x 5 map without padding the
    # output is 3 x 3, so MACs are 27 x 9 + 12 x 9 = 351.
    snippet = _load_snippet(models.block_snippet(SNIPPET_BLOCKS["depthwise_separable_brief"]), tmp_path, "brief")
    params, macs, output = snippet.count(snippet.build().eval(), torch.randn(1, 3, 5, 5))
    assert (params, macs, tuple(output.shape)) == (39, 351, (1, 4, 3, 3))


ALL_NETWORKS = list(dict.fromkeys([network_spec(name) for name in NETWORK_NAMES] + list(SNIPPET_NETWORKS.values())))


@pytest.mark.parametrize("spec", ALL_NETWORKS, ids=models.model_stem)
def test_network_snippet_builds_the_apps_module(tmp_path, spec):
    snippet = _load_snippet(models.network_snippet(spec), tmp_path, "network")
    with torch.device("meta"):
        rebuilt, original = snippet.build(), models.build_model(spec)
    assert repr(rebuilt) == repr(original)
    assert {key: value.shape for key, value in rebuilt.state_dict().items()} == {
        key: value.shape for key, value in original.state_dict().items()
    }


def test_network_snippet_counts_as_the_app_and_is_named_after_the_network(tmp_path):
    spec = network_spec("mobilenet_v3_small", width_mult=0.5, resolution=64)
    snippet = _load_snippet(models.model_snippet(spec), tmp_path, "small")
    params, macs, logits = snippet.count(snippet.build().eval(), torch.randn(1, *snippet.INPUT_SHAPE))
    assert logits.shape == (1, 1000)
    assert (params, macs) == (count_network(spec).params, count_network(spec).macs)
    assert models.model_stem(spec) == "mobilenet_v3_small_0.5_64"
    assert list(models.model_files(spec)) == [
        "mobilenet_v3_small_0.5_64.py", "mobilenet_v3_small_0.5_64_structure.txt", "mobilenet_v3_small_0.5_64.onnx",
    ]


@pytest.mark.parametrize("name", list(SNIPPET_DESIGNS))
def test_design_snippet_builds_the_design_pages_module(tmp_path, name):
    spec = SNIPPET_DESIGNS[name]
    snippet = _load_snippet(models.model_snippet(spec), tmp_path, name)
    with torch.device("meta"):
        rebuilt, original = snippet.build(), build_network(spec.table())
    assert repr(rebuilt) == repr(original)
    assert {key: value.shape for key, value in rebuilt.state_dict().items()} == {
        key: value.shape for key, value in original.state_dict().items()
    }


def test_preset_equal_designs_are_the_presets():
    for name, spec in SNIPPET_DESIGNS.items():
        if name.removeprefix("design_") in NETWORK_NAMES:
            preset = network_spec(name.removeprefix("design_"), resolution=spec.resolution)
            assert (count_network(spec).params, count_network(spec).macs) == (count_network(preset).params, count_network(preset).macs)


def test_noskip_rows_have_no_residual_add_in_the_snippet(tmp_path):
    snippet = _load_snippet(models.model_snippet(SNIPPET_DESIGNS["design_noskip"]), tmp_path, "noskip")
    with torch.device("meta"):
        blocks = [block for stage in snippet.build().stages for block in stage]
    # mbconv 16 -> 16 stride 1 would add its input; noskip removes it (timm's noskip_...).
    assert len(blocks) == 8 and not any(block.has_residual for block in blocks)
