"""The shared export browser survives being killed or frozen mid-export, with eight exports at once.

Eight threads (eight Streamlit sessions) export PNGs; the Chromium is killed (SIGKILL) while they wait.
Each failing render retires only the browser generation it used, so exactly one replacement serves the
retries and all eight PNGs arrive. A frozen (SIGSTOP'd) browser is killed after the render timeout and
the export still arrives.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import plotly.graph_objects as go
import pytest

from explorer.export import render

pytestmark = pytest.mark.skipif(not render.static_export_available(), reason="no Chromium installed")
SESSIONS = 8


def figure(index: int) -> go.Figure:
    return go.Figure(go.Bar(x=list(range(50)), y=[(index * 7 + i) % 13 for i in range(50)]), layout={"title": f"session {index}"})


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def test_eight_exports_all_arrive_when_the_browser_is_killed_mid_export():
    render.start_browser()
    first = render._BROWSER.process_id
    results: dict[int, bytes] = {}
    errors: list[BaseException] = []

    def export(index: int) -> None:
        try:
            results[index] = render.figure_to_bytes(figure(index), "png", scale=1.5)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=export, args=(index,)) for index in range(SESSIONS)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    os.killpg(first, signal.SIGKILL)
    for thread in threads:
        thread.join(2 * render.RENDER_TIMEOUT_S + 30)
    assert not errors, errors
    assert sorted(results) == list(range(SESSIONS))
    assert all(data.startswith(b"\x89PNG") for data in results.values())
    assert render._BROWSER.process_id not in (None, first)
    assert render._BROWSER._generation >= 2


def test_a_frozen_browser_is_killed_after_the_timeout_and_the_export_arrives(monkeypatch):
    monkeypatch.setattr(render, "RENDER_TIMEOUT_S", 5.0)
    render.start_browser()
    frozen = render._BROWSER.process_id
    os.killpg(frozen, signal.SIGSTOP)
    start = time.perf_counter()
    data = render.figure_to_bytes(figure(0), "png")
    assert data.startswith(b"\x89PNG")
    assert time.perf_counter() - start < 5.0 + render.CLOSE_TIMEOUT_S + 30
    assert not alive(frozen), "the frozen browser was killed, not left behind"
    assert render._BROWSER.process_id != frozen
