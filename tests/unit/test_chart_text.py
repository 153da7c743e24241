"""No chart has overlapping, clipped, shrunken or turned text, on screen or exported, in either style.

Every chart of every page is built by the library functions its view calls (``explorer/artifacts/*``,
``explorer/demos/*``), rendered to SVG by the export path (kaleido + Chromium, the 1920 x 1080 layout)
and its estimated text boxes are checked (:mod:`explorer.export.checks`). Pages that show measurements
(latency, activation speed, the last stage's timing, the accuracy chart's latency panel) get fixed,
made-up timings: the layout must hold for any numbers, and a test must not depend on this machine's load.
The export scale only enlarges the picture (the layout is the same at 1x and 3x), which one test checks.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import pytest
import torch

from explorer.analysis.measure import BlockMeasurement, Comparison, Latency, MachinePeaks, block_reports
from explorer.analysis.measurements import BlockMeasureResults, NetworkMeasureResults, numbered_stages, paper_stages
from explorer.analysis.memory import memory_report
from explorer.artifacts.base import PageArtifacts
from explorer.export import render
from explorer.export.checks import text_boxes, text_problems
from explorer.figures.style import STYLES
from explorer.models.blocks import comparable_specs
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import network_spec, network_table
from explorer.models.specs import BlockSpec, block_spec

pytestmark = pytest.mark.skipif(not render.static_export_available(), reason="SVG export needs Chromium")

BLOCK_KINDS = ("mbconv", "depthwise_separable", "group", "gdc", "se", "fused_mbconv", "standard", "bneck")
NETWORKS = ("efficientnet_b0", "efficientnet_b7", "mobilenet_v1", "mobilenet_v3_small", "efficientnet_v2_s")


def made_up_latency(ms: float) -> Latency:
    """A measurement with a median of ``ms`` and a spread of -10% / +15%."""
    seconds = ms / 1e3
    return Latency(seconds, 0.9 * seconds, 1.15 * seconds, 0.85 * seconds, 20, 200, 1, (3, 8, 8), 1.0, 0.5, "timed blocks")


def block_results(spec: BlockSpec) -> BlockMeasureResults:
    """What the Latency page measures for ``spec``, with timings that grow with MACs (20 GMAC/s plus 20 µs)."""
    measured = {}
    for kind, variant in (comparable_specs(spec) or {spec.kind: spec}).items():
        costs, memory = block_reports(variant)
        measured[kind] = BlockMeasurement(variant, costs, memory, made_up_latency(0.02 + costs.macs / 2e7))
    _, memory = block_reports(spec)
    layers = {layer.name: made_up_latency(0.01 + layer.macs / 2e7) for layer in memory.layers if layer.macs}
    return BlockMeasureResults(spec, Comparison(measured), memory, layers, MachinePeaks(60.0, 12.0, 1))


def network_results(name: str) -> NetworkMeasureResults:
    """What the Latency page measures for network ``name`` (whole and per paper stage), timings growing with MACs."""
    spec = network_spec(name)
    stage_of, rows = paper_stages(spec)
    with torch.device("meta"):
        memory = memory_report(build_network(network_table(spec)), (3, spec.resolution, spec.resolution), stage_of)
    stages = memory.stage_frame()[["stage", "layers", "MACs", "weight bytes", "peak live bytes"]].copy()
    stages["latency ms"] = 0.2 + stages["MACs"] / 2e7
    stages["q1 ms"], stages["q3 ms"] = 0.9 * stages["latency ms"], 1.15 * stages["latency ms"]
    stages["IQR ms"] = stages["q3 ms"] - stages["q1 ms"]
    stages["runs"], stages["threads"] = 30, 1
    whole = made_up_latency(0.2 + memory.macs / 2e7)
    return NetworkMeasureResults(spec.label, whole, numbered_stages(stages, rows), memory,
                                 numbered_stages(memory.stage_frame(), rows), 1, 5.0)


def blocks_page(style: str) -> list[PageArtifacts]:
    from explorer.artifacts.blocks import block_artifacts

    return [*(block_artifacts(block_spec(kind), style) for kind in BLOCK_KINDS),
            block_artifacts(block_spec("mbconv"), style, log_scale=True)]


def networks_page(style: str) -> list[PageArtifacts]:
    from explorer.artifacts.accuracy import accuracy_artifacts
    from explorer.artifacts.networks import network_artifacts
    from explorer.models.networks.papers import published_presets

    timed = {preset: made_up_latency(1.0 + preset.resolution**2 / 2e4) for preset, _ in published_presets()}
    return [*(network_artifacts(network_spec(name), style) for name in NETWORKS),
            accuracy_artifacts(network_spec("efficientnet_b0"), style),
            accuracy_artifacts(network_spec("mobilenet_v2"), style, timed)]


def scaling_page(style: str) -> list[PageArtifacts]:
    from explorer.artifacts.scaling import scaling_artifacts

    return [scaling_artifacts(network_spec("efficientnet", phi=phi), style) for phi in (1.0, 8.0)]


def activations_page(style: str) -> list[PageArtifacts]:
    from explorer.demos.activations import ACTIVATION_CURVES, activation_artifacts

    return [activation_artifacts(style=style),
            activation_artifacts(-8, 8, 2.0, True, functions=tuple(ACTIVATION_CURVES), style=style)]


def se_weights_page(style: str) -> list[PageArtifacts]:
    from explorer.demos.se import sample_photo, se_block_artifacts, synthetic_pattern

    mbconv = block_spec("mbconv", in_channels=32, out_channels=32, size=56)
    wide = block_spec("se", in_channels=256, size=16)  # 256 channels, the most extremes a user can ask for
    return [se_block_artifacts(mbconv, sample_photo("china.jpg"), "channel", 3, 0, style),
            se_block_artifacts(wide, synthetic_pattern("stripes"), "sorted", 6, 0, style)]


def digits_page(style: str) -> list[PageArtifacts]:
    from explorer.demos.digits import digits_artifacts, held_out_example, load_trained, prediction_artifacts

    model = load_trained()[0]
    return [digits_artifacts(model, style), digits_artifacts(model, style, centred=True),
            prediction_artifacts(model, held_out_example(3), style)]


def drop_connect_page(style: str) -> list[PageArtifacts]:
    from explorer.demos.drop_connect import dropconnect_artifacts

    return [dropconnect_artifacts("efficientnet_b0", 0.2, 16, 50, 0, style),
            dropconnect_artifacts("efficientnet_b7", 0.5, 32, 20, 0, style)]


def latency_page(style: str) -> list[PageArtifacts]:
    from explorer.artifacts.measure import block_measure_artifacts, network_measure_artifacts

    blocks = [block_measure_artifacts(block_results(block_spec(kind)), style) for kind in ("depthwise_separable", "mbconv")]
    return [*blocks, network_measure_artifacts(network_results("efficientnet_b0"), "efficientnet_b0", style)]


def design_page(style: str) -> list[PageArtifacts]:
    from explorer.artifacts.design import design_artifacts
    from explorer.models.networks.design import preset_design

    b0 = preset_design("efficientnet_b0")
    return [design_artifacts(b0, b0, style), design_artifacts(preset_design("mobilenet_v3_large"), None, style)]


def papers_pages(style: str) -> list[PageArtifacts]:
    """Linear bottleneck, dead kernels, last stage (counted, then timed) and activation speed."""
    from explorer.artifacts import papers
    from explorer.demos.activation_speed import ACTIVATIONS, ActivationTiming
    from explorer.demos.last_stage import StageTiming

    ns_per_element = {"relu": 0.3, "relu6": 0.35, "sigmoid": 1.2, "swish": 1.5, "hsigmoid": 0.6, "hswish": 0.8}
    speeds = [ActivationTiming(name, 65536, made_up_latency(ns_per_element[name] * 65536 / 1e6)) for name in ACTIVATIONS]
    timings = {"original": StageTiming((22.0, 23.0, 21.5), 2.1), "efficient": StageTiming((19.0, 19.5, 18.9), 0.4)}
    return [papers.linear_bottleneck_artifacts(3, 0, style), papers.linear_bottleneck_artifacts(30, 0, style),
            papers.dead_kernel_artifacts(1e-2, style), papers.last_stage_artifacts(style),
            papers.last_stage_artifacts(style, timings), papers.activation_speed_artifacts(speeds, style)]


def referee_panel(style: str) -> list[PageArtifacts]:
    from explorer.analysis.peers import referee_block
    from explorer.artifacts.referee import referee_artifacts

    return [referee_artifacts(referee_block(block_spec(kind)), kind, style) for kind in ("mbconv", "depthwise_separable")]


def your_model_page(style: str) -> list[PageArtifacts]:
    from explorer.artifacts.your_model import your_model_artifacts
    from explorer.sources import zoo

    shown = []
    for source, name in (("timm", "mobilenetv4_conv_small"), ("torchvision", "mobilenet_v3_large")):
        counted = zoo.count_zoo_model(source, name)
        shown.append(your_model_artifacts(counted.label, counted.note, counted.input_size, counted.report,
                                          "depthwise-separable", style))
    return shown


PAGES: dict[str, Callable[[str], list[PageArtifacts]]] = {
    "blocks": blocks_page, "networks": networks_page, "scaling": scaling_page, "activations": activations_page,
    "se-weights": se_weights_page, "digits": digits_page, "drop-connect": drop_connect_page, "latency": latency_page,
    "design": design_page, "papers": papers_pages, "referee": referee_panel, "your-model": your_model_page,
}


def page_charts(page: str, style: str) -> dict[str, go.Figure]:
    """Every chart the page draws for its representative configurations, keyed ``n/export name``."""
    charts = {}
    for index, artifacts in enumerate(PAGES[page](style)):
        charts |= {f"{index}/{name}": item for name, item in artifacts.exports().items() if isinstance(item, go.Figure)}
    return charts


@pytest.mark.parametrize("style", list(STYLES))
@pytest.mark.parametrize("page", list(PAGES))
def test_every_chart_has_readable_text(page, style):
    charts = page_charts(page, style)
    assert charts, f"{page} drew no chart"
    problems = {}
    for name, chart in charts.items():
        found = text_problems(render.figure_to_bytes(chart, "svg"), STYLES[style].min_text)
        if found:
            problems[name] = found[:4]
    assert not problems, problems


def test_the_export_scale_enlarges_the_picture_but_keeps_the_layout():
    from explorer.artifacts.networks import network_artifacts

    chart = network_artifacts(network_spec("efficientnet_b0"), "slide").family
    at_1x, at_3x = (render.figure_to_bytes(chart, "svg", scale=scale) for scale in (1, 3))
    assert text_boxes(at_1x) == text_boxes(at_3x)
    assert b'width="5760' in at_3x and b'width="1920' in at_1x  # 3 x 1920 pixels wide, same 1280 x 720 layout


def test_the_check_sees_overlap_clipping_and_tiny_text():
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    fig.update_layout(width=600, height=400, annotations=[
        {"x": "a", "y": 1, "text": "first label here", "showarrow": False},
        {"x": "a", "y": 1, "text": "second label", "showarrow": False, "yshift": 3},
        {"x": 0.0, "y": 1.0, "xref": "paper", "yref": "paper", "text": "far off the left edge", "showarrow": False,
         "xshift": -200},
        {"x": "b", "y": 2, "text": "tiny", "showarrow": False, "font": {"size": 6}},
    ])
    problems = text_problems(render.figure_to_bytes(fig, "svg"))
    assert any(p.startswith("overlap: 'first label here'") for p in problems), problems
    assert any(p.startswith("clipped: 'far off the left edge'") for p in problems), problems
    assert any(p.startswith("too small: 'tiny'") for p in problems), problems
    boxes, size = text_boxes(render.figure_to_bytes(fig, "svg"))
    assert size == (1280.0, 720.0) and len(boxes) >= 6


def test_the_check_sees_text_shrunk_with_a_tall_figure():
    """A figure twice as tall as the export layout is drawn at half size: its 20 px text reads as 10 px."""
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    fig.update_layout(height=1440, annotations=[{"x": "a", "y": 1, "text": "on a tall chart", "font": {"size": 20}}])
    problems = text_problems(render.figure_to_bytes(fig, "svg"), min_font=16)
    assert any(p.startswith("too small: 'on a tall chart' (annotation-text) at 10.0 px (drawn at 0.50") for p in problems)
    fig.update_layout(height=720)
    assert not any("on a tall chart" in p for p in text_problems(render.figure_to_bytes(fig, "svg"), min_font=16))
