// The account has no time zone yet: send the browser's once (from a file, not inline script, as the CSP requires).
(function () {
  "use strict";
  if (document.body.getAttribute("data-timezone-unset") !== "true" || !window.Intl) { return; }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var token = document.querySelector("input[name='__RequestVerificationToken']");
  if (!zone || !token) { return; }
  fetch("/api/account/timezone", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "RequestVerificationToken": token.value },
    body: JSON.stringify({ timeZone: zone })
  }).then(function (r) { if (r.ok) { document.body.setAttribute("data-timezone-unset", "false"); } });
})();
