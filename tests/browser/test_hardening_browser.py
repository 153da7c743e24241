"""A real browser: every page loads cleanly, and eight sessions at once each see their own numbers.

Eight Chromium tabs (each its own browser context: own cookies, own Streamlit session) open
the Blocks page at the same moment with eight different configurations given in the link,
then all switch to another tab's configuration at once. Each must show exactly the params
and MACs of its own configuration (no cross-talk through cached or shared modules), no tab
may show an exception, and the server log must stay free of errors.

Every page listed in ``app.py`` is also opened by its URL: it must show its title, draw its
plotly charts (an SVG inside each chart), and show no exception element.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

from explorer.analysis.formulas import block_formula
from explorer.models.specs import block_spec

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

SESSIONS = [
    {"kind": "standard", "in_channels": 16, "out_channels": 24},
    {"kind": "depthwise_separable", "in_channels": 24, "out_channels": 40},
    {"kind": "group", "in_channels": 32, "out_channels": 64, "groups": 8},
    {"kind": "inverted_residual", "in_channels": 24, "out_channels": 24},
    {"kind": "bneck", "in_channels": 40, "out_channels": 40, "kernel_size": 5, "se_ratio": 0.25},
    {"kind": "mbconv", "in_channels": 16, "out_channels": 24, "stride": 2},
    {"kind": "fused_mbconv", "in_channels": 24, "out_channels": 48, "stride": 2},
    {"kind": "spatially_separable", "in_channels": 8, "out_channels": 16, "kernel_size": 5},
]

LOG_ERRORS = re.compile(r"Traceback|Exception|\bERROR\b|Error:")


def expected_numbers(setting: dict) -> tuple[str, str]:
    """Params and MACs as the page prints them, from the analytic formulas."""
    options = {key: value for key, value in setting.items() if key != "kind"}
    formula = block_formula(block_spec(setting["kind"], **options))
    return f"{formula.params:,}", f"{formula.macs:,}"


def metric_value(page, label: str):
    metric = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True)).first
    return metric.locator('[data-testid="stMetricValue"]')


def open_all_at_once(pages: list, base: str, settings: list[dict]) -> None:
    """Start every navigation before waiting for any page, so the server serves them together."""
    for page, setting in zip(pages, settings, strict=True):
        page.goto(f"{base}/?{urlencode(setting)}", wait_until="commit")  # the default page is served at /


def check_own_numbers(pages: list, settings: list[dict]) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    for page, setting in zip(pages, settings, strict=True):
        params, macs = expected_numbers(setting)
        expect(metric_value(page, "Parameters")).to_have_text(params, timeout=180_000)
        expect(metric_value(page, "MACs")).to_have_text(macs, timeout=180_000)
        assert page.locator('[data-testid="stException"]').count() == 0, setting


def server_log(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The text of the ``app_server`` fixture's log (it lives under this session's temp dir)."""
    logs = sorted(Path(tmp_path_factory.getbasetemp()).glob("streamlit*/server.log"))
    assert logs, "no server log found"
    return "\n".join(path.read_text() for path in logs)


def test_eight_sessions_at_once_each_see_their_own_numbers(app_server, browser, tmp_path_factory):
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in SESSIONS]
    try:
        pages = [context.new_page() for context in contexts]
        open_all_at_once(pages, app_server, SESSIONS)
        check_own_numbers(pages, SESSIONS)
        rotated = SESSIONS[1:] + SESSIONS[:1]
        open_all_at_once(pages, app_server, rotated)
        check_own_numbers(pages, rotated)
    finally:
        for context in contexts:
            context.close()
    errors = [line for line in server_log(tmp_path_factory).splitlines() if LOG_ERRORS.search(line)]
    assert not errors, errors[:5]


def app_pages() -> list[tuple[str, str, str]]:
    """``(url path, view file, title)`` of every page in ``app.py``; the default page is served at ``/``."""
    pattern = re.compile(r'st\.Page\(.*"(views/\w+\.py)".*title="([^"]+)".*url_path="([^"]+)"(.*)$', re.MULTILINE)
    return [
        ("" if "default=True" in rest else path, view, title)
        for view, title, path, rest in pattern.findall((ROOT / "app.py").read_text())
    ]


def expected_chart_count(view: str) -> int:
    """How many plotly charts the page draws on its first run (from an in-process AppTest run)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    if view != "views/blocks.py":
        at.switch_page(view).run()
    return len(at.get("plotly_chart"))


@pytest.mark.parametrize(("path", "view", "title"), app_pages(), ids=[view for _, view, _ in app_pages()])
def test_every_page_loads_and_draws_its_charts(app_server, page, path, view, title):
    expect = pytest.importorskip("playwright.sync_api").expect
    charts = expected_chart_count(view)
    page.goto(f"{app_server}/{path}")
    expect(page.get_by_role("heading", level=1).first).to_be_visible(timeout=90_000)
    drawn = page.locator('[data-testid="stPlotlyChart"]')
    expect(drawn).to_have_count(charts, timeout=120_000)
    for index in range(charts):
        expect(drawn.nth(index).locator("svg.main-svg").first).to_be_attached(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0


def png_bytes(pixels) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def a_drawn_one() -> bytes:
    """A dark vertical stroke on white: a hand-drawn digit 1."""
    import numpy as np

    pixels = np.full((64, 64), 255, dtype=np.uint8)
    pixels[8:56, 28:36] = 0
    return png_bytes(pixels)


def test_hostile_upload_gets_a_message_and_the_server_keeps_serving(app_server, page):
    """A 65535 x 65535 PNG header on the digits page: a readable refusal, then a real digit still works."""
    expect = pytest.importorskip("playwright.sync_api").expect
    from tests.app.test_hardening import _png

    page.goto(f"{app_server}/se-trained?digits_source=upload")
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploader.wait_for(state="attached", timeout=120_000)
    uploader.set_input_files([{"name": "bomb.png", "mimeType": "image/png", "buffer": _png(65535, 65535)}])
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="image: too many pixels")).to_be_visible(timeout=90_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    uploader.set_input_files([{"name": "one.png", "mimeType": "image/png", "buffer": a_drawn_one()}])
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="image:")).to_have_count(0, timeout=90_000)
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_attached(timeout=90_000)
    assert page.locator('[data-testid="stException"]').count() == 0
