/* Comment form helpers: reply in place, remembered author. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }

  var respond = $("#respond");
  var form = respond && $("form", respond);
  if (!form) { return; }

  // --- reply in place: move the form under the comment -----------------------------------
  var home = document.createElement("div");
  home.id = "respond-home";
  respond.parentNode.insertBefore(home, respond);
  var parentInput = form.querySelector("input[name=parent]");
  var cancel = $("#cancel-comment-reply-link");
  var title = $(".reply-title-text", respond);

  function setTitle(name) {
    if (!title) { return; }
    title.textContent = name ? title.getAttribute("data-reply").replace("%(name)s", name) : title.getAttribute("data-default");
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".comment-reply-link");
    if (!link || !parentInput) { return; }
    event.preventDefault();
    var item = document.getElementById("comment-" + link.getAttribute("data-comment-id"));
    if (!item) { return; }
    var body = item.querySelector(".comment-body");
    body.parentNode.insertBefore(respond, body.nextSibling);
    parentInput.value = link.getAttribute("data-comment-id");
    setTitle(link.getAttribute("data-author"));
    if (cancel) { cancel.hidden = false; }
    var textarea = form.querySelector("textarea[name=body]");
    if (textarea) { textarea.focus(); }
  });

  if (cancel) {
    cancel.addEventListener("click", function (event) {
      event.preventDefault();
      home.parentNode.insertBefore(respond, home.nextSibling);
      if (parentInput) { parentInput.value = ""; }
      setTitle("");
      cancel.hidden = true;
    });
  }

  // --- remembered author (cookie set only when the visitor ticked the box) ---------------
  var match = document.cookie.match(/(?:^|; )comment_author=([^;]*)/);
  if (match) {
    try {
      var author = JSON.parse(decodeURIComponent(match[1]));
      [["name", author.name], ["email", author.email], ["url", author.url]].forEach(function (pair) {
        var input = form.querySelector("input[name=" + pair[0] + "]");
        if (input && !input.value && typeof pair[1] === "string") { input.value = pair[1]; }
      });
      var remember = form.querySelector("input[name=remember]");
      if (remember) { remember.checked = true; }
    } catch (error) { /* ignore a damaged cookie */ }
  }
})();
