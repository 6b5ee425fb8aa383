/* What every map of Halle shares (window.HalleMap): loading Leaflet — our own static files,
 * from the django-leaflet wheel — only when asked, remembering for the browser tab that the
 * visitor said yes (so a second map opens by itself), and a map with OpenStreetMap tiles,
 * zoom buttons in the page's language and the wheel's marker icon.
 *
 * The element that hosts a map (`root`) carries in data attributes what the page knows:
 * data-leaflet-js, data-leaflet-css, data-icon, data-icon2x, data-shadow, data-zoom-in,
 * data-zoom-out. Nothing is fetched from a third party before load() is called.
 */
(function () {
  "use strict";

  var TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  var ATTRIBUTION =
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>';
  var REMEMBER_KEY = "halle.map.allowed";
  var loading = null;

  function load(root) {
    if (window.L) return Promise.resolve(window.L);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = root.dataset.leafletCss;
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = root.dataset.leafletJs;
      script.onload = function () {
        resolve(window.L);
      };
      script.onerror = function () {
        loading = null;
        reject(new Error("Leaflet could not be loaded"));
      };
      document.head.appendChild(script);
    });
    return loading;
  }

  function remembered() {
    try {
      return window.sessionStorage.getItem(REMEMBER_KEY) === "yes";
    } catch (error) {
      return false;
    }
  }

  function remember() {
    try {
      window.sessionStorage.setItem(REMEMBER_KEY, "yes");
    } catch (error) {
      /* private browsing: the button will simply be asked for again */
    }
  }

  function create(L, root, canvas) {
    // Leaflet's own zoom buttons speak English: give them the page's words.
    var map = L.map(canvas, { zoomControl: false });
    L.control
      .zoom({ zoomInTitle: root.dataset.zoomIn, zoomOutTitle: root.dataset.zoomOut })
      .addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    L.tileLayer(TILES, { maxZoom: 19, attribution: ATTRIBUTION }).addTo(map);
    return map;
  }

  // The wheel's images, named explicitly: Leaflet's guess from its CSS path is not needed.
  function icon(L, root) {
    return L.icon({
      iconUrl: root.dataset.icon,
      iconRetinaUrl: root.dataset.icon2x,
      shadowUrl: root.dataset.shadow,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      popupAnchor: [1, -34],
      shadowSize: [41, 41],
    });
  }

  window.HalleMap = {
    load: load,
    remembered: remembered,
    remember: remember,
    create: create,
    icon: icon,
  };
})();
