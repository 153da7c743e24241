"""Links: a view's whole configuration lives in the URL, so opening the link reproduces the view.

Each page is opened as a fresh session with the link's query parameters (as a new browser
would), through ``AppTest`` and ``app.py``. Invalid values must show a visible notice, never an error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.analysis.counting import block_report
from explorer.models.specs import block_spec
from views.widgets import PUBLISHED_KEY

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PAGES = sorted(set(re.findall(r'"(views/[a-z_]+\.py)"', APP.read_text())))
KEYED_WIDGETS = ("slider", "selectbox", "radio", "toggle", "number_input", "checkbox", "multiselect", "select_slider")
NOT_DETERMINISTIC = ("latency", "ms", "time", "throughput", "/s")
TIMEOUT = 180


def open_link(page: str, params: dict[str, str]) -> AppTest:
    """A new session that opens ``page`` with the link's query parameters, as a new browser tab would.

    It goes through ``app.py`` (navigation, the sidebar's slide style, the notices shown on top),
    exactly as a browser does.
    """
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.switch_page(page)
    return at.run()


def widget_values(at: AppTest) -> dict[str, object]:
    values = {}
    for kind in KEYED_WIDGETS:
        for widget in at.get(kind):
            if getattr(widget, "key", None):
                values[widget.key] = widget.value
    return values


def view_numbers(at: AppTest) -> dict[str, object]:
    """What a person reads: metric values, chart titles and table contents (timings left out)."""
    metrics = {m.label: m.value for m in at.metric if not any(word in m.label.lower() for word in NOT_DETERMINISTIC)}
    titles = [json.loads(chart.proto.spec).get("layout", {}).get("title", {}).get("text") for chart in at.get("plotly_chart")]
    return {"metrics": metrics, "titles": titles}


def page_params(at: AppTest) -> dict[str, str]:
    """The link of the view ``at`` shows: every setting the page's last complete run published.

    A session's first run leaves the address bar as opened (a page load adds no history entry), so the
    link is read from what the run published, which the next run writes to the URL.
    """
    published = at.session_state.get(PUBLISHED_KEY, {})
    return {key: value for key, value in published.items() if isinstance(value, str)}


def test_a_block_link_reproduces_the_numbers():
    link = {"kind": "bneck", "in_channels": "16", "out_channels": "24", "kernel_size": "5", "stride": "2", "se_ratio": "0.25"}
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(link | {"slide_style": "true"})
    at.run()
    assert not at.exception
    spec = block_spec("bneck", in_channels=16, out_channels=24, kernel_size=5, stride=2, se_ratio=0.25)
    report = block_report(spec)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Parameters"] == f"{report.params:,}"
    assert metrics["MACs"] == f"{report.macs:,}"
    assert at.slider(key="kernel_size").value == 5
    assert at.toggle(key="slide_style").value is True
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart["layout"]["font"]["size"] == 24, "slide style from the link"
    assert all(at.query_params[key] == value for key, value in link.items())


@pytest.mark.parametrize("page_file", PAGES)
def test_a_changed_view_reopens_identically_from_its_link(page_file):
    first = open_link(page_file, {})
    assert not first.exception
    sliders = [slider for slider in first.slider if slider.key and not slider.disabled]
    if sliders:
        slider = sliders[0]
        slider.set_value(slider.max if slider.value != slider.max else slider.min).run()
    link = page_params(first)
    again = open_link(page_file, link)
    assert not again.exception
    assert not again.warning.values or all("Ignored" not in text for text in again.warning.values)
    assert widget_values(again) == widget_values(first)
    assert view_numbers(again) == view_numbers(first)
