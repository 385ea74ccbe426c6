"""Small packages made by the project (no third-party content) for the tests and the demo:
a SCORM 1.2 and a SCORM 2004 package (a manifest and one page of Vietnamese questions whose
script finds the run-time API, resumes, scores and commits), and an H5P package carrying its
own tiny library (``OpenTEMIS.Quiz 1.0``), written here.

    python -m opentemis.packages.demo.builder OUT_DIR   # writes the three zips
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

QUESTIONS = [
    {
        "q": "Mỗi năm học, giáo viên phải hoàn thành bao nhiêu tiết bồi dưỡng thường xuyên?",
        "choices": ["60 tiết", "120 tiết", "200 tiết"],
        "answer": 1,
    },
    {
        "q": "Nội dung bồi dưỡng nào do giáo viên tự chọn theo nhu cầu?",
        "choices": ["Nội dung 01", "Nội dung 02", "Nội dung 03 (các mô-đun)"],
        "answer": 2,
    },
    {
        "q": "Kết quả bồi dưỡng thường xuyên được xếp loại thế nào?",
        "choices": ["Đạt / Chưa đạt", "Giỏi / Khá / Trung bình", "A / B / C / D"],
        "answer": 0,
    },
]

PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kiểm tra nhanh về bồi dưỡng thường xuyên</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; padding: 1rem; color: #1f2328; }
h1 { font-size: 1.25rem; }
fieldset { border: 1px solid #d0d7de; border-radius: 6px; margin: 0 0 1rem; padding: .75rem; }
legend { font-weight: 600; padding: 0 .25rem; }
label { display: block; padding: .35rem 0; }
button { font-size: 1rem; padding: .5rem 1rem; border-radius: 6px; border: 0; background: #1d4ed8;
  color: #fff; }
#result { margin-top: 1rem; font-weight: 600; }
</style>
</head>
<body>
<h1>Kiểm tra nhanh về bồi dưỡng thường xuyên</h1>
<p>Chọn một đáp án cho mỗi câu rồi bấm <b>Nộp bài</b>. Cần đúng ít nhất 2/3 câu để đạt.</p>
<form id="quiz" onsubmit="return false;"></form>
<button type="button" id="submit">Nộp bài</button>
<p id="result" role="status"></p>
<script>
var VERSION = "__VERSION__";
var QUESTIONS = __QUESTIONS__;
function findAPI(win) {
  var name = VERSION === "1.2" ? "API" : "API_1484_11";
  for (var i = 0; win && i < 10; i++) {
    if (win[name]) { return win[name]; }
    if (win.parent === win) { break; }
    win = win.parent;
  }
  return null;
}
var api = findAPI(window);
var v12 = VERSION === "1.2";
function call(m12, m04) {
  var args = Array.prototype.slice.call(arguments, 2);
  if (!api) { return ""; }
  return api[v12 ? m12 : m04].apply(api, args);
}
function get(k12, k04) { return call("LMSGetValue", "GetValue", v12 ? k12 : k04); }
function set(k12, k04, value) {
  return call("LMSSetValue", "SetValue", v12 ? k12 : k04, String(value));
}
call("LMSInitialize", "Initialize", "");
var saved = {};
try {
  saved = JSON.parse(get("cmi.suspend_data", "cmi.suspend_data") || "{}");
} catch (e) { saved = {}; }
var form = document.getElementById("quiz");
QUESTIONS.forEach(function (q, i) {
  var set_ = document.createElement("fieldset");
  var legend = document.createElement("legend");
  legend.textContent = "Câu " + (i + 1) + ". " + q.q;
  set_.appendChild(legend);
  q.choices.forEach(function (c, j) {
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "radio"; input.name = "q" + i; input.value = String(j);
    if (saved["q" + i] === j) { input.checked = true; }
    input.addEventListener("change", function () {
      saved["q" + i] = j;
      set("cmi.suspend_data", "cmi.suspend_data", JSON.stringify(saved));
      set("cmi.core.lesson_location", "cmi.location", "cau-" + (i + 1));
      call("LMSCommit", "Commit", "");
    });
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + c));
    set_.appendChild(label);
  });
  form.appendChild(set_);
});
var status = get("cmi.core.lesson_status", "cmi.completion_status");
if (status === "not attempted" || status === "unknown" || status === "") {
  set("cmi.core.lesson_status", "cmi.completion_status", "incomplete");
}
set("cmi.core.exit", "cmi.exit", "suspend");
call("LMSCommit", "Commit", "");
document.getElementById("submit").addEventListener("click", function () {
  var right = 0;
  QUESTIONS.forEach(function (q, i) { if (saved["q" + i] === q.answer) { right += 1; } });
  var score = Math.round(right * 100 / QUESTIONS.length);
  var passed = right * 3 >= QUESTIONS.length * 2;
  set("cmi.core.score.min", "cmi.score.min", 0);
  set("cmi.core.score.max", "cmi.score.max", 100);
  set("cmi.core.score.raw", "cmi.score.raw", score);
  if (v12) {
    set("cmi.core.lesson_status", "", passed ? "passed" : "failed");
  } else {
    set("", "cmi.score.scaled", (score / 100).toFixed(2));
    set("", "cmi.completion_status", "completed");
    set("", "cmi.success_status", passed ? "passed" : "failed");
  }
  set("cmi.core.exit", "cmi.exit", passed ? "" : "suspend");
  call("LMSCommit", "Commit", "");
  document.getElementById("result").textContent =
    "Bạn trả lời đúng " + right + "/" + QUESTIONS.length + " câu (" + score + " điểm): " +
    (passed ? "Đạt." : "Chưa đạt, hãy làm lại.");
  if (passed) { call("LMSFinish", "Terminate", ""); }
});
</script>
</body>
</html>
"""

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="opentemis-demo-scorm12" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="org-1">
    <organization identifier="org-1">
      <title>Kiểm tra nhanh về bồi dưỡng thường xuyên</title>
      <item identifier="item-1" identifierref="res-1">
        <title>Ba câu hỏi</title>
        <adlcp:masteryscore>67</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res-1" type="webcontent" adlcp:scormtype="sco" href="bai-hoc/index.html">
      <file href="bai-hoc/index.html"/>
    </resource>
  </resources>
</manifest>
"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="opentemis-demo-scorm2004" version="1.0"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
  <organizations default="org-1">
    <organization identifier="org-1">
      <title>Kiểm tra nhanh về bồi dưỡng thường xuyên (SCORM 2004)</title>
      <item identifier="item-1" identifierref="res-1">
        <title>Ba câu hỏi</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res-1" type="webcontent" adlcp:scormType="sco" href="bai-hoc/index.html">
      <file href="bai-hoc/index.html"/>
    </resource>
  </resources>
</manifest>
"""


def _zip(files: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return out.getvalue()


def page(version: str) -> str:
    return PAGE.replace("__VERSION__", version).replace(
        "__QUESTIONS__", json.dumps(QUESTIONS, ensure_ascii=False)
    )


def scorm12_zip() -> bytes:
    """The SCORM 1.2 demo package."""
    return _zip({"imsmanifest.xml": MANIFEST_12, "bai-hoc/index.html": page("1.2")})


def scorm2004_zip() -> bytes:
    """The SCORM 2004 (4th edition) demo package."""
    return _zip({"imsmanifest.xml": MANIFEST_2004, "bai-hoc/index.html": page("2004")})


# --- H5P -------------------------------------------------------------------------------------

LIBRARY = "OpenTEMIS.Quiz"
LIBRARY_JSON = {
    "title": "OpenTEMIS Quiz",
    "description": "A few single-choice questions (made by the OpenTEMIS project, AGPL).",
    "machineName": LIBRARY,
    "majorVersion": 1,
    "minorVersion": 0,
    "patchVersion": 0,
    "runnable": 1,
    "license": "MIT",
    "author": "OpenTEMIS",
    "embedTypes": ["iframe"],
    "coreApi": {"majorVersion": 1, "minorVersion": 24},
    "preloadedJs": [{"path": "quiz.js"}],
    "preloadedCss": [{"path": "quiz.css"}],
}
# H5P finds a library's constructor by its machine name on the window: OpenTEMIS.Quiz.
LIBRARY_JS = """var OpenTEMIS = window.OpenTEMIS = window.OpenTEMIS || {};
OpenTEMIS.Quiz = (function ($, EventDispatcher) {
  function Quiz(params, contentId) {
    EventDispatcher.call(this);
    this.params = params || {};
    this.contentId = contentId;
  }
  Quiz.prototype = Object.create(EventDispatcher.prototype);
  Quiz.prototype.constructor = Quiz;
  Quiz.prototype.attach = function ($container) {
    var self = this;
    var root = $container.get(0);
    root.classList.add("otq");
    root.innerHTML = "";
    var title = document.createElement("h2");
    title.textContent = self.params.title || "";
    root.appendChild(title);
    var chosen = {};
    (self.params.questions || []).forEach(function (q, i) {
      var box = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent = "Câu " + (i + 1) + ". " + q.q;
      box.appendChild(legend);
      q.choices.forEach(function (c, j) {
        var label = document.createElement("label");
        var input = document.createElement("input");
        input.type = "radio"; input.name = "otq" + i;
        input.addEventListener("change", function () { chosen[i] = j; });
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + c));
        box.appendChild(label);
      });
      root.appendChild(box);
    });
    var button = document.createElement("button");
    button.type = "button";
    button.className = "otq-submit";
    button.textContent = "Nộp bài";
    var result = document.createElement("p");
    result.className = "otq-result";
    button.addEventListener("click", function () {
      var questions = self.params.questions || [];
      var right = 0;
      questions.forEach(function (q, i) { if (chosen[i] === q.answer) { right += 1; } });
      var passed = right * 3 >= questions.length * 2;
      var event = self.createXAPIEventTemplate("completed");
      event.setScoredResult(right, questions.length, self, true, passed);
      self.trigger(event);
      result.textContent = "Đúng " + right + "/" + questions.length + " câu: " +
        (passed ? "Đạt." : "Chưa đạt, hãy làm lại.");
    });
    root.appendChild(button);
    root.appendChild(result);
  };
  return Quiz;
})(H5P.jQuery, H5P.EventDispatcher);
"""
LIBRARY_CSS = """.otq { font-family: system-ui, sans-serif; padding: .5rem; }
.otq fieldset { border: 1px solid #d0d7de; border-radius: 6px; margin: 0 0 1rem; }
.otq label { display: block; padding: .3rem 0; }
.otq-submit { font-size: 1rem; padding: .5rem 1rem; border: 0; border-radius: 6px;
  background: #1d4ed8; color: #fff; }
.otq-result { font-weight: 600; }
"""


def h5p_zip() -> bytes:
    """The H5P demo package, carrying its library."""
    folder = f"{LIBRARY}-1.0"
    meta = {
        "title": "Kiểm tra nhanh (H5P)",
        "language": "vi",
        "mainLibrary": LIBRARY,
        "embedTypes": ["iframe"],
        "license": "U",
        "preloadedDependencies": [{"machineName": LIBRARY, "majorVersion": 1, "minorVersion": 0}],
    }
    content = {"title": "Kiểm tra nhanh về bồi dưỡng thường xuyên", "questions": QUESTIONS}
    return _zip(
        {
            "h5p.json": json.dumps(meta, ensure_ascii=False),
            "content/content.json": json.dumps(content, ensure_ascii=False),
            f"{folder}/library.json": json.dumps(LIBRARY_JSON),
            f"{folder}/quiz.js": LIBRARY_JS,
            f"{folder}/quiz.css": LIBRARY_CSS,
        }
    )


def main(argv: list[str]) -> None:
    out = Path(argv[1] if len(argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    for name, build in (
        ("demo-scorm12.zip", scorm12_zip),
        ("demo-scorm2004.zip", scorm2004_zip),
        ("demo.h5p", h5p_zip),
    ):
        (out / name).write_bytes(build())
        print(out / name)


if __name__ == "__main__":
    main(sys.argv)
