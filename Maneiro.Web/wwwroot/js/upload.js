// Upload without leaving the page: shows upload progress and errors inline, then opens the job page.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var fileInput = document.getElementById("file");
  var dropzone = document.getElementById("dropzone");
  var errorBox = document.getElementById("upload-error");
  var progress = document.getElementById("upload-progress");
  var button = document.getElementById("upload-button");
  var repeat = document.getElementById("upload-repeat");
  var reanalyze = document.getElementById("reanalyze");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    progress.textContent = "";
    button.disabled = false;
  }

  ["dragenter", "dragover"].forEach(function (name) {
    dropzone.addEventListener(name, function (e) { e.preventDefault(); dropzone.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    dropzone.addEventListener(name, function () { dropzone.classList.remove("dragging"); });
  });
  dropzone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length > 0) {
      fileInput.files = e.dataTransfer.files;
      progress.textContent = "Ready: " + e.dataTransfer.files[0].name;
    }
  });

  // The same document with the same settings was analyzed before: offer that result (free) or a new, charged run.
  function showRepeat(body) {
    var when = body.analyzedAt ? new Date(body.analyzedAt).toLocaleString() : "earlier";
    document.getElementById("upload-repeat-text").textContent =
      "You already analyzed this document with the same specialty and settings (" + when + "). Opening that analysis is free.";
    document.getElementById("upload-repeat-open").setAttribute("href", body.pageUrl);
    repeat.hidden = false;
    progress.textContent = "";
    button.disabled = false;
    document.getElementById("upload-repeat-open").focus();
  }

  document.getElementById("upload-repeat-again").addEventListener("click", function () {
    reanalyze.checked = true;
    repeat.hidden = true;
    form.requestSubmit();
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    errorBox.hidden = true;
    repeat.hidden = true;
    button.disabled = true;
    var data = new FormData(form);
    var token = data.get("__RequestVerificationToken");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("RequestVerificationToken", token);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (p) {
      if (p.lengthComputable) { progress.textContent = "Uploading… " + Math.round(100 * p.loaded / p.total) + "%"; }
    });
    xhr.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = {}; }
      if (xhr.status === 200 && body.repeat) {
        showRepeat(body);
      } else if (xhr.status === 202 && body.pageUrl) {
        progress.textContent = "Uploaded. Opening the analysis…";
        window.location.assign(body.pageUrl);
      } else if (xhr.status === 429) {
        showError("Too many uploads in a short time. Please wait a minute and try again.");
      } else {
        showError(body.error || "The upload failed (" + xhr.status + "). Please try again.");
      }
    });
    xhr.addEventListener("error", function () { showError("The connection was lost during the upload. Please try again."); });
    progress.textContent = "Uploading…";
    xhr.send(data);
  });
})();
