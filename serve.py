"""The app's server: Streamlit's ``st.App`` around ``app.py``, arranged for a fast first paint.

``streamlit run serve.py`` (what ``make run`` does) serves exactly the pages of ``app.py``. Two things differ
from ``streamlit run app.py``, which still works:

- PyTorch, pandas, plotly and every explorer module are imported before the server answers its first request
  (about 5 s of start-up), not inside the first visitor's first page run (about 2.5 s of server CPU there).
  Then everything imported is frozen out of the garbage collector (``gc.freeze``): the millions of objects
  that PyTorch, timm and onnx create at import are never traversed again, and full collections stop
  stalling every rerun (a 25-press slider burst on Blocks settles in 0.24 s instead of 2.7-6 s).
- Every page's default view is computed once before the server answers (``rehearse_every_page``, about 3 s):
  what the views count once per process (the family chart's 19 presets, the 24 scaled B0s, the spiral's error
  curves, the digits' held-out set) lands in the library's caches, and the first convolutions set up oneDNN.
  A visitor's first run of any page then costs what a later run costs.
- Each page has the browser fetch Streamlit's plotly.js chunk at once and run it while the server runs the
  page, instead of after the run, when the first chart arrives (about a second of the browser's time).
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

# Imported inside functions by the pages' first runs (measured: a visit to every page imported these and
# about 930 modules of theirs, sklearn's and scipy's for the digits and the sample image, Streamlit's emoji
# table for the menu's icons).
LAZY_IMPORTS = ("sklearn.datasets", "sklearn.model_selection", "streamlit.emojis", "streamlit.material_icon_names")
# The pages' shared helpers; the other modules of ``views`` are page scripts, run per visit, never imported.
VIEW_HELPERS = ("widgets", "downloads", "page_behaviour", "scenes", "measure_panel", "accuracy_panel", "referee_panel")


def import_everything_a_page_uses() -> list[str]:
    """Import every module of ``explorer``, the pages' helpers in ``views`` and ``LAZY_IMPORTS``; return their names."""
    import explorer

    names = [module.name for module in pkgutil.walk_packages(explorer.__path__, "explorer.")
             if not module.name.endswith("__main__")]
    names += [f"views.{helper}" for helper in VIEW_HELPERS] + list(LAZY_IMPORTS)
    for name in names:
        importlib.import_module(name)
    return names


def _blocks() -> None:
    from explorer.artifacts.blocks import block_artifacts
    from explorer.models.specs import block_spec

    block_artifacts(block_spec("mbconv"), "screen")


def _networks() -> None:
    from explorer.artifacts.accuracy import accuracy_artifacts
    from explorer.artifacts.networks import network_artifacts
    from explorer.models.networks.tables import network_spec

    network_artifacts(network_spec("efficientnet_b0"), "screen")
    accuracy_artifacts(network_spec("efficientnet_b0"), "screen")


def _scaling() -> None:
    from explorer.artifacts.scaling import scaling_artifacts
    from explorer.models.networks.tables import network_spec

    scaling_artifacts(network_spec("efficientnet", phi=1.0), "screen")


def _design() -> None:
    from explorer.artifacts.design import design_artifacts
    from explorer.models.networks.design import preset_design

    preset = preset_design("efficientnet_b0")
    design_artifacts(preset, preset, "screen")


def _your_model() -> None:
    from explorer.artifacts.your_model import your_model_artifacts
    from explorer.sources import zoo

    counted = zoo.count_zoo_model("timm", "mobilenetv4_conv_small")
    your_model_artifacts(counted.label, counted.note, counted.input_size, counted.report, "depthwise-separable", "screen")


def _se_weights() -> None:
    from explorer.demos.se import sample_photo, se_block_artifacts
    from explorer.models.specs import block_spec

    se_block_artifacts(block_spec("mbconv", in_channels=32, size=56), sample_photo("china.jpg"), "channel", 3, 0, "screen")


def _se_trained() -> None:
    from explorer.demos.digits import digits_artifacts, held_out_example, load_trained, prediction_artifacts

    model = load_trained()[0]
    digits_artifacts(model, "screen")
    prediction_artifacts(model, held_out_example(3), "screen")


def _activations() -> None:
    from explorer.demos.activations import activation_artifacts

    activation_artifacts(style="screen")


def _drop_connect() -> None:
    from explorer.demos.drop_connect import dropconnect_artifacts

    dropconnect_artifacts(style="screen")


def _papers() -> None:
    from explorer.artifacts import papers

    papers.linear_bottleneck_artifacts(3, 0, "screen")
    papers.dead_kernel_artifacts(1e-2, "screen")
    papers.last_stage_artifacts("screen")


# Each page's default view (its widgets untouched), by the ``url_path`` of its ``st.Page`` in ``app.py``. The
# latency and activation-speed pages measure only when asked, and Blocks' own path shares the Blocks page.
REHEARSALS = {
    "blocks-home": _blocks, "networks": _networks, "scaling": _scaling, "design": _design, "your-model": _your_model,
    "se-weights": _se_weights, "se-trained": _se_trained, "activations": _activations, "drop-connect": _drop_connect,
    "linear-bottleneck": _papers, "dead-kernels": _papers, "last-stage": _papers,
}


def rehearse_every_page() -> None:
    """Compute each page's default view once, so that its first visitor's run finds the library's caches filled.

    The pages cache what they show per process (``functools.lru_cache`` in ``explorer.analysis.counting``,
    ``explorer.demos``); a first run also pays for oneDNN setting up each convolution and plotly building its
    first figure of each kind. Measured on 2 cores: 3.5 s of CPU here, 0.7-1.5 s less in each heavy page's first run.
    """
    for rehearse in dict.fromkeys(REHEARSALS.values()):
        rehearse()


@asynccontextmanager
async def _imported_first(_app: st.App) -> AsyncIterator[None]:
    """Start-up: everything imported and every page rehearsed before the first request, then kept out of the
    garbage collector's sweeps."""
    import_everything_a_page_uses()
    rehearse_every_page()
    gc.collect()
    gc.freeze()
    yield


# Import the chunk once the server has started the page's first run (the browser has nothing else to do then).
IMPORT_WHEN_RUNNING = """const watch = new MutationObserver(() => {
  if (document.querySelector('[data-testid="stApp"][data-test-script-state="running"]')) {
    watch.disconnect();
    import("URL");
  }
});
watch.observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                         attributeFilter: ["data-test-script-state"]});"""


def _is_asset(path: str) -> bool:
    """Scripts, styles, media and Streamlit's own endpoints: everything but a page."""
    return any(part in path for part in ("/static/", "/_stcore/", "/media/", "/component/")) or "." in path.rsplit("/", 1)[-1]


class PreloadCharts:
    """ASGI middleware: every HTML page loads and runs Streamlit's plotly chunk while the first run is under way.

    Streamlit imports plotly.js (4.7 MB) only when the first chart arrives, after the script's run; running
    it takes about a second on a small machine, and every element of the page waits for it. Here the page
    fetches it at once (``rel=modulepreload``) and imports it right after the app has started, while the
    browser waits for the server's first run anyway.
    """

    def __init__(self, app) -> None:
        self.app = app
        chunk = next((Path(st.__file__).parent / "static/static/js").glob("PlotlyChart.*.js"), None)
        url = f"./static/js/{chunk.name}" if chunk else None
        self.head = (f'<link rel="modulepreload" href="{url}" />'
                     f'<script type="module">{IMPORT_WHEN_RUNNING.replace("URL", url)}</script>'
                     "</head>").encode() if url else None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.head is None or _is_asset(scope["path"]):
            return await self.app(scope, receive, send)
        # the page itself uncompressed (8 kB), so that its head can be extended
        scope = {**scope, "headers": [(name, value) for name, value in scope["headers"] if name != b"accept-encoding"]}
        start: dict | None = None
        body: list[bytes] = []

        async def send_extended(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if not dict(message.get("headers", [])).get(b"content-type", b"").startswith(b"text/html"):
                    start = None
                    return await send(message)
                start = message
                return None
            if start is None:
                return await send(message)
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return None
            page = b"".join(body).replace(b"</head>", self.head, 1)
            headers = [(name, value) for name, value in start.get("headers", []) if name not in (b"content-length", b"etag")]
            await send({**start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
            return await send({"type": "http.response.body", "body": page})

        return await self.app(scope, receive, send_extended)


app = st.App("app.py", lifespan=_imported_first, middleware=[Middleware(PreloadCharts)])
