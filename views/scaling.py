"""Compound-scaling page: EfficientNet's φ, α, β, γ (https://arxiv.org/abs/1905.11946) as pictures.

Reads widgets, builds the custom ``efficientnet`` spec, renders what
:func:`explorer.artifacts.scaling.scaling_artifacts` returns.
"""

from __future__ import annotations

import streamlit as st

from explorer.artifacts.scaling import ScalingArtifacts, ScalingNumbers, scaling_artifacts
from explorer.models.networks.tables import COMPOUND_ALPHA, COMPOUND_BETA, COMPOUND_GAMMA, NetworkSpec, network_spec
from explorer.models.scaling import compound_flops_factor
from views import downloads, widgets


def scaling_controls() -> NetworkSpec:
    """φ slider and α, β, γ boxes -> the custom EfficientNet spec (ValueError, with the reason, if it is impossible)."""
    with st.sidebar:
        st.header("Compound scaling")
        phi = widgets.float_slider("Compound coefficient φ", "sc_phi", 0.0, 8.0, 1.0, 0.1,
                                  help="Depth α^φ, width β^φ, resolution 224·γ^φ; fractional values allowed.")
        alpha = widgets.number_input("α (depth)", "sc_alpha", 1.0, 2.0, COMPOUND_ALPHA, 0.01, format="%.2f")
        beta = widgets.number_input("β (width)", "sc_beta", 1.0, 2.0, COMPOUND_BETA, 0.01, format="%.2f")
        gamma = widgets.number_input("γ (resolution)", "sc_gamma", 1.0, 2.0, COMPOUND_GAMMA, 0.01, format="%.2f")
    if compound_flops_factor(alpha, beta, gamma) <= 1.0:
        raise ValueError("alpha: α·β²·γ² must exceed 1, or scaling never grows the network; raise α, β or γ.")
    return network_spec("efficientnet", phi=phi, alpha=alpha, beta=beta, gamma=gamma)


@st.cache_data(max_entries=32, show_spinner="Counting the scaled networks…")
def _cached_artifacts(spec: NetworkSpec, style: str) -> ScalingArtifacts:
    return scaling_artifacts(spec, style)


def _metrics(spec: NetworkSpec, numbers: ScalingNumbers) -> None:
    columns = st.columns([1, 1.6, 1.6, 1])  # room for twelve-digit counts at phi = 8
    columns[0].metric("α·β²·γ²", f"{numbers.factor:.4f}", help="MAC growth per unit of φ; the paper keeps it near 2.")
    columns[1].metric("Predicted MACs", f"{numbers.predicted_macs:,.0f}",
                      help=f"B0 × (α·β²·γ²)^φ; with the paper's 2^φ: {numbers.rule_of_thumb_macs:,.0f}.")
    columns[2].metric("Counted MACs", f"{numbers.counted_macs:,}", help="Conv + linear MACs of the network actually built.")
    columns[3].metric("Counted / predicted", f"{numbers.counted_over_predicted:.3f}",
                      help="Not 1 because the built network is rounded: see 'Why counted and predicted differ' below.")
    st.caption(
        f"Depth × {numbers.depth_mult:.4f}, width × {numbers.width_mult:.4f}, "
        f"resolution {numbers.resolution} px (φ = {spec.phi:g})."
    )


def _gap(artifacts: ScalingArtifacts) -> None:
    """Why counted / predicted is not 1: one factor per dimension, each computed from the network built."""
    product = " × ".join(f"{factor.dimension} {factor.ratio:.3f}" for factor in artifacts.gap)
    st.markdown(f"**Why counted and predicted differ**: {artifacts.numbers.counted_over_predicted:.3f} = {product}.")
    st.caption(
        "The rule treats depth, width and resolution as exact multipliers; the network built rounds each. Each is "
        "scaled alone and counted against the growth the rule assumes; the rest is what scaling all three at once "
        "adds. The factors multiply to counted / predicted."
    )
    st.markdown("\n".join(
f"- **{factor.dimension} × {factor.ratio:.3f}**: {factor.explanation}"
        for factor in artifacts.gap
    ))


def main() -> None:
    st.title("Compound scaling")
    st.caption("EfficientNet grows depth, width and resolution together: d = α^φ, w = β^φ, r = γ^φ with α·β²·γ² ≈ 2.")
    widgets.show_url_notices()
    try:
        spec = scaling_controls()
    except ValueError as error:
        widgets.refuse(error)
        return
    artifacts = _cached_artifacts(spec, widgets.figure_style())
    _metrics(spec, artifacts.numbers)
    _gap(artifacts)
    downloads.show_chart(artifacts.mac_prediction, "chart_prediction", "compound_mac_prediction")
    downloads.show_chart(artifacts.multipliers, "chart_multipliers", "compound_multipliers")
    downloads.show_chart(artifacts.single_dimension, "chart_single", "single_dimension_scaling")
    with st.expander("Tables"):
        downloads.show_table(artifacts.summary, "table_summary", "compound_summary")
        downloads.show_table(artifacts.gap_table, "table_gap", "compound_gap")
        downloads.show_table(artifacts.compound_table, "table_compound", "compound_phi_table")
        downloads.show_table(artifacts.single_dimension_table, "table_single", "single_dimension_table")
    downloads.model_downloads(spec, key="sc_model")
    downloads.export_all_panel(zip_name="compound_scaling")


main()
