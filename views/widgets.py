"""Shared Streamlit helpers: URL-synced widgets, the browser history, notices, errors.

Every widget goes through these wrappers so that its value lives in the URL
(``st.query_params``) under its ``key``: opening the link reproduces the view. A value in
the link that is unknown or invalid is ignored and listed by :func:`show_url_notices`.

History: ``app.py`` calls :func:`begin_run` before a page runs and :func:`end_run` after it.
Widgets only *collect* their URL values during a run; :func:`end_run` writes the whole link once,
so an interrupted run writes nothing and a run writes the page's keys only. A page load writes no
link at all (the link as opened stays in the address bar). :mod:`views.page_behaviour` makes
Streamlit's ``pushState`` a ``replaceState`` unless the user acted since the last entry, so one action
adds at most one history entry; a Back/Forward run re-seeds every widget from the link it returns to.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.state.session_state_proxy import get_session_state

NOTICES_KEY = "_url_notices"
NOTICE_SLOT_KEY = "_url_notice_slot"
PENDING_KEY = "_url_pending"  # the link this run is building, key by key
PUBLISHED_KEY = "_url_published"  # the link the last complete run wrote (absent before the first run ends)
SYNCED_KEY = "_url_synced_keys"  # every widget key of this session that lives in the URL
FORGOTTEN_KEY = "_url_forgotten"  # keys whose link value this run must not read (reset to defaults)
PAGE_KEY = "_url_page"  # the page the last run showed
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
        notice(f"Ignored {link} from the link: not a valid value for “{label}”; using {quoted(repr(default))}.")
        return default
    if parse in (int, float) and not _canonical_number(raw):
        notice(f"Read {quoted(f'{key}={raw}')} from the link as {quoted(value)} for “{label}”.")
    return value


def notice(text: str) -> None:
    """Add a notice about the link (Markdown: quote user text with :func:`quoted` or :func:`plain`)."""
    st.session_state.setdefault(NOTICES_KEY, []).append(text)


def _canonical_number(raw: str) -> bool:
    """Whether ``raw`` is a number written plainly: ASCII, no ``_`` separators, no surrounding space.

    Python's ``int`` and ``float`` also accept full-width digits, ``1_024`` and padding; such a value
    is used but the page says how it was read.
    """
    return raw.isascii() and "_" not in raw and raw == raw.strip()


def _sync(key: str, default: Any, parse: Callable[[str], Any], valid: Callable[[Any], bool], label: str) -> None:
    """Seed the widget's state from the URL once (again after Back/Forward), then keep the URL in step with it."""
    st.session_state.setdefault(SYNCED_KEY, set()).add(key)
    if key not in st.session_state:
        forgotten = key in st.session_state.get(FORGOTTEN_KEY, ())
        st.session_state[key] = default if forgotten else _url_value(key, default, parse, valid, label)


def _publish(key: str, value: Any) -> None:
    text = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    publish({key: text})


def publish(values: dict[str, str]) -> None:
    """Put ``values`` in this run's link; :func:`end_run` writes the whole link once the page has run."""
    st.session_state.setdefault(PENDING_KEY, {}).update(values)


def forget(keys: Sequence[str]) -> None:
    """Reset these widgets to their defaults: their state goes, and the link's old values are not read again."""
    for key in keys:
        st.session_state.pop(key, None)
    st.session_state.setdefault(FORGOTTEN_KEY, set()).update(keys)


def history_navigation() -> bool:
    """Whether this run was started by the browser's Back or Forward button."""
    context = get_script_run_ctx()
    return bool(context and context.is_history_navigation)


def begin_run() -> None:
    """Before the page runs: after Back/Forward every URL-synced widget is seeded again from the link."""
    st.session_state[PENDING_KEY] = {}
    if history_navigation():
        for key in st.session_state.get(SYNCED_KEY, ()):
            st.session_state.pop(key, None)


def enter_page(page: str) -> None:
    """On arriving at another page, its widgets are seeded from the link again, not from a page left behind.

    Streamlit keeps a widget's state per page, so a key both pages use (Blocks at ``/`` and ``/blocks``)
    would otherwise come back empty and show the widget's minimum.
    """
    if st.session_state.get(PAGE_KEY, page) != page:
        made = st.session_state.get(PENDING_KEY, {})
        for key in st.session_state.get(SYNCED_KEY, ()):
            if key not in made:
                st.session_state.pop(key, None)
    st.session_state[PAGE_KEY] = page


def end_run(notice_fallback: Any) -> None:
    """After the page ran to its end: notices shown, and the link becomes exactly this view.

    A link's setting that this view does not have gets a notice on arrival. The first run of a session,
    and a run after Back or Forward, writes the link only to drop what it refused, so loading a good link
    changes nothing (a page load adds no history entry: the guard makes that write a replacement) and
    Back shows the link it went back to. Bound tabs stay as they are.
    """
    pending = st.session_state.pop(PENDING_KEY, {})
    st.session_state.pop(FORGOTTEN_KEY, None)
    first_run = PUBLISHED_KEY not in st.session_state
    current = st.query_params.to_dict()
    kept = {key for key in current if _is_bound(key)} | set(pending)
    unknown = [key for key in current if key not in kept]
    if first_run or history_navigation():
        for key in unknown:
            notice(f"Ignored {quoted(f'{key}={current[key]}')} from the link: this view has no setting {quoted(key)}.")
    refused = bool(st.session_state.get(NOTICES_KEY))
    flush_url_notices(notice_fallback)
    st.session_state[PUBLISHED_KEY] = pending
    if (first_run or history_navigation()) and not refused:
        return
    changed = {key: value for key, value in pending.items() if current.get(key) != value and not _is_bound(key)}
    if changed:
        st.query_params.update(changed)
    for key in unknown:
        del st.query_params[key]


def redirect_unknown_path(pages: dict[str, list]) -> None:
    """A path that is no page (``/nonexistent``) opens the first page with a notice saying so.

    Streamlit would run the first page too, behind a "Page not found" dialog; here the notice goes
    where every notice about the link goes, and the address bar shows the page that is open.
    """
    context = get_script_run_ctx()
    manager = context.pages_manager if context else None
    requested = manager.intended_page_name if manager else None
    if not requested or manager.intended_page_script_hash:
        return
    paths = {page.url_path for section in pages.values() for page in section}
    if requested.strip("/") in paths:
        return
    listed = ", ".join(f"/{path}" for path in sorted(paths) if path)
    notice(f"There is no page at {quoted('/' + requested)}: this is the first page. The pages are at {listed}.")
    manager.set_script_intent("", "")


def _is_bound(key: str) -> bool:
    """Whether Streamlit keeps ``key`` in the URL itself (a widget made with ``bind="query-params"``)."""
    with get_session_state().query_params() as params:
        return params.is_bound(key)


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


def tabs(labels: Sequence[str], key: str) -> list:
    """Tabs whose open tab Streamlit keeps in the URL under ``key``; a name that is no tab gets a notice."""
    raw = st.query_params.get(key)
    if raw is not None and raw not in labels:
        notice(f"Ignored {quoted(f'{key}={raw}')} from the link: not a tab; the tabs are {', '.join(labels)}.")
        del st.query_params[key]
    return list(st.tabs(list(labels), key=key, bind="query-params"))


def _raise(raw: str) -> Any:
    raise ValueError(raw)


def show_url_notices() -> None:
    """Mark where this page shows the notices about its link: right under its title and caption.

    Every page calls it there; :func:`flush_url_notices` fills the place once the page has run, so a
    notice from a widget made late (or about the path itself) still shows in that one place.
    """
    st.session_state[NOTICE_SLOT_KEY] = st.container()


def flush_url_notices(fallback: Any) -> None:
    """Show (once) which values from the link were ignored and why, in the page's notice place.

    ``fallback`` (a container on top) takes them on a page that stopped before marking its place.
    """
    slot = st.session_state.pop(NOTICE_SLOT_KEY, None) or fallback
    with slot:
        for text in st.session_state.pop(NOTICES_KEY, []):
            st.warning(text, icon="🔗")


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

