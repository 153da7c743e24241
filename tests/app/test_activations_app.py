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


def _curve_names(at) -> list[str]:
    import json

    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return [trace["name"] for trace in spec["data"]]


def test_four_curves_by_default_and_the_picker_chooses_others(open_page):
    at = open_page(PAGE, 120)
    assert _curve_names(at) == ["ReLU", "ReLU6 (= ReLU on this range)", "swish / SiLU β=1", "h-swish"]
    at.multiselect(key="act_series").set_value(["sigmoid", "hsigmoid"]).run()
    assert not at.exception
    assert _curve_names(at) == ["sigmoid", "hard-sigmoid"]
    assert at.query_params["act_series"] == "sigmoid,hsigmoid"  # kept in the link
    at.multiselect(key="act_series").set_value([]).run()
    assert not at.exception and any("functions" in e.value for e in at.error)  # nothing chosen: refused, no traceback


def test_a_link_with_an_unknown_curve_gets_a_notice_and_the_default_set():
    from tests.app.test_links import open_link

    at = open_link(PAGE, {"act_series": "relu,tanhh"})
    assert not at.exception
    assert _curve_names(at)[0] == "ReLU" and len(_curve_names(at)) == 4
    assert any("act_series=relu,tanhh" in w.value for w in at.warning)
