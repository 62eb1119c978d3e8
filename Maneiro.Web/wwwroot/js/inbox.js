// The clinic inbox: adds a batch of documents one request each (with progress and a plain error per file), and keeps
// the table current from the clinic's hub channel while the page is open.
(function () {
  "use strict";
  var form = document.getElementById("inbox-upload");
  if (form) {
    var input = document.getElementById("inbox-files");
    var list = document.getElementById("inbox-upload-list");
    var button = document.getElementById("inbox-upload-button");
    var dropzone = document.getElementById("inbox-dropzone");
    ["dragenter", "dragover"].forEach(function (name) {
      dropzone.addEventListener(name, function (e) { e.preventDefault(); dropzone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      dropzone.addEventListener(name, function () { dropzone.classList.remove("dragging"); });
    });
    dropzone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length > 0) { input.files = e.dataTransfer.files; }
    });

    var send = function (file, token) {
      return new Promise(function (resolve) {
        var item = document.createElement("li");
        item.textContent = file.name + ": uploading…";
        list.appendChild(item);
        var data = new FormData();
        data.append("__RequestVerificationToken", token);
        data.append("file", file, file.name);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.setRequestHeader("RequestVerificationToken", token);
        xhr.setRequestHeader("Accept", "application/json");
        xhr.upload.addEventListener("progress", function (p) {
          if (p.lengthComputable) { item.textContent = file.name + ": uploading… " + Math.round(100 * p.loaded / p.total) + "%"; }
        });
        xhr.addEventListener("load", function () {
          var body = {};
          try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = {}; }
          item.textContent = "";
          if (xhr.status === 202 && body.pageUrl) {
            item.appendChild(document.createTextNode(file.name + ": added, being read. "));
            var link = document.createElement("a");
            link.href = body.pageUrl;
            link.textContent = "Open";
            item.appendChild(link);
          } else {
            item.className = "error";
            item.textContent = file.name + ": " + (xhr.status === 429 ? "too many uploads in a short time; wait a minute and add it again." : (body.error || "the upload failed (" + xhr.status + ")."));
          }
          resolve();
        });
        xhr.addEventListener("error", function () {
          item.className = "error";
          item.textContent = file.name + ": the connection failed; add it again.";
          resolve();
        });
        xhr.send(data);
      });
    };

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var token = new FormData(form).get("__RequestVerificationToken");
      var files = Array.prototype.slice.call(input.files);
      if (files.length === 0) { return; }
      button.disabled = true;
      list.textContent = "";
      files.reduce(function (chain, file) { return chain.then(function () { return send(file, token); }); }, Promise.resolve())
        .then(function () { button.disabled = false; form.reset(); });
    });
  }

  // An item still being read reloads itself when it changes (once triaged, its page is what members work on).
  var reading = document.getElementById("intake-item");
  if (reading && reading.getAttribute("data-reading") === "true" && window.signalR) {
    var itemConnection = new signalR.HubConnectionBuilder().withUrl("/hubs/jobs").withAutomaticReconnect().build();
    itemConnection.on("inbox", function (change) {
      if (change.itemId === reading.getAttribute("data-item-id")) { window.location.reload(); }
    });
    itemConnection.start().then(function () {
      return itemConnection.invoke("SubscribeInbox");
    }).then(function () {
      reading.setAttribute("data-connected", "live");
      // A change between the page and the join is not lost: ask once.
      return fetch("/api/inbox/" + reading.getAttribute("data-item-id"), { credentials: "same-origin", headers: { Accept: "application/json" } });
    }).then(function (r) { return r && r.ok ? r.json() : null; })
      .then(function (s) { if (s && s.finished) { window.location.reload(); } })
      .catch(function () { /* a reload shows the latest */ });
  }

  var table = document.getElementById("inbox");
  if (!table || !window.signalR) { return; }
  var rows = document.getElementById("inbox-rows");
  var filters = table.getAttribute("data-filters") || "";
  var pending = null;
  // Several changes in a burst (a batch being read) become one reload of the rows, with the page's filters.
  function reload() {
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      var url = "/Inbox" + (filters ? filters + "&" : "?") + "handler=Rows";
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var checked = Array.prototype.map.call(rows.querySelectorAll("input[name='items']:checked"), function (c) { return c.value; });
          rows.innerHTML = html;
          checked.forEach(function (id) {
            var box = rows.querySelector("input[name='items'][value='" + id + "']");
            if (box) { box.checked = true; }
          });
          var count = rows.querySelectorAll("tr").length;
          document.getElementById("inbox-caption").textContent = count === 0 ? "The inbox is empty." : count + (count === 1 ? " item" : " items") + ", open ones first, most urgent first";
        })
        .catch(function () { /* the next change or a reload shows it */ });
    }, 250);
  }

  var connection = new signalR.HubConnectionBuilder().withUrl("/hubs/jobs").withAutomaticReconnect().build();
  connection.on("inbox", reload);
  function join() {
    return connection.invoke("SubscribeInbox").then(function () { table.setAttribute("data-connected", "live"); reload(); });
  }
  connection.onreconnected(join);
  connection.start().then(join).catch(function () { /* the table stays as loaded; a reload shows the latest */ });
})();
