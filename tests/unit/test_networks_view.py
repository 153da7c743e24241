"""The Networks and Compound-scaling artifacts: paper-shaped tables, shares, families, scaling curves."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from explorer.analysis.counting import count_network, network_totals
from explorer.artifacts.networks import family_frame, network_artifacts
from explorer.artifacts.scaling import compound_frame, gap_factors, released_frame, scaling_artifacts
from explorer.models.networks.tables import NetworkSpec, network_spec

KNOWN_OPERATIONS = {"stem", "1x1 conv", "depthwise", "3x3 conv", "SE", "residual add", "head", "classifier"}


@pytest.fixture(scope="module")
def b0():
    return network_artifacts(network_spec("efficientnet_b0"), "screen")


@pytest.fixture(scope="module")
def v1():
    return network_artifacts(network_spec("mobilenet_v1"), "screen")


def test_artifacts_are_in_page_order(b0):
    assert list(b0.exports()) == ["totals", "stages", "cost_by_stage", "cost_by_operation", "operations", "family", "layers"]


def test_b0_stage_table_matches_paper_table_1(b0):
    stages = b0.stages
    assert list(stages["input resolution"]) == ["224x224", "112x112", "112x112", "56x56", "28x28", "14x14", "14x14", "7x7", "7x7"]
    assert list(stages["channels"]) == [32, 16, 24, 40, 80, 112, 192, 320, 1280]
    assert list(stages["layers"]) == [1, 1, 2, 2, 3, 3, 4, 1, 1]
    assert list(stages["operator"])[1:4] == ["MBConv1, k3x3", "MBConv6, k3x3", "MBConv6, k5x5"]
    assert stages["params"].sum() == 5288548
    assert stages["MACs"].sum() == 385814752


def test_mobilenet_v3_large_stage_table_has_the_papers_columns():
    """Table 1 of the MobileNetV3 paper, row by row: exp size, #out, SE, NL, s."""
    stages = network_artifacts(network_spec("mobilenet_v3_large"), "screen").stages
    assert list(stages.columns[:9]) == [
        "stage", "operator", "input resolution", "exp size", "channels", "SE", "NL", "stride", "layers",
    ]
    blocks = stages.iloc[1:-1]
    assert list(blocks["operator"]) == ["bneck, 3x3"] * 3 + ["bneck, 5x5"] * 3 + ["bneck, 3x3"] * 6 + ["bneck, 5x5"] * 3
    assert list(blocks["exp size"]) == [16, 64, 72, 72, 120, 120, 240, 200, 184, 184, 480, 672, 672, 960, 960]
    assert list(blocks["channels"]) == [16, 24, 24, 40, 40, 40, 80, 80, 80, 80, 112, 112, 160, 160, 160]
    assert list(blocks["SE"].fillna("-")) == ["-"] * 3 + ["✓"] * 3 + ["-"] * 4 + ["✓"] * 5
    assert list(blocks["NL"]) == ["RE"] * 6 + ["HS"] * 9
    assert list(blocks["stride"]) == [1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1]
    stem, head = stages.iloc[0], stages.iloc[-1]
    assert (stem["operator"], stem["channels"], stem["NL"], stem["stride"]) == ("Conv3x3", 16, "HS", 2)
    assert pd.isna(stem["exp size"]) and pd.isna(stem["SE"])
    assert head["operator"] == "Conv1x1 (960) & Pooling & FC (1280, NBN) & FC" and head["NL"] == "HS"


def test_mobilenet_v3_small_se_and_nl_follow_table_2():
    blocks = network_artifacts(network_spec("mobilenet_v3_small"), "screen").stages.iloc[1:-1]
    assert list(blocks["SE"].fillna("-")) == ["✓", "-", "-"] + ["✓"] * 8
    assert list(blocks["NL"]) == ["RE"] * 3 + ["HS"] * 8
    assert list(blocks["exp size"]) == [16, 72, 88, 96, 240, 240, 120, 144, 288, 576, 576]


def test_other_networks_get_the_stride_only(b0):
    assert "NL" not in b0.stages.columns and "exp size" not in b0.stages.columns
    assert list(b0.stages["stride"]) == [2, 1, 2, 2, 2, 1, 2, 1, 1]  # Table 1's resolutions halve after each 2


def test_layer_rows_add_up_and_each_has_a_stage_and_operation(b0):
    layers = b0.layers
    assert layers["params"].sum() == 5288548
    assert layers["MACs"].sum() == 385814752
    assert set(layers["operation"]) <= KNOWN_OPERATIONS
    assert set(layers["stage"]) == set(range(1, 10))
    se = layers[layers["operation"] == "SE"]
    assert se["MACs"].sum() == 627200  # 16 SE blocks, fc1 + fc2 on a 1 x 1 map


def test_mobilenet_v1_puts_95_percent_of_macs_in_1x1_convs(v1):
    """Paper Table 2: Conv 1x1 94.86% of mult-adds, Conv DW 3x3 3.06%, FC 0.18%.

    The paper prints 1.19% for the 3x3 stem; counted it is 1.91% (10,838,016 of 568,740,352),
    which also makes the four shares add up to 100%.
    """
    shares = v1.operations.set_index("operation")["% MACs"]
    assert shares["1x1 conv"] == pytest.approx(94.86, abs=0.01)
    assert shares["depthwise"] == pytest.approx(3.06, abs=0.01)
    assert shares["classifier"] == pytest.approx(0.18, abs=0.01)
    assert shares["stem"] == pytest.approx(1.91, abs=0.01)
    figure = v1.cost_by_operation
    macs = next(trace for trace in figure.data if trace.name == "% of MACs")
    assert dict(zip(macs.x, macs.y, strict=True))["1x1 conv"] == pytest.approx(94.86, abs=0.01)


def test_totals_against_the_paper(v1, b0):
    totals = v1.totals_table.set_index("quantity")
    assert totals.loc["params", "paper"] == 4.2e6
    assert totals.loc["MACs (conv + linear)", "paper"] == 569e6
    assert totals.loc["MACs (conv + linear)", "difference"] == 568740352 - 569e6
    assert "21,888" in totals.loc["params", "note"]  # BatchNorm params the paper does not count
    b0_totals = b0.totals_table.set_index("quantity")
    assert b0_totals.loc["params", "difference %"] == pytest.approx(-0.22, abs=0.01)
    assert "bias ops (not in MACs)" in b0_totals.index


def test_full_conv_stage_operator_and_paper_figure():
    artifacts = network_artifacts(network_spec("mobilenet_v1", full_conv=True), "slide")
    assert set(artifacts.stages["operator"][1:-1]) == {"Conv 3x3"}
    assert artifacts.totals_table.set_index("quantity").loc["params", "paper"] == 29.3e6
    assert artifacts.cost_by_stage.layout.font.size == 24  # slide style


def test_family_chart_has_every_member_and_the_current_choice(b0):
    family = family_frame()
    assert len(family) == 8 + 4 + 3 + 2 + 2
    assert family.set_index("member").loc["B7", "MACs"] == 37745884192
    figure = b0.family
    assert figure.layout.xaxis.type == "log" and figure.layout.yaxis.type == "log"
    current = next(trace for trace in figure.data if trace.name.startswith("current"))
    assert (current.x[0], current.y[0]) == (5288548, 385814752)


@pytest.mark.parametrize("name", ["mobilenet_v1", "mobilenet_v3_small", "efficientnet_b3", "efficientnet_v2_s"])
def test_fast_totals_equal_the_full_count(name):
    spec = network_spec(name)
    report = count_network(spec)
    assert network_totals(spec) == (report.params, report.macs)


def test_released_coefficients_and_compound_curve():
    released = released_frame().set_index("model")
    assert released.loc["B7", "depth"] == 3.1 and released.loc["B7", "width"] == 2.0
    assert released.loc["B7", "resolution"] == pytest.approx(600 / 224)
    compound = compound_frame(1.2, 1.1, 1.15).set_index("phi")
    assert compound.loc[0, "counted MACs"] == 385814752
    assert compound.loc[1, "predicted MACs"] == round(385814752 * 1.2 * 1.1**2 * 1.15**2)
    assert compound.loc[7, "released MACs"] == 37745884192


def test_gap_factors_explain_counted_over_predicted_at_phi_1():
    """1.340 at phi = 1 is depth x 1.230 (23 blocks, not 19.2), width x 0.949, resolution x 1.128 (maps end at 9, not 8.05)."""
    spec = network_spec("efficientnet", phi=1.0)
    depth, width, resolution, rest = gap_factors(spec)
    b0 = 385814752
    assert depth.counted == network_totals(NetworkSpec("efficientnet", depth_mult=1.2))[1] / b0
    assert depth.rule == pytest.approx(1.2) and round(depth.ratio, 3) == 1.230
    assert "1, 2, 2, 3, 3, 4, 1 → 2, 3, 3, 4, 4, 5, 2, 23 blocks where 16 × 1.2 = 19.2" in depth.rounding
    assert width.rule == pytest.approx(1.21) and round(width.ratio, 3) == 0.949
    assert "40→48, 80→88, 112→120, 192→208, 320→352, 1280→1408" in width.rounding  # make_divisible(c x 1.1, 8)
    assert resolution.rule == pytest.approx(1.15**2) and round(resolution.ratio, 3) == 1.128
    assert "257.6 → 258 px" in resolution.rounding and "112, 56, 28, 14, 7 → 129, 65, 33, 17, 9" in resolution.rounding
    assert round(rest.ratio, 3) == 1.017
    counted = network_totals(spec)[1]
    predicted = b0 * (1.2 * 1.1**2 * 1.15**2)
    assert depth.ratio * width.ratio * resolution.ratio * rest.ratio == pytest.approx(counted / predicted, rel=1e-12)
    assert round(counted / predicted, 3) == 1.340


@pytest.mark.parametrize("phi", [0.0, 2.5, 8.0])
def test_gap_factors_multiply_to_the_gap(phi):
    artifacts = scaling_artifacts(network_spec("efficientnet", phi=phi), "screen")
    product = 1.0
    for factor in artifacts.gap:
        product *= factor.ratio
    assert product == pytest.approx(artifacts.numbers.counted_over_predicted, rel=1e-12)
    if phi == 0.0:
        assert [factor.ratio for factor in artifacts.gap] == [1.0, 1.0, 1.0, 1.0]  # B0 itself: nothing rounded
    assert list(artifacts.gap_table["dimension"]) == ["depth", "width", "resolution", "the rest"]


@pytest.mark.parametrize("phi", [0.0, 8.0])
def test_current_phi_marker_and_its_label_stay_inside_the_plot(phi):
    """The star at phi = 0 or 8 (and the phi line's label) keep clear of the plot's edges, on screen and on slides."""
    for style in ("screen", "slide"):
        artifacts = scaling_artifacts(network_spec("efficientnet", phi=phi), style)
        chart = artifacts.mac_prediction
        low, high = chart.layout.xaxis.range
        assert low <= phi - 0.3 and phi + 0.3 <= high
        star = next(trace for trace in chart.data if trace.name.startswith("current"))
        y_low, y_high = chart.layout.yaxis.range  # log10 decades
        assert y_low + 0.2 <= math.log10(star.y[0]) <= y_high - 0.2  # room above for the label
        assert star.textposition == ("bottom right" if phi == 0 else "top left")  # into the plot, off the curves
        multipliers = artifacts.multipliers
        low, high = multipliers.layout.xaxis.range
        assert low <= phi - 0.3 and phi + 0.3 <= high
        label = multipliers.layout.annotations[0]
        assert label.xanchor == ("left" if phi == 0 else "right")


def test_scaling_artifacts():
    artifacts = scaling_artifacts(network_spec("efficientnet", phi=1.0), "screen")
    summary = artifacts.summary.set_index("quantity")["value"]
    assert summary["alpha x beta^2 x gamma^2"] == "1.9203"
    assert summary["resolution 224 x gamma^phi"] == "258"
    singles = artifacts.single_dimension_table
    resolution_only = singles[singles["strategy"] == "resolution only"]
    assert set(resolution_only["params"]) == {5288548}  # resolution adds no parameters
    assert set(singles["strategy"]) == {"depth only", "width only", "resolution only", "compound"}
    names = {trace.name for trace in artifacts.single_dimension.data}
    assert names == {"depth only", "width only", "resolution only", "compound"}
    multipliers = artifacts.multipliers
    assert len(multipliers.data) == 6  # three curves, three sets of released points
