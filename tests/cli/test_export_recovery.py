"""The shared Chromium behind static export survives its own crash: the next export starts a new one."""

from __future__ import annotations

import os
import signal

import plotly.graph_objects as go
import pytest

from explorer.export import render

pytestmark = pytest.mark.skipif(not render.static_export_available(), reason="no Chromium installed")


def test_an_export_after_the_browser_crashed_still_succeeds():
    fig = go.Figure(go.Bar(x=["standard", "separable"], y=[108, 39]))
    assert render.figure_to_bytes(fig, "svg").startswith(b"<svg")
    crashed = render._BROWSER._kaleido.subprocess.pid
    assert os.getpgid(crashed) != os.getpgid(0), "Chromium runs in its own process group"
    os.killpg(os.getpgid(crashed), signal.SIGKILL)
    assert render.figure_to_bytes(fig, "png").startswith(b"\x89PNG\r\n\x1a\n")
    assert render._BROWSER._kaleido.subprocess.pid != crashed


def test_stopping_and_starting_again_works():
    render.stop_browser()
    assert not render.browser_is_warm()
    render.start_browser()
    assert render.browser_is_warm()
    assert render.figure_to_bytes(go.Figure(go.Scatter(y=[1, 2])), "pdf").startswith(b"%PDF-")
