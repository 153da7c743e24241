"""Long exports stop when the server stops, and the user can cancel one.

SIGTERM: a server of its own (``streamlit run serve.py``, as ``make run`` starts it) starts its export Chromium with a PNG download, then
exports EfficientNet-B7 at 1000 x 1000 to ONNX (a traced forward pass: 10 to 15 s on the shared test machine)
and gets SIGTERM two seconds in; the server and every process it started (the Chromium too) must be gone
within a few seconds, where the export used to hold the server for its whole length (29 s measured).

Cancel: the "Export all" ZIP of that network with the model files (the same ONNX export inside) is cancelled
while it builds; the page says so and offers no ZIP.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, SERVER_START_TIMEOUT_S, SETTLED, _healthy, free_port

pytestmark = pytest.mark.browser

LONG_EXPORT = "networks?net=efficientnet_b7&net_custom_res=true&net_resolution=1000"
STOPPED_WITHIN_S = 10.0
GONE_WITHIN_S = 5.0


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """A server this test may stop: its URL and its process (the leader of a new session)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
    ]
    with (tmp_path / "server.log").open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while not _healthy(url):
                assert process.poll() is None and time.monotonic() < deadline, f"no server on {url}"
                time.sleep(0.3)
            yield url, process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(15)


def descendants(pid: int) -> set[int]:
    """Every process started by ``pid``, directly or not (from ``ps``)."""
    rows = [line.split() for line in subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True,
                                                    text=True, check=True).stdout.splitlines()]
    children: dict[int, list[int]] = {}
    for child, parent in rows:
        children.setdefault(int(parent), []).append(int(child))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def running(pids: set[int]) -> set[int]:
    """The processes of ``pids`` that still run (a zombie waiting for its parent to reap it has ended)."""
    alive = set()
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                alive.add(pid)
    return alive


def _open_long_export(page, url: str) -> None:
    page.goto(f"{url}/{LONG_EXPORT}")
    page.locator('[data-testid="stMetric"]').first.wait_for()
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    page.wait_for_function(SETTLED, timeout=120_000)


def _download_png(page) -> None:
    """One chart as PNG: starts the export Chromium."""
    trigger = page.get_by_text("Chart options & download").first
    trigger.scroll_into_view_if_needed()
    trigger.click()
    button = page.locator('[data-testid="stPopoverBody"] [data-testid="stDownloadButton"]').filter(has_text="Download")
    with page.expect_download(timeout=120_000):
        button.first.click()
    page.keyboard.press("Escape")


def test_sigterm_during_a_long_export_stops_the_server_and_its_chromium(own_server, page):
    url, server = own_server
    _open_long_export(page, url)
    _download_png(page)
    page.locator('[data-testid="stDownloadButton"]').filter(has_text="ONNX").first.click()
    time.sleep(2)  # the export is under way: it takes 10 to 15 s
    started = descendants(server.pid)
    assert started, "the export Chromium did not start"
    server.send_signal(signal.SIGTERM)
    server.wait(STOPPED_WITHIN_S)  # raises TimeoutExpired if the server is still there
    deadline = time.monotonic() + GONE_WITHIN_S
    while running(started) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not running(started), f"still running after the server stopped: {sorted(running(started))}"


def test_a_long_zip_can_be_cancelled(own_server, page):
    url, _ = own_server
    _open_long_export(page, url)
    page.get_by_text("Export all:").first.click()
    page.get_by_text("Include the model").first.click()
    page.get_by_role("button", name="Build ZIP").click()
    cancel = page.get_by_role("button", name="Cancel")
    cancel.wait_for(timeout=60_000)
    time.sleep(1)  # some files in: the build is under way
    cancel.click()
    page.get_by_text("ZIP cancelled: nothing was built.").wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Cancel").count() == 0
    assert page.locator('[data-testid="stDownloadButton"]').filter(has_text=".zip").count() == 0
