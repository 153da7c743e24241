"""Your model page driven by AppTest: a timm and a torchvision model by name, the what-if saving."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

TIMEOUT = 300
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _metric(at: AppTest, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label.startswith(label))


def test_zoo_models_by_name():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("views/your_model.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="ym_timm_model").set_value("mobilenetv2_100").run()
    assert not at.exception, at.exception
    assert _metric(at, "MACs") == "300,774,272" and _metric(at, "Parameters") == "3,504,872"
    at.radio(key="ym_source").set_value("torchvision").run()
    at.selectbox(key="ym_torchvision_family").set_value("resnet").run()
    at.selectbox(key="ym_torchvision_model").set_value("resnet18").run()
    assert not at.exception, at.exception
    assert _metric(at, "MACs") == "1,814,073,344"
    # resnet18: 17 standard 3x3 convs; as depthwise-separable they save 1,591,030,784 MACs (by the formula
    # H'W'(k²C_in C_out - k²C_in - C_in C_out) per conv)
    assert _metric(at, "MACs saved") == "1,591,030,784"


def test_a_zoo_model_is_timed_in_pytorch_and_in_onnxruntime_side_by_side():
    """The latency button times the model in PyTorch and, exported to ONNX by the explorer, in onnxruntime."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("views/your_model.py").run()
    at.radio(key="ym_source").set_value("torchvision").run()
    at.selectbox(key="ym_torchvision_family").set_value("mobilenetv3").run()
    at.selectbox(key="ym_torchvision_model").set_value("mobilenet_v3_small").run()
    at.slider(key="ym_budget").set_value(4.0).run()
    at.button(key="ym_measure").click().run()
    assert not at.exception, at.exception
    assert not at.error, [error.value for error in at.error]
    labels = [metric.label for metric in at.metric]
    assert "PyTorch: median latency" in labels and "onnxruntime (exported by the explorer): median latency" in labels
    assert any("Each runtime had 2 s of the 4 s budget" in caption.value for caption in at.caption)
