// The account page: a button that copies a new API token (without it, the token is selected
// by hand; the page says to copy it either way).
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy-from]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy-from"));
      if (!source) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.value).then(function () {
          var region = document.getElementById("announcer");
          if (region) region.textContent = button.getAttribute("data-copied");
        });
      });
    });
    var token = document.getElementById("new-token");
    if (token) token.addEventListener("focus", function () { token.select(); });
  });
})();
