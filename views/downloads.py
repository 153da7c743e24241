"""TODO"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from explorer.export import bundles, models, render, tables
from explorer.export.formats import FIGURE_FORMATS, MIME_TYPES, TABLE_FORMATS
from views.widgets import figure_style, plain

REGISTRY_KEY = "_export_registry"


MODEL_REGISTRY_KEY = "_export_models"


SCALES = (0.5, 1.0, 1.5, 2.0, 3.0)


TABLE_LABELS = {"csv": "CSV", "md": "Markdown", "tex": "LaTeX"}


MODEL_LABELS = {"py": "Python snippet", "txt": "Module structure", "onnx": "ONNX"}


MODEL_HELP = {
    "py": "Code that rebuilds exactly this configuration with the explorer library.",
    "txt": "The printed PyTorch module (print(model)) with its parameter count.",
    "onnx": "Opens in Netron (netron.app). Randomly initialised weights: shows the architecture, not a trained model.",
}


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


def register_for_export(artifacts: dict[str, Any]) -> None:
    """Add charts and tables a page computed but did not show (e.g. in a closed tab) to "Export all"."""
    for name, artifact in artifacts.items():
        if isinstance(artifact, (go.Figure, pd.DataFrame)):
            _register(name, artifact)


def _scale_label(scale: float) -> str:
    width, height = render.SLIDE_PIXELS
    return f"{scale:g}× ({round(width * scale)} × {round(height * scale)})"


def _scale_select(key: str) -> float:
    return st.selectbox("PNG size", SCALES, index=SCALES.index(1.0), key=key, format_func=_scale_label, width=180,
                        help="PNG pixel size; SVG and PDF are vector graphics with the same layout.")


def _chart_downloads(fig: go.Figure, key: str, name: str) -> None:
    static = render.static_export_available()
    with st.container(horizontal=True, vertical_alignment="bottom"):
        scale = _scale_select(f"{key}__scale") if static else 1.0
        for fmt in FIGURE_FORMATS if static else ("html",):
            st.download_button(
                fmt.upper(), data=lambda f=fmt: render.figure_to_bytes(fig, f, scale=scale), file_name=f"{name}.{fmt}",
                mime=MIME_TYPES[fmt], key=f"{key}__{fmt}", on_click="ignore", icon=":material/download:",
            )
        if not static:
            st.caption(render.INSTALL_HINT)


def show_chart(fig: go.Figure, key: str, name: str) -> None:
    """Render a plotly figure with PNG / SVG / PDF / HTML downloads; ``name`` is its file name stem.

    Files are produced only when a button is clicked (the page does not render them on every
    rerun). Without Chromium only HTML is offered, with the line that says how to install it.
    """
    st.plotly_chart(fig, key=key, theme=None, config={"displaylogo": False})
    _chart_downloads(fig, key, name)
    _register(name, fig)


def show_table(frame: pd.DataFrame, key: str, name: str, **kwargs: Any) -> None:
    """Render a table with CSV / Markdown / LaTeX downloads (units in the headers); ``name`` is its file name stem."""
    st.dataframe(frame, key=key, hide_index=True, **({"placeholder": "—"} | kwargs))
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
    with st.container(horizontal=True):
        for file_name, produce in files.items():
            suffix = file_name.rsplit(".", 1)[1]
            st.download_button(
                MODEL_LABELS[suffix], data=produce, file_name=file_name, mime=MIME_TYPES[suffix],
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
    chart_options = list(FIGURE_FORMATS if static else ("html",))
    left, middle, right = st.columns(3)
    with left:
        charts = st.multiselect("Chart formats", chart_options, default=chart_options[:1], key=f"{key}__charts")
    with middle:
        tables = st.multiselect("Table formats", list(TABLE_FORMATS), default=["csv"], key=f"{key}__tables")
    with right:
        scale = _scale_select(f"{key}__scale") if static else 1.0
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
    if not artifacts and not model_files:
        return  # nothing shown yet (e.g. before a measurement): no empty ZIP to offer
    with st.expander(f"Export all: {len(artifacts)} charts and tables in one ZIP", icon=":material/folder_zip:"):
        formats, scale = _export_formats(key)
        with_models = bool(model_files) and st.checkbox("Include the model (.py snippet, structure, ONNX)", key=f"{key}__models")
        plan = bundles.export_plan(artifacts, formats, scale) | (model_files if with_models else {})
        fingerprint = _zip_fingerprint(plan) + (scale,)
        if st.button(f"Build ZIP ({len(plan)} files)", key=f"{key}__build", disabled=not plan, type="primary"):
            st.session_state[f"{key}__zip"] = (fingerprint, _build_zip_with_progress(plan))
        built = st.session_state.get(f"{key}__zip")
        if built is not None and built[0] == fingerprint:
            st.download_button(
                f"Download {zip_name}.zip ({_size_text(len(built[1]))})", data=built[1], file_name=f"{zip_name}.zip",
                mime=MIME_TYPES["zip"], key=f"{key}__download", on_click="ignore", icon=":material/download:",
            )


def _size_text(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


def _build_zip_with_progress(plan: dict[str, Any]) -> bytes:
    bar = st.progress(0.0, text="Starting…")

    def progress(done: int, total: int, name: str) -> None:
        bar.progress(done / total if total else 1.0, text=f"{done} of {total} files" + (f": {name}" if name else ""))

    return bundles.build_zip(plan, progress)
