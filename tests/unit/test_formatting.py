"""Formatters for numbers a person reads: a paper's figure keeps exactly the precision it was printed with."""

from __future__ import annotations

import pytest

from explorer.formatting import printed_count, short_count


@pytest.mark.parametrize(("value", "text"), [
    (0.39e9, "390M"),  # EfficientNet-B0, Table 2: 0.39B FLOPs (= mult-adds)
    (5.3e6, "5.3M"),  # its params
    (569e6, "569M"),  # MobileNetV1 1.0-224, Table 1
    (59.2e6, "59.2M"),  # MobileNetV2 0.35, MobileNetV3 paper Table 3
    (4866e6, "4.866G"),  # MobileNetV1 with full convolutions, Table 4: every printed digit kept
    (29.3e6, "29.3M"),
    (37e9, "37G"),  # B7
    (7.0, "7"),
    (0.0, "0"),
])
def test_printed_count_keeps_the_papers_precision(value, text):
    assert printed_count(value) == text


def test_short_count_pads_to_a_fixed_precision():
    assert short_count(390e6, ".2f") == "390.00M"  # what the Networks page used to show as the paper's figure
    assert short_count(5288548) == "5.29M"
