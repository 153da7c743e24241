"""Download buttons under every chart and table, model downloads and the "Export all" ZIP, driven by AppTest."""

from __future__ import annotations

import io
import zipfile

from streamlit.testing.v1 import AppTest


def _demo_view(static: bool = True) -> None:
    from unittest import mock

    import pandas as pd
    import plotly.graph_objects as go

    from explorer.export import render
    from explorer.models.specs import block_spec
    from views import downloads

    with mock.patch.object(render, "find_chromium", render.find_chromium if static else (lambda: None)):
        bars = [go.Bar(name="params", x=["dw", "pw"], y=[27, 12], text=["27", "12"]),
                go.Bar(name="MACs", x=["dw", "pw"], y=[243, 108], text=["243", "108"])]
        downloads.show_chart(go.Figure(bars), "chart_params", "params_bars")
        downloads.show_table(pd.DataFrame({"layer": ["dw", "pw"], "params": [27, 12]}), "table_params", "params_table")
        downloads.model_downloads(block_spec("depthwise_separable", in_channels=3, out_channels=4, size=5))
        downloads.export_all_panel("demo")


def _labels(at: AppTest) -> list[str]:
    return [button.proto.label for button in at.get("download_button")]


def test_every_chart_table_and_model_has_its_download_buttons():
    at = AppTest.from_function(_demo_view, default_timeout=60).run()
    assert not at.exception
    assert _labels(at) == ["Download", "CSV", "Markdown", "LaTeX", "Python snippet", "Module structure", "ONNX"]
    files = {button.proto.label: button.proto for button in at.get("download_button")}
    assert files["Download"].deferred_file_id and files["ONNX"].deferred_file_id
    chooser = at.selectbox(key="chart_params__file")
    assert chooser.value == ("png", 1.0)
    assert chooser.options == ["PNG 1920 × 1080", "PNG 3840 × 2160", "PNG 5760 × 3240", "SVG (vector)", "PDF (vector)",
                               "HTML (interactive)"]


def _bar_spec(at: AppTest) -> dict:
    import json

    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_chart_menu_sets_title_series_labels_aspect_and_background():
    at = AppTest.from_function(_demo_view, default_timeout=60).run()
    next(w for w in at.text_input if w.key.startswith("chart_params__title")).set_value("Depthwise vs pointwise").run()
    next(w for w in at.multiselect if w.key.startswith("chart_params__series")).set_value(["params"])
    at.toggle(key="chart_params__labels").set_value(False)
    at.toggle(key="chart_params__transparent").set_value(True).run()
    spec = _bar_spec(at)
    assert spec["layout"]["title"]["text"] == "Depthwise vs pointwise"
    assert spec["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)"
    assert [trace.get("visible", True) for trace in spec["data"]] == [True, False]
    assert all("text" not in trace for trace in spec["data"])
    at.segmented_control(key="chart_params__aspect").set_value("4:3").run()
    assert at.selectbox(key="chart_params__file").options[0] == "PNG 1440 × 1080"
    assert not at.exception


def test_export_all_builds_a_zip_of_the_chosen_formats():
    at = AppTest.from_function(_demo_view, default_timeout=60).run()
    at.multiselect(key="export_all__charts").set_value(["html"])
    at.multiselect(key="export_all__tables").set_value(["csv", "tex"])
    at.checkbox(key="export_all__models").check().run()
    at.button(key="export_all__build").click().run()
    assert not at.exception
    _, data = at.session_state["export_all__zip"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [
            "params_bars.html", "params_table.csv", "params_table.tex",
            "depthwise_separable_block.py", "depthwise_separable_block_structure.txt", "depthwise_separable_block.onnx",
        ]
        assert archive.read("params_table.csv").decode().splitlines() == ["layer,params (count)", "dw,27", "pw,12"]
        assert "parameters: 53" in archive.read("depthwise_separable_block_structure.txt").decode()
    assert _labels(at)[-1].startswith("Download demo.zip")


def test_changing_the_formats_hides_the_stale_zip():
    at = AppTest.from_function(_demo_view, default_timeout=60).run()
    at.multiselect(key="export_all__charts").set_value(["html"]).run()
    at.button(key="export_all__build").click().run()
    assert _labels(at)[-1].startswith("Download demo.zip")
    at.multiselect(key="export_all__tables").set_value(["md"]).run()
    assert not _labels(at)[-1].startswith("Download demo.zip")


def test_without_chromium_the_app_says_how_to_install_it_and_offers_html():
    at = AppTest.from_function(_demo_view, kwargs={"static": False}, default_timeout=60).run()
    assert not at.exception
    assert _labels(at)[:4] == ["Download", "CSV", "Markdown", "LaTeX"]
    assert at.selectbox(key="chart_params__file").options == ["HTML (interactive)"]
    assert any("apt-get install chromium" in caption.value for caption in at.caption)
    assert any("apt-get install chromium" in warning.value for warning in at.warning)
    assert at.multiselect(key="export_all__charts").options == ["html"]


def test_export_all_holds_only_the_current_pages_charts_and_tables():
    at = AppTest.from_file("../../app.py", default_timeout=180).run()
    assert at.get("download_button"), "the Blocks page shows download buttons"
    at.switch_page("views/networks.py").run()
    at.multiselect(key="export_all__charts").set_value(["html"])
    at.multiselect(key="export_all__tables").set_value(["csv"])
    at.button(key="export_all__build").click().run()
    assert not at.exception
    _, data = at.session_state["export_all__zip"]
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names and not any(name.startswith("mbconv_") for name in names)
    assert any(name.endswith("layers.csv") for name in names)


def test_the_networks_page_refuses_the_onnx_download_of_efficientnet_l2_at_2048_with_the_reason():
    """The issue's hang: L2 at 2048 x 2048 grew the server to 6 GB and no file came; the page now says why, at once."""
    from tests.app.test_hostile_links import open_link

    at = open_link("views/networks.py", {"net": "efficientnet_l2", "net_custom_res": "True", "net_resolution": "2048"})
    assert not at.exception, [element.value for element in at.exception]
    shown = [str(c.value).replace("\\", "") for c in at.caption if "No ONNX download" in str(c.value)]
    assert len(shown) == 1, [c.value for c in at.caption]
    assert "over the 1,024 MiB budget; its weights alone are over it at any resolution: pick a smaller network" in shown[0]
    labels = [button.proto.label for button in at.get("download_button")]
    assert "ONNX" not in labels and "Python snippet" in labels, "the snippet needs no memory and stays"
