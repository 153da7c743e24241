"""A person in Chromium: pick a timm model by name, then upload an ONNX file, and read the counts."""

import pytest
from torch import nn

from explorer.export.models import onnx_bytes

pytestmark = pytest.mark.browser
TIMEOUT_MS = 240_000


def _metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def _wait_for_value(page, value: str) -> None:
    page.wait_for_function(
        f"() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText === '{value}')",
        timeout=TIMEOUT_MS,
    )


def test_pick_a_timm_model_and_upload_an_onnx_file(app_server, page, tmp_path):
    page.goto(f"{app_server}/your-model?ym_source=timm&ym_timm_model=mobilenetv2_100")
    _wait_for_value(page, "300,774,272")  # timm's mobilenetv2_100 = torchvision's MobileNetV2 1.0
    assert _metric_value(page, "Parameters") == "3,504,872"
    page.locator(".js-plotly-plot").first.wait_for()

    path = tmp_path / "tiny.onnx"
    path.write_bytes(onnx_bytes(nn.Sequential(nn.Conv2d(3, 8, 3, bias=False), nn.ReLU()), (3, 10, 10)))
    page.goto(f"{app_server}/your-model?ym_source=ONNX+file")
    page.locator('input[type="file"]').set_input_files(str(path), timeout=TIMEOUT_MS)
    _wait_for_value(page, f"{8 * 64 * 27:,}")  # 8 x 8 x 8 outputs, 27 MACs each
    assert _metric_value(page, "Parameters") == "216"
