"""MACs are not latency: standard vs depthwise-separable conv at MobileNetV1's shapes, measured on this CPU.

For each shape, the MAC ratio (standard / depthwise-separable, about ``1 / (1/C_out + 1/k^2)``,
MobileNetV1 https://arxiv.org/abs/1704.04861) next to the measured latency ratio (batch 1,
median of ``torch.utils.benchmark`` samples, see :mod:`explorer.measure`), and the ratio of the
fastest samples (the least disturbed on a shared machine). Depthwise convs move much data for
little arithmetic, so the latency ratio usually falls short of the MAC ratio.

Run: ``.venv/bin/python benchmarks/latency.py [--budget SECONDS] [--threads N]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.analysis.measure import machine_peaks, measure_block
from explorer.models.specs import block_spec

SHAPES = ((32, 64, 112), (64, 128, 56), (128, 256, 28), (256, 512, 14), (512, 1024, 7))


def compare(in_channels: int, out_channels: int, size: int, budget_s: float) -> dict[str, float]:
    """Measure both kinds at one shape; return their MACs, latencies and ratios."""
    shape = {"in_channels": in_channels, "out_channels": out_channels, "size": size}
    standard = measure_block(block_spec("standard", **shape), budget_s)
    separable = measure_block(block_spec("depthwise_separable", **shape), budget_s)
    return {
        "shape": f"{in_channels}->{out_channels} @ {size}x{size}",
        "standard MACs": standard.costs.macs,
        "separable MACs": separable.costs.macs,
        "MAC ratio": standard.costs.macs / separable.costs.macs,
        "standard ms": standard.latency.median_s * 1e3,
        "standard IQR": standard.latency.iqr_s * 1e3,
        "separable ms": separable.latency.median_s * 1e3,
        "separable IQR": separable.latency.iqr_s * 1e3,
        "latency ratio": standard.latency.median_s / separable.latency.median_s,
        "best-case ratio": standard.latency.min_s / separable.latency.min_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=2.0, help="seconds per block and shape (default 2)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    peaks = machine_peaks()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch 1, float32, k = 3, "
          f"{args.budget:g} s per block; machine: {peaks.gmacs:.1f} GMAC/s (best of matmul and conv probes), "
          f"{peaks.gbytes_per_s:.1f} GB/s (best copy)")
    header = (f"{'shape':<22}{'MAC ratio':>10}{'latency ratio':>15}{'min ratio':>11}"
              f"{'standard ms (IQR)':>22}{'separable ms (IQR)':>22}")
    print(header)
    print("-" * len(header))
    for shape in SHAPES:
        row = compare(*shape, args.budget)
        print(f"{row['shape']:<22}{row['MAC ratio']:>9.2f}x{row['latency ratio']:>14.2f}x{row['best-case ratio']:>10.2f}x"
              f"{row['standard ms']:>12.3f} ({row['standard IQR']:.3f}){row['separable ms']:>12.3f} ({row['separable IQR']:.3f})")


if __name__ == "__main__":
    main()
