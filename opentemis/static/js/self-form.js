/* The self-evaluation form (BM1): on "Submit", say what is missing instead of asking to confirm.
 *
 * Missing = a criterion card ([data-criterion]) with no level chosen, or a required text
 * ([data-required]) left empty. Each is highlighted, listed in the summary ([data-missing-summary],
 * links to each), and the page scrolls to the first and focuses it. Only a complete form asks
 * the confirmation (the button's data-confirm). The server checks the same again
 * (services.self_missing); this is where the person is looking.
 */
(function () {
  "use strict";

  function missingParts(form) {
    var parts = [];
    form.querySelectorAll("[data-criterion]").forEach(function (card) {
      if (!card.querySelector("input[type=radio]:checked")) parts.push(card);
    });
    form.querySelectorAll("[data-required]").forEach(function (field) {
      if (!field.value.trim()) parts.push(field);
    });
    return parts;
  }

  function mark(element, missing) {
    var box = element.matches("[data-criterion]") ? element : element.closest(".form-row") || element;
    box.classList.toggle("is-missing", missing);
    if (missing) element.setAttribute("aria-invalid", "true");
    else element.removeAttribute("aria-invalid");
  }

  function focusTarget(element) {
    if (!element.matches("[data-criterion]")) return element;
    return element.querySelector("input[type=radio]") || element;
  }

  function showSummary(form, parts) {
    var summary = form.querySelector("[data-missing-summary]");
    if (!summary) return;
    var list = summary.querySelector("ul");
    list.textContent = "";
    parts.forEach(function (part) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + part.id;
      link.textContent = part.dataset.label || part.id;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        go(part);
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.hidden = false;
  }

  function go(part) {
    part.scrollIntoView({ block: "center" });
    focusTarget(part).focus({ preventScroll: true });
  }

  function onSubmit(event) {
    var button = event.submitter;
    if (!button || button.value !== "submit") return;
    var form = event.target;
    var parts = missingParts(form);
    form.querySelectorAll(".is-missing").forEach(function (el) { el.classList.remove("is-missing"); });
    if (parts.length) {
      event.preventDefault();
      parts.forEach(function (part) { mark(part, true); });
      showSummary(form, parts);
      go(parts[0]);
      return;
    }
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  }

  function onInput(event) {
    var target = event.target;
    var card = target.closest("[data-criterion]");
    if (card && target.type === "radio") mark(card, false);
    else if (target.matches("[data-required]") && target.value.trim()) mark(target, false);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("bm1");
    if (!form) return;
    form.addEventListener("submit", onSubmit);
    form.addEventListener("change", onInput);
    form.addEventListener("input", onInput);
    // The server found something missing: go to the first, as the browser check would.
    var first = form.querySelector(".is-missing");
    if (first) go(first.matches("[data-criterion]") ? first : first.querySelector("[data-required]") || first);
  });
})();
