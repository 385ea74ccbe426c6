/* The attempt page of a test (quizzes/attempt.html): each answer is saved as it is chosen.
 * Every answer goes to localStorage first, then to the server (POST save/, JSON); one not
 * confirmed stays "not saved" and is sent again every 10 s and when the connection returns,
 * so nothing is lost on a dropped connection. The countdown follows the server's deadline (each
 * save answers the seconds left); at zero the form is submitted. No library. */
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var d = form.dataset;
  var key = "quiz-attempt-" + d.attempt;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var store = {};
  try { store = JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { store = {}; }
  var submitting = false;

  function keep() { try { localStorage.setItem(key, JSON.stringify(store)); } catch (e) { /* full */ } }
  function box(pos) { return form.querySelector('fieldset[data-position="' + pos + '"]'); }
  function state(pos, text) { var f = box(pos); if (f) f.querySelector(".quiz-state").textContent = text; }

  function read(f) {
    var kind = f.dataset.kind;
    var inputs = f.querySelectorAll("input[name^=q]");
    if (kind === "multiple") {
      var list = [];
      inputs.forEach(function (i) { if (i.checked) list.push(parseInt(i.value, 10)); });
      return list;
    }
    if (kind === "single" || kind === "truefalse") {
      var value = null;
      inputs.forEach(function (i) { if (i.checked) value = i.value; });
      if (value === null) return null;
      return kind === "single" ? parseInt(value, 10) : value === "true";
    }
    return inputs[0].value;
  }

  function write(f, value) {
    var kind = f.dataset.kind;
    f.querySelectorAll("input[name^=q]").forEach(function (i) {
      if (kind === "multiple") i.checked = Array.isArray(value) && value.indexOf(parseInt(i.value, 10)) >= 0;
      else if (kind === "single") i.checked = parseInt(i.value, 10) === value;
      else if (kind === "truefalse") i.checked = (i.value === "true") === value;
      else i.value = value === null ? "" : value;
    });
  }

  function send(pos) {
    var entry = store[pos];
    if (!entry || entry.saved) return Promise.resolve(true);
    state(pos, d.saving);
    return fetch(d.save, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ position: parseInt(pos, 10), response: entry.value })
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    }).then(function (a) {
      if (a.status === 200) {
        if (store[pos] === entry) { entry.saved = true; keep(); }
        state(pos, d.saved);
        if (typeof a.body.remaining === "number") left = a.body.remaining;
        return true;
      }
      if (a.status === 409 && a.body.result) { localStorage.removeItem(key); window.location = a.body.result; return false; }
      state(pos, a.body.error || d.unsaved);
      return false;
    }).catch(function () { state(pos, d.unsaved); net(false); return false; });
  }

  function sendAll() {
    return Promise.all(Object.keys(store).map(send));
  }

  function net(up) {
    var el = document.getElementById("quiz-net");
    if (el) el.textContent = up ? "" : d.unsaved;
  }

  form.querySelectorAll("fieldset[data-position]").forEach(function (f) {
    var pos = f.dataset.position;
    if (store[pos] && !store[pos].saved) write(f, store[pos].value);  // kept while offline
    var timer = null;
    function changed() {
      store[pos] = { value: read(f), saved: false };
      keep();
      state(pos, d.unsaved);
      send(pos);
    }
    f.addEventListener("change", changed);
    f.addEventListener("input", function (e) {
      if (e.target.type !== "text") return;
      clearTimeout(timer);
      timer = setTimeout(changed, 700);
    });
  });
  sendAll();
  window.addEventListener("online", function () { net(true); sendAll(); });
  setInterval(sendAll, 10000);

  form.addEventListener("submit", function (e) {
    if (submitting) return;
    if (!window.confirm(d.confirm)) { e.preventDefault(); return; }
    submitting = true;
    e.preventDefault();
    var done = function () { localStorage.removeItem(key); form.submit(); };
    Promise.race([sendAll(), new Promise(function (ok) { setTimeout(ok, 3000); })]).then(done, done);
  });

  var clock = document.getElementById("quiz-clock");
  var left = d.remaining === undefined ? null : parseInt(d.remaining, 10);
  if (clock && left !== null) {
    setInterval(function () {
      left = Math.max(0, left - 1);
      var m = Math.floor(left / 60), s = left % 60;
      clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (left === 0 && !submitting) {
        submitting = true;
        clock.textContent = d.timeup;
        var done = function () { localStorage.removeItem(key); form.submit(); };
        Promise.race([sendAll(), new Promise(function (ok) { setTimeout(ok, 3000); })]).then(done, done);
      }
    }, 1000);
  }
})();
