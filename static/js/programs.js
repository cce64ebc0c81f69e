// Programs: draws the charts whose numbers every page also shows as a table,
// and offers a Print button on certificates. Data comes from data-* attributes
// (no inline scripts: the Content-Security-Policy forbids them).
(function () {
  "use strict";

  var COLOURS = ["#0b3d6e", "#d9822b", "#2f8f5b", "#8e44ad", "#b02a37", "#16a085"];

  function readJson(element, name) {
    try {
      return JSON.parse(element.getAttribute(name) || "[]");
    } catch (error) {
      return [];
    }
  }

  function drawChart(canvas) {
    var type = canvas.getAttribute("data-chart");
    var labels = readJson(canvas, "data-labels");
    var series = readJson(canvas, "data-series");
    var max = canvas.getAttribute("data-max");
    var horizontal = canvas.getAttribute("data-horizontal") === "true";
    var valueAxis = { beginAtZero: true, ticks: { precision: 0 } };
    if (max) {
      valueAxis.max = Number(max);
    }
    var scales = horizontal ? { x: valueAxis } : { y: valueAxis };
    return new window.Chart(canvas, {
      type: type,
      data: {
        labels: labels,
        datasets: series.map(function (set, index) {
          var colour = COLOURS[index % COLOURS.length];
          return {
            label: set.label,
            data: set.data,
            backgroundColor: colour,
            borderColor: colour,
            tension: 0.2
          };
        })
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: { legend: { display: series.length > 1 } }
      }
    });
  }

  // A page may load this file more than once (a partial brings it along):
  // each canvas is drawn once.
  if (window.Chart) {
    document.querySelectorAll("canvas[data-chart]:not([data-drawn])").forEach(
      function (canvas) {
        canvas.setAttribute("data-drawn", "true");
        drawChart(canvas);
      }
    );
  }

  document.querySelectorAll("button[data-print][hidden]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
