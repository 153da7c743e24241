"""AppTest runs of the Blocks page: every kind renders without an exception, controls change numbers."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.models.specs import BLOCK_KINDS

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app():
    return AppTest.from_file(APP, default_timeout=120).run()


def test_default_page_renders(app, metric):
    assert not app.exception
    assert metric(app, "Parameters") == "24,328"  # MBConv 32 -> 64, t 6, SE 0.25, BN
    assert metric(app, "MACs") == "63,224,832"
    assert len(app.get("plotly_chart")) >= 1


@pytest.mark.parametrize("kind", list(BLOCK_KINDS))
def test_every_kind_renders(app, kind, metric):
    app.selectbox(key="kind").set_value(kind).run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error
    assert metric(app, "Parameters")


def test_slider_changes_numbers(app, metric):
    app.selectbox(key="kind").set_value("standard").run()
    app.slider(key="out_channels").set_value(128).run()
    # 3*3*32*128 conv + 2*128 BN
    assert metric(app, "Parameters") == f"{9 * 32 * 128 + 256:,}"


def test_textbook_mode_gives_the_worked_example(app, metric):
    app.selectbox(key="kind").set_value("depthwise_separable").run()
    app.slider(key="in_channels").set_value(3).run()
    app.slider(key="out_channels").set_value(4).run()
    app.slider(key="size").set_value(5).run()
    app.toggle(key="textbook").set_value(True).run()
    assert metric(app, "Parameters") == "39"
    assert metric(app, "MACs vs standard conv").startswith("0.361")  # 39 * 9 / (108 * 9)


def test_flops_switch_doubles(app, metric):
    macs = int(metric(app, "MACs").replace(",", ""))
    app.radio(key="unit").set_value("FLOPs").run()
    assert int(metric(app, "FLOPs").replace(",", "")) == 2 * macs


def test_impossible_combination_is_refused_with_a_message(app):
    app.selectbox(key="kind").set_value("standard").run()
    app.selectbox(key="padding").set_value(0).run()
    app.slider(key="size").set_value(2).run()
    assert not app.exception
    assert app.error and "kernel_size" in app.error[0].value


def test_kind_switch_restores_defaults(app):
    app.selectbox(key="kind").set_value("inverted_residual").run()
    assert app.selectbox(key="activation").value == "relu6"
    app.selectbox(key="kind").set_value("bneck").run()
    assert app.selectbox(key="activation").value == "hswish"


def test_link_reproduces_view_and_bad_values_are_noticed():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["kind"] = "group"
    at.query_params["groups"] = "8"
    at.query_params["kernel_size"] = "banana"
    at.run()
    assert not at.exception
    assert at.selectbox(key="groups").value == 8
    assert any("kernel_size=banana" in w.value for w in at.warning)


def test_only_the_open_tab_runs_and_the_link_names_it():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["kind"] = "depthwise_separable"
    at.query_params["tab"] = "Sweep"
    at.run()
    assert not at.exception
    # the sweep chart and the 1/C_out + 1/k² ratio chart, and nothing from the other tabs
    assert len(at.get("plotly_chart")) == 2
    assert "Export all: 8 charts and tables in one ZIP" in [e.label for e in at.expander]


def test_even_kernel_same_padding_is_explained_next_to_the_output():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"kind": "standard", "kernel_size": "4"})
    at.run()
    assert not at.exception, at.exception
    assert next(m.value for m in at.metric if m.label == "Output") == "64 × 55 × 55"
    [note] = [box.value for box in at.info if "TensorFlow's SAME" in box.value]
    assert "55 × 55, not 56 × 56" in note
    at.slider(key="kernel_size").set_value(5).run()
    assert not [box for box in at.info if "TensorFlow's SAME" in box.value]  # odd kernel: nothing to explain


def test_compare_kinds_names_its_assumptions():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"kind": "group", "tab": "Compare kinds"})
    at.run()
    assert not at.exception, at.exception
    assert any(caption.value.startswith("Same for every kind: C_in 32, C_out 64") for caption in at.caption)
    settings = at.dataframe[0].value.set_index("kind")["settings"]
    assert settings["group"] == "G = 4, ReLU" and settings["mbconv"].startswith("t = 6 (hidden 192), SE 0.25 of C_in")
