"""Text a user brought (an uploaded ONNX file's name, its producer and layer types) is drawn as typed in charts.

Plotly reads titles, tick labels, legend names and hover text as a small HTML: an uploaded file named
``<a href='https://evil.example'>x</a>.onnx`` drew a clickable link to another site in the chart's title and
legend. Every such text reaches the figure through :func:`explorer.figures.labels.literal`.
"""

from __future__ import annotations

import html
import json

import pandas as pd
import plotly.graph_objects as go
import pytest
from torch import nn

from explorer.artifacts.your_model import your_model_artifacts
from explorer.export.decks import figure_title
from explorer.export.models import onnx_bytes
from explorer.figures.labels import literal
from explorer.figures.networks import cost_share_figure
from explorer.sources.onnx import count_onnx_bytes

HOSTILE = "<a href='https://evil.example/a'>alink</a> <b>bold</b> <br> &amp; <img src=https://evil.example/p.png>"
TAG = "<"  # plotly draws a tag only from a literal '<'; '&lt;' is drawn as the character


def _texts(fig: go.Figure) -> str:
    """Every string of the figure as plotly.js receives it (JSON keeps '<' as '<')."""
    return json.dumps(json.loads(fig.to_json()), ensure_ascii=False)


def test_literal_turns_every_tag_and_entity_into_its_characters():
    assert literal("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert html.unescape(literal(HOSTILE)) == HOSTILE
    assert TAG not in literal(HOSTILE)
    assert literal("stage 1: MBConv6, 3x3") == "stage 1: MBConv6, 3x3", "plain text is unchanged"


def test_an_uploaded_files_name_and_layer_types_are_drawn_as_typed():
    data = onnx_bytes(nn.Sequential(nn.Conv2d(3, 8, 3, bias=False), nn.ReLU()), (3, 10, 10))
    counted = count_onnx_bytes(data)
    label = f"{HOSTILE}.onnx"
    artifacts = your_model_artifacts(label, counted.note, counted.input_size, counted.report, "depthwise-separable",
                                     "screen")
    for fig in (artifacts.by_type_chart, artifacts.family):
        assert "evil.example" in _texts(fig), "the name is shown"
        assert "<a " not in _texts(fig) and "<b>" not in _texts(fig) and "<img" not in _texts(fig)
    assert html.unescape(artifacts.by_type_chart.layout.title.text) == f"{label}: params and MACs by layer type"
    star = artifacts.family.data[-1]
    assert html.unescape(star.name) == f"current: {label}" and html.unescape(star.customdata[0]) == label
    assert figure_title(artifacts.by_type_chart, "fallback") == f"{label}: params and MACs by layer type", \
        "a slide's title is the plain text again"


@pytest.mark.parametrize("category", ["type", "stage"])
def test_category_names_are_drawn_as_typed(category):
    frame = pd.DataFrame({category: [HOSTILE, 2], "params": [1, 3], "MACs": [2, 2], "% params": [25.0, 75.0],
                          "% MACs": [50.0, 50.0]})
    fig = cost_share_figure(frame, category, "screen", "a title")
    assert [html.unescape(x) for x in fig.data[0].x] == [HOSTILE, "2"]
    assert TAG not in "".join(fig.data[0].x)
