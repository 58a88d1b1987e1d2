// Two-click embeds: nothing loads from YouTube & Co. until the reader asks for it.
(function () {
  "use strict";

  function load(figure) {
    var src = figure.getAttribute("data-embed-src");
    if (!src) return;
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = figure.getAttribute("data-embed-title") || "";
    frame.loading = "lazy";
    frame.setAttribute("allow", "encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    var consent = figure.querySelector(".bw-embed-consent");
    if (consent) consent.replaceWith(frame);
    else figure.appendChild(frame);
    figure.classList.add("bw-embed-loaded");
    frame.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".bw-embed-load");
    if (!button) return;
    var figure = button.closest(".bw-embed");
    if (figure) load(figure);
  });
})();
