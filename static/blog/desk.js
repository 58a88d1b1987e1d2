// The writing desk: images, polls and embeds for the prose editor, live preview, autosave,
// post lock, leave warning, German slugs, tag suggestions and search/social previews.
(function () {
  "use strict";

  // The editor may be ready before the page is: remember it until the desk starts.
  var readyEditors = [];
  var onEditor = null;
  document.addEventListener("prose-editor:ready", function (event) {
    if (onEditor) onEditor(event.detail);
    else readyEditors.push(event.detail);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  function start() {
  var configNode = document.getElementById("bw-desk-config");
  if (!configNode) return;
  var config = JSON.parse(configNode.textContent);
  var S = config.strings;
  var form = document.getElementById("post_form");
  var textarea = document.getElementById("id_body");
  var editor = null;
  var dirty = false;
  var submitting = false;
  var lastSaved = null;

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }
  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function post(url, data) {
    var body = new FormData();
    Object.keys(data).forEach(function (key) { body.append(key, data[key]); });
    return fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (json) { json._status = response.status; return json; }); });
  }
  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }
  function field(name) { return form.querySelector("[name=" + name + "]"); }
  function value(name) { var el = field(name); return el ? el.value : ""; }
  function bodyHTML() { return editor ? editor.getHTML() : textarea.value; }
  function escapeHTML(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // --- German slugs ---------------------------------------------------------------
  var GERMAN = { "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss" };
  function slugify(text) {
    return text.replace(/[äöüÄÖÜß]/g, function (c) { return GERMAN[c]; })
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^\w\s-]/g, "").trim().replace(/[-\s_]+/g, "-").replace(/^-+|-+$/g, "")
      .slice(0, 200);
  }
  var title = field("title");
  var slug = field("slug");
  if (title && slug) {
    var slugTouched = slug.value !== "" && slug.value !== slugify(title.value);
    slug.addEventListener("input", function () { slugTouched = slug.value !== ""; });
    title.addEventListener("input", function () { if (!slugTouched) slug.value = slugify(title.value); });
  }

  // --- Dialogs -----------------------------------------------------------------------
  document.querySelectorAll(".bw-dialog-close").forEach(function (button) {
    button.addEventListener("click", function () { button.closest("dialog").close(); });
  });
  function show(el, yes) { el.hidden = !yes; }

  function insertHTML(html) {
    if (!editor) return;
    var selection = editor.state.selection;
    var chain = editor.chain().focus();
    // A selected node (the image just inserted) is kept: insert after it, never over it.
    if (selection.node) chain = chain.setTextSelection(selection.to);
    chain.insertContent(html).run();
  }

  // --- Images: library, upload (button, drop, paste), featured image ------------------
  var imageDialog = document.getElementById("bw-image-dialog");
  var grid = document.getElementById("bw-library-grid");
  var search = document.getElementById("bw-library-search");
  var more = document.getElementById("bw-library-more");
  var fileInput = document.getElementById("bw-upload-file");
  var uploadError = document.getElementById("bw-upload-error");
  var progress = document.getElementById("bw-upload-progress");
  var thumb = document.getElementById("bw-upload-thumb");
  var imageTarget = null; // null: the body; otherwise a featured-image chooser
  var pendingFiles = [];
  var libraryPage = 1;

  function selectTab(name) {
    ["library", "upload"].forEach(function (tab) {
      document.getElementById("bw-tab-" + tab).setAttribute("aria-selected", String(tab === name));
      show(document.getElementById("bw-panel-" + tab), tab === name);
    });
  }
  document.getElementById("bw-tab-library").addEventListener("click", function () { selectTab("library"); });
  document.getElementById("bw-tab-upload").addEventListener("click", function () { selectTab("upload"); });

  function loadLibrary(append) {
    var url = config.urls.images + "?q=" + encodeURIComponent(search.value) + "&page=" + libraryPage;
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      if (!append) grid.innerHTML = "";
      data.results.forEach(function (image) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "bw-grid-item";
        button.innerHTML = '<img src="' + escapeHTML(image.thumb) + '" alt="" loading="lazy"><span>' +
          escapeHTML(image.alt) + "</span>";
        button.addEventListener("click", function () { chooseImage(image, ""); });
        item.appendChild(button);
        grid.appendChild(item);
      });
      if (!data.results.length && !append) grid.innerHTML = "<li>" + escapeHTML(S.noResults) + "</li>";
      show(more, data.has_next);
    });
  }
  search.addEventListener("input", debounce(function () { libraryPage = 1; loadLibrary(false); }, 250));
  more.addEventListener("click", function () { libraryPage += 1; loadLibrary(true); });

  function openImageDialog(target, files) {
    imageTarget = target;
    pendingFiles = files || [];
    uploadError.hidden = true;
    if (pendingFiles.length) { prepareUpload(pendingFiles[0]); selectTab("upload"); }
    else { selectTab("library"); libraryPage = 1; loadLibrary(false); }
    if (!imageDialog.open) imageDialog.showModal();
  }

  function prepareUpload(file) {
    ["bw-upload-alt", "bw-upload-caption", "bw-upload-credit", "bw-upload-credit-url"].forEach(function (id) {
      document.getElementById(id).value = "";
    });
    fileInput.value = "";
    imageDialog.currentFile = file || null;
    if (file) { thumb.src = URL.createObjectURL(file); thumb.hidden = false; } else { thumb.hidden = true; }
    document.getElementById("bw-upload-alt").focus();
  }
  fileInput.addEventListener("change", function () {
    var file = fileInput.files[0];
    imageDialog.currentFile = file || null;
    if (file) { thumb.src = URL.createObjectURL(file); thumb.hidden = false; }
  });
  var dropzone = document.getElementById("bw-dropzone");
  dropzone.addEventListener("dragover", function (event) { event.preventDefault(); });
  dropzone.addEventListener("drop", function (event) {
    event.preventDefault();
    var files = imageFiles(event.dataTransfer);
    if (files.length) { pendingFiles = files; prepareUpload(files[0]); }
  });

  function chooseImage(image, caption) {
    if (imageTarget) {
      imageTarget.querySelector("input[type=hidden]").value = image.id;
      imageTarget.querySelector(".bw-chooser-preview").innerHTML =
        '<img src="' + escapeHTML(image.thumb) + '" alt="' + escapeHTML(image.alt) + '" width="240">';
      imageTarget.querySelector(".bw-chooser-caption").textContent = image.alt;
      imageTarget.querySelector(".bw-chooser-clear").hidden = false;
      markDirty();
      updateCard();
    } else {
      insertHTML('<figure><img src="' + escapeHTML(image.src) + '" alt="' + escapeHTML(image.alt) +
        '" data-file="' + image.id + '">' + (caption ? "<figcaption>" + escapeHTML(caption) + "</figcaption>" : "") +
        "</figure><p></p>");
    }
    if (pendingFiles.length > 1) {
      pendingFiles.shift();
      prepareUpload(pendingFiles[0]);
    } else {
      pendingFiles = [];
      imageDialog.close();
    }
  }

  document.getElementById("bw-upload-submit").addEventListener("click", function () {
    var file = imageDialog.currentFile;
    var alt = document.getElementById("bw-upload-alt").value.trim();
    uploadError.hidden = true;
    if (!file || !/^image\/(jpeg|png|gif|webp)$/.test(file.type)) { return fail(S.notAnImage); }
    if (!alt) { document.getElementById("bw-upload-alt").focus(); return fail(S.altRequired); }
    var data = new FormData();
    data.append("file", file);
    data.append("alt_text", alt);
    data.append("credit_name", document.getElementById("bw-upload-credit").value);
    data.append("credit_url", document.getElementById("bw-upload-credit-url").value);
    var caption = document.getElementById("bw-upload-caption").value.trim();
    var request = new XMLHttpRequest();
    request.open("POST", config.urls.upload);
    request.setRequestHeader("X-CSRFToken", csrf());
    progress.hidden = false;
    progress.value = 0;
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
    });
    request.addEventListener("load", function () {
      progress.hidden = true;
      var json = {};
      try { json = JSON.parse(request.responseText); } catch (e) { json = {}; }
      if (request.status === 201) { chooseImage(json, caption); return; }
      var messages = [];
      Object.keys(json.errors || {}).forEach(function (key) { messages = messages.concat(json.errors[key]); });
      fail(messages.join(" ") || S.uploadFailed);
    });
    request.addEventListener("error", function () { progress.hidden = true; fail(S.uploadFailed); });
    request.send(data);
  });
  function fail(message) { uploadError.textContent = message; uploadError.hidden = false; return false; }

  function imageFiles(transfer) {
    if (!transfer || !transfer.files) return [];
    return Array.prototype.filter.call(transfer.files, function (file) { return /^image\//.test(file.type); });
  }

  document.querySelectorAll(".bw-chooser").forEach(function (chooser) {
    chooser.querySelector(".bw-chooser-pick").addEventListener("click", function () { openImageDialog(chooser); });
    chooser.querySelector(".bw-chooser-clear").addEventListener("click", function () {
      chooser.querySelector("input[type=hidden]").value = "";
      chooser.querySelector(".bw-chooser-preview").innerHTML = "";
      chooser.querySelector(".bw-chooser-caption").textContent = S.noImage;
      this.hidden = true;
      markDirty();
      updateCard();
    });
  });

  // --- Embeds and polls -----------------------------------------------------------------
  var EMBEDDABLE = [
    /^https?:\/\/(www\.|m\.)?(youtube\.com\/(watch\?|shorts\/)|youtu\.be\/)/,
    /^https?:\/\/(www\.)?vimeo\.com\/\d+/,
    /^https?:\/\/(www\.)?soundcloud\.com\/[\w-]+\/[\w-]+/,
    /^https?:\/\/(www\.)?(x|twitter)\.com\/\w+\/status\/\d+/,
    /^https?:\/\/(www\.)?instagram\.com\/(p|reel)\//,
    /^https:\/\/[a-z0-9.-]+\.[a-z]{2,}\/@[\w.]+\/\d+\/?$/i
  ];
  var embedDialog = document.getElementById("bw-embed-dialog");
  var embedUrl = document.getElementById("bw-embed-url");
  document.getElementById("bw-embed-submit").addEventListener("click", function () {
    var url = embedUrl.value.trim();
    var error = document.getElementById("bw-embed-error");
    if (!EMBEDDABLE.some(function (re) { return re.test(url); })) {
      error.textContent = S.unknownEmbed; error.hidden = false; return;
    }
    error.hidden = true;
    embedDialog.close();
    insertHTML("<p>" + escapeHTML(url) + "</p><p></p>");
  });

  var pollTool = (config.tools || []).filter(function (tool) { return tool.key === "poll"; })[0];
  var pollDialog = document.getElementById("bw-poll-dialog");
  var createdPolls = document.createElement("input");
  createdPolls.type = "hidden";
  createdPolls.name = "_desk_polls";
  form.appendChild(createdPolls);
  function insertPoll(slugValue) {
    pollDialog.close();
    insertHTML("<p>[poll " + escapeHTML(slugValue) + "]</p><p></p>");
  }
  function loadPolls() {
    var list = document.getElementById("bw-poll-list");
    var q = document.getElementById("bw-poll-search").value;
    fetch(pollTool.urls.search + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(function (data) {
        list.innerHTML = "";
        data.results.forEach(function (poll) {
          var item = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "button";
          button.textContent = S.insert;
          button.setAttribute("aria-label", S.insert + ": " + poll.question);
          button.addEventListener("click", function () { insertPoll(poll.slug); });
          item.appendChild(document.createTextNode(poll.question + " "));
          item.appendChild(button);
          list.appendChild(item);
        });
        if (!data.results.length) list.innerHTML = "<li>" + escapeHTML(S.noResults) + "</li>";
      });
  }
  if (pollTool) {
    document.getElementById("bw-poll-search").addEventListener("input", debounce(loadPolls, 250));
    document.getElementById("bw-poll-create").addEventListener("click", function () {
      var error = document.getElementById("bw-poll-error");
      var question = document.getElementById("bw-poll-question").value.trim();
      var choices = document.getElementById("bw-poll-choices").value.split("\n")
        .map(function (c) { return c.trim(); }).filter(Boolean);
      if (!question || choices.length < 2) { error.textContent = S.questionRequired; error.hidden = false; return; }
      post(pollTool.urls.create, { question: question, choices: choices.join("\n"), post: config.post || "" })
        .then(function (json) {
          if (json._status === 201) {
            error.hidden = true;
            createdPolls.value = (createdPolls.value + " " + json.slug).trim();
            insertPoll(json.slug);
          }
          else { error.textContent = json.error || S.questionRequired; error.hidden = false; }
        });
    });
  }

  // --- The extra toolbar ------------------------------------------------------------
  function toolbarButton(label, titleText, handler, name) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button bw-tool bw-tool-" + name;
    button.textContent = label;
    if (titleText) button.title = titleText;
    button.addEventListener("click", handler);
    return button;
  }
  function addToolbar(container) {
    var bar = document.createElement("div");
    bar.className = "bw-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", S.image + ", " + S.poll + ", " + S.embed);
    bar.appendChild(toolbarButton(S.image, S.imageTitle, function () { openImageDialog(null); }, "image"));
    if (pollTool) {
      bar.appendChild(toolbarButton(S.poll, "", function () { pollDialog.showModal(); loadPolls(); }, "poll"));
    }
    bar.appendChild(toolbarButton(S.embed, S.embedTitle, function () {
      embedUrl.value = ""; document.getElementById("bw-embed-error").hidden = true; embedDialog.showModal();
    }, "embed"));
    container.insertBefore(bar, container.firstChild);
    // Files dropped or pasted onto the editor go through the upload dialog (alt text first).
    container.addEventListener("drop", function (event) {
      var files = imageFiles(event.dataTransfer);
      if (!files.length) return;
      event.preventDefault();
      event.stopPropagation();
      openImageDialog(null, files);
    }, true);
    container.addEventListener("paste", function (event) {
      var files = imageFiles(event.clipboardData);
      if (!files.length) return;
      event.preventDefault();
      event.stopPropagation();
      openImageDialog(null, files);
    }, true);
  }

  // --- Live preview, stats, search and social previews -----------------------------------
  var frame = document.getElementById("bw-preview-frame");
  // The preview sits right under the editor, where the eyes are.
  var bodyRow = document.querySelector(".form-row.field-body");
  var previewSection = document.getElementById("bw-preview");
  if (bodyRow && previewSection) bodyRow.after(previewSection);
  var previewPending = null;
  var refreshPreview = debounce(function () {
    if (previewPending) previewPending.abort();
    previewPending = new AbortController();
    var data = new FormData();
    data.append("body", bodyHTML());
    data.append("excerpt", value("excerpt"));
    data.append("seo_description", value("seo_description"));
    fetch(config.urls.preview, {
      method: "POST", body: data, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin",
      signal: previewPending.signal
    }).then(function (r) { return r.json(); }).then(function (json) {
      var doc = frame.contentDocument;
      if (doc && doc.getElementById("bw-preview-body")) {
        doc.getElementById("bw-preview-title").textContent = value("title");
        // Server-rendered, sanitised HTML: the same the reader gets.
        doc.getElementById("bw-preview-body").innerHTML = json.html;
      }
      document.getElementById("bw-words").textContent = json.words;
      document.getElementById("bw-minutes").textContent = json.minutes;
      frame.setAttribute("data-updated", String(Date.now()));
      updateSerp(json.description);
    }).catch(function (error) { if (error.name !== "AbortError") console.warn(S.previewFailed); });
  }, 300);
  frame.addEventListener("load", refreshPreview);
  document.querySelectorAll(".bw-width").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll(".bw-width").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
      frame.parentNode.classList.toggle("bw-phone", button.getAttribute("data-width") === "phone");
    });
  });

  var lastDescription = "";
  function hint(template, count, low, high) {
    var text = fmt(template, { count: count });
    if (count > high) text += " – " + S.tooLong;
    else if (count < low) text += " – " + S.tooShort;
    return text;
  }
  function updateSerp(description) {
    if (description !== undefined) lastDescription = description;
    var t = value("title");
    document.getElementById("bw-serp-title").textContent = t;
    document.getElementById("bw-serp-url").textContent = config.permalinkBase + "…/" + value("slug") + "/";
    document.getElementById("bw-serp-description").textContent = lastDescription;
    document.getElementById("bw-serp-hints").textContent =
      hint(S.titleHint, t.length, 20, 60) + ". " + hint(S.descriptionHint, lastDescription.length, 70, 155) + ".";
    updateCard();
  }
  function updateCard() {
    document.getElementById("bw-card-title").textContent = value("title");
    document.getElementById("bw-card-description").textContent = lastDescription;
    var chosen = document.querySelector(".bw-chooser-preview img");
    document.getElementById("bw-card-image").innerHTML = chosen ? '<img src="' + escapeHTML(chosen.src) + '" alt="">' : "";
  }

  // --- Autosave, lock, leave warning -----------------------------------------------------
  var autosaveState = document.getElementById("bw-autosave-state");
  var lockNote = document.getElementById("bw-lock");
  function snapshot() {
    return JSON.stringify({
      title: value("title"), slug: value("slug"), body: bodyHTML(), excerpt: value("excerpt"),
      seo_description: value("seo_description"), tag_names: value("tag_names")
    });
  }
  function markDirty() { dirty = true; }
  function autosave(force) {
    var data = { post: config.post || "" };
    var current = snapshot();
    if (dirty && current !== lastSaved) data.data = current;
    else if (!config.post && !force) return;
    post(config.urls.autosave, data).then(function (json) {
      if (json.saved_at) {
        lastSaved = current;
        autosaveState.textContent = fmt(S.autosaved, { time: json.saved_at });
      } else if (json.error) {
        autosaveState.textContent = S.autosaveFailed;
      }
      if (lockNote && json.lock !== undefined) { lockNote.textContent = json.lock; lockNote.hidden = !json.lock; }
    }).catch(function () { autosaveState.textContent = S.autosaveFailed; });
  }
  var autosaveSoon = debounce(function () { autosave(false); }, 3000);
  setInterval(function () { autosave(true); }, 15000);

  function changed() {
    markDirty();
    autosaveSoon();
    refreshPreview();
  }
  form.addEventListener("input", function (event) {
    if (event.target.closest(".bw-dialog")) return;
    changed();
  });
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    // An autosave is a safety net, not a save: the post itself still differs.
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = S.leave;
      return S.leave;
    }
  });

  var restore = document.getElementById("bw-restore");
  if (restore && config.autosave) {
    document.getElementById("bw-restore-apply").addEventListener("click", function () {
      var data = config.autosave;
      ["title", "slug", "excerpt", "seo_description", "tag_names"].forEach(function (name) {
        if (data[name] !== undefined && field(name)) field(name).value = data[name];
      });
      if (data.body !== undefined) {
        if (editor) editor.commands.setContent(data.body, true);
        textarea.value = data.body;
      }
      restore.innerHTML = "<p>" + escapeHTML(S.restored) + "</p>";
      changed();
    });
    document.getElementById("bw-restore-discard").addEventListener("click", function () {
      post(config.urls.discard, { post: config.post || "" });
      restore.remove();
    });
  }

  // --- Tag suggestions -----------------------------------------------------------------
  var tags = field("tag_names");
  if (tags) {
    var list = document.getElementById(tags.getAttribute("list"));
    tags.addEventListener("input", debounce(function () {
      var parts = tags.value.split(",");
      var term = parts.pop().trim();
      var prefix = parts.map(function (p) { return p.trim(); }).filter(Boolean).join(", ");
      if (!term) { list.innerHTML = ""; return; }
      fetch(config.urls.tags + "?q=" + encodeURIComponent(term), { credentials: "same-origin" })
        .then(function (r) { return r.json(); }).then(function (data) {
          list.innerHTML = "";
          data.results.forEach(function (name) {
            var option = document.createElement("option");
            option.value = (prefix ? prefix + ", " : "") + name;
            list.appendChild(option);
          });
        });
    }, 200));
  }

  // --- Start when the editor is ready ----------------------------------------------------
  onEditor = function (detail) {
    if (detail.textarea !== textarea) return;
    editor = detail.editor;
    // The editable area is a textbox for assistive technology: give it the field's label.
    var label = document.querySelector("label[for=id_body]");
    editor.view.dom.setAttribute("aria-label", label ? label.textContent.replace(/:\s*$/, "") : "Text");
    editor.view.dom.setAttribute("aria-multiline", "true");
    addToolbar(textarea.closest(".prose-editor") || textarea.parentNode);
    editor.on("update", changed);
    lastSaved = snapshot();
    refreshPreview();
  };
  readyEditors.forEach(onEditor);
  updateSerp("");
  }
})();
