// "Copy" buttons beside read-only fields (a new API token, a calendar feed's links): each
// button names its field in data-copy-from and what to announce once copied in data-copied.
// Without a script, or without the clipboard, the buttons stay hidden and the field's text is
// selected by hand; a field marked data-select-on-focus selects itself when focused.
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function selectAll(field) {
    field.focus();
    field.select();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
      field.addEventListener("focus", function () { field.select(); });
    });
    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy-from]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy-from"));
      if (!source) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.value).then(
          function () { announce(button.getAttribute("data-copied")); },
          // The browser refused: the text is selected for the person to copy.
          function () { selectAll(source); }
        );
      });
    });
  });
})();
