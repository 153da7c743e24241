"""Concurrency and load: 4, 8 and 16 browser sessions at once, each with its own Blocks configuration.

Starts ``streamlit run serve.py`` on a free local port, then for each N opens N Playwright browser
contexts (own cookies, own Streamlit session) at the same moment, each on a link with a different
block configuration. Every session must show exactly its own params and MACs (from the analytic
formulas, :func:`explorer.analysis.formulas.block_formula`), no exception element, and the server
log must stay free of tracebacks. Prints, per N, the time from navigation to the correct number for
each session (min / median / max) and the server's peak resident memory (``VmHWM`` of the server
process, which ``/proc`` reports since it started, so the N = 16 row includes the earlier rounds).

Run: ``.venv/bin/python benchmarks/load.py`` (needs Chromium and Playwright).
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from explorer.analysis.formulas import block_formula  # noqa: E402
from explorer.models.specs import block_spec  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, _healthy, _stop, free_port  # noqa: E402

ROUNDS = (4, 8, 16)
KINDS = ("standard", "depthwise_separable", "inverted_residual", "mbconv", "bneck", "fused_mbconv")
TIMEOUT_MS = 300_000
LOG_ERRORS = re.compile(r"Traceback|Exception|\bERROR\b")


def session_settings(count: int, offset: int) -> list[dict]:
    """``count`` configurations: kinds in turn, output channels different from every earlier round's."""
    return [
        {"kind": KINDS[i % len(KINDS)], "in_channels": 16 + 8 * (i % 3), "out_channels": 24 + 8 * (i + offset)}
        for i in range(count)
    ]


def expected(setting: dict) -> tuple[str, str]:
    formula = block_formula(block_spec(setting["kind"], **{k: v for k, v in setting.items() if k != "kind"}))
    return f"{formula.params:,}", f"{formula.macs:,}"


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory of the server and its children (``VmHWM``), MiB."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        parent = re.search(r"PPid:\s+(\d+)", text)
        if status.parent.name == str(pid) or (parent and parent.group(1) == str(pid)):
            total += int(re.search(r"VmHWM:\s+(\d+) kB", text).group(1)) if "VmHWM" in text else 0
    return total / 1024


def one_round(browser, base: str, settings: list[dict]) -> list[float]:
    """Open every session at once; return each session's seconds to its correct MACs."""
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in settings]
    pages = [context.new_page() for context in contexts]
    try:
        start = time.perf_counter()
        for page, setting in zip(pages, settings, strict=True):
            page.goto(f"{base}/?{urlencode(setting)}", wait_until="commit")
        seconds = []
        for page, setting in zip(pages, settings, strict=True):
            params, macs = expected(setting)
            for label, value in (("Parameters", params), ("MACs", macs)):
                metric = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True)).first
                expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(value, timeout=TIMEOUT_MS)
            seconds.append(time.perf_counter() - start)
            if page.locator('[data-testid="stException"]').count():
                raise AssertionError(f"exception shown for {setting}")
        return seconds
    finally:
        for context in contexts:
            context.close()


def main() -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = Path(tempfile.mkdtemp()) / "server.log"
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.fileWatcherType", "none"]
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while not _healthy(base):
                time.sleep(0.3)
            print(f"{'sessions':>8}  {'all correct':>11}  {'min s':>6}  {'median s':>8}  {'max s':>6}  "
                  f"{'server peak RSS MiB':>19}")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
                for index, count in enumerate(ROUNDS):
                    seconds = one_round(browser, base, session_settings(count, sum(ROUNDS[:index])))
                    print(f"{count:>8}  {'yes':>11}  {min(seconds):>6.2f}  {statistics.median(seconds):>8.2f}  "
                          f"{max(seconds):>6.2f}  {peak_rss_mib(server.pid):>19,.0f}", flush=True)
                browser.close()
        finally:
            _stop(server)
    errors = [line for line in log_path.read_text().splitlines() if LOG_ERRORS.search(line)]
    print("server log: clean" if not errors else f"server log errors: {errors[:3]}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
