/* Evidence file inputs: check a chosen file's size and type in the browser, before sending it.
 *
 * The limits and the messages come from the server, rendered on the input
 * (opentemis.evidence.forms.upload_input_attrs): accept, data-max-bytes, data-too-large (with
 * "{size}" to fill in) and data-unsupported. The server checks everything again; this only spares
 * a long wait for a refusal (30 MB on a slow connection is minutes). The message is shown right
 * beside the input, in the element [data-upload-result] of the input's [data-upload-field].
 */
(function () {
  "use strict";

  function formatSize(bytes) {
    // As Django's filesizeformat: one decimal, 1024-based units, the page's decimal separator.
    var units = ["KB", "MB", "GB", "TB"];
    var value = bytes;
    var unit = "B";
    for (var i = 0; i < units.length && value >= 1024; i++) {
      value = value / 1024;
      unit = units[i];
    }
    if (unit === "B") return bytes + " B";
    var lang = document.documentElement.lang || "vi";
    var number = new Intl.NumberFormat(lang, {
      minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false,
    }).format(Math.round(value * 10) / 10);
    return number + " " + unit;
  }

  function accepted(input, file) {
    var accept = (input.getAttribute("accept") || "").toLowerCase().split(",");
    if (!accept.length || accept[0] === "") return true;
    var dot = file.name.lastIndexOf(".");
    var extension = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
    return accept.indexOf(extension) >= 0;
  }

  function problem(input) {
    var file = input.files && input.files[0];
    if (!file) return "";
    var max = parseInt(input.dataset.maxBytes || "0", 10);
    if (max && file.size > max) {
      return (input.dataset.tooLarge || "").replace("{size}", formatSize(file.size));
    }
    if (!accepted(input, file)) return input.dataset.unsupported || "";
    return "";
  }

  function resultBox(input) {
    var field = input.closest("[data-upload-field]");
    return field ? field.querySelector("[data-upload-result]") : null;
  }

  function show(input, message) {
    var box = resultBox(input);
    if (!box) return;
    box.textContent = message;
    box.className = message ? "upload-result alert alert-error" : "upload-result";
    box.hidden = !message;
  }

  function check(input) {
    var message = problem(input);
    show(input, message);
    if (message) {
      input.value = "";  // never sent: the person chooses another file
      input.setAttribute("aria-invalid", "true");
      input.focus();
    } else {
      input.removeAttribute("aria-invalid");
    }
    return !message;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "file" && input.dataset.maxBytes) {
      check(input);
    }
  });

  // A last check as the request leaves (a file set without a change event).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (!(form instanceof HTMLFormElement)) return;
    for (var i = 0; i < form.elements.length; i++) {
      var input = form.elements[i];
      if (input.type === "file" && input.dataset.maxBytes && !check(input)) {
        event.preventDefault();
        return;
      }
    }
  });

})();
