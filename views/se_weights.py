"""SE channel weights page: feed an image through a block with SE and see every channel's gate."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.demos.se import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_PIXELS,
    PATTERNS,
    RANDOM_WEIGHTS_NOTE,
    SAMPLE_PHOTOS,
    SE_KINDS,
    SEArtifacts,
    load_uploaded_image,
    sample_photo,
    se_block_artifacts,
    synthetic_pattern,
)
from explorer.models.specs import BLOCK_KINDS, BlockSpec, block_spec
from views.downloads import export_all_panel, show_chart, show_table
from views.widgets import chart_columns, figure_style, float_slider, int_slider, plain, radio, refuse, select, show_url_notices

SOURCES = ("photo", "pattern", "upload")
UPLOAD_LIMITS = f"up to {MAX_UPLOAD_BYTES // 2**20} MiB and {MAX_UPLOAD_PIXELS / 1e6:g} megapixels"


def block_controls() -> BlockSpec:
    """The block's kind and hyperparameters -> a validated spec (ValueError if impossible)."""
    kind = select("Block with SE", "se_kind", SE_KINDS, "mbconv", format_func=lambda k: BLOCK_KINDS[k].label)
    cols = st.columns(4)
    with cols[0]:
        channels = int_slider("Input channels C_in", "se_cin", 3, 256, 32)
    with cols[1]:
        size = int_slider("Input size (pixels)", "se_size", 8, 224, 56)
    if kind == "se":
        with cols[2]:
            ratio = float_slider("SE ratio", "se_ratio", 0.03125, 1.0, 0.0625, 0.03125)
        with cols[3]:
            gate = select("Gate", "se_gate", ("sigmoid", "hsigmoid"), "sigmoid")
        return block_spec(kind, in_channels=channels, size=size, se_ratio=ratio, gate=gate)
    with cols[2]:
        expansion = float_slider("Expansion t", "se_expansion", 1.0, 6.0, 4.0 if kind != "mbconv" else 6.0, 0.5)
    with cols[3]:
        kernel = select("Kernel", "se_kernel", (3, 5, 7), 3)
    left, right = st.columns(2)
    with left:
        ratio = float_slider("SE ratio", "se_ratio", 0.03125, 1.0, 0.25, 0.03125)
    with right:
        gate = select("Gate", "se_gate", ("sigmoid", "hsigmoid"), "hsigmoid" if kind == "bneck" else "sigmoid")
    return block_spec(kind, in_channels=channels, out_channels=channels, size=size, expansion=expansion,
                      kernel_size=kernel, se_ratio=ratio, gate=gate)


def input_controls() -> tuple[str, tuple]:
    """Which input: a shipped photo, a synthetic pattern, or an upload (returned as bytes)."""
    source = radio("Input", "se_source", SOURCES, "photo")
    if source == "photo":
        return source, (select("Photo (shipped with scikit-learn)", "se_photo", SAMPLE_PHOTOS, "china.jpg"),)
    if source == "pattern":
        cols = st.columns(3)
        with cols[0]:
            kind = select("Pattern", "se_pattern", PATTERNS, "stripes")
        with cols[1]:
            angle = float_slider("Stripe angle (degrees)", "se_angle", 0.0, 180.0, 30.0, 5.0)
        with cols[2]:
            period = int_slider("Period (pixels)", "se_period", 2, 64, 16)
        return source, (kind, angle, period)
    upload = st.file_uploader(f"Your image (PNG, JPEG, ...; {UPLOAD_LIMITS})", key="se_upload")
    return source, (upload.getvalue() if upload is not None else None,)


@st.cache_data(show_spinner="Reading the image…", max_entries=4)
def uploaded_image(data: bytes) -> np.ndarray:
    return load_uploaded_image(data)


def source_image(source: str, params: tuple) -> np.ndarray:
    if source == "photo":
        return sample_photo(params[0])
    if source == "pattern":
        kind, angle, period = params
        return synthetic_pattern(kind, 224, angle, period)
    return uploaded_image(params[0])


def refuse_upload(error: ValueError) -> None:
    """An upload that cannot be read: what is wrong with the file and what to do instead (the block is fine)."""
    reason = str(error).removeprefix("image: ")
    st.error(
        f"This file cannot be used as the input image: {plain(reason)} Upload a PNG, JPEG, GIF, BMP or WebP image "
        f"({UPLOAD_LIMITS}), or pick a photo or a pattern.",
        icon="🖼️",
    )


@st.cache_data(show_spinner="Running the block…", max_entries=16)
def artifacts(spec: BlockSpec, source: str, params: tuple, order: str, count: int, seed: int, style: str) -> SEArtifacts:
    return se_block_artifacts(spec, source_image(source, params), order, count, seed, style)


def main() -> None:
    st.title("SE channel weights")
    st.caption(
        "Squeeze-and-excitation ([SENet, arXiv:1709.01507](https://arxiv.org/abs/1709.01507)) multiplies each channel "
        "by a gate in [0, 1] computed from its global average. Here an image goes through the built block (a real "
        "forward pass) and the gate of every channel is recorded. A photo has 3 channels: for C_in ≠ 3 a fixed stem "
        "turns it into C_in oriented-edge maps (channel i: edges at 180°·i/C_in in colour R, G or B = i mod 3)."
    )
    show_url_notices()
    try:
        spec = block_controls()
    except ValueError as error:
        refuse(error)
        return
    source, params = input_controls()
    cols = st.columns(3)
    with cols[0]:
        order = radio("Bar order", "se_order", ("channel", "sorted"), "channel")
    with cols[1]:
        count = int_slider("Channels shown per extreme", "se_count", 1, 6, 3)
    with cols[2]:
        seed = int_slider("Weight seed", "se_seed", 0, 99, 0)
    if source == "upload" and params[0] is None:
        st.info("Upload an image to see its excitations, or pick a photo or a pattern.")
        return
    if source == "upload":
        try:
            uploaded_image(params[0])  # read and checked once, here, so a bad file is named as one
        except ValueError as error:
            refuse_upload(error)
            return
    try:
        shown = artifacts(spec, source, params, order, count, seed, figure_style())
    except ValueError as error:
        refuse(error)
        return
    st.warning(RANDOM_WEIGHTS_NOTE.format(seed=seed), icon="🎲")
    gates = shown.gates
    metrics = st.columns(4)
    metrics[0].metric("SE channels", str(gates.channels))
    for col, name, value in zip(metrics[1:], ("min excitation", "max excitation", "std excitation"),
                                (gates.minimum, gates.maximum, gates.std), strict=True):
        col.metric(name, f"{value:.4f}")
    left, right = chart_columns([1, 2])
    with left:
        show_chart(shown.input, "se_input_chart", shown.file_name("input"))
    with right:
        show_chart(shown.excitation, "se_bar_chart", shown.file_name("excitation"))
    show_chart(shown.excitation_histogram, "se_hist_chart", shown.file_name("excitation_histogram"))
    show_chart(shown.feature_maps, "se_maps_chart", shown.file_name("feature_maps"))
    show_table(shown.summary, "se_summary_table", shown.file_name("summary"))
    with st.expander("Every channel"):
        show_table(shown.channels, "se_channels_table", shown.file_name("channels"))
    export_all_panel("se_channel_weights")


main()
