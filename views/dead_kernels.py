"""Dead depthwise kernels page: kernel norms of trained MobileNetV1-style and V2-style networks on digits."""

from __future__ import annotations

import streamlit as st

from explorer.artifacts.papers import DeadKernelArtifacts, dead_kernel_artifacts
from explorer.demos.bottleneck_digits import DEAD_THRESHOLD, DEFAULT_CONFIG
from views import downloads, widgets

THRESHOLDS = (1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.2)


@st.cache_data(max_entries=16, show_spinner=False)
def _artifacts(threshold: float, style: str) -> DeadKernelArtifacts:
    return dead_kernel_artifacts(threshold, style)


def dead_kernel_controls() -> float:
    """The near-zero threshold on a depthwise kernel's L2 norm (one of :data:`THRESHOLDS`)."""
    return widgets.select("Near zero: L2 norm below", "dk_threshold", THRESHOLDS, DEAD_THRESHOLD,
                          format_func=lambda value: f"{value:g}",
                          help="Every 3x3 kernel starts at a norm of about 0.58 (PyTorch's default init).")


def main() -> None:
    st.title("Dead depthwise kernels")
    st.caption(
        "After training, some depthwise kernels of MobileNetV1 ([arXiv:1704.04861](https://arxiv.org/abs/1704.04861)) "
        "are reported to end up all zero: a channel whose ReLU never fires gets no gradient and weight decay shrinks "
        "it away. MobileNetV2 ([arXiv:1801.04381](https://arxiv.org/abs/1801.04381)) moves the depthwise conv into "
        "the expanded space and keeps the narrow projection linear. Here: both styles trained on digits, five seeds each."
    )
    widgets.show_url_notices()
    try:
        shown = _artifacts(dead_kernel_controls(), widgets.figure_style())
    except ValueError as error:
        widgets.refuse(error)
        return
    columns = st.columns(len(shown.counts))
    for column, count in zip(columns, shown.counts, strict=True):
        column.metric(f"{count.network}: kernels below {shown.threshold:g}",
                      f"{count.near_zero} of {count.kernels:,} ({count.percent:.2f}%)")
    st.markdown(
        f"**What it shows:** {shown.verdict} These networks trained for {DEFAULT_CONFIG.epochs} epochs on 1,437 "
        "small images; whether all-zero kernels appear with far longer training, as reported for ImageNet-trained "
        "MobileNetV1, is not tested here."
    )
    downloads.show_chart(shown.norms, "dk_norms", "dead_kernels_norms")
    downloads.show_table(shown.layers, "dk_layers", "dead_kernels_layers")
    left, right = widgets.chart_columns(2)
    with left:
        downloads.show_chart(shown.accuracy, "dk_accuracy", "dead_kernels_accuracy")
    with right:
        downloads.show_table(shown.accuracy_summary, "dk_accuracy_table", "dead_kernels_accuracy_summary")
    st.caption(
        "V1-style: stem 16, five depthwise-separable blocks (32, 64, 64, 128, 128; ReLU). V2-style: stem 16, five "
        "inverted residuals with linear bottlenecks (hidden 16, 96, 144, 144, 192; ReLU6). Adam with coupled L2 weight "
        "decay 1e-3 (like the RMSProp + L2 of the papers, a kernel with no gradient is pulled to zero), "
        f"{DEFAULT_CONFIG.epochs} epochs, one thread, deterministic; `python -m explorer papers train` regenerates it."
    )
    downloads.export_all_panel("dead_kernels")


main()
