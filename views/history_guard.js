// One history entry per user action (issue 15). Streamlit calls history.pushState whenever a run
// changes the link; this turns every such call into replaceState unless the user acted (pointer, key,
// change) since the last entry. Actions less than a second apart form one burst, which gets one entry:
// 25 quick arrow presses on a slider are one step back, and a page load, which nobody acted on, none.
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
  const acted = (event) => {
    if (!event.isTrusted) return;
    const now = performance.now();
    if (now - actedAt > BURST_GAP_MS) burst += 1;
    actedAt = now;
  };
  for (const type of ["pointerdown", "keydown", "change"]) document.addEventListener(type, acted, true);
  window.history.pushState = (state, title, url) => {
    const fresh = burst > pushedBurst && performance.now() - actedAt < ACTION_LIFETIME_MS;
    if (!fresh) return replace(state, title, url);
    pushedBurst = burst;
    return push(state, title, url);
  };
})();
