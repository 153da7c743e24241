"""The Design page without a browser: a preset's counts, a refused row keeps every cell, a pasted
definition replaces the table, and a link reproduces a design."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from explorer.analysis.counting import count_network
from explorer.models.networks.design import DesignSpec, parse_arch

APP = str(Path(__file__).resolve().parents[2] / "app.py")
MOBILENET_V2 = "[['ds_r1_k3_s1_c16'], ['ir_r2_k3_s2_e6_c24'], ['ir_r3_k3_s2_e6_c32'], ['ir_r4_k3_s2_e6_c64'], " \
               "['ir_r3_k3_s1_e6_c96'], ['ir_r3_k3_s2_e6_c160'], ['ir_r1_k3_s1_e6_c320']]"


def _design_page(query: dict[str, str] | None = None) -> AppTest:
    """A session on the Design page opened with the link ``query`` (AppTest finds pages after a first run)."""
    at = AppTest.from_file(APP, default_timeout=180).run()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.switch_page("views/design.py").run()


def _metric(at: AppTest, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label == label)


def test_the_default_design_is_efficientnet_b0_and_pasting_mobilenet_v2_counts_it():
    at = _design_page()
    assert not at.exception
    assert (_metric(at, "Parameters"), _metric(at, "MACs")) == ("5,288,548", "385,814,752")
    at.sidebar.selectbox(key="design_act").set_value("relu6").run()
    at.text_area(key="design_paste").set_value(MOBILENET_V2).run()
    at.button(key="design_paste_button").click().run()
    assert not at.exception and not at.error
    # B0's stem (32) and head (1280) with V2's blocks and ReLU6 are exactly MobileNetV2 (torchvision's count)
    assert (_metric(at, "Parameters"), _metric(at, "MACs")) == ("3,504,872", "300,774,272")
    assert at.query_params["arch"].startswith("ds_r1_k3_s1_e1_c16,ir_r2_k3_s2_e6_c24,")


def test_a_bad_paste_is_refused_naming_the_block_and_the_text_stays():
    at = _design_page()
    bad = "[['ds_r1_k3_s1_c16'], ['ir_r2_k3_s3_e6_c24_q7']]"
    at.text_area(key="design_paste").set_value(bad).run()
    at.button(key="design_paste_button").click().run()
    shown = [error.value.replace("\\", "") for error in at.error]  # refusals escape punctuation (inert Markdown)
    assert any("stage 2, block 1" in text and "unknown option 'q7'" in text for text in shown), shown
    assert at.text_area(key="design_paste").value == bad
    assert _metric(at, "Parameters") == "5,288,548"  # the table was left as it was


def test_a_link_reproduces_the_design():
    arch = "ds_r1_k3_s1_e1_c16_se0.25,ir_r2_k3_s2_e6_c24_se0.25,ir_r1_k5_s2_e4_c40_se0.25/er_r1_k3_s1_e4_c40"
    at = _design_page({"design_start": "efficientnet_b0", "arch": arch, "design_res": "160", "design_head": "640"})
    expected = count_network(DesignSpec(rows=parse_arch(arch, "swish"), head_channels=640, resolution=160))
    assert _metric(at, "Parameters") == f"{expected.params:,}"
    assert _metric(at, "MACs") == f"{expected.macs:,}"
