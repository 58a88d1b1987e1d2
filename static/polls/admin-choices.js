// Sortable choices in the poll admin: drag a row by its handle, or use the arrow buttons.
// The order is stored in each row's "position" field, renumbered on every move and on save.
(function () {
  "use strict";
  // The admin loads its JavaScript catalogue (jsi18n) before this file; plain text without it.
  var gettext = window.gettext || function (text) { return text; };

  function rows(table) {
    return Array.prototype.filter.call(table.querySelectorAll("tbody tr.form-row"), function (row) {
      return !row.classList.contains("empty-form");
    });
  }

  // Untouched blank rows keep their default, so Django still ignores them on save.
  function renumber(table) {
    var n = 0;
    rows(table).forEach(function (row) {
      var input = row.querySelector('input[name$="-position"]');
      var text = row.querySelector('input[name$="-text"]');
      if (!input) { return; }
      if (!row.classList.contains("has_original") && text && !text.value.trim()) {
        input.value = input.defaultValue;
        return;
      }
      n += 1;
      input.value = String(n);
    });
  }

  function move(table, row, offset) {
    var all = rows(table);
    var target = all[all.indexOf(row) + offset];
    if (!target) { return; }
    if (offset < 0) { target.before(row); } else { target.after(row); }
    renumber(table);
  }

  function button(label, title, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "poll-move";
    b.textContent = label;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", onClick);
    return b;
  }

  var dragged = null;

  function enhance(table, row) {
    if (row.dataset.pollSortable) { return; }
    row.dataset.pollSortable = "1";
    var cell = row.querySelector("td.field-position");
    if (!cell) { return; }
    var handle = document.createElement("span");
    handle.className = "poll-drag";
    handle.textContent = "\u2630";
    handle.title = gettext("Drag to reorder");
    handle.setAttribute("aria-hidden", "true");
    handle.addEventListener("mousedown", function () { row.draggable = true; });
    cell.prepend(handle);
    cell.append(button("\u2191", gettext("Move up"), function () { move(table, row, -1); }));
    cell.append(button("\u2193", gettext("Move down"), function () { move(table, row, 1); }));
    row.addEventListener("dragstart", function (event) {
      dragged = row;
      row.classList.add("poll-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
    });
    row.addEventListener("dragend", function () {
      row.classList.remove("poll-dragging");
      row.draggable = false;
      dragged = null;
      renumber(table);
    });
    row.addEventListener("dragover", function (event) {
      if (!dragged || dragged === row) { return; }
      event.preventDefault();
      var box = row.getBoundingClientRect();
      if (event.clientY < box.top + box.height / 2) { row.before(dragged); } else { row.after(dragged); }
    });
  }

  function setUp() {
    document.querySelectorAll(".poll-choices-sortable table").forEach(function (table) {
      rows(table).forEach(function (row) { enhance(table, row); });
      var form = table.closest("form");
      if (form) { form.addEventListener("submit", function () { renumber(table); }); }
    });
  }

  document.addEventListener("formset:added", function (event) {
    var row = event.target;
    var table = row.closest(".poll-choices-sortable table");
    if (table) { enhance(table, row); renumber(table); }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
