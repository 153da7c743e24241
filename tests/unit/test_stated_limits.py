"""Limits that are stated: uploads budgeted by decoded size, the measurement budget's split named."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from explorer.analysis.measurements import LAYER_SHARE, budget_split, measure_block_results
from explorer.demos.se import MAX_DECODED_BYTES, decoded_bytes, load_uploaded_image
from explorer.models.specs import block_spec


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_small_file_that_decodes_large_is_refused_by_its_decoded_size():
    bomb = png(8000, 5000)  # 40 megapixels of black: about 120 kB as a file, 229 MiB decoded with its RGB copy
    assert len(bomb) < 200_000
    with pytest.raises(ValueError, match=r"image: 8000 x 5000 pixels \(RGB\) decode to about 229 MiB, over the 128 MiB"):
        load_uploaded_image(bomb)


def test_decoded_bytes_count_the_mode_and_the_rgb_copy():
    assert decoded_bytes(Image.new("RGB", (10, 10))) == 100 * (3 + 3)
    assert decoded_bytes(Image.new("L", (10, 10))) == 100 * (1 + 3)
    assert decoded_bytes(Image.new("I;16", (10, 10))) == 100 * (2 + 3)
    assert decoded_bytes(Image.new("RGBA", (10, 10))) == 100 * (4 + 3)


def test_a_phone_photo_within_the_budget_decodes():
    assert MAX_DECODED_BYTES > 4000 * 3000 * 6
    rgb = load_uploaded_image(png(4000, 3000))
    assert rgb.shape == (3000, 4000, 3) and rgb.dtype == np.uint8


def test_a_refused_measurement_says_how_the_budget_was_split():
    spec = block_spec("standard", in_channels=1024, out_channels=1024, size=112, kernel_size=7)
    with pytest.raises(ValueError) as refused:
        measure_block_results(spec, 30.0)
    message = str(refused.value)
    # the budget named is the one the user set, with its split next to it
    assert f"more than the 30 s time budget, of which {30 * (1 - LAYER_SHARE):g} s (70%) go to timing every" in message
    assert budget_split(4.0).startswith("of the 4 s budget, 2.8 s (70%)")
