// Small page helpers: accessible tabs and copy buttons. The labeling widget lives in labeler.js.
"use strict";
// CSRF: every unsafe Studio request carries the session's token (the server refuses it otherwise).
(() => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const token = meta ? meta.content : "";
  if (!token) return;
  const unsafe = (method) => !["GET", "HEAD", "OPTIONS"].includes((method || "GET").toUpperCase());
  const sameOrigin = (url) => new URL(url, location.href).origin === location.origin;
  const plainFetch = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const method = init.method || (input instanceof Request ? input.method : "GET");
    const url = input instanceof Request ? input.url : String(input);
    if (unsafe(method) && sameOrigin(url)) {
      const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
      headers.set("X-CSRF-Token", token);
      init = { ...init, headers };
    }
    return plainFetch(input, init);
  };
  document.addEventListener("htmx:configRequest", (e) => { e.detail.headers["X-CSRF-Token"] = token; });
  const addField = (form) => {
    if (!form.querySelector('input[name="csrf_token"]')) {
      const field = document.createElement("input");
      Object.assign(field, { type: "hidden", name: "csrf_token", value: token });
      form.append(field);
    }
  };
  // Forms in the page and forms htmx swaps in later both get the field before they are sent.
  document.addEventListener("submit", (e) => { if (e.target instanceof HTMLFormElement) addField(e.target); }, true);
  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("form").forEach(addField));
})();
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
