"""Your own network: an editable stage table, written and read in timm's architecture notation.

The notation is the one timm's ``_decode_block_str`` reads (Wightman, pytorch-image-models,
``timm/models/_efficientnet_builder.py``): a list of stages, each a list of block strings
``TYPE_r<repeats>_k<kernel>_s<stride>_e<expansion>_c<channels>[_se<ratio>][_noskip|_skip][_n<act>]``.
Block types and what they build here (each counts exactly what timm builds from the same string):

- ``ds``: depthwise k x k -> SE -> linear 1x1, residual unless ``noskip`` (EfficientNet's MBConv1,
  https://arxiv.org/abs/1905.11946; MobileNetV2's t = 1 block, https://arxiv.org/abs/1801.04381).
- ``dsa``: MobileNetV1's depthwise-separable conv, both convs activated (https://arxiv.org/abs/1704.04861).
- ``ir``: inverted residual / MBConv, expand 1x1 -> depthwise k x k -> SE -> linear 1x1.
- ``er``: edge residual = Fused-MBConv (EfficientNetV2, https://arxiv.org/abs/2104.00298).
- ``cn``: conv-BN-activation; ``cn_..._skip`` is EfficientNetV2's Fused-MBConv with expansion 1,
  ``cn_..._g<G>`` a group conv in ``G`` groups (ResNeXt, https://arxiv.org/abs/1611.05431; ``g`` is this
  library's option: timm's ``gs`` counts channels per group and is not read here).

Tokens timm ignores say which of this library's kinds a string means where one timm type covers
several: ``bneck`` (MobileNetV3: SE squeezed from the expanded width with ReLU and hard-sigmoid,
https://arxiv.org/abs/1905.02244) and ``invres`` (MobileNetV2's hidden width ``round(t C_in)``).
Three types are this library's own (timm has no such block): ``ss`` (spatially separable,
https://arxiv.org/abs/1512.00567), ``gdc`` (global depthwise conv, https://arxiv.org/abs/1804.07573)
and ``se`` (a standalone squeeze-and-excitation block, https://arxiv.org/abs/1709.01507).

Widths scale as in the presets: every channel count ``make_divisible(c x width, 8)``; repeats per
stage ``ceil(total x depth)``, shared out over a stage's rows from the last as timm does (for a
one-row stage: ``ceil(repeats x depth)``, torchvision's rule).
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from explorer.models.activations import BLOCK_ACTIVATIONS, canonical_activation
from explorer.models.networks.tables import (
    MAX_CLASSES,
    MAX_RESOLUTION,
    MIN_RESOLUTION,
    BlockRow,
    HeadRow,
    NetworkTable,
    StemRow,
    network_spec,
    network_table,
)
from explorer.models.scaling import make_divisible
from explorer.models.specs import BLOCK_KINDS, MAX_CHANNELS, MAX_EXPANSION, block_spec

KERNELS = (1, 3, 5, 7, 9, 11)
STRIDES = (1, 2)
MAX_REPEATS = 64
MAX_ROWS = 64
EXPANDING_KINDS = ("inverted_residual", "bneck", "mbconv", "fused_mbconv")
SE_KINDS = ("bneck", "mbconv", "fused_mbconv", "se")
SAME_WIDTH_KINDS = ("gdc", "se")  # the block keeps its input's channels
# timm's activation overrides (``n`` + code); other registry names are written ``n<name>`` (this library only).
TIMM_ACTIVATIONS = {"re": "relu", "r6": "relu6", "hs": "hswish", "sw": "swish", "mi": "mish"}
ACTIVATION_CODES = {name: code for code, name in TIMM_ACTIVATIONS.items()}
KIND_TAGS = {"bneck": "bneck", "invres": "inverted_residual"}
OWN_TYPES = {"ss": "spatially_separable", "gdc": "gdc", "se": "se"}
VALID_OPTIONS = "r, k, s, e, c, se, g, noskip, skip, bneck, invres and n<activation> (nre, nr6, nhs, nsw, nmi)"

# The grid's columns, in order: field name -> what the user reads.
FIELD_LABELS = {
    "stage": "stage", "kind": "block", "expansion": "expansion", "kernel_size": "kernel", "stride": "stride",
    "out_channels": "channels", "repeats": "repeats", "se_ratio": "SE ratio", "activation": "activation",
    "skip": "skip", "groups": "groups",
}


@dataclass(frozen=True, kw_only=True)
class DesignRow:
    """One editable row: ``repeats`` blocks of ``kind``, base (unscaled) output width, the first strided.

    ``stage`` groups rows into the notation's stages (equal numbers next to each other form one);
    ``skip=False`` is timm's ``noskip``; ``groups`` applies to the group conv only.
    """

    kind: str
    out_channels: int
    repeats: int = 1
    kernel_size: int = 3
    stride: int = 1
    expansion: float = 1.0
    se_ratio: float = 0.0
    activation: str = "relu"
    skip: bool = True
    groups: int = 1
    stage: int = 1

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, kw_only=True)
class DesignSpec:
    """A whole custom network: stem, rows, head and the multipliers; validated on creation, hashable.

    ``head_channels`` is the last 1x1 conv (0: none), ``head_fc`` an extra FC before the classifier
    (MobileNetV3's 1280; 0: none). ``activation`` is the stem's and the head's.
    """

    rows: tuple[DesignRow, ...]
    stem_channels: int = 32
    head_channels: int = 1280
    head_fc: int = 0
    activation: str = "swish"
    resolution: int = 224
    num_classes: int = 1000
    width_mult: float = 1.0
    depth_mult: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "activation", canonical_activation(self.activation))
        _check_network(self)
        check_rows(self)

    name = "custom"

    @property
    def label(self) -> str:
        scaled = f", width {self.width_mult:g}, depth {self.depth_mult:g}" if (self.width_mult, self.depth_mult) != (1, 1) else ""
        return f"Custom design ({sum(row.repeats for row in self.rows)} blocks{scaled}) {self.resolution}x{self.resolution}"

    def table(self) -> NetworkTable:
        """The :class:`NetworkTable` this design describes, widths and repeats scaled."""
        return design_table(self)

    def to_dict(self) -> dict[str, Any]:
        """The design as JSON-ready values: the notation under ``arch``, then every other field."""
        fields = {field.name: getattr(self, field.name) for field in dataclasses.fields(self) if field.name != "rows"}
        return {"arch": format_arch(self.rows, self.activation)} | fields


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _number(value: Any, low: float, high: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and low <= value <= high


def _check_network(spec: DesignSpec) -> None:
    for name, low, high in (("stem_channels", 1, MAX_CHANNELS), ("head_channels", 0, 4 * MAX_CHANNELS),
                            ("head_fc", 0, 4 * MAX_CHANNELS), ("resolution", MIN_RESOLUTION, MAX_RESOLUTION),
                            ("num_classes", 1, MAX_CLASSES)):
        if not _whole(getattr(spec, name), low, high):
            raise ValueError(f"{name}: must be a whole number from {low} to {high}, got {getattr(spec, name)!r}.")
    for name, high in (("width_mult", 4.5), ("depth_mult", 8.0)):
        if not _number(getattr(spec, name), 0.1, high):
            raise ValueError(f"{name}: must be a number from 0.1 to {high:g}, got {getattr(spec, name)!r}.")
    if not spec.rows:
        raise ValueError("rows: the design has no blocks; add at least one row (or paste a definition).")
    if len(spec.rows) > MAX_ROWS:
        raise ValueError(f"rows: at most {MAX_ROWS} rows, got {len(spec.rows)}; merge rows with equal settings (repeats).")


def _row_error(index: int, field: str, text: str) -> ValueError:
    return ValueError(f"row {index} ({FIELD_LABELS.get(field, field)}): {text}")


def _check_row(index: int, row: DesignRow) -> None:
    """Each field on its own: kind, kernel, stride, channels, repeats, expansion, SE ratio, groups."""
    if row.kind not in BLOCK_KINDS:
        raise _row_error(index, "kind", f"unknown block {row.kind!r}; valid blocks are {', '.join(BLOCK_KINDS)}.")
    checks = (
        ("kernel_size", row.kernel_size in KERNELS and _whole(row.kernel_size, 1, 11), f"must be one of {', '.join(map(str, KERNELS))}"),  # noqa: E501
        ("stride", row.stride in STRIDES and _whole(row.stride, 1, 2), "must be 1 or 2"),
        ("out_channels", _whole(row.out_channels, 1, MAX_CHANNELS), f"must be a whole number from 1 to {MAX_CHANNELS}"),  # noqa: E501
        ("repeats", _whole(row.repeats, 1, MAX_REPEATS), f"must be a whole number from 1 to {MAX_REPEATS}"),
        ("expansion", _number(row.expansion, 1.0, MAX_EXPANSION), f"must be a number from 1 to {MAX_EXPANSION:g}"),
        ("se_ratio", _number(row.se_ratio, 0.0, 1.0), "must be a number from 0 (no SE) to 1"),
        ("groups", _whole(row.groups, 1, MAX_CHANNELS), "must be a whole number of at least 1"),
        ("stage", _whole(row.stage, 0, 10 * MAX_ROWS), "must be a whole number"),
    )
    for field, ok, text in checks:
        if not ok:
            raise _row_error(index, field, f"{text}, got {getattr(row, field)!r}.")
    if row.se_ratio and row.kind not in SE_KINDS:
        raise _row_error(index, "se_ratio", f"{row.kind} has no SE; use 0, or a block with SE ({', '.join(SE_KINDS)}).")
    if row.kind == "se" and not row.se_ratio:
        raise _row_error(index, "se_ratio", "a standalone SE block needs a ratio above 0 (SENet: 0.0625).")
    if row.expansion != 1 and row.kind not in EXPANDING_KINDS:
        raise _row_error(index, "expansion", f"{row.kind} does not expand; use 1, or one of {', '.join(EXPANDING_KINDS)}.")
    try:
        canonical_activation(row.activation)
    except ValueError as error:
        raise _row_error(index, "activation", str(error).partition(": ")[2]) from None


def check_rows(spec: DesignSpec) -> None:
    """Every row valid on its own and in sequence (widths that fit, a map that never shrinks below 1 x 1).

    Raises:
        ValueError: naming the row (1-based), the field and what would be valid.
    """
    size, channels = (spec.resolution + 1) // 2, _scaled(spec.stem_channels, spec.width_mult)
    for index, row in enumerate(spec.rows, start=1):
        _check_row(index, row)
        if row.stride > 1 and index > 1 and spec.rows[index - 2].stage == row.stage:
            raise _row_error(index, "stride", f"only the first row of a stage strides (timm's rule); use stride 1, "
                                              f"or give this row a stage number of its own (not {row.stage}).")
        if row.stride > 1 and size == 1:
            raise _row_error(index, "stride", f"the map is already 1 x 1 here; use stride 1, or a resolution above "
                                              f"{spec.resolution}.")
        table_row = _table_row(spec, row, channels, 1)
        try:
            first = block_spec(row.kind, **_probe_options(table_row, size))
        except ValueError as error:
            field, _, text = str(error).partition(": ")
            raise _row_error(index, {"in_channels": "out_channels"}.get(field, field), text) from None
        size, channels = first.output_size, first.output_channels


def _probe_options(row: BlockRow, size: int) -> dict[str, Any]:
    values = {"in_channels": row.in_channels, "out_channels": row.out_channels, "size": size, "kernel_size": row.kernel_size,
              "stride": row.stride, "expansion": row.expansion, "se_ratio": row.se_ratio, "activation": row.activation,
              "groups": row.groups, "expanded_channels": row.expanded_channels}
    return {key: value for key, value in values.items() if key in BLOCK_KINDS[row.operator].params and value is not None}


def _scaled(channels: int, width_mult: float) -> int:
    return make_divisible(channels * width_mult) if channels else 0


def _table_row(spec: DesignSpec, row: DesignRow, in_channels: int, repeats: int) -> BlockRow:
    out = in_channels if row.kind in SAME_WIDTH_KINDS else _scaled(row.out_channels, spec.width_mult)
    return BlockRow(
        operator=row.kind, kernel_size=row.kernel_size, stride=row.stride, in_channels=in_channels, out_channels=out,
        repeats=repeats, expansion=float(row.expansion), se_ratio=float(row.se_ratio),
        activation=canonical_activation(row.activation), gate="hsigmoid" if row.kind == "bneck" else "sigmoid",
        skip=row.skip, groups=row.groups if row.kind == "group" else None,
    )


def stage_repeats(repeats: Sequence[int], depth_mult: float) -> list[int]:
    """One stage's repeats scaled: ``ceil(total x depth)`` blocks, shared out from the last row back.

    Each row gets ``max(1, round(r / remaining_total x remaining_scaled))`` (timm's rule, which gives the
    first row of a stage the fewest extra blocks); a one-row stage gets ``ceil(r x depth)``.
    """
    remaining, scaled_left = sum(repeats), int(math.ceil(sum(repeats) * depth_mult))
    scaled = []
    for count in reversed(repeats):
        share = max(1, round(count / remaining * scaled_left))
        scaled.append(share)
        remaining, scaled_left = remaining - count, scaled_left - share
    return scaled[::-1]


def stages_of(rows: Sequence[DesignRow]) -> list[list[DesignRow]]:
    """Neighbouring rows with the same ``stage`` number, as the notation's stages."""
    stages: list[list[DesignRow]] = []
    for row in rows:
        if stages and stages[-1][-1].stage == row.stage:
            stages[-1].append(row)
        else:
            stages.append([row])
    return stages


def design_table(spec: DesignSpec) -> NetworkTable:
    """Stem, scaled rows and head of the design, as the :class:`NetworkTable` every counter reads."""
    channels = _scaled(spec.stem_channels, spec.width_mult)
    rows = []
    for stage in stages_of(spec.rows):
        for row, repeats in zip(stage, stage_repeats([row.repeats for row in stage], spec.depth_mult), strict=True):
            rows.append(_table_row(spec, row, channels, repeats))
            channels = rows[-1].out_channels
    head = HeadRow(
        conv_channels=_scaled(spec.head_channels, spec.width_mult) or None, activation=spec.activation,
        hidden_features=_scaled(spec.head_fc, spec.width_mult) or None, dropout=0.2,
    )
    return NetworkTable(
        name=spec.name, title=spec.label, paper="", resolution=spec.resolution,
        stem=StemRow(out_channels=_scaled(spec.stem_channels, spec.width_mult), activation=spec.activation),
        rows=tuple(rows), head=head, num_classes=spec.num_classes,
    )


# ---- timm's notation, both ways -------------------------------------------------------------------------


def _timm_type(row: DesignRow) -> tuple[str, list[str]]:
    """The block type and the kind tags of ``row`` (see the module docstring)."""
    if row.kind in OWN_TYPES.values():
        return next(code for code, kind in OWN_TYPES.items() if kind == row.kind), []
    tags = [tag for tag, kind in KIND_TAGS.items() if kind == row.kind]
    if row.kind == "depthwise_separable":
        return "dsa", []
    if row.kind in ("standard", "group"):
        return "cn", []
    if row.kind == "fused_mbconv":
        return ("cn", ["skip"]) if row.expansion == 1 else ("er", [])
    return ("ds" if row.expansion == 1 else "ir"), tags


def format_block(row: DesignRow, activation: str) -> str:
    """``row`` as one block string, e.g. ``ir_r2_k3_s2_e6_c24_se0.25``; ``activation`` is the network's."""
    block_type, tags = _timm_type(row)
    parts = [block_type, f"r{row.repeats}", f"k{row.kernel_size}", f"s{row.stride}"]
    if block_type in ("ir", "er", "ds") or row.kind == "fused_mbconv":
        parts.append(f"e{row.expansion:g}")
    if row.kind not in SAME_WIDTH_KINDS:
        parts.append(f"c{row.out_channels}")
    if row.se_ratio:
        parts.append(f"se{row.se_ratio:g}")
    if row.kind == "group":
        parts.append(f"g{row.groups}")
    if not row.skip and row.kind in EXPANDING_KINDS:
        parts.append("noskip")
    act = canonical_activation(row.activation)
    if act != canonical_activation(activation):
        parts.append(f"n{ACTIVATION_CODES.get(act, act)}")
    return "_".join(parts + tags)


def format_arch(rows: Sequence[DesignRow], activation: str) -> list[list[str]]:
    """The rows as timm's ``arch_def``: a list of stages, each a list of block strings."""
    return [[format_block(row, activation) for row in stage] for stage in stages_of(rows)]


def compact_arch(rows: Sequence[DesignRow], activation: str) -> str:
    """The notation on one line for a link: blocks of a stage joined by ``/``, stages by ``,``."""
    return ",".join("/".join(stage) for stage in format_arch(rows, activation))


def _options(text: str, where: str) -> tuple[str, dict[str, str], set[str]]:
    block_type, *tokens = text.strip().split("_")
    values: dict[str, str] = {}
    flags: set[str] = set()
    for token in tokens:
        match = re.fullmatch(r"(se|g|[rksce])(\d+(?:\.\d+)?)", token)
        if token in ("noskip", "skip", *KIND_TAGS):
            flags.add(token)
        elif token.startswith("n") and token[1:] in TIMM_ACTIVATIONS | {name: name for name in BLOCK_ACTIVATIONS}:
            values["n"] = TIMM_ACTIVATIONS.get(token[1:], token[1:])
        elif match:
            values[match.group(1)] = match.group(2)
        else:
            raise ValueError(f"{where}: unknown option {token!r}; valid options are {VALID_OPTIONS}.")
    return block_type, values, flags


def _required(values: dict[str, str], key: str, where: str, meaning: str) -> str:
    if key not in values:
        raise ValueError(f"{where}: {meaning} missing; add {key}<number>, e.g. {key}{ {'c': 24, 'k': 3, 's': 1, 'r': 1}[key]}.")
    return values[key]


def _kind_of(block_type: str, values: dict[str, str], flags: set[str], where: str) -> str:
    expansion = float(values.get("e", 1))
    if block_type in OWN_TYPES:
        return OWN_TYPES[block_type]
    if block_type == "dsa":
        return "depthwise_separable"
    if block_type == "cn":
        return "fused_mbconv" if "skip" in flags else ("group" if "g" in values else "standard")
    if block_type == "er":
        if expansion == 1:
            raise ValueError(f"{where}: er with e1 builds a k x k conv and a 1x1 projection, which no block here does; "
                             "use cn_..._skip (Fused-MBConv with expansion 1) or e above 1.")
        return "fused_mbconv"
    if block_type in ("ir", "ds"):
        if block_type == "ir" and expansion == 1:
            raise ValueError(f"{where}: ir with e1 has timm build a 1x1 expand conv of the same width, which no block "
                             "here does; write it as ds_... (no expand conv) or use e above 1.")
        tagged = [KIND_TAGS[tag] for tag in flags if tag in KIND_TAGS]
        return tagged[0] if tagged else "mbconv"
    raise ValueError(f"{where}: unknown block type {block_type!r}; valid types are ds, dsa, ir, er, cn, ss, gdc, se.")


def parse_block(text: str, activation: str, stage: int = 1, where: str = "block") -> DesignRow:
    """One block string -> a :class:`DesignRow` (``activation``: the network's, for rows without ``n<act>``).

    Raises:
        ValueError: an unknown type or option, or a missing repeats, kernel, stride or channels
            (the message names ``where`` and what would be valid).
    """
    block_type, values, flags = _options(text, where)
    kind = _kind_of(block_type, values, flags, where)
    for key, meaning in (("r", "repeats"), ("k", "kernel"), ("s", "stride")):
        _required(values, key, where, meaning)
    if kind not in SAME_WIDTH_KINDS:
        _required(values, "c", where, "channels")
    numbers = {key: (float(value) if key in ("e", "se") else int(float(value))) for key, value in values.items() if key != "n"}
    if "g" in values and kind != "group":
        raise ValueError(f"{where}: g (groups) applies to cn blocks only.")
    return DesignRow(
        kind=kind, out_channels=numbers.get("c", 1), repeats=numbers["r"], kernel_size=numbers["k"], stride=numbers["s"],
        expansion=numbers.get("e", 1.0), se_ratio=numbers.get("se", 0.0), activation=values.get("n", activation),
        skip="noskip" not in flags, groups=numbers.get("g", 1), stage=stage,
    )


def _stage_lists(arch: str | Sequence[Any]) -> list[list[str]]:
    """JSON, a Python literal (as in timm's source) or the one-line link form -> a list of lists of strings."""
    if isinstance(arch, str):
        text = arch.strip()
        if not text.startswith("["):
            return [stage.split("/") for stage in text.split(",") if stage.strip()]
        try:
            arch = json.loads(text)
        except json.JSONDecodeError:
            try:
                arch = ast.literal_eval(text)
            except (ValueError, SyntaxError) as error:
                raise ValueError(f"arch: not a list of stages ({error.__class__.__name__}: {error}); "
                                 "write e.g. [[\"ds_r1_k3_s1_e1_c16\"], [\"ir_r2_k3_s2_e6_c24\"]].") from None
    if not isinstance(arch, (list, tuple)) or not all(isinstance(stage, (list, tuple)) for stage in arch):
        raise ValueError("arch: must be a list of stages, each a list of block strings, e.g. [[\"ds_r1_k3_s1_e1_c16\"]].")
    return [[str(block) for block in stage] for stage in arch]


def parse_arch(arch: str | Sequence[Any], activation: str) -> tuple[DesignRow, ...]:
    """timm's ``arch_def`` (a list of stages of block strings, as text or as lists) -> the design's rows.

    Raises:
        ValueError: naming the stage and block (1-based) and the string that is wrong.
    """
    activation = canonical_activation(activation)
    rows = []
    for stage_index, stage in enumerate(_stage_lists(arch), start=1):
        for block_index, text in enumerate(stage, start=1):
            where = f"stage {stage_index}, block {block_index} ({text.strip()!r})"
            rows.append(parse_block(text, activation, stage_index, where))
    if not rows:
        raise ValueError("arch: no block strings; write at least one, e.g. [[\"ds_r1_k3_s1_e1_c16\"]].")
    return tuple(rows)


# ---- rows from the editable grid, and the presets as designs -------------------------------------------


def _cell(record: Mapping[str, Any], field: str) -> Any:
    value = record.get(field)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    return value


def _int_cell(index: int, field: str, value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _row_error(index, field, f"must be a whole number, got {value!r}.")
    return value


def row_from_record(index: int, record: Mapping[str, Any], activation: str, stage: int) -> DesignRow:
    """One grid row (field name -> cell value, blanks as None or NaN) -> a :class:`DesignRow`.

    Blank expansion, SE ratio, activation, skip, groups and stage take their defaults; a blank
    block, kernel, stride, channels or repeats is refused, naming the row and the field.
    """
    kind = _cell(record, "kind")
    required = ("kind", "kernel_size", "stride", "repeats") + (() if kind in SAME_WIDTH_KINDS else ("out_channels",))
    for field in required:
        if _cell(record, field) is None:
            raise _row_error(index, field, "missing; enter a value (see the column's help).")
    ints = {field: _int_cell(index, field, _cell(record, field)) for field in ("kernel_size", "stride", "repeats")}
    groups, stage_value = _cell(record, "groups"), _cell(record, "stage")
    return DesignRow(
        kind=str(kind), out_channels=_int_cell(index, "out_channels", _cell(record, "out_channels") or 1),
        expansion=float(_cell(record, "expansion") or 1.0), se_ratio=float(_cell(record, "se_ratio") or 0.0),
        activation=str(_cell(record, "activation") or activation), skip=_cell(record, "skip") is not False,
        groups=1 if groups is None else _int_cell(index, "groups", groups),
        stage=stage if stage_value is None else _int_cell(index, "stage", stage_value), **ints,
    )


def rows_from_records(records: Iterable[Mapping[str, Any]], activation: str) -> tuple[DesignRow, ...]:
    """Every grid row -> :class:`DesignRow`; a row with a blank stage gets a stage of its own."""
    rows: list[DesignRow] = []
    for index, record in enumerate(records, start=1):
        fresh = max((row.stage for row in rows), default=0) + 1
        rows.append(row_from_record(index, record, activation, fresh))
    return tuple(rows)


def _design_row(row: BlockRow, stage: int) -> DesignRow:
    hidden = row.expanded_channels
    expansion = round(hidden / row.in_channels, 2) if hidden is not None else row.expansion
    return DesignRow(
        kind=row.operator, out_channels=row.out_channels, repeats=row.repeats, kernel_size=row.kernel_size,
        stride=row.stride, expansion=max(1.0, expansion), se_ratio=row.se_ratio, activation=row.activation,
        skip=row.skip, groups=row.groups or 1, stage=stage,
    )


def design_from_table(table: NetworkTable, width_mult: float = 1.0, depth_mult: float = 1.0) -> DesignSpec:
    """A network table (final widths) as a design: one stage per row, hidden widths as expansions.

    ``width_mult`` and ``depth_mult`` are applied on top (use the base table with the preset's
    multipliers, as for EfficientNet-B1..B7 on B0's table).
    """
    return DesignSpec(
        rows=tuple(_design_row(row, stage) for stage, row in enumerate(table.rows, start=1)),
        stem_channels=table.stem.out_channels, head_channels=table.head.conv_channels or 0,
        head_fc=table.head.hidden_features or 0, activation=table.stem.activation, resolution=table.resolution,
        num_classes=table.num_classes, width_mult=width_mult, depth_mult=depth_mult,
    )


PRESET_NAMES = (
    "mobilenet_v1", "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small",
    *(f"efficientnet_b{i}" for i in range(8)), "efficientnet_v2_s", "efficientnet_v2_m", "efficientnet_v2_l",
)


def preset_design(name: str) -> DesignSpec:
    """The preset ``name`` at its own settings as a design; it counts exactly what the preset counts.

    EfficientNet-B1..B7 are B0's table with the released width and depth multipliers, as in the paper.
    """
    spec = network_spec(name)
    if name.startswith("efficientnet_b"):
        base = network_table(network_spec("efficientnet_b0", resolution=spec.resolution))
        return design_from_table(base, spec.width_mult, spec.depth_mult)
    return design_from_table(network_table(spec))
