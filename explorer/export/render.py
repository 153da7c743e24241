"""Figures, tables and models to bytes, for slides, papers and Netron.

- Figures: PNG (1920 x 1080 pixels by default, times ``scale``), SVG and PDF rendered by
  kaleido 1.x (https://github.com/plotly/Kaleido) in the system Chromium, and a
  self-contained interactive HTML page (works offline, needs no browser to produce).
  One headless Chromium is started on the first static export and kept warm, so each
  further export takes a fraction of a second; it is shared by every thread of the process
  (several Streamlit sessions at once).
- Tables: CSV, Markdown and LaTeX (booktabs), with the unit of every column in its header.
- Models: a plain-PyTorch Python snippet that rebuilds the module with only torch installed, the
  printed module structure, and ONNX bytes (https://onnx.ai) for Netron.
- :func:`build_zip`: many named files in one ZIP, with a progress callback.

Nothing here imports Streamlit; the app (``views/common.py``), the ``export`` command and
the benchmarks share these functions.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import math
import os
import shutil
import signal
import threading
from typing import Any

import plotly.graph_objects as go

from explorer.export.formats import FIGURE_FORMATS, check_format

SLIDE_PIXELS = (1920, 1080)
LAYOUT_ZOOM = 1.5
RENDER_TIMEOUT_S = 30.0  # one render takes well under a second; a browser silent this long is hung
CLOSE_TIMEOUT_S = 5.0
START_TIMEOUT_S = 60.0  # starting Chromium on a loaded machine takes seconds
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium")
INSTALL_HINT = (
    "PNG, SVG and PDF export need Chromium: install it with `sudo apt-get install chromium` "
    "(Debian/Ubuntu; or `make chromium`), or set BROWSER_PATH to a Chrome/Chromium executable. "
    "Interactive HTML export works without it."
)


class ChromiumNotFoundError(RuntimeError):
    """No Chrome/Chromium executable was found for static (PNG/SVG/PDF) export."""


def find_chromium() -> str | None:
    """Path of the Chrome/Chromium that static export uses: ``$BROWSER_PATH``, then ``PATH``, then usual places."""
    candidates = [os.environ.get("BROWSER_PATH", "")]
    candidates += [shutil.which(name) or "" for name in CHROMIUM_NAMES]
    candidates += list(CHROMIUM_PATHS)
    return next((path for path in candidates if path and os.path.isfile(path) and os.access(path, os.X_OK)), None)


def static_export_available() -> bool:
    """True when a Chromium is installed, i.e. PNG, SVG and PDF can be produced."""
    return find_chromium() is not None


class _WarmBrowser:
    """One headless Chromium driven by kaleido on a private event loop, shared by all threads.

    kaleido's own ``start_sync_server`` blocks forever if the browser fails to start and is
    not safe to call from several threads at once; a private loop with
    ``run_coroutine_threadsafe`` gives both a timeout and thread safety (the tab queue inside
    kaleido serialises the renders).

    Each started browser has a generation number. A render that fails (browser killed, crashed,
    or hung past ``RENDER_TIMEOUT_S``) retires only the generation it used, under the lock, then
    tries once more: when eight renders fail together, the first one replaces the browser and the
    other seven reuse the new one instead of stopping it. A retired browser is killed (its process
    group gets SIGKILL, which also ends a frozen, SIGSTOP'd one).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido: Any = None
        self._generation = 0

    @property
    def warm(self) -> bool:
        return self._kaleido is not None

    @property
    def process_id(self) -> int | None:
        """The running Chromium's process id (its process group leader), or None."""
        process = getattr(self._kaleido, "subprocess", None)
        return process.pid if process is not None else None

    def render(self, figure: dict[str, Any], opts: dict[str, Any]) -> bytes:
        """Render one figure; a browser that crashed or hung is replaced and the render tried once more."""
        try:
            return self._attempt(figure, opts)
        except ChromiumNotFoundError:
            raise
        except Exception:  # noqa: BLE001 - any browser failure: the browser was replaced, retry once
            return self._attempt(figure, opts)

    def _attempt(self, figure: dict[str, Any], opts: dict[str, Any]) -> bytes:
        """One render on the current browser; on failure that browser is retired, then the error raised."""
        kaleido_, loop, generation = self._start()
        future = asyncio.run_coroutine_threadsafe(kaleido_.calc_fig(figure, opts=opts), loop)
        try:
            return future.result(RENDER_TIMEOUT_S)
        except BaseException:
            future.cancel()
            self._retire(generation)
            raise

    def _start(self) -> tuple[Any, asyncio.AbstractEventLoop, int]:
        with self._lock:
            if self._kaleido is None:
                path = find_chromium()
                if path is None:
                    raise ChromiumNotFoundError(f"No Chrome/Chromium found. {INSTALL_HINT}")
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="kaleido-browser", daemon=True).start()
                future = asyncio.run_coroutine_threadsafe(_open_kaleido(path), loop)
                try:
                    self._kaleido = future.result(START_TIMEOUT_S)
                except BaseException:
                    loop.call_soon_threadsafe(loop.stop)
                    raise
                self._loop, self._generation = loop, self._generation + 1
            return self._kaleido, self._loop, self._generation

    def _retire(self, generation: int) -> None:
        """Stop the browser of ``generation`` if it is still the current one (never a newer one)."""
        with self._lock:
            if generation != self._generation or self._kaleido is None:
                return
            kaleido_, loop, self._kaleido, self._loop = self._kaleido, self._loop, None, None
        _close(kaleido_, loop)

    def stop(self, polite_s: float = CLOSE_TIMEOUT_S) -> None:
        """Close the browser (the next export starts a new one), killing it after ``polite_s`` seconds."""
        with self._lock:
            kaleido_, loop, self._kaleido, self._loop = self._kaleido, self._loop, None, None
        if kaleido_ is not None and loop is not None:
            _close(kaleido_, loop, polite_s)


def _close(kaleido_: Any, loop: asyncio.AbstractEventLoop, polite_s: float = CLOSE_TIMEOUT_S) -> None:
    """Close the browser politely for ``polite_s`` seconds, then kill its process group and stop its loop."""
    with contextlib.suppress(Exception):  # a browser that died or froze cannot be closed politely
        asyncio.run_coroutine_threadsafe(kaleido_.close(), loop).result(polite_s)
    process = getattr(kaleido_, "subprocess", None)
    if process is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            process.wait(CLOSE_TIMEOUT_S)
    loop.call_soon_threadsafe(loop.stop)


async def _open_kaleido(path: str) -> Any:
    import kaleido

    browser = kaleido.Kaleido(path=path, n=1, timeout=RENDER_TIMEOUT_S, mathjax=False)
    await browser.open()
    return browser


_BROWSER = _WarmBrowser()
atexit.register(_BROWSER.stop)


def start_browser() -> None:
    """Start the shared Chromium now (the first static export otherwise pays for it)."""
    _BROWSER._start()


def stop_browser(polite_s: float = CLOSE_TIMEOUT_S) -> None:
    """Close the shared Chromium (killed after ``polite_s`` seconds); the next static export starts it again."""
    _BROWSER.stop(polite_s)


def browser_is_warm() -> bool:
    """True when the shared Chromium is running."""
    return _BROWSER.warm




def check_scale(scale: float) -> float:
    if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not 0.25 <= scale <= 4:
        width, height = SLIDE_PIXELS
        raise ValueError(f"scale: must be a number from 0.25 to 4 (1 = {width} x {height} pixels), got {scale!r}.")
    return float(scale)


def figure_to_bytes(
    fig: go.Figure, fmt: str, *, width: int = SLIDE_PIXELS[0], height: int = SLIDE_PIXELS[1], scale: float = 1.0
) -> bytes:
    """A figure as PNG, SVG, PDF or self-contained HTML bytes.

    PNG is ``width * scale`` x ``height * scale`` pixels. The figure is laid out on a canvas
    ``LAYOUT_ZOOM`` times smaller and drawn at that zoom, so its fonts and lines come out
    1.5x as large as on screen: readable at the back of a lecture hall. SVG and PDF use the
    same layout, so all three look alike. See :func:`_render_options` for tall figures.

    Raises:
        ValueError: unknown format or scale out of range.
        ChromiumNotFoundError: a static format was asked for and no Chromium is installed.
    """
    fmt = check_format(fmt, FIGURE_FORMATS, "figure")
    scale = check_scale(scale)
    if fmt == "html":
        return figure_to_html(fig)
    return _BROWSER.render(fig.to_dict(), _render_options(fig, fmt, width, height, scale))


def _render_options(fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> dict[str, Any]:
    """Canvas size (CSS pixels) and zoom so the image is ``width x height`` times ``scale``.

    The canvas is ``LAYOUT_ZOOM`` times smaller than the image, or larger where the figure
    asks for more height than that (a tall block diagram): then the canvas grows at the
    same aspect ratio and the zoom shrinks, so boxes never overlap and the image keeps
    its size.
    """
    divisor = math.gcd(width, height)
    aspect_width, aspect_height = width // divisor, height // divisor
    steps = math.ceil(max(height / LAYOUT_ZOOM, float(fig.layout.height or 0)) / aspect_height)
    zoom = width / (steps * aspect_width)
    # plotly.js truncates size * scale to whole pixels; the 1e-9 keeps 1919.9999 from becoming 1919.
    return {"format": fmt, "width": steps * aspect_width, "height": steps * aspect_height, "scale": zoom * scale * (1 + 1e-9)}


def figure_to_html(fig: go.Figure) -> bytes:
    """An interactive HTML page of the figure with plotly.js inlined (opens offline)."""
    html = fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False, "responsive": True})
    return html.encode("utf-8")




































































