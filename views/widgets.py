"""Shared Streamlit helpers: URL-synced widgets, chart and table rendering, errors.

Every widget goes through these wrappers so that its value lives in the URL
(``st.query_params``) under its ``key``: opening the link reproduces the view. A value in
the link that is unknown or invalid is ignored and listed by :func:`show_url_notices`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

NOTICES_KEY = "_url_notices"
# CommonMark lets a backslash escape any ASCII punctuation character; escaping all of them means
# no emphasis, code span, link, image, HTML tag, entity, math or directive can start. GFM's bare
# autolinks (``https://``, ``www.``, ``a@b.c``) are found in the text after parsing, so a word
# joiner (U+2060, invisible, zero width) goes where each would start.
# An underscore between two letters or digits can never open or close emphasis (CommonMark's
# flanking rules), so ``kernel_size`` stays as written; every other punctuation character is escaped.
_PUNCTUATION = re.compile("((?![_])[" + re.escape(string.punctuation) + "]|(?<![^\\W_])_|_(?![^\\W_]))")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """``text`` (from a user: a link value, a file name, a typed string) as inert Markdown and HTML.

    Every ASCII punctuation character is backslash-escaped, line breaks and control characters
    become one space, and bare-URL and e-mail autolinks are broken by an invisible word joiner:
    Streamlit's Markdown shows the characters typed and nothing in them opens a link, loads an
    image, starts a tag or changes the layout.
    """
    flat = _CONTROL.sub(" ", str(text))
    unlinked = _AUTOLINK.sub(WORD_JOINER, flat)
    return _PUNCTUATION.sub(r"\\\1", unlinked)


def quoted(text: object) -> str:
    """``text`` as a Markdown code span: shown verbatim, nothing inside it is Markdown, HTML or a link.

    The fence is one backtick longer than the longest run of backticks in ``text``, so a value full
    of backticks cannot close the span early; where CommonMark would strip or merge an edge (a
    backtick at either end, or a space at both) the content is padded by one space each side,
    which CommonMark strips again.
    """
    flat = _CONTROL.sub(" ", str(text))
    fence = "`" * (max((len(run) for run in re.findall("`+", flat)), default=0) + 1)
    padded = flat[:1] == "`" or flat[-1:] == "`" or (flat[:1] == " " and flat[-1:] == " " and flat.strip())
    return f"{fence} {flat} {fence}" if padded else f"{fence}{flat}{fence}"


def _url_value(key: str, default: Any, parse: Callable[[str], Any], valid: Callable[[Any], bool], label: str) -> Any:
    raw = st.query_params.get(key)
    if raw is None:
        return default
    try:
        value = parse(raw)
        if not valid(value):
            raise ValueError
    except (ValueError, TypeError):
        link = quoted(f"{key}={raw}")
        _notice(f"Ignored {link} from the link: not a valid value for “{label}”; using {quoted(repr(default))}.")
        return default
    if parse in (int, float) and not _canonical_number(raw):
        _notice(f"Read {quoted(f'{key}={raw}')} from the link as {quoted(value)} for “{label}”.")
    return value


def _notice(text: str) -> None:
    st.session_state.setdefault(NOTICES_KEY, []).append(text)


def _canonical_number(raw: str) -> bool:
    """Whether ``raw`` is a number written plainly: ASCII, no ``_`` separators, no surrounding space.

    Python's ``int`` and ``float`` also accept full-width digits, ``1_024`` and padding; such a value
    is used but the page says how it was read.
    """
    return raw.isascii() and "_" not in raw and raw == raw.strip()


def _sync(key: str, default: Any, parse: Callable[[str], Any], valid: Callable[[Any], bool], label: str) -> None:
    """Seed the widget's state from the URL once, then keep the URL in step with it."""
    if key not in st.session_state:
        st.session_state[key] = _url_value(key, default, parse, valid, label)


def _publish(key: str, value: Any) -> None:
    text = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    if st.query_params.get(key) != text:
        st.query_params[key] = text


def _parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise ValueError(raw)


def int_slider(label: str, key: str, low: int, high: int, default: int, step: int = 1, **kwargs: Any) -> int:
    """An integer slider whose value is kept in the URL under ``key``."""
    _sync(key, default, int, lambda v: low <= v <= high, label)
    value = st.slider(label, min_value=low, max_value=high, step=step, key=key, **kwargs)
    _publish(key, value)
    return int(value)


def float_slider(label: str, key: str, low: float, high: float, default: float, step: float, **kwargs: Any) -> float:
    """A float slider whose value is kept in the URL under ``key``."""
    _sync(key, float(default), float, lambda v: low <= v <= high, label)
    value = st.slider(label, min_value=float(low), max_value=float(high), step=float(step), key=key, **kwargs)
    _publish(key, value)
    return float(value)


def number_input(label: str, key: str, low: float, high: float, default: float, step: float, **kwargs: Any) -> float:
    """A number box whose value is kept in the URL under ``key`` (int if the bounds and step are)."""
    is_int = all(isinstance(v, int) for v in (low, high, default, step))
    parse = int if is_int else float
    _sync(key, parse(default), parse, lambda v: low <= v <= high, label)
    value = st.number_input(label, min_value=low, max_value=high, step=step, key=key, **kwargs)
    _publish(key, value)
    return value


def select(label: str, key: str, options: Sequence[Any], default: Any, format_func: Callable = str, **kwargs: Any) -> Any:
    """A select box whose value (one of ``options``) is kept in the URL under ``key``."""
    by_text = {str(option): option for option in options}
    _sync(key, default, lambda raw: by_text[raw] if raw in by_text else _raise(raw), lambda v: True, label)
    if st.session_state[key] not in options:
        st.session_state[key] = default if default in options else options[0]
    value = st.selectbox(label, list(options), key=key, format_func=format_func, **kwargs)
    _publish(key, value)
    return value


def multiselect(label: str, key: str, options: Sequence[Any], default: Sequence[Any], format_func: Callable = str,
                **kwargs: Any) -> list[Any]:
    """A multiselect whose chosen values (comma-separated, in the options' order) are kept in the URL under ``key``."""
    by_text = {str(option): option for option in options}

    def parse(raw: str) -> list[Any]:
        chosen = [by_text[part] if part in by_text else _raise(part) for part in raw.split(",") if part]
        return chosen or _raise(raw)

    _sync(key, list(default), parse, lambda v: True, label)
    value = st.multiselect(label, list(options), key=key, format_func=format_func, **kwargs)
    _publish(key, value)
    return list(value)


def radio(label: str, key: str, options: Sequence[Any], default: Any, format_func: Callable = str, **kwargs: Any) -> Any:
    """Horizontal radio buttons whose value is kept in the URL under ``key``."""
    by_text = {str(option): option for option in options}
    _sync(key, default, lambda raw: by_text[raw] if raw in by_text else _raise(raw), lambda v: True, label)
    value = st.radio(label, list(options), key=key, format_func=format_func, horizontal=True, **kwargs)
    _publish(key, value)
    return value


def toggle(label: str, key: str, default: bool = False, **kwargs: Any) -> bool:
    """A toggle whose value is kept in the URL under ``key``."""
    _sync(key, default, _parse_bool, lambda v: True, label)
    value = st.toggle(label, key=key, **kwargs)
    _publish(key, value)
    return bool(value)


def _raise(raw: str) -> Any:
    raise ValueError(raw)


def show_url_notices() -> None:
    """Show (once) which values from the link were ignored and why.

    ``app.py`` calls it in a container at the top of the page after the page has run, so every
    notice shows however late its widget was created; a page may call it earlier to show the
    notices collected so far at that place.
    """
    for notice in st.session_state.pop(NOTICES_KEY, []):
        st.warning(notice, icon="🔗")


def figure_style() -> str:
    """The figure style chosen in the sidebar: ``screen`` or ``slide``."""
    return "slide" if st.session_state.get("slide_style", False) else "screen"


def refuse(error: ValueError) -> None:
    """Show a refused configuration as a readable error message (never a traceback)."""
    st.error(f"That configuration is not possible: {plain(error)}", icon="🚫")


def chart_columns(spec: int | list[int]) -> list:
    """Side-by-side columns for charts on screen; in slide style one chart under the other, full width,
    so a slide-sized chart keeps its large fonts and its whole title."""
    count = spec if isinstance(spec, int) else len(spec)
    if figure_style() == "slide":
        return [st.container() for _ in range(count)]
    return list(st.columns(spec))

