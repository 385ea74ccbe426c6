/* Tables wider than the screen scroll sideways inside their .table-wrap. A keyboard user can
   only scroll what can take the focus, and a screen reader should hear what the region holds
   (axe: scrollable-region-focusable). Every .table-wrap that actually overflows becomes a
   focusable, named region; one that fits is left alone, so it adds no useless tab stop.
   Re-checked when the window is resized and when HTMX swaps content in. */
(function () {
  "use strict";
  function labelOf(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var node = wrap;
    while (node && node !== document.body) {
      var prev = node.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim();
        var inner = prev.querySelectorAll && prev.querySelectorAll("h1,h2,h3,h4,h5,h6");
        if (inner && inner.length) return inner[inner.length - 1].textContent.trim();
        prev = prev.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }
  function mark() {
    var wraps = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("data-scroll-region")) {
        wrap.setAttribute("data-scroll-region", "");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", labelOf(wrap));
      } else if (!scrolls && wrap.hasAttribute("data-scroll-region")) {
        ["data-scroll-region", "tabindex", "role", "aria-label"].forEach(function (name) {
          wrap.removeAttribute(name);
        });
      }
    }
  }
  var timer = null;
  function later() {
    clearTimeout(timer);
    timer = setTimeout(mark, 100);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", later);
})();
