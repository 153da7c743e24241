"""Compound-scaling page: EfficientNet's φ, α, β, γ (https://arxiv.org/abs/1905.11946) as pictures.

Reads widgets, builds the custom ``efficientnet`` spec, renders what
:func:`explorer.network_view.scaling_artifacts` returns.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer.artifacts.scaling import scaling_artifacts
from explorer.models.networks.tables import COMPOUND_ALPHA, COMPOUND_BETA, COMPOUND_GAMMA, NetworkSpec, network_spec
from explorer.models.scaling import compound_flops_factor
from views import downloads, widgets


def scaling_controls() -> tuple[NetworkSpec | None, ValueError | None]:
    """φ slider and α, β, γ boxes -> the custom EfficientNet spec, or the reason it is impossible."""
    with st.sidebar:
        st.header("Compound scaling")
        phi = widgets.float_slider("Compound coefficient φ", "sc_phi", 0.0, 8.0, 1.0, 0.1,
                                  help="Depth α^φ, width β^φ, resolution 224·γ^φ; fractional values allowed.")
        alpha = widgets.number_input("α (depth)", "sc_alpha", 1.0, 2.0, COMPOUND_ALPHA, 0.01, format="%.2f")
        beta = widgets.number_input("β (width)", "sc_beta", 1.0, 2.0, COMPOUND_BETA, 0.01, format="%.2f")
        gamma = widgets.number_input("γ (resolution)", "sc_gamma", 1.0, 2.0, COMPOUND_GAMMA, 0.01, format="%.2f")
    try:
        if compound_flops_factor(alpha, beta, gamma) <= 1.0:
            raise ValueError("alpha: α·β²·γ² must exceed 1, or scaling never grows the network; raise α, β or γ.")
        return network_spec("efficientnet", phi=phi, alpha=alpha, beta=beta, gamma=gamma), None
    except ValueError as error:
        return None, error


@st.cache_data(max_entries=32, show_spinner="Counting the scaled networks…")
def _cached_artifacts(spec: NetworkSpec, style: str) -> dict[str, object]:
    return scaling_artifacts(spec, style)


def _metrics(spec: NetworkSpec, summary: pd.DataFrame) -> None:
    values = dict(zip(summary["quantity"], summary["value"], strict=True))
    columns = st.columns(4)
    columns[0].metric("α·β²·γ²", values["alpha x beta^2 x gamma^2"], help="MAC growth per unit of φ; the paper keeps it near 2.")
    columns[1].metric("Predicted MACs", values["predicted MACs: B0 x (alpha beta^2 gamma^2)^phi"],
                      help=f"B0 × (α·β²·γ²)^φ; with the paper's 2^φ: {values['predicted MACs: B0 x 2^phi']}.")
    columns[2].metric("Counted MACs", values["counted MACs"], help="Conv + linear MACs of the network actually built.")
    columns[3].metric("Counted / predicted", values["counted / predicted"])
    st.caption(
        f"Depth × {values['depth multiplier alpha^phi']}, width × {values['width multiplier beta^phi']}, "
        f"resolution {values['resolution 224 x gamma^phi']} px (φ = {spec.phi:g})."
    )


def main() -> None:
    st.title("Compound scaling")
    st.caption("EfficientNet grows depth, width and resolution together: d = α^φ, w = β^φ, r = γ^φ with α·β²·γ² ≈ 2.")
    spec, error = scaling_controls()
    widgets.show_url_notices()
    if error is not None:
        widgets.refuse(error)
        return
    artifacts = _cached_artifacts(spec, widgets.figure_style())
    _metrics(spec, artifacts["summary"])
    downloads.show_chart(artifacts["mac_prediction"], "chart_prediction", "compound_mac_prediction")
    downloads.show_chart(artifacts["multipliers"], "chart_multipliers", "compound_multipliers")
    downloads.show_chart(artifacts["single_dimension"], "chart_single", "single_dimension_scaling")
    with st.expander("Tables"):
        downloads.show_table(artifacts["summary"], "table_summary", "compound_summary")
        downloads.show_table(artifacts["compound_table"], "table_compound", "compound_phi_table")
        downloads.show_table(artifacts["single_dimension_table"], "table_single", "single_dimension_table")
    downloads.model_downloads(spec, key="sc_model")
    downloads.export_all_panel(zip_name="compound_scaling")


main()
