"""The one-click scenes of the Blocks page: each link opens without exception and shows its setting.

Every scene is opened as a new browser tab opens a link: a fresh ``AppTest`` session through ``app.py``,
on the scene's page, with the scene's query string (parsed back from the link itself).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from explorer.analysis.counting import network_totals
from explorer.models.networks.tables import network_spec
from views.scenes import SCENES

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGE_FILES = {"": "views/blocks.py", "networks": "views/networks.py", "scaling": "views/scaling.py"}
TIMEOUT = 180
SCENE = {scene.title: scene for scene in SCENES}


def open_scene(title: str) -> AppTest:
    """Open the scene's link as a new tab would: its path picks the page, its query string sets the controls."""
    link = urlsplit(SCENE[title].link)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(dict(parse_qsl(link.query)))
    if link.path:
        at.switch_page(PAGE_FILES[link.path])
    at.run()
    assert not at.exception, at.exception
    assert not [w.value for w in at.warning if "from the link" in w.value]  # every value of the link was taken
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


def test_every_scene_is_on_the_blocks_page_as_a_link():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    text = " ".join(block.value for block in at.markdown)
    assert "Start here" in text
    for scene in SCENES:
        assert f"[{scene.title}]({scene.link} " in text


def test_standard_vs_depthwise_separable():
    at = open_scene("Standard vs depthwise-separable")
    assert at.selectbox(key="kind").value == "depthwise_separable"
    assert (at.slider(key="in_channels").value, at.slider(key="out_channels").value) == (256, 256)
    assert metric(at, "MACs vs standard conv") == "0.115×"  # 1/256 + 1/9 = 0.1150
    assert metric(at, "MACs") == f"{9 * 256 * 28 * 28 + 256 * 256 * 28 * 28:,}"  # depthwise + pointwise
    assert at.get("latex") and not at.get("plotly_chart")  # the Formula tab is the open one


def test_mbconv_anatomy():
    at = open_scene("MBConv anatomy")
    assert at.selectbox(key="kind").value == "mbconv"
    assert (at.slider(key="kernel_size").value, at.slider(key="expansion").value) == (5, 6.0)
    [title] = chart_titles(at)  # the Block diagram tab: the diagram alone
    assert title == "MBConv (EfficientNet): layers, shapes and cost"
    assert metric(at, "Output") == "40 × 28 × 28"


def test_mobilenet_v1_width_times_resolution():
    at = open_scene("MobileNetV1 width × resolution")
    assert at.selectbox(key="net").value == "mobilenet_v1"
    assert (at.slider(key="net_width").value, at.slider(key="net_resolution").value) == (0.5, 160)
    params, macs = network_totals(network_spec("mobilenet_v1", width_mult=0.5, resolution=160))
    assert (metric(at, "Parameters"), metric(at, "MACs")) == (f"{params:,}", f"{macs:,}")


def test_b0_to_b7_compound_scaling():
    at = open_scene("B0 to B7 compound scaling")
    assert at.slider(key="sc_phi").value == 7.0
    assert metric(at, "Counted MACs") == f"{network_totals(network_spec('efficientnet', phi=7.0))[1]:,}"
    assert "Compound scaling: depth, width and resolution against φ" in chart_titles(at)


@pytest.mark.parametrize("scene", SCENES, ids=lambda scene: scene.title)
def test_scene_links_are_relative_and_name_a_page(scene):
    link = urlsplit(scene.link)
    assert not link.scheme and not link.netloc and link.path in PAGE_FILES
    assert dict(parse_qsl(link.query)) == scene.params
