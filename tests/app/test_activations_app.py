"""The Activation functions page runs and its numbers follow the controls."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parents[2] / "app.py")

PAGE = "views/activations.py"


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def _metric(at: AppTest, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def test_page_runs_and_shows_analytic_maxima():
    at = _open()
    assert _metric(at, "max |h-swish") == "0.1423"
    assert _metric(at, "max |hard-sigmoid") == "0.0692"
    assert len(at.get("plotly_chart")) == 3


def test_beta_and_range_change_the_numbers():
    at = _open()
    at.slider(key="act_beta").set_value(2.0).run()
    assert not at.exception
    assert _metric(at, "max |h-swish") == "0.3135"
    at.slider(key="act_xmin").set_value(0.0).run()
    at.slider(key="act_xmax").set_value(1.0).run()
    assert _metric(at, "max |hard-sigmoid") == "0.0644"


def test_reversed_range_is_refused_not_a_traceback():
    at = _open()
    at.slider(key="act_xmin").set_value(5.0).run()
    at.slider(key="act_xmax").set_value(2.0).run()
    assert not at.exception
    assert any("x_min" in e.value for e in at.error)
