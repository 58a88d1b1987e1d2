// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // The language switch submits on change; the button stays for keyboard and no-JS users.
  document.querySelectorAll(".language-switch select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Captcha boxes (comments, polls): every page, cached or not, brings the reader's own task.
  // The button fetches another on request; nothing swaps a task behind a reader's back.
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); });
  }
  document.querySelectorAll(".captcha-box").forEach(function (box) {
    var field = box.parentNode;
    var keyInput = field.querySelector("input[type=hidden][name$=_0]");
    var answerInput = field.querySelector("input[name$=_1]");
    var text = box.querySelector(".captcha-text");
    var link = box.querySelector(".captcha-text-link");
    var refresh = box.querySelector(".captcha-refresh");
    if (!keyInput || !refresh) { return; }
    refresh.hidden = false;
    refresh.addEventListener("click", function () {
      getJSON(box.getAttribute("data-challenge-url")).then(function (data) {
        keyInput.value = data.key;
        box.querySelector(".captcha-image").src = data.image_url;
        link.href = data.text_url;
        text.textContent = "";
        if (answerInput) { answerInput.value = ""; answerInput.focus(); }
      }).catch(function () { /* keep the task the page came with */ });
    });
    link.addEventListener("click", function (event) {
      event.preventDefault();
      getJSON(link.href).then(function (data) { text.textContent = data.text; }).catch(function () {
        window.open(link.href, "_blank", "noopener");
      });
    });
  });
})();
