"""Efficient CNN building-block explorer: page navigation, the link and the browser history.

Run with ``make run`` (or ``streamlit run app.py`` inside the project's virtual environment).
"""

import runpy
from pathlib import Path

import streamlit as st

from views import page_behaviour, widgets

ROOT = Path(__file__).parent

BLOCKS = ROOT / "views/blocks.py"


def blocks_at_its_own_path() -> None:
    """``/blocks``: the Blocks page at its own path, as every other page has one (the menu lists it once, at ``/``)."""
    runpy.run_path(str(BLOCKS))


PAGES = {
    "Blocks": [
        # the default page's url_path is only the unique name Streamlit reserves for it; it is served at "/"
        st.Page(str(BLOCKS), title="Blocks", icon="🧱", url_path="blocks-home", default=True),
        st.Page(blocks_at_its_own_path, title="Blocks", icon="🧱", url_path="blocks", visibility="hidden"),
    ],
    "Inside the blocks": [
        st.Page(str(ROOT / "views/activations.py"), title="Activation functions", icon="📈", url_path="activations"),
        st.Page(str(ROOT / "views/se_weights.py"), title="SE channel weights", icon="🎚️", url_path="se-weights"),
        st.Page(str(ROOT / "views/digits.py"), title="SE in a trained network", icon="🔢", url_path="se-trained"),
        st.Page(str(ROOT / "views/drop_connect.py"), title="Drop connect", icon="🎲", url_path="drop-connect"),
    ],
    "Papers' claims": [
        st.Page(str(ROOT / "views/linear_bottleneck.py"), title="Linear bottleneck", icon="🌀", url_path="linear-bottleneck"),
        st.Page(str(ROOT / "views/dead_kernels.py"), title="Dead depthwise kernels", icon="💀", url_path="dead-kernels"),
        st.Page(str(ROOT / "views/last_stage.py"), title="The last stage", icon="🏁", url_path="last-stage"),
        st.Page(str(ROOT / "views/activation_speed.py"), title="Activation speed", icon="⚡", url_path="activation-speed"),
    ],
    "Networks": [
        st.Page(str(ROOT / "views/networks.py"), title="Networks", icon="🕸️", url_path="networks"),
        st.Page(str(ROOT / "views/scaling.py"), title="Compound scaling", icon="📐", url_path="scaling"),
        st.Page(str(ROOT / "views/design.py"), title="Design", icon="✏️", url_path="design"),
        st.Page(str(ROOT / "views/your_model.py"), title="Your model", icon="🧳", url_path="your-model"),
    ],
    "Measure": [
        st.Page(str(ROOT / "views/latency.py"), title="Latency & memory", icon="⏱️", url_path="latency"),
    ],
}

st.set_page_config(page_title="Efficient CNN block explorer", page_icon="🧱", layout="wide")
widgets.begin_run()
with st.sidebar:
    widgets.toggle(
        "Slide style", "slide_style", False, help="White background, large fonts, thick lines, colour-blind-safe palette."
    )
    page_behaviour.install()
# Notices about the link show under the page's title (each page marks the place); this is the fallback.
url_notices = st.container()
widgets.redirect_unknown_path(PAGES)
page = st.navigation(PAGES)
widgets.enter_page(page.url_path)
page.run()
widgets.end_run(url_notices)
