/* Halle's widget: makes a framed widget as tall as its content. Nothing else.

   On a partner's page (optional: <script src="https://<halle>/static/js/halle-widget.js"
   async></script> next to the <iframe>), it listens for the height a Halle widget reports
   and sets it on that frame. Only messages from the origin this script was loaded from are
   heard, and only for a frame of the page that sent them.

   In the widget itself (Halle's page, <html data-halle-widget>), the same file reports the
   page's height to the frame's parent whenever it changes. The message carries a number
   only, so it is sent to any parent.

   No cookie, no storage, no request. See docs/widget.md. */
(function () {
  "use strict";

  var HEIGHT = "halle-widget:height";
  var HELLO = "halle-widget:hello";
  var MAX_HEIGHT = 20000;
  var root = document.documentElement;

  function inWidget() {
    var box = document.getElementById("halle-widget");
    if (!box || window.parent === window) {
      return;
    }
    var last = -1;
    function report() {
      var height = Math.ceil(box.getBoundingClientRect().height);
      if (height !== last) {
        last = height;
        window.parent.postMessage({ type: HEIGHT, height: height }, "*");
      }
    }
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(report).observe(box);
    }
    window.addEventListener("load", report);
    // The partner's script may start after the first report: it says hello, we answer.
    window.addEventListener("message", function (event) {
      if (event.source === window.parent && event.data && event.data.type === HELLO) {
        last = -1;
        report();
      }
    });
    report();
  }

  function onPartnerPage() {
    var script = document.currentScript;
    if (!script || !script.src) {
      return;
    }
    var halle = new URL(script.src, document.baseURI).origin;

    function halleFrames() {
      var frames = document.getElementsByTagName("iframe");
      var found = [];
      for (var i = 0; i < frames.length; i += 1) {
        var src = frames[i].src;
        if (src && new URL(src, document.baseURI).origin === halle) {
          found.push(frames[i]);
        }
      }
      return found;
    }

    window.addEventListener("message", function (event) {
      if (event.origin !== halle) {
        return;
      }
      var data = event.data;
      if (!data || data.type !== HEIGHT || typeof data.height !== "number") {
        return;
      }
      var height = Math.round(data.height);
      if (!(height > 0 && height <= MAX_HEIGHT)) {
        return;
      }
      var frames = halleFrames();
      for (var i = 0; i < frames.length; i += 1) {
        if (frames[i].contentWindow === event.source) {
          frames[i].style.height = height + "px";
          return;
        }
      }
    });

    function hello() {
      halleFrames().forEach(function (frame) {
        if (frame.contentWindow) {
          frame.contentWindow.postMessage({ type: HELLO }, halle);
        }
      });
    }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", hello);
    } else {
      hello();
    }
  }

  if (root.hasAttribute("data-halle-widget")) {
    inWidget();
  } else {
    onPartnerPage();
  }
})();
