"""The Activation functions page runs and its numbers follow the controls."""

from __future__ import annotations

PAGE = "views/activations.py"


def test_page_runs_and_shows_analytic_maxima(open_page, metric):
    at = open_page(PAGE, 120)
    assert metric(at, "max |h-swish", prefix=True) == "0.1423"
    assert metric(at, "max |hard-sigmoid", prefix=True) == "0.0692"
    assert len(at.get("plotly_chart")) == 3


def test_beta_and_range_change_the_numbers(open_page, metric):
    at = open_page(PAGE, 120)
    at.slider(key="act_beta").set_value(2.0).run()
    assert not at.exception
    assert metric(at, "max |h-swish", prefix=True) == "0.3135"
    at.slider(key="act_xmin").set_value(0.0).run()
    at.slider(key="act_xmax").set_value(1.0).run()
    assert metric(at, "max |hard-sigmoid", prefix=True) == "0.0644"


def test_reversed_range_is_refused_not_a_traceback(open_page):
    at = open_page(PAGE, 120)
    at.slider(key="act_xmin").set_value(5.0).run()
    at.slider(key="act_xmax").set_value(2.0).run()
    assert not at.exception
    assert any("x_min" in e.value for e in at.error)
