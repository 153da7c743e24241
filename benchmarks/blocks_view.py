"""Server-side time of one full rerun of the Blocks view, per block kind.

Two measurements per kind, each the median over several reruns with a new output-channel
count every time (so nothing comes from a cache):

- ``library``: build + count + every chart and table (``block_artifacts``) for a new spec;
- ``app rerun``: a whole Streamlit script run of the Blocks page through ``AppTest`` after a
  slider change (widgets, metrics, formula, figures, tables), as the server does it.

Target: median app rerun <= 150 ms. Run: ``.venv/bin/python benchmarks/blocks_view.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from explorer.analysis.counting import block_report  # noqa: E402
from explorer.artifacts.blocks import block_artifacts  # noqa: E402
from explorer.models.specs import BLOCK_KINDS, block_spec  # noqa: E402

TARGET_MS = 150.0
REPEATS = 7


def _channels(index: int) -> int:
    return 40 + 8 * index


def library_ms(kind: str) -> float:
    times = []
    for index in range(REPEATS):
        name = "out_channels" if "out_channels" in BLOCK_KINDS[kind].params else "in_channels"
        options = {name: _channels(index)}
        spec = block_spec(kind, **options)
        block_report.cache_clear()
        start = time.perf_counter()
        block_artifacts(spec)
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def app_rerun_ms(kind: str) -> float:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params["kind"] = kind
    app.run()
    slider = "out_channels" if "out_channels" in BLOCK_KINDS[kind].params else "in_channels"
    times = []
    for index in range(REPEATS):
        app.slider(key=slider).set_value(_channels(index))
        start = time.perf_counter()
        app.run()
        times.append(1000 * (time.perf_counter() - start))
        if app.exception:
            raise RuntimeError(f"{kind}: {app.exception[0].value}")
    return statistics.median(times)


def main() -> None:
    block_artifacts(block_spec("mbconv"))  # import and first-call warm-up
    print(f"{'block kind':<22}{'library (ms)':>14}{'app rerun (ms)':>16}{'target (ms)':>13}  verdict")
    medians = []
    for kind in BLOCK_KINDS:
        library, rerun = library_ms(kind), app_rerun_ms(kind)
        medians.append(rerun)
        verdict = "ok" if rerun <= TARGET_MS else "SLOW"
        print(f"{kind:<22}{library:>14.1f}{rerun:>16.1f}{TARGET_MS:>13.0f}  {verdict}")
    print(f"{'median over kinds':<22}{'':>14}{statistics.median(medians):>16.1f}{TARGET_MS:>13.0f}")


if __name__ == "__main__":
    main()
