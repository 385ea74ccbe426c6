/* The package player (packages/play.html).
 * SCORM: the run-time API of scorm-again on this window (window.API for SCORM 1.2,
 * window.API_1484_11 for 2004), loaded with the learner's stored data, committing the whole
 * CMI as flattened JSON to the commit URL (the final commit is a beacon); then the launch
 * file in the iframe. H5P: h5p-standalone on the extracted package; its xAPI statements on
 * the whole content are posted to the xAPI URL. The state badge follows the server's answers. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("package-config").textContent);
  var badge = document.getElementById("package-state");
  var scoreEl = document.getElementById("package-score");
  var errorEl = document.getElementById("package-error");

  function show(answer) {
    if (!answer) { return; }
    if (answer.result === false) {
      errorEl.textContent = answer.detail || "";
      errorEl.hidden = false;
      return;
    }
    errorEl.hidden = true;
    if (typeof answer.state === "string") {
      badge.dataset.state = answer.state;
      badge.textContent = config.labels[answer.state] || "";
    }
    if (answer.score) {
      scoreEl.textContent = "· " + (scoreEl.dataset.label || "Điểm") + " " + Number(answer.score).toLocaleString("vi-VN") + "%";
    }
  }

  function scorm() {
    var settings = {
      lmsCommitUrl: config.commit,
      dataCommitFormat: "flattened",
      alwaysSendTotalTime: true,
      autocommit: true,
      autocommitSeconds: 30,
      logLevel: 4,
      xhrResponseHandler: function (xhr) {
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if (xhr.status >= 200 && xhr.status < 300 && answer && answer.result === true) {
          show(answer);
          return { result: "true", errorCode: 0 };
        }
        show(answer || { result: false, detail: "" });
        return { result: "false", errorCode: 101 };
      }
    };
    var api;
    if (config.standard === "scorm12") {
      api = new window.Scorm12API(settings);
      window.API = api;
    } else {
      api = new window.Scorm2004API(settings);
      window.API_1484_11 = api;
    }
    api.loadFromFlattenedJSON(config.cmi, "");
    // Leaving the page without the content having finished: end the session, which sends the
    // last data as a beacon (a synchronous request is not allowed while a page unloads).
    window.addEventListener("pagehide", function () {
      if (api.isInitialized && api.isInitialized()) {
        if (config.standard === "scorm12") { api.LMSFinish(""); } else { api.Terminate(""); }
      }
    });
    document.getElementById("package-frame").src = config.launch;
  }

  function h5p() {
    var el = document.getElementById("h5p-container");
    var csrf = document.body.getAttribute("hx-headers");
    var token = "";
    try { token = JSON.parse(csrf)["X-CSRFToken"]; } catch (e) { token = ""; }
    function post(body) {
      return fetch(config.xapi, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify(body)
      }).then(function (r) { return r.json(); }).then(show).catch(function () {});
    }
    var options = {
      h5pJsonPath: config.files.replace(/\/$/, ""),
      frameJs: config.frameJs,
      frameCss: config.frameCss,
      frame: false,
      icon: false,
      xAPIObjectIRI: window.location.origin + window.location.pathname
    };
    new window.H5PStandalone.H5P(el, options).then(function () {
      window.H5P.externalDispatcher.on("xAPI", function (event) {
        var statement = event && event.data && event.data.statement;
        if (!statement || !statement.result) { return; }
        var parent = statement.context && statement.context.contextActivities &&
          statement.context.contextActivities.parent;
        if (parent && parent.length) { return; }
        post({ statement: statement });
      });
      if (!badge.dataset.state) { post({ statement: { verb: { id: "http://adlnet.gov/expapi/verbs/attempted" } } }); }
    });
  }

  if (config.standard === "h5p") { h5p(); } else { scorm(); }
})();
