"""Activation speed page: measured time per element of six activations beside the cost engine's op counts."""

from __future__ import annotations

import streamlit as st

from explorer.artifacts.papers import activation_speed_artifacts
from explorer.demos.activation_speed import DEFAULT_ELEMENTS, ELEMENT_CHOICES, measure_activations
from views import downloads, widgets
from views.measure_panel import budget_controls, run_measurement, stored_measurement


def activation_speed_controls() -> tuple[int, float, int]:
    """Tensor size (one of :data:`ELEMENT_CHOICES`), time budget in seconds and torch threads."""
    elements = widgets.select("Tensor size (elements)", "as_elements", ELEMENT_CHOICES, DEFAULT_ELEMENTS,
                              format_func=lambda value: f"{value:,} ({value * 4 / 2**10:,.0f} KiB)",
                              help="Small tensors stay in cache (compute shows); large ones are limited by memory bandwidth.")
    budget, threads = budget_controls("as_measure", 3.0)
    return elements, budget, threads


def main() -> None:
    st.title("Is h-swish cheap? Activation speed on this CPU")
    st.caption(
        "MobileNetV3 ([arXiv:1905.02244](https://arxiv.org/abs/1905.02244), Sec. 5.2) replaces swish and sigmoid by "
        "piecewise-linear h-swish and hard-sigmoid because the sigmoid is expensive on phones. Here each activation "
        "module of the project's registry runs in PyTorch on one float32 tensor; the op counts are the ones the cost "
        "engine uses for every activation layer."
    )
    widgets.show_url_notices()
    elements, budget, threads = activation_speed_controls()
    key = ("activations", elements, budget, threads)
    if st.button("Measure the six activations", key="as_measure_button", type="primary"):
        try:
            run_measurement(key, lambda progress: measure_activations(elements, budget, progress), budget, threads)
        except ValueError as error:
            widgets.refuse(error)
    timings = stored_measurement(key)
    if timings is None:
        st.info("Press the button to time ReLU, ReLU6, sigmoid, swish, hard-sigmoid and h-swish here.")
        return
    shown = activation_speed_artifacts(timings, widgets.figure_style())
    downloads.show_chart(shown.speed, "as_chart", "activation_speed")
    downloads.show_table(shown.timings, "as_table", "activation_speed_table")
    st.caption(
        f"{elements:,} standard-normal float32 values, not in place, {threads} thread(s), median and IQR over "
        "timed blocks. Op counts are a convention (one op per compare, add, multiply; an exponential and a divide "
        "count one each), not cycles: the measured ratio is what this CPU and PyTorch's kernels make of them."
    )
    downloads.export_all_panel("activation_speed")


main()
