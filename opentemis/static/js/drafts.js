/* Typed work is never lost.
 *
 * 1. Every <form method="post"> keeps a copy of what the person typed in localStorage (keyed
 *    by user, page and form, with the record's version) until the server confirms the post:
 *    a full-page post by the `otm_saved` cookie (DraftSafetyMiddleware), an autosave form
 *    (data-autosave) by a 2xx answer. Reloading or signing in again restores the copy.
 *    Never stored: passwords, files, hidden fields, forms or fields marked data-draft="off",
 *    and any form holding a password field. Signing out forgets the person's copies.
 * 2. Background saves (HTMX) say plainly when they fail: an ended session (401), a stale
 *    security token (403), no connection, a server error. Nothing is pasted into the form.
 * 3. Signing in again, in place (a small dialog) or in a new tab, renews the security token
 *    and sends the failed autosaves again.
 *
 * Plain JavaScript for HTMX 2; texts come translated from the page (core/_drafts.html).
 * See docs/operations.md, "Sessions and drafts".
 */
(function () {
  "use strict";

  var cfg = document.currentScript.dataset; // user, method, login, logout, state, back, csrfCookie
  var T = JSON.parse(document.getElementById("drafts-text").textContent);
  var PREFIX = "otm-draft:" + cfg.user + ":";
  var SIGNAL = "otm-signed-in";
  var MAX_AGE_MS = 14 * 24 * 3600 * 1000;
  var SKIP = { password: 1, file: 1, hidden: 1, submit: 1, button: 1, reset: 1, image: 1 };
  // An autosave's refusals come with a fragment that explains them (the other person's changes
  // on 409): shown, and still errors, so the draft is kept.
  var SWAP_ERRORS = [400, 409, 422, 503];

  var expired = false; // the session ended; waiting for the person to sign in again
  var pending = []; // autosave forms to send again once signed in
  var timers = new WeakMap();
  var sent = new WeakMap(); // form -> {key, fields} of its request under way
  var banner = null;
  var bannerMode = "";
  var cookieSeen = ""; // the CSRF cookie this page's tokens were made from

  // --- storage ---------------------------------------------------------------------------

  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* private mode or full: the page still works, only without the copy */
    }
  }

  function load(key) {
    try {
      return JSON.parse(localStorage.getItem(key));
    } catch (e) {
      return null;
    }
  }

  function draftKeys() {
    var keys = [];
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key && key.indexOf("otm-draft:") === 0) keys.push(key);
    }
    return keys;
  }

  // --- forms -----------------------------------------------------------------------------

  function tracked(form) {
    return (
      form instanceof HTMLFormElement &&
      (form.getAttribute("method") || "").toLowerCase() === "post" &&
      form.dataset.draft !== "off" &&
      !form.querySelector("input[type=password]")
    );
  }

  function isAutosave(form) {
    return form.hasAttribute("data-autosave") && form.hasAttribute("hx-post");
  }

  function eligible(el) {
    return el.name && !SKIP[el.type] && !el.disabled && el.dataset.draft !== "off";
  }

  // Attributes, not properties: a field named "action" or "id" (BM1's submit buttons are
  // name="action") shadows form.action and form.id.
  function actionOf(form) {
    return new URL(form.getAttribute("action") || "", location.href).pathname;
  }

  // A form without an id is named by where it posts (and its rank among forms posting there).
  function keyOf(form) {
    var id = form.getAttribute("id");
    if (!id) {
      var same = Array.prototype.filter.call(document.forms, function (f) {
        return actionOf(f) === actionOf(form);
      });
      id = actionOf(form) + "@" + same.indexOf(form);
    }
    return PREFIX + location.pathname + "#" + id;
  }

  function versionInput(form) {
    var el = form.elements.namedItem("version");
    return el instanceof HTMLInputElement ? el : null;
  }

  function fieldsOf(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!eligible(el)) return;
      var values = fields[el.name] || (fields[el.name] = []);
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) values.push(el.value);
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.selectedOptions, function (o) {
          values.push(o.value);
        });
      } else {
        values.push(el.value);
      }
    });
    return fields;
  }

  function sameFields(a, b) {
    var names = Object.keys(a).concat(Object.keys(b));
    return names.every(function (n) {
      return JSON.stringify(a[n] || []) === JSON.stringify(b[n] || []);
    });
  }

  // Keep the version the person started from: a later answer may move the form's version on
  // (a refused save sends the current one), and the copy must still be recognised as stale.
  function writeDraft(form, rebase) {
    if (!document.contains(form)) return; // replaced by an answer meanwhile
    var key = keyOf(form);
    var old = load(key);
    var version = versionInput(form);
    var fields = fieldsOf(form);
    if (!Object.keys(fields).length) return; // nothing typed in this form (sign out, language)
    store(key, {
      at: Date.now(),
      action: actionOf(form),
      version: old && !rebase ? old.version : version && version.value,
      fields: fields,
    });
  }

  function scheduleWrite(form) {
    clearTimeout(timers.get(form));
    timers.set(
      form,
      setTimeout(function () {
        timers.delete(form);
        writeDraft(form, false);
      }, 300)
    );
  }

  function flushWrites() {
    Array.prototype.forEach.call(document.forms, function (form) {
      if (timers.has(form)) {
        clearTimeout(timers.get(form));
        timers.delete(form);
        writeDraft(form, false);
      }
    });
  }

  function restore(form, fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!eligible(el) || !(el.name in fields)) return;
      var values = fields[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) >= 0;
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = values.indexOf(o.value) >= 0;
        });
      } else {
        var same = form.querySelectorAll("[name='" + CSS.escape(el.name) + "']");
        var index = Array.prototype.indexOf.call(same, el);
        if (values[index] !== undefined) el.value = values[index];
      }
    });
  }

  // --- what the page says --------------------------------------------------------------

  function say(mode, text, actions) {
    // The same news again (a poll meeting the same 401 every few seconds): leave the banner
    // alone, so screen readers do not repeat it and focus stays on its buttons.
    if (banner && mode === bannerMode && banner.firstChild && banner.firstChild.textContent === text) {
      return;
    }
    if (!banner) {
      banner = document.createElement("div");
      banner.className = "drafts-banner";
      banner.setAttribute("role", "status");
      banner.setAttribute("aria-live", "polite");
      var main = document.getElementById("main") || document.body;
      main.insertBefore(banner, main.firstChild);
    }
    bannerMode = mode;
    banner.hidden = !text;
    banner.textContent = "";
    if (!text) return;
    var p = document.createElement("p");
    p.textContent = text;
    banner.appendChild(p);
    if (actions && actions.length) {
      var row = document.createElement("div");
      row.className = "actions";
      actions.forEach(function (a) {
        row.appendChild(a);
      });
      banner.appendChild(row);
    }
  }

  function button(text, onClick, primary) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = primary ? "btn btn-primary" : "btn";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function signInActions() {
    var tab = document.createElement("a");
    tab.className = "btn";
    tab.href = cfg.login + "?next=" + encodeURIComponent(cfg.back);
    tab.target = "_blank";
    tab.textContent = T.signInTab;
    return [button(T.signIn, openDialog, true), tab];
  }

  // The short message also goes where the request's answer would have gone (e.g. the "Saved
  // 14:51" badge), so the page never keeps claiming a save that did not happen.
  function sayInline(detail, text) {
    var target = detail.target;
    var form = askedBy(detail);
    if (!target || !(form instanceof HTMLFormElement) || !form.contains(target)) return;
    target.textContent = "";
    var span = document.createElement("span");
    span.className = "alert alert-error";
    span.setAttribute("role", "alert");
    span.textContent = text;
    target.appendChild(span);
  }

  // --- the session ---------------------------------------------------------------------

  function csrfCookie() {
    var match = document.cookie.match(new RegExp("(?:^|; )" + cfg.csrfCookie + "=([^;]*)"));
    return match ? match[1] : "";
  }

  // Signing in (again) in another tab renews the CSRF cookie, and this page's tokens no longer
  // match it: follow the cookie, whose value Django accepts as the token. Not once the session
  // has ended: then the post goes as it is and the server offers to sign in again.
  function followCookie() {
    var cookie = csrfCookie();
    if (!expired && cookie && cookie !== cookieSeen) setToken(cookie);
  }

  function setToken(token) {
    cookieSeen = csrfCookie();
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (el) {
      el.value = token;
    });
    var headers = {};
    try {
      headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (e) {
      /* replaced below */
    }
    headers["X-CSRFToken"] = token;
    document.body.setAttribute("hx-headers", JSON.stringify(headers));
  }

  function fetchState() {
    return fetch(cfg.state, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    }).then(function (r) {
      return r.json();
    });
  }

  function remember(form) {
    if (form && isAutosave(form) && pending.indexOf(form) < 0) pending.push(form);
  }

  function sessionEnded(detail) {
    expired = true;
    remember(askedBy(detail));
    sayInline(detail, T.expired);
    say("expired", T.expired + " " + T.kept, signInActions());
  }

  function sendAgain() {
    var forms = pending;
    pending = [];
    forms.forEach(function (form) {
      if (document.contains(form)) htmx.ajax("POST", form.getAttribute("hx-post"), { source: form });
    });
    return forms.length;
  }

  function signedIn(state) {
    if (String(state.user) !== cfg.user) {
      say("other", T.otherUser);
      return;
    }
    expired = false;
    closeDialog();
    setToken(state.csrf_token);
    var waiting = draftKeys().some(function (key) {
      return key.indexOf(PREFIX + location.pathname + "#") === 0;
    });
    if (sendAgain()) say("saving", T.saving);
    else say(waiting ? "signed-in" : "", waiting ? T.signedIn : "");
  }

  // Another tab signed in, or the person came back to this one: is the session alive again?
  function checkSession() {
    if (!expired) return;
    fetchState()
      .then(function (state) {
        if (state.authenticated) signedIn(state);
      })
      .catch(function () {});
  }

  // A refused token: renew it and send once more if still signed in; else the session ended.
  function tokenRefused(detail) {
    var form = askedBy(detail);
    fetchState()
      .then(function (state) {
        if (!state.authenticated) return sessionEnded(detail);
        if (String(state.user) !== cfg.user) return say("other", T.otherUser);
        if (form.dataset.draftRetried) {
          sayInline(detail, T.csrf);
          return say("csrf", T.csrf + " " + T.keptReload);
        }
        setToken(state.csrf_token);
        if (!isAutosave(form)) return say("csrf", T.csrf + " " + T.keptReload);
        form.dataset.draftRetried = "1";
        remember(form);
        sendAgain();
      })
      .catch(function () {
        sayInline(detail, T.offline);
        say("offline", T.offline + " " + T.keptRetry);
      });
  }

  // --- the sign-in dialog ----------------------------------------------------------------

  var dialog = null;

  function field(name, type, label, autocomplete) {
    var row = document.createElement("div");
    row.className = "form-row";
    var l = document.createElement("label");
    l.htmlFor = "drafts-" + name;
    l.textContent = label;
    var input = document.createElement("input");
    input.id = "drafts-" + name;
    input.name = name;
    input.type = type;
    input.required = true;
    input.autocomplete = autocomplete;
    row.appendChild(l);
    row.appendChild(input);
    return row;
  }

  function openDialog() {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "drafts-dialog";
      var form = document.createElement("form");
      form.dataset.draft = "off";
      var h = document.createElement("h2");
      h.textContent = T.signIn;
      var error = document.createElement("p");
      error.className = "alert alert-error";
      error.hidden = true;
      var actions = document.createElement("div");
      actions.className = "actions";
      var submit = document.createElement("button");
      submit.className = "btn btn-primary";
      submit.textContent = T.submit;
      actions.appendChild(submit);
      actions.appendChild(button(T.cancel, closeDialog, false));
      form.append(
        h,
        error,
        field("username", "text", T.username, "username"),
        field("password", "password", T.password, "current-password"),
        actions
      );
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        signInHere(form, error);
      });
      dialog.appendChild(form);
      document.body.appendChild(dialog);
    }
    dialog.showModal();
  }

  function closeDialog() {
    if (dialog && dialog.open) {
      dialog.querySelector("input[type=password]").value = "";
      dialog.close();
    }
  }

  // Post to the real sign-in view (same rules: lockout, audit), landing on the session state,
  // which answers with a fresh token for the new session.
  function signInHere(form, error) {
    error.hidden = true;
    fetchState()
      .then(function (state) {
        var data = new FormData(form);
        data.append("csrfmiddlewaretoken", state.csrf_token);
        data.append("next", cfg.state);
        return fetch(cfg.login, { method: "POST", body: data, credentials: "same-origin" });
      })
      .then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (r.ok && json && new URL(r.url).pathname === cfg.state) return r.json();
        return r.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var shown = doc.querySelector("main .alert-error, main .card p");
          throw new Error(shown ? shown.textContent.trim() : T.loginFailed);
        });
      })
      .then(function (state) {
        if (!state.authenticated) throw new Error(T.loginFailed);
        signedIn(state);
      })
      .catch(function (e) {
        error.textContent = e && e.message ? e.message : T.loginFailed;
        error.hidden = false;
      });
  }

  // --- HTMX ------------------------------------------------------------------------------

  // HTMX fires beforeSwap on the target, and afterRequest on the nearest ancestor still in the
  // page when the answer replaced the element that asked: that element is the request's.
  function askedBy(detail) {
    return (detail.requestConfig && detail.requestConfig.elt) || detail.elt;
  }

  document.addEventListener("htmx:beforeSwap", function (e) {
    var d = e.detail;
    var form = askedBy(d);
    var html = (d.xhr.getResponseHeader("Content-Type") || "").indexOf("text/html") === 0;
    if (form instanceof HTMLFormElement && isAutosave(form) && html) {
      if (SWAP_ERRORS.indexOf(d.xhr.status) >= 0) d.shouldSwap = true;
    }
  });

  document.addEventListener("htmx:configRequest", function (e) {
    followCookie();
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    var params = e.detail.parameters;
    if (token && params.has("csrfmiddlewaretoken")) params.set("csrfmiddlewaretoken", token.value);
    if (token) e.detail.headers["X-CSRFToken"] = token.value;
  });

  // The key is taken now: the answer may replace the form (and its place among the forms).
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt;
    if (tracked(form)) sent.set(form, { key: keyOf(form), fields: fieldsOf(form) });
  });

  // A form's own submission (its hx-post on "submit", e.g. an evidence upload) or an autosave
  // answered 2xx is saved; a request on "change" of a form without data-autosave is a preview.
  function confirms(form, detail) {
    var event = detail.requestConfig && detail.requestConfig.triggeringEvent;
    return tracked(form) && sent.has(form) && (isAutosave(form) || (event && event.type === "submit"));
  }

  function confirmed(form) {
    var request = sent.get(form);
    delete form.dataset.draftRetried;
    clearTimeout(timers.get(form));
    timers.delete(form);
    // Typing that arrived while the request travelled is not saved yet: keep it, now against
    // the version the server has just returned.
    if (!document.contains(form) || sameFields(request.fields, fieldsOf(form))) {
      store(request.key, null);
    } else {
      writeDraft(form, true);
    }
    if (bannerMode === "restored") {
      var actions = banner.querySelector(".actions");
      if (actions) actions.remove(); // saved: nothing left to discard
    } else if (bannerMode) {
      say("", "");
    }
  }

  document.addEventListener("htmx:afterRequest", function (e) {
    var d = e.detail;
    var elt = askedBy(d);
    var form = elt instanceof HTMLFormElement ? elt : null;
    var status = d.xhr ? d.xhr.status : 0;
    if (d.successful) {
      if (form && confirms(form, d)) confirmed(form);
      return;
    }
    if (status === 401) return sessionEnded(d);
    if (status === 403 && form) {
      var body = {};
      try {
        body = JSON.parse(d.xhr.responseText);
      } catch (err) {
        /* a 403 page: not allowed, nothing to retry */
      }
      if (body.code === "csrf_failed") return tokenRefused(d);
    }
    // No answer at all: a network error or time-out is reported below; an abort (the page
    // is leaving, or a newer request replaced this one) is nothing to report.
    if (!form || status === 0 || (isAutosave(form) && SWAP_ERRORS.indexOf(status) >= 0)) return;
    var text = T.error.replace("%(status)s", status);
    sayInline(d, text);
    say("error", text + " " + T.keptRetry);
  });

  function unreachable(e) {
    var form = askedBy(e.detail);
    if (!(form instanceof HTMLFormElement)) return;
    remember(form);
    sayInline(e.detail, T.offline);
    say("offline", T.offline + " " + T.keptRetry);
  }
  document.addEventListener("htmx:sendError", unreachable);
  document.addEventListener("htmx:timeout", unreachable);

  // --- typing, posting, coming back ----------------------------------------------------

  function formOf(e) {
    var el = e.target;
    return el && el.form && tracked(el.form) && eligible(el) ? el.form : null;
  }

  document.addEventListener("input", function (e) {
    var form = formOf(e);
    if (form) scheduleWrite(form);
  });
  document.addEventListener("change", function (e) {
    var form = formOf(e);
    if (form) scheduleWrite(form);
  });
  document.addEventListener("submit", function (e) {
    followCookie();
    if (tracked(e.target)) writeDraft(e.target, false);
    // Signing out on purpose (a shared school computer) leaves nothing of this person behind,
    // unless the session had already ended and the copies are still waiting to be saved.
    if (!expired && e.target instanceof HTMLFormElement && actionOf(e.target) === cfg.logout) {
      Array.prototype.forEach.call(document.forms, function (form) {
        clearTimeout(timers.get(form));
        timers.delete(form);
      });
      draftKeys().forEach(function (key) {
        if (key.indexOf(PREFIX) === 0) store(key, null);
      });
    }
  });
  window.addEventListener("pagehide", flushWrites);
  window.addEventListener("focus", checkSession);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) checkSession();
  });
  window.addEventListener("storage", function (e) {
    if (e.key === SIGNAL) checkSession();
  });
  window.addEventListener("online", function () {
    if (!expired && pending.length) sendAgain();
  });

  function confirmedPath() {
    var match = document.cookie.match(/(?:^|; )otm_saved=([^;]*)/);
    if (!match) return null;
    document.cookie = "otm_saved=; Max-Age=0; Path=/; SameSite=Lax";
    return match[1].replace(/^"|"$/g, "");
  }

  function restoreDrafts() {
    var now = Date.now();
    var saved = confirmedPath();
    draftKeys().forEach(function (key) {
      var d = load(key);
      var mine = key.indexOf(PREFIX) === 0;
      if (!d || now - d.at > MAX_AGE_MS || (mine && saved && d.action === saved)) store(key, null);
    });
    Array.prototype.forEach.call(document.forms, function (form) {
      if (!tracked(form)) return;
      var d = load(keyOf(form));
      if (!d) return;
      // A page answering a post shows what was posted (a refusal, a conflict): that is now
      // the copy to keep, against the version the server has just shown.
      if (cfg.method === "POST") return writeDraft(form, true);
      var version = versionInput(form);
      var stale = !!(version && d.version && d.version !== version.value);
      if (!stale && sameFields(d.fields, fieldsOf(form))) return store(keyOf(form), null);
      restore(form, d.fields);
      // Sending the old version makes the server refuse and show the other person's changes
      // instead of silently overwriting them.
      if (stale) version.value = d.version;
      var time = new Date(d.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      var text = T.restored.replace("%(time)s", time);
      var autosave = isAutosave(form) && !stale;
      if (stale) text += " " + T.restoredStale;
      else if (!autosave) text += " " + T.restoredSave;
      say("restored", text, [
        button(T.discard, function () {
          store(keyOf(form), null);
          location.reload();
        }),
      ]);
      if (autosave) htmx.ajax("POST", form.getAttribute("hx-post"), { source: form });
    });
  }

  function start() {
    cookieSeen = csrfCookie();
    store(SIGNAL, { user: cfg.user, at: Date.now() }); // wakes tabs waiting for a sign-in
    restoreDrafts();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
