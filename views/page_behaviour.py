"""What every page does in the browser: one history entry per user action, and an "Updating…" cue.

**History guard.** Streamlit calls ``history.pushState`` whenever a run changes the link. The script
below turns every such call into ``replaceState`` unless the user acted (pointer, key, change) since
the last entry; actions on one control less than a second apart form one burst, which gets one entry.
So 25 quick arrow presses on a slider are one step back, a click on another control right after them
is a step of its own, and a page load, which nobody acted on, adds none.
The script guards itself, so it is installed once per browser tab however often a page reruns.

**Updating cue.** Streamlit marks its root element with the script's run state; while a run lasts
longer than 150 ms a badge reads "Updating…" in the top right corner (quick reruns do not flicker).
"""

from __future__ import annotations

import streamlit as st


def install() -> None:
    """Put the history guard and the updating cue on the page (the sidebar holds the script's empty element)."""
    st.html(
        """<script>
(() => {
  if (window.__explorerHistoryGuard) return;
  window.__explorerHistoryGuard = true;
  const BURST_GAP_MS = 1000;
  const ACTION_LIFETIME_MS = 60000;
  const push = window.history.pushState.bind(window.history);
  const replace = window.history.replaceState.bind(window.history);
  let burst = 0;
  let pushedBurst = 0;
  let actedAt = -Infinity;
  let actedOn = null;
  const control = (target) => target?.closest?.('[data-testid="stElementContainer"]') ?? target;
  const acted = (event) => {
    if (!event.isTrusted) return;
    const now = performance.now();
    const on = control(event.target);
    if (now - actedAt > BURST_GAP_MS || on !== actedOn) burst += 1;
    actedAt = now;
    actedOn = on;
  };
  for (const type of ["pointerdown", "keydown", "change"]) document.addEventListener(type, acted, true);
  window.history.pushState = (state, title, url) => {
    const fresh = burst > pushedBurst && performance.now() - actedAt < ACTION_LIFETIME_MS;
    if (!fresh) return replace(state, title, url);
    pushedBurst = burst;
    return push(state, title, url);
  };
})();
</script>""",
        unsafe_allow_javascript=True,
    )
    st.html(
        """<style>
[data-testid="stApp"][data-test-script-state="running"]::after {
  content: "Updating…";
  position: fixed;
  top: 0.6rem;
  right: 1rem;
  z-index: 1000000;
  padding: 0.3rem 0.9rem;
  border-radius: 1rem;
  background: #0072B2;
  color: #FFFFFF;
  font: 600 0.95rem/1.2 "Source Sans", sans-serif;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.25);
  pointer-events: none;
  opacity: 0;
  animation: explorer-updating 0.1s linear 0.15s forwards;
}
@keyframes explorer-updating {
  to { opacity: 1; }
}
</style>"""
    )
