/* « Mon commerce »: small enhancements of the shop forms. Every form works without this file.
 *
 * 1. The shop's position ([data-shop-map]): the latitude and longitude inputs are the source
 *    of truth; the map only fills them. Nothing is fetched from a third party until the person
 *    presses « Placer ma boutique sur la carte »: then Leaflet (our own static files) and the
 *    OpenStreetMap tiles load. The choice is remembered for the browser tab's session, as on
 *    the public maps.
 * 2. Weekly hours ([data-hours-editor]): ticking « fermé » folds a day's ranges away and
 *    disables them (disabled inputs are not sent, so the day is saved as closed), and « same
 *    hours as the day before » copies the previous day.
 */
(function () {
  "use strict";

  // Without a position yet: mainland France as a whole.
  var DEFAULT_VIEW = { lat: 46.603354, lng: 1.888334, zoom: 5 };
  var SHOP_ZOOM = 17;

  function parseDegrees(text) {
    var value = String(text || "").trim().replace(",", ".").replace("\u2212", "-");
    return value === "" ? NaN : Number(value);
  }

  function validPosition(lat, lng) {
    return isFinite(lat) && isFinite(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180;
  }



  function setUpMap(root) {
    var latInput = document.getElementById(root.dataset.latitudeInput);
    var lngInput = document.getElementById(root.dataset.longitudeInput);
    var controls = root.querySelector("[data-shop-map-controls]");
    var opener = root.querySelector("[data-shop-map-open]");
    var canvas = root.querySelector("[data-shop-map-canvas]");
    var status = root.querySelector("[data-shop-map-status]");
    if (!latInput || !lngInput || !opener || !canvas) return;
    controls.hidden = false;

    function announce(text) {
      if (status) status.textContent = text;
    }

    function open() {
      opener.disabled = true;
      window.HalleMap.load(root).then(
        function (L) {
          window.HalleMap.remember();
          controls.hidden = true;
          canvas.hidden = false;
          show(L);
        },
        function () {
          opener.disabled = false;
          announce(root.dataset.loadError);
        }
      );
    }

    function show(L) {
      var lat = parseDegrees(latInput.value);
      var lng = parseDegrees(lngInput.value);
      var known = validPosition(lat, lng);
      // A page may offer a better starting view than France as a whole (the event form
      // starts on the collective's town).
      var centre = {
        lat: parseDegrees(root.dataset.centreLat),
        lng: parseDegrees(root.dataset.centreLng),
        zoom: Number(root.dataset.centreZoom) || 15
      };
      var start = validPosition(centre.lat, centre.lng) ? centre : DEFAULT_VIEW;
      canvas.setAttribute("role", "application");
      canvas.setAttribute("aria-label", root.dataset.mapLabel);
      var map = window.HalleMap.create(L, root, canvas).setView(
        known ? [lat, lng] : [start.lat, start.lng],
        known ? SHOP_ZOOM : start.zoom
      );
      var icon = window.HalleMap.icon(L, root);
      var marker = null;

      function write(latlng) {
        var point = latlng.wrap();
        latInput.value = point.lat.toFixed(6);
        lngInput.value = point.lng.toFixed(6);
        announce(
          root.dataset.placed
            .replace("%(lat)s", latInput.value)
            .replace("%(lng)s", lngInput.value)
        );
      }

      function place(latlng) {
        if (marker) {
          marker.setLatLng(latlng);
          return;
        }
        marker = L.marker(latlng, {
          draggable: true,
          icon: icon,
          title: root.dataset.markerTitle,
          alt: root.dataset.markerTitle,
        }).addTo(map);
        marker.on("dragend", function () {
          write(marker.getLatLng());
        });
      }

      if (known) place([lat, lng]);
      map.on("click", function (event) {
        place(event.latlng);
        write(event.latlng);
      });
      function fromInputs() {
        var typedLat = parseDegrees(latInput.value);
        var typedLng = parseDegrees(lngInput.value);
        if (!validPosition(typedLat, typedLng)) return;
        place([typedLat, typedLng]);
        map.setView([typedLat, typedLng], Math.max(map.getZoom(), SHOP_ZOOM - 2));
      }
      latInput.addEventListener("change", fromInputs);
      lngInput.addEventListener("change", fromInputs);
    }

    opener.addEventListener("click", open);
    if (window.HalleMap.remembered()) open();
  }

  function setUpHours(editor) {
    var days = Array.prototype.slice.call(editor.querySelectorAll("[data-hours-day]"));

    function parts(day) {
      return {
        closed: day.querySelector('input[type="checkbox"]'),
        times: Array.prototype.slice.call(day.querySelectorAll("[data-hours-range] input")),
        more: day.querySelector("details"),
      };
    }

    function sync(day) {
      var p = parts(day);
      p.times.forEach(function (input) {
        input.disabled = p.closed.checked;
      });
      day.toggleAttribute("data-closed", p.closed.checked);
    }

    days.forEach(function (day, index) {
      var p = parts(day);
      p.closed.addEventListener("change", function () {
        sync(day);
      });
      sync(day);
      var copy = day.querySelector("[data-hours-copy]");
      if (!copy || index === 0) return;
      copy.hidden = false;
      copy.addEventListener("click", function () {
        var from = parts(days[index - 1]);
        p.closed.checked = from.closed.checked;
        p.times.forEach(function (input, i) {
          input.value = from.times[i] ? from.times[i].value : "";
        });
        if (p.more && from.more) p.more.open = from.more.open || p.times.slice(-2).some(function (input) {
          return input.value !== "";
        });
        sync(day);
      });
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-shop-map]"), setUpMap);
    Array.prototype.forEach.call(document.querySelectorAll("[data-hours-editor]"), setUpHours);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
