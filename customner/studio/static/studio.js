// Small page helpers: accessible tabs and copy buttons. The labeling widget lives in labeler.js.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const list of document.querySelectorAll("[data-tabs]")) {
    const tabs = [...list.querySelectorAll("[role=tab]")];
    const select = (tab) => {
      for (const t of tabs) {
        const on = t === tab;
        t.setAttribute("aria-selected", String(on));
        t.tabIndex = on ? 0 : -1;
        document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
      }
      tab.focus();
    };
    list.addEventListener("click", (e) => { const t = e.target.closest("[role=tab]"); if (t) select(t); });
    list.addEventListener("keydown", (e) => {
      const i = tabs.indexOf(document.activeElement);
      if (e.key === "ArrowRight") select(tabs[(i + 1) % tabs.length]);
      if (e.key === "ArrowLeft") select(tabs[(i - 1 + tabs.length) % tabs.length]);
    });
  }
  document.addEventListener("click", async (e) => {
    const button = e.target.closest("[data-copy]");
    if (!button) return;
    const text = document.getElementById(button.dataset.copy).textContent;
    try { await navigator.clipboard.writeText(text); button.textContent = "Copied"; }
    catch { const r = document.createRange(); r.selectNodeContents(document.getElementById(button.dataset.copy));
      getSelection().removeAllRanges(); getSelection().addRange(r); button.textContent = "Selected: press Ctrl+C"; }
  });
});
