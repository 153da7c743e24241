"""Shared fixtures: a real ``streamlit run serve.py`` server (the pages of ``app.py``, as ``make run`` serves them) and a headless Chromium (Playwright).

Browser tests take ``app_server`` (the base URL, e.g. ``http://127.0.0.1:38291``) and
``page`` (a fresh Playwright page), and are marked ``@pytest.mark.browser``. One server
and one browser are started per test process (per xdist worker) and stopped at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT_S = 90.0
# The script run is over.
IDLE = """() => document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') === 'notRunning'"""
# The run is over and every chart has drawn: the page no longer moves under a popover.
SETTLED = "() => (" + IDLE + """)() && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
  .every(chart => chart.querySelector('.main-svg'))"""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now.

    On a shared machine ``EXPLORER_TEST_PORTS=8651-8659`` keeps the servers in that range (the first free one).
    """
    low, _, high = os.environ.get("EXPLORER_TEST_PORTS", "0").partition("-")
    for port in range(int(low), int(high or low) + 1):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, contextlib.suppress(OSError):
            sock.bind(("127.0.0.1", port))
            return sock.getsockname()[1]
    raise RuntimeError(f"EXPLORER_TEST_PORTS: no free port in {low}-{high}.")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``streamlit run serve.py`` headless on a free localhost port; yield its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path_factory.mktemp("streamlit") / "server.log").open("w")
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start on {url}; see {log.name}")
            time.sleep(0.3)
        yield url
    finally:
        _stop(process)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless system Chromium driven by Playwright (skips when either is missing)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no Chromium installed (sudo apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser tab (own cookies and storage) with downloads enabled; closed after the test."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()
