/* A collective's page: its member shops on a map ([data-collective-map]).
 *
 * Nothing is fetched from a third party until the visitor presses « Voir la carte »: then
 * Leaflet (our own static files) and the OpenStreetMap tiles load, and the choice is
 * remembered for the browser tab's session (the same key as the shop form's map, so saying
 * yes once is enough). The markers come from the page itself (the #collective-map-data JSON:
 * name, trade, open-now label, link, position); the list of shops beside the map carries the
 * same information, so the page is complete without this file.
 *
 * Loading Leaflet, the « remembered » flag, tiles and icons: static/js/halle-map.js.
 */
(function () {
  "use strict";

  var SINGLE_SHOP_ZOOM = 16;



  // A popup's content, built as DOM nodes: shop names are text, never HTML.
  function popup(root, marker) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = marker.name;
    box.appendChild(title);
    [marker.trade, marker.open].forEach(function (text) {
      if (!text) return;
      var line = document.createElement("div");
      line.textContent = text;
      box.appendChild(line);
    });
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = root.dataset.shopLink;
    box.appendChild(link);
    return box;
  }

  function show(root, L, data, canvas) {
    canvas.setAttribute("role", "region");
    canvas.setAttribute("aria-label", root.dataset.mapLabel);
    var map = window.HalleMap.create(L, root, canvas);
    var icon = window.HalleMap.icon(L, root);
    var points = data.markers.map(function (marker) {
      L.marker([marker.lat, marker.lng], { icon: icon, title: marker.name, alt: marker.name })
        .bindPopup(popup(root, marker))
        .addTo(map);
      return [marker.lat, marker.lng];
    });
    if (data.centre) {
      map.setView([data.centre.lat, data.centre.lng], data.centre.zoom);
    } else if (points.length === 1) {
      map.setView(points[0], SINGLE_SHOP_ZOOM);
    } else {
      map.fitBounds(points, { padding: [24, 24] });
    }
  }

  function setUp(root) {
    var source = document.getElementById("collective-map-data");
    var controls = root.querySelector("[data-collective-map-controls]");
    var opener = root.querySelector("[data-collective-map-open]");
    var canvas = root.querySelector("[data-collective-map-canvas]");
    var status = root.querySelector("[data-collective-map-status]");
    if (!source || !opener || !canvas) return;
    var data = JSON.parse(source.textContent);
    if (!data.markers || !data.markers.length) return;
    controls.hidden = false;

    function open() {
      opener.disabled = true;
      window.HalleMap.load(root).then(
        function (L) {
          window.HalleMap.remember();
          controls.hidden = true;
          canvas.hidden = false;
          show(root, L, data, canvas);
        },
        function () {
          opener.disabled = false;
          if (status) status.textContent = root.dataset.loadError;
        }
      );
    }

    opener.addEventListener("click", open);
    if (window.HalleMap.remembered()) open();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-collective-map]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
