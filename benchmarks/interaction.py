"""How the app feels under quick changes, in Chromium on a fresh ``streamlit run serve.py`` server (as ``make run`` starts it).

- **Slider burst**: on Blocks, focus a slider and press the right arrow 25 times, 40 ms apart (as a
  user holding the key would); the time from the last press until the page shows the numbers of the
  slider's last value and the script is no longer running. Target: about 1 s.
- **History**: entries added by loading a page (target 0) and by the burst (target 1).

Each scenario runs ``--runs`` times (a fresh tab each) after one warm-up; the table prints median and
worst. Run: ``.venv/bin/python benchmarks/interaction.py [--runs 5] [--script app.py]``. Timings are wall-clock on this
machine: on a busy machine they are upper bounds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from explorer.analysis.counting import block_report  # noqa: E402
from explorer.models.specs import block_spec  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, IDLE, _healthy, _stop, free_port  # noqa: E402

PRESSES = 25
PRESS_GAP_MS = 40
TARGET_S = 1.0


def _server(script: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / script), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 90
    while not _healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("streamlit did not start")
        time.sleep(0.3)
    return process, url


def _macs_shown(page) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="MACs").first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def _burst(browser, url: str) -> tuple[float, int, int]:
    """Seconds from the last press to the settled page; history entries from loading and from the burst."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{url}/?kind=standard")
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=180_000)
    page.wait_for_timeout(1000)
    page.wait_for_function(IDLE)
    loaded = page.evaluate("history.length")  # a new tab holds about:blank, then the page: 2 means no extra entry
    page.get_by_role("slider", name="Output channels C_out").focus()
    for _ in range(PRESSES):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(PRESS_GAP_MS)
    last_press = time.perf_counter()
    expected = f"{block_report(block_spec(kind='standard', out_channels=64 + PRESSES)).macs:,}"
    while not (page.evaluate(IDLE) and _macs_shown(page) == expected):
        page.wait_for_timeout(10)
    settled = time.perf_counter() - last_press
    page.wait_for_timeout(1500)
    entries = page.evaluate("history.length") - loaded
    context.close()
    return settled, loaded - 2, entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--script", default="serve.py", help="what the server runs: serve.py (make run) or app.py")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    process, url = _server(args.script)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            _burst(browser, url)  # warm-up: imports and caches, as a server that has served one user
            results = [_burst(browser, url) for _ in range(args.runs)]
            browser.close()
    finally:
        _stop(process)
    settle = [r[0] for r in results]
    print(f"`streamlit run {args.script}`; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'measure':<44} {'median':>8} {'worst':>8} {'target':>8}")
    print(f"{f'settle after {PRESSES} arrow presses (s)':<44} {statistics.median(settle):>8.2f} {max(settle):>8.2f} "
          f"{TARGET_S:>8.2f}")
    print(f"{'history entries from loading the page':<44} {statistics.median(r[1] for r in results):>8.0f} "
          f"{max(r[1] for r in results):>8d} {0:>8d}")
    print(f"{'history entries from the burst':<44} {statistics.median(r[2] for r in results):>8.0f} "
          f"{max(r[2] for r in results):>8d} {1:>8d}")


if __name__ == "__main__":
    main()
