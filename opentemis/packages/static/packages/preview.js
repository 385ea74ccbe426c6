/* The officer's preview of a SCORM package (packages/manage.html): a run-time API that records
 * nothing (no commit URL), then the launch file in the frame. */
(function () {
  "use strict";
  var frame = document.getElementById("package-frame");
  var launch = JSON.parse(document.getElementById("package-preview-config").textContent);
  var settings = { logLevel: 5 };
  if (frame.dataset.standard === "scorm12") {
    window.API = new window.Scorm12API(settings);
  } else {
    window.API_1484_11 = new window.Scorm2004API(settings);
  }
  frame.src = launch;
})();
