"""Shared Streamlit helpers: URL-synced widgets, chart and table rendering, errors.

Every widget goes through these wrappers so that its value lives in the URL
(``st.query_params``) under its ``key``: opening the link reproduces the view. A value in
the link that is unknown or invalid is ignored and listed by :func:`show_url_notices`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

NOTICES_KEY = "_url_notices"


def _url_value(key: str, default: Any, parse: Callable[[str], Any], valid: Callable[[Any], bool], label: str) -> Any:
    raw = st.query_params.get(key)
    if raw is None:
        return default
    try:
        value = parse(raw)
        if not valid(value):
            raise ValueError
    except (ValueError, TypeError):
        st.session_state.setdefault(NOTICES_KEY, []).append(
            f"Ignored `{key}={raw}` from the link: not a valid value for “{label}”; using {default!r}."
        )
        return default
    return value


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
    st.error(f"That configuration is not possible: {error}", icon="🚫")


def chart_columns(spec: int | list[int]) -> list:
    """Side-by-side columns for charts on screen; in slide style one chart under the other, full width,
    so a slide-sized chart keeps its large fonts and its whole title."""
    count = spec if isinstance(spec, int) else len(spec)
    if figure_style() == "slide":
        return [st.container() for _ in range(count)]
    return list(st.columns(spec))

