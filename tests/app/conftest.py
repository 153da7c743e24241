"""Shared AppTest helpers for the page tests: open a page of the real app, read a metric.

They are fixtures (``open_page``, ``metric``) so that every ``test_*_app.py`` uses one copy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def open_app_page(page: str | None = None, timeout: float = 120) -> AppTest:
    """``app.py`` run once, then switched to ``page`` (``views/networks.py``; None stays on the first page)."""
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def metric_value(at: AppTest, label: str, prefix: bool = False) -> str:
    """The value of the metric whose label is ``label`` (or starts with it, with ``prefix``)."""
    return next(m.value for m in at.metric if (m.label.startswith(label) if prefix else m.label == label))


@pytest.fixture
def open_page() -> Callable[..., AppTest]:
    return open_app_page


@pytest.fixture
def metric() -> Callable[..., str]:
    return metric_value
