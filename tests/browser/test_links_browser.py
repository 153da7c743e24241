"""A real browser opens links to the running app: the configured numbers appear, a chart's PNG
button downloads a slide-sized PNG, and a bad value in a link gets a notice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explorer.analysis.counting import block_report
from explorer.export.render import static_export_available
from explorer.models.specs import block_spec

pytestmark = pytest.mark.browser

# Blocks is the default page, so its address is the app's root ("/blocks" shows "Page not found").
BNECK_LINK = "kind=bneck&in_channels=16&out_channels=24&kernel_size=5&stride=2&se_ratio=0.25"


def _metric(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def test_a_link_opens_the_configured_block_and_its_png_downloads(app_server, page):
    page.goto(f"{app_server}/?{BNECK_LINK}")
    report = block_report(block_spec("bneck", in_channels=16, out_channels=24, kernel_size=5, stride=2, se_ratio=0.25))
    page.locator('[data-testid="stMetric"]').filter(has_text="Parameters").first.wait_for()
    assert _metric(page, "Parameters") == f"{report.params:,}"
    assert _metric(page, "MACs") == f"{report.macs:,}"
    assert "kernel_size=5" in page.url and "kind=bneck" in page.url
    assert page.get_by_text("Page not found").count() == 0
    if static_export_available():
        _check_png_download(page)


def _check_png_download(page) -> None:
    page.get_by_text("Chart options & download").first.click()  # the chart's one menu; PNG 1920 x 1080 is the default
    button = page.locator('[data-testid="stPopoverBody"] [data-testid="stDownloadButton"]').filter(has_text="Download").first
    with page.expect_download(timeout=120_000) as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename == "bneck_diagram.png"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(data[16:20], "big") == 1920 and int.from_bytes(data[20:24], "big") == 1080


def test_an_invalid_link_value_shows_a_notice_not_an_error(app_server, page):
    page.goto(f"{app_server}/?kind=bneck&kernel_size=banana")
    notice = page.get_by_text(re.compile(r"Ignored\s*kernel_size=banana\s*from the link"))
    notice.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_function("location.href.includes('kernel_size=3')")  # the refused value leaves the link
