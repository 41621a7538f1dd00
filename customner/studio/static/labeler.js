// The labeling widget. Plain JavaScript, no build step.
// The text is drawn as a few large text nodes cut only at label and suggestion edges (never one
// element per character), so 100,000-character documents stay fast. Selection and the keyboard
// cursor are painted with the CSS Custom Highlight API, which needs no DOM changes at all.
// Offsets: the server speaks Unicode code points; JavaScript strings are UTF-16, so we convert.
"use strict";
(() => {
  const state = JSON.parse(document.getElementById("state").textContent);
  const text = state.text;
  const base = `/studio/projects/${encodeURIComponent(state.project)}/documents/${state.id}`;
  const storeKey = `customner:${state.project}:${state.id}`;
  const docEl = document.getElementById("doc");
  const statusEl = document.getElementById("save-status");
  const categories = state.categories;

  // ---- code points <-> UTF-16
  const astral = /[\uD800-\uDFFF]/.test(text);
  let cpToU = null, uToCp = null;
  if (astral) {
    const cps = [], us = new Int32Array(text.length + 1);
    let cp = 0;
    for (let u = 0; u < text.length; u++) {
      us[u] = cp; cps.push(u);
      const code = text.charCodeAt(u);
      if (code >= 0xd800 && code <= 0xdbff && u + 1 < text.length) { u++; us[u] = cp; }
      cp++;
    }
    cps.push(text.length); us[text.length] = cp;
    cpToU = cps; uToCp = us;
  }
  const toU = (cp) => (astral ? cpToU[cp] : cp);
  const toCp = (u) => (astral ? uToCp[u] : u);

  // ---- tokens (same rule as customner.ner.tokenize: word runs, no-space scripts per character, other symbols alone)
  const noSpace = "\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Thai}\\p{sc=Lao}\\p{sc=Khmer}\\p{sc=Myanmar}\\p{sc=Tibetan}";
  const tokenRe = new RegExp(`[${noSpace}]\\p{M}*|(?:(?![${noSpace}])[\\p{L}\\p{N}\\p{Pc}]\\p{M}*)+|[^\\s]\\p{M}*`, "gu");
  const tokS = [], tokE = [];
  for (const m of text.matchAll(tokenRe)) { tokS.push(m.index); tokE.push(m.index + m[0].length); }
  const nTok = tokS.length;
  const tokenAt = (u) => { // index of the token containing u, else the next one
    let lo = 0, hi = nTok - 1, ans = nTok;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (tokE[mid] > u) { ans = mid; hi = mid - 1; } else lo = mid + 1; }
    return ans;
  };
  const tokenEndingBy = (u) => { // last token that starts before u
    let lo = 0, hi = nTok - 1, ans = -1;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (tokS[mid] < u) { ans = mid; lo = mid + 1; } else hi = mid - 1; }
    return ans;
  };

  // ---- model state
  let labels = state.labels.map((l) => ({ s: toU(l.start), e: toU(l.end), c: l.category }));
  let suggestions = [];
  const undoStack = [];
  let cursor = 0, anchor = null, free = null; // token indexes; free = exact {s, e} from Alt+mouse
  let lastLabel = null; // the last label applied, for "label all occurrences"
  const overlaps = (a, b) => a.s < b.e && b.s < a.e;
  const sortSpans = (xs) => xs.sort((a, b) => a.s - b.s);

  function selection() {
    if (free) return free;
    if (!nTok) return null;
    const a = anchor === null ? cursor : anchor;
    const i = Math.min(a, cursor), j = Math.max(a, cursor);
    return { s: tokS[i], e: tokE[j] };
  }

  // ---- drawing
  let segStarts = [], segNodes = [];
  function draw() {
    const cuts = new Map();
    for (const l of labels) cuts.set(l.s, null);
    const items = [...labels.map((l) => ({ ...l, kind: "label" })),
      ...suggestions.filter((x) => !labels.some((l) => overlaps(l, x))).map((x) => ({ ...x, kind: "sugg" }))];
    sortSpans(items);
    const frag = document.createDocumentFragment();
    segStarts = []; segNodes = [];
    let pos = 0;
    const plain = (to) => {
      if (to <= pos) return;
      const span = document.createElement("span");
      span.dataset.s = pos; span.textContent = text.slice(pos, to);
      segStarts.push(pos); segNodes.push(span.firstChild); frag.append(span); pos = to;
    };
    for (const item of items) {
      if (item.s < pos) continue;
      plain(item.s);
      const mark = document.createElement("mark");
      const t = categories.indexOf(item.c);
      mark.className = item.kind === "label" ? `t${t % 10}` : `sugg b${t % 10}`;
      mark.dataset.s = item.s; mark.dataset.kind = item.kind;
      mark.title = item.kind === "label" ? item.c : `suggested ${item.c} (${item.p.toFixed(2)}): Enter accepts, x rejects`;
      mark.textContent = text.slice(item.s, item.e);
      const tag = document.createElement("span"); // outside the text flow for offsets: data-skip
      tag.className = "tag"; tag.dataset.skip = "1"; tag.textContent = item.c; tag.setAttribute("aria-hidden", "true");
      segStarts.push(item.s); segNodes.push(mark.firstChild); mark.append(tag); frag.append(mark); pos = item.e;
    }
    plain(text.length);
    docEl.replaceChildren(frag);
    paint();
    drawSide();
  }

  function rangeFor(s, e) {
    const point = (u) => {
      let lo = 0, hi = segStarts.length - 1, k = 0;
      while (lo <= hi) { const mid = (lo + hi) >> 1; if (segStarts[mid] <= u) { k = mid; lo = mid + 1; } else hi = mid - 1; }
      const node = segNodes[k];
      return [node, Math.min(u - segStarts[k], node.length)];
    };
    const r = new Range();
    if (!segNodes.length) return r;
    r.setStart(...point(s));
    const [n, o] = point(e);
    if (o === 0 && e > s) { const [pn] = point(e - 1); r.setEnd(pn, pn.length); } else r.setEnd(n, o);
    return r;
  }

  const canHighlight = typeof CSS !== "undefined" && CSS.highlights && typeof Highlight !== "undefined";
  function paint() {
    const sel = selection();
    const info = document.getElementById("sel-info");
    if (!sel) { info.textContent = ""; return; }
    const r = rangeFor(sel.s, sel.e);
    if (canHighlight) CSS.highlights.set("label-sel", new Highlight(r));
    const quote = text.slice(sel.s, sel.e);
    const under = labels.find((l) => overlaps(l, sel));
    info.textContent = `Selected: “${quote.length > 80 ? quote.slice(0, 80) + "…" : quote}”` + (under ? ` (labeled ${under.c})` : "");
    const rect = r.getBoundingClientRect();
    if (rect.bottom > window.innerHeight - 40 || rect.top < 90) window.scrollBy({ top: rect.top - window.innerHeight / 3 });
  }

  function drawSide() {
    const list = document.getElementById("labels");
    document.getElementById("label-count").textContent = labels.length;
    list.replaceChildren(...labels.slice(0, 500).map((l, i) => {
      const li = document.createElement("li");
      const chip = document.createElement("span");
      chip.className = `chip t${categories.indexOf(l.c) % 10}`; chip.textContent = l.c;
      const q = document.createElement("span"); q.textContent = text.slice(l.s, l.e);
      const b = document.createElement("button");
      b.type = "button"; b.className = "secondary"; b.textContent = "✕";
      b.setAttribute("aria-label", `Remove label ${l.c}: ${text.slice(l.s, l.e)}`);
      b.onclick = () => change(() => { labels.splice(i, 1); });
      li.append(q, chip, b); return li;
    }));
    const box = document.getElementById("suggestions");
    if (!state.hasModel) return;
    const open = suggestions.filter((x) => !labels.some((l) => overlaps(l, x)));
    if (!open.length) { box.innerHTML = '<p class="muted">No open suggestions.</p>'; return; }
    const byType = new Map();
    for (const x of open) byType.set(x.c, (byType.get(x.c) || 0) + 1);
    box.replaceChildren(...[...byType].map(([c, n]) => {
      const div = document.createElement("div");
      div.className = "row"; div.style.margin = "4px 0";
      const chip = document.createElement("span");
      chip.className = `chip t${categories.indexOf(c) % 10}`; chip.textContent = `${c} × ${n}`;
      const yes = document.createElement("button"); yes.type = "button"; yes.textContent = "Accept all";
      yes.setAttribute("aria-label", `Accept all ${n} ${c} suggestions`); yes.onclick = () => acceptAll(c);
      const no = document.createElement("button"); no.type = "button"; no.className = "secondary"; no.textContent = "Reject all";
      no.setAttribute("aria-label", `Reject all ${n} ${c} suggestions`); no.onclick = () => rejectAll(c);
      div.append(chip, yes, no); return div;
    }));
  }

  // ---- changes, undo, autosave
  function change(fn) {
    undoStack.push({ labels: labels.map((l) => ({ ...l })), suggestions: suggestions.slice() });
    if (undoStack.length > 200) undoStack.shift();
    fn(); sortSpans(labels); draw(); dirty();
  }
  function undo() {
    const prev = undoStack.pop();
    if (!prev) { say("Nothing to undo"); return; }
    labels = prev.labels; suggestions = prev.suggestions; draw(); dirty();
  }
  function apply(type, span) {
    const sel = span || selection();
    if (!sel || sel.e <= sel.s) return;
    change(() => {
      labels = labels.filter((l) => !overlaps(l, sel));
      lastLabel = { s: sel.s, e: sel.e, c: type };
      labels.push(lastLabel);
    });
    free = null; anchor = null;
    let next = tokenAt(sel.e);
    if (next < nTok && tokS[next] < sel.e) next++; // an Alt label can end inside a token
    if (next < nTok) cursor = next;
    paint(); markType(type);
  }
  function markType(type) {
    for (const b of document.querySelectorAll("button.type")) b.setAttribute("aria-pressed", String(categories[+b.dataset.type] === type));
  }
  function removeAtSelection() {
    const sel = selection();
    if (!sel || !labels.some((l) => overlaps(l, sel))) { say("No label here"); return; }
    change(() => { labels = labels.filter((l) => !overlaps(l, sel)); });
  }
  function allOccurrences() {
    const sel = selection();
    const model = (sel && labels.find((l) => overlaps(l, sel))) || (labels.includes(lastLabel) ? lastLabel : null);
    if (!model) { say("Select a labeled word first"); return; }
    const needle = text.slice(model.s, model.e);
    const isTok = new Set(tokS), isEnd = new Set(tokE);
    let added = 0;
    change(() => {
      if (!labels.some((l) => l.s === model.s && l.e === model.e)) labels.push({ s: model.s, e: model.e, c: model.c });
      for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
        const span = { s: i, e: i + needle.length, c: model.c };
        if (!isTok.has(span.s) || !isEnd.has(span.e) || labels.some((l) => overlaps(l, span))) continue;
        labels.push(span); added++;
      }
    });
    say(`Labeled ${added} more occurrence(s) of “${needle}” as ${model.c}`);
  }
  function suggestionAt() {
    const sel = selection();
    return sel && suggestions.find((x) => overlaps(x, sel) && !labels.some((l) => overlaps(l, x)));
  }
  function accept(x) { change(() => { labels.push({ s: x.s, e: x.e, c: x.c }); suggestions = suggestions.filter((y) => y !== x); }); }
  function reject(x) { change(() => { suggestions = suggestions.filter((y) => y !== x); }); }
  function acceptAll(c) {
    change(() => {
      for (const x of suggestions) if (x.c === c && !labels.some((l) => overlaps(l, x))) labels.push({ s: x.s, e: x.e, c: x.c });
      suggestions = suggestions.filter((x) => x.c !== c);
    });
  }
  function rejectAll(c) { change(() => { suggestions = suggestions.filter((x) => x.c !== c); }); }

  let version = 0, savedVersion = 0, inFlight = null, timer = null;
  const payload = () => JSON.stringify({ labels: labels.map((l) => ({ start: toCp(l.s), end: toCp(l.e), category: l.c })) });
  function dirty() {
    version++;
    try { localStorage.setItem(storeKey, payload()); } catch { /* storage full: the server save still runs */ }
    clearTimeout(timer); timer = setTimeout(() => save().catch(() => {}), 300);
    status("saving", "Saving…");
  }
  async function save() {
    if (inFlight) { await inFlight; if (savedVersion === version) return; }
    const v = version;
    inFlight = (async () => {
      try {
        const r = await fetch(`${base}/labels.json`, { method: "POST", headers: { "Content-Type": "application/json" }, body: payload() });
        const body = await r.json().catch(() => ({}));
        if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
        savedVersion = Math.max(savedVersion, v);
        if (savedVersion === version) { localStorage.removeItem(storeKey); status("saved", `Saved ${body.saved} label(s)`); }
      } catch (err) {
        status("failed", `Not saved yet: ${err.message}. Kept in this browser; retrying.`);
        clearTimeout(timer); timer = setTimeout(() => save().catch(() => {}), 3000);
        throw err;
      } finally { inFlight = null; }
    })();
    return inFlight;
  }
  function status(kind, message) { statusEl.className = `status ${kind}`; statusEl.textContent = message; }
  function say(message) { document.getElementById("sel-info").textContent = message; }
  // "Save & next" (and s) also mark an untouched document as labeled: "nothing to label here" is an answer.
  // Previous and "next most useful" only save pending changes, so skipping a document leaves it unlabeled.
  async function saveThenGo(href, markDone) {
    clearTimeout(timer);
    try {
      if (markDone && version === 0) version = 1;
      if (version !== savedVersion) await save();
      window.location.href = href;
    } catch { /* the status line says why */ }
  }
  window.addEventListener("beforeunload", () => {
    if (savedVersion !== version && version > 0) navigator.sendBeacon(`${base}/labels.json`, new Blob([payload()], { type: "application/json" }));
  });

  // ---- keyboard
  function move(to, extend) {
    if (!nTok) return;
    free = null;
    if (extend) { if (anchor === null) anchor = cursor; } else anchor = null;
    cursor = Math.max(0, Math.min(nTok - 1, to));
    paint();
  }
  function jump(dir) { // next/previous label or suggestion
    const here = tokS[cursor];
    const starts = [...labels, ...suggestions].map((x) => x.s).filter((s) => (dir > 0 ? s > here : s < here)).sort((a, b) => a - b);
    if (!starts.length) return;
    const target = dir > 0 ? starts[0] : starts[starts.length - 1];
    const item = [...labels, ...suggestions].find((x) => x.s === target);
    anchor = tokenAt(item.s); cursor = Math.max(anchor, tokenEndingBy(item.e)); free = null; paint();
  }
  docEl.addEventListener("keydown", (e) => {
    const k = e.key;
    if (k === "ArrowRight" || k === "ArrowLeft") {
      if (e.ctrlKey || e.metaKey) jump(k === "ArrowRight" ? 1 : -1);
      else move(cursor + (k === "ArrowRight" ? 1 : -1), e.shiftKey);
    } else if (k === "Home") move(0, e.shiftKey);
    else if (k === "End") move(nTok - 1, e.shiftKey);
    else if (k === "ArrowDown" || k === "ArrowUp") move(tokenAt(toNearbyLine(k === "ArrowDown" ? 1 : -1)), e.shiftKey);
    else if (/^[1-9]$/.test(k) && !e.ctrlKey && !e.altKey && !e.metaKey) { const c = categories[+k - 1]; if (c) apply(c); else say(`No type ${k}`); }
    else if (k === "Delete" || k === "Backspace") removeAtSelection();
    else if ((k === "z" || k === "Z") && !e.altKey) undo();
    else if (k === "a" && !e.ctrlKey && !e.metaKey) allOccurrences();
    else if (k === "Enter") { const x = suggestionAt(); if (x) accept(x); else say("No suggestion here"); }
    else if (k === "x") { const x = suggestionAt(); if (x) reject(x); else say("No suggestion here"); }
    else if (k === "Escape") { anchor = null; free = null; paint(); }
    else if (k === "s") saveNow();
    else if (k === "n" || k === "p" || k === "u") { const a = document.querySelector(`a[aria-keyshortcuts="${k}"]`); if (a) saveThenGo(a.href, k === "n"); }
    else return;
    e.preventDefault();
  });
  function toNearbyLine(dir) { // the character roughly one line below/above the cursor
    const r = rangeFor(tokS[cursor], tokE[cursor]).getBoundingClientRect();
    const y = dir > 0 ? r.bottom + r.height * 0.6 : r.top - r.height * 0.6;
    const pos = document.caretPositionFromPoint ? document.caretPositionFromPoint(r.left + 1, y) : null;
    const range = !pos && document.caretRangeFromPoint ? document.caretRangeFromPoint(r.left + 1, y) : null;
    const node = pos ? pos.offsetNode : range && range.startContainer;
    const off = pos ? pos.offset : range && range.startOffset;
    const u = node ? offsetOf(node, off) : null;
    return u === null ? tokS[Math.max(0, Math.min(nTok - 1, cursor + dir * 8))] : u;
  }
  async function saveNow() { try { if (version === 0) version = 1; await save(); } catch { /* shown */ } }

  // ---- mouse
  function offsetOf(node, off) {
    let el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (el === docEl) { // boundary between children
      const child = docEl.childNodes[off];
      return child ? +child.dataset.s : text.length;
    }
    if (el && el.dataset.skip) { const mark = el.parentElement; return +mark.dataset.s + mark.firstChild.length; }
    while (el && el !== docEl && el.dataset.s === undefined) el = el.parentElement;
    if (!el || el === docEl) return null;
    return +el.dataset.s + (node.nodeType === Node.TEXT_NODE ? off : 0);
  }
  docEl.addEventListener("mouseup", (e) => {
    const sel = window.getSelection();
    if (!sel.rangeCount) return;
    const r = sel.getRangeAt(0);
    let s = offsetOf(r.startContainer, r.startOffset), en = offsetOf(r.endContainer, r.endOffset);
    if (s === null || en === null) return;
    if (s > en) [s, en] = [en, s];
    if (s === en) { // a click: put the cursor on that token (or the whole label/suggestion)
      const mark = e.target.closest("mark");
      const t = tokenAt(s);
      if (t >= nTok) return;
      const item = mark && [...labels, ...suggestions].find((x) => x.s === +mark.dataset.s);
      if (item) { anchor = tokenAt(item.s); cursor = Math.max(anchor, tokenEndingBy(item.e)); } else { anchor = null; cursor = t; }
      free = null;
    } else if (e.altKey) {
      free = { s, e: en };
      cursor = Math.min(tokenAt(s), nTok - 1);
    } else {
      const i = tokenAt(s), j = tokenEndingBy(en);
      if (i >= nTok || j < i) return;
      anchor = i; cursor = j; free = null;
    }
    sel.removeAllRanges();
    docEl.focus({ preventScroll: true });
    paint();
  });

  // ---- toolbar and other controls
  for (const b of document.querySelectorAll("button.type")) b.addEventListener("click", () => { apply(categories[+b.dataset.type]); docEl.focus({ preventScroll: true }); });
  document.getElementById("all-occurrences").onclick = () => { allOccurrences(); docEl.focus({ preventScroll: true }); };
  document.getElementById("remove").onclick = () => { removeAtSelection(); docEl.focus({ preventScroll: true }); };
  document.getElementById("undo").onclick = () => { undo(); docEl.focus({ preventScroll: true }); };
  document.getElementById("done").onclick = saveNow;
  for (const [id, act] of [["accept", accept], ["reject", reject]]) {
    const b = document.getElementById(id);
    if (b) b.onclick = () => { const x = suggestionAt(); if (x) act(x); else say("Click a dashed suggestion first"); docEl.focus({ preventScroll: true }); };
  }
  for (const a of document.querySelectorAll("a[data-nav]")) a.addEventListener("click", (e) => { e.preventDefault(); saveThenGo(a.href, a.getAttribute("aria-keyshortcuts") === "n"); });
  document.getElementById("dataset").addEventListener("change", async (e) => {
    const form = new FormData(); form.set("dataset", e.target.value);
    const r = await fetch(`${base}/dataset`, { method: "POST", body: form });
    status(r.ok ? "saved" : "failed", r.ok ? `Dataset: ${e.target.value || "unassigned"}` : "Dataset not saved");
  });

  // ---- start: restore unsaved work, draw, then fetch suggestions
  const pending = localStorage.getItem(storeKey);
  if (pending) {
    try {
      labels = JSON.parse(pending).labels.map((l) => ({ s: toU(l.start), e: toU(l.end), c: l.category }));
      version = 1; status("saving", "Restored unsaved changes from this browser; saving…"); save().catch(() => {});
    } catch { localStorage.removeItem(storeKey); }
  }
  sortSpans(labels);
  draw();
  docEl.focus({ preventScroll: true });
  if (state.hasModel) {
    fetch(`${base}/suggestions.json`).then((r) => r.json()).then((body) => {
      suggestions = (body.suggestions || []).map((x) => ({ s: toU(x.start), e: toU(x.end), c: x.category, p: x.confidence }));
      draw();
    }).catch(() => { document.getElementById("suggestions").textContent = "Suggestions could not be loaded."; });
  }
  window.labeler = { labels: () => labels.map((l) => ({ start: toCp(l.s), end: toCp(l.e), category: l.c })), save: saveNow, version: () => [version, savedVersion] };
})();
