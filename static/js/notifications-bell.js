// The bell of the site header asks for the unread count with htmx (hx-get on load and every
// minute). Pages that use htmx load it themselves; on the others this loads it once the page
// has loaded — never twice, since htmx would then handle every hx- attribute twice.
(function () {
  "use strict";
  window.addEventListener("load", function () {
    var bell = document.querySelector("[data-notifications-bell]");
    if (!bell || window.htmx) {
      return;
    }
    var script = document.createElement("script");
    script.src = bell.getAttribute("data-htmx-src");
    document.head.appendChild(script);
  });
})();
