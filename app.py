"""Efficient CNN building-block explorer: page navigation, the link and the browser history.

Run with ``make run`` (or ``streamlit run app.py`` inside the project's virtual environment).
"""

from pathlib import Path

import streamlit as st

from views import page_behaviour, widgets

ROOT = Path(__file__).parent

BLOCKS = st.Page(str(ROOT / "views/blocks.py"), title="Blocks", icon="🧱", url_path="blocks")


def open_blocks() -> None:
    """The app's root: Blocks, at its own path like every other page, with the link's settings."""
    st.switch_page(BLOCKS, query_params=st.query_params.to_dict())


PAGES = {
    "Blocks": [
        st.Page(open_blocks, title="Blocks", icon="🧱", url_path="start", default=True, visibility="hidden"),
        BLOCKS,
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
st.navigation(PAGES).run()
widgets.end_run(url_notices)
