"""Everything the referee panel shows for one module: the peer counters' totals beside ours, how
each total is made of our categories, and which layers each counter skips or counts differently.

The Blocks and Networks pages, the design and brought-model pages and ``python -m explorer peers``
all go through :func:`referee_artifacts` (tables and charts) or :meth:`RefereeReport.to_dict` (JSON).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import pandas as pd
import plotly.graph_objects as go

from explorer.analysis.peer_rules import CATEGORIES, TOOLS, PeerTool
from explorer.analysis.peers import PeerCount, RefereeReport
from explorer.artifacts.base import PageArtifacts, named_layers, value_field
from explorer.figures.referee import RESIDUAL, category_label, disagreement_figure, totals_figure

OURS_MACS, OURS_ALL = "this project: MACs", "this project: every op"
NOT_A_LEAF = "(own code of a container)"


@dataclasses.dataclass(frozen=True)
class RefereeArtifacts(PageArtifacts):
    """The referee's charts and tables, in display order; ``name`` prefixes the export file names."""

    totals_chart: go.Figure
    totals: pd.DataFrame
    disagreement_chart: go.Figure | None
    by_type: pd.DataFrame
    layers: pd.DataFrame
    rules: pd.DataFrame
    tools: tuple[PeerTool, ...] = value_field()  # the rows of ``rules``: each counter's convention
    name: str = value_field(default="referee")

    def file_name(self, field: str) -> str:
        return f"{self.name}_referee_{field}"


def _status(peer: PeerCount) -> str:
    if peer.error:
        return peer.error
    if not peer.residual_layers:
        return "adds up exactly"
    located = ", ".join(f"{name or 'top level'} {count:+,}" for name, count in list(peer.residual_layers.items())[:4])
    return f"residual {peer.residual:+,}: {located}"


def totals_table(report: RefereeReport) -> pd.DataFrame:
    """One row per counter: its number as printed, in MACs, against ours, and its parts by category."""
    ours = report.ours.macs
    rows = [{"counter": "this project", "version": "", "reports": ours, "unit": "MACs", "MACs": ours, "vs our MACs": "",
             **{category_label(c): report.ours_explained.get(c) for c in CATEGORIES}, RESIDUAL: None,
             "status": "other categories counted separately, never added to MACs", "seconds": None}]
    for peer in report.peers:
        tool = TOOLS[peer.tool]
        rows.append({
            "counter": peer.label, "version": tool.version, "reports": peer.reported, "unit": peer.unit,
            "MACs": peer.macs, "vs our MACs": f"{100 * (peer.macs / ours - 1):+.2f}%" if peer.macs is not None and ours else "",
            **{category_label(c): peer.explained.get(c) for c in CATEGORIES}, RESIDUAL: None if peer.error else peer.residual,
            "status": _status(peer), "seconds": round(peer.seconds, 2),
        })
    frame = pd.DataFrame(rows)
    empty = [category_label(c) for c in CATEGORIES if frame[category_label(c)].isna().all()]
    frame = frame.drop(columns=empty)
    counts = ["reports", "MACs", *(category_label(c) for c in CATEGORIES if category_label(c) in frame), RESIDUAL]
    return frame.astype({column: "Int64" for column in counts})


def totals_stacks(report: RefereeReport) -> pd.DataFrame:
    """Long table for :func:`~explorer.figures.referee.totals_figure`: counter, category, count."""
    rows = [{"counter": OURS_MACS, "category": "MACs", "count": report.ours.macs}]
    rows += [{"counter": OURS_ALL, "category": c, "count": n} for c, n in report.ours_explained.items() if n]
    for peer in report.peers:
        if peer.error:
            continue
        rows += [{"counter": peer.label, "category": c, "count": n} for c, n in peer.explained.items()]
        if peer.residual:
            rows.append({"counter": peer.label, "category": RESIDUAL, "count": peer.residual})
    return pd.DataFrame(rows)


def _verdict(tool: int, ours: int) -> str:
    if tool == ours:
        return "same" if ours else ""
    if ours == 0:
        return "extra"
    if tool == 0:
        return "skips"
    ratio = tool / ours
    if 0.9 < ratio < 1.1:
        return f"{tool - ours:+,}"
    return f"{ratio:.2g}×" if ratio >= 0.1 else f"÷{1 / ratio:,.0f}"


def _row_label(layer_type: str, part: str, category: str) -> str:
    return layer_type if part == category and category != "MACs" else f"{layer_type} {category_label(part).split(' (')[0]}"


def by_type_table(report: RefereeReport) -> pd.DataFrame:
    """Per layer type and part (a conv's MACs and its bias apart): ours and each counter's rule, with a verdict.

    Counts a counter's rule gives for the part, summed over the layers of that type; a residual
    (what the rule does not explain) gets its own ``unexplained`` row per type.
    """
    peers = [peer for peer in report.peers if not peer.error]
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    layers: dict[tuple[str, str], set[str]] = defaultdict(set)
    type_of = {call.name: call.type for call in report.calls}
    for call in report.calls:
        parts = {part for part, n in call.ours.items() if n} | {p for peer in peers for p in (call.rules[peer.tool] or {})}
        for part in parts:
            key = (_row_label(call.type, part, call.category), part)
            sums[key]["ours"] += call.ours.get(part, 0)
            layers[key].add(call.name)
            for peer in peers:
                sums[key][peer.label] += (call.rules[peer.tool] or {}).get(part, 0)
    for peer in peers:
        for name, count in peer.residual_layers.items():
            key = (f"{type_of.get(name, NOT_A_LEAF)} unexplained", RESIDUAL)
            sums[key][peer.label] += count
            layers[key].add(name)
    rows = []
    for (label, part), counts in sums.items():
        row = {"row": label, "layers": len(layers[(label, part)]), "ours": counts["ours"]}
        for peer in peers:
            row |= {peer.label: counts[peer.label], f"{peer.label} verdict": _verdict(counts[peer.label], counts["ours"])}
        rows.append(row)
    return pd.DataFrame(rows)


def layers_table(report: RefereeReport) -> pd.DataFrame:
    """One row per layer (module name, calls summed): our count, each counter's own count, and who differs."""
    ours: dict[str, int] = defaultdict(int)
    info: dict[str, tuple[str, str]] = {}
    for call in report.calls:
        ours[call.name] += sum(call.ours.values())
        info.setdefault(call.name, (call.type, call.category))
    peers = [peer for peer in report.peers if not peer.error]
    names = list(dict.fromkeys([*ours, *(name for peer in peers for name in peer.layers)]))
    rows = []
    for name in names:
        layer_type, category = info.get(name, (NOT_A_LEAF, "other"))
        row = {"layer": name or "(top level)", "type": layer_type, "category": category, "ours": ours.get(name, 0)}
        verdicts = []
        for peer in peers:
            count = peer.layers.get(name, 0)
            row[peer.label] = count
            verdict = _verdict(count, row["ours"])
            if name in peer.residual_layers:
                verdict += f" ({peer.residual_layers[name]:+,} unexplained)"
            if verdict not in ("same", ""):
                verdicts.append(f"{peer.label} {verdict}")
        row["who differs"] = "; ".join(verdicts)
        rows.append(row)
    return pd.DataFrame(rows)


def rules_table() -> pd.DataFrame:
    """Each counter's convention, read from its pinned source."""
    return pd.DataFrame([{"counter": t.label, "version": t.version, "reports": t.unit, "what it counts": t.convention}
                         for t in TOOLS.values()])


def referee_artifacts(report: RefereeReport, name: str = "referee", style: str = "screen") -> RefereeArtifacts:
    """Every chart and table of the referee panel for ``report``."""
    by_type = by_type_table(report)
    labels = [peer.label for peer in report.peers if not peer.error]
    chart = disagreement_figure(by_type, labels, style) if labels and not by_type.empty else None
    return RefereeArtifacts(
        totals_chart=totals_figure(totals_stacks(report), style), totals=totals_table(report),
        disagreement_chart=chart, by_type=by_type, layers=named_layers(layers_table(report)), rules=rules_table(),
        tools=tuple(TOOLS.values()), name=name,
    )
