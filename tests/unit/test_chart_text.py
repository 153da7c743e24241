"""No chart has overlapping, clipped, shrunken or turned text, on screen or exported, in either style.

Every chart of every page is rendered to SVG by the export path (kaleido + Chromium, the 1920 x 1080
layout) and its estimated text boxes are checked (:mod:`explorer.export.checks`).
"""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from explorer.artifacts.blocks import block_artifacts
from explorer.artifacts.networks import network_artifacts
from explorer.artifacts.scaling import scaling_artifacts
from explorer.demos.activations import activation_artifacts
from explorer.export import render
from explorer.export.checks import text_boxes, text_problems
from explorer.figures.style import STYLES
from explorer.models.networks.tables import network_spec
from explorer.models.specs import block_spec

pytestmark = pytest.mark.skipif(not render.static_export_available(), reason="SVG export needs Chromium")

BLOCK_KINDS = ("mbconv", "depthwise_separable", "group", "gdc", "se", "fused_mbconv", "standard", "bneck")
NETWORKS = ("efficientnet_b0", "efficientnet_b7", "mobilenet_v1", "mobilenet_v3_small", "efficientnet_v2_s")


def page_charts(style: str) -> dict[str, go.Figure]:
    """Every chart the pages draw, for representative configurations, keyed ``page/name``."""
    charts: dict[str, object] = {}
    for kind in BLOCK_KINDS:
        charts |= {f"blocks/{k}": v for k, v in block_artifacts(block_spec(kind), style).exports().items()}
    charts |= {f"blocks/log/{k}": v for k, v in block_artifacts(block_spec("mbconv"), style, log_scale=True).exports().items()}
    for name in NETWORKS:
        charts |= {f"networks/{k}_{name}": v for k, v in network_artifacts(network_spec(name), style).exports().items()}
    charts |= {f"scaling/{k}": v for k, v in scaling_artifacts(network_spec("efficientnet", phi=8.0), style).exports().items()}
    charts |= {f"activations/{k}": v for k, v in activation_artifacts(style=style).exports().items()}
    return {name: chart for name, chart in charts.items() if isinstance(chart, go.Figure)}


@pytest.mark.parametrize("style", list(STYLES))
def test_every_chart_has_readable_text(style):
    problems = {}
    for name, chart in page_charts(style).items():
        found = text_problems(render.figure_to_bytes(chart, "svg"), STYLES[style].min_text)
        if found:
            problems[name] = found[:4]
    assert not problems, problems


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
