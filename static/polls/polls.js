// Polls, progressively enhanced: vote without a reload, bars that move and stay current.
// Without this file every poll still works: the form posts, the server redirects to results.
(function () {
  "use strict";
  if (window.blogwerkPolls) { return; }
  window.blogwerkPolls = true;

  function setText(el, value) { if (el) { el.textContent = String(value); } }

  // Update bars, percentages and counts in place from results.json.
  function applyResults(box, data) {
    (data.choices || []).forEach(function (choice) {
      var row = box.querySelector('.poll-result[data-choice="' + choice.id + '"]');
      if (!row) { return; }
      setText(row.querySelector(".poll-percent"), choice.percent);
      if (choice.votes !== null) { setText(row.querySelector(".poll-votes"), choice.votes); }
      var progress = row.querySelector(".progress");
      if (progress) {
        progress.setAttribute("aria-valuenow", choice.percent);
        progress.setAttribute("aria-valuetext", choice.percent + " %");
      }
      var bar = row.querySelector(".progress-bar");
      if (bar) { bar.style.width = choice.percent + "%"; }
    });
    if (data.total_votes !== null) { setText(box.querySelector(".poll-total-count"), data.total_votes); }
  }

  // Grow the bars from zero so a reader sees the result arrive.
  function growBars(box) {
    var bars = Array.prototype.slice.call(box.querySelectorAll(".progress-bar"));
    var widths = bars.map(function (bar) { return bar.style.width; });
    bars.forEach(function (bar) { bar.style.width = "0%"; });
    window.requestAnimationFrame(function () {
      window.requestAnimationFrame(function () {
        bars.forEach(function (bar, i) { bar.style.width = widths[i]; });
      });
    });
  }

  function refresh(box) {
    var url = box.getAttribute("data-results-url");
    if (!url || !box.querySelector(".poll-results") || document.visibilityState !== "visible") { return; }
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { applyResults(box, data); } })
      .catch(function () { /* live refresh is a nicety; the next tick tries again */ });
  }

  function showMessage(box, text) {
    var status = box.querySelector(".poll-status");
    if (!status) { return; }
    status.textContent = "";
    var p = document.createElement("p");
    p.className = "alert alert-warning py-2 mb-3";
    p.textContent = text;
    status.appendChild(p);
  }

  // The form a keyboard user was in is gone or disabled: keep their place in the poll.
  function focusIn(box) {
    var target = box.querySelector(".poll-status .alert") ? box.querySelector(".poll-status") : box.querySelector(".card-title");
    if (!target) { return; }
    target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }

  function enhanceForm(box) {
    var form = box.querySelector("form.poll-form");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector('[type="submit"]');
      if (button) { button.disabled = true; }
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.html) {
            var template = document.createElement("template");
            template.innerHTML = data.html.trim();
            var fresh = template.content.firstElementChild;
            box.replaceWith(fresh);
            setUp(fresh);
            growBars(fresh);
            focusIn(fresh);
          } else {
            showMessage(box, data.message);
            if (button) { button.disabled = false; }
            focusIn(box);
          }
        })
        .catch(function () {
          // Network trouble: fall back to the plain form post, which always works.
          form.submit();
        });
    });
  }

  function setUp(box) {
    enhanceForm(box);
    var seconds = parseInt(box.getAttribute("data-refresh") || "0", 10);
    if (seconds > 0 && !box.blogwerkTimer) {
      box.blogwerkTimer = window.setInterval(function () {
        if (!document.body.contains(box)) { window.clearInterval(box.blogwerkTimer); return; }
        refresh(box);
      }, seconds * 1000);
    }
  }

  function start() {
    document.querySelectorAll(".poll-box").forEach(function (box) {
      setUp(box);
      // A page served from a cache may be older than the counts: fetch the current ones.
      refresh(box);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
