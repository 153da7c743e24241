"""Trained digits model page: what SE does in a small EfficientNet that learned something."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer.demos.digits import (
    DEFAULT_EPOCHS,
    DEFAULT_WEIGHTS,
    DigitsArtifacts,
    EpochLog,
    PredictionArtifacts,
    SpecificityTrend,
    digits_artifacts,
    held_out_example,
    image_to_digit,
    load_trained,
    model_from_bytes,
    prediction_artifacts,
    train_digits,
    weights_to_bytes,
)
from explorer.demos.se import load_uploaded_image
from explorer.formatting import layer_label
from views.downloads import export_all_panel, show_chart, show_table
from views.widgets import chart_columns, figure_style, int_slider, radio, refuse, select, show_url_notices, toggle

RETRAINED = "digits_retrained_weights"


def _model(weights: bytes | None):
    return load_trained(DEFAULT_WEIGHTS)[0] if weights is None else model_from_bytes(weights)


@st.cache_data(show_spinner="Running the held-out set through the network…", max_entries=4)
def model_artifacts(weights: bytes | None, style: str, centred: bool) -> DigitsArtifacts:
    return digits_artifacts(_model(weights), style, centred)


@st.cache_data(show_spinner=False, max_entries=32)
def digit_artifacts(weights: bytes | None, digit: tuple, style: str) -> PredictionArtifacts:
    return prediction_artifacts(_model(weights), [list(row) for row in digit], style)


def model_controls() -> bytes | None:
    """The shipped weights (None) or the ones retrained in this session."""
    if RETRAINED not in st.session_state:
        return None
    which = radio("Model", "digits_model", ("shipped", "retrained"), "shipped",
                  format_func=lambda v: "shipped weights" if v == "shipped" else "retrained in this session")
    return st.session_state[RETRAINED] if which == "retrained" else None


def specificity_sentence(trend: SpecificityTrend) -> str:
    return (
        f"In this model the class specificity {'rises' if trend.rises else 'does not rise'} with depth: "
        f"η² = {trend.first:.2f} at {trend.first_layer} and {trend.last:.2f} at {trend.last_layer}. SENet reports early SE "
        "layers class-agnostic and later ones class-specific; η² is the share of each channel's gate variance over the "
        "held-out images that the class explains (0: same mean gates for every class, 1: gates set by the class alone)."
    )


def show_model(shown: DigitsArtifacts) -> None:
    held_out = shown.held_out
    cols = st.columns(3)
    cols[0].metric("Held-out accuracy", f"{held_out.accuracy:.2%}")
    cols[1].metric("Held-out images", held_out.n_test)
    cols[2].metric("Correct", held_out.correct)
    st.write(specificity_sentence(shown.trend))
    show_chart(shown.se_specificity, "digits_specificity_chart", shown.file_name("se_specificity"))
    show_table(shown.se_layers, "digits_layers_table", shown.file_name("se_layers"))
    tabs = st.tabs([layer_label(layer) for layer in shown.heatmaps])
    for tab, (layer, figure) in zip(tabs, shown.heatmaps.items(), strict=True):
        name = shown.item_name("heatmaps", layer)
        with tab:
            show_chart(figure, f"{name}_chart", name)


def digit_input() -> tuple | None:
    """An 8x8 digit from the held-out set or from an upload (None while nothing is uploaded)."""
    source = radio("Digit", "digits_source", ("held-out example", "upload"), "held-out example")
    if source == "held-out example":
        label = select("Example of class", "digits_example", list(range(10)), 3)
        return tuple(map(tuple, held_out_example(label).tolist()))
    upload = st.file_uploader("A photo or drawing of one digit (dark on light or light on dark)", key="digits_upload")
    if upload is None:
        return None
    return tuple(map(tuple, image_to_digit(load_uploaded_image(upload.getvalue())).tolist()))


def show_prediction(weights: bytes | None, style: str) -> None:
    st.subheader("Try a digit")
    digit = digit_input()
    if digit is None:
        st.info("Upload an image of a digit, or pick a held-out example.")
        return
    shown = digit_artifacts(weights, digit, style)
    left, right = chart_columns([1, 2])
    with left:
        show_chart(shown.input, "digit_input_chart", shown.file_name("input"))
    with right:
        show_chart(shown.probabilities, "digit_prob_chart", shown.file_name("probabilities"))
    show_chart(shown.se_gates, "digit_gates_chart", shown.file_name("se_gates"))


def retrain_panel() -> None:
    with st.expander("Retrain from scratch (optional, about a minute on one core)"):
        retrained_notice()
        epochs = int_slider("Epochs", "digits_epochs", 1, 40, DEFAULT_EPOCHS)
        seed = int_slider("Seed", "digits_seed", 0, 99, 0)
        if not st.button("Retrain now", key="digits_retrain"):
            return
        bar, chart = st.progress(0.0, text="Training…"), st.empty()
        history: list[dict] = []

        def report(log: EpochLog) -> None:
            history.append({"epoch": log.epoch, "loss": log.loss, "held-out accuracy": log.test_accuracy})
            bar.progress(log.epoch / log.epochs, text=f"epoch {log.epoch}/{log.epochs}: loss {log.loss:.4f}, "
                                                     f"held-out accuracy {log.test_accuracy:.2%}")
            chart.line_chart(pd.DataFrame(history), x="epoch")

        model, log = train_digits(epochs=epochs, seed=seed, progress=report)
        st.session_state[RETRAINED] = weights_to_bytes(model)
        st.session_state[RETRAINED + "_note"] = (
            f"Retrained {epochs} epochs with seed {seed}: held-out accuracy {log[-1].test_accuracy:.2%}. "
            "Choose “retrained in this session” under Model to use it."
        )
        st.rerun()


def retrained_notice() -> None:
    if RETRAINED not in st.session_state:
        return
    st.success(st.session_state[RETRAINED + "_note"])
    st.download_button("Download the retrained weights (safetensors)", st.session_state[RETRAINED],
                       file_name="digits_mbconv.safetensors", key="digits_download")


def main() -> None:
    st.title("SE in a trained network")
    st.caption(
        "A small EfficientNet ([arXiv:1905.11946](https://arxiv.org/abs/1905.11946)): 3x3 stem, five MBConv blocks with "
        "SE (sigmoid gates, swish), trained on scikit-learn's 8x8 handwritten digits (upsampled to 16x16) with a fixed "
        "seed and a fixed stratified 80/20 split. Reproduce the shipped weights with `python -m explorer digits train`."
    )
    show_url_notices()
    style = figure_style()
    try:
        weights = model_controls()
        centred = toggle("Heatmaps: subtract each channel's mean over classes", "digits_centred")
        show_model(model_artifacts(weights, style, centred))
        show_prediction(weights, style)
    except ValueError as error:
        refuse(error)
    export_all_panel("se_trained_digits")
    retrain_panel()


main()
