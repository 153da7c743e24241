"""Design page: start from a preset or an empty table, edit its stages, see every count change on each edit.

The table is written and read in timm's architecture notation (:mod:`explorer.models.networks.design`); the
design lives in the link (``arch=`` the notation on one line, plus the network settings), so a link reproduces
it and the browser's Back button undoes the last edit. Only widgets and rendering live here.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from explorer.artifacts.design import DesignArtifacts, design_artifacts
from explorer.models.activations import BLOCK_ACTIVATIONS
from explorer.models.networks.design import (
    FIELD_LABELS,
    PRESET_NAMES,
    DesignSpec,
    compact_arch,
    format_arch,
    parse_arch,
    preset_design,
    rows_from_records,
)
from explorer.models.networks.tables import NETWORK_FAMILIES
from explorer.models.specs import BLOCK_KINDS
from views import downloads, widgets
from views.measure_panel import render_network_latency

START_OPTIONS = ("empty", *PRESET_NAMES)
BASE_KEY, VERSION_KEY, PUBLISHED_KEY = "_design_base", "_design_version", "_design_published"
PASTE_ERROR_KEY = "_design_paste_error"
EMPTY = DesignSpec.__dataclass_fields__
# widget key -> (DesignSpec field, parse, low, high); every one of them is kept in the link.
SETTINGS: dict[str, tuple[str, type, float, float]] = {
    "design_stem": ("stem_channels", int, 1, 4096),
    "design_head": ("head_channels", int, 0, 16384),
    "design_fc": ("head_fc", int, 0, 16384),
    "design_res": ("resolution", int, 32, 4096),
    "design_classes": ("num_classes", int, 1, 100_000),
    "design_width": ("width_mult", float, 0.1, 4.5),
    "design_depth": ("depth_mult", float, 0.1, 8.0),
}


def _start_label(name: str) -> str:
    return "Empty table" if name == "empty" else NETWORK_FAMILIES[name].label


@st.cache_data(max_entries=32, show_spinner=False)
def _preset(name: str) -> DesignSpec | None:
    return None if name == "empty" else preset_design(name)


def _default(start: str, field: str) -> Any:
    """The value of a DesignSpec ``field`` a starting point brings: the preset's own, or the empty table's."""
    preset = _preset(start)
    return getattr(preset, field) if preset else EMPTY[field].default


def _notice(key: str, raw: str, reason: str) -> None:
    value = widgets.quoted(f"{key}={raw}")
    # a reason that repeats part of the refused text would show it outside its code span: then only the gist
    echoes = any(part in reason for part in raw.split() if len(part) > 3)
    gist = "it is not valid in timm's notation (paste it in the box above to see where)" if echoes else widgets.plain(reason)
    widgets.notice(f"Ignored {value} from the link: {gist}")


def _url_setting(key: str, default: Any, parse: type, low: float, high: float) -> Any:
    raw = st.query_params.get(key)
    if raw is None:
        return default
    try:
        value = parse(raw)
        if not low <= value <= high:
            raise ValueError
        return value
    except ValueError:
        _notice(key, raw, f"must be a number from {low:g} to {high:g}; using {default!r}.")
        return default


def _load_table(records: list[dict[str, Any]]) -> None:
    """Put ``records`` in the grid as its new starting content (a fresh editor, so no edit is applied twice)."""
    st.session_state[BASE_KEY] = records
    st.session_state[VERSION_KEY] = st.session_state.get(VERSION_KEY, 0) + 1


def _seed_from_url() -> None:
    """Settings and table from the link (first visit, Back, Forward, an edited link); defaults for the rest."""
    start = st.query_params.get("design_start", "efficientnet_b0")
    if start not in START_OPTIONS:
        _notice("design_start", start, f"not a starting point; valid ones are {', '.join(START_OPTIONS)}.")
        start = "efficientnet_b0"
    st.session_state["design_start"] = start
    for key, (field, parse, low, high) in SETTINGS.items():
        st.session_state[key] = _url_setting(key, _default(start, field), parse, low, high)
    activation = st.query_params.get("design_act", _default(start, "activation"))
    if activation not in BLOCK_ACTIVATIONS:
        _notice("design_act", activation, f"not an activation; valid ones are {', '.join(BLOCK_ACTIVATIONS)}.")
        activation = _default(start, "activation")
    st.session_state["design_act"] = activation
    arch = st.query_params.get("arch")
    rows = _preset(start).rows if _preset(start) else ()
    if arch is not None:
        try:
            rows = parse_arch(arch, st.session_state["design_act"])
        except ValueError as error:
            _notice("arch", arch, f"{error}")
    _load_table([row.to_dict() for row in rows])


def _follow_url() -> None:
    """Seed on the first visit and when Back or Forward brings another link (an edited link is a new visit)."""
    if st.session_state.get(PUBLISHED_KEY) is None or widgets.history_navigation():
        _seed_from_url()


def _on_start_change() -> None:
    """A new starting point brings its own table and settings."""
    start = st.session_state["design_start"]
    for key, (field, *_) in SETTINGS.items():
        st.session_state[key] = _default(start, field)
    st.session_state["design_act"] = _default(start, "activation")
    _load_table([row.to_dict() for row in _preset(start).rows] if _preset(start) else [])


def network_settings() -> tuple[str, dict[str, Any]]:
    """Sidebar: starting point, activation, then stem and head widths, resolution, classes, multipliers.

    Returns the activation and the other settings as DesignSpec field -> value.
    """
    with st.sidebar:
        st.header("Design")
        st.selectbox("Start from", START_OPTIONS, key="design_start", format_func=_start_label, on_change=_on_start_change,
                     help="A preset's own table and settings (EfficientNet-B1..B7: B0's table with their multipliers).")
        activation = st.selectbox("Activation", BLOCK_ACTIVATIONS, key="design_act",
                                  help="The stem's and the head's; new and pasted rows without n<act> take it too.")
        values: dict[str, Any] = {}
        labels = {"design_stem": "Stem channels", "design_head": "Head 1x1 conv channels (0: none)",
                  "design_fc": "Head FC features (0: none; MobileNetV3: 1280)", "design_res": "Resolution (pixels)",
                  "design_classes": "Classes", "design_width": "Width multiplier", "design_depth": "Depth multiplier"}
        for key, (field, parse, low, high) in SETTINGS.items():
            step = 0.05 if parse is float else 1
            values[field] = st.number_input(labels[key], min_value=parse(low), max_value=parse(high), step=step, key=key)
        st.caption("Widths scale as make_divisible(c × width, 8), repeats per stage as ceil(n × depth), as in the presets.")
    return activation, values


def _column_config(activation: str) -> dict[str, Any]:
    column = st.column_config
    return {
        "stage": column.NumberColumn("stage", step=1, help="Rows with the same number next to each other form one stage "
                                     "of the notation; only a stage's first row may stride. Blank: a stage of its own."),
        "block": column.SelectboxColumn("block", options=list(BLOCK_KINDS), required=True, default="mbconv",
                                        help="Any block kind of the Blocks page."),
        "expansion": column.NumberColumn("expansion", step=0.01, default=6.0, format="%g",
                                         help="t: hidden width = t × input width."),
        "kernel": column.NumberColumn("kernel", step=1, default=3, help="1, 3, 5, 7, 9 or 11."),
        "stride": column.NumberColumn("stride", step=1, default=1, help="1 or 2 (the first block of the row)."),
        "channels": column.NumberColumn("channels", step=1, help="Output channels before the width multiplier."),
        "repeats": column.NumberColumn("repeats", step=1, default=1, help="Blocks in this row, before the depth multiplier."),
        "SE ratio": column.NumberColumn("SE ratio", step=0.0001, default=0.25, format="%g", help="0: no SE."),
        "activation": column.SelectboxColumn("activation", options=list(BLOCK_ACTIVATIONS), default=activation),
        "skip": column.CheckboxColumn("skip", default=True, help="Residual add where shapes allow (off: timm's noskip)."),
        "groups": column.NumberColumn("groups", step=1, default=1, help="Group conv only."),
    }


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=list(FIELD_LABELS)).rename(columns=FIELD_LABELS)
    frame.index = pd.Index(list(range(1, len(frame) + 1)), name="row")
    return frame


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def _records_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    fields = {label: field for field, label in FIELD_LABELS.items()}
    return [{fields[column]: _plain(value) for column, value in row.items()} for row in frame.to_dict("records")]


def stage_grid(activation: str) -> list[dict[str, Any]]:
    """The editable stage table; returns its rows as field name -> cell value (blanks as None)."""
    base = st.session_state.get(BASE_KEY, [])
    edited = st.data_editor(
        _frame(base), key=f"design_grid_{st.session_state.get(VERSION_KEY, 0)}", num_rows="dynamic",
        column_config=_column_config(activation), width="stretch",
    )
    return _records_of(edited)


def row_tools(records: list[dict[str, Any]]) -> None:
    """Move a row up or down (the grid adds and deletes rows itself)."""
    if len(records) < 2:
        return
    with st.container(horizontal=True, vertical_alignment="bottom"):
        index = st.number_input("Row to move", min_value=1, max_value=len(records), step=1, key="design_move_row", width=160)
        for label, offset, key in (("Move up", -1, "design_up"), ("Move down", 1, "design_down")):
            target = int(index) - 1 + offset
            if st.button(label, key=key, disabled=not 0 <= target < len(records), icon=":material/swap_vert:"):
                moved = list(records)
                moved[target], moved[int(index) - 1] = moved[int(index) - 1], moved[target]
                st.session_state["design_move_row"] = target + 1
                _load_table(moved)
                st.rerun()


def paste_panel(activation: str) -> None:
    """Read a pasted timm ``arch_def`` into the table; a refused one stays in the box with the reason."""
    with st.expander("Paste a definition in timm's notation", icon=":material/content_paste:"):
        st.text_area("arch_def (JSON, or the Python list from timm's source)", key="design_paste", height=140,
                     placeholder="[['ds_r1_k3_s1_e1_c16_se0.25'], ['ir_r2_k3_s2_e6_c24_se0.25'], ['er_r2_k3_s2_e4_c48']]")
        if st.button("Use this definition", key="design_paste_button", type="primary"):
            try:
                rows = parse_arch(st.session_state.get("design_paste", ""), activation)
            except ValueError as error:
                st.session_state[PASTE_ERROR_KEY] = str(error)
            else:
                st.session_state.pop(PASTE_ERROR_KEY, None)
                _load_table([row.to_dict() for row in rows])
        if PASTE_ERROR_KEY in st.session_state:
            widgets.refuse(ValueError(st.session_state[PASTE_ERROR_KEY]))
        st.caption("Types: ds, dsa, ir, er, cn (timm's) and ss, gdc, se (this page's). Options: r, k, s, e, c, se, noskip, "
                   "skip, g, bneck, invres and n<act> (nre, nr6, nhs, nsw, nmi). Rows without n<act> take the sidebar's "
                   "activation.")


def design_controls() -> DesignSpec:
    """Sidebar settings, the paste box, the stage grid and its row tools -> a validated design.

    Raises:
        ValueError: a setting or a cell is not valid (the message names the row and the field).
    """
    activation, settings = network_settings()
    paste_panel(activation)
    records = stage_grid(activation)
    row_tools(records)
    return DesignSpec(rows=rows_from_records(records, activation), activation=activation, **settings)


def _publish(design: DesignSpec | None) -> None:
    """One history entry per edit: every setting and the notation, updated at once."""
    values = {"design_start": st.session_state["design_start"], "design_act": st.session_state["design_act"]}
    values |= {key: f"{st.session_state[key]:g}" for key in SETTINGS}
    if design is not None:
        values["arch"] = compact_arch(design.rows, design.activation)
    elif "arch" in st.query_params:  # a refused table keeps the last valid design in the link
        values["arch"] = st.query_params["arch"]
    widgets.publish(values)
    st.session_state[PUBLISHED_KEY] = values


@st.cache_data(max_entries=32, show_spinner="Counting every layer…")
def _cached_artifacts(design: DesignSpec, reference: DesignSpec | None, style: str) -> DesignArtifacts:
    return design_artifacts(design, reference, style)


def _delta(value: int, reference: int | None) -> str | None:
    if not reference or value == reference:
        return None
    return f"{value - reference:+,} ({100.0 * (value - reference) / reference:+.2f}%) vs preset"


def _metrics(artifacts: DesignArtifacts, design: DesignSpec) -> None:
    columns = st.columns(3)
    columns[0].metric("Parameters", f"{artifacts.params:,}", _delta(artifacts.params, artifacts.reference_params),
                      delta_color="inverse", help="Every parameter, BatchNorm's affine weights included.")
    columns[1].metric("MACs", f"{artifacts.macs:,}", _delta(artifacts.macs, artifacts.reference_macs),
                      delta_color="inverse", help="Conv + linear multiply-accumulates for one image. FLOPs = 2 × MACs.")
    columns[2].metric("Blocks", f"{design.table().num_blocks}", help="Blocks after the depth multiplier.")


def _render(artifacts: DesignArtifacts, design: DesignSpec) -> None:
    _metrics(artifacts, design)
    downloads.show_table(artifacts.totals, "design_table_totals", "design_totals")
    downloads.show_chart(artifacts.diagram, "design_chart_diagram", "design_diagram")
    if artifacts.difference is not None:
        st.subheader(f"Against {_start_label(st.session_state['design_start'])}")
        downloads.show_table(artifacts.difference, "design_table_difference", "design_difference")
    st.subheader("The table, counted")
    downloads.show_table(artifacts.stages, "design_table_stages", "design_stages")
    left, right = widgets.chart_columns(2)
    with left:
        downloads.show_chart(artifacts.cost_by_stage, "design_chart_stages", "design_cost_by_stage")
    with right:
        downloads.show_chart(artifacts.cost_by_operation, "design_chart_operations", "design_cost_by_operation")
    downloads.show_table(artifacts.operations, "design_table_operations", "design_operations")
    with st.expander(f"Per-layer table ({len(artifacts.layers)} rows)"):
        downloads.show_table(artifacts.layers, "design_table_layers", "design_layers")


def _copy_out(design: DesignSpec) -> None:
    with st.expander("Copy this design: timm's notation and JSON", icon=":material/content_copy:"):
        stages = format_arch(design.rows, design.activation)
        st.code("[\n" + ",\n".join(f"    {json.dumps(stage)}" for stage in stages) + ",\n]", language="python")
        st.code(json.dumps(design.to_dict(), indent=2), language="json")


def main() -> None:
    st.title("Design")
    st.caption("Edit a network's stage table (add, delete, reorder rows; any block kind) and see every count change.")
    widgets.show_url_notices()
    _follow_url()
    try:
        design = design_controls()
    except ValueError as error:
        _publish(None)
        widgets.refuse(error)
        return
    _publish(design)
    reference = _preset(st.session_state["design_start"])
    _render(_cached_artifacts(design, reference, widgets.figure_style()), design)
    _copy_out(design)
    with st.expander("Latency and memory on this server"):
        render_network_latency(design)
    downloads.model_downloads(design, key="design_model")
    downloads.export_all_panel(zip_name="custom_design")


main()
