// The enrollment form: once a program is chosen, the stage and cohort lists
// offer only that program's groups. Without JavaScript every program's
// stages stay listed, grouped by program, and the server refuses a stage of
// another program with a message beside the field.
(function () {
  "use strict";

  function narrow(select, code) {
    if (!select) {
      return;
    }
    var groups = select.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i += 1) {
      var group = groups[i];
      var shown = !code || group.getAttribute("label") === code;
      group.hidden = !shown;
      group.disabled = !shown;
      if (!shown && group.contains(select.options[select.selectedIndex])) {
        select.value = "";
      }
    }
  }

  function chosenCode(program) {
    var option = program.options[program.selectedIndex];
    return option ? option.getAttribute("data-program-code") : null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var program = document.getElementById("program_id");
    if (!program) {
      return;
    }
    var update = function () {
      var code = chosenCode(program);
      narrow(document.getElementById("stage_id"), code);
      narrow(document.getElementById("cohort_id"), code);
    };
    program.addEventListener("change", update);
    update();
  });
})();
