// Running analyses in the history table update their status live, from the signed-in user's own hub channel.
(function () {
  "use strict";
  var table = document.getElementById("history");
  if (!table || table.getAttribute("data-live") !== "true" || !window.signalR) { return; }

  function show(update) {
    var row = table.querySelector("tr[data-job-id='" + update.jobId + "']");
    if (!row || row.getAttribute("data-running") !== "true") { return; }
    var cell = row.querySelector(".job-status");
    if (update.finished) {
      row.setAttribute("data-running", "false");
      cell.textContent = update.stageName + " — open it for details";
    } else {
      cell.textContent = update.stageName + " (" + update.percent + "%)";
    }
  }

  // After joining, read each still-running row once: a stage that ended between the page and the join is not lost.
  function refresh() {
    Array.prototype.forEach.call(table.querySelectorAll("tr[data-running='true']"), function (row) {
      fetch("/api/jobs/" + row.getAttribute("data-job-id"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) { if (s) { show(s); } })
        .catch(function () { /* the push keeps it current */ });
    });
  }

  var connection = new signalR.HubConnectionBuilder().withUrl("/hubs/jobs").withAutomaticReconnect().build();
  connection.on("progress", show);
  function join() {
    return connection.invoke("SubscribeMine").then(function () { table.setAttribute("data-connected", "live"); refresh(); });
  }
  connection.onreconnected(join);
  connection.start().then(join).catch(function () { /* the statuses stay as loaded; a reload shows the latest */ });
})();
