"""Formatters for numbers a person reads: one per kind of number (counts as 385.81M, the cost unit)."""

from __future__ import annotations

COST_UNITS = ("MACs", "FLOPs")


def short_count(value: float, precision: str = ".3g") -> str:
    """A short human reading of a count: ``5288548`` -> ``5.29M`` (``precision`` formats the mantissa)."""
    for limit, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= limit:
            return f"{value / limit:{precision}}{suffix}"
    return f"{value:.3g}"
