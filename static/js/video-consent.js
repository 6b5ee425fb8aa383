/* Videos of stories: the page shows a link to the video site; the « Play here » button puts
   the provider's player in the page only when the visitor presses it, so nothing from the
   video site loads before. Without JavaScript the button stays hidden and the link works. */
(function () {
  "use strict";

  function play(card) {
    var holder = card.querySelector("[data-video-frame]");
    var offer = card.querySelector("[data-video-offer]");
    var src = card.getAttribute("data-video-embed") || "";
    if (!holder || src.indexOf("https://") !== 0) {
      return;
    }
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = card.getAttribute("data-video-title") || "";
    frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
    frame.allowFullscreen = true;
    // The site's policy sends no referrer across origins; players refuse to start without one.
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    var sandbox = card.getAttribute("data-video-sandbox");
    if (sandbox) {
      frame.setAttribute("sandbox", sandbox);
    }
    holder.replaceChildren(frame);
    holder.hidden = false;
    if (offer) {
      offer.hidden = true;
    }
    frame.focus();
  }

  document.querySelectorAll("[data-video-embed]").forEach(function (card) {
    var offer = card.querySelector("[data-video-offer]");
    var button = card.querySelector("[data-video-play]");
    if (!offer || !button) {
      return;
    }
    offer.hidden = false;
    button.addEventListener("click", function () {
      play(card);
    });
  });
})();
