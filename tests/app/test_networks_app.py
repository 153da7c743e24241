"""Networks and Compound-scaling pages driven by AppTest: no exception, numbers follow the controls."""

from __future__ import annotations

TIMEOUT = 120


def test_networks_page_counts_the_chosen_network(open_page, metric):
    at = open_page("views/networks.py", TIMEOUT)
    assert metric(at, "MACs") == "385,814,752"  # EfficientNet-B0, torchvision's figure
    assert metric(at, "Parameters") == "5,288,548"
    assert (metric(at, "Paper: params"), metric(at, "Paper: MACs")) == ("5.3M", "390M")  # Table 2: 5.3M, 0.39B
    note = next(caption.value for caption in at.caption if caption.value.startswith("EfficientNet paper Table 2"))
    assert note.count("multiply-adds") == 1  # said once
    at.selectbox(key="net").set_value("mobilenet_v2").run()
    assert not at.exception, at.exception
    assert metric(at, "MACs") == "300,774,272"
    at.slider(key="net_width").set_value(0.5).run()
    assert not at.exception, at.exception
    assert metric(at, "Parameters") == "1,968,680"


def test_networks_page_mobilenet_v1_full_conv(open_page, metric):
    at = open_page("views/networks.py", TIMEOUT)
    at.selectbox(key="net").set_value("mobilenet_v1").run()
    assert metric(at, "MACs") == "568,740,352"
    at.toggle(key="net_full_conv").set_value(True).run()
    assert not at.exception, at.exception
    assert metric(at, "Parameters") == "29,294,088"
    assert metric(at, "Paper: params") == "29.3M"  # Table 4, as printed


def test_networks_page_refuses_bad_resolution_without_traceback(open_page, metric):
    at = open_page("views/networks.py", TIMEOUT)
    at.toggle(key="net_custom_res").set_value(True).run()
    at.slider(key="net_resolution").set_value(32).run()
    assert not at.exception, at.exception
    assert metric(at, "MACs") != "385,814,752"


def test_scaling_page_counted_macs_follow_phi(open_page, metric):
    at = open_page("views/scaling.py", TIMEOUT)
    first = metric(at, "Counted MACs")
    at.slider(key="sc_phi").set_value(0.0).run()
    assert not at.exception, at.exception
    assert metric(at, "Counted MACs") == "385,814,752"  # phi = 0 is B0
    assert first != "385,814,752"
    at.number_input(key="sc_alpha").set_value(1.0).run()
    at.number_input(key="sc_beta").set_value(1.0).run()
    at.number_input(key="sc_gamma").set_value(1.0).run()
    assert not at.exception, at.exception
    assert any("must exceed 1" in error.value for error in at.error)
