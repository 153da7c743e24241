"""``python -m explorer export PAGE``: every page writes its tables (and a deck), in-process through main()."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation

from explorer.cli.main import main
from explorer.export import render

PAGES = {
    "scaling": ["--phi", "2"],
    "activations": ["--beta", "2"],
    "se-weights": ["mbconv"],
    "drop-connect": ["--name", "efficientnet_b1", "--samples", "4", "--repeats", "5"],
    "latency": ["depthwise_separable", "--size", "16", "--budget", "0.5"],
    "linear-bottleneck": ["--n", "5"],
    "dead-kernels": [],
    "last-stage": [],
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_exports_its_tables(page, tmp_path, capsys):
    out = tmp_path / page
    assert main(["export", page, *PAGES[page], "--out", str(out), "--formats", "csv"]) == 0
    written = sorted(path.name for path in out.iterdir())
    assert written and all(name.endswith(".csv") for name in written)
    assert f"{len(written)} files in {out}" in capsys.readouterr().out


def test_scaling_export_holds_the_counted_macs_of_b0(tmp_path):
    assert main(["export", "scaling", "--phi", "0", "--out", str(tmp_path), "--formats", "csv"]) == 0
    assert "385814752" in (tmp_path / "compound_table.csv").read_text()  # phi = 0 is EfficientNet-B0


@pytest.mark.skipif(not render.static_export_available(), reason="the deck's charts are rendered by Chromium")
def test_a_page_without_a_model_exports_a_captioned_deck(tmp_path):
    assert main(["export", "activations", "--out", str(tmp_path), "--formats", "pptx"]) == 0
    deck = Presentation(io.BytesIO((tmp_path / "activations.pptx").read_bytes()))
    cover = [shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame]
    assert cover[:2] == ["Activation functions", "x from -6 to 6, beta 1"]


@pytest.mark.parametrize(("argv", "named"), [
    (["se-weights", "standard"], "se_ratio"),
    (["activations", "--x-min", "5", "--x-max", "1"], "x_min"),
    (["activations", "--model"], "model"),
])
def test_impossible_page_settings_exit_2_naming_the_parameter(argv, named, tmp_path, capsys):
    assert main(["export", *argv, "--out", str(tmp_path), "--formats", "csv"]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and f"error: {named}" in error
