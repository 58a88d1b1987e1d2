/* The moderation desk, faster with JavaScript: row actions without reloading, undo, live
   counts, and WordPress-style keyboard shortcuts announced to screen readers.
   Without this file every button is a plain form submission to the same URLs. */
(function () {
  "use strict";

  const desk = document.querySelector(".md");
  const form = document.getElementById("md-form");
  if (!desk || !form) return;

  const stringsNode = document.getElementById("md-strings");
  const T = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  const live = document.getElementById("md-live");
  const help = document.getElementById("md-help");
  const helpButton = desk.querySelector(".md-help-open");
  const news = desk.querySelector(".md-news");
  const view = desk.dataset.view;
  let lastPending = parseInt(desk.dataset.pending || "0", 10);
  let current = -1;
  let started = false; // the first j or k lands on the marked row instead of skipping it
  let busy = false;

  function fmt(text, values) {
    return (text || "").replace(/%\((\w+)\)s/g, (m, key) => (key in values ? values[key] : m));
  }

  function say(text) {
    // Clear first so that the same sentence twice is announced twice.
    live.textContent = "";
    window.setTimeout(() => { live.textContent = text; }, 30);
  }

  function rows() {
    return Array.from(form.querySelectorAll("tr.md-row"));
  }

  function liveRows() {
    return rows().filter((row) => !row.classList.contains("md-done"));
  }

  function currentRow() {
    const all = liveRows();
    return current >= 0 && current < all.length ? all[current] : null;
  }

  function statusLabel(row) {
    const status = row.dataset.status || "";
    return T[status.charAt(0).toUpperCase() + status.slice(1)] || status;
  }

  function mark(index, { focus = true, announce = true } = {}) {
    const all = liveRows();
    rows().forEach((row) => row.classList.remove("md-current"));
    if (!all.length) {
      current = -1;
      return;
    }
    current = Math.max(0, Math.min(index, all.length - 1));
    if (focus) started = true;
    const row = all[current];
    row.classList.add("md-current");
    if (focus) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
    if (announce) {
      say(fmt(T.position, { n: current + 1, total: all.length, name: row.dataset.name, status: statusLabel(row) }));
    }
  }

  function move(step) {
    const all = liveRows();
    if (!all.length) return;
    if (current < 0 || !started) {
      started = true;
      return mark(Math.max(current, 0));
    }
    const next = current + step;
    if (next < 0) return say(T.first);
    if (next >= all.length) return say(T.last);
    mark(next);
  }

  function baseData() {
    const data = new FormData();
    form.querySelectorAll(":scope > input[type=hidden]").forEach((input) => data.append(input.name, input.value));
    return data;
  }

  function updateCounts(counts) {
    if (!counts) return;
    desk.querySelectorAll("[data-count]").forEach((node) => {
      const value = counts[node.dataset.count];
      if (value !== undefined) node.textContent = value;
    });
    if (counts.pending !== undefined) {
      lastPending = counts.pending;
      document.title = document.title.replace(/^\(\d+\)\s*/, "");
      if (counts.pending) document.title = `(${counts.pending}) ${document.title}`;
    }
  }

  function replaceRows(payload) {
    const before = currentRow();
    const beforeId = before ? before.dataset.id : null;
    Object.entries(payload || {}).forEach(([id, data]) => {
      const old = document.getElementById(`md-c${id}`);
      if (!old) return;
      const holder = document.createElement("tbody");
      holder.innerHTML = data.html.trim();
      const fresh = holder.firstElementChild;
      const wasChecked = old.querySelector("input.action-select:checked");
      old.replaceWith(fresh);
      const box = fresh.querySelector("input.action-select");
      if (box && wasChecked && !fresh.classList.contains("md-done")) box.checked = true;
      else if (box && fresh.classList.contains("md-done")) box.checked = false;
    });
    // Stay on the same comment while it is still here, else move on to the next one still to do.
    const all = liveRows();
    const everything = rows();
    const at = everything.findIndex((row) => row.dataset.id === beforeId);
    let index = all.findIndex((row) => row.dataset.id === beforeId);
    if (index < 0 && at >= 0) {
      const after = everything.slice(at).find((row) => !row.classList.contains("md-done"));
      index = after ? all.indexOf(after) : all.length - 1;
    }
    if (index < 0) index = Math.min(Math.max(current, 0), all.length - 1);
    if (!all.length && news) {
      // The page is done: offer the next comments where the keyboard already is.
      news.querySelector("span").textContent = T.page_done;
      news.hidden = false;
      const link = news.querySelector("a");
      link.focus();
      say(T.page_done);
    } else {
      mark(index, { announce: false });
    }
    selectionChanged();
  }

  async function send(url, data, row) {
    if (busy) return;
    busy = true;
    if (row) row.classList.add("md-busy");
    desk.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, {
        method: "POST",
        body: data,
        headers: { "X-Requested-With": "fetch", Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json().catch(() => null);
      if (!answer) throw new Error("no answer");
      replaceRows(answer.rows);
      updateCounts(answer.counts);
      say(answer.message + (answer.ok && answer.undo ? " " + (T.undo_hint || "") : ""));
      refreshUndo(answer.undo);
    } catch (error) {
      say(T.failed);
    } finally {
      busy = false;
      if (row) row.classList.remove("md-busy");
      desk.removeAttribute("aria-busy");
    }
  }

  function refreshUndo(label) {
    let bar = desk.querySelector(".md-undo-bar");
    if (!label) {
      if (bar) bar.hidden = true;
      return;
    }
    if (!bar) return;
    bar.hidden = false;
    const text = bar.querySelector(".md-undo-label");
    if (text) text.textContent = label;
  }

  function actOn(row, verb) {
    const button = row && row.querySelector(`button[data-verb="${verb}"]`);
    if (!button) return say(T.unavailable);
    const data = baseData();
    data.append("id", row.dataset.id);
    send(button.getAttribute("formaction"), data, row);
  }

  function selectedIds() {
    return Array.from(form.querySelectorAll("input.action-select:checked")).map((box) => box.value);
  }

  function bulk(verb) {
    const ids = selectedIds();
    if (!ids.length) return say(T.none_selected);
    const data = baseData();
    ids.forEach((id) => data.append("id", id));
    send(desk.dataset.actUrl.replace("VERB", verb), data, null);
  }

  function undo() {
    send(desk.dataset.undoUrl, baseData(), null);
  }

  function openBox(row, kind) {
    if (!row) return;
    const box = row.querySelector(kind === "reply" ? ".md-reply-box" : ".md-edit-box");
    if (!box) return say(T.unavailable);
    row.querySelectorAll("details.md-inline").forEach((other) => { if (other !== box) other.open = false; });
    box.open = true;
    const area = box.querySelector("textarea");
    if (area) {
      area.focus();
      area.setSelectionRange(area.value.length, area.value.length);
    }
    say(kind === "reply" ? T.reply_open : T.edit_open);
  }

  function submitBox(box) {
    const row = box.closest("tr.md-row");
    const button = box.querySelector(".md-send");
    if (!row || !button) return;
    const data = baseData();
    data.append("id", row.dataset.id);
    box.querySelectorAll("textarea, input").forEach((field) => data.append(field.name, field.value));
    send(button.getAttribute("formaction"), data, row);
  }

  function selectionChanged() {
    const count = selectedIds().length;
    const label = desk.querySelector(".md-selected");
    if (label) label.textContent = count ? fmt(T.selected, { n: count }) : "";
    rows().forEach((row) => {
      const box = row.querySelector("input.action-select");
      row.classList.toggle("selected", Boolean(box && box.checked));
    });
  }

  // --- clicks and submissions go through fetch -------------------------------------------------
  form.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (!button || !button.getAttribute("formaction")) return; // the bulk action select: a normal post
    event.preventDefault();
    const row = button.closest("tr.md-row");
    const box = button.closest("details.md-inline");
    if (box) return submitBox(box);
    if (row) {
      const index = liveRows().indexOf(row);
      if (index >= 0) mark(index, { focus: false, announce: false });
      actOn(row, button.dataset.verb);
    }
  });

  const undoBar = desk.querySelector(".md-undo-bar");
  if (undoBar) {
    undoBar.addEventListener("submit", (event) => {
      event.preventDefault();
      undo();
    });
  }

  form.addEventListener("change", (event) => {
    if (event.target.matches("input.action-select")) selectionChanged();
  });

  const all = document.getElementById("action-toggle");
  if (all) {
    all.hidden = false;
    desk.querySelector(".md-all-label").hidden = false;
    all.addEventListener("change", () => {
      liveRows().forEach((row) => {
        const box = row.querySelector("input.action-select");
        if (box) box.checked = all.checked;
      });
      selectionChanged();
    });
  }

  form.addEventListener("click", (event) => {
    const row = event.target.closest("tr.md-row");
    if (!row || row.classList.contains("md-done")) return;
    const index = liveRows().indexOf(row);
    if (index >= 0 && index !== current) mark(index, { focus: false, announce: false });
  });

  // --- the keyboard ----------------------------------------------------------------------------
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']") !== null;
  }

  document.addEventListener("keydown", (event) => {
    if (help && help.open) return; // the dialog handles Escape itself
    const target = event.target;
    if (typing(target)) {
      const box = target.closest("details.md-inline");
      if (box && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submitBox(box);
      } else if (box && event.key === "Escape") {
        event.preventDefault();
        box.open = false;
        const row = box.closest("tr.md-row");
        if (row) row.focus();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const row = currentRow();
    const handlers = {
      j: () => move(1),
      k: () => move(-1),
      a: () => actOn(row || (mark(0, { announce: false }), currentRow()), "approve"),
      s: () => actOn(row || (mark(0, { announce: false }), currentRow()), "spam"),
      d: () => actOn(row || (mark(0, { announce: false }), currentRow()), "trash"),
      r: () => openBox(row || (mark(0, { announce: false }), currentRow()), "reply"),
      e: () => openBox(row || (mark(0, { announce: false }), currentRow()), "edit"),
      u: () => undo(),
      x: () => {
        const target = row || (mark(0, { announce: false }), currentRow());
        const box = target && target.querySelector("input.action-select");
        if (!box) return;
        box.checked = !box.checked;
        selectionChanged();
        say(fmt(T.selected, { n: selectedIds().length }));
      },
      A: () => bulk("approve"),
      S: () => bulk("spam"),
      D: () => bulk("trash"),
      "?": () => showHelp(),
    };
    const key = event.key;
    const handler = handlers[key];
    if (!handler) return;
    if ((key === "A" || key === "S" || key === "D") && !event.shiftKey) return;
    event.preventDefault();
    handler();
  });

  function showHelp() {
    if (help && typeof help.showModal === "function") help.showModal();
  }

  if (helpButton) {
    helpButton.hidden = false;
    helpButton.addEventListener("click", showHelp);
  }

  // --- live counts: a note when new comments arrive ---------------------------------------------
  async function poll() {
    if (document.visibilityState !== "visible" || busy) return;
    try {
      const response = await fetch(desk.dataset.countsUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const answer = await response.json();
      const before = lastPending;
      updateCounts(answer.counts);
      const arrived = answer.counts.pending - before;
      if (arrived > 0 && news) {
        news.querySelector("span").textContent = fmt(T.news, { n: arrived });
        news.hidden = false;
        say(fmt(T.news, { n: arrived }));
      }
    } catch (error) {
      /* offline for a moment: the next poll tries again */
    }
  }
  window.setInterval(poll, 30000);

  if (liveRows().length) mark(0, { focus: false, announce: false });
  desk.dataset.ready = "true";
})();
