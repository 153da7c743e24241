"""The PowerPoint deck of a view: reopened with python-pptx, and rendered by LibreOffice to PDF pages."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Emu

from explorer.artifacts.blocks import block_artifacts
from explorer.export import render
from explorer.export.decks import DeckInfo, build_deck
from explorer.models.specs import block_spec

pytestmark = pytest.mark.skipif(not render.static_export_available(), reason="charts are rendered by Chromium")

SPEC = block_spec("bneck", kernel_size=5)
INFO = DeckInfo("bneck (MobileNetV3)", "in 32 x 56 x 56, out 64, k 5, expansion 4, SE 0.25")


@pytest.fixture(scope="module")
def deck_bytes() -> bytes:
    return build_deck(block_artifacts(SPEC, "slide").exports(), INFO)


def _texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_deck_has_a_cover_one_slide_per_chart_and_the_main_table(deck_bytes):
    artifacts = block_artifacts(SPEC, "slide").exports()
    charts = [a for a in artifacts.values() if hasattr(a, "layout")]
    deck = Presentation(io.BytesIO(deck_bytes))
    slides = list(deck.slides)
    assert len(slides) == 1 + len(charts) + 1
    assert (deck.slide_width, deck.slide_height) == (Emu(12191695), Emu(6858000))  # 13.333 x 7.5 in: 16:9
    assert _texts(slides[0])[:2] == [INFO.title, INFO.configuration]
    for slide, chart in zip(slides[1:-1], charts, strict=True):
        texts = _texts(slide)
        assert texts[0] == chart.layout.title.text  # the chart's own title heads its slide
        assert INFO.configuration in texts[-1] and "Counted from" in texts[-1]
        pictures = [shape for shape in slide.shapes if shape.shape_type == 13]
        assert len(pictures) == 1
        assert Image.open(io.BytesIO(pictures[0].image.blob)).size == (3840, 2160)
    table = next(shape for shape in slides[-1].shapes if shape.has_table).table
    assert table.cell(0, 0).text == "name" and table.cell(1, 0).text == "pointwise conv"  # read, not the path
    assert "layer" not in [table.cell(0, column).text for column in range(len(table.columns))]


def test_a_view_without_charts_is_refused_by_name():
    with pytest.raises(ValueError, match="formats: pptx needs at least one chart"):
        build_deck({"layers": block_artifacts(SPEC).exports()[f"{SPEC.kind}_layers"]}, INFO)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice renders the deck (make test installs it)")
def test_libreoffice_renders_every_slide(deck_bytes, tmp_path):
    source = tmp_path / "deck.pptx"
    source.write_bytes(deck_bytes)
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=240)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", (tmp_path / "deck.pdf").read_bytes()))
    assert pages == len(Presentation(io.BytesIO(deck_bytes)).slides)
