"""Download controls under every chart and table, the model files, and "Export all" (one ZIP of the page)."""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime import Runtime, RuntimeState
from streamlit.runtime.scriptrunner import get_script_run_ctx

from explorer.artifacts.base import PageArtifacts
from explorer.export import bundles, models, render, tables
from explorer.export.decks import DeckInfo
from explorer.export.formats import DECK_FORMATS, FIGURE_FORMATS, MIME_TYPES, TABLE_FORMATS
from explorer.figures.options import ASPECTS, ChartOptions, customize, has_value_labels, series_names
from views.widgets import figure_style, plain

REGISTRY_KEY = "_export_registry"
POLL_S = 0.25  # how often a waiting export looks whether the server stops or the user cancelled


MODEL_REGISTRY_KEY = "_export_models"


TABLE_LABELS = {"csv": "CSV", "md": "Markdown", "tex": "LaTeX"}


MODEL_LABELS = {"py": "Python snippet", "txt": "Module structure", "onnx": "ONNX"}


MODEL_HELP = {
    "py": "Code that rebuilds exactly this configuration with the explorer library.",
    "txt": "The printed PyTorch module (print(model)) with its parameter count.",
    "onnx": "Opens in Netron (netron.app). Randomly initialised weights: shows the architecture, not a trained model.",
}


EXIT_CLOSE_S = 1.0  # at exit the export browser gets this long to close politely before it is killed
_RUNNING: set[threading.Thread] = set()  # export threads at work; a thread adds and removes itself
# At most this many exports run at once in the server. Work a user cancelled goes on until it ends; without
# the bound, building and cancelling again and again would stack ONNX exports, each up to its memory budget.
_EXPORT_SLOTS = threading.BoundedSemaphore(2)


def _leave_without_waiting_for_exports() -> None:
    """At interpreter exit (the server stopped): close the export browser now, and leave at once if an
    export thread is still at work.

    A thread left running in torch while Python finalises aborts the process ("terminate called without
    an active exception") and can orphan the Chromium, so the process ends with ``os._exit`` after its
    logs and streams are flushed. Registered after :mod:`explorer.export.render`, so it runs first.
    """
    render.stop_browser(EXIT_CLOSE_S)
    if any(thread.is_alive() for thread in list(_RUNNING)):
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


atexit.register(_leave_without_waiting_for_exports)


def _server_stopping() -> bool:
    return Runtime.exists() and Runtime.instance().state in (RuntimeState.STOPPING, RuntimeState.STOPPED)


def interruptible(produce: Callable[[], bytes], tick: Callable[[float], None] | None = None) -> Callable[[], bytes]:
    """``produce`` made to stop waiting when the server stops, and, with ``tick``, when the user cancels.

    The work runs on a daemon thread, once one of the server's two export slots is free, and is waited
    for in ``POLL_S`` slices. When the server is
    stopping (SIGTERM) the wait ends with an error, so no export keeps the process alive (Streamlit
    runs a download's callable on a worker thread that Python joins at exit). ``tick(elapsed)`` is
    called at every slice: a Streamlit call from a script run, it is where a rerun (the user pressed
    Cancel or changed a widget) stops the run. Work left behind ends on its own, bounded by the
    export's memory budget and the browser's render timeout, or with the process.
    """
    def run() -> bytes:
        result: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                with _EXPORT_SLOTS:
                    result["bytes"] = produce()
            except BaseException as error:  # noqa: BLE001 - handed to the waiting thread, which raises it
                result["error"] = error
            finally:
                _RUNNING.discard(threading.current_thread())
                done.set()

        worker = threading.Thread(target=work, name="export", daemon=True)
        _RUNNING.add(worker)
        worker.start()
        start = time.monotonic()
        while not done.wait(POLL_S):
            if _server_stopping():
                raise RuntimeError("export: not finished, the server is stopping.")
            if tick is not None:
                tick(time.monotonic() - start)
        if "error" in result:
            raise result["error"]
        return result["bytes"]

    return run


def _page_registry(key: str) -> dict[str, Any]:
    """This page's list of exportable things; started afresh whenever the session moves to another page."""
    context = get_script_run_ctx()
    page = context.page_script_hash if context is not None else ""
    registry = st.session_state.get(key)
    if registry is None or registry["page"] != page:
        registry = st.session_state[key] = {"page": page, "items": {}}
    return registry["items"]


def _register(name: str, artifact: go.Figure | pd.DataFrame) -> None:
    """Remember a shown chart or table for this run's "Export all" ZIP (see :func:`export_all_panel`)."""
    _page_registry(REGISTRY_KEY)[name] = artifact


def register_for_export(artifacts: PageArtifacts | dict[str, Any]) -> None:
    """Add charts and tables a page computed but did not show (e.g. in a closed tab) to "Export all"."""
    items = artifacts.exports() if isinstance(artifacts, PageArtifacts) else artifacts
    for name, artifact in items.items():
        _register(name, artifact)


PNG_SCALES = (0.5, 1.0, 2.0, 3.0)
DECK_KEY = "_export_deck"
CHART_FILES = (("png", 1.0), ("png", 2.0), ("png", 3.0), ("svg", 1.0), ("pdf", 1.0), ("html", 1.0))


def _file_label(choice: tuple[str, float], aspect: str) -> str:
    fmt, scale = choice
    width, height = ASPECTS[aspect]
    if fmt == "png":
        return f"PNG {round(width * scale)} × {round(height * scale)}"
    return {"svg": "SVG (vector)", "pdf": "PDF (vector)", "html": "HTML (interactive)"}[fmt]


def _digest(text: str) -> str:
    return f"{zlib.crc32(text.encode('utf-8')):08x}"


def _chart_options(fig: go.Figure, key: str) -> ChartOptions:
    """The presenter's options for one chart, from widgets in its menu (session state only, not the URL)."""
    title = fig.layout.title.text if fig.layout.title is not None else None
    names = series_names(fig)
    # keyed by what the page drew, so a new default (another network's title, other series) starts afresh
    text = st.text_input("Title", value=title or "", key=f"{key}__title_{_digest(title or '')}")
    series_key = f"{key}__series_{_digest(' | '.join(names))}"
    shown = st.multiselect("Series shown", names, default=names, key=series_key) if len(names) > 1 else names
    labels = st.toggle("Value labels", True, key=f"{key}__labels") if has_value_labels(fig) else True
    aspect = st.segmented_control("Aspect (exports)", list(ASPECTS), default="16:9", required=True, key=f"{key}__aspect")
    transparent = st.toggle("Transparent background", False, key=f"{key}__transparent")
    hidden = tuple(name for name in names if name not in shown)
    return ChartOptions(text if text != (title or "") else None, hidden, labels, aspect or "16:9", transparent)


def _chart_download(fig: go.Figure, options: ChartOptions, key: str, name: str) -> None:
    static = render.static_export_available()
    choices = [c for c in CHART_FILES if static or c[0] == "html"]
    choice = st.selectbox("File", choices, key=f"{key}__file", format_func=lambda c: _file_label(c, options.aspect))
    fmt, scale = choice
    width, height = options.export_size
    st.download_button(
        "Download", data=interruptible(lambda: render.figure_to_bytes(fig, fmt, width=width, height=height, scale=scale)),
        file_name=f"{name}.{fmt}", mime=MIME_TYPES[fmt], key=f"{key}__download", on_click="ignore",
        icon=":material/download:", type="primary",
    )
    if not static:
        st.caption(render.INSTALL_HINT)


def show_chart(fig: go.Figure, key: str, name: str) -> None:
    """Render a plotly figure with one compact menu: title, series, value labels, aspect, background, download.

    Files are produced only when Download is clicked (the page does not render them on every rerun).
    Without Chromium only HTML is offered, with the line that says how to install it. What the menu
    changes applies to the chart on the page, its download and "Export all".
    """
    chart = st.container()
    with st.popover("Chart options & download", icon=":material/tune:"):
        options = _chart_options(fig, key)
        shown = customize(fig, options)
        _chart_download(shown, options, key, name)
    chart.plotly_chart(shown, key=key, theme=None, config={"displaylogo": False})
    _register(name, shown)


def show_table(frame: pd.DataFrame, key: str, name: str, **kwargs: Any) -> None:
    """Render a table with CSV / Markdown / LaTeX downloads (units in the headers); ``name`` is its file name stem."""
    shown = tables.with_integers(frame)
    integers = {str(c): st.column_config.NumberColumn(format="localized") for c in shown.columns
                if pd.api.types.is_integer_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])}
    options = {"placeholder": "—"} | kwargs | {"column_config": integers | kwargs.get("column_config", {})}
    st.dataframe(shown, key=key, hide_index=True, **options)
    with st.container(horizontal=True):
        for fmt in TABLE_FORMATS:
            st.download_button(
                TABLE_LABELS[fmt], data=lambda f=fmt: tables.table_to_bytes(frame, f, caption=name.replace("_", " ")),
                file_name=f"{name}.{fmt}", mime=MIME_TYPES[fmt], key=f"{key}__{fmt}", on_click="ignore",
                icon=":material/download:",
            )
    _register(name, frame)


def model_downloads(spec: models.Model, key: str = "model") -> None:
    """Download buttons for the block or network: rebuild snippet (.py), module structure (.txt), ONNX.

    The files are also added to this run's "Export all" ZIP. Nothing is built until a
    button is clicked.
    """
    files = models.model_files(spec)
    refusal = _onnx_refusal(spec)
    if refusal:
        files = {name: produce for name, produce in files.items() if not name.endswith(".onnx")}
    _page_registry(MODEL_REGISTRY_KEY).update(files)
    st.session_state[DECK_KEY] = models.model_deck(spec)
    with st.container(horizontal=True):
        for file_name, produce in files.items():
            suffix = file_name.rsplit(".", 1)[1]
            st.download_button(
                MODEL_LABELS[suffix], data=interruptible(produce), file_name=file_name, mime=MIME_TYPES[suffix],
                key=f"{key}__{suffix}", on_click="ignore", icon=":material/download:", help=MODEL_HELP[suffix],
            )
    if refusal:
        st.caption(f"No ONNX download: {plain(refusal)}")


@st.cache_data(max_entries=64, show_spinner=False)
def _onnx_refusal(spec: models.Model) -> str:
    """Why the ONNX export of ``spec`` is refused (estimated on meta tensors), or "" if it fits."""
    try:
        models.check_onnx_fits(spec)
    except ValueError as error:
        return str(error)
    return ""


def _zip_fingerprint(plan: dict[str, Any]) -> tuple:
    """What a built ZIP depends on: the view's configuration (all in the URL), the style and the files."""
    return tuple(sorted(st.query_params.to_dict().items())), figure_style(), tuple(plan)


def _export_formats(key: str) -> tuple[list[str], float]:
    static = render.static_export_available()
    if not static:
        st.warning(render.INSTALL_HINT, icon="🖼️")
    chart_options = list(FIGURE_FORMATS + DECK_FORMATS if static else ("html",))
    left, middle, right = st.columns(3)
    with left:
        charts = st.multiselect("Chart formats", chart_options, default=chart_options[:1], key=f"{key}__charts",
                                help="pptx: one PowerPoint deck of the whole view, a chart per slide, captioned.")
    with middle:
        tables = st.multiselect("Table formats", list(TABLE_FORMATS), default=["csv"], key=f"{key}__tables")
    with right:
        width, height = render.SLIDE_PIXELS
        scale = st.selectbox("PNG size", PNG_SCALES, index=1, key=f"{key}__scale", disabled=not static,
                             format_func=lambda s: f"{s:g}× ({round(width * s)} × {round(height * s)})")
    return charts + tables, scale


def export_all_panel(zip_name: str = "export", key: str = "export_all") -> None:
    """ "Export all": one ZIP of every chart and table this run showed (and the model files), with a progress bar.

    Call it once, at the end of a view: it collects what :func:`show_chart`, :func:`show_table`
    and :func:`model_downloads` registered during the run, then clears the list.
    """
    artifacts = dict(_page_registry(REGISTRY_KEY))
    model_files = dict(_page_registry(MODEL_REGISTRY_KEY))
    st.session_state.pop(REGISTRY_KEY)
    st.session_state.pop(MODEL_REGISTRY_KEY)
    if not model_files:
        st.session_state.pop(DECK_KEY, None)
    if not artifacts and not model_files:
        return  # nothing shown yet (e.g. before a measurement): no empty ZIP to offer
    with st.expander(f"Export all: {len(artifacts)} charts and tables in one ZIP", icon=":material/folder_zip:"):
        formats, scale = _export_formats(key)
        with_models = bool(model_files) and st.checkbox("Include the model (.py snippet, structure, ONNX)", key=f"{key}__models")
        settings = ", ".join(f"{name} {value}" for name, value in st.query_params.to_dict().items()) or "default settings"
        deck = st.session_state.get(DECK_KEY) or DeckInfo(zip_name.replace("_", " "), f"Settings: {settings}")
        plan = bundles.export_plan(artifacts, formats, scale, replace(deck, name=zip_name)) | (model_files if with_models else {})
        fingerprint = _zip_fingerprint(plan) + (scale,)
        if st.session_state.pop(f"{key}__cancelled", False):
            st.info("ZIP cancelled: nothing was built. Build it again when you are ready.", icon=":material/cancel:")
        if st.button(f"Build ZIP ({len(plan)} files)", key=f"{key}__build", disabled=not plan, type="primary"):
            st.session_state[f"{key}__zip"] = (fingerprint, _build_zip_with_progress(plan, key))
        built = st.session_state.get(f"{key}__zip")
        if built is not None and built[0] == fingerprint:
            st.download_button(
                f"Download {zip_name}.zip ({_size_text(len(built[1]))})", data=built[1], file_name=f"{zip_name}.zip",
                mime=MIME_TYPES["zip"], key=f"{key}__download", on_click="ignore", icon=":material/download:",
            )


def _size_text(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


def _build_zip_with_progress(plan: dict[str, Any], key: str) -> bytes:
    """Build the ZIP file by file under a progress bar and a Cancel button.

    Cancel reruns the page, which stops this run within ``POLL_S`` even inside one long file (an ONNX
    export, a large PNG): each file is made by :func:`interruptible`, whose wait updates the bar.
    """
    bar = st.progress(0.0, text="Starting…")
    st.button("Cancel", key=f"{key}__cancel", icon=":material/cancel:",
              on_click=lambda: st.session_state.__setitem__(f"{key}__cancelled", True))
    state = {"done": 0, "name": ""}

    def text(extra: str = "") -> str:
        return f"{state['done']} of {len(plan)} files" + (f": {state['name']}" if state["name"] else "") + extra

    def progress(done: int, total: int, name: str) -> None:
        state["done"], state["name"] = done, name
        bar.progress(done / total if total else 1.0, text=text())

    def tick(elapsed: float) -> None:
        bar.progress(state["done"] / len(plan), text=text(f" ({elapsed:.0f} s)"))

    files = {name: interruptible(produce, tick) if callable(produce) else produce for name, produce in plan.items()}
    return bundles.build_zip(files, progress)
