"""What cost buys: every preset's published ImageNet top-1 against its counted MACs, params and measured latency.

Top-1 figures come from the papers' own tables (:mod:`explorer.models.networks.papers`, each
with paper and table); MACs and params are counted here (:func:`explorer.analysis.counting.network_totals`);
latency is measured on this machine on request (:mod:`explorer.analysis.presets`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from explorer.analysis.counting import network_totals
from explorer.analysis.measure import Latency
from explorer.artifacts.base import PageArtifacts, value_field
from explorer.figures.accuracy import accuracy_figure, pareto_mask
from explorer.models.networks.papers import paper_figure, published_presets
from explorer.models.networks.tables import NetworkSpec

SHORT_FAMILY = {
    "mobilenet_v1": "V1", "mobilenet_v2": "V2", "mobilenet_v3_large": "V3-L", "mobilenet_v3_small": "V3-S",
}
FAMILY_LABEL = {
    "mobilenet_v1": "MobileNetV1", "mobilenet_v2": "MobileNetV2", "mobilenet_v3_large": "MobileNetV3-Large",
    "mobilenet_v3_small": "MobileNetV3-Small",
}


def member_label(spec: NetworkSpec) -> str:
    """A short name for a chart: ``V1 0.75-224``, ``V1 1-224 full conv``, ``B3``, ``V2-S``."""
    if spec.name in SHORT_FAMILY:
        return f"{SHORT_FAMILY[spec.name]} {spec.width_mult:g}-{spec.resolution}" + (" full conv" if spec.full_conv else "")
    if spec.name.startswith("efficientnet_v2"):
        return f"V2-{spec.name[-1].upper()}"
    return spec.name.split("_")[1].upper()


def _family(spec: NetworkSpec) -> str:
    if spec.name.startswith("efficientnet_v2"):
        return "EfficientNetV2"
    return FAMILY_LABEL.get(spec.name, "EfficientNet")


def accuracy_frame(latencies: Mapping[NetworkSpec, Latency] | None = None) -> pd.DataFrame:
    """One row per preset with a published top-1: name, family, top-1 and source, params, MACs, latency.

    ``on front (MACs)`` and ``on front (params)`` (and ``on front (latency)`` for measured rows) mark
    the Pareto front: no other preset is both cheaper and more accurate.
    """
    latencies = latencies or {}
    rows = []
    for spec, figure in published_presets():
        params, macs = network_totals(spec)
        latency = latencies.get(spec)
        rows.append({
            "member": member_label(spec), "family": _family(spec), "resolution": spec.resolution,
            "top1": figure.top1, "source": figure.top1_source, "params": params, "MACs": macs,
            "latency ms": latency.median_s * 1e3 if latency else float("nan"),
            "latency IQR ms": latency.iqr_s * 1e3 if latency else float("nan"),
        })
    frame = pd.DataFrame(rows)
    for column, name in (("MACs", "MACs"), ("params", "params"), ("latency ms", "latency")):
        frame[f"on front ({name})"] = pareto_mask(frame[column], frame["top1"])
    return frame


@dataclass(frozen=True)
class AccuracyArtifacts(PageArtifacts):
    """The accuracy section of the Networks page: the chart, then the table it draws."""

    accuracy_chart: go.Figure
    accuracy_table: pd.DataFrame
    current_top1: float | None = value_field(default=None)


def accuracy_artifacts(spec: NetworkSpec, style: str,
                       latencies: Mapping[NetworkSpec, Latency] | None = None) -> AccuracyArtifacts:
    """The chart and table for the network on screen ``spec`` (placed on the cost axes only if unpublished)."""
    frame = accuracy_frame(latencies)
    figure = paper_figure(spec)
    params, macs = network_totals(spec)
    latency = (latencies or {}).get(spec)
    top1 = figure.top1 if figure else None
    current = {"label": spec.label, "top1": top1, "MACs": macs, "params": params,
               "latency ms": latency.median_s * 1e3 if latency else None}
    return AccuracyArtifacts(accuracy_figure(frame, current, style), frame, top1)
