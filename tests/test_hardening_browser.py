"""Concurrency in a real browser: eight sessions at once, each sees its own numbers.

Eight Chromium tabs (each its own browser context: own cookies, own Streamlit session) open
the Blocks page at the same moment with eight different configurations given in the link,
then all switch to another tab's configuration at once. Each must show exactly the params
and MACs of its own configuration (no cross-talk through cached or shared modules), no tab
may show an exception, and the server log must stay free of errors.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from explorer.formulas import block_formula
from explorer.specs import block_spec

pytestmark = pytest.mark.browser

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
        expect(metric_value(page, "Parameters")).to_have_text(params, timeout=90_000)
        expect(metric_value(page, "MACs")).to_have_text(macs, timeout=90_000)
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
