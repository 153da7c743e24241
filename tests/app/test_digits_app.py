"""The trained-network SE page runs, shows the held-out accuracy and follows its controls."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

PAGE = "views/digits.py"


def _title(at: AppTest, key_start: str) -> str:
    import json

    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        text = spec["layout"].get("title", {}).get("text", "")
        if text.startswith(key_start):
            return text
    raise AssertionError(f"no chart titled {key_start!r}")


def test_page_shows_accuracy_heatmaps_and_a_prediction(open_page):
    at = open_page(PAGE, 120)
    accuracy = next(m.value for m in at.metric if m.label == "Held-out accuracy")
    assert float(accuracy.rstrip("%")) >= 95.0
    assert _title(at, "Prediction: 3")
    at.selectbox(key="digits_example").set_value(8).run()
    assert not at.exception
    assert _title(at, "Prediction: 8")


def test_retraining_from_the_app_offers_the_new_model(open_page):
    at = open_page(PAGE, 120)
    at.slider(key="digits_epochs").set_value(1).run()
    at.button(key="digits_retrain").click().run()
    assert not at.exception
    assert any("Retrained" in s.value for s in at.success)
    at.radio(key="digits_model").set_value("retrained").run()
    assert not at.exception
    one_epoch = next(m.value for m in at.metric if m.label == "Held-out accuracy")
    at.radio(key="digits_model").set_value("shipped").run()
    assert next(m.value for m in at.metric if m.label == "Held-out accuracy") != one_epoch


def test_centred_heatmaps_toggle(open_page):
    import json

    at = open_page(PAGE, 120)
    at.toggle(key="digits_centred").set_value(True).run()
    assert not at.exception
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any("class mean − channel mean" in t for t in titles)
