// Profile editor: search a payload's keys, and say while editing which keys set here won't
// apply on a personal (User Enrollment) device. The verdicts are rendered into the page by the
// server from Apple's schema (data-ue on each key); this script only shows them as one types.
(function () {
  "use strict";

  function isSet(key) {
    var controls = key.querySelectorAll("input, select, textarea");
    for (var i = 0; i < controls.length; i++) {
      var c = controls[i];
      if (c.type === "checkbox" || c.type === "radio") { if (c.checked) return true; }
      else if (c.type === "file") { if (c.files && c.files.length) return true; }
      else if (c.value !== "") return true;
    }
    return false;
  }

  function updateMarks(payload) {
    var keys = payload.querySelectorAll(".key.ue-no");
    var names = [];
    for (var i = 0; i < keys.length; i++) {
      var on = isSet(keys[i]);
      keys[i].classList.toggle("ue-set", on);
      if (on) names.push(keys[i].dataset.key);
    }
    var live = payload.querySelector("[data-ue-live]");
    if (!live) return;
    live.hidden = names.length === 0;
    live.dataset.count = String(names.length);
    live.textContent = names.length === 1
      ? "1 key set here won't apply on a personal device: " + names[0]
      : names.length + " keys set here won't apply on a personal device: " + names.join(", ");
  }

  function search(payload, query) {
    var q = query.trim().toLowerCase();
    var groups = payload.querySelectorAll("details.key-group");
    for (var g = 0; g < groups.length; g++) {
      var group = groups[g];
      var keys = group.querySelectorAll(".key");
      var shown = 0;
      for (var k = 0; k < keys.length; k++) {
        var text = (keys[k].dataset.key + " " + keys[k].querySelector(".key-head").textContent)
          .toLowerCase();
        var match = q === "" || text.indexOf(q) !== -1;
        keys[k].hidden = !match;
        if (match) shown++;
      }
      group.hidden = shown === 0;
      if (q !== "") {
        if (!group.dataset.wasOpen) group.dataset.wasOpen = group.open ? "yes" : "no";
        group.open = shown > 0;
      } else if (group.dataset.wasOpen) {
        group.open = group.dataset.wasOpen === "yes";
        delete group.dataset.wasOpen;
      }
    }
  }

  function setUp() {
    var payloads = document.querySelectorAll("fieldset.payload");
    for (var i = 0; i < payloads.length; i++) {
      (function (payload) {
        payload.addEventListener("input", function (e) {
          if (e.target.classList.contains("key-search")) search(payload, e.target.value);
          else updateMarks(payload);
        });
        payload.addEventListener("change", function () { updateMarks(payload); });
        updateMarks(payload);
      })(payloads[i]);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
