/* Copy buttons: <button data-copy="ID" data-copied-text="Copied" hidden> copies the value of
   the field #ID. The button is hidden until this script shows it: without JavaScript the
   field stays there to select and copy by hand. A [data-copy-status] sibling in the same
   paragraph announces the result to screen readers. No request, no storage. */
(function () {
  "use strict";

  function fallbackCopy(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function announce(button, text) {
    var status = button.parentNode && button.parentNode.querySelector("[data-copy-status]");
    if (status) {
      status.textContent = text;
    }
  }

  function setUp(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () {
        announce(button, button.getAttribute("data-copied-text") || "");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          if (fallbackCopy(field)) {
            done();
          }
        });
      } else if (fallbackCopy(field)) {
        done();
      }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
