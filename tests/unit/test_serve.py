"""``serve.py``, the server ``make run`` starts: what it imports at start-up and how it extends each page's head."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import serve  # noqa: E402

PAGE = b"<!DOCTYPE html><html><head><title>Streamlit</title></head><body></body></html>"


def _served(path: str, content_type: bytes, body: bytes, headers=((b"accept-encoding", b"gzip"),)) -> tuple[dict, bytes, list]:
    """Send one GET through ``PreloadCharts`` around an app that answers ``body`` in two parts."""
    seen_headers = []

    async def inner(scope, receive, send):
        seen_headers.extend(scope["headers"])
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body[:10], "more_body": True})
        await send({"type": "http.response.body", "body": body[10:]})

    messages = []

    async def send(message):
        messages.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": list(headers)}
    # a thread of its own: a browser test's Playwright may hold this thread's event loop
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, serve.PreloadCharts(inner)(scope, None, send)).result()
    start = messages[0]
    return dict(start["headers"]), b"".join(message.get("body", b"") for message in messages[1:]), seen_headers


def test_a_page_gets_the_chart_chunk_in_its_head_with_a_correct_length():
    headers, body, request_headers = _served("/networks", b"text/html; charset=utf-8", PAGE)
    chunk = next((Path(serve.st.__file__).parent / "static/static/js").glob("PlotlyChart.*.js")).name
    assert f'<link rel="modulepreload" href="./static/js/{chunk}" />'.encode() in body
    assert f'import("./static/js/{chunk}")'.encode() in body
    assert body.startswith(PAGE.split(b"</head>")[0]) and body.endswith(b"</head><body></body></html>")
    assert int(headers[b"content-length"]) == len(body)
    assert (b"accept-encoding", b"gzip") not in request_headers  # asked uncompressed, so the head can be found


@pytest.mark.parametrize("path", ["/static/js/index.js", "/_stcore/health", "/media/x.png", "/favicon.png"])
def test_assets_pass_untouched_and_compressed(path):
    headers, body, request_headers = _served(path, b"text/html", PAGE)
    assert body == PAGE and int(headers[b"content-length"]) == len(PAGE)
    assert (b"accept-encoding", b"gzip") in request_headers


def test_other_answers_on_a_page_path_pass_untouched():
    headers, body, _ = _served("/networks", b"application/json", b'{"a": 1, "b": 2}')
    assert body == b'{"a": 1, "b": 2}' and headers[b"content-type"] == b"application/json"


def test_start_up_imports_the_library_and_the_page_helpers_but_runs_no_page():
    """In a fresh interpreter: every explorer module and views helper imported, no page script executed."""
    code = (
        "import sys, serve; names = serve.import_everything_a_page_uses(); "
        "pages = [n for n in sys.modules if n.startswith('views.') and n.split('.')[1] not in serve.VIEW_HELPERS]; "
        "print(len(names), 'torch' in sys.modules, 'plotly.graph_objects' in sys.modules, 'pandas' in sys.modules, pages)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    count, torch, plotly, pandas, pages = result.stdout.split(maxsplit=4)
    assert int(count) > 40 and torch == plotly == pandas == "True"
    assert pages.strip() == "[]"
    helpers = {path.stem for path in (ROOT / "views").glob("*.py")} - set(serve.VIEW_HELPERS) - {"__init__"}
    page_scripts = {Path(name).stem for name in re.findall(r"views/(\w+)\.py", (ROOT / "app.py").read_text())}
    assert helpers == page_scripts, "every views module is either a page of app.py or a helper serve.py imports"


def test_every_page_that_computes_on_its_first_run_is_rehearsed():
    """Each ``url_path`` of ``app.py`` has a rehearsal, except the pages that measure only when asked."""
    paths = set(re.findall(r'url_path="([\w-]+)"', (ROOT / "app.py").read_text()))
    measured_when_asked, same_page_as_home = {"latency", "activation-speed"}, {"blocks"}
    assert set(serve.REHEARSALS) == paths - measured_when_asked - same_page_as_home


REHEARSED_FIRST_RUNS = """
import serve
from streamlit.testing.v1 import AppTest
from explorer.analysis import counting
from explorer.demos import linear_bottleneck

serve.import_everything_a_page_uses()
serve.rehearse_every_page()
caches = (counting.block_report, counting.count_network, counting.network_totals, linear_bottleneck.error_curves)
before = [cache.cache_info().misses for cache in caches]
at = AppTest.from_file("app.py", default_timeout=300).run()
for page in ("networks", "scaling", "design", "linear_bottleneck", "dead_kernels", "last_stage"):
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, (page, at.exception)
print([cache.cache_info().misses - missed for cache, missed in zip(caches, before, strict=True)])
"""


def test_after_the_rehearsal_the_default_views_count_nothing_new():
    """In a fresh interpreter: once rehearsed, the first runs of Blocks and of the counting pages miss no cache.

    The rehearsals mirror each page's default widgets; a default changed on a page but not in ``serve.py``
    shows here as a miss (the first visitor would count that view again).
    """
    result = subprocess.run([sys.executable, "-c", REHEARSED_FIRST_RUNS], cwd=ROOT, capture_output=True, text=True,
                            timeout=600, check=True)
    assert result.stdout.split("\n")[-2] == "[0, 0, 0, 0]", result.stdout + result.stderr
