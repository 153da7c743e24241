"""Typed page artifacts: views read fields, never numbers by a display label; exports keep their file names."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from explorer.artifacts.base import PageArtifacts, value_field
from explorer.artifacts.blocks import block_artifacts
from explorer.artifacts.networks import network_artifacts
from explorer.artifacts.scaling import scaling_artifacts
from explorer.demos.activations import CurveSettings, activation_artifacts
from explorer.demos.drop_connect import DropConnectSettings, dropconnect_artifacts
from explorer.demos.se import se_block_artifacts, synthetic_pattern
from explorer.models.networks.tables import network_spec
from explorer.models.specs import block_spec, textbook_spec

VIEWS = Path(__file__).resolve().parents[2] / "views"
TABLE_LOOKUPS = ("loc", "iloc", "at", "iat", "set_index")


def _own_dicts(tree: ast.Module) -> set[str]:
    """Names the file binds to a dict literal it builds itself (widget values, its own bookkeeping)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Dict) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _allowed_base(node: ast.expr, own: set[str]) -> bool:
    if isinstance(node, ast.Attribute) and node.attr in ("session_state", "query_params"):
        return True
    return isinstance(node, ast.Name) and (node.id in own or node.id.isupper())


def label_lookups(source: str) -> list[str]:
    """Every place ``source`` reads a value by a string key or a pandas label lookup, as ``line: code``.

    Allowed: ``st.session_state`` / ``st.query_params``, module constants (``MIME_TYPES["zip"]``) and
    dicts the file builds itself from literals.
    """
    tree = ast.parse(source)
    own = _own_dicts(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in TABLE_LOOKUPS:
            found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            key = node.slice
            by_text = isinstance(key, ast.JoinedStr) or (isinstance(key, ast.Constant) and isinstance(key.value, str))
            if by_text and not _allowed_base(node.value, own):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_check_finds_label_lookups():
    bad = (
        'macs = frame.loc["MACs (conv + linear)", "counted"]\n'
        'value = values_from_library["predicted MACs: B0 x 2^phi"]\n'
        'accuracy = shown["digits_accuracy"].iloc[0]\n'
        'numbers = table.set_index("quantity")\n'
        'chart = artifacts[f"{kind}_diagram"]\n'
    )
    assert sorted(line.split(":")[0] for line in label_lookups(bad)) == ["1", "2", "3", "3", "4", "5"]
    fine = 'values = {}\nvalues["in_channels"] = 3\nc = values["in_channels"]\nst.session_state["k"]\nMIME_TYPES["zip"]\n'
    assert label_lookups(fine) == []


@pytest.mark.parametrize("path", sorted(VIEWS.glob("*.py")), ids=lambda path: path.name)
def test_views_read_fields_not_labels(path):
    assert label_lookups(path.read_text()) == [], f"{path.name} looks values up by a string key or a pandas label"


PAGES = sorted(path for path in VIEWS.glob("*.py")
               if path.stem not in ("__init__", "widgets", "downloads", "measure_panel", "scenes", "page_behaviour"))


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_every_page_has_controls_that_return_a_value_or_raise(path):
    """``*_controls()`` returns a spec or a plain value; a refusal is a raised ValueError, never returned."""
    functions = [node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)]
    controls = [function for function in functions if function.name.endswith("_controls")]
    assert controls, f"{path.name} has no *_controls() function"
    for function in controls:
        assert function.returns is not None and "Error" not in ast.unparse(function.returns), function.name
        returned = [node.value for node in ast.walk(function) if isinstance(node, ast.Return) and node.value is not None]
        assert not any("error" in ast.unparse(value).lower() for value in returned), function.name


def test_base_contract_skips_values_and_none_and_expands_dicts():
    @dataclasses.dataclass(frozen=True)
    class Example(PageArtifacts):
        total: int = value_field()
        chart: str
        missing: str | None
        per_layer: dict

        def file_name(self, field: str) -> str:
            return f"x_{field}"

    example = Example(total=3, chart="c", missing=None, per_layer={"blocks.0.se": "h0", "blocks.1.se": "h1"})
    assert example.exports() == {"x_chart": "c", "x_per_layer_blocks_0_se": "h0", "x_per_layer_blocks_1_se": "h1"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        example.total = 4


# The names each page's dict had before the artifacts became dataclasses (the CLI and "Export all" write them).
@pytest.mark.parametrize(
    ("kind", "options", "names"),
    [
        ("depthwise_separable", {}, ["depthwise_separable_diagram", "depthwise_separable_comparison",
                                     "depthwise_separable_sweep_out_channels", "depthwise_separable_ratio_out_channels",
                                     "depthwise_separable_ops", "depthwise_separable_layers",
                                     "depthwise_separable_comparison_table", "depthwise_separable_ops_table"]),
        ("mbconv", {"sweep_parameter": "kernel_size"}, ["mbconv_diagram", "mbconv_comparison", "mbconv_sweep_kernel_size",
                                                        "mbconv_ops", "mbconv_layers", "mbconv_comparison_table",
                                                        "mbconv_ops_table"]),
    ],
)
def test_block_export_names(kind, options, names):
    artifacts = block_artifacts(block_spec(kind), **options)
    assert list(artifacts.exports()) == names
    assert artifacts.exports()[f"{kind}_layers"] is artifacts.layers


def test_block_totals_match_the_brief():
    # Brief's worked example: C_in 3, C_out 4, k 3, size 5, no bias or norm: standard 108 params, separable 27 + 12 = 39.
    spec = textbook_spec(block_spec("depthwise_separable", in_channels=3, out_channels=4, size=5))
    totals = block_artifacts(spec).totals
    assert (totals.params, totals.standard_params) == (39, 108)
    assert (totals.macs, totals.standard_macs) == (39 * 9, 108 * 9)  # padding 0: a 3 x 3 output
    assert totals.macs_vs_standard == pytest.approx(39 / 108)
    assert (totals.input_shape, totals.output_shape) == ((3, 5, 5), (4, 3, 3))


def test_network_export_names_and_totals():
    artifacts = network_artifacts(network_spec("mobilenet_v1"), "screen")
    assert list(artifacts.exports()) == ["totals", "stages", "cost_by_stage", "cost_by_operation", "operations", "family", "layers"]
    assert artifacts.exports()["totals"] is artifacts.totals_table
    totals = artifacts.totals
    assert (totals.params, totals.macs) == (4231976, 568740352)
    assert (totals.paper_params, totals.paper_macs) == (4.2e6, 569e6)
    assert "21,888" in totals.note  # BatchNorm params the paper does not count
    assert network_artifacts(network_spec("efficientnet_b8"), "screen").totals.paper_macs is None  # AdvProp: params only


def test_scaling_export_names_and_numbers():
    artifacts = scaling_artifacts(network_spec("efficientnet", phi=1.0), "screen")
    assert list(artifacts.exports()) == ["summary", "gap_table", "mac_prediction", "multipliers", "single_dimension",
                                         "compound_table", "single_dimension_table"]
    numbers = artifacts.numbers
    assert numbers.factor == pytest.approx(1.2 * 1.1**2 * 1.15**2)
    assert numbers.base_macs == 385814752  # B0
    assert numbers.predicted_macs == pytest.approx(385814752 * numbers.factor)
    assert numbers.rule_of_thumb_macs == 2 * 385814752
    assert numbers.resolution == 258  # round(224 x 1.15)


def test_demo_export_names():
    assert list(activation_artifacts().exports()) == [
        "activation_curves", "swish_vs_hswish", "sigmoid_vs_hsigmoid", "approximation_errors", "activation_costs",
        "activation_values",
    ]
    shown = dropconnect_artifacts(samples=4, repeats=3)
    assert list(shown.exports()) == ["survival_per_block", "survival_table", "drop_connect_kept", "drop_connect_vs_dropout",
                                     "drop_connect_maps", "drop_connect_numbers"]
    assert shown.summary.blocks == 16  # EfficientNet-B0: 1 + 2 + 2 + 3 + 3 + 4 + 1 MBConv blocks
    se = se_block_artifacts(block_spec("se", in_channels=16, size=20), synthetic_pattern("checkerboard"))
    assert list(se.exports()) == ["se_input", "se_excitation", "se_excitation_histogram", "se_feature_maps", "se_summary",
                                  "se_channels"]
    assert se.gates.channels == 16 and 0.0 <= se.gates.minimum <= se.gates.mean <= se.gates.maximum <= 1.0


def test_activation_errors_are_the_closed_forms():
    """h-swish - swish peaks at x = ±3 with 3 / (1 + e³) ≈ 0.1423; hard-sigmoid - sigmoid at ±1.317, ≈ 0.0692."""
    swish, sigmoid = activation_artifacts(-6, 6).approximations
    assert swish.max_abs_error == pytest.approx(3 / (1 + 2.718281828459045**3), abs=1e-6)
    assert swish.at_x == "-3.000, +3.000"
    assert sigmoid.max_abs_error == pytest.approx(0.0692, abs=1e-4)


def test_digits_export_names():
    from explorer.demos.digits import digits_artifacts, held_out_example, load_trained, prediction_artifacts

    model, metadata = load_trained()
    shown = digits_artifacts(model)
    assert list(shown.exports()) == ["digits_accuracy", "digits_se_specificity", "digits_se_layers",
                                     *(f"digits_heatmap_blocks_{i}_se" for i in range(5))]
    assert (shown.held_out.n_test, shown.held_out.correct) == (360, metadata["correct"])
    assert shown.trend.first_layer == "block 1 · SE" and shown.trend.last_layer == "block 5 · SE"
    assert list(prediction_artifacts(model, held_out_example(3)).exports()) == ["digit_input", "digit_probabilities",
                                                                                 "digit_se_gates"]


@pytest.mark.parametrize(
    ("make", "parameter"),
    [
        (lambda: CurveSettings(x_min=2.0, x_max=1.0), "x_min"),
        (lambda: CurveSettings(beta=0.0), "beta"),
        (lambda: DropConnectSettings(network="resnet50"), "network"),
        (lambda: DropConnectSettings(p=1.0), "p:"),
        (lambda: DropConnectSettings(samples=0), "samples"),
    ],
)
def test_page_settings_refuse_bad_values(make, parameter):
    with pytest.raises(ValueError, match=parameter):
        make()


def test_design_carries_the_presets_totals():
    from explorer.artifacts.design import design_artifacts
    from explorer.models.networks.design import preset_design

    shown = design_artifacts(preset_design("mobilenet_v2"), preset_design("efficientnet_b0"), "screen")
    assert (shown.params, shown.macs) == (3504872, 300774272)  # torchvision's MobileNetV2 1.0
    assert (shown.reference_params, shown.reference_macs) == (5288548, 385814752)  # and EfficientNet-B0
    alone = design_artifacts(preset_design("mobilenet_v2"), None, "screen")
    assert (alone.reference_params, alone.reference_macs, alone.difference) == (None, None, None)


def test_your_model_what_if_by_hand():
    from torch import nn

    from explorer.analysis.costs import count_costs
    from explorer.artifacts.your_model import ModelChoice, your_model_artifacts

    # conv 3 -> 8, k3, padding 1 on 8 x 8: 64 * 8 * 27 = 13,824 MACs; depthwise-separable: 64 * (9 * 3 + 3 * 8) = 3,264.
    report = count_costs(nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.Conv2d(8, 8, 1)), (3, 8, 8))
    shown = your_model_artifacts("two convs", "by hand", (3, 8, 8), report, "depthwise-separable", "screen")
    assert (shown.convs_replaced, shown.saved_macs) == (1, 13824 - 3264)
    assert shown.saved_percent == pytest.approx(100 * (13824 - 3264) / (13824 + 64 * 8 * 8))
    assert shown.what_if["MACs saved"].tolist() == [shown.saved_macs]
    assert ModelChoice("ONNX file", "").awaiting_upload and not ModelChoice("timm", "resnet18").awaiting_upload
    for options, parameter in (({"source": "pip"}, "source"), ({"replacement": "fft"}, "replacement")):
        with pytest.raises(ValueError, match=parameter):
            ModelChoice(**({"source": "timm", "name": "resnet18"} | options))


def test_referee_lists_each_tools_convention_as_its_rules_table():
    from torch import nn

    from explorer.analysis.costs import count_costs
    from explorer.analysis.peer_rules import TOOLS
    from explorer.analysis.peers import RefereeReport
    from explorer.artifacts.referee import referee_artifacts

    module = nn.Conv2d(3, 4, 3)
    shown = referee_artifacts(RefereeReport((3, 5, 5), count_costs(module, (3, 5, 5)), (), ()), "conv")
    assert shown.tools == tuple(TOOLS.values())
    assert shown.rules["counter"].tolist() == [tool.label for tool in shown.tools]
    assert shown.rules["what it counts"].tolist() == [tool.convention for tool in shown.tools]


def test_one_precision_for_relative_errors():
    from explorer.formatting import error_text

    assert [error_text(value) for value in (0.97, 0.43249, 0.0012345)] == ["0.970", "0.432", "0.00123"]
