"""Hardening: every view at the extremes of every control, malformed links, unsafe code patterns.

App tests (``AppTest``) drive each page listed in ``app.py``:

- every slider and number box at its smallest, then its largest value, every toggle off then
  on, and every option of every select box, radio and multiselect in turn;
- links whose query values are malformed (text for numbers, NaN, huge numbers, markup).

Each run must end without an exception element; where a configuration is refused, the page
says so in a readable sentence (``st.error`` / ``st.warning``), never a traceback. Buttons
(measurements, ZIP builds) are not pressed here.

The static checks read every Python file of the project: nothing deserializes with pickle
(``pickle.load``, ``torch.load`` without ``weights_only=True``, ``numpy.load`` with
``allow_pickle=True``, ``eval``/``exec`` in product code), and raw HTML is only ever a literal.
"""

from __future__ import annotations

import ast
import functools
import re
import struct
import time
import zlib
from pathlib import Path

import pytest
from streamlit.runtime.state.common import TESTING_KEY
from streamlit.testing.v1 import AppTest

from explorer.models.specs import BLOCK_KINDS

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = sorted(set(re.findall(r"views/(\w+)\.py", (ROOT / "app.py").read_text())))
NOT_DRIVEN = ("kind",)  # the block kind is fixed per test; every kind gets its own test
MAX_OPTION_RUNS = 12

MALFORMED = ["banana", "", "-1", "1e999", "nan", "99999999999999999999", "<script>alert(1)</script>", "1,2", "None"]


def new_app(page: str, query: dict[str, str] | None = None) -> AppTest:
    """A new session that opens ``page`` with the link ``query``.

    AppTest finds a page by its registered path only after a first run, so another page opens first,
    with no link; its first run leaves the link alone, and ``page`` then reads ``query`` on arrival.
    """
    at = AppTest.from_file(APP, default_timeout=120)
    if page == "blocks":
        at.query_params.update(query or {})
        return at.run()
    at.run()
    at.query_params.update(query or {})
    return at.switch_page(f"views/{page}.py").run()


def problems(at: AppTest) -> list[str]:
    """Exceptions, and error messages that are not a readable sentence."""
    found = [f"exception: {element.value}" for element in at.exception]
    for element in at.error:
        text = str(element.value)
        if not text.strip() or "Traceback" in text:
            found.append(f"unreadable error: {text!r}")
    return found


def run_clean(at: AppTest, what: str) -> float:
    """Rerun; fail on any problem; return the rerun's wall time in seconds."""
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    assert not problems(at), f"{what}: {problems(at)}"
    return elapsed


def resident_peak_bytes(reset: bool = False) -> int:
    """This process's peak resident memory (Linux ``VmHWM``); ``reset`` restarts the peak from now."""
    if reset:
        Path("/proc/self/clear_refs").write_text("5")
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024


def driven(elements) -> list:
    return [w for w in elements if w.key and not w.disabled and w.key not in NOT_DRIVEN]


def set_extremes(at: AppTest, largest: bool) -> None:
    for slider in driven(at.slider):
        value = slider.max if largest else slider.min
        slider.set_value((value, value) if isinstance(slider.value, tuple) else value)
    for box in driven(at.number_input):
        bound = box.max if largest else box.min
        if bound is not None:
            box.set_value(bound)
    for switch in driven(at.toggle) + driven(at.checkbox):
        switch.set_value(largest)


def choose_option(widget, index: int) -> None:
    """Select ``options[index]`` by its label, whatever the widget's ``format_func``."""
    widget.root.session_state[TESTING_KEY][widget.id] = str
    widget.set_value(widget.options[index % len(widget.options)])


def option_runs(at: AppTest) -> int:
    choices = driven(at.selectbox) + driven(at.radio) + driven(at.multiselect)
    return min(MAX_OPTION_RUNS, max((len(w.options) for w in choices), default=0))


def set_options(at: AppTest, index: int) -> None:
    for widget in driven(at.selectbox) + driven(at.radio):
        if widget.options:
            choose_option(widget, index)
    for widget in driven(at.multiselect):
        widget.set_value([] if index % 2 else list(widget.options))


def drive_every_control(at: AppTest, where: str) -> tuple[float, int]:
    """Smallest values, largest values, then every option in turn; the slowest rerun and peak memory growth."""
    assert not problems(at), f"{where} default: {problems(at)}"
    start = resident_peak_bytes(reset=True)
    times = []
    for largest in (False, True):
        set_extremes(at, largest)
        times.append(run_clean(at, f"{where} {'largest' if largest else 'smallest'} values"))
    for index in range(option_runs(at)):
        set_options(at, index)
        times.append(run_clean(at, f"{where} option #{index}"))
    return max(times), resident_peak_bytes() - start


def assert_within_resources(slowest: float, growth: int, record_property) -> None:
    """The issue's limits: no view allocates more than 2 GB or works more than 10 s per rerun."""
    record_property("slowest_rerun_s", round(slowest, 2))
    record_property("peak_memory_growth_mib", growth // 2**20)
    assert growth < 2 * 2**30, f"peak memory grew by {growth / 2**20:.0f} MiB"
    assert slowest < 10.0, f"a rerun took {slowest:.1f} s"


@pytest.mark.parametrize("kind", sorted(BLOCK_KINDS))
def test_blocks_page_at_the_extremes_of_every_control(kind, record_property):
    at = new_app("blocks", {"kind": kind})
    assert at.selectbox(key="kind").value == kind
    assert_within_resources(*drive_every_control(at, f"blocks/{kind}"), record_property)


@pytest.mark.parametrize("page", [page for page in PAGES if page != "blocks"])
def test_every_other_page_at_the_extremes_of_every_control(page, record_property):
    assert_within_resources(*drive_every_control(new_app(page), page), record_property)


def widget_keys(at: AppTest) -> list[str]:
    elements = [*at.slider, *at.number_input, *at.toggle, *at.checkbox, *at.selectbox, *at.radio]
    return sorted({w.key for w in elements if w.key and "__" not in w.key})


@functools.cache
def block_page_keys(kind: str) -> tuple[str, ...]:
    return tuple(key for key in widget_keys(new_app("blocks", {"kind": kind})) if key != "kind")


@pytest.mark.parametrize("rotation", range(len(MALFORMED)))
def test_blocks_page_survives_malformed_link_values(rotation):
    """Every widget key gets a malformed value (each key a different one, rotated per run)."""
    kind = ("mbconv", "group")[rotation % 2]
    keys = block_page_keys(kind)
    query = {key: MALFORMED[(index + rotation) % len(MALFORMED)] for index, key in enumerate(keys)}
    at = new_app("blocks", {"kind": kind} | query)
    assert not problems(at), problems(at)
    assert at.error or any(m.label == "Parameters" for m in at.metric)
    # A widget drawn below the page's notices is reported on the next rerun (known issue).
    notices = " ".join(str(w.value) for w in at.warning)
    run_clean(at, "rerun")
    notices += " ".join(str(w.value) for w in at.warning)
    for key, raw in query.items():
        if raw in ("banana", "<script>alert(1)</script>", "1e999", "nan", "1,2"):
            assert f"`{key}={raw}`" in notices, f"no notice for {key}={raw!r}"


@functools.cache
def page_keys(page: str) -> tuple[str, ...]:
    """Widget keys of ``page`` that the Blocks page (run first on every visit) does not also use."""
    return tuple(sorted(set(widget_keys(new_app(page))) - set(widget_keys(new_app("blocks")))))


@pytest.mark.parametrize("page", [page for page in PAGES if page != "blocks"])
def test_every_other_page_survives_malformed_link_values(page):
    keys = page_keys(page)
    assert keys, f"{page} has no URL-synced control of its own"
    query = {key: MALFORMED[index % len(MALFORMED)] for index, key in enumerate(keys)}
    at = new_app(page, query)
    assert not problems(at), problems(at)
    notices = " ".join(str(w.value) for w in at.warning)
    run_clean(at, "rerun")
    notices += " ".join(str(w.value) for w in at.warning)
    for key, raw in query.items():
        if raw in ("banana", "<script>alert(1)</script>", "1e999", "nan", "1,2"):
            assert f"`{key}={raw}`" in notices, f"no notice for {key}={raw!r}"


def test_malformed_kind_in_link_falls_back_to_the_default_with_a_notice():
    at = new_app("blocks", {"kind": "<b>conv</b>"})
    assert not problems(at)
    assert at.selectbox(key="kind").value == "mbconv"
    assert any("`kind=<b>conv</b>`" in str(w.value) for w in at.warning)


def test_refused_link_configuration_gives_a_readable_message():
    at = new_app("blocks", {"kind": "standard", "padding": "0", "size": "2", "kernel_size": "5"})
    assert not at.exception
    assert at.error and "kernel_size" in at.error[0].value
    assert not at.metric


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, extra: bytes = b"") -> bytes:
    """A PNG whose header claims ``width x height`` RGB pixels, with almost no pixel data."""
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + extra + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + _png_chunk(b"IEND", b"")


def _text_bomb(kind: bytes, prefix: bytes) -> bytes:
    """A PNG with a metadata chunk that inflates from ~50 kB to 50 MB."""
    return _png(8, 8, _png_chunk(kind, prefix + zlib.compress(b"a" * 50_000_000, 9)))


_BMP_HUGE = b"BM" + struct.pack("<IHHI", 54, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 60000, 60000, 1, 24, 0, 0, 0, 0, 0, 0)

HOSTILE_UPLOADS = [
    pytest.param(b"", id="empty"),
    pytest.param(b"<html><script>alert(1)</script></html>", id="html"),
    pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', id="svg"),
    pytest.param(b"PK\x03\x04" + bytes(100), id="zip"),
    pytest.param(_png(65535, 65535), id="png-65535x65535-header"),
    pytest.param(_png(40_000_001, 1), id="png-one-pixel-over-the-limit"),
    pytest.param(_BMP_HUGE, id="bmp-60000x60000-header"),
    pytest.param(_png(64, 64)[:40], id="png-truncated"),
    pytest.param(_text_bomb(b"zTXt", b"Comment\x00\x00"), id="png-zTXt-bomb"),
    pytest.param(_text_bomb(b"iCCP", b"icc\x00\x00"), id="png-iCCP-bomb"),
]


@pytest.mark.parametrize("data", HOSTILE_UPLOADS)
def test_hostile_uploads_are_refused_with_a_message_naming_the_image(data):
    """Uploads at the real limits: no decoding of huge images, no traceback, one ``image:`` sentence."""
    from explorer.demos.se import load_uploaded_image

    start = resident_peak_bytes(reset=True)
    with pytest.raises(ValueError, match=r"^image: "):
        load_uploaded_image(data)
    assert resident_peak_bytes() - start < 256 * 2**20


def python_sources() -> dict[str, ast.AST]:
    """Every Python file of the project (not the venv), parsed, by relative path."""
    skip = {".venv", ".git", "node_modules", "__pycache__"}
    trees = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if skip & set(relative.parts):
            continue
        try:
            trees[str(relative)] = ast.parse(path.read_text())
        except FileNotFoundError:  # a colleague's scratch file removed while we read
            continue
    return trees


def _call_name(node: ast.Call) -> str:
    return ast.unparse(node.func)


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in node.keywords if kw.arg == name), None)


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


UNPICKLERS = re.compile(r"(^|\.)(pickle|cPickle|dill|cloudpickle|joblib|shelve|marshal)\.(load|loads|Unpickler|open)$")


def unsafe_loads(tree: ast.AST, product: bool) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if UNPICKLERS.search(name) or name in ("yaml.load", "yaml.unsafe_load"):
            found.append(name)
        elif name == "torch.load" or name.endswith(".torch.load"):
            if not _is_true(_keyword(node, "weights_only")):
                found.append(f"{name} without weights_only=True")
        elif name in ("np.load", "numpy.load") and _is_true(_keyword(node, "allow_pickle")):
            found.append(f"{name}(allow_pickle=True)")
        elif product and name in ("eval", "exec"):
            found.append(name)
    return found


def test_nothing_deserializes_with_pickle():
    offenders = {}
    for relative, tree in python_sources().items():
        found = unsafe_loads(tree, product=not relative.startswith("tests"))
        if found:
            offenders[relative] = found
    assert not offenders


def raw_html_calls(tree: ast.AST) -> list[str]:
    """Calls that render raw HTML from anything but a string literal."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        html_flag = _keyword(node, "unsafe_allow_html")
        renders_html = name.endswith(("st.html", "components.html", "components.v1.html")) or (
            html_flag is not None and not (isinstance(html_flag, ast.Constant) and html_flag.value is False)
        )
        content = node.args[0] if node.args else _keyword(node, "body")
        if renders_html and not (isinstance(content, ast.Constant) and isinstance(content.value, str)):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_raw_html_is_only_ever_a_literal():
    offenders = {relative: raw_html_calls(tree) for relative, tree in python_sources().items()}
    assert not {relative: found for relative, found in offenders.items() if found}


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("import pickle\npickle.load(f)", True),
        ("torch.load(path)", True),
        ("torch.load(path, weights_only=True)", False),
        ("np.load(path, allow_pickle=True)", True),
        ("model.eval()", False),
        ("eval(text)", True),
    ],
)
def test_the_pickle_check_itself(source, flagged):
    assert bool(unsafe_loads(ast.parse(source), product=True)) == flagged


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('st.markdown("<br>", unsafe_allow_html=True)', False),
        ('st.markdown(f"<b>{name}</b>", unsafe_allow_html=True)', True),
        ("st.markdown(text, unsafe_allow_html=flag)", True),
        ("st.markdown(text)", False),
        ("st.html(user_text)", True),
    ],
)
def test_the_raw_html_check_itself(source, flagged):
    assert bool(raw_html_calls(ast.parse(source))) == flagged
