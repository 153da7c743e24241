"""The ONNX export is budgeted like measurement: refused quickly when it would not fit, under 2 GB when it runs.

Tracing runs one real forward pass. The issue's hangs (EfficientNet-L2 at 2048 x 2048 from the Networks
page, the largest MBConv the Blocks sliders allow) must be refused with a message saying what to lower,
in seconds; the largest configurations the budget accepts (found by bisection on the meta-device estimate)
are exported in a fresh process whose peak resident memory (``ru_maxrss``) must stay under 2 GB.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from explorer.export.models import check_onnx_fits
from explorer.models.networks.tables import MAX_RESOLUTION, network_spec
from explorer.models.specs import block_spec

ROOT = Path(__file__).resolve().parents[2]
PEAK_RSS_LIMIT = 2 * 10**9
EXPORT_AND_REPORT = """
import resource, sys
from explorer.export.models import model_onnx
from explorer.models.networks.tables import network_spec
from explorer.models.specs import block_spec
data = model_onnx({spec})
print(len(data), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def accepted(make, value: int) -> bool:
    try:
        check_onnx_fits(make(value))
    except ValueError:
        return False
    return True


def largest_accepted(make, low: int, high: int) -> int:
    """The largest ``value`` in ``[low, high]`` whose spec the budget accepts (``low`` must be accepted)."""
    assert accepted(make, low)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if accepted(make, middle) else (low, middle - 1)
    return low


@pytest.mark.parametrize(
    ("spec", "lower"),
    [
        (network_spec("efficientnet_l2", resolution=2048), "weights alone .* pick a smaller network"),
        (block_spec("mbconv", in_channels=1024, out_channels=1024, size=512, kernel_size=15, expansion=12.0), "lower size"),
    ],
    ids=["efficientnet_l2_2048", "largest_mbconv_of_the_sliders"],
)
def test_the_hangs_of_the_issue_are_refused_quickly(spec, lower):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=rf"model: the ONNX export .* over the 1,024 MiB budget; .*{lower}"):
        check_onnx_fits(spec)
    assert time.perf_counter() - start < 60


@pytest.mark.parametrize(
    ("name", "make", "text", "low", "high"),
    [
        ("mobilenet_v2", lambda r: network_spec("mobilenet_v2", resolution=r), 'network_spec("mobilenet_v2", resolution={})',
         224, MAX_RESOLUTION),
        ("mbconv", lambda s: block_spec("mbconv", in_channels=256, out_channels=256, size=s), 'block_spec("mbconv", '
         "in_channels=256, out_channels=256, size={})", 8, 512),
    ],
    ids=["mobilenet_v2", "mbconv"],
)
def test_the_largest_accepted_export_stays_under_2_gb(name, make, text, low, high):
    value = largest_accepted(make, low, high)
    assert value < high, f"the budget never refused {name}: the bisection found no limit"
    script = EXPORT_AND_REPORT.format(spec=text.format(value))
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    size, peak = map(int, result.stdout.split())
    assert size > 0
    print(f"ONNX export of {name} at {value}: peak RSS {peak / 2**20:,.0f} MiB")  # shown with -s: the margin
    assert peak < PEAK_RSS_LIMIT, f"{name} at {value}: peak RSS {peak / 2**20:,.0f} MiB"
