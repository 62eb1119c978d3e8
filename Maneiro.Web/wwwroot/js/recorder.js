// Record a dictation or a visit in the browser. The audio goes up in numbered chunks while recording (each kept here
// until the server acknowledges it, retried on failure), so a closed tab or a dropped connection loses at most a few
// seconds. Stopping sends what is left and opens the analysis.
(function () {
  "use strict";
  var section = document.getElementById("recorder");
  if (!section) { return; }

  var TIMESLICE_MS = 3000;
  var startButton = document.getElementById("rec-start");
  var pauseButton = document.getElementById("rec-pause");
  var resumeButton = document.getElementById("rec-resume");
  var stopButton = document.getElementById("rec-stop");
  var indicator = document.getElementById("rec-indicator");
  var timer = document.getElementById("rec-time");
  var level = document.getElementById("rec-level");
  var status = document.getElementById("rec-status");
  var errorBox = document.getElementById("recorder-error");
  var playback = document.getElementById("rec-playback");
  var tokenInput = document.querySelector("#upload-form input[name='__RequestVerificationToken']");

  var state = { id: null, segment: 0, sequence: 0, queue: [], sending: false, recorder: null, stream: null, chunks: [], elapsed: 0, startedAt: 0, tick: null, audio: null, stopping: false };

  function say(message) { status.textContent = message; }

  function fail(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    say("");
  }

  function mimeType() {
    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return null; }
    var types = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/ogg"];
    for (var i = 0; i < types.length; i++) {
      if (MediaRecorder.isTypeSupported(types[i])) { return types[i]; }
    }
    return null;
  }

  function api(method, url, body, contentType) {
    var headers = { "RequestVerificationToken": tokenInput ? tokenInput.value : "", "Accept": "application/json" };
    if (contentType) { headers["Content-Type"] = contentType; }
    return fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin" }).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        return { status: response.status, ok: response.ok, body: json };
      });
    });
  }

  function json(method, url, value) { return api(method, url, JSON.stringify(value), "application/json"); }

  function formValue(selector) {
    var element = document.querySelector(selector);
    return element ? element.value : "";
  }

  function settings(type) {
    var mode = document.querySelector("input[name='rec-mode']:checked");
    return {
      mediaType: type,
      specialty: formValue("#specialty") || "auto",
      forClinician: formValue("#forClinician") || null,
      language: formValue("#rec-language"),
      mode: mode ? mode.value : "dictation",
      review: formValue("#rec-review") !== "false"
    };
  }

  function clock() {
    var total = state.elapsed + (state.startedAt ? Date.now() - state.startedAt : 0);
    var seconds = Math.floor(total / 1000);
    timer.textContent = Math.floor(seconds / 60) + ":" + ("0" + (seconds % 60)).slice(-2);
  }

  function meter(stream) {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    var context = new Context();
    var analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(stream).connect(analyser);
    var samples = new Uint8Array(analyser.fftSize);
    state.audio = context;
    (function draw() {
      if (state.audio !== context) { return; }
      analyser.getByteTimeDomainData(samples);
      var sum = 0;
      for (var i = 0; i < samples.length; i++) { var v = (samples[i] - 128) / 128; sum += v * v; }
      level.value = Math.min(100, Math.round(Math.sqrt(sum / samples.length) * 300));
      window.requestAnimationFrame(draw);
    })();
  }

  // Sends queued chunks one at a time, in order; a failure waits and tries the same chunk again.
  function pump() {
    if (state.sending || state.queue.length === 0) { return; }
    state.sending = true;
    var chunk = state.queue[0];
    api("PUT", "/api/recordings/" + state.id + "/chunks/" + chunk.segment + "/" + chunk.sequence, chunk.blob, chunk.blob.type || "application/octet-stream")
      .then(function (result) {
        state.sending = false;
        if (result.ok) {
          state.queue.shift();
          pump();
          return;
        }
        if (result.status === 413 || result.status === 410 || result.status === 404 || result.status === 400) {
          stopTracks();
          fail((result.body && result.body.error) || "The recording could not be kept.");
          return;
        }
        window.setTimeout(pump, 2000);
      })
      .catch(function () {
        state.sending = false;
        say("Connection lost; the recording continues and is sent when the connection returns.");
        window.setTimeout(pump, 2000);
      });
  }

  function drained() {
    return new Promise(function (resolve) {
      (function check() {
        if (state.queue.length === 0 && !state.sending) { resolve(); } else { pump(); window.setTimeout(check, 250); }
      })();
    });
  }

  function controls(recording, paused) {
    startButton.disabled = recording;
    pauseButton.disabled = !recording || paused;
    pauseButton.hidden = paused;
    resumeButton.hidden = !paused;
    stopButton.disabled = !recording;
    indicator.hidden = !recording || paused;
  }

  function stopTracks() {
    if (state.stream) { state.stream.getTracks().forEach(function (t) { t.stop(); }); }
    if (state.audio) { state.audio.close(); state.audio = null; }
    window.clearInterval(state.tick);
    state.startedAt = 0;
    level.value = 0;
    controls(false, false);
  }

  function record(type) {
    var recorder = new MediaRecorder(state.stream, { mimeType: type });
    state.recorder = recorder;
    state.chunks = [];
    recorder.ondataavailable = function (event) {
      if (!event.data || event.data.size === 0) { return; }
      state.chunks.push(event.data);
      state.queue.push({ segment: state.segment, sequence: state.sequence++, blob: event.data });
      pump();
    };
    recorder.start(TIMESLICE_MS);
    state.startedAt = Date.now();
    state.tick = window.setInterval(clock, 500);
    meter(state.stream);
    controls(true, false);
    playback.hidden = true;
    say("Recording. Press Stop and analyze when you are done.");
    pauseButton.focus();
  }

  function microphone() {
    return navigator.mediaDevices.getUserMedia({ audio: true }).catch(function (error) {
      var name = error && error.name;
      throw new Error(name === "NotAllowedError" || name === "SecurityError"
        ? "Microphone access was denied. Allow the microphone for this site in the browser's settings, or upload a recording as a file below."
        : name === "NotFoundError" || name === "OverconstrainedError"
          ? "No microphone was found. Connect one, or upload a recording as a file below."
          : "The microphone could not be started. Upload a recording as a file below instead.");
    });
  }

  function begin(resumeId, resumeSegment) {
    var type = mimeType();
    errorBox.hidden = true;
    startButton.disabled = true;
    microphone().then(function (stream) {
      state.stream = stream;
      if (resumeId) {
        return json("POST", "/api/recordings/" + resumeId + "/segments", {}).then(function (result) {
          if (!result.ok) { throw new Error((result.body && result.body.error) || "The recording could not be resumed."); }
          return result.body;
        });
      }
      return json("POST", "/api/recordings", settings(type)).then(function (result) {
        if (!result.ok) { throw new Error((result.body && result.body.error) || "The recording could not be started."); }
        return result.body;
      });
    }).then(function (recording) {
      state.id = recording.id;
      state.segment = recording.segment;
      state.sequence = 0;
      state.elapsed = 0;
      record(recording.mediaType && MediaRecorder.isTypeSupported(recording.mediaType) ? recording.mediaType : type);
    }).catch(function (error) {
      stopTracks();
      fail(error.message);
    });
  }

  function finish(id, chunks) {
    say("Sending the last part of the recording…");
    return json("POST", "/api/recordings/" + id + "/finish", { chunks: chunks }).then(function (result) {
      if (result.status === 202) {
        say("Recording sent. Opening the analysis…");
        window.location.assign(result.body.pageUrl);
        return;
      }
      if (result.status === 409) {
        // Some chunk is still on its way: send the queue and ask again.
        return drained().then(function () { return finish(id, chunks); });
      }
      fail((result.body && result.body.error) || "The recording could not be analyzed. It is kept; try again from this page.");
      controls(false, false);
    });
  }

  if (!mimeType()) {
    document.getElementById("recorder-unsupported").hidden = false;
    document.getElementById("recorder-panel").hidden = true;
  }

  startButton.addEventListener("click", function () { begin(null, 0); });

  pauseButton.addEventListener("click", function () {
    if (!state.recorder || state.recorder.state !== "recording") { return; }
    state.recorder.pause();
    state.elapsed += Date.now() - state.startedAt;
    state.startedAt = 0;
    controls(true, true);
    if (state.chunks.length > 0) {
      playback.src = URL.createObjectURL(new Blob(state.chunks, { type: state.chunks[0].type }));
      playback.hidden = false;
    }
    say("Paused. You can listen to the recording so far.");
    resumeButton.focus();
  });

  resumeButton.addEventListener("click", function () {
    if (!state.recorder || state.recorder.state !== "paused") { return; }
    state.recorder.resume();
    state.startedAt = Date.now();
    playback.pause();
    playback.hidden = true;
    controls(true, false);
    say("Recording again.");
    pauseButton.focus();
  });

  stopButton.addEventListener("click", function () {
    if (!state.recorder || state.stopping) { return; }
    state.stopping = true;
    stopButton.disabled = true;
    var recorder = state.recorder;
    recorder.onstop = function () {
      stopTracks();
      startButton.disabled = true;
      drained().then(function () { return finish(state.id, state.sequence); });
    };
    recorder.stop();
  });

  window.addEventListener("beforeunload", function (event) {
    if (state.recorder && state.recorder.state !== "inactive" || state.queue.length > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // A recording kept from an earlier visit: continue it, analyze what arrived, or discard it.
  Array.prototype.forEach.call(document.querySelectorAll(".unfinished-recording"), function (box) {
    var id = box.getAttribute("data-recording-id");
    box.addEventListener("click", function (event) {
      var action = event.target && event.target.getAttribute("data-action");
      if (!action) { return; }
      if (action === "resume") {
        box.hidden = true;
        begin(id, 0);
      } else if (action === "submit") {
        finish(id, null);
      } else if (action === "discard" && window.confirm("Discard this recording? It is deleted for good.")) {
        json("DELETE", "/api/recordings/" + id, null).then(function (result) {
          if (result.status === 204) { box.remove(); say("The recording was discarded."); } else { fail("The recording could not be discarded."); }
        });
      }
    });
  });
})();
