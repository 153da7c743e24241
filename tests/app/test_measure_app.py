"""AppTest runs of the Latency & memory page: memory shown at once, Measure fills charts, refusals are readable."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def page():
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("views/latency.py").run()
    assert not at.exception
    return at


def test_block_memory_then_measure(page, metric):
    for key, value in (("lat_in_channels", 3), ("lat_out_channels", 4), ("lat_size", 5)):
        page.slider(key=key).set_value(value).run()
    # depthwise-separable 3 -> 4 on 5x5, BN + ReLU: weights 27 + 12 conv + 6 + 8 BN = 53 floats = 212 B;
    # peak at the pointwise BN: its input and output, 4 x 25 floats each = 800 B (the 3 x 25 maps are dead by then)
    assert metric(page, "Weights") == "212 B"
    assert metric(page, "Peak activation memory") == "800 B"
    assert not page.get("plotly_chart")
    page.slider(key="measure_budget").set_value(0.5).run()
    page.selectbox(key="measure_threads").set_value(1).run()
    page.button(key="measure_button").click().run()
    assert not page.exception and not page.error
    charts = page.get("plotly_chart")
    assert len(charts) == 4  # latency vs MACs, reduction vs standard, roofline, memory per layer
    assert any("1 threads" in caption.value for caption in page.caption)


def test_network_stage_latency(page, metric):
    page.radio(key="lat_what").set_value("network").run()
    page.selectbox(key="lat_network").set_value("mobilenet_v3_small").run()
    page.slider(key="lat_resolution").set_value(64).run()
    # shown before measuring, counted on meta tensors: MobileNetV3-Small's 2,542,856 params x 4 B
    assert metric(page, "Weights") == "9.70 MiB"
    page.slider(key="net_measure_budget").set_value(1.0).run()
    page.button(key="net_measure_button").click().run()
    assert not page.exception and not page.error
    assert len(page.get("plotly_chart")) == 2  # latency per stage, memory per stage
    stages = page.dataframe[0].value
    assert list(stages["stage"])[:2] == ["stem", "stages.0"] and "IQR ms" in stages.columns


def test_too_big_a_network_is_refused_before_building(page):
    page.radio(key="lat_what").set_value("network").run()
    page.selectbox(key="lat_network").set_value("efficientnet_l2").run()
    page.button(key="net_measure_button").click().run()
    assert not page.exception
    assert "memory budget" in page.error[0].value and "lower the resolution" in page.error[0].value
