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
    page.slider(key="measure_budget").set_value(2.0).run()  # enough for the standard conv on a loaded 2-core machine
    page.selectbox(key="measure_threads").set_value(1).run()
    page.button(key="measure_button").click().run()
    assert not page.exception and not page.error
    charts = page.get("plotly_chart")
    assert len(charts) == 4  # latency vs MACs, reduction vs standard, roofline, memory per layer
    block = next(caption.value for caption in page.caption if caption.value.startswith("This block: median "))
    assert "1 thread;" in block and "IQR" in block and "of the 2 s budget, 1.4 s (70%)" in block
    roof_caption = next(caption.value for caption in page.caption if caption.value.startswith("Roofline:"))
    assert "GFLOP" not in roof_caption


def test_network_stage_latency(page, metric):
    page.radio(key="lat_what").set_value("network").run()
    page.selectbox(key="lat_network").set_value("mobilenet_v3_small").run()
    page.slider(key="lat_resolution").set_value(64).run()
    page.selectbox(key="net_measure_threads").set_value(1).run()
    # shown before measuring, counted on meta tensors: MobileNetV3-Small's 2,542,856 params x 4 B
    assert metric(page, "Weights") == "9.70 MiB"
    page.slider(key="net_measure_budget").set_value(1.0).run()
    page.button(key="net_measure_button").click().run()
    assert not page.exception and not page.error
    _shows_whole_network_and_paper_stages(page, metric, 13)  # MobileNetV3-Small: stem, 11 bnecks, head (Table 2)


def _shows_whole_network_and_paper_stages(page, metric, stages_count):
    assert metric(page, "Whole network, median").endswith(" ms")
    assert metric(page, "Spread (IQR, 25th–75th percentile)").endswith(" ms")
    caption = next(caption.value for caption in page.caption if ", whole network: median " in caption.value)
    assert "IQR" in caption and " runs (" in caption and "1 thread." in caption
    assert "of the 1 s budget, 0.3 s (30%) go to timing the whole network first" in caption
    assert len(page.get("plotly_chart")) >= 2  # latency per stage, memory per stage
    stages = page.dataframe[0].value
    assert list(stages["stage"]) == list(range(1, stages_count + 1)) and "IQR ms" in stages.columns
    assert stages["modules"].iloc[0] == "stem" and stages["modules"].iloc[-1] == "head + classifier"


def test_networks_page_shows_the_same_whole_network_latency(open_page, metric):
    page = open_page("views/networks.py", timeout=240)
    page.selectbox(key="net").set_value("mobilenet_v3_small").run()
    page.toggle(key="net_custom_res").set_value(True).run()
    page.slider(key="net_resolution").set_value(32).run()
    page.slider(key="net_measure_budget").set_value(1.0).run()
    page.selectbox(key="net_measure_threads").set_value(1).run()
    page.button(key="net_measure_button").click().run()
    assert not page.exception and not page.error
    assert metric(page, "Whole network, median").endswith(" ms")
    stages = next(frame.value for frame in page.dataframe if "modules" in frame.value.columns)
    assert list(stages["stage"]) == list(range(1, 14))  # the numbers of the page's own stage table


def test_too_big_a_network_is_refused_before_building(page):
    page.radio(key="lat_what").set_value("network").run()
    page.selectbox(key="lat_network").set_value("efficientnet_l2").run()
    page.button(key="net_measure_button").click().run()
    assert not page.exception
    assert "memory budget" in page.error[0].value and "lower the resolution" in page.error[0].value


def test_a_refused_block_names_the_budget_on_the_slider(page):
    page.selectbox(key="lat_kind").set_value("standard").run()
    for key, value in (("lat_in_channels", 512), ("lat_out_channels", 512), ("lat_size", 224), ("lat_kernel_size", 9)):
        page.slider(key=key).set_value(value).run()
    assert page.slider(key="measure_budget").value == 4.0
    page.button(key="measure_button").click().run()  # 1,065 GMACs: refused on meta tensors, nothing timed
    assert not page.exception
    shown = page.error[0].value.replace("\\", "")  # read as rendered: markdown escapes are text
    assert "more than the 4 s time budget, of which 2.8 s (70%) go to timing every comparable block kind" in shown
    assert "2.8 s time budget" not in shown
