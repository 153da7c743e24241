"""Charts of the referee: each counter's total as a stack of this project's categories, and a map
of which layer types each counter skips or counts differently (data in, plotly Figure out)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from explorer.figures.style import color, require_columns, styled_figure
from explorer.formatting import short_count

RESIDUAL = "residual"
SKIP_COLOUR, SAME_COLOUR, MORE_COLOUR = "#d6604d", "#f7f7f7", "#4393c3"


def category_label(category: str) -> str:
    """``se_multiply`` -> ``SE multiply``; ``MACs`` stays."""
    return {"MACs": "MACs (conv + linear)", "se_multiply": "SE multiply"}.get(category, category.replace("_", " "))


def totals_figure(stacks: pd.DataFrame, style: str = "screen") -> go.Figure:
    """One horizontal bar per counter, split into the categories its rule counts (plus any residual).

    Args:
        stacks: one row per (``counter``, ``category``, ``count``), counters in display order; the
            category ``residual`` is drawn grey.
    """
    require_columns(stacks, ["counter", "category", "count"], "referee totals")
    counters = list(dict.fromkeys(stacks["counter"]))
    categories = [c for c in dict.fromkeys(stacks["category"]) if c != RESIDUAL] + [RESIDUAL]
    data = []
    for index, category in enumerate(categories):
        part = stacks[stacks["category"] == category].set_index("counter")["count"]
        if part.empty:
            continue
        values = [int(part.get(counter, 0)) for counter in counters]
        data.append({
            "type": "bar", "orientation": "h", "name": category_label(category), "y": counters, "x": values,
            "marker": {"color": "#9e9e9e" if category == RESIDUAL else color(style, index)},
            "hovertemplate": f"{category_label(category)}: %{{x:,}}<extra>%{{y}}</extra>",
        })
    totals = stacks.groupby("counter", sort=False)["count"].sum()
    data.append({
        "type": "scatter", "mode": "text", "x": [int(totals[c]) for c in counters], "y": counters, "showlegend": False,
        "text": [f"  {short_count(int(totals[c]), '.1f')}" for c in counters], "textposition": "middle right",
        "hoverinfo": "skip", "cliponaxis": False,
    })
    layout = {
        "barmode": "stack", "yaxis": {"autorange": "reversed", "title": {"text": ""}},
        "xaxis": {"title": {"text": "operations counted, in MACs (FlopCounterMode: its FLOPs / 2)"},
                  "range": [0, 1.16 * max(totals.max(), 1)]},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0, "traceorder": "normal"},
        "margin": {"b": 130},
    }
    return styled_figure(data, layout, style, "What each counter adds to its total")


def _cell(ratio: float | None) -> float:
    """Colour value: log2 of tool / ours, clipped to [-1.5, 1.5]; a skipped layer type is -2, an extra one +2."""
    if ratio is None:
        return 2.0
    return -2.0 if ratio == 0 else max(-1.5, min(1.5, math.log2(ratio)))


def disagreement_figure(by_type: pd.DataFrame, tools: list[str], style: str = "screen") -> go.Figure:
    """Layer types (rows) x counters (columns): same as ours, skipped, or counted N times ours.

    Args:
        by_type: one row per layer type and part, with ``row``, ``layers``, ``ours`` and for each
            tool label ``<label>`` (its count) and ``<label> verdict`` (``same``, ``skips``, ``2×``...).
        tools: the tool labels, in column order.
    """
    require_columns(by_type, ["row", "layers", "ours", *tools, *(f"{t} verdict" for t in tools)], "referee by type")
    rows = list(by_type["row"])
    z, text, hover = [], [], []
    for _, record in by_type.iterrows():
        ours = int(record["ours"])
        z.append([_cell(int(record[t]) / ours if ours else (None if int(record[t]) else 1.0)) for t in tools])
        text.append([record[f"{t} verdict"] for t in tools])
        hover.append([f"{t}: {int(record[t]):,}<br>ours: {ours:,}<br>{int(record['layers'])} layer(s)" for t in tools])
    data = [{
        "type": "heatmap", "z": z, "x": tools, "y": rows, "text": text, "texttemplate": "%{text}",
        "customdata": hover, "hovertemplate": "%{y}<br>%{customdata}<extra></extra>", "zmin": -2, "zmax": 2,
        "colorscale": [[0.0, SKIP_COLOUR], [0.5, SAME_COLOUR], [1.0, MORE_COLOUR]], "showscale": False,
        "xgap": 2, "ygap": 2,
    }]
    layout = {
        "xaxis": {"side": "top", "showline": False, "ticks": ""},
        "yaxis": {"autorange": "reversed", "showline": False, "ticks": "", "showgrid": False},
        "height": max(320, 60 + 34 * len(rows)), "margin": {"t": 110},
    }
    return styled_figure(data, layout, style, "Each counter against ours, by layer type (red: skipped, blue: more)")
