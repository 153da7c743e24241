"""Closed-form parameter and MAC counts for every block kind, written out as formulas.

This module never builds a module: it derives every count from the spec with the
formulas of the papers, so it is an independent check on ``explorer.blocks`` +
``explorer.costs`` and the text the app shows under "Formula". Conventions are those of
``explorer.costs``: params include BatchNorm's affine weights (2 per channel) and a conv
bias only when no BatchNorm follows; MACs are conv and linear multiply-accumulates for
one image.

With input ``C_in x H x W``, output ``C_out x H' x W'`` and a ``k x k`` kernel:

- standard conv: ``k^2 C_in C_out`` params, ``k^2 C_in C_out H' W'`` MACs.
- group conv (AlexNet; ResNeXt, https://arxiv.org/abs/1611.05431): both divided by ``G``.
- spatially separable conv (Inception-v3, https://arxiv.org/abs/1512.00567): ``k x 1``
  (C_in -> C_out) then ``1 x k`` (C_out -> C_out): ``k C_in C_out H' W + k C_out^2 H' W'`` MACs.
- depthwise-separable conv (MobileNetV1, https://arxiv.org/abs/1704.04861, eq. 5):
  ``k^2 C_in H' W' + C_in C_out H' W'`` MACs, a ratio ``1/C_out + 1/k^2`` to the standard conv.
- global depthwise conv (MobileFaceNet, https://arxiv.org/abs/1804.07573): a depthwise
  conv whose kernel is the whole ``H x W`` map, ``H W C`` params and MACs.
- squeeze-and-excitation (SENet, https://arxiv.org/abs/1709.01507): two 1x1 convs with
  bias, ``C -> C_sq -> C``: ``2 C C_sq + C_sq + C`` params, ``2 C C_sq`` MACs.
- inverted residual (MobileNetV2, https://arxiv.org/abs/1801.04381), bneck (MobileNetV3,
  https://arxiv.org/abs/1905.02244), MBConv (EfficientNet, https://arxiv.org/abs/1905.11946):
  expand 1x1 ``C_in -> C_exp`` (left out when ``C_exp = C_in``), depthwise ``k x k``,
  optional SE on ``C_exp``, linear project 1x1 ``C_exp -> C_out``.
- Fused-MBConv (EfficientNetV2, https://arxiv.org/abs/2104.00298): the expand 1x1 and the
  depthwise conv fused into one ``k x k`` conv ``C_in -> C_exp``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from explorer.models.scaling import make_divisible
from explorer.models.specs import BlockSpec

INVERTED_KINDS = ("inverted_residual", "bneck", "mbconv")


@dataclass(frozen=True)
class Factor:
    """One factor of a product: its symbol, how its value is written, and the value."""

    symbol: str
    shown: str
    value: int


@dataclass(frozen=True)
class Product:
    """A product of factors, optionally divided by one more factor (the groups ``G``)."""

    factors: tuple[Factor, ...]
    divisor: Factor | None = None

    @property
    def value(self) -> int:
        numerator = math.prod(factor.value for factor in self.factors)
        return numerator // self.divisor.value if self.divisor else numerator

    @property
    def symbolic(self) -> str:
        text = " ".join(factor.symbol for factor in self.factors)
        return rf"\frac{{{text}}}{{{self.divisor.symbol}}}" if self.divisor else text

    @property
    def numeric(self) -> str:
        text = r" \cdot ".join(factor.shown for factor in self.factors)
        return rf"\frac{{{text}}}{{{self.divisor.shown}}}" if self.divisor else text


@dataclass(frozen=True)
class Part:
    """The params and MACs of one leaf layer, named by its module path in ``explorer.blocks``."""

    name: str
    label: str
    params: tuple[Product, ...]
    macs: tuple[Product, ...]


@dataclass(frozen=True)
class BlockFormula:
    """Analytic counts of one block, with the formulas as LaTeX (for ``st.latex``).

    Attributes:
        params: every parameter, BatchNorm's included.
        macs: conv multiply-accumulates for one image.
        terms: ``(layer name, params, MACs)`` per leaf layer, named as in the built module
            (``conv_dw.conv``, ``se.fc1``, ...).
        params_text, macs_text: the general formula, then the same with this
            configuration's numbers plugged in, then the total.
        definitions: LaTeX for the derived sizes used above (``H'``, ``C_{exp}``, ``C_{sq}``).
        standard_params, standard_macs: the standard conv with the same input, output
            channels, kernel, stride, padding and dilation (kernel = map for gdc); None for se.
        ratio_vs_standard: ``macs / standard_macs`` (MobileNetV1's "computational cost"
            ratio); None for se.
        ratio_text: LaTeX for that ratio; for depthwise-separable the textbook
            ``1/C_out + 1/k^2``.
        textbook_ratio: ``1/C_out + 1/k^2`` for depthwise-separable (MobileNetV1 eq. 5), else None.
    """

    kind: str
    params: int
    macs: int
    terms: tuple[tuple[str, int, int], ...]
    params_text: str
    macs_text: str
    definitions: tuple[str, ...]
    standard_params: int | None
    standard_macs: int | None
    ratio_vs_standard: float | None
    ratio_text: str | None
    textbook_ratio: float | None


def latex_number(value: float) -> str:
    """``12345`` -> ``12{,}345`` (thousands separators that LaTeX does not space out)."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return f"{int(value):,}".replace(",", "{,}")


def _factor(symbol: str, value: int) -> Factor:
    return Factor(symbol, str(value), value)


def _kernel_area(k: int) -> Factor:
    return Factor("k^2", f"{k}^2", k * k)


@dataclass(frozen=True)
class _Shape:
    """The sizes every formula uses, worked out from the spec without ``explorer.blocks``."""

    c_in: Factor
    c_out: Factor
    k: int
    height: Factor
    width: Factor
    out_height: Factor
    out_width: Factor


def _padding(spec: BlockSpec) -> int:
    return (spec.kernel_size - 1) // 2 * spec.dilation if spec.padding == "same" else int(spec.padding)


def _output_size(spec: BlockSpec) -> int:
    extent = spec.dilation * (spec.kernel_size - 1) + 1
    return (spec.size + 2 * _padding(spec) - extent) // spec.stride + 1


def _shape(spec: BlockSpec) -> _Shape:
    out = _output_size(spec) if spec.kind not in ("gdc", "se") else spec.size
    return _Shape(
        c_in=_factor("C_{in}", spec.in_channels), c_out=_factor("C_{out}", spec.out_channels),
        k=spec.kernel_size, height=_factor("H", spec.size), width=_factor("W", spec.size),
        out_height=_factor("H'", out), out_width=_factor("W'", out),
    )


def _expanded_channels(spec: BlockSpec) -> int:
    """MobileNetV2 ``round(t C_in)``; EfficientNet ``make_divisible(t C_in, 8)``; or as given."""
    if spec.expanded_channels is not None:
        return spec.expanded_channels
    if spec.kind in ("mbconv", "fused_mbconv"):
        return make_divisible(spec.in_channels * spec.expansion, 8)
    return int(round(spec.in_channels * spec.expansion))


def _squeeze(spec: BlockSpec) -> int:
    """SE width: MobileNetV3 ``make_divisible(r C_exp, 8)``; SENet / EfficientNet ``max(1, floor(r C_in))``."""
    if spec.kind not in ("se", "bneck", "mbconv", "fused_mbconv") or spec.se_ratio == 0:
        return 0
    if spec.kind == "bneck":
        return make_divisible(_expanded_channels(spec) * spec.se_ratio, 8)
    return max(1, int(spec.in_channels * spec.se_ratio))


def _conv_unit(
    spec: BlockSpec, prefix: str, label: str, weight: Product, c_out: Factor, area: tuple[Factor, ...]
) -> list[Part]:
    """A conv (+ bias when no norm) and its BatchNorm: params ``weight (+ C_out)``, MACs ``weight x area``."""
    dot = f"{prefix}." if prefix else ""
    with_norm = spec.norm == "batch"
    params = (weight, Product((c_out,))) if spec.bias and not with_norm else (weight,)
    parts = [Part(f"{dot}conv", label, params, (Product(weight.factors + area, weight.divisor),))]
    if with_norm:
        parts.append(Part(f"{dot}bn", label, (Product((Factor("2", "2", 2), c_out)),), ()))
    return parts


def _se_parts(prefix: str, channels: Factor, squeeze: int) -> list[Part]:
    """SE's two 1x1 convs with bias (no BatchNorm): ``C -> C_sq -> C``."""
    if squeeze == 0:
        return []
    dot = f"{prefix}." if prefix else ""
    c_sq = _factor("C_{sq}", squeeze)
    reduce, expand, label = Product((channels, c_sq)), Product((c_sq, channels)), r"\text{squeeze-excite}"
    return [
        Part(f"{dot}fc1", label, (reduce, Product((c_sq,))), (reduce,)),
        Part(f"{dot}fc2", label, (expand, Product((channels,))), (expand,)),
    ]


def _out_area(shape: _Shape) -> tuple[Factor, ...]:
    return (shape.out_height, shape.out_width)


def _standard_parts(spec: BlockSpec, shape: _Shape) -> list[Part]:
    weight = Product((_kernel_area(shape.k), shape.c_in, shape.c_out))
    return _conv_unit(spec, "", r"\text{conv } k \times k", weight, shape.c_out, _out_area(shape))


def _group_parts(spec: BlockSpec, shape: _Shape) -> list[Part]:
    weight = Product((_kernel_area(shape.k), shape.c_in, shape.c_out), _factor("G", spec.groups))
    return _conv_unit(spec, "", r"\text{group conv } k \times k", weight, shape.c_out, _out_area(shape))


def _spatially_separable_parts(spec: BlockSpec, shape: _Shape) -> list[Part]:
    k = _factor("k", shape.k)
    first = Product((k, shape.c_in, shape.c_out))
    second = Product((k, shape.c_out, shape.c_out))
    tall = _conv_unit(spec, "conv_kx1", r"\text{conv } k \times 1", first, shape.c_out, (shape.out_height, shape.width))
    return tall + _conv_unit(spec, "conv_1xk", r"\text{conv } 1 \times k", second, shape.c_out, _out_area(shape))


def _depthwise_separable_parts(spec: BlockSpec, shape: _Shape) -> list[Part]:
    depthwise = Product((_kernel_area(shape.k), shape.c_in))
    pointwise = Product((shape.c_in, shape.c_out))
    return _conv_unit(spec, "conv_dw", r"\text{depthwise } k \times k", depthwise, shape.c_in, _out_area(shape)) + _conv_unit(
        spec, "conv_pw", r"\text{pointwise } 1 \times 1", pointwise, shape.c_out, _out_area(shape)
    )


def _gdc_parts(spec: BlockSpec, shape: _Shape) -> list[Part]:
    weight = Product((shape.height, shape.width, shape.c_in))
    return _conv_unit(spec, "conv_dw", r"\text{global depthwise } H \times W", weight, shape.c_in, ())


def _se_block_parts(spec: BlockSpec, shape: _Shape) -> list[Part]:
    return _se_parts("", shape.c_in, _squeeze(spec))


def _inverted_parts(spec: BlockSpec, shape: _Shape) -> list[Part]:
    hidden = _expanded_channels(spec)
    c_exp = _factor("C_{exp}", hidden)
    parts = []
    if spec.has_expand_conv:
        expand = Product((shape.c_in, c_exp))
        parts += _conv_unit(spec, "conv_pw", r"\text{expand } 1 \times 1", expand, c_exp, (shape.height, shape.width))
    depthwise = Product((_kernel_area(shape.k), c_exp))
    parts += _conv_unit(spec, "conv_dw", r"\text{depthwise } k \times k", depthwise, c_exp, _out_area(shape))
    parts += _se_parts("se", c_exp, _squeeze(spec))
    project = Product((c_exp, shape.c_out))
    return parts + _conv_unit(spec, "conv_pwl", r"\text{project } 1 \times 1", project, shape.c_out, _out_area(shape))


def _fused_parts(spec: BlockSpec, shape: _Shape) -> list[Part]:
    hidden = _expanded_channels(spec)
    expands = hidden != spec.in_channels
    width = _factor("C_{exp}", hidden) if expands else shape.c_out
    fused = Product((_kernel_area(shape.k), shape.c_in, width))
    parts = _conv_unit(spec, "conv_fused", r"\text{fused } k \times k", fused, width, _out_area(shape))
    parts += _se_parts("se", width, _squeeze(spec))
    if expands:
        project = Product((width, shape.c_out))
        parts += _conv_unit(spec, "conv_pwl", r"\text{project } 1 \times 1", project, shape.c_out, _out_area(shape))
    return parts


PART_BUILDERS: dict[str, Callable[[BlockSpec, _Shape], list[Part]]] = {
    "standard": _standard_parts,
    "spatially_separable": _spatially_separable_parts,
    "depthwise_separable": _depthwise_separable_parts,
    "group": _group_parts,
    "gdc": _gdc_parts,
    "se": _se_block_parts,
    "inverted_residual": _inverted_parts,
    "bneck": _inverted_parts,
    "mbconv": _inverted_parts,
    "fused_mbconv": _fused_parts,
}


def block_parts(spec: BlockSpec) -> list[Part]:
    """Every leaf layer with weights or MACs, in execution order, with its formula."""
    return PART_BUILDERS[spec.kind](spec, _shape(spec))


def _block_part(part: Part) -> str:
    """The block-level part a leaf belongs to: ``conv_dw`` for ``conv_dw.bn``, ``""`` for a root layer."""
    return part.name.split(".")[0] if "." in part.name else ""


def _formula_text(parts: list[Part], field: str) -> str:
    """``general = numeric = total``, or one row per block part and a total row."""
    rows: dict[str, tuple[str, list[Product]]] = {}
    for part in parts:
        products = getattr(part, field)
        if products:
            label, listed = rows.setdefault(_block_part(part), (part.label, []))
            listed.extend(products)
    total = latex_number(sum(product.value for _, products in rows.values() for product in products))
    if len(rows) == 1:
        ((_, products),) = rows.values()
        return f"{_join(products, 'symbolic')} = {_join(products, 'numeric')} = {total}"
    body = r" \\ ".join(
        rf"{label} & {_join(products, 'symbolic')} & = {_join(products, 'numeric')}"
        rf" & = {latex_number(sum(p.value for p in products))}"
        for label, products in rows.values()
    )
    return rf"\begin{{array}}{{llll}} {body} \\ \hline \text{{total}} & & & = {total} \end{{array}}"


def _join(products: list[Product], attribute: str) -> str:
    return " + ".join(getattr(product, attribute) for product in products)


def _definitions(spec: BlockSpec) -> tuple[str, ...]:
    lines = []
    if spec.kind not in ("gdc", "se"):
        pad = _padding(spec)
        d, k, s = spec.dilation, spec.kernel_size, spec.stride
        lines.append(
            rf"H' = W' = \left\lfloor \frac{{H + 2p - d(k-1) - 1}}{{s}} \right\rfloor + 1"
            rf" = \left\lfloor \frac{{{spec.size} + 2 \cdot {pad} - {d} \cdot {k - 1} - 1}}{{{s}}} \right\rfloor + 1"
            rf" = {_output_size(spec)}"
        )
    if spec.kind == "gdc":
        lines.append(rf"k \times k = H \times W = {spec.size} \times {spec.size},\quad H' = W' = 1")
    if spec.kind in INVERTED_KINDS + ("fused_mbconv",):
        lines.append(_expanded_text(spec))
    if _squeeze(spec):
        lines.append(_squeeze_text(spec))
    return tuple(lines)


def _expanded_text(spec: BlockSpec) -> str:
    hidden = _expanded_channels(spec)
    if spec.expanded_channels is not None:
        return rf"C_{{exp}} = {hidden}\ \text{{(given)}}"
    rule = r"\operatorname{round}_8" if spec.kind in ("mbconv", "fused_mbconv") else r"\operatorname{round}"
    return rf"C_{{exp}} = {rule}(t\,C_{{in}}) = {rule}({spec.expansion:g} \cdot {spec.in_channels}) = {hidden}"


def _squeeze_text(spec: BlockSpec) -> str:
    squeeze = _squeeze(spec)
    if spec.kind == "bneck":
        return (
            rf"C_{{sq}} = \operatorname{{round}}_8(r\,C_{{exp}}) = \operatorname{{round}}_8({spec.se_ratio:g} \cdot "
            rf"{_expanded_channels(spec)}) = {squeeze}"
        )
    return (
        rf"C_{{sq}} = \max(1, \lfloor r\,C_{{in}} \rfloor) = \max(1, \lfloor {spec.se_ratio:g} \cdot "
        rf"{spec.in_channels} \rfloor) = {squeeze}"
    )


def _standard_costs(spec: BlockSpec) -> tuple[int, int] | None:
    """Params and MACs of the standard conv producing the same output shape."""
    if spec.kind == "se":
        return None
    shape = _shape(spec)
    if spec.kind == "gdc":
        one = _factor("H'", 1)
        shape = _Shape(shape.c_in, shape.c_in, spec.size, shape.height, shape.width, one, _factor("W'", 1))
    parts = _standard_parts(spec, shape)
    return _total(parts, "params"), _total(parts, "macs")


def _total(parts: list[Part], field: str) -> int:
    return sum(product.value for part in parts for product in getattr(part, field))


def _ratio_text(spec: BlockSpec, macs: int, standard_macs: int) -> str:
    ratio = macs / standard_macs
    if spec.kind == "depthwise_separable":
        c_out, k = spec.out_channels, spec.kernel_size
        return (
            rf"\frac{{k^2 C_{{in}} H' W' + C_{{in}} C_{{out}} H' W'}}{{k^2 C_{{in}} C_{{out}} H' W'}}"
            rf" = \frac{{1}}{{C_{{out}}}} + \frac{{1}}{{k^2}} = \frac{{1}}{{{c_out}}} + \frac{{1}}{{{k}^2}} = {ratio:.4g}"
        )
    if spec.kind == "gdc":
        general = r"\frac{H W C_{in}}{H W C_{in} C_{in}} = \frac{1}{C_{in}}"
        return rf"{general} = \frac{{1}}{{{spec.in_channels}}} = {ratio:.4g}"
    counts = rf"\frac{{{latex_number(macs)}}}{{{latex_number(standard_macs)}}}"
    return rf"\frac{{\text{{MACs}}}}{{k^2 C_{{in}} C_{{out}} H' W'}} = {counts} = {ratio:.4g}"


def block_formula(spec: BlockSpec) -> BlockFormula:
    """The analytic params and MACs of ``spec``'s block, with their formulas as LaTeX.

    Example: C_in 3, C_out 4, k 3 in textbook mode (no norm, no bias, padding 0) on a 3x3
    input gives 108 params for the standard conv and 27 + 12 = 39 for the
    depthwise-separable one (MobileNetV1, https://arxiv.org/abs/1704.04861).
    """
    parts = block_parts(spec)
    params, macs = _total(parts, "params"), _total(parts, "macs")
    standard = _standard_costs(spec)
    ratio = macs / standard[1] if standard else None
    return BlockFormula(
        kind=spec.kind,
        params=params,
        macs=macs,
        terms=tuple((part.name, _total([part], "params"), _total([part], "macs")) for part in parts),
        params_text=_formula_text(parts, "params"),
        macs_text=_formula_text(parts, "macs"),
        definitions=_definitions(spec),
        standard_params=standard[0] if standard else None,
        standard_macs=standard[1] if standard else None,
        ratio_vs_standard=ratio,
        ratio_text=_ratio_text(spec, macs, standard[1]) if standard else None,
        textbook_ratio=1 / spec.out_channels + 1 / spec.kernel_size**2 if spec.kind == "depthwise_separable" else None,
    )
