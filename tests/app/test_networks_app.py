"""Networks and Compound-scaling pages driven by AppTest: no exception, numbers follow the controls."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

TIMEOUT = 120
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _page(path: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label == label)


def test_networks_page_counts_the_chosen_network():
    at = _page("views/networks.py")
    assert _metric(at, "MACs") == "385,814,752"  # EfficientNet-B0, torchvision's figure
    assert _metric(at, "Parameters") == "5,288,548"
    at.selectbox(key="net").set_value("mobilenet_v2").run()
    assert not at.exception, at.exception
    assert _metric(at, "MACs") == "300,774,272"
    at.slider(key="net_width").set_value(0.5).run()
    assert not at.exception, at.exception
    assert _metric(at, "Parameters") == "1,968,680"


def test_networks_page_mobilenet_v1_full_conv():
    at = _page("views/networks.py")
    at.selectbox(key="net").set_value("mobilenet_v1").run()
    assert _metric(at, "MACs") == "568,740,352"
    at.toggle(key="net_full_conv").set_value(True).run()
    assert not at.exception, at.exception
    assert _metric(at, "Parameters") == "29,294,088"
    assert _metric(at, "Paper: params") == "29.30M"


def test_networks_page_refuses_bad_resolution_without_traceback():
    at = _page("views/networks.py")
    at.toggle(key="net_custom_res").set_value(True).run()
    at.slider(key="net_resolution").set_value(32).run()
    assert not at.exception, at.exception
    assert _metric(at, "MACs") != "385,814,752"


def test_scaling_page_counted_macs_follow_phi():
    at = _page("views/scaling.py")
    first = _metric(at, "Counted MACs")
    at.slider(key="sc_phi").set_value(0.0).run()
    assert not at.exception, at.exception
    assert _metric(at, "Counted MACs") == "385,814,752"  # phi = 0 is B0
    assert first != "385,814,752"
    at.number_input(key="sc_alpha").set_value(1.0).run()
    at.number_input(key="sc_beta").set_value(1.0).run()
    at.number_input(key="sc_gamma").set_value(1.0).run()
    assert not at.exception, at.exception
    assert any("must exceed 1" in error.value for error in at.error)
