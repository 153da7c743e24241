"""Links with unknown or invalid values: ignored with a visible notice, never an error page.

Every page of ``app.py`` is opened as a fresh session (as a new browser tab would be) with
an invalid value for each of its settings and one unknown setting.
"""

from __future__ import annotations

import functools

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_links import PAGES, ROOT, open_link, page_params

INVALID = "definitely-not-valid"


def test_every_page_shows_url_notices():
    missing = [page for page in PAGES if "show_url_notices(" not in (ROOT / page).read_text()]
    assert not missing, f"pages that never show ignored link values: {missing}"


@functools.cache
def open_invalid_link(page_file: str) -> tuple[list[str], AppTest]:
    """The page's settings, and the page opened with every one of them invalid plus an unknown one."""
    keys = list(page_params(open_link(page_file, {})))
    return keys, open_link(page_file, dict.fromkeys(keys, INVALID) | {"no_such_setting": "1"})


@pytest.mark.parametrize("page_file", PAGES)
def test_an_invalid_link_never_raises(page_file):
    keys, at = open_invalid_link(page_file)
    assert keys, f"{page_file} keeps no setting in the URL"
    assert not at.exception, f"{page_file}: an invalid link raised {at.exception}"


@pytest.mark.parametrize("page_file", PAGES)
def test_every_invalid_link_value_gets_a_visible_notice(page_file):
    keys, at = open_invalid_link(page_file)
    notices = " ".join(at.warning.values)
    unnoticed = [key for key in keys if f"`{key}={INVALID}`" not in notices]
    assert not unnoticed, f"{page_file}: invalid values for {unnoticed} were not reported"
