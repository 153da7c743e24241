"""Every path that allocates real tensors, at the largest configuration its memory budget accepts, stays under 2 GB.

The paths: latency of a block (the Blocks page: every comparable kind, then the block's own layers) and of a
network stage by stage (Networks), the referee's five peer counters, the SE probe, zoo models built off meta
(a torchvision RegNet: its widths come from tensors in ``__init__``) timed in PyTorch and in onnxruntime, an
uploaded ONNX file in onnxruntime, and the downloaded snippet's own forward pass (it checks itself on the meta
device). The ONNX export has its own test: ``test_onnx_budget.py``.

For each, the largest accepted value of one dimension is found by bisection on the meta-device estimate
(deterministic: nothing is timed), then a fresh Python runs the path the page runs at that value and reports
its peak resident memory (``VmHWM`` of ``/proc/self/status``). The time checks are switched off in that
process and the time budgets are small, so each path runs its real passes about once: this tests memory only.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from explorer.analysis.budget import DEFAULT_MEMORY_BUDGET
from explorer.analysis.measure import block_reports, check_feasible, check_parts_feasible
from explorer.analysis.memory import memory_report, network_stage
from explorer.analysis.peers import check_referee_feasible
from explorer.demos.se import check_memory as se_check_memory
from explorer.export.snippets import network_snippet
from explorer.models.blocks import build_block
from explorer.models.networks.build import build_network
from explorer.models.networks.tables import MAX_RESOLUTION, network_spec, network_table
from explorer.models.specs import MAX_CHANNELS, MAX_SIZE, block_spec
from explorer.sources import runtime

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PEAK_RSS_LIMIT = 2 * 10**9
CHILD = """
from explorer.analysis import measure
measure.estimated_forward_seconds = lambda *args: 0.0  # memory is under test, not time
{body}
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print("PEAK", int(status["VmHWM"].split()[0]) * 1024)
"""


def accepted(check: Callable[[], object]) -> bool:
    try:
        check()
    except ValueError:
        return False
    return True


def largest_accepted(accepts: Callable[[int], bool], low: int, high: int) -> int:
    """The largest value in ``[low, high]`` that ``accepts``; it must accept ``low`` and refuse ``high``."""
    assert accepts(low) and not accepts(high), "the budget does not bound this dimension within its range"
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if accepts(middle) else (low, middle)
    return low


def peak_rss(body: str, child: str = CHILD) -> int:
    """Peak resident bytes of a fresh Python that runs ``body`` (inside ``child``)."""
    script = child.format(body=textwrap.dedent(body))
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return int(done.stdout.rsplit("PEAK", 1)[1])


def assert_under_limit(what: str, body: str, child: str = CHILD) -> None:
    peak = peak_rss(body, child)
    print(f"{what}: peak RSS {peak / 2**20:,.0f} MiB")  # shown with -s: the margin under the limit
    assert peak < PEAK_RSS_LIMIT, f"{what}: peak RSS {peak / 2**20:,.0f} MiB"


def _block_measurable(spec) -> bool:
    return accepted(lambda: check_feasible(block_reports(spec)[1], math.inf))


BLOCKS = {
    "depthwise_separable_by_size": ("block_spec('depthwise_separable', in_channels=64, out_channels=64, size={})", 8, MAX_SIZE),
    "standard_by_channels": ("block_spec('standard', in_channels={0}, out_channels={0}, size=7)", 8, MAX_CHANNELS),
    "mbconv_by_size": ("block_spec('mbconv', in_channels=256, out_channels=256, size={})", 8, MAX_SIZE),
}


@pytest.mark.parametrize("case", BLOCKS)
def test_block_latency_at_the_largest_accepted_block(case):
    text, low, high = BLOCKS[case]
    value = largest_accepted(lambda v: _block_measurable(eval(text.format(v))), low, high)  # noqa: S307 - our own text
    assert_under_limit(f"{case} at {value}", f"""
        from explorer.analysis.measurements import measure_block_results
        from explorer.models.specs import block_spec
        measure_block_results({text.format(value)}, 0.2)
    """)


def _network_meta(name: str, resolution: int):
    with torch.device("meta"):
        return build_network(network_table(network_spec(name, resolution=resolution)))


def _stages_measurable(name: str, resolution: int) -> bool:
    memory = memory_report(_network_meta(name, resolution), (3, resolution, resolution), network_stage)
    return accepted(lambda: check_parts_feasible(memory, list(memory.stage_frame()["stage"]), math.inf,
                                                 DEFAULT_MEMORY_BUDGET))


@pytest.mark.parametrize("name", ["mobilenet_v2", "efficientnet_b7"])
def test_stage_latency_at_the_largest_accepted_resolution(name):
    resolution = largest_accepted(lambda r: _stages_measurable(name, r), 32, MAX_RESOLUTION)
    assert_under_limit(f"{name} at {resolution}", f"""
        from explorer.analysis.measurements import measure_network_results
        from explorer.models.networks.tables import network_spec
        measure_network_results(network_spec({name!r}, resolution={resolution}), 0.2)
    """)


def _block_refereeable(size: int) -> bool:
    spec = block_spec("depthwise_separable", in_channels=64, out_channels=64, size=size)
    with torch.device("meta"):
        module = build_block(spec)
    return accepted(lambda: check_referee_feasible(module, (64, size, size), math.inf))


def _network_refereeable(resolution: int) -> bool:
    module = _network_meta("mobilenet_v2", resolution)
    return accepted(lambda: check_referee_feasible(module, (3, resolution, resolution), math.inf))


def test_the_referee_at_the_largest_accepted_block_and_network():
    size = largest_accepted(_block_refereeable, 8, MAX_SIZE)
    resolution = largest_accepted(_network_refereeable, 32, MAX_RESOLUTION)
    assert_under_limit(f"referee, block at {size}", f"""
        from explorer.analysis.peers import referee_block
        from explorer.models.specs import block_spec
        report = referee_block(block_spec('depthwise_separable', in_channels=64, out_channels=64, size={size}), 120)
        assert all(not peer.error for peer in report.peers), [peer.error for peer in report.peers]
    """)
    assert_under_limit(f"referee, mobilenet_v2 at {resolution}", f"""
        from explorer.analysis.peers import referee_network
        from explorer.models.networks.tables import network_spec
        report = referee_network(network_spec('mobilenet_v2', resolution={resolution}), 120)
        assert all(not peer.error for peer in report.peers), [peer.error for peer in report.peers]
    """)


def test_the_se_probe_at_the_largest_accepted_size():
    text = "block_spec('mbconv', in_channels=256, out_channels=256, expansion=6.0, size={})"  # the page's widest
    size = largest_accepted(lambda s: accepted(lambda: se_check_memory(eval(text.format(s)))), 8, MAX_SIZE)  # noqa: S307
    assert_under_limit(f"SE probe at {size}", f"""
        from explorer.demos.se import probe_block, sample_photo
        from explorer.models.specs import block_spec
        probe_block({text.format(size)}, sample_photo('china.jpg'))
    """)


def test_a_zoo_regnet_built_off_meta_at_the_largest_accepted_model():
    """torchvision's RegNets by their estimate: regnet_x_32gf is the largest PyTorch accepts (regnet_y_32gf,
    the next larger, is refused); the ONNX export and session are refused for it, with the reason."""
    size = (3, 224, 224)
    memories = {name: runtime.zoo_memory("torchvision", name, size) for name in ("regnet_x_32gf", "regnet_y_32gf")}
    assert accepted(lambda: check_feasible(memories["regnet_x_32gf"], math.inf, hint=""))
    assert not accepted(lambda: check_feasible(memories["regnet_y_32gf"], math.inf, hint=""))
    assert_under_limit("regnet_x_32gf in PyTorch", """
        from explorer.sources import runtime
        timed = runtime.zoo_latencies('torchvision', 'regnet_x_32gf', (3, 224, 224), 0.2)
        assert timed.onnxruntime is None and timed.onnxruntime_refused.startswith('memory: exporting')
    """)


def _exportable(side: int) -> bool:
    return accepted(lambda: runtime.check_onnx_export(runtime.zoo_memory("torchvision", "resnet50", (3, side, side))))


def test_a_zoo_model_in_pytorch_and_onnxruntime_at_the_largest_accepted_input():
    """ResNet-50 (98 MiB of weights) at the largest input size whose export and session the budget accepts."""
    side = largest_accepted(_exportable, 32, 2048)
    assert_under_limit(f"resnet50 at {side} in PyTorch and onnxruntime", f"""
        from explorer.sources import runtime
        timed = runtime.zoo_latencies('torchvision', 'resnet50', (3, {side}, {side}), 0.2)
        assert timed.onnxruntime is not None, timed.onnxruntime_refused
    """)


def test_an_onnx_file_in_onnxruntime_at_the_largest_accepted_input(tmp_path):
    """MobileNetV2 exported with a free height and width, run at the largest size the session check accepts."""
    import torchvision

    path = tmp_path / "mobilenet_v2.onnx"
    module = torchvision.models.mobilenet_v2().eval()
    torch.onnx.export(module, (torch.zeros(1, 3, 224, 224),), str(path), dynamo=False, input_names=["image"],
                      dynamic_axes={"image": {2: "height", 3: "width"}}, opset_version=17)
    data = path.read_bytes()
    side = largest_accepted(lambda s: accepted(lambda: runtime.check_onnx_session(data, (3, s, s))), 32, MAX_RESOLUTION)
    assert_under_limit(f"onnxruntime at {side}", f"""
        from pathlib import Path
        from explorer.sources import runtime
        runtime.onnxruntime_latency(Path({str(path)!r}).read_bytes(), (3, {side}, {side}), 0.2)
    """)


SNIPPET_CHILD = """
import runpy
{body}
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print("PEAK", int(status["VmHWM"].split()[0]) * 1024)
"""


def _snippet_namespace(resolution: int) -> dict:
    namespace: dict = {"__name__": "snippet"}
    exec(compile(network_snippet(network_spec("mobilenet_v2", resolution=resolution)), "snippet.py", "exec"), namespace)  # noqa: S102
    return namespace


def _snippet_runs(resolution: int) -> bool:
    namespace = _snippet_namespace(resolution)
    needed = namespace["forward_memory"](namespace["build"], namespace["INPUT_SHAPE"])
    return needed <= namespace["MEMORY_BUDGET_MIB"] * 2**20


def test_the_snippet_at_the_largest_input_its_own_check_accepts(tmp_path):
    """The downloaded snippet runs one forward pass on the user's machine; it checks its memory on meta first."""
    resolution = largest_accepted(_snippet_runs, 32, MAX_RESOLUTION)
    path = tmp_path / "snippet.py"
    path.write_text(network_snippet(network_spec("mobilenet_v2", resolution=resolution)))
    assert_under_limit(f"snippet of mobilenet_v2 at {resolution}", f"runpy.run_path({str(path)!r}, run_name='__main__')",
                       SNIPPET_CHILD)
    path.write_text(network_snippet(network_spec("mobilenet_v2", resolution=resolution + 1)))
    refused = subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith(f"INPUT_SHAPE (3, {resolution + 1}, {resolution + 1}): one forward pass needs about")
    assert refused.stderr.rstrip().endswith("lower the height and width in INPUT_SHAPE, or raise MEMORY_BUDGET_MIB.")
