"""Activation speed: six registry activations timed per element, next to the cost engine's op counts."""

from __future__ import annotations

import pytest
import torch

from explorer.artifacts.papers import activation_speed_artifacts
from explorer.demos.activation_speed import ACTIVATIONS, measure_activations


def test_measures_the_six_activations_with_the_engines_op_counts():
    threads = torch.get_num_threads()
    timings = measure_activations(4_096, 0.6)
    assert torch.get_num_threads() == threads
    assert [t.name for t in timings] == list(ACTIVATIONS)
    assert {t.name: t.ops_per_element for t in timings} == {
        "relu": 1, "relu6": 2, "sigmoid": 4, "swish": 5, "hsigmoid": 4, "hswish": 5,
    }
    for timing in timings:
        assert timing.latency.runs >= 1
        assert timing.ns_per_element == pytest.approx(timing.latency.median_s * 1e9 / 4_096)
    shown = activation_speed_artifacts(timings, "screen")
    assert shown.timings["x ReLU (ops)"].tolist() == [1, 2, 4, 5, 4, 5]
    assert shown.timings.loc[0, "x ReLU (measured)"] == 1.0
    assert set(shown.exports()) == {"speed", "timings"}


def test_bad_size_and_budget_are_refused():
    with pytest.raises(ValueError, match="elements: must be one of 4096, 65536"):
        measure_activations(1_000, 1.0)
    with pytest.raises(ValueError, match="budget"):
        measure_activations(4_096, 0.0)
    with pytest.raises(ValueError, match="timings"):
        activation_speed_artifacts([], "screen")
