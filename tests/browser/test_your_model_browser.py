"""A person in Chromium: pick a timm model by name, then upload an ONNX file, and read the counts."""

import pytest
from torch import nn

from explorer.export.models import onnx_bytes
from views.widgets import WORD_JOINER

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


def _hostile_onnx() -> bytes:
    """A tiny ONNX file whose producer and one op type are Markdown and HTML (the caption shows both)."""
    import onnx

    model = onnx.load_from_string(onnx_bytes(nn.Sequential(nn.Conv2d(3, 8, 3, bias=False), nn.ReLU()), (3, 10, 10)))
    model.producer_name, model.producer_version = "**PINJ** [pevil](https://evil.example/p) <b>pb</b>", ""
    model.graph.node.append(onnx.helper.make_node("**OINJ**[oevil](https://evil.example/o)", [model.graph.output[0].name],
                                                  ["extra"], domain="evil.example"))
    model.opset_import.append(onnx.helper.make_opsetid("evil.example", 1))
    return model.SerializeToString()


def test_an_uploaded_files_name_producer_and_op_types_render_as_inert_text(app_server, page):
    """The file's name went into the chart title and legend as plotly HTML (a clickable link), its producer
    and op types into a caption as Markdown (bold and links); all are shown as the characters typed."""
    name = "**FINJ** [fevil](https://evil.example/f) <a href='https://evil.example/a'>alink</a>.onnx"
    page.goto(f"{app_server}/your-model?ym_source=ONNX+file")
    page.locator('input[type="file"]').set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": _hostile_onnx()}, timeout=TIMEOUT_MS)
    _wait_for_value(page, f"{8 * 64 * 27:,}")
    page.locator(".js-plotly-plot .gtitle", has_text="alink").first.wait_for(timeout=TIMEOUT_MS)
    for selector in ('a[href*="evil"]', 'img[src*="evil"]', "strong", ".main-svg a"):
        assert page.locator(selector).count() == 0, selector
    captions = " ".join(page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()).replace(WORD_JOINER, "")
    assert f"{name}: parsed, never executed" in captions
    assert "from **PINJ** [pevil](https://evil.example/p) <b>pb</b>)" in captions
    assert "**OINJ**[oevil](https://evil.example/o)" in captions
    title = page.locator(".js-plotly-plot .gtitle", has_text="alink").first.text_content()
    assert title == f"{name}: params and MACs by layer type"
