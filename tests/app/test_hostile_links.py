"""Hostile links: Markdown, HTML and link syntax in every link value of every page stays inert text.

A page quotes a refused link value in its notice. The value below closes a code span, then tries
bold text, a link and an image to another site, raw HTML tags, math and a Streamlit colour
directive. Every text element of the page (notices, errors, captions, Markdown) that quotes it must
show it with every ASCII punctuation character backslash-escaped, so Markdown creates nothing from
it, and must read back as exactly the characters of the link.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_links import page_params
from views.widgets import WORD_JOINER, plain, quoted

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PAGES = sorted(set(re.findall(r'"(views/[a-z_]+\.py)"', APP.read_text())))
TEXT_ELEMENTS = ("warning", "error", "info", "success", "markdown", "caption")
BODY = (
    "` **INJ** [evil](https://evil.example/login) ![p](https://evil.example/p.png) "
    "<img src=https://evil.example/x.png> <a href='https://evil.example'>a</a> $x^2$ :red[red] &amp; _em_ `"
)
PAYLOAD = f"OPEN{BODY}CLOSE"
UNESCAPE = re.compile(r"\\([" + re.escape(string.punctuation) + "])")


def open_link(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.query_params.update(params)
    at.switch_page(page)
    return at.run()


def code_spans(text: str) -> list[str]:
    """The contents of ``text``'s Markdown code spans by CommonMark's rule: a fence closes only at a run of
    exactly its length, and one space each side is stripped."""
    spans, index = [], 0
    while (opening := re.compile(r"`+").search(text, index)) is not None:
        fence = opening.group(0)
        closing = re.compile(rf"(?<!`){fence}(?!`)").search(text, opening.end())
        if closing is None:
            index = opening.end()
            continue
        content = text[opening.end():closing.start()]
        padded = content.startswith(" ") and content.endswith(" ") and content.strip()
        spans.append(content[1:-1] if padded else content)
        index = closing.end()
    return spans


def test_plain_escapes_every_markdown_and_html_character():
    assert plain("a*b") == r"a\*b"
    assert plain("kernel_size _em_ x_") == r"kernel_size \_em\_ x\_", "only an underscore that could be emphasis is escaped"
    assert plain("<b>&amp;</b>") == r"\<b\>\&amp\;\<\/b\>"
    assert plain("one\ntwo\r\n# three") == r"one two \# three"
    assert plain("[x](https://e.x)") == rf"\[x\]\(https\:{WORD_JOINER}\/\/e\.x\)", "the bare autolink is broken, invisibly"
    assert plain("www.e.x a@b.co") == rf"www{WORD_JOINER}\.e\.x a\@{WORD_JOINER}b\.co"
    assert UNESCAPE.sub(r"\1", plain(PAYLOAD)).replace(WORD_JOINER, "") == PAYLOAD


@pytest.mark.parametrize("text", ["`", "a``b", "```", " `x` ", " a ", PAYLOAD, "plain", "`start", "end`"])
def test_quoted_is_one_code_span_holding_exactly_the_text(text):
    assert code_spans(f"before {quoted(text)} after") == [text]


@pytest.mark.parametrize("page_file", PAGES)
def test_markup_in_every_link_value_is_shown_as_inert_text(page_file):
    keys = list(page_params(open_link(page_file, {})))
    assert keys, f"{page_file} publishes no link value"
    at = open_link(page_file, dict.fromkeys(keys, PAYLOAD))
    assert not at.exception, [element.value for element in at.exception]
    quoting = [str(element.value) for kind in TEXT_ELEMENTS for element in at.get(kind) if "INJ" in str(element.value)]
    assert quoting, f"{page_file}: no notice quotes the refused link values {keys}"
    for text in quoting:
        spans = [span for span in code_spans(text.replace("\\`", "")) if "INJ" in span]  # an escaped backtick is text
        assert spans and all(span.split("=", 1)[1] == PAYLOAD for span in spans), f"{page_file}: {text!r}"
        outside = text
        for span in spans:
            outside = outside.replace(quoted(span), "")
        assert "evil" not in outside and "INJ" not in outside, f"{page_file}: the value escaped its code span"


def test_a_normalised_number_in_a_link_is_stated():
    at = open_link("views/blocks.py", {"in_channels": "1_6", "out_channels": "\uff12\uff14"})
    assert not at.exception
    assert at.slider(key="in_channels").value == 16
    assert at.slider(key="out_channels").value == 24
    notices = " ".join(str(w.value) for w in at.warning)
    assert "Read `in_channels=1_6` from the link as `16`" in notices
    assert "as `24`" in notices
