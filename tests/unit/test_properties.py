"""Property-based tests (hypothesis) over every block kind and every hyperparameter.

Every combination, valid or not, must either build a block whose counted params and MACs
(``explorer.costs``) equal the analytic ones (``explorer.formulas``) layer by layer, or be
refused by ``block_spec`` with a ``ValueError`` whose message starts with the name of a
parameter. Any other exception fails. A value that is plainly wrong (a string for a number,
None, NaN, out of range) must always be refused, never silently accepted.

Modules are built under ``torch.device("meta")``: shapes only, so even 4096-channel,
4096-pixel blocks cost nothing. The runs are derandomized, so CI sees the same cases.
"""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from explorer.analysis.costs import count_costs
from explorer.analysis.counting import count_network, network_totals
from explorer.analysis.formulas import block_formula
from explorer.models.activations import ALIASES, BLOCK_ACTIVATIONS
from explorer.models.blocks import build_block
from explorer.models.networks.tables import NETWORK_FAMILIES, NETWORK_NAMES, block_specs, network_spec, network_table
from explorer.models.specs import BLOCK_KINDS, block_spec

EXAMPLES_PER_KIND = 400
NETWORK_EXAMPLES = 20
FULL_COUNT_MAX_BLOCKS = 20  # larger networks: block by block (network_totals), to keep the run short

SETTINGS = settings(
    max_examples=EXAMPLES_PER_KIND, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_floats = st.floats(allow_nan=False, allow_infinity=False)

VALID = {
    "in_channels": st.integers(1, 48),
    "out_channels": st.integers(1, 48),
    "size": st.integers(1, 40),
    "kernel_size": st.integers(1, 9),
    "stride": st.integers(1, 4),
    "padding": st.one_of(st.just("same"), st.integers(0, 5)),
    "dilation": st.integers(1, 3),
    "groups": st.sampled_from([1, 2, 3, 4, 8, 16]),
    "expansion": st.one_of(st.floats(1.0, 8.0), st.integers(1, 8)),
    "expanded_channels": st.one_of(st.none(), st.integers(1, 200)),
    "se_ratio": st.one_of(st.just(0.0), st.just(0.25), st.floats(0.0, 1.0)),
    "activation": st.sampled_from(BLOCK_ACTIVATIONS + tuple(ALIASES) + ("ReLU", " Swish ")),
    "gate": st.sampled_from(["sigmoid", "hsigmoid"]),
    "norm": st.sampled_from(["batch", "none"]),
    "bias": st.booleans(),
    "drop_connect": st.floats(0.0, 0.99),
}

EXTREMES = {
    "in_channels": [1, 4096],
    "out_channels": [1, 4096],
    "size": [1, 2, 4096],
    "kernel_size": [1, 2, 31],
    "stride": [1, 8],
    "padding": ["same", 0, 64],
    "dilation": [1, 8],
    "groups": [1, 4096],
    "expansion": [1, 1.0, 16, 16.0],
    "expanded_channels": [1, 65536],
    "se_ratio": [0, 0.0, 1, 1.0, 1e-9],
    "activation": ["none", "hardswish", "SILU"],
    "gate": ["hsigmoid"],
    "norm": ["none"],
    "bias": [False],
    "drop_connect": [0, 0.0, 0.999999],
}

_WRONG_TYPES = ["8", "", None, [1], {"a": 1}]
INVALID = {
    "in_channels": [0, -1, 4097, 2.5, 3.0, True, *_WRONG_TYPES],
    "out_channels": [0, -7, 4097, 1.5, False, *_WRONG_TYPES],
    "size": [0, -1, 4097, 7.5, *_WRONG_TYPES],
    "kernel_size": [0, -3, 32, 3.0, *_WRONG_TYPES],
    "stride": [0, -1, 9, 2.0, *_WRONG_TYPES],
    "padding": [-1, 65, 1.5, "valid", "SAME", True, *_WRONG_TYPES],
    "dilation": [0, -2, 9, 1.0, *_WRONG_TYPES],
    "groups": [0, -4, 4097, 2.0, *_WRONG_TYPES],
    "expansion": [0, 0.5, -6, 16.5, math.nan, math.inf, "6", True, *_WRONG_TYPES],
    "expanded_channels": [0, -8, 65537, 96.0, True, *_WRONG_TYPES[:2], *_WRONG_TYPES[3:]],
    "se_ratio": [-0.25, 1.5, math.nan, -math.inf, "0.25", True, *_WRONG_TYPES],
    "activation": ["gelu", "", "re lu", 3, *_WRONG_TYPES[3:]],
    "gate": ["relu", "Sigmoid", "swish", "", 1, *_WRONG_TYPES[3:]],
    "norm": ["layer", "Batch", "", 0, *_WRONG_TYPES[3:]],
    "bias": ["yes", "true", 1, 0, *_WRONG_TYPES[2:]],
    "drop_connect": [1, 1.0, -0.1, 2.0, math.nan, "0.2", False, *_WRONG_TYPES],
}

ALL_PARAMS = tuple(VALID)


@st.composite
def overrides(draw: st.DrawFn, kind: str) -> tuple[dict, set[str]]:
    """Hyperparameters for ``kind``: each left out, valid, extreme or invalid; the invalid names."""
    values, invalid = {}, set()
    for name in BLOCK_KINDS[kind].params:
        choice = draw(st.integers(0, 99))
        if choice < 25:
            continue
        if choice < 85:
            values[name] = draw(VALID[name])
        elif choice < 93:
            values[name] = draw(st.sampled_from(EXTREMES[name]))
        else:
            values[name] = draw(st.sampled_from(INVALID[name]))
            invalid.add(name)
    groups = values.get("groups", BLOCK_KINDS[kind].defaults.get("groups"))
    if kind == "group" and "groups" not in invalid and draw(st.booleans()):
        for name in {"in_channels", "out_channels"} - invalid:
            values[name] = groups * draw(st.integers(1, 8))
    return values, invalid


def counted_terms(report) -> dict[str, tuple[int, int]]:
    """``{layer name: (params, MACs)}`` over the counted rows that have any."""
    terms: dict[str, tuple[int, int]] = {}
    for layer in report.layers:
        params, macs = terms.get(layer.name, (0, 0))
        terms[layer.name] = (params + layer.params, macs + layer.macs)
    return {name: cost for name, cost in terms.items() if cost != (0, 0)}


def check_block(kind: str, values: dict, invalid: set[str]) -> None:
    """Refused with a named parameter, or built with counts equal to the formula's."""
    try:
        spec = block_spec(kind, **values)
    except ValueError as error:
        named = str(error).split(":", 1)[0]
        assert named in BLOCK_KINDS[kind].params, f"message does not start with a parameter name: {error}"
        event(f"refused: {named}")
        return
    assert not invalid, f"accepted invalid {', '.join(f'{n}={values[n]!r}' for n in sorted(invalid))}"
    with torch.device("meta"):
        module = build_block(spec)
    report = count_costs(module, (spec.in_channels, spec.size, spec.size))
    formula = block_formula(spec)
    assert report.params == formula.params == sum(p.numel() for p in module.parameters())
    assert report.macs == formula.macs
    assert counted_terms(report) == {name: (params, macs) for name, params, macs in formula.terms}
    assert report.output_shape == (spec.output_channels, spec.output_size, spec.output_size)
    event("built")


@pytest.mark.parametrize("kind", sorted(BLOCK_KINDS))
@SETTINGS
@given(data=st.data())
def test_every_combination_builds_with_formula_counts_or_is_refused_by_name(kind, data):
    check_block(kind, *data.draw(overrides(kind)))


@SETTINGS
@given(st.sampled_from(sorted(BLOCK_KINDS)), st.sampled_from(ALL_PARAMS), st.data())
def test_a_parameter_that_does_not_apply_is_refused_by_name(kind, name, data):
    if name in BLOCK_KINDS[kind].params:
        return
    with pytest.raises(ValueError, match=rf"^{name}: does not apply to block kind"):
        block_spec(kind, **{name: data.draw(VALID[name])})


@pytest.mark.parametrize("kind", ["", "Standard", "conv", None, 3, "mbconv6"])
def test_an_unknown_kind_is_refused_by_name(kind):
    with pytest.raises(ValueError, match=r"^kind: unknown block kind"):
        block_spec(kind)


NETWORK_VALID = {
    "width_mult": st.one_of(st.sampled_from([0.25, 0.35, 0.5, 0.75, 1.0, 1.3, 1.4]), st.floats(0.1, 2.0)),
    "resolution": st.one_of(st.integers(1, 256), st.sampled_from([1, 2, 16, 28, 31, 224, 1024])),
    "num_classes": st.one_of(st.integers(1, 2000), st.just(100_000)),
    "full_conv": st.booleans(),
    "phi": st.floats(0.0, 6.0),
    "alpha": st.floats(1.0, 2.0),
    "beta": st.floats(1.0, 2.0),
    "gamma": st.floats(1.0, 2.0),
}

NETWORK_INVALID = {
    "width_mult": [0, 0.05, 5.0, -1.0, math.nan, math.inf, "1.0", True, [1.0]],
    "resolution": [0, -1, 4097, 224.0, "224", True, -224],
    "num_classes": [0, -1, 100_001, 10.5, "10", True],
    "full_conv": ["yes", 1, 1.0, "true"],
    "phi": [-1.0, 10.5, math.nan, math.inf, "1", True],
    "alpha": [0.5, 2.5, math.nan, -math.inf, "1.2"],
    "beta": [0.0, 3.0, math.nan, "1.1"],
    "gamma": [0.99, 2.01, math.inf, "1.15"],
}


@st.composite
def network_options(draw: st.DrawFn, name: str) -> tuple[dict, set[str]]:
    """Options for network ``name``: each left out, valid or invalid; the invalid names."""
    values, invalid = {}, set()
    for option in NETWORK_FAMILIES[name].options:
        choice = draw(st.integers(0, 99))
        if choice < 30:
            continue
        if choice < 88:
            values[option] = draw(NETWORK_VALID[option])
        else:
            values[option] = draw(st.sampled_from(NETWORK_INVALID[option]))
            invalid.add(option)
    return values, invalid


def network_formula(spec) -> tuple[int, int]:
    """Stem conv + every block's :func:`block_formula` + head conv + FCs, all analytic."""
    table = network_table(spec)
    stem, head = table.stem, table.head
    size = (spec.resolution + 2 * ((stem.kernel_size - 1) // 2) - stem.kernel_size) // stem.stride + 1
    weights = stem.kernel_size**2 * 3 * stem.out_channels
    params, macs = weights + 2 * stem.out_channels, weights * size * size
    blocks = [part for stage in block_specs(table) for part in stage]
    for part in blocks:
        formula = block_formula(part)
        params, macs = params + formula.params, macs + formula.macs
    last = blocks[-1]
    width = last.out_channels
    if head.conv_channels:
        params += width * head.conv_channels + 2 * head.conv_channels
        macs += width * head.conv_channels * last.output_size**2
        width = head.conv_channels
    if head.hidden_features:
        params += width * head.hidden_features + head.hidden_features
        macs += width * head.hidden_features
        width = head.hidden_features
    return params + width * spec.num_classes + spec.num_classes, macs + width * spec.num_classes


def check_network(name: str, values: dict, invalid: set[str]) -> None:
    """Refused with a named option, or counted with totals equal to the analytic ones."""
    try:
        spec = network_spec(name, **values)
    except ValueError as error:
        named = str(error).split(":", 1)[0]
        assert named in NETWORK_FAMILIES[name].options, f"message does not start with an option name: {error}"
        event(f"refused: {named}")
        return
    assert not invalid, f"accepted invalid {', '.join(f'{n}={values[n]!r}' for n in sorted(invalid))}"
    assert network_totals(spec) == network_formula(spec)
    if network_table(spec).num_blocks <= FULL_COUNT_MAX_BLOCKS:
        report = count_network(spec)
        assert (report.params, report.macs) == network_formula(spec)
        assert report.output_shape == (spec.num_classes,)
    event("built")


@pytest.mark.parametrize("name", NETWORK_NAMES)
@settings(SETTINGS, max_examples=NETWORK_EXAMPLES)
@given(data=st.data())
def test_every_network_option_counts_as_its_formula_or_is_refused_by_name(name, data):
    check_network(name, *data.draw(network_options(name)))
