/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // Confirm dialogs for destructive buttons: <form data-confirm="Question?">
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });

  // Photo upload with a progress bar: the same form, sent with XMLHttpRequest.
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var progress = form.querySelector(".upload-progress");
    var status = form.querySelector(".upload-status");
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      progress.hidden = false;
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var percent = Math.round((e.loaded / e.total) * 100);
          progress.value = percent;
          progress.textContent = percent + " %";
        }
      });
      request.addEventListener("load", function () {
        var result = null;
        try { result = JSON.parse(request.responseText); } catch (e) { result = null; }
        if (result && result.refused && result.refused.length) {
          status.textContent = result.refused.join(" ");
          if (result.added) { setTimeout(function () { window.location.reload(); }, 4000); }
        } else if (request.status >= 200 && request.status < 300) {
          window.location.reload();
        } else {
          form.submit(); // let the server explain
        }
      });
      request.addEventListener("error", function () { form.submit(); });
      request.send(new FormData(form));
    });
  });

  // A field that gets the focus is moved clear of the form's sticky action bar (on short
  // screens the bar is not sticky at all: portal.css).
  document.querySelectorAll("form .sticky-actions").forEach(function (bar) {
    bar.closest("form").addEventListener("focusin", function (event) {
      if (bar.contains(event.target)) { return; }
      var overlap = event.target.getBoundingClientRect().bottom - bar.getBoundingClientRect().top;
      if (overlap > 0 && getComputedStyle(bar).position === "sticky") {
        window.scrollBy(0, overlap + 16);
      }
    });
  });

  // Hints that follow the household size: the server writes the hint for every size into
  // data-proposal-hints (its own words, plural forms and numbers included); the hint shown
  // without JavaScript is the one for the size last sent.
  document.querySelectorAll("[data-proposal-hints]").forEach(function (row) {
    var hints;
    try { hints = JSON.parse(row.getAttribute("data-proposal-hints")); } catch (e) { return; }
    var form = row.closest("form");
    var adults = form && form.querySelector("[name=adults]");
    var children = form && form.querySelector("[name=children]");
    if (!adults || !children) { return; }
    function update() {
      var persons = parseInt(adults.value, 10) + (parseInt(children.value, 10) || 0);
      var forSize = hints[String(persons)];
      if (!forSize) { return; }
      Object.keys(forSize).forEach(function (name) {
        var input = form.querySelector("[name=" + name + "]");
        var hint = input && document.getElementById(input.id + "-hint");
        if (hint) { hint.textContent = forSize[name]; }
      });
    }
    adults.addEventListener("input", update);
    children.addEventListener("input", update);
  });
})();
