"""Custom designs: equal to every preset, equal to what timm builds from the same notation, and the
totals equal to stem + the closed-form block formulas + head for random valid tables."""

from __future__ import annotations

from functools import partial

import pytest
import torch
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from timm.layers import get_act_layer
from timm.models._efficientnet_builder import decode_arch_def, round_channels
from timm.models.efficientnet import EfficientNet
from torch.utils.flop_counter import FlopCounterMode

from explorer.analysis.counting import count_network
from explorer.analysis.formulas import block_formula
from explorer.export.snippets import network_snippet
from explorer.models.networks.build import build_network
from explorer.models.networks.design import (
    PRESET_NAMES,
    DesignRow,
    DesignSpec,
    compact_arch,
    format_arch,
    parse_arch,
    preset_design,
    rows_from_records,
    stage_repeats,
)
from explorer.models.networks.tables import block_specs, network_spec

EFFICIENTNET_B0 = [
    ["ds_r1_k3_s1_e1_c16_se0.25"], ["ir_r2_k3_s2_e6_c24_se0.25"], ["ir_r2_k5_s2_e6_c40_se0.25"],
    ["ir_r3_k3_s2_e6_c80_se0.25"], ["ir_r3_k5_s1_e6_c112_se0.25"], ["ir_r4_k5_s2_e6_c192_se0.25"],
    ["ir_r1_k3_s1_e6_c320_se0.25"],
]  # timm's _gen_efficientnet
MOBILENET_V2 = [
    ["ds_r1_k3_s1_c16"], ["ir_r2_k3_s2_e6_c24"], ["ir_r3_k3_s2_e6_c32"], ["ir_r4_k3_s2_e6_c64"],
    ["ir_r3_k3_s1_e6_c96"], ["ir_r3_k3_s2_e6_c160"], ["ir_r1_k3_s1_e6_c320"],
]  # timm's _gen_mobilenet_v2
EFFICIENTNET_V2_S = [
    ["cn_r2_k3_s1_e1_c24_skip"], ["er_r4_k3_s2_e4_c48"], ["er_r4_k3_s2_e4_c64"], ["ir_r6_k3_s2_e4_c128_se0.25"],
    ["ir_r9_k3_s1_e6_c160_se0.25"], ["ir_r15_k3_s2_e6_c256_se0.25"],
]  # timm's _gen_efficientnetv2_s
TIMM_ACT = {"swish": "swish", "relu6": "relu6", "relu": "relu", "hswish": "hard_swish"}


def timm_counts(arch, stem, head, activation, resolution=224, classes=1000, width=1.0, depth=1.0) -> tuple[int, int]:
    """Params and MACs (flop_counter / 2) of timm's EfficientNet class built from ``arch`` on the meta device."""
    with torch.device("meta"):
        model = EfficientNet(
            decode_arch_def(arch, depth), num_classes=classes, num_features=round_channels(head, width) if head else 0, stem_size=stem,
            act_layer=get_act_layer(TIMM_ACT[activation]), round_chs_fn=partial(round_channels, multiplier=width),
        ).eval()
        counter = FlopCounterMode(display=False)
        with counter:
            model(torch.empty(1, 3, resolution, resolution))
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops() // 2


def ours(arch, stem, head, activation, resolution=224, classes=1000, width=1.0, depth=1.0) -> tuple[int, int]:
    design = DesignSpec(rows=parse_arch(arch, activation), stem_channels=stem, head_channels=head, activation=activation,
                        resolution=resolution, num_classes=classes, width_mult=width, depth_mult=depth)
    report = count_network(design)
    return report.params, report.macs


def test_timm_definitions_count_the_calibration_figures():
    assert ours(EFFICIENTNET_B0, 32, 1280, "swish") == (5_288_548, 385_814_752)
    assert ours(MOBILENET_V2, 32, 1280, "relu6") == (3_504_872, 300_774_272)
    assert timm_counts(EFFICIENTNET_B0, 32, 1280, "swish") == (5_288_548, 385_814_752)
    assert timm_counts(MOBILENET_V2, 32, 1280, "relu6") == (3_504_872, 300_774_272)


@pytest.mark.parametrize(("arch", "stem", "head", "act", "res", "width", "depth"), [
    (EFFICIENTNET_B0, 32, 1280, "swish", 240, 1.0, 1.1),  # B1
    (EFFICIENTNET_B0, 32, 1280, "swish", 300, 1.2, 1.4),  # B3
    (EFFICIENTNET_B0, 32, 1280, "swish", 600, 2.0, 3.1),  # B7
    (EFFICIENTNET_V2_S, 24, 1280, "swish", 384, 1.0, 1.0),
    (MOBILENET_V2, 32, 1280, "relu6", 160, 0.75, 1.0),
    ([["ds_r1_k3_s1_c16_noskip"], ["ir_r2_k5_s2_e3_c40_nhs", "ir_r3_k3_s1_e6_c40_se0.25_nre"], ["cn_r1_k1_s1_c256"]],
     16, 0, "relu", 128, 1.0, 1.7),  # several blocks per stage, overrides, noskip, no head conv
])
def test_pasted_definitions_count_what_timm_builds(arch, stem, head, act, res, width, depth):
    assert ours(arch, stem, head, act, res, 10, width, depth) == timm_counts(arch, stem, head, act, res, 10, width, depth)


_TIMM_BLOCK = st.tuples(
    st.sampled_from(["ds", "ir", "er", "cn", "cn_skip"]), st.integers(1, 2), st.sampled_from([1, 3, 5]),
    st.sampled_from([1, 2]), st.sampled_from([2, 3, 4, 6]), st.sampled_from([8, 16, 24, 40]), st.sampled_from([0, 0.25]),
)


def _block_string(block) -> str:
    kind, repeats, kernel, stride, expansion, channels, se = block
    kind, extra = (kind, "") if kind != "cn_skip" else ("cn", "_skip")
    text = f"{kind}_r{repeats}_k{kernel}_s{stride}_c{channels}"
    if kind in ("ir", "er"):
        text += f"_e{expansion}"
    if se and kind != "cn":
        text += f"_se{se}"
    return text + extra


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=[Phase.generate])
@given(st.lists(st.lists(_TIMM_BLOCK, min_size=1, max_size=2), min_size=1, max_size=4), st.sampled_from([0.5, 1.0, 1.3]),
       st.sampled_from([1.0, 1.4]))
def test_random_definitions_count_what_timm_builds(stages, width, depth):
    stages = [[block if index == 0 else (*block[:3], 1, *block[4:]) for index, block in enumerate(stage)] for stage in stages]
    arch = [[_block_string(block) for block in stage] for stage in stages]
    assume(sum(block[3] == 2 for stage in stages for block in stage) <= 5)  # 64 pixels: stem and 5 strides reach 1 x 1
    assert ours(arch, 16, 64, "swish", 64, 10, width, depth) == timm_counts(arch, 16, 64, "swish", 64, 10, width, depth)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_a_design_equal_to_a_preset_counts_exactly_that_preset(name):
    design, preset = count_network(preset_design(name)), count_network(network_spec(name))
    assert (design.params, design.macs, design.ops) == (preset.params, preset.macs, preset.ops)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_the_notation_round_trips_every_preset(name):
    design = preset_design(name)
    assert parse_arch(format_arch(design.rows, design.activation), design.activation) == design.rows
    assert parse_arch(compact_arch(design.rows, design.activation), design.activation) == design.rows


def test_efficientnet_b0_is_written_as_timm_writes_it():
    design = preset_design("efficientnet_b0")
    assert format_arch(design.rows, design.activation) == EFFICIENTNET_B0


def test_depth_is_shared_out_over_a_stage_from_the_last_row():
    assert stage_repeats([3], 1.1) == [4]  # ceil(3.3)
    assert stage_repeats([1, 1, 2], 1.5) == [1, 2, 3]  # ceil(6) = 6: 2 -> round(2/4*6) = 3, then 1 -> 2, 1 -> 1


@pytest.mark.parametrize(("arch", "message"), [
    ([["ir_r1_k3_s1_e6"]], "stage 1, block 1 ('ir_r1_k3_s1_e6'): channels missing; add c<number>"),
    ([["ds_r1_k3_s1_c16"], ["ir_r1_k3_s1_e6_c24_q5"]], "stage 2, block 1 ('ir_r1_k3_s1_e6_c24_q5'): unknown option 'q5'"),
    ([["xx_r1_k3_s1_c16"]], "unknown block type 'xx'"),
    ([["ir_r1_k3_s1_e1_c16"]], "write it as ds_"),
    ("[[", "arch: not a list of stages"),
])
def test_bad_notation_names_the_block_and_what_is_valid(arch, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_arch(arch, "relu")


@pytest.mark.parametrize(("change", "message"), [
    ({"kernel_size": 4}, r"row 2 \(kernel\): must be one of 1, 3, 5, 7, 9, 11, got 4"),
    ({"stride": 3}, r"row 2 \(stride\): must be 1 or 2, got 3"),
    ({"out_channels": None}, r"row 2 \(channels\): missing"),
])
def test_bad_grid_rows_name_the_row_and_the_field(change, message):
    records = [row.to_dict() for row in preset_design("mobilenet_v2").rows]
    records[1] |= change
    with pytest.raises(ValueError, match=message):
        DesignSpec(rows=rows_from_records(records, "relu6"), activation="relu6")


def test_a_map_shrinking_below_one_pixel_is_refused():
    rows = tuple(DesignRow(kind="mbconv", out_channels=16, stride=2, stage=i) for i in range(7))
    with pytest.raises(ValueError, match=r"row 5 \(stride\): the map is already 1 x 1"):
        DesignSpec(rows=rows, resolution=32)


_ROW = st.builds(
    DesignRow,
    kind=st.sampled_from(["standard", "spatially_separable", "depthwise_separable", "group", "inverted_residual", "bneck",
                          "mbconv", "fused_mbconv", "se", "gdc"]),
    out_channels=st.sampled_from([8, 16, 24, 48]), repeats=st.integers(1, 3), kernel_size=st.sampled_from([1, 3, 5]),
    stride=st.sampled_from([1, 2]), expansion=st.sampled_from([1.0, 2.0, 4.0, 6.0]), se_ratio=st.sampled_from([0.0, 0.25]),
    activation=st.sampled_from(["relu", "hswish", "swish"]), skip=st.booleans(), groups=st.sampled_from([1, 2, 4]),
)


def _valid_row(row: DesignRow) -> DesignRow:
    """The row with the fields its kind does not take set to their neutral values."""
    from explorer.models.networks.design import EXPANDING_KINDS, SE_KINDS

    expansion = row.expansion if row.kind in EXPANDING_KINDS else 1.0
    se = 0.0625 if row.kind == "se" else (row.se_ratio if row.kind in SE_KINDS else 0.0)
    return DesignRow(**(row.to_dict() | {"expansion": expansion, "se_ratio": se}))


def _stem_and_head(design: DesignSpec) -> tuple[int, int]:
    """Closed-form stem (3x3 s2 conv + BN), head (1x1 conv + BN, FC) and classifier costs."""
    table = design.table()
    stem, size = table.stem.out_channels, (design.resolution + 1) // 2
    params, macs = 27 * stem + 2 * stem, 27 * stem * size * size
    last = block_specs(table)[-1][-1]
    features, area = last.output_channels, last.output_size**2
    if table.head.conv_channels:
        params += features * table.head.conv_channels + 2 * table.head.conv_channels
        macs += features * table.head.conv_channels * area
        features = table.head.conv_channels
    if table.head.hidden_features:
        params += (features + 1) * table.head.hidden_features
        macs += features * table.head.hidden_features
        features = table.head.hidden_features
    return params + (features + 1) * design.num_classes, macs + features * design.num_classes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ROW, min_size=1, max_size=5), st.sampled_from([0.5, 1.0, 1.25]), st.sampled_from([1.0, 1.3]),
       st.integers(32, 96), st.sampled_from([0, 64]), st.sampled_from([0, 32]))
def test_totals_are_stem_plus_block_formulas_plus_head(rows, width, depth, resolution, head, head_fc):
    rows = tuple(DesignRow(**(_valid_row(row).to_dict() | {"stage": index})) for index, row in enumerate(rows))
    try:
        design = DesignSpec(rows=rows, stem_channels=16, head_channels=head, head_fc=head_fc, activation="relu",
                            resolution=resolution, num_classes=10, width_mult=width, depth_mult=depth)
    except ValueError:
        assume(False)
    formulas = [block_formula(spec) for stage in block_specs(design.table()) for spec in stage]
    stem_head = _stem_and_head(design)
    report = count_network(design)
    assert report.params == stem_head[0] + sum(formula.params for formula in formulas)
    assert report.macs == stem_head[1] + sum(formula.macs for formula in formulas)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ROW, min_size=1, max_size=4), st.sampled_from([0.5, 1.0, 1.25]), st.sampled_from([1.0, 1.3]),
       st.integers(32, 64), st.sampled_from([0, 64]), st.sampled_from([0, 32]))
def test_the_snippet_of_any_design_builds_and_counts_the_apps_module(rows, width, depth, resolution, head, head_fc):
    rows = tuple(DesignRow(**(_valid_row(row).to_dict() | {"stage": index})) for index, row in enumerate(rows))
    try:
        design = DesignSpec(rows=rows, stem_channels=16, head_channels=head, head_fc=head_fc, activation="relu",
                            resolution=resolution, num_classes=10, width_mult=width, depth_mult=depth)
    except ValueError:
        assume(False)
    namespace: dict = {"__name__": "snippet"}
    exec(compile(network_snippet(design), "snippet.py", "exec"), namespace)
    with torch.device("meta"):
        rebuilt, original = namespace["build"](), build_network(design.table())
    assert repr(rebuilt) == repr(original)
    assert {key: value.shape for key, value in rebuilt.state_dict().items()} == {
        key: value.shape for key, value in original.state_dict().items()
    }
    params, macs, logits = namespace["count"](namespace["build"]().eval(), torch.randn(1, 3, resolution, resolution))
    assert (params, macs, tuple(logits.shape)) == (count_network(design).params, count_network(design).macs, (1, 10))
