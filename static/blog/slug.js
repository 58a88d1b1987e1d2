// Slugs from titles with German transliteration (Für Über Straße → fuer-ueber-strasse).
(function () {
  "use strict";
  var GERMAN = { "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss" };
  function slugify(text) {
    return text.replace(/[äöüÄÖÜß]/g, function (c) { return GERMAN[c]; })
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^\w\s-]/g, "").trim().replace(/[-\s_]+/g, "-").replace(/^-+|-+$/g, "");
  }
  var title = document.getElementById("id_title");
  var slug = document.getElementById("id_slug");
  if (!title || !slug) return;
  var touched = slug.value !== "";
  slug.addEventListener("input", function () { touched = slug.value !== ""; });
  title.addEventListener("input", function () { if (!touched) slug.value = slugify(title.value); });
})();
