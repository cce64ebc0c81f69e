// Dashboard charts, drawn with the vendored Chart.js from each canvas's
// data-chart-data attribute. The same numbers are in the table below each
// chart, so the page says everything without this file.
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }

  // Colour-blind-safe palette (Okabe & Ito), in an order that keeps
  // neighbouring series distinct.
  var PALETTE = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7",
    "#56B4E9", "#D55E00", "#F0E442", "#000000",
    "#999999", "#882255", "#44AA99", "#332288",
  ];
  var charts = [];

  function draw(canvas) {
    var data = JSON.parse(canvas.getAttribute("data-chart-data") || "{}");
    var stacked = canvas.getAttribute("data-stacked") === "true";
    var horizontal = canvas.getAttribute("data-horizontal") === "true";
    var datasets = (data.series || []).map(function (series, index) {
      var colour = PALETTE[index % PALETTE.length];
      return {
        label: series.label,
        // A missing value (the program has no such stage) draws as nothing.
        data: series.values.map(function (value) { return value === null ? 0 : value; }),
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: 1,
      };
    });
    var valueAxis = { beginAtZero: true, stacked: stacked, ticks: { precision: 0 } };
    var labelAxis = { stacked: stacked };
    var chart = new window.Chart(canvas, {
      type: canvas.getAttribute("data-kind") || "bar",
      data: { labels: data.labels || [], datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        // No animation: the chart is complete as soon as it is drawn
        // (printing and screenshots see the final picture).
        animation: false,
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
        },
      },
    });
    charts.push(chart);
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);

  // Redraw at paper size before printing, and back afterwards.
  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
