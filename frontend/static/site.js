// The pages' own script: small, and none of it needed for a page to work.
(function () {
  "use strict";

  // An error summary takes the focus, so a screen reader and a keyboard start from it.
  function focusErrorSummary(root) {
    var summary = root.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
  }

  // Say in the live region what a swapped part announces (data-announce on its root).
  function announce(root) {
    var said = root.closest ? root.querySelector("[data-announce]") : null;
    var region = document.getElementById("announcer");
    if (said && region) {
      region.textContent = "";
      window.setTimeout(function () { region.textContent = said.getAttribute("data-announce"); }, 50);
    }
  }

  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
  document.addEventListener("htmx:afterSwap", function (event) { announce(event.detail.target); });
})();
