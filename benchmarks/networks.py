"""Counting whole networks: ours against torchinfo and torch.utils.flop_counter, side by side.

For EfficientNet-B0 (224 x 224) and -B7 (600 x 600, https://arxiv.org/abs/1905.11946): the time
to build the network and count it fully (totals and per-layer rows), ours on meta tensors,
``torchinfo.summary`` on a real model and real input, and ``FlopCounterMode`` on real and on
meta tensors; the ratio of each to ours; and whether their conv + linear MACs equal ours.
Then B7 at 2048 x 2048 (counting time must not grow with resolution, and no activation memory
is allocated), and the server-side time of the Networks view for B7 (``network_artifacts``).

Times are the best of several runs (wall clock) with the CPU time of that run beside it: the
machine may be shared, and CPU time shows the work done regardless of the load.

Run: ``.venv/bin/python benchmarks/networks.py [--repeats N] [--skip-real]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.analysis.counting import clear_count_caches, count_network, network_totals
from explorer.artifacts import networks  # noqa: E402
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import network_spec, network_table

CASES = (("efficientnet_b0", 224), ("efficientnet_b7", 600))
TARGET_SECONDS, TARGET_SPEEDUP = 0.25, 25.0


def best_of(run: Callable[[], int], repeats: int) -> tuple[float, float, int]:
    """(best wall seconds, CPU seconds of that run, the run's result)."""
    best = (float("inf"), 0.0, 0)
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if wall < best[0]:
            best = (wall, cpu, result)
    return best


def ours(name: str, resolution: int) -> int:
    """Build on meta and count fully, from cold caches: totals and the whole per-layer report.

    This is the app's path (``count_network``): stem, every distinct block and the head are built
    and counted; repeated blocks reuse their rows (tests check the report equals counting the
    whole module).
    """
    clear_count_caches()
    return count_network(network_spec(name, resolution=resolution)).macs


def bias_adds(name: str, resolution: int) -> int:
    """Bias additions (SE convs and FC layers): torchinfo counts each as one more mult-add."""
    return count_network(network_spec(name, resolution=resolution)).ops["bias"]


def torchinfo_macs(name: str, resolution: int) -> int:
    """torchinfo.summary on a real model and input; conv + linear mult-adds summed from its rows.

    torchinfo adds one mult-add per bias element; those are taken off so the figure is
    comparable (the check below is then exact).
    """
    import torchinfo

    model = build_network(network_table(network_spec(name)))
    summary = torchinfo.summary(model, input_size=(1, 3, resolution, resolution), verbose=0, device="cpu")
    with_bias = sum(row.macs for row in summary.summary_list if row.class_name in ("Conv2d", "Linear"))
    return with_bias - bias_adds(name, resolution)


def flop_counter_macs(name: str, resolution: int, device: str) -> int:
    """FlopCounterMode total FLOPs / 2 (conv and matmul only) for one forward on ``device``."""
    with torch.device(device):
        model = build_network(network_table(network_spec(name)))
        image = torch.zeros(1, 3, resolution, resolution)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(image)
    return counter.get_total_flops() // 2


def compare(name: str, resolution: int, repeats: int, skip_real: bool) -> list[dict[str, object]]:
    base_wall, base_cpu, base_macs = best_of(lambda: ours(name, resolution), repeats)
    rows = [{"network": f"{name} @ {resolution}", "counter": "ours (meta, per-layer report)", "seconds": base_wall,
             "CPU seconds": base_cpu, "x ours": 1.0, "conv+linear MACs": base_macs, "same MACs": True}]
    contenders: list[tuple[str, Callable[[], int], int]] = [
        ("flop_counter, meta tensors", lambda: flop_counter_macs(name, resolution, "meta"), repeats),
    ]
    if not skip_real:
        contenders = [
            ("torchinfo.summary, real tensors (minus bias adds)", lambda: torchinfo_macs(name, resolution), 1),
            ("flop_counter, real tensors", lambda: flop_counter_macs(name, resolution, "cpu"), 1),
            *contenders,
        ]
    for label, run, times in contenders:
        wall, cpu, macs = best_of(run, times)
        rows.append({"network": f"{name} @ {resolution}", "counter": label, "seconds": wall, "CPU seconds": cpu,
                     "x ours": wall / base_wall, "conv+linear MACs": macs, "same MACs": macs == base_macs})
    return rows


def large_input(repeats: int) -> dict[str, object]:
    """B7 at 2048 x 2048 on meta: time, and growth of the process's peak memory (no activations)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu, macs = best_of(lambda: ours("efficientnet_b7", 2048), repeats)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return {"network": "efficientnet_b7 @ 2048", "counter": "ours (meta, per-layer report)", "seconds": wall,
            "CPU seconds": cpu, "conv+linear MACs": macs, "peak memory growth MB": grown / 1024}


def view_times() -> list[dict[str, object]]:
    """Server side of the Networks page for B7: first ever (family chart too), then switching to B7."""
    spec = network_spec("efficientnet_b7")
    rows = []
    for label in ("first render (family chart counted too)", "switch to B7 (family chart cached)"):
        if label.startswith("switch"):
            count_network.cache_clear()
        else:
            count_network.cache_clear()
            network_totals.cache_clear()
        wall, cpu = time.perf_counter(), time.process_time()
        networks.network_artifacts(spec, "screen")
        rows.append({"view": f"Networks, B7: {label}", "seconds": time.perf_counter() - wall,
                     "CPU seconds": time.process_time() - cpu})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per fast counter (best is kept)")
    parser.add_argument("--skip-real", action="store_true", help="skip torchinfo and flop_counter on real tensors")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    ours("efficientnet_b0", 224)  # warm-up: imports and first-call dispatch
    large = large_input(args.repeats)  # before any real tensor, so the peak-memory growth is not hidden
    rows = [row for name, resolution in CASES for row in compare(name, resolution, args.repeats, args.skip_real)]
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print()
    print(pd.DataFrame([large]).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print()
    print(pd.DataFrame(view_times()).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    b7 = [row for row in rows if row["network"].startswith("efficientnet_b7")]
    torchinfo_row = next((row for row in b7 if row["counter"].startswith("torchinfo")), None)
    print()
    print(f"B7 build + count: {b7[0]['seconds']:.3f} s (target <= {TARGET_SECONDS} s)"
          + (f"; torchinfo / ours = {torchinfo_row['x ours']:.1f}x (target >= {TARGET_SPEEDUP:g}x)" if torchinfo_row else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
