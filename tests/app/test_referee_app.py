"""The referee panel on the Blocks and Networks pages, driven by AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _page(path: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240).run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def _totals(at: AppTest):
    return next(frame.value for frame in at.dataframe if "counter" in frame.value.columns and "status" in frame.value.columns)


def test_blocks_page_runs_the_other_counters_on_its_block():
    at = _page("views/blocks.py")
    at.selectbox(key="kind").set_value("depthwise_separable").run()
    for key, value in (("in_channels", 3), ("out_channels", 4), ("size", 5)):
        at.slider(key=key).set_value(value).run()
    at.button(key="referee_button").click().run()
    assert not at.exception, at.exception
    totals = _totals(at).set_index("counter")
    assert int(totals.loc["this project", "MACs"]) == 975
    assert int(totals.loc["thop", "MACs"]) == 975 + 4 * (75 + 100)  # BatchNorm 4 per element
    assert set(totals["status"].iloc[1:]) == {"adds up exactly"}


def test_networks_page_refuses_a_network_too_large_to_run():
    at = _page("views/networks.py")
    at.toggle(key="net_custom_res").set_value(True).run()
    at.slider(key="net_resolution").set_value(2048).run()
    at.button(key="net_referee_button").click().run()
    assert not at.exception, at.exception
    assert any("memory" in error.value and "lower the resolution" in error.value for error in at.error)
