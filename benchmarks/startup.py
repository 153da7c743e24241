"""Start-up time as a user meets it: the counting commands beside a bare ``import torch``, and
each page's first paint on a fresh server.

- CLI: the median wall time of ``--runs`` cold subprocess runs of ``python -c "import torch"``,
  ``python -m explorer network efficientnet_b7 --json`` and ``python -m explorer block mbconv
  --json``, run in turns so that a busy machine slows all three alike. Targets: the network
  command within 0.4 s of bare torch, the block command within 0.25 s.
- Pages: for every page of ``app.py``'s ``PAGES`` (Blocks is ``/``), a fresh ``streamlit run
  serve.py`` server (what ``make run`` starts; ``--script app.py`` for the plain script) and a fresh
  headless Chromium tab; the server's start-up until it answers, then the time from navigation until the page's
  first chart, metric or message is visible, every chart has drawn and the script is no longer
  running. Target: <= 2.5 s each.

Run: ``.venv/bin/python benchmarks/startup.py [--runs 5] [--no-pages]`` (``make benchmark-startup``).
"""

from __future__ import annotations

import argparse
import ast
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM_ARGS, _healthy, _stop, free_port  # noqa: E402

BARE_TORCH = ("bare torch", [sys.executable, "-c", "import torch"], None)
COMMANDS = (
    ("network efficientnet_b7 --json", [sys.executable, "-m", "explorer", "network", "efficientnet_b7", "--json"], 0.4),
    ("block mbconv --json", [sys.executable, "-m", "explorer", "block", "mbconv", "--json"], 0.25),
)
PAGE_TARGET_S = 2.5
SERVER_START_TIMEOUT_S = 90.0
# The page drew: a chart, a metric or a message (a page that measures only when asked shows one) has a
# size, every chart on the page has drawn its SVG, and the script run is over.
FIRST_PAINT = """() => {
  const visible = '[data-testid="stPlotlyChart"] .main-svg, [data-testid="stMetric"], [data-testid="stAlert"]';
  const shown = [...document.querySelectorAll(visible)].some(element => element.getBoundingClientRect().height > 0);
  const drawn = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(chart => chart.querySelector('.main-svg'));
  const app = document.querySelector('[data-testid="stApp"]');
  return shown && drawn && app !== null && app.dataset.testScriptState === 'notRunning';
}"""


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wall_and_cpu_s(command: list[str]) -> tuple[float, float]:
    start, cpu = time.perf_counter(), _children_cpu_s()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start, _children_cpu_s() - cpu


def cli_medians(runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds per command over ``runs`` cold runs, taken in turns.

    CPU time (user + system) hardly depends on what else the machine runs; wall time does.
    """
    commands = (BARE_TORCH, *COMMANDS)
    times: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in commands}
    for _ in range(runs):
        for label, command, _ in commands:
            times[label].append(_wall_and_cpu_s(command))
    return {label: tuple(statistics.median(column) for column in zip(*values, strict=True)) for label, values in times.items()}


def _process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def page_paths() -> list[tuple[str, str]]:
    """(title, URL path) of every ``st.Page`` in ``app.py`` (the default page is ``/``; Blocks is also ``/blocks``)."""
    paths = []
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            options = {keyword.arg: ast.literal_eval(keyword.value) for keyword in node.keywords}
            paths.append((options["title"], "/" if options.get("default") else f"/{options['url_path']}"))
    return paths


@contextmanager
def fresh_server(script: str) -> Iterator[tuple[str, int, float]]:
    """``streamlit run SCRIPT`` on a free port; yields its base URL, pid and seconds until it answered."""
    url = f"http://127.0.0.1:{(port := free_port())}"
    command = [
        sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start on {url}")
            time.sleep(0.2)
        yield url, process.pid, time.monotonic() - (deadline - SERVER_START_TIMEOUT_S)
    finally:
        _stop(process)


def first_paints(script: str) -> Iterator[tuple[str, float, float | None, float]]:
    """(page, the server's start-up seconds, seconds from navigation to first paint or None after 120 s, the
    server's CPU seconds meanwhile).

    Each page gets a fresh server and a fresh tab.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for title, path in page_paths():
            with fresh_server(script) as (url, pid, started):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                tab = context.new_page()
                start, cpu = time.perf_counter(), _process_cpu_s(pid)
                tab.goto(url + path, wait_until="commit")
                try:
                    tab.wait_for_function(FIRST_PAINT, timeout=120_000, polling=20)
                    wall = time.perf_counter() - start
                except PlaywrightTimeout:
                    wall = None
                yield f"{title} ({path})", started, wall, _process_cpu_s(pid) - cpu
                context.close()


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold runs per command (default 5)")
    parser.add_argument("--no-pages", dest="pages", action="store_false", help="skip the browser measurements")
    parser.add_argument("--script", default="serve.py", help="what the server runs: serve.py (make run) or app.py")
    args = parser.parse_args()
    medians = cli_medians(args.runs)
    torch_wall, torch_cpu = medians[BARE_TORCH[0]]
    print(f"CLI, median of {args.runs} cold runs each; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'command':<32}{'wall s':>8}{'- torch':>9}{'CPU s':>8}{'- torch':>9}{'target':>10}  verdict (wall)")
    print(f"{BARE_TORCH[0]:<32}{torch_wall:>8.2f}{'':>9}{torch_cpu:>8.2f}")
    for label, _, target in COMMANDS:
        wall, cpu = medians[label]
        print(f"{label:<32}{wall:>8.2f}{wall - torch_wall:>+9.2f}{cpu:>8.2f}{cpu - torch_cpu:>+9.2f}"
              f"{f'<= +{target:g}':>10}  {_verdict(wall - torch_wall <= target)}")
    if not args.pages:
        return
    print(f"\nFirst paint in Chromium on a fresh `streamlit run {args.script}` server (target <= {PAGE_TARGET_S:g} s);"
          f" load average {os.getloadavg()[0]:.1f}")
    print(f"{'page':<42}{'server up s':>12}{'paint s':>9}{'server CPU s':>14}  verdict (paint)")
    walls = []
    for page, started, wall, cpu in first_paints(args.script):
        if wall is None:
            print(f"{page:<42}{started:>12.2f}{'> 120':>9}{cpu:>14.2f}  MISSED (nothing drawn)", flush=True)
            continue
        walls.append(wall)
        print(f"{page:<42}{started:>12.2f}{wall:>9.2f}{cpu:>14.2f}  {_verdict(wall <= PAGE_TARGET_S)}", flush=True)
    if walls:
        print(f"{'paint: median, slowest':<54}{statistics.median(walls):>9.2f}{max(walls):>9.2f}")

if __name__ == "__main__":
    main()
