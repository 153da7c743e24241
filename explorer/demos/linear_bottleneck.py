"""ReLU in a low-dimensional space destroys information: MobileNetV2's Fig. 1, recomputed.

Sandler et al. 2018, MobileNetV2 (https://arxiv.org/abs/1801.04381), Sec. 3.2 and Fig. 1: a 2-D
spiral is embedded into n dimensions by a random matrix T, ReLU is applied, and the result is
projected back with T's pseudo-inverse T⁺. For n = 2 or 3 whole arms of the spiral collapse; for
n of 15 to 30 its shape survives. Without ReLU, T⁺T = I and nothing is lost.

Two errors are reported, both relative (``||X - X̂||_F / ||X||_F``):

- **T⁺ projection**, the paper's procedure. For large n it tends to 1/2, not 0: with Gaussian T,
  T⁺·ReLU(T x) ≈ x / 2 (ReLU keeps about half the rows), so the spiral survives at half its size.
- **best linear read-out**: the least-squares linear map from ReLU(T X) back to X, i.e. the best that
  a following linear layer could recover. It falls to about 0 as n grows: the information is there.
"""

from __future__ import annotations

import functools

import numpy as np

MIN_DIMENSION, MAX_DIMENSION = 2, 30
SPIRAL_POINTS = 400
SPIRAL_TURNS = 3.0
DEFAULT_MATRICES = 20


def spiral(points: int = SPIRAL_POINTS, turns: float = SPIRAL_TURNS) -> np.ndarray:
    """A 2-D spiral ``(2, points)``, radius growing linearly from 0 to 2, centred on its mean."""
    if not isinstance(points, int) or points < 3:
        raise ValueError(f"points: must be a whole number of at least 3, got {points!r}.")
    t = np.linspace(0.0, 1.0, points)
    angle = 2.0 * np.pi * turns * t
    curve = np.stack([2.0 * t * np.cos(angle), 2.0 * t * np.sin(angle)])
    return curve - curve.mean(axis=1, keepdims=True)


def _check_dimension(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not MIN_DIMENSION <= n <= MAX_DIMENSION:
        raise ValueError(f"n: must be a whole number from {MIN_DIMENSION} to {MAX_DIMENSION}, got {n!r}.")


def random_embedding(n: int, seed: int) -> np.ndarray:
    """The random matrix T ``(n, 2)``: standard normal entries from ``numpy.random.default_rng(seed)``."""
    _check_dimension(n)
    return np.random.default_rng(seed).standard_normal((n, 2))


def reconstruct(points: np.ndarray, matrix: np.ndarray, relu: bool = True) -> dict[str, np.ndarray]:
    """``T⁺ ReLU(T X)`` and the best linear read-out of ``ReLU(T X)`` (or the same without ReLU)."""
    embedded = matrix @ points
    if relu:
        embedded = np.maximum(embedded, 0.0)
    projected = np.linalg.pinv(matrix) @ embedded
    readout = points @ np.linalg.pinv(embedded) @ embedded
    return {"projection": projected, "readout": readout}


def relative_error(points: np.ndarray, estimate: np.ndarray) -> float:
    """``||X - X̂||_F / ||X||_F``."""
    return float(np.linalg.norm(points - estimate) / np.linalg.norm(points))


@functools.lru_cache(maxsize=8)
def error_curves(matrices: int = DEFAULT_MATRICES) -> tuple[dict, ...]:
    """For every n from 2 to 30 and each of ``matrices`` random T (seeds 0..): both errors on the spiral, ReLU or not.

    One row per (n, relu, method) with the mean, the sample std and the min and max over matrices.
    Cached (the curves do not depend on the n on screen); treat the rows as read-only.
    """
    if isinstance(matrices, bool) or not isinstance(matrices, int) or not 1 <= matrices <= 200:
        raise ValueError(f"matrices: must be a whole number from 1 to 200, got {matrices!r}.")
    points = spiral()
    rows = []
    for n in range(MIN_DIMENSION, MAX_DIMENSION + 1):
        for relu in (True, False):
            errors = {"projection": [], "readout": []}
            for seed in range(matrices):
                for method, estimate in reconstruct(points, random_embedding(n, seed), relu).items():
                    errors[method].append(relative_error(points, estimate))
            for method, values in errors.items():
                values = np.array(values)
                rows.append({
                    "n": n, "relu": relu, "method": method, "mean error": float(values.mean()),
                    "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
                    "min": float(values.min()), "max": float(values.max()),
                })
    return tuple(rows)
