// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  // Ask before destructive one-button forms (data-confirm="...").
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Live character counters: <textarea data-maxlength="2000"> gets a count below it.
  document.querySelectorAll("textarea[data-maxlength]").forEach(function (area) {
    var limit = parseInt(area.getAttribute("data-maxlength"), 10);
    var counter = document.createElement("div");
    counter.className = "form-text char-count";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    function update() {
      var used = area.value.length;
      counter.textContent = used + " / " + limit + " characters";
      counter.classList.toggle("over", used > limit);
    }
    area.addEventListener("input", update);
    update();
  });

  // "Select all" checkboxes for bulk actions: data-select-all="name-of-boxes".
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    master.addEventListener("change", function () {
      var name = master.getAttribute("data-select-all");
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = master.checked;
      });
    });
  });
})();
