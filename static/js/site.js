// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // The language switch submits on change; the button stays for keyboard and no-JS users.
  document.querySelectorAll(".language-switch select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
