"""A real browser renders an injected link value as the characters typed: no link, image, bold or tag.

The issue's probe link ``/?norm=` **INJ** [evil](...) ![p](...) ``` made Streamlit's notice show a
bold word, a clickable link to another site and a remote image. Here the same kind of value (plus raw
HTML, math and a colour directive) goes into a Blocks link value; the notice must contain its exact
text and the page no element that came from it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.app.test_hostile_links import BODY

pytestmark = pytest.mark.browser


def test_an_injected_link_value_renders_as_inert_text(app_server, page):
    expect = pytest.importorskip("playwright.sync_api").expect
    page.goto(f"{app_server}/?{urlencode({'in_channels': BODY, 'out_channels': 'www.evil.example'})}")
    notice = page.locator('[data-testid="stAlert"]').filter(has_text="INJ")
    expect(notice).to_be_visible(timeout=120_000)
    assert BODY.strip() in " ".join(notice.inner_text().split())
    assert notice.locator("code").count() == 2, "the link value and the default, each one code span"
    assert page.locator('[data-testid="stAlert"]').filter(has_text="www.evil.example").count() == 1
    for selector in ('a[href*="evil"]', 'img[src*="evil"]', "[data-testid='stAlert'] strong",
                     "[data-testid='stAlert'] em", "[data-testid='stAlert'] .katex"):
        assert page.locator(selector).count() == 0, selector
