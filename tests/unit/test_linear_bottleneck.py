"""MobileNetV2 Fig. 1 recomputed: ReLU after a random embedding loses the spiral in few dimensions, not in many."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explorer.demos.linear_bottleneck import error_curves, random_embedding, reconstruct, relative_error, spiral


def test_spiral_is_centred_and_two_dimensional():
    points = spiral()
    assert points.shape == (2, 400)
    np.testing.assert_allclose(points.mean(axis=1), 0.0, atol=1e-12)


def test_identity_embedding_by_hand():
    # n = 2, T = I: ReLU zeroes the negative coordinates and T⁺ = I gives them back as 0.
    points = np.array([[1.0, -2.0, 3.0], [-1.0, 2.0, 0.0]])
    shown = reconstruct(points, np.eye(2))
    np.testing.assert_array_equal(shown["projection"], [[1.0, 0.0, 3.0], [0.0, 2.0, 0.0]])
    # lost: (0, -1) and (-2, 0): ||X - X̂||² = 1 + 4 = 5 of ||X||² = 1 + 4 + 9 + 1 + 4 = 19
    assert relative_error(points, shown["projection"]) == pytest.approx(np.sqrt(5 / 19))


def test_without_relu_nothing_is_lost_for_any_n():
    points = spiral()
    for n in (2, 3, 15, 30):
        for estimate in reconstruct(points, random_embedding(n, 7), relu=False).values():
            assert relative_error(points, estimate) < 1e-10


def test_error_falls_with_n_and_projection_tends_to_one_half():
    curves = pd.DataFrame(list(error_curves(matrices=10))).set_index(["n", "relu", "method"])["mean error"]
    assert curves[(2, True, "readout")] > 0.5 > 0.01 > curves[(30, True, "readout")]
    assert curves[(2, True, "projection")] > curves[(30, True, "projection")]
    # T⁺ ReLU(T x) -> x / 2 for Gaussian T: the error tends to 0.5, not 0
    assert 0.45 < curves[(30, True, "projection")] < 0.6
    assert curves.xs(False, level="relu").max() < 1e-10
    assert len(curves) == 29 * 2 * 2


def test_embedding_is_seeded_and_checked():
    np.testing.assert_array_equal(random_embedding(5, 3), random_embedding(5, 3))
    assert random_embedding(5, 3).shape == (5, 2)
    for bad in (1, 31, 2.5, True):
        with pytest.raises(ValueError, match="n: must be a whole number from 2 to 30"):
            random_embedding(bad, 0)
    with pytest.raises(ValueError, match="matrices"):
        error_curves(matrices=0)
