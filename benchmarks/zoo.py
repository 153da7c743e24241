"""Counting the zoo: time to build on meta and count every torchvision model and 200 timm models, once warm.

Target (issue 13): <= 0.5 s for 95% of models. Then a 100 MB ONNX file (generated in a temp dir: 25
1x1 convs of 1024 x 1024 float weights) parsed and counted from disk: target <= 3 s.

Times are wall clock with the CPU time beside them: the machine may be shared, and CPU time shows
the work done regardless of the load.

"Warm" is the app's server (``serve.py``): everything imported, then frozen out of the garbage collector
(``gc.freeze``), so that full collections do not sweep PyTorch's and timm's import-time objects on every
model; ``--no-freeze`` measures without that.

Run: ``.venv/bin/python benchmarks/zoo.py [--timm N] [--no-freeze]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import pandas as pd
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.sources import onnx as onnx_source  # noqa: E402
from explorer.sources import zoo  # noqa: E402
from tests.unit.test_zoo import TIMM_NAMES  # noqa: E402 - the efficient-CNN families the tests sweep

TARGET_S, ONNX_TARGET_S = 0.5, 3.0


BINS_S = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, float("inf"))


def timed(source: str, name: str) -> dict[str, object]:
    """What the page and ``count`` pay for one model: build on meta and count (uncached, as on a first visit)."""
    wall, cpu = time.perf_counter(), time.process_time()
    counted = zoo.count_zoo_model.__wrapped__(source, name)
    return {"source": source, "model": f"{source}:{name}", "total s": time.perf_counter() - wall,
            "CPU s": time.process_time() - cpu, "layers": len(counted.report.layers),
            "input": "x".join(map(str, counted.input_size[1:]))}


def distribution(times: pd.DataFrame) -> pd.DataFrame:
    """How many models fall in each band of counting time, per source and in all."""
    labels = [f"{low:g}-{high:g} s" if high != float("inf") else f"> {low:g} s"
              for low, high in zip(BINS_S, BINS_S[1:], strict=False)]
    bands = pd.cut(times["total s"], BINS_S, labels=labels, right=True)
    table = pd.crosstab(bands, times["source"], margins=True, margins_name="all").reindex(labels + ["all"], fill_value=0)
    return table.rename_axis(index="counting time", columns=None)


def zoo_times(timm_count: int, freeze: bool) -> pd.DataFrame:
    picked = np.unique(np.linspace(0, len(TIMM_NAMES) - 1, min(timm_count, len(TIMM_NAMES))).round().astype(int))
    names = [("torchvision", n) for n in zoo.zoo_names("torchvision")] + [("timm", TIMM_NAMES[i]) for i in picked]
    timed(*names[0])  # warm: imports, first build
    if freeze:
        gc.collect()
        gc.freeze()
    return pd.DataFrame([timed(source, name) for source, name in names])


def onnx_file(directory: Path, layers: int = 25, channels: int = 1024) -> Path:
    rng = np.random.default_rng(0)
    nodes, weights = [], []
    for index in range(layers):
        weight = numpy_helper.from_array(rng.standard_normal((channels, channels, 1, 1), dtype=np.float32), f"w{index}")
        weights.append(weight)
        nodes.append(helper.make_node("Conv", [f"x{index}", f"w{index}"], [f"x{index + 1}"], name=f"conv{index}"))
    graph = helper.make_graph(nodes, "big", [helper.make_tensor_value_info("x0", TensorProto.FLOAT, [1, channels, 14, 14])],
                              [helper.make_tensor_value_info(f"x{layers}", TensorProto.FLOAT, None)], initializer=weights)
    path = directory / "big.onnx"
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timm", type=int, default=200, help="how many timm models (spread over the tested families)")
    parser.add_argument("--no-freeze", dest="freeze", action="store_false", help="leave the garbage collector as it is")
    args = parser.parse_args()
    times = zoo_times(args.timm, args.freeze)
    quantiles = times["total s"].quantile([0.5, 0.9, 0.95, 0.99]).round(3)
    warm = "imports frozen, as serve.py" if args.freeze else "no gc.freeze"
    print(f"{len(times)} models, build on meta + count, warm ({warm}); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores:")
    print(f"  median {quantiles[0.5]} s, p90 {quantiles[0.9]} s, p95 {quantiles[0.95]} s, p99 {quantiles[0.99]} s, "
          f"max {times['total s'].max():.3f} s; CPU p95 {times['CPU s'].quantile(0.95):.3f} s")
    print(f"  within {TARGET_S} s: {100 * (times['total s'] <= TARGET_S).mean():.1f}% wall, "
          f"{100 * (times['CPU s'] <= TARGET_S).mean():.1f}% CPU (target >= 95%)")
    print(distribution(times).to_string())
    print(times.sort_values("total s", ascending=False).head(10).round(3).to_string(index=False))
    with tempfile.TemporaryDirectory() as directory:
        path = onnx_file(Path(directory))
        wall, cpu = time.perf_counter(), time.process_time()
        counted = onnx_source.count_onnx_file(path)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"ONNX {path.stat().st_size / 2**20:.0f} MB: parse + count {wall:.2f} s (CPU {cpu:.2f} s, target <= "
              f"{ONNX_TARGET_S} s), {counted.report.params:,} params, {counted.report.macs:,} MACs")


if __name__ == "__main__":
    main()
