// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  // Styles for "scripts run" (the menu folds behind its button only then).
  document.documentElement.classList.add("js");

  // The menu stands in one row only where that row fits. Below 992 px, and
  // wherever an administrator's many pages or a language's longer words would
  // push the row past the screen's edge, it folds behind its "Menu" button:
  // without the class navbar-expand-lg, Bootstrap shows the folded menu at
  // any width. Checked again whenever the window changes size.
  var navbar = document.querySelector("nav.navbar.navbar-expand-lg");
  var ROW = "navbar-expand-lg";
  function foldMenuUnlessItFits() {
    navbar.classList.add(ROW);
    var bar = navbar.firstElementChild;
    var edge = bar.getBoundingClientRect().right - parseFloat(getComputedStyle(bar).paddingRight);
    var lastGroup = navbar.querySelector(".navbar-collapse").lastElementChild;
    var wide = window.matchMedia("(min-width: 992px)").matches;
    if (!wide || lastGroup.getBoundingClientRect().right > edge + 0.5) {
      navbar.classList.remove(ROW);
    }
  }
  if (navbar && navbar.querySelector(".navbar-collapse")) {
    foldMenuUnlessItFits();
    window.addEventListener("resize", foldMenuUnlessItFits);
  }

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
  // Tables on phones (see app.css, "Tables on phones"): a table.table-stack
  // shows each row as a card, each cell under its column's name, which is
  // copied here from the header into data-label. Explicit roles keep it a
  // table for screen readers whatever its CSS display.
  document.querySelectorAll("table.table-stack").forEach(function (table) {
    var names = Array.from(table.querySelectorAll("thead th")).map(function (th) {
      var text = th.cloneNode(true);
      text.querySelectorAll(".visually-hidden, [aria-hidden=true]").forEach(function (hidden) {
        hidden.remove();
      });
      return text.textContent.replace(/[\u25b2\u25bc]/g, "").replace(/\s+/g, " ").trim();
    });
    table.setAttribute("role", "table");
    table.querySelectorAll("thead, tbody, tfoot").forEach(function (group) {
      group.setAttribute("role", "rowgroup");
    });
    table.querySelectorAll("tr").forEach(function (row) {
      row.setAttribute("role", "row");
      var column = 0;
      Array.from(row.children).forEach(function (cell) {
        if (cell.tagName === "TH") {
          cell.setAttribute("role", cell.closest("thead") ? "columnheader" : "rowheader");
        } else {
          cell.setAttribute("role", "cell");
        }
        if (!cell.closest("thead") && names[column]) {
          cell.setAttribute("data-label", names[column]);
        }
        if (!cell.textContent.trim() && !cell.querySelector("a, button, input, select, img, canvas")) {
          cell.classList.add("cell-empty");  // no empty card line on phones
        }
        column += cell.colSpan || 1;
      });
    });
  });

  // A box that scrolls sideways (.table-responsive) can be reached and
  // scrolled by keyboard: focusable, and named after its table's caption or
  // the heading before it. Only while it does scroll: re-checked on resize.
  var boxes = document.querySelectorAll(".table-responsive");
  function heading(box) {
    var caption = box.querySelector("caption");
    if (caption) return caption;
    var node = box;
    while (node && node !== document.body) {
      var previous = node.previousElementSibling;
      while (previous) {
        if (/^H[1-6]$/.test(previous.tagName)) return previous;
        var inner = previous.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inner.length) return inner[inner.length - 1];
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.querySelector("h1");
  }
  function markScrollable() {
    boxes.forEach(function (box, index) {
      if (box.scrollWidth > box.clientWidth + 1) {
        var name = heading(box);
        if (name && !name.id) name.id = "scroll-box-name-" + index;
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (name) box.setAttribute("aria-labelledby", name.id);
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-labelledby");
      }
    });
  }
  markScrollable();
  window.addEventListener("resize", markScrollable);
  // Feedback in sight. After a form action the page may open at an anchor
  // (a redirect to #participants) or re-render with an error far down the
  // page: bring the message to where the eye is, and focus it so that screen
  // readers read it. The flash messages move to the start of the anchored
  // section; an error that is out of view is scrolled to.
  function inView(element) {
    var box = element.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  }
  function show(element) {
    if (!inView(element)) element.scrollIntoView({block: "center"});
    element.setAttribute("tabindex", "-1");
    element.focus({preventScroll: true});
  }
  function bringFeedbackIntoView() {
    var flashes = document.getElementById("flash-messages");
    var target = null;
    if (window.location.hash.length > 1) {
      try {
        target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      } catch (error) {
        target = null;
      }
    }
    if (flashes && flashes.children.length && target && target.tagName === "SECTION") {
      var heading = target.querySelector("h1, h2, h3, h4, h5, h6");
      if (heading && heading.parentElement === target) {
        heading.insertAdjacentElement("afterend", flashes);
      } else {
        target.insertAdjacentElement("afterbegin", flashes);
      }
      target.scrollIntoView({block: "start"});
      show(flashes.firstElementChild);
      return;
    }
    var problem = document.querySelector("main .alert-danger, main .is-invalid");
    if (problem && !inView(problem)) {
      show(problem.closest(".alert") || problem);
    }
  }
  if (document.readyState === "complete") {
    bringFeedbackIntoView();
  } else {
    window.addEventListener("load", bringFeedbackIntoView);
  }
})();
