"""A network's cost report by the paper's stages and by operation type, as plain rows (no pandas).

The stages are the rows of each paper's architecture table: stage 1 is the stem, then one stage
per block row, then the head (MobileNetV2 Table 2, https://arxiv.org/abs/1801.04381; EfficientNet
Table 1, https://arxiv.org/abs/1905.11946). The command line prints these rows as JSON; the
Networks page shows them as tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from explorer.analysis.costs import CostReport, LayerCost
from explorer.models.networks.tables import NetworkSpec, block_specs, network_table


def stage_number(name: str, last: int) -> int:
    """Paper stage number of a layer: 1 is the stem, 2.. are the table rows, ``last`` the head."""
    top, _, rest = name.partition(".")
    if top == "stem":
        return 1
    if top == "stages":
        return int(rest.split(".")[0]) + 2
    return last


def _conv_operation(layer: LayerCost) -> str:
    channels = layer.input_shape[0] if layer.input_shape else 0
    if layer.groups and layer.groups > 1 and layer.groups == channels:
        return "depthwise"
    return "1x1 conv" if layer.kernel == "1x1" else f"{layer.kernel} conv"


def layer_operations(layers: Sequence[LayerCost]) -> list[str]:
    """Operation type per row: stem, 1x1 conv, depthwise, k x k conv, SE, residual add, head, classifier.

    BatchNorm and activation rows take the type of the conv of their Conv-Norm-Act unit.
    """
    unit_types: dict[str, str] = {}
    operations = []
    for layer in layers:
        top = layer.name.split(".")[0]
        unit, _, leaf = layer.name.rpartition(".")
        if top in ("stem", "head", "classifier"):
            operation = top
        elif ".se." in layer.name:
            operation = "SE"
        elif leaf in ("residual", "drop_path"):
            operation = "residual add"
        elif layer.type == "Conv2d":
            operation = unit_types.setdefault(unit, _conv_operation(layer))
        else:
            operation = unit_types.get(unit, "other")
        operations.append(operation)
    return operations


def layer_rows(spec: NetworkSpec, report: CostReport) -> list[dict[str, Any]]:
    """One row per layer of :meth:`LayerCost.as_row`, with its paper stage and operation type after its name."""
    last = len(network_table(spec).rows) + 2
    rows = []
    for layer, operation in zip(report.layers, layer_operations(report.layers), strict=True):
        row = layer.as_row()
        rows.append({"layer": row.pop("layer"), "stage": stage_number(layer.name, last), "operation": operation} | row)
    return rows


def percent(value: float, total: float) -> float:
    """``100 * value / total`` to two decimals, rounded as pandas and NumPy round (half to even); 0 if no total."""
    return round(100.0 * value / total * 100) / 100 if total else 0.0


def stage_rows(spec: NetworkSpec, layers: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The paper's table (stage, operator, input resolution, channels, layers) with params, MACs and shares.

    Args:
        spec: the network.
        layers: its per-layer rows, each with ``stage``, ``params`` and ``MACs`` (see :func:`layer_rows`).
    """
    table = network_table(spec)
    specs = block_specs(table)
    stem_out = specs[0][0].size if specs and specs[0] else table.resolution
    kernel = table.stem.kernel_size
    rows = [(f"Conv{kernel}x{kernel}", table.resolution, table.stem.out_channels, 1)]
    rows += [(row.label, stage[0].size, row.out_channels, row.repeats) for row, stage in zip(table.rows, specs, strict=True)]
    last = specs[-1][-1]
    rows.append((table.head.label, last.output_size if specs else stem_out, table.features, 1))
    sums: dict[int, list[int]] = {}
    for layer in layers:
        totals = sums.setdefault(int(layer["stage"]), [0, 0])
        totals[0] += int(layer["params"])
        totals[1] += int(layer["MACs"])
    params, macs = (sum(totals[i] for totals in sums.values()) for i in (0, 1))
    stages = []
    for number, (operator, size, channels, count) in enumerate(rows, start=1):
        stage_params, stage_macs = sums.get(number, (0, 0))
        stages.append({
            "stage": number, "operator": operator, "input resolution": f"{size}x{size}", "channels": channels,
            "layers": count, "params": stage_params, "MACs": stage_macs,
            "% params": percent(stage_params, params), "% MACs": percent(stage_macs, macs),
        })
    return stages
