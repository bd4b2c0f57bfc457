// Draws every chart on the page: an element with data-chart="ID" takes its
// ECharts option from the JSON script element with that id. Kept in a file
// (not inline) so the Content-Security-Policy can forbid inline scripts.
(function () {
  function draw(root) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn || typeof echarts === "undefined") return;
      var src = document.getElementById(el.dataset.chart);
      if (!src) return;
      var option = JSON.parse(src.textContent);
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (e) { draw(e.target); });
})();
