// The bell of the site header: htmx asks for the unread count as soon as the page has
// loaded and then every minute. Its hx- attributes are set here, once the page has loaded,
// so that the HTML of pages which poll nothing themselves carries none.
// Pages that use htmx load it themselves; on the others this loads it — never twice, since
// htmx would then handle every hx- attribute twice.
(function () {
  "use strict";
  window.addEventListener("load", function () {
    var bell = document.querySelector("[data-notifications-bell]");
    var count = bell && bell.querySelector("[data-bell-count]");
    if (!count) {
      return;
    }
    count.setAttribute("hx-get", count.getAttribute("data-src"));
    count.setAttribute("hx-trigger", "load, every 60s");
    if (window.htmx) {
      window.htmx.process(count);
      return;
    }
    var script = document.createElement("script");
    script.src = bell.getAttribute("data-htmx-src");
    document.head.appendChild(script);
  });
})();
