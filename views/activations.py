"""Activation functions page: curves, derivatives, hard approximations and their cost."""

from __future__ import annotations

import streamlit as st

from explorer.demos.activations import (
    ACTIVATION_CURVES,
    BETA_RANGE,
    DEFAULT_CURVES,
    ActivationArtifacts,
    CurveSettings,
    activation_artifacts,
)
from views.downloads import export_all_panel, show_chart, show_table
from views.widgets import chart_columns, figure_style, float_slider, multiselect, refuse, show_url_notices, toggle


def activation_controls() -> CurveSettings:
    """Range, swish β and the derivative toggle (ValueError if the range is empty)."""
    left, middle, right = st.columns(3)
    with left:
        x_min = float_slider("x from", "act_xmin", -20.0, 19.0, -6.0, 0.5)
    with middle:
        x_max = float_slider("x to", "act_xmax", -19.0, 20.0, 6.0, 0.5)
    with right:
        beta = float_slider("swish β in x·σ(βx)", "act_beta", BETA_RANGE[0], BETA_RANGE[1], 1.0, 0.1)
    derivative = toggle("Show derivatives f′(x) (autograd)", "act_derivative")
    return CurveSettings(x_min, x_max, beta, derivative)


def curve_controls() -> tuple[str, ...]:
    """Which curves the first chart draws (four by default; an empty choice is refused by the library)."""
    chosen = multiselect("Curves", "act_series", list(ACTIVATION_CURVES), DEFAULT_CURVES,
                         format_func=lambda name: ACTIVATION_CURVES[name].label,
                         help="Curves that coincide on the range get their own dash pattern and say so in the legend.")
    return tuple(name for name in ACTIVATION_CURVES if name in chosen)


@st.cache_data(show_spinner=False, max_entries=32)
def artifacts(x_min: float, x_max: float, beta: float, derivative: bool, functions: tuple[str, ...],
              style: str) -> ActivationArtifacts:
    return activation_artifacts(x_min, x_max, beta, derivative, functions, style=style)


def main() -> None:
    st.title("Activation functions")
    st.caption(
        "Computed with PyTorch's own functions (`torch.nn.functional`), derivatives by autograd. "
        "h-swish and hard-sigmoid (MobileNetV3, [arXiv:1905.02244](https://arxiv.org/abs/1905.02244)) "
        "replace swish and sigmoid with piecewise-linear pieces that are cheap and exact in low precision."
    )
    show_url_notices()
    try:
        settings = activation_controls()
        functions = curve_controls()
        shown = artifacts(settings.x_min, settings.x_max, settings.beta, settings.derivative, functions, figure_style())
    except ValueError as error:
        refuse(error)
        return
    cols = st.columns(len(shown.approximations))
    for col, error in zip(cols, shown.approximations, strict=True):
        col.metric(f"max |{error.approximation} − {error.exact}|", f"{error.max_abs_error:.4f}")
        col.caption(f"at x = {error.at_x} (range {error.range})")
    show_chart(shown.activation_curves, "act_curves", "activation_curves")
    left, right = chart_columns(2)
    with left:
        show_chart(shown.swish_vs_hswish, "act_swish", "swish_vs_hswish")
    with right:
        show_chart(shown.sigmoid_vs_hsigmoid, "act_sigmoid", "sigmoid_vs_hsigmoid")
    st.subheader("Approximation errors over the chosen range")
    show_table(shown.approximation_errors, "act_errors", "approximation_errors")
    st.subheader("Cost per element and where each is used")
    st.caption("Ops per element as counted by the cost engine (`explorer.models.activations`, the one registry).")
    show_table(shown.activation_costs, "act_costs", "activation_costs")
    with st.expander("Values"):
        show_table(shown.activation_values, "act_values", "activation_values")
    export_all_panel("activations")


main()
