/* « Near me » on the shared catalog: asks the browser for the visitor's position, writes it
   (rounded to about 100 m) into the form's lat/lng fields, picks « within 2 km » if no
   distance is chosen, and submits the form. The position goes nowhere else. Without
   JavaScript or geolocation the button stays hidden; distances then come from the URL's
   lat/lng or the town centre. */
(function () {
  "use strict";

  function round(value) {
    return (Math.round(value * 1000) / 1000).toFixed(3);
  }

  function setUp(box) {
    var form = box.closest("form");
    var button = box.querySelector("[data-near-me-button]");
    var status = box.querySelector("[data-near-me-status]");
    if (!form || !button || !status || !("geolocation" in navigator)) {
      return;
    }
    box.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = box.getAttribute("data-locating") || "";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.lat.value = round(position.coords.latitude);
          form.elements.lng.value = round(position.coords.longitude);
          if (form.elements.km && !form.elements.km.value) {
            form.elements.km.value = "2";
          }
          status.textContent = box.getAttribute("data-located") || "";
          button.disabled = false;
          form.requestSubmit();
        },
        function () {
          status.textContent = box.getAttribute("data-failed") || "";
          button.disabled = false;
        },
        { enableHighAccuracy: false, maximumAge: 300000, timeout: 10000 }
      );
    });
  }

  document.querySelectorAll("[data-near-me]").forEach(setUp);
})();
