/* « Mon commerce » › a product's photos: drag and drop to change their order.
 *
 * Pointer events, so a finger on a phone drags like a mouse on a computer; the handle has
 * `touch-action: none` (see backoffice-products.css) so dragging it does not scroll the page,
 * while the rest of the page scrolls as usual. The photos move in the page while dragging;
 * on release the new order is posted (`order` = the photo ids, main photo first) and the
 * server answers with the photo block, which replaces the old one.
 *
 * Without JavaScript — or from the keyboard — the « Move up / Move down » buttons of each
 * photo do the same, one place at a time.
 */
(function () {
  "use strict";

  // Shows the drag handles (they are hidden until this script runs).
  document.documentElement.classList.add("js-photos");

  function idsOf(list) {
    return Array.from(list.querySelectorAll(":scope > [data-photo-id]"), function (item) {
      return item.dataset.photoId;
    });
  }

  function csrfToken(manager) {
    var input = manager.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function announce(manager, text) {
    var status = manager.querySelector("[role=status]");
    if (status) {
      status.textContent = text;
    }
  }

  function restore(list, order) {
    order.forEach(function (id) {
      var item = list.querySelector(':scope > [data-photo-id="' + id + '"]');
      if (item) {
        list.appendChild(item);
      }
    });
  }

  function save(list, previousOrder) {
    var manager = list.closest("#photo-manager");
    var token = csrfToken(manager);
    var body = new URLSearchParams();
    idsOf(list).forEach(function (id) {
      body.append("order", id);
    });
    body.append("csrfmiddlewaretoken", token);
    manager.setAttribute("aria-busy", "true");
    return fetch(list.dataset.reorderUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      // HX-Request: the server answers with the photo block only, as for htmx.
      headers: { "HX-Request": "true", "X-CSRFToken": token },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var fresh = template.content.firstElementChild;
        manager.replaceWith(fresh);
        if (window.htmx) {
          window.htmx.process(fresh); // the polling of photos still being processed
        }
      })
      .catch(function () {
        restore(list, previousOrder);
        manager.removeAttribute("aria-busy");
        announce(manager, list.dataset.errorText || "");
      });
  }

  document.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest && event.target.closest("[data-photo-handle]");
    if (!handle || (event.pointerType === "mouse" && event.button !== 0)) {
      return;
    }
    var item = handle.closest("[data-photo-id]");
    var list = item && item.parentElement;
    if (!list || !list.dataset.reorderUrl) {
      return;
    }
    event.preventDefault();
    var before = idsOf(list);
    handle.setPointerCapture(event.pointerId);
    item.classList.add("is-dragging");

    var lastX = event.clientX;
    var lastY = event.clientY;
    var scrolling = 0;

    // Put the dragged photo where the pointer is: before or after the photo under it, or
    // first / last when the pointer is above / below the whole list. The other photos are
    // the ones moved in the page: taking the dragged one out, even for an instant, would
    // end its pointer capture and the drag with it.
    function place() {
      var under = document.elementFromPoint(lastX, lastY);
      var over = under && under.closest("[data-photo-id]");
      if (over && over.parentElement === list) {
        if (over === item) {
          return;
        }
        var items = Array.from(list.children);
        if (items.indexOf(over) > items.indexOf(item)) {
          item.before(over);
        } else {
          item.after(over);
        }
        return;
      }
      var box = list.getBoundingClientRect();
      if (lastY < box.top) {
        while (item.previousElementSibling) {
          item.after(item.previousElementSibling);
        }
      } else if (lastY > box.bottom) {
        while (item.nextElementSibling) {
          item.before(item.nextElementSibling);
        }
      }
    }

    // Near the top or bottom of the screen the page scrolls by itself, so a photo can be
    // dragged to a place that was out of sight (a phone shows two or three photos at once).
    function autoScroll() {
      var edge = 56;
      var step = 0;
      if (lastY < edge) {
        step = -Math.ceil((edge - lastY) / 4);
      } else if (lastY > window.innerHeight - edge) {
        step = Math.ceil((lastY - (window.innerHeight - edge)) / 4);
      }
      if (step !== 0) {
        window.scrollBy(0, step);
        place();
      }
      scrolling = window.requestAnimationFrame(autoScroll);
    }
    scrolling = window.requestAnimationFrame(autoScroll);

    function onMove(moveEvent) {
      lastX = moveEvent.clientX;
      lastY = moveEvent.clientY;
      place();
    }

    function onEnd(endEvent) {
      window.cancelAnimationFrame(scrolling);
      document.removeEventListener("pointermove", onMove);
      document.removeEventListener("pointerup", onEnd);
      document.removeEventListener("pointercancel", onEnd);
      item.classList.remove("is-dragging");
      if (endEvent.type === "pointercancel") {
        restore(list, before);
        return;
      }
      if (idsOf(list).join(",") !== before.join(",")) {
        save(list, before);
      }
    }

    // On the document: the events reach it whether or not the handle still has the capture.
    document.addEventListener("pointermove", onMove);
    document.addEventListener("pointerup", onEnd);
    document.addEventListener("pointercancel", onEnd);
  });
})();
