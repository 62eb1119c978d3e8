// Live job progress: SignalR push from the server, with polling when WebSockets and the hub are unavailable.
(function () {
  "use strict";
  var section = document.getElementById("job-progress");
  if (!section || section.getAttribute("data-finished") === "true") { return; }
  var jobId = section.getAttribute("data-job-id");
  // Letters reuse this script: they name their own hub method and status URL.
  var subscribe = section.getAttribute("data-subscribe") || "Subscribe";
  var statusUrl = section.getAttribute("data-status-url") || ("/api/jobs/" + jobId);
  var bar = document.getElementById("job-bar");
  var stage = document.getElementById("job-stage");
  var stages = document.getElementById("job-stages");
  var seen = {};
  var polling = null;
  var done = false;

  function show(update) {
    if (done) { return; }
    bar.value = update.percent;
    bar.textContent = update.percent + "%";
    stage.textContent = update.stageName + (update.error ? ": " + update.error : "");
    if (!seen[update.stage]) {
      seen[update.stage] = true;
      var item = document.createElement("li");
      item.setAttribute("data-stage", update.stage);
      item.textContent = update.stageName;
      stages.appendChild(item);
    }
    if (update.finished || update.waiting) {
      done = true;
      // Show the results or the transcript to review (rendered by the server, encoded) by reloading the page once.
      window.setTimeout(function () { window.location.reload(); }, 300);
    }
  }

  // Stages the server already listed, keyed like the updates: by stage, not by display name.
  Array.prototype.forEach.call(stages.children, function (li) { seen[li.getAttribute("data-stage")] = true; });

  function poll() {
    if (polling) { return; }
    section.setAttribute("data-connected", "polling");
    polling = window.setInterval(function () {
      fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) { if (s) { show(s); } })
        .catch(function () { /* keep polling */ });
    }, 2000);
  }

  if (!window.signalR) { poll(); return; }
  var connection = new signalR.HubConnectionBuilder().withUrl("/hubs/jobs").withAutomaticReconnect().build();
  connection.on("progress", show);
  connection.onreconnected(function () { connection.invoke(subscribe, jobId).then(show).catch(poll); });
  connection.onclose(function () { if (!done) { poll(); } });
  connection.start()
    .then(function () { return connection.invoke(subscribe, jobId); })
    .then(function (current) { show(current); section.setAttribute("data-connected", "live"); })
    .catch(poll);
})();
