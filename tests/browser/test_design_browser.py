"""A real browser edits one cell of the Design page's stage table: the totals and the link change, and Back
undoes the edit."""

from __future__ import annotations

import pytest

from explorer.analysis.counting import count_network
from explorer.models.networks.design import DesignSpec, parse_arch
from tests.browser.conftest import IDLE

pytestmark = pytest.mark.browser

# The "channels" cell of row 1, relative to the grid's top-left corner at a 1400-pixel-wide window
# (index, stage, block, expansion, kernel, stride, then channels; a 35-pixel header, 35-pixel rows).
CHANNELS_ROW_1 = (564, 53)


def _value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def test_editing_a_row_changes_the_totals_and_the_link_and_back_undoes_it(app_server, page):
    page.goto(f"{app_server}/design")
    page.locator('[data-testid="stMetric"]').filter(has_text="Parameters").first.wait_for(timeout=180_000)  # a cold server
    page.locator(".js-plotly-plot").first.wait_for()
    page.wait_for_timeout(2000)
    assert _value(page, "Parameters") == "5,288,548" and _value(page, "MACs") == "385,814,752"
    assert page.url == f"{app_server}/design"  # a page load leaves the link as opened
    page.wait_for_function(IDLE)
    box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    editor = page.locator("input:focus, textarea:focus")
    for _ in range(5):  # a busy machine may draw the grid's canvas late: open the cell editor until it opens
        page.mouse.dblclick(box["x"] + CHANNELS_ROW_1[0], box["y"] + CHANNELS_ROW_1[1])
        page.wait_for_timeout(700)
        if editor.count():
            break
    editor.fill("24")  # the editor's own input: keystrokes sent to the page may reach the grid's canvas instead
    page.keyboard.press("Enter")
    # the link is written when the run ends; a loaded machine (CI runs two workers) may take a while
    page.wait_for_function("location.href.includes('arch=ds_r1_k3_s1_e1_c24_se0.25')", timeout=180_000)
    edited = parse_arch(page.url.split("arch=")[1].split("&")[0].replace("%2C", ",").replace("%2F", "/"), "swish")
    expected = count_network(DesignSpec(rows=edited, stem_channels=32, head_channels=1280, activation="swish"))
    page.wait_for_function(f"document.body.innerText.includes('{expected.params:,}')")
    assert _value(page, "Parameters") == f"{expected.params:,}" != "5,288,548"
    assert _value(page, "MACs") == f"{expected.macs:,}"
    page.go_back()
    page.wait_for_function("document.body.innerText.includes('5,288,548')")
    page.wait_for_timeout(500)
    page.wait_for_function(IDLE)
    assert page.url == f"{app_server}/design" and _value(page, "MACs") == "385,814,752"
