"""The Drop connect page runs and its numbers follow the controls."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parents[2] / "app.py")
PAGE = "views/drop_connect.py"


def test_page_runs_and_controls_change_numbers(metric):
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert metric(at, "Blocks") == "16"
    assert metric(at, "Lowest survival") == "0.8250"  # block 14: block 15 (0.8125) has no shortcut, never drops
    lowest = next(m for m in at.metric if m.label == "Lowest survival")
    assert lowest.proto.delta == "block 14, stage 7"
    at.selectbox(key="dc_network").set_value("efficientnet_b7").run()
    assert metric(at, "Blocks") == "55"
    at.slider(key="dc_p").set_value(0.0).run()
    assert not at.exception
    assert metric(at, "Branches kept in the demo") == "100.0%"
    assert metric(at, "Dropout: share zeroed") == "0.0%"
