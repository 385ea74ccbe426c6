/* The video player's progress reports (OpenTEMIS materials; no library).
 *
 * Keeps the parts played this far ([start, end] seconds, merged) and the position, in
 * localStorage too, and sends them at most about once a minute while playing, and on pause,
 * end and leaving the page (navigator.sendBeacon). A report that could not be sent stays
 * pending in localStorage and is sent when the connection returns or the page is opened again.
 * The server keeps the union of all reports, so sending one twice is harmless.
 */
(function () {
  "use strict";
  var video = document.getElementById("player");
  if (!video) { return; }
  var d = video.dataset;
  var preview = d.preview === "1";
  var limit = parseFloat(d.duration) || 0;
  var key = d.key;
  var PERIOD = 60000;
  var state = { position: parseFloat(d.position) || 0, intervals: [], pending: false };
  var segStart = null, last = null, dirty = false, lastSent = 0;

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(key) || "null");
      if (saved && saved.intervals) {
        state.intervals = saved.intervals;
        if (saved.pending) { state.position = saved.position || state.position; state.pending = true; }
      }
    } catch (e) { /* private mode or bad data: start afresh */ }
  }
  function save() {
    try { localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* full: ignore */ }
  }
  function clip(t) { return Math.max(0, Math.min(limit || t, t)); }
  function merge(list) {
    list = list.filter(function (p) { return p[1] > p[0]; }).sort(function (a, b) { return a[0] - b[0]; });
    var out = [];
    list.forEach(function (p) {
      var top = out[out.length - 1];
      if (top && p[0] <= top[1]) { top[1] = Math.max(top[1], p[1]); } else { out.push([p[0], p[1]]); }
    });
    return out.map(function (p) { return [Math.round(p[0] * 100) / 100, Math.round(p[1] * 100) / 100]; });
  }
  function flush() {  // the part played since the last flush joins the intervals
    if (segStart !== null && last !== null && last > segStart) {
      state.intervals = merge(state.intervals.concat([[clip(segStart), clip(last)]]));
      dirty = true;
      segStart = last;
    }
  }
  function close() { flush(); segStart = null; }  // playing stopped, or jumped
  function body() {
    var form = new FormData();
    form.append("csrfmiddlewaretoken", d.csrf);
    form.append("position", clip(video.currentTime || state.position).toFixed(2));
    form.append("intervals", JSON.stringify(state.intervals));
    return form;
  }
  function show(reply) {
    var status = document.getElementById("video-status");
    var bar = document.getElementById("video-share");
    if (status && reply.label) { status.textContent = reply.label; }
    if (bar && typeof reply.percent === "number") { bar.value = reply.percent; }
  }
  function send(leaving) {
    if (preview) { return; }
    flush();
    state.position = clip(video.currentTime || state.position);
    // Nothing new; a pending report goes again, but not twice on leaving (pagehide + hidden).
    if (!dirty && (!state.pending || (leaving && Date.now() - lastSent < 2000))) { return; }
    state.pending = true; dirty = false; lastSent = Date.now();
    save();
    if (leaving && navigator.sendBeacon) {
      navigator.sendBeacon(d.progressUrl, body());  // pending until a reply says it arrived
      return;
    }
    fetch(d.progressUrl, { method: "POST", body: body(), credentials: "same-origin", keepalive: true })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (reply) { state.pending = false; save(); show(reply); })
      .catch(function () { /* offline or signed out: kept, sent again later */ });
  }

  load();
  function resume() {
    if (!limit) { limit = video.duration || 0; }
    if (state.position > 1 && state.position < (limit || Infinity) - 2) { video.currentTime = state.position; }
  }
  if (video.readyState >= 1) { resume(); } else { video.addEventListener("loadedmetadata", resume, { once: true }); }
  video.addEventListener("timeupdate", function () {
    if (video.paused || video.seeking) { return; }
    var t = video.currentTime;
    if (segStart === null || last === null || t < last || t - last > 3) { close(); segStart = t; }
    last = t;
    if (Date.now() - lastSent >= PERIOD) { send(false); }
  });
  video.addEventListener("seeking", close);
  video.addEventListener("pause", function () { close(); send(true); });
  video.addEventListener("ended", function () { close(); send(false); });
  window.addEventListener("pagehide", function () { close(); send(true); });
  document.addEventListener("visibilitychange", function () { if (document.hidden) { close(); send(true); } });
  window.addEventListener("online", function () { send(false); });
  if (state.pending) { send(false); }

  // A presigned URL (S3) that expired, or a dropped connection: ask our URL again (a fresh
  // redirect) and go on from the same second, at most once every ten seconds.
  var retried = 0;
  video.addEventListener("error", function () {
    if (Date.now() - retried < 10000) { return; }
    retried = Date.now();
    var at = video.currentTime || state.position;
    video.src = (low && low.checked && d.low) ? d.low : d.src;
    video.addEventListener("loadedmetadata", function () { video.currentTime = at; video.play(); }, { once: true });
  });

  var low = document.getElementById("low-quality");
  if (low && d.low) {
    var lowKey = "materials:low-quality";
    low.checked = localStorage.getItem(lowKey) === "1";
    var swap = function () {
      var at = video.currentTime, playing = !video.paused;
      close();
      video.src = low.checked ? d.low : d.src;
      video.addEventListener("loadedmetadata", function () { video.currentTime = at; if (playing) { video.play(); } }, { once: true });
      try { localStorage.setItem(lowKey, low.checked ? "1" : "0"); } catch (e) { /* ignore */ }
    };
    low.addEventListener("change", swap);
    if (low.checked) { swap(); }
  }
}());
