"""Formatters for numbers a person reads: one per kind of number (counts as 385.81M, the cost unit)."""

from __future__ import annotations

COST_UNITS = ("MACs", "FLOPs")


COUNT_UNITS = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K"))


def short_count(value: float, precision: str = ".3g") -> str:
    """A short human reading of a count: ``5288548`` -> ``5.29M`` (``precision`` formats the mantissa)."""
    for limit, suffix in COUNT_UNITS:
        if abs(value) >= limit:
            return f"{value / limit:{precision}}{suffix}"
    return f"{value:.3g}"


def error_text(value: float) -> str:
    """A relative error (``||X - X̂|| / ||X||``) to three significant digits, trailing zeros kept:
    ``0.97`` -> ``0.970``, ``0.43251`` -> ``0.433``, ``0.0012345`` -> ``0.00123``."""
    return f"{value:#.3g}"


def printed_count(value: float) -> str:
    """A paper's rounded figure at the precision it was printed, no more: ``390e6`` -> ``390M``, ``5.3e6`` -> ``5.3M``.

    The fewest decimals (up to 6) that give back ``value`` are kept, so ``59.2e6`` stays ``59.2M`` and
    ``4866e6`` reads ``4.866G``; :func:`short_count` would pad them to a fixed precision (``390.00M``).
    """
    limit, suffix = next(((limit, suffix) for limit, suffix in COUNT_UNITS if abs(value) >= limit), (1.0, ""))
    mantissa = value / limit
    decimals = next((d for d in range(7) if abs(round(mantissa, d) - mantissa) <= 1e-9 * abs(mantissa)), 6)
    return f"{mantissa:.{decimals}f}{suffix}"


PARAMETER_LABELS: dict[str, str] = {
    "in_channels": "input channels",
    "out_channels": "output channels",
    "size": "input size (H = W)",
    "kernel_size": "kernel size",
    "stride": "stride",
    "padding": "padding",
    "dilation": "dilation",
    "groups": "groups",
    "expansion": "expansion ratio",
    "expanded_channels": "expanded channels",
    "se_ratio": "SE ratio",
    "activation": "activation",
    "gate": "SE gate",
    "norm": "normalisation",
    "bias": "conv bias",
    "drop_connect": "drop-connect probability",
    "width_mult": "width multiplier",
    "resolution": "resolution",
    "num_classes": "classes",
}
"""How a person reads each hyperparameter (the machine names stay in JSON, the CLI and the URL)."""


def parameter_label(name: str) -> str:
    """``out_channels`` -> ``output channels``; an unknown name is returned with spaces for underscores."""
    return PARAMETER_LABELS.get(name, name.replace("_", " "))


def threads_text(threads: int) -> str:
    """``1 thread``, ``2 threads``: how many torch threads a measurement used."""
    return f"{threads} thread" if threads == 1 else f"{threads} threads"


CONTAINERS: dict[str, str] = {"blocks": "block", "features": "block", "layers": "layer", "layer": "layer", "stages": "stage"}
"""Containers whose children are numbered: ``blocks.0`` reads ``block 1`` (numbers count from 1)."""

LAYER_PARTS: dict[str, str] = {
    "conv_pw": "pointwise conv", "conv_dw": "depthwise conv", "conv_pwl": "projection conv",
    "conv_fused": "fused conv", "conv_kx1": "k x 1 conv", "conv_1xk": "1 x k conv", "conv_stem": "stem conv",
    "conv_head": "head conv", "conv": "conv", "bn": "BN", "act": "activation", "se": "SE", "gate": "gate",
    "scale": "scale", "pool": "pool", "fc": "FC", "classifier": "classifier", "stem": "stem", "head": "head",
    "flatten": "flatten", "dropout": "dropout", "add": "residual add", "shortcut": "shortcut", "block": "part",
}
"""How a person reads the parts of a layer path (the machine path stays in JSON and in CSV ``layer`` columns)."""

SE_PARTS = {"fc1": "reduce FC", "fc2": "expand FC", "act": "activation"}


def _path_parts(name: str) -> list[str]:
    """``a.b.c`` or an ONNX scope ``/features/features.3/conv/conv.1/Conv`` as ``[features, 3, conv, 1, Conv]``."""
    segments = [segment for segment in str(name).split("/") if segment]
    kept = [s for s, after in zip(segments, [*segments[1:], ""][: len(segments)], strict=True) if not after.startswith(s + ".")]
    return [part for part in ".".join(kept).split(".") if part]


def _part_word(part: str, previous: str | None) -> str:
    if previous == "se" and part in SE_PARTS:
        return SE_PARTS[part]
    if part in LAYER_PARTS:
        return LAYER_PARTS[part]
    base, number = part.rstrip("0123456789"), part[len(part.rstrip("0123456789")):]
    if base and number:  # layer1, conv2, bn3: already counted from 1 by whoever named them
        return f"{CONTAINERS.get(base, LAYER_PARTS.get(base, base.replace('_', ' ')))} {int(number)}"
    return part.replace("_", " ")


def layer_label(name: str) -> str:
    """A dotted layer path as a person reads it: ``blocks.0.se`` -> ``block 1 · SE``,
    ``features.3.conv.1`` -> ``block 4 · conv 2``, ``stages.1.0.conv_dw.conv`` -> ``stage 3 · block 1 · depthwise conv``.

    Numbers count from 1. The project's networks number their stages as the papers' tables and the
    Networks page do: the stem is stage 1, so ``stages.i`` is stage ``i + 2`` and its block ``j`` is
    block ``j + 1``. Further indices join with a dot (timm's ``blocks.2.1`` -> ``block 3.2``). A conv
    inside a named conv unit takes the unit's name (``conv_dw.conv`` -> ``depthwise conv``).
    """
    parts = _path_parts(name)
    words: list[str] = []
    index = 0
    while index < len(parts):
        part, following = parts[index], parts[index + 1] if index + 1 < len(parts) else ""
        previous = parts[index - 1] if index else None
        if part in CONTAINERS and following.isdigit():
            offset = 2 if part == "stages" and index == 0 else 1
            word, index = f"{CONTAINERS[part]} {int(following) + offset}", index + 2
            if part == "stages" and index < len(parts) and parts[index].isdigit():
                words.append(word)
                word, index = f"block {int(parts[index]) + 1}", index + 1
            while index < len(parts) and parts[index].isdigit():
                word, index = f"{word}.{int(parts[index]) + 1}", index + 1
            words.append(word)
            continue
        if part.isdigit():
            words.append(f"layer {int(part) + 1}")
        elif following.isdigit():
            word = _part_word(part, previous)
            words.append(f"{word}{'.' if word[-1].isdigit() else ' '}{int(following) + 1}")
            index += 1
        elif not (part == "conv" and words and words[-1].endswith("conv")):
            words.append(_part_word(part, previous))
        index += 1
    return " · ".join(words) or str(name) or "(whole model)"
