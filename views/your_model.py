"""Your model: count a timm / torchvision model by name, or an uploaded ONNX file (parsed, never executed).

Reads widgets, counts through :mod:`explorer.sources`, renders :func:`your_model_artifacts`. The app
never executes user Python; an ONNX file runs only in onnxruntime, and only when its latency is asked for.
"""

from __future__ import annotations

import streamlit as st

from explorer.analysis.patterns import REPLACEMENTS
from explorer.artifacts.your_model import SOURCES, ModelChoice, YourModelArtifacts, your_model_artifacts
from explorer.formatting import short_count, threads_text
from explorer.sources import onnx as onnx_source
from explorer.sources import runtime, zoo
from views import downloads, widgets

ALL = "all families"


def _zoo_choice(source: str) -> str:
    names = zoo.zoo_names(source)
    families = sorted({zoo.family(source, name) for name in names})
    family = widgets.select("Family", f"ym_{source}_family", [ALL, *families], ALL,
                            help="The module that defines the model (timm: mobilenetv3 holds MobileNetV3 and V4).")
    shown = [name for name in names if family == ALL or zoo.family(source, name) == family]
    default = "mobilenetv4_conv_small" if source == "timm" else "mobilenet_v3_large"
    return widgets.select(f"{source} model ({len(shown)})", f"ym_{source}_model", shown,
                          default if default in shown else shown[0], help="Type to search the names.")


def your_model_controls() -> ModelChoice:
    """Sidebar: source, the what-if's replacement, then a zoo model by name or an ONNX upload."""
    with st.sidebar:
        st.header("Your model")
        source = widgets.radio("Source", "ym_source", list(SOURCES), "timm")
        replacement = widgets.select("What if: replace standard convs by", "ym_replacement", list(REPLACEMENTS),
                                     REPLACEMENTS[0])
        if source != "ONNX file":
            return ModelChoice(source, _zoo_choice(source), replacement)
        upload = st.file_uploader("ONNX file (up to 200 MB)", type=["onnx"], key="ym_upload")
    if upload is None:
        return ModelChoice(source, "", replacement)
    return ModelChoice(source, upload.name, replacement, upload.getvalue())


@st.cache_data(max_entries=32, show_spinner="Building on the meta device and counting…")
def _zoo_artifacts(source: str, name: str, replacement: str, style: str) -> YourModelArtifacts:
    counted = zoo.count_zoo_model(source, name)
    return your_model_artifacts(counted.label, counted.note, counted.input_size, counted.report, replacement, style)


@st.cache_data(max_entries=8, show_spinner="Parsing the ONNX graph…")
def _onnx_artifacts(data: bytes, file_name: str, replacement: str, style: str) -> YourModelArtifacts:
    counted = onnx_source.count_onnx_bytes(data)
    return your_model_artifacts(file_name, counted.note, counted.input_size, counted.report, replacement, style)


def _metrics(artifacts: YourModelArtifacts) -> None:
    columns = st.columns(4)
    columns[0].metric("Parameters", f"{artifacts.params:,}", help="Every parameter (ONNX: every float initializer).")
    columns[1].metric("MACs", f"{artifacts.macs:,}", help="Conv, linear and matmul multiply-accumulates, one image. "
                      "Equal to torch.utils.flop_counter's total / 2.")
    columns[2].metric("FLOPs (2 × MACs)", short_count(2 * artifacts.macs, ".2f"))
    columns[3].metric("Input", " × ".join(map(str, artifacts.input_size)))
    st.caption(f"{widgets.plain(artifacts.label)}: {widgets.plain(artifacts.note)}.")  # a file's name and producer
    if artifacts.skipped:  # an ONNX file's own op types
        st.caption("Skipped (MACs counted, no convention for their other ops): "
                   + ", ".join(map(widgets.plain, artifacts.skipped)))


def _what_if(artifacts: YourModelArtifacts, replacement: str) -> None:
    st.subheader("What if")
    if not artifacts.convs_replaced:
        st.info("This model has no standard k × k conv (k ≥ 3, groups 1) to replace.")
        return
    st.metric(f"MACs saved with every standard conv as {replacement}", f"{artifacts.saved_macs:,}",
              delta=f"-{artifacts.saved_percent:.1f}% of the model", delta_color="inverse")
    downloads.show_table(artifacts.what_if, "ym_what_if_table", "your_model_what_if")


def _latency_metric(column, runner: str, latency) -> None:  # noqa: ANN001 - a Streamlit column
    column.metric(f"{runner}: median latency", f"{1000 * latency.median_s:.2f} ms",
                  help=f"IQR {1000 * latency.q1_s:.2f}–{1000 * latency.q3_s:.2f} ms over {latency.samples} samples, "
                       f"{threads_text(latency.threads)}, {latency.budget_s:g} s of the budget.")


def _latency(choice: ModelChoice, input_size: tuple[int, ...]) -> None:
    st.subheader("Latency")
    budget = widgets.float_slider("Time budget (s)", "ym_budget", 0.5, 10.0, 2.0, 0.5)
    if not st.button("Measure latency (batch 1, CPU)", key="ym_measure"):
        st.caption("A zoo model is timed in PyTorch with random weights and, exported to ONNX by the explorer, in "
                   "onnxruntime, half the budget each; an ONNX file is timed in onnxruntime. Each is checked against "
                   "the memory budget before anything is allocated.")
        return
    left, right = st.columns(2)
    try:
        if choice.data is not None:
            _latency_metric(left, "onnxruntime", runtime.onnxruntime_latency(choice.data, input_size, budget))
            right.caption("PyTorch: an uploaded file has no PyTorch module to run.")
            return
        with st.spinner("Timing in PyTorch, exporting to ONNX, timing in onnxruntime…"):
            timed = runtime.zoo_latencies(choice.source, choice.name, input_size, budget)
    except ValueError as error:
        widgets.refuse(error)
        return
    _latency_metric(left, "PyTorch", timed.torch)
    if timed.onnxruntime is not None:
        _latency_metric(right, "onnxruntime (exported by the explorer)", timed.onnxruntime)
    else:
        right.caption(f"onnxruntime: not timed. {widgets.plain(timed.onnxruntime_refused)}")
    st.caption(f"Each runtime had {timed.share_s:g} s of the {budget:g} s budget; exporting to ONNX is not counted.")


def _render(artifacts: YourModelArtifacts, choice: ModelChoice) -> None:
    _metrics(artifacts)
    downloads.show_table(artifacts.op_categories, "ym_ops_table", "your_model_op_categories")
    downloads.show_chart(artifacts.by_type_chart, "ym_type_chart", "your_model_by_type_chart")
    left, right = st.columns(2)
    with left:
        st.subheader("Recognised block patterns")
        downloads.show_table(artifacts.patterns, "ym_patterns_table", "your_model_patterns")
    with right:
        st.subheader("By stage or block")
        downloads.show_table(artifacts.by_stage, "ym_stage_table", "your_model_by_stage")
    downloads.show_chart(artifacts.family, "ym_family_chart", "your_model_family")
    _what_if(artifacts, choice.replacement)
    st.subheader("Every layer")
    downloads.show_table(artifacts.layers, "ym_layers_table", "your_model_layers")
    _latency(choice, artifacts.input_size)


def _artifacts(choice: ModelChoice) -> YourModelArtifacts:
    style = widgets.figure_style()
    if choice.data is not None:
        return _onnx_artifacts(choice.data, choice.name, choice.replacement, style)
    return _zoo_artifacts(choice.source, choice.name, choice.replacement, style)


def main() -> None:
    st.title("Your model")
    st.caption("Any timm or torchvision model by name (built without weights on the meta device, nothing "
               "downloaded), or an ONNX file (parsed with onnx and shape inference, never executed to count).")
    widgets.show_url_notices()
    choice = your_model_controls()
    if choice.awaiting_upload:
        st.info("Upload an .onnx file in the sidebar; it is parsed, never executed.")
        return
    try:
        artifacts = _artifacts(choice)
    except ValueError as error:
        widgets.refuse(error)
        return
    downloads.register_for_export(artifacts.exports())
    _render(artifacts, choice)


main()
