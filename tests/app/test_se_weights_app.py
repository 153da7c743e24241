"""The SE channel weights page runs for every input and its numbers follow the controls."""

from __future__ import annotations

PAGE = "views/se_weights.py"


def test_default_photo_runs_and_says_weights_are_random(open_page, metric):
    at = open_page(PAGE, 90)
    assert metric(at, "SE channels") == "192"  # MBConv, C_in 32, t 6 -> 192 expanded channels
    assert any("random" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) == 4


def test_controls_change_the_numbers(open_page, metric):
    at = open_page(PAGE, 90)
    before = metric(at, "max excitation")
    at.selectbox(key="se_kind").set_value("se").run()
    assert metric(at, "SE channels") == "32"
    at.slider(key="se_cin").set_value(16).run()
    assert metric(at, "SE channels") == "16"
    at.radio(key="se_source").set_value("pattern").run()
    assert not at.exception
    assert metric(at, "max excitation") != before


def test_huge_block_is_refused(open_page):
    at = open_page(PAGE, 90)
    at.slider(key="se_cin").set_value(256).run()
    at.slider(key="se_size").set_value(224).run()
    assert not at.exception
    assert any("budget" in e.value for e in at.error)


def test_a_bad_upload_is_named_as_an_upload_problem(open_page):
    """An empty or non-image file gets its own wording, not "That configuration is not possible"."""
    at = open_page(PAGE, 90)
    at.radio(key="se_source").set_value("upload").run()
    for name, data, reason in (("empty.png", b"", "the file is empty"),
                               ("notes.png", b"plain text, not an image", "not an image file Pillow can read")):
        at.file_uploader(key="se_upload").set_value((name, data, "image/png")).run()
        assert not at.exception, at.exception
        [error] = [e.value for e in at.error]
        assert error.startswith("This file cannot be used as the input image:")
        assert reason in error.replace("\\", "") and "or pick a photo or a pattern" in error
        assert "configuration" not in error
