"""Time of figure exports: cold (Chromium starts) against warm (the shared Chromium is kept running).

Rows, for the charts of the Blocks view (MBConv, slide style):

- ``cold: first PNG``: the first export of a process, Chromium start included;
- ``warm: PNG/SVG/PDF``: each further export (median, min and max over every chart, repeated);
- ``kaleido one-shot PNG``: ``kaleido.calc_fig_sync`` without a server, which starts and
  stops a browser for every file (what a naive exporter does);
- ``HTML``: the self-contained interactive page (no browser needed).

Target: warm PNG <= 1 s (issue 6). Run: ``.venv/bin/python benchmarks/export.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import plotly.graph_objects as go  # noqa: E402

from explorer.artifacts.blocks import block_artifacts  # noqa: E402
from explorer.export import render  # noqa: E402
from explorer.export.formats import STATIC_FORMATS  # noqa: E402
from explorer.models.specs import block_spec  # noqa: E402

TARGET_S = 1.0
REPEATS = 3


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _charts() -> list[go.Figure]:
    artifacts = block_artifacts(block_spec("mbconv"), "slide")
    return [artifact for artifact in artifacts.exports().values() if isinstance(artifact, go.Figure)]


def _one_shot_png(fig: go.Figure) -> bytes:
    import kaleido

    opts = render._render_options(fig, "png", *render.SLIDE_PIXELS, 1.0)
    return kaleido.calc_fig_sync(fig.to_dict(), opts=opts, kopts={"path": render.find_chromium(), "mathjax": False})


def _row(name: str, times: list[float]) -> str:
    return (f"{name:<26}{len(times):>4}{statistics.median(times):>10.3f}{min(times):>9.3f}{max(times):>9.3f}"
            f"   {'yes' if statistics.median(times) <= TARGET_S else 'no'}")


def main() -> int:
    if not render.static_export_available():
        print(render.INSTALL_HINT)
        return 1
    charts = _charts()
    render.stop_browser()
    rows = [_row("cold: first PNG", [_timed(lambda: render.figure_to_bytes(charts[0], "png"))])]
    for fmt in STATIC_FORMATS:
        times = [_timed(lambda f=fig, g=fmt: render.figure_to_bytes(f, g)) for _ in range(REPEATS) for fig in charts]
        rows.append(_row(f"warm: {fmt.upper()}", times))
    large = [_timed(lambda f=fig: render.figure_to_bytes(f, "png", scale=2)) for fig in charts]
    rows.append(_row("warm: PNG 2x (3840x2160)", large))
    rows.append(_row("kaleido one-shot PNG", [_timed(lambda f=fig: _one_shot_png(f)) for fig in charts[:2]]))
    rows.append(_row("HTML (no browser)", [_timed(lambda f=fig: render.figure_to_bytes(f, "html")) for fig in charts]))
    print(f"{len(charts)} charts of the Blocks view (MBConv, slide style), seconds per file; target warm PNG <= {TARGET_S:g} s")
    print(f"{'export':<26}{'n':>4}{'median':>10}{'min':>9}{'max':>9}   <= 1 s")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
