"""Activation curves, derivatives and approximation errors, checked against closed forms."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest
import torch

from explorer.demos.activations import ACTIVATION_CURVES, activation_artifacts, approximation_error, cost_table, curves, evaluate


def test_hand_values_at_zero_and_three():
    x = torch.tensor([0.0, 3.0, -3.0, 10.0])
    assert evaluate("hsigmoid", x).tolist() == pytest.approx([0.5, 1.0, 0.0, 1.0])
    assert evaluate("hswish", x).tolist() == pytest.approx([0.0, 3.0, 0.0, 10.0])
    assert evaluate("relu6", x).tolist() == pytest.approx([0.0, 3.0, 0.0, 6.0])
    assert evaluate("sigmoid", x)[0].item() == pytest.approx(0.5)
    assert evaluate("swish", x)[1].item() == pytest.approx(3 / (1 + math.exp(-3)))


def test_swish_beta_is_x_sigmoid_beta_x():
    x = torch.linspace(-4, 4, 9, dtype=torch.float64)
    for beta in (0.5, 1.0, 2.0, 10.0):
        assert torch.allclose(evaluate("swish", x, beta), x * torch.sigmoid(beta * x))


def test_derivatives_by_autograd_match_closed_forms():
    x = torch.tensor([-4.0, -1.0, 0.5, 2.0, 7.0], dtype=torch.float64)
    s = torch.sigmoid(x)
    assert torch.allclose(evaluate("sigmoid", x, derivative=True), s * (1 - s))
    assert torch.allclose(evaluate("swish", x, derivative=True), s + x * s * (1 - s))
    assert evaluate("hsigmoid", x, derivative=True).tolist() == pytest.approx([0, 1 / 6, 1 / 6, 1 / 6, 0])
    # h-swish' = (2x + 3) / 6 inside (-3, 3)
    assert evaluate("hswish", x, derivative=True).tolist() == pytest.approx([0, 1 / 6, 4 / 6, 7 / 6, 1])
    assert evaluate("relu6", x, derivative=True).tolist() == pytest.approx([0, 0, 1, 1, 0])


def test_swish_vs_hswish_max_error_at_plus_minus_three():
    result = approximation_error("swish", "hswish", -6, 6)
    assert result["max_abs_error"] == pytest.approx(3 / (1 + math.exp(3)), abs=1e-9)  # 0.14228
    assert result["at_x"] == pytest.approx([-3.0, 3.0], abs=1e-3)


def test_sigmoid_vs_hsigmoid_max_error_where_slope_is_one_sixth():
    result = approximation_error("sigmoid", "hsigmoid", -6, 6)
    where = math.log((1 + 3**-0.5) / (1 - 3**-0.5))  # sigma' = 1/6  ->  x = 1.31696
    expected = 1 / (1 + math.exp(-where)) - (where + 3) / 6  # 0.06918
    assert result["max_abs_error"] == pytest.approx(expected, abs=1e-6)
    assert result["at_x"] == pytest.approx([-where, where], abs=2e-3)


def test_narrow_range_moves_the_peak_to_the_edge():
    result = approximation_error("swish", "hswish", 0.0, 1.0)
    assert result["at_x"] == pytest.approx([1.0])
    assert result["max_abs_error"] == pytest.approx(abs(4 / 6 - 1 / (1 + math.exp(-1))), abs=1e-9)


def test_cost_table_uses_cost_engine_counts():
    table = cost_table().set_index("PyTorch")
    assert table.loc["nn.ReLU", "ops per element"] == 1
    assert table.loc["nn.Hardswish", "ops per element"] == 5
    assert "second half" in table.loc["nn.Hardswish", "used in"]
    assert cost_table(2.0).set_index("PyTorch").loc["nn.SiLU", "ops per element"] == 6


def test_artifacts_are_ordered_figures_and_tables():
    shown = activation_artifacts(-5, 5, 1.5, True, style="slide")
    assert list(shown.exports()) == [
        "activation_curves", "swish_vs_hswish", "sigmoid_vs_hsigmoid",
        "approximation_errors", "activation_costs", "activation_values",
    ]
    assert isinstance(shown.activation_curves, go.Figure)
    assert [trace.name for trace in shown.activation_curves.data] == ["ReLU", "ReLU6 (= ReLU on this range)",
                                                                       "swish / SiLU β=1.5", "h-swish"]
    assert shown.activation_values["x"].iloc[0] == -5
    every = activation_artifacts(-8, 8, functions=tuple(ACTIVATION_CURVES)).activation_curves.data
    assert len(every) == len(ACTIVATION_CURVES) and len({trace.line.dash for trace in every}) == len(every)
    assert every[1].name == "ReLU6"  # beyond x = 6 it clamps: no longer the same curve


def test_derivatives_of_coincident_curves_are_marked_too():
    # ReLU' and ReLU6' are both the unit step on [-5, 5]
    names = [trace.name for trace in activation_artifacts(-5, 5, derivative=True).activation_curves.data]
    assert names[1] == "ReLU6 (= ReLU on this range)"


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"x_min": 3, "x_max": 1}, "x_min"), ({"beta": 0.0}, "beta"), ({"functions": ("tanhh",)}, "functions"),
     ({"points": 2}, "points")],
)
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        curves(**kwargs)
