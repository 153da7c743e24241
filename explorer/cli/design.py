"""``python -m explorer network custom --arch ARCH ...``: a design in timm's notation, counted like a preset.

ARCH is timm's ``arch_def`` (https://github.com/huggingface/pytorch-image-models, ``_efficientnet_builder.py``)
as JSON text, a Python literal, the one-line link form, or ``@file.json``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from explorer.analysis.breakdown import layer_rows, stage_rows
from explorer.analysis.counting import count_network
from explorer.models.networks.design import DesignSpec, parse_arch

DESIGN_OPTIONS: tuple[tuple[str, type, str], ...] = (
    ("arch", str, "custom: timm's arch_def as JSON text, or @file.json"),
    ("stem_channels", int, "custom: stem width (default 32)"),
    ("head_channels", int, "custom: last 1x1 conv width, 0 for none (default 1280)"),
    ("head_fc", int, "custom: an FC before the classifier (MobileNetV3's 1280), 0 for none (default 0)"),
    ("activation", str, "custom: the network's activation (stem, head, rows without n<act>; default swish)"),
    ("depth_mult", float, "custom: depth multiplier (default 1)"),
)


def add_design_options(parser: argparse.ArgumentParser) -> None:
    for name, kind, text in DESIGN_OPTIONS:
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind, default=None, help=text)


def _arch_text(arch: str | None) -> str:
    if not arch:
        raise ValueError("arch: network custom needs --arch, e.g. --arch '[[\"ds_r1_k3_s1_e1_c16\"], [\"ir_r2_k3_s2_e6_c24\"]]'.")
    if arch.startswith("@"):
        path = Path(arch[1:])
        if not path.is_file():
            raise ValueError(f"arch: no file {str(path)!r}.")
        return path.read_text(encoding="utf-8")
    return arch


def design_from_args(args: argparse.Namespace) -> DesignSpec:
    """The :class:`DesignSpec` the flags describe (flags left out take the defaults above)."""
    activation = args.activation or "swish"
    values: dict[str, Any] = {name: getattr(args, name) for name in ("stem_channels", "head_channels", "head_fc",
                              "resolution", "num_classes", "width_mult", "depth_mult") if getattr(args, name) is not None}
    return DesignSpec(rows=parse_arch(_arch_text(args.arch), activation), activation=activation, **values)


def design_payload(design: DesignSpec) -> dict[str, Any]:
    """The same JSON shape as ``network NAME --json``: spec, totals, other ops, stages and layers."""
    report = count_network(design)
    layers = layer_rows(design, report)
    return {
        "name": design.name, "label": design.label, "spec": design.to_dict(), "params": report.params,
        "macs": report.macs, "flops": report.flops, "resolution": design.resolution, "paper": None, "ops": report.ops,
        "stages": stage_rows(design, layers), "layers": layers,
    }


def print_design(design: DesignSpec) -> None:
    from explorer.cli.main import format_count

    report = count_network(design)
    print(f"{design.label}: input 3 x {design.resolution} x {design.resolution}")
    print(f"params {report.params:,} ({format_count(report.params)})   MACs {report.macs:,} ({format_count(report.macs)})")
    for category, count in report.ops.items():
        print(f"  {category + ' ops':<18}{count:>18,}")
    import pandas as pd

    print(pd.DataFrame(stage_rows(design, layer_rows(design, report))).to_string(index=False))
