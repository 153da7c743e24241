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
