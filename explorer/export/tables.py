"""Tables to bytes: CSV, Markdown and LaTeX (booktabs), with the unit of every column in its header."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from explorer.export.formats import TABLE_FORMATS, check_format


def _column_unit(column: str, explicit: Mapping[str, str]) -> str:
    if column in explicit:
        return explicit[column]
    if column in UNITS:
        return UNITS[column]
    if column.startswith("% ") or " vs " in column:
        return "%" if column.startswith("% ") else "×"
    return next((unit for suffix, unit in UNIT_SUFFIXES if column.endswith(suffix)), "")


def with_units(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose headers carry their unit: ``params (count)``, ``% MACs`` -> ``MACs (%)``.

    A table can name its units explicitly in ``frame.attrs["units"]`` (column -> unit);
    otherwise the unit comes from the counting conventions (params and MACs are counts,
    shapes are C × H × W, ``* bytes`` columns are bytes). Headers that already hold a unit
    in brackets are left as they are.
    """
    explicit = frame.attrs.get("units", {})
    names = {}
    for column in map(str, frame.columns):
        unit = _column_unit(column, explicit)
        if "(" in column or "[" in column or not unit:
            names[column] = column
        elif column.startswith("% "):
            names[column] = f"{column[2:]} (%)"
        elif column.endswith(f" {unit}"):
            names[column] = f"{column[: -len(unit) - 1]} ({unit})"
        else:
            names[column] = f"{column} ({unit})"
    renamed = frame.copy()
    renamed.columns = [names[str(column)] for column in frame.columns]
    return renamed


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _cell_text(value: Any, thousands: str) -> str:
    """One cell for a human-read table: integers with thousands separators, floats to 4 decimals."""
    if _is_missing(value):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int) or (hasattr(value, "dtype") and pd.api.types.is_integer_dtype(value.dtype)):
        return f"{int(value):,}".replace(",", thousands)
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".").replace(",", thousands)
    return str(value)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def with_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where every float column holding only whole numbers (and blanks) is an integer column.

    A column of counts with one missing value becomes float in pandas (``groups`` 32.0); a reader
    and a spreadsheet expect 32.
    """
    converted = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            present = values.dropna()
            if len(present) and ((present % 1) == 0).all() and (present.abs() < 2**53).all():
                converted[column] = values.astype("Int64")
    return converted


def table_to_csv(frame: pd.DataFrame) -> bytes:
    """CSV with unit-bearing headers and raw (unformatted) numbers; whole-number columns stay integers."""
    return with_units(with_integers(frame)).to_csv(index=False).encode("utf-8")


def _markdown_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_to_markdown(frame: pd.DataFrame) -> bytes:
    """A GitHub-flavoured Markdown table; numeric columns right-aligned."""
    table = with_units(frame)
    header = "| " + " | ".join(_markdown_escape(str(column)) for column in table.columns) + " |"
    rule = "|" + "|".join("---:" if _is_numeric(table[column]) else ":---" for column in table.columns) + "|"
    rows = [
        "| " + " | ".join(_markdown_escape(_cell_text(value, ",")) for value in row) + " |"
        for row in table.itertuples(index=False, name=None)
    ]
    return ("\n".join([header, rule, *rows]) + "\n").encode("utf-8")


LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "×": r"$\times$", "→": r"$\rightarrow$", "²": r"$^2$",
    "·": r"$\cdot$", "≈": r"$\approx$", "≤": r"$\leq$", "≥": r"$\geq$", "µ": r"$\mu$", "μ": r"$\mu$", "—": "---", "–": "--",
}


def latex_escape(text: str) -> str:
    """``text`` with LaTeX's special characters and common symbols (×, →, ²) made safe for pdflatex."""
    return "".join(LATEX_SPECIAL.get(char, char) for char in str(text))


def _latex_cell(value: Any) -> str:
    if isinstance(value, str):
        return latex_escape(value)
    return latex_escape(_cell_text(value, ",")).replace(",", "{,}")


def table_to_latex(frame: pd.DataFrame, caption: str = "", label: str = "") -> bytes:
    """A booktabs table (``\\toprule``/``\\midrule``/``\\bottomrule``); needs ``\\usepackage{booktabs}``.

    Numeric columns are right-aligned with ``{,}`` thousands separators (prints 5,288,548).
    """
    table = with_units(frame)
    align = "".join("r" if _is_numeric(table[column]) else "l" for column in table.columns)
    lines = ["% Requires \\usepackage{booktabs}", "\\begin{table}[ht]", "\\centering"]
    if caption:
        lines.append(f"\\caption{{{latex_escape(caption)}}}")
    if label:
        lines.append(f"\\label{{{label}}}")
    lines += [f"\\begin{{tabular}}{{{align}}}", "\\toprule"]
    lines.append(" & ".join(latex_escape(str(column)) for column in table.columns) + " \\\\")
    lines.append("\\midrule")
    for row in table.itertuples(index=False, name=None):
        lines.append(" & ".join(_latex_cell(value) for value in row) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}", "\\end{table}"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def table_to_bytes(frame: pd.DataFrame, fmt: str, caption: str = "") -> bytes:
    """A table as CSV, Markdown (``md``) or LaTeX booktabs (``tex``) bytes."""
    fmt = check_format(fmt, TABLE_FORMATS, "table")
    if fmt == "csv":
        return table_to_csv(frame)
    if fmt == "md":
        return table_to_markdown(frame)
    return table_to_latex(frame, caption=caption)


UNITS: dict[str, str] = {
    "params": "count",
    "macs": "count",
    "MACs": "count",
    "flops": "count",
    "FLOPs": "count",
    "count": "count",
    "input": "C × H × W",
    "output": "C × H × W",
    "kernel": "px",
    "stride": "px",
    "size": "px",
    "value": "",
    "ratio": "×",
    "formula_ratio": "×",
}


UNIT_SUFFIXES: tuple[tuple[str, str], ...] = ((" ops", "count"), (" bytes", "bytes"), ("_params", "count"), ("_macs", "count"))
