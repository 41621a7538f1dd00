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
  // An annotator's own copy of the labels, or (no annotator) the project's labels.
  const query = state.annotator ? `?annotator=${encodeURIComponent(state.annotator)}` : "";
  const storeKey = `customner:${state.project}:${state.id}${state.annotator ? ":" + state.annotator : ""}`;
  const docEl = document.getElementById("doc");
  const statusEl = document.getElementById("save-status");
  const categories = state.categories;
  // Each type keeps its own key (slot + 1) and colour (slot % 10) when other types are deleted.
  const slotOf = (c) => (c in state.slots ? state.slots[c] : categories.indexOf(c));
  const colour = (c) => slotOf(c) % 10;
  const typeForKey = (k) => categories.find((c) => slotOf(c) === k - 1);
  // Right-to-left scripts (Arabic, Hebrew, ...) are laid out right to left, and the arrows follow reading order.
  const firstStrong = text.match(/[\p{L}]/u);
  const rtl = !!firstStrong && /[\p{sc=Arabic}\p{sc=Hebrew}\p{sc=Syriac}\p{sc=Thaana}\p{sc=Nko}\p{sc=Samaritan}\p{sc=Mandaic}\p{sc=Adlam}]/u.test(firstStrong[0]);
  docEl.dir = rtl ? "rtl" : "ltr";
  const forward = rtl ? "ArrowLeft" : "ArrowRight";
  // One place for the page's JSON requests (so headers such as a CSRF token can be added once).
  const post = (url, body, keepalive = false) => fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body, keepalive });

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
  let model = null; // the id of the model the suggestions come from
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
      const t = colour(item.c);
      mark.className = item.kind === "label" ? `t${t}` : `sugg b${t}`;
      mark.dataset.s = item.s; mark.dataset.kind = item.kind;
      mark.title = item.kind === "label" ? item.c : `suggested ${item.c} (${item.p.toFixed(2)}): Enter accepts, x rejects`;
      mark.textContent = text.slice(item.s, item.e);
      const tag = document.createElement("span"); // outside the text flow for offsets: data-skip
      tag.className = "tag"; tag.dataset.skip = "1"; tag.textContent = item.c; tag.setAttribute("aria-hidden", "true"); tag.dir = "auto";
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
      chip.className = `chip t${colour(l.c)}`; chip.textContent = l.c;
      const q = document.createElement("span"); q.textContent = text.slice(l.s, l.e);
      const b = document.createElement("button");
      b.type = "button"; b.className = "secondary"; b.textContent = "✕";
      b.setAttribute("aria-label", `Remove label ${l.c}: ${text.slice(l.s, l.e)}`);
      b.onclick = () => change(() => { labels.splice(i, 1); });
      li.append(q, chip, b); return li;
    }));
    const box = document.getElementById("suggestions");
    if (!state.hasModel) return;
    const open = openSuggestions();
    if (!open.length) { box.innerHTML = '<p class="muted">No open suggestions.</p>'; return; }
    const byType = new Map();
    for (const x of open) byType.set(x.c, (byType.get(x.c) || 0) + 1);
    box.replaceChildren(...[...byType].map(([c, n]) => {
      const div = document.createElement("div");
      div.className = "row"; div.style.margin = "4px 0";
      const chip = document.createElement("span");
      chip.className = `chip t${colour(c)}`; chip.textContent = `${c} × ${n}`;
      const yes = document.createElement("button"); yes.type = "button"; yes.textContent = "Accept all";
      yes.setAttribute("aria-label", `Accept all ${n} ${c} suggestions`); yes.onclick = () => acceptAll(c);
      const no = document.createElement("button"); no.type = "button"; no.className = "secondary"; no.textContent = "Reject all";
      no.setAttribute("aria-label", `Reject all ${n} ${c} suggestions`); no.onclick = () => rejectAll(c);
      div.append(chip, yes, no); return div;
    }));
  }

  // ---- changes, undo, autosave
  // labelsChange false: only suggestions changed (a rejection, stored apart), so nothing is saved and the
  // document does not become "labeled".
  function change(fn, labelsChange = true) {
    undoStack.push({ labels: labels.map((l) => ({ ...l })), suggestions: suggestions.slice(), labelsChange });
    if (undoStack.length > 200) undoStack.shift();
    fn(); sortSpans(labels); draw(); if (labelsChange) dirty();
  }
  function undo() {
    const prev = undoStack.pop();
    if (!prev) { say("Nothing to undo"); return; }
    const back = prev.suggestions.filter((x) => !suggestions.includes(x) && x.rejected);
    if (back.length) { for (const x of back) x.rejected = false; remember(back, true); }
    labels = prev.labels; suggestions = prev.suggestions; draw(); if (prev.labelsChange) dirty();
  }
  const openSuggestions = () => suggestions.filter((x) => !labels.some((l) => overlaps(l, x)));
  const quoted = (l) => `“${text.slice(l.s, l.e)}” (${l.c})`;

  // A small in-page question (a <dialog>): resolves to the value of the button chosen, "" on Escape.
  function ask(title, message, buttons) {
    const dialog = document.getElementById("ask");
    document.getElementById("ask-title").textContent = title;
    document.getElementById("ask-text").textContent = message;
    return new Promise((resolve) => {
      // Settled by this question's own buttons (or Escape), never by a "close" event, which fires later and
      // could answer the next question; resolved in a later task, as a navigation started while the dialog
      // closes can be dropped.
      const answer = (value) => { dialog.close(); docEl.focus({ preventScroll: true }); setTimeout(() => resolve(value), 0); };
      document.getElementById("ask-buttons").replaceChildren(...buttons.map(([value, label], i) => {
        const b = document.createElement("button");
        b.type = "button"; b.textContent = label; if (i) b.className = "secondary"; if (!i) b.autofocus = true;
        b.onclick = () => answer(value);
        return b;
      }));
      dialog.oncancel = (e) => { e.preventDefault(); answer(""); };
      dialog.showModal();
    });
  }


  async function apply(type, span) {
    const sel = span || selection();
    if (!sel || sel.e <= sel.s) return;
    const hit = labels.filter((l) => overlaps(l, sel) && !(l.s === sel.s && l.e === sel.e && l.c === type));
    if (hit.length) { // never replace a label without a word
      const answer = await ask("Replace the label here?",
        `${hit.map(quoted).join(", ")} overlaps “${text.slice(sel.s, sel.e)}”. Replace ${hit.length > 1 ? "them" : "it"} with ${type}?`,
        [["replace", `Replace with ${type}`], ["", "Cancel"]]);
      if (answer !== "replace") { say("Nothing changed"); return; }
    }
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
  // Rejections are stored on the server (per document and model), so a reload does not bring them back.
  function remember(xs, undo = false) {
    if (!xs.length || !model) return;
    const body = JSON.stringify({ model, undo, suggestions: xs.map((x) => ({ start: toCp(x.s), end: toCp(x.e), category: x.c })) });
    post(`${base}/rejections.json${query}`, body).then((r) => { if (!r.ok) say("The rejection was not stored; it may come back after a reload"); })
      .catch(() => say("The rejection was not stored; it may come back after a reload"));
  }
  function reject(x) { x.rejected = true; change(() => { suggestions = suggestions.filter((y) => y !== x); }, false); remember([x]); }
  function acceptAll(c) {
    change(() => {
      for (const x of suggestions) if (x.c === c && !labels.some((l) => overlaps(l, x))) labels.push({ s: x.s, e: x.e, c: x.c });
      suggestions = suggestions.filter((x) => x.c !== c);
    });
  }
  function rejectAll(c) {
    const gone = openSuggestions().filter((x) => x.c === c);
    for (const x of gone) x.rejected = true;
    change(() => { suggestions = suggestions.filter((x) => !gone.includes(x)); }, false);
    remember(gone);
  }

  // `edits` counts local changes, `savedEdits` the last one the server has. `based` is the server's version
  // (and labels) these changes start from: the server refuses a save whose version is stale (409), and the
  // page then shows both sides' changes to merge or reload, so one page never erases another's work.
  let edits = 0, savedEdits = 0, inFlight = null, timer = null, conflict = null;
  let based = { version: state.version, labels: state.labels };
  const mine = () => labels.map((l) => ({ start: toCp(l.s), end: toCp(l.e), category: l.c }));
  const payload = () => JSON.stringify({ labels: mine(), version: based.version });
  function dirty() {
    edits++;
    try { localStorage.setItem(storeKey, JSON.stringify({ labels: mine(), version: based.version, base: based.labels })); }
    catch { /* storage full: the server save still runs */ }
    clearTimeout(timer);
    if (conflict) { status("failed", "Not saved: resolve the conflict above first."); return; }
    timer = setTimeout(() => save().catch(() => {}), 300);
    status("saving", "Saving…");
  }
  async function save() {
    if (inFlight) { await inFlight; if (savedEdits === edits) return; }
    if (conflict) throw new Error("conflict");
    const v = edits;
    const sent = mine();
    inFlight = (async () => {
      try {
        const r = await post(`${base}/labels.json${query}`, JSON.stringify({ labels: sent, version: based.version }));
        const body = await r.json().catch(() => ({}));
        let version = body.version;
        if (r.status === 409 && body.current) {
          // The other save already holds exactly these labels (say, this page's own unload beacon): nothing to merge.
          if (!minus(sent, body.current.labels).length && !minus(body.current.labels, sent).length) version = body.current.version;
          else { showConflict(body.current); throw new Error("conflict"); }
        } else if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
        based = { version, labels: sent };
        savedEdits = Math.max(savedEdits, v);
        if (savedEdits === edits) { localStorage.removeItem(storeKey); status("saved", `Saved ${sent.length} label(s)`); }
        document.body.dispatchEvent(new CustomEvent("labels-saved"));
      } catch (err) {
        if (!conflict) {
          status("failed", `Not saved yet: ${err.message}. Kept in this browser; retrying.`);
          clearTimeout(timer); timer = setTimeout(() => save().catch(() => {}), 3000);
        }
        throw err;
      } finally { inFlight = null; }
    })();
    return inFlight;
  }

  // ---- conflicts: someone saved this document since this page loaded it
  const key = (l) => `${l.start}:${l.end}:${l.category}`;
  const minus = (xs, ys) => { const k = new Set(ys.map(key)); return xs.filter((x) => !k.has(key(x))); };
  const describe = (l) => `“${text.slice(toU(l.start), toU(l.end))}” (${l.category})`;
  function showConflict(current) {
    conflict = current;
    clearTimeout(timer);
    const theirsAdded = minus(current.labels, based.labels), theirsRemoved = minus(based.labels, current.labels);
    const mineAdded = minus(mine(), based.labels), mineRemoved = minus(based.labels, mine());
    const who = current.by ? `${current.by}` : "someone";
    const when = current.at ? ` at ${new Date(current.at).toLocaleTimeString()}` : "";
    document.getElementById("conflict-message").textContent =
      `${who} saved this document${when} (version ${current.version}) after you opened it. Nothing was overwritten. What changed:`;
    const items = [...theirsAdded.map((l) => `${who} added ${describe(l)}`), ...theirsRemoved.map((l) => `${who} removed ${describe(l)}`),
      ...mineAdded.map((l) => `You added ${describe(l)}`), ...mineRemoved.map((l) => `You removed ${describe(l)}`)];
    document.getElementById("conflict-changes").replaceChildren(...items.map((t) => { const li = document.createElement("li"); li.textContent = t; return li; }));
    document.getElementById("conflict").hidden = false;
    status("failed", "Not saved: this document changed elsewhere. Merge or reload.");
  }
  function resolveConflict(merge) {
    const current = conflict;
    let next = current.labels, dropped = [];
    if (merge) { // theirs, minus what I removed, plus what I added (unless it overlaps their labels)
      const added = minus(mine(), based.labels), removed = minus(based.labels, mine());
      next = minus(current.labels, removed);
      for (const l of added) {
        if (next.some((o) => o.start < l.end && l.start < o.end)) dropped.push(l); else next.push(l);
      }
    }
    conflict = null;
    document.getElementById("conflict").hidden = true;
    based = { version: current.version, labels: current.labels };
    undoStack.length = 0;
    labels = next.map((l) => ({ s: toU(l.start), e: toU(l.end), c: l.category }));
    sortSpans(labels); draw();
    if (merge) {
      dirty();
      if (dropped.length) say(`Left out ${dropped.length} of your label(s) that overlap theirs: ${dropped.map(describe).join(", ")}`);
    } else {
      localStorage.removeItem(storeKey); savedEdits = edits; status("saved", `Reloaded version ${current.version}`);
    }
  }
  document.getElementById("conflict-merge").onclick = () => resolveConflict(true);
  document.getElementById("conflict-reload").onclick = () => resolveConflict(false);
  function status(kind, message) { statusEl.className = `status ${kind}`; statusEl.textContent = message; }
  function say(message) { document.getElementById("sel-info").textContent = message; }
  // "Save & next" (and s) also mark an untouched document as labeled: "nothing to label here" is an answer.
  // Previous and "next most useful" only save pending changes, so skipping a document leaves it unlabeled.
  // With suggestions still open, "Save & next" asks first: marking the document labeled would teach the
  // model that none of them is an entity.
  async function saveThenGo(href, markDone) {
    clearTimeout(timer);
    const open = markDone ? openSuggestions() : [];
    if (open.length) {
      const answer = await ask(`${open.length} suggestion(s) still open`,
        "Saving this document as labeled without them tells the model they are not entities. What should happen to them?",
        [["accept", "Accept all, then next"], ["reject", "Reject all, then next"], ["skip", "Leave open, next without marking labeled"], ["", "Stay here"]]);
      if (!answer) return;
      if (answer === "accept") change(() => { for (const x of open) labels.push({ s: x.s, e: x.e, c: x.c }); suggestions = suggestions.filter((x) => !open.includes(x)); });
      if (answer === "reject") { for (const x of open) x.rejected = true; change(() => { suggestions = suggestions.filter((x) => !open.includes(x)); }, false); remember(open); }
      if (answer === "skip") markDone = false;
    }
    try {
      if (markDone && edits === 0) edits = 1;
      if (edits !== savedEdits) await save();
      window.location.href = href;
    } catch { /* the status line says why */ }
  }
  window.addEventListener("beforeunload", () => {
    // A keepalive fetch outlives the page like a beacon, and (unlike a beacon) carries the CSRF header.
    if (savedEdits !== edits && edits > 0 && !conflict) post(`${base}/labels.json${query}`, payload(), true).catch(() => {});
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
      const step = k === forward ? 1 : -1; // in reading order
      if (e.ctrlKey || e.metaKey) jump(step);
      else move(cursor + step, e.shiftKey);
    } else if (k === "Home") move(0, e.shiftKey);
    else if (k === "End") move(nTok - 1, e.shiftKey);
    else if (k === "ArrowDown" || k === "ArrowUp") move(tokenAt(toNearbyLine(k === "ArrowDown" ? 1 : -1)), e.shiftKey);
    else if (/^[1-9]$/.test(k) && !e.ctrlKey && !e.altKey && !e.metaKey) { const c = typeForKey(+k); if (c) apply(c); else say(`No type ${k}`); }
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
  async function saveNow() { try { if (edits === 0) edits = 1; await save(); } catch { /* shown */ } }

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
      const kept = JSON.parse(pending);
      labels = kept.labels.map((l) => ({ s: toU(l.start), e: toU(l.end), c: l.category }));
      if (Number.isInteger(kept.version)) based = { version: kept.version, labels: kept.base || [] };
      edits = 1; status("saving", "Restored unsaved changes from this browser; saving…"); save().catch(() => {});
    } catch { localStorage.removeItem(storeKey); }
  }
  sortSpans(labels);
  draw();
  docEl.focus({ preventScroll: true });
  if (state.hasModel) {
    fetch(`${base}/suggestions.json${query}`).then((r) => r.json()).then((body) => {
      model = body.model;
      suggestions = (body.suggestions || []).map((x) => ({ s: toU(x.start), e: toU(x.end), c: x.category, p: x.confidence }));
      draw();
    }).catch(() => { document.getElementById("suggestions").textContent = "Suggestions could not be loaded."; });
  }
  window.labeler = { labels: mine, save: saveNow, version: () => based.version, edits: () => [edits, savedEdits], rtl };
})();
