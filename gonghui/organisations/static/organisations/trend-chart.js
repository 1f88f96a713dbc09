// The workbench's members-by-month chart: the data comes from organisations:trend (JSON),
// ECharts from npm (vendor/echarts). A static file, as the Content-Security-Policy allows no
// inline script; the tooltip is drawn on the canvas (richText), so no inline styles either.
(() => {
  "use strict";
  const COLOURS = ["#c8161d", "#e0a526", "#2b6cb0"];

  function number(value) {
    return typeof value === "number" ? value.toLocaleString() : value;
  }

  function options(data) {
    const axes = data.series.map((s, i) => ({
      type: "value",
      name: s.name,
      position: i === 0 ? "left" : "right",
      scale: s.kind === "line",
      minInterval: 1, // people are counted whole
      splitLine: { show: i === 0 },
      axisLabel: { formatter: number },
      nameTextStyle: { align: i === 0 ? "left" : "right" },
    }));
    return {
      color: COLOURS,
      animation: false,
      grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
      legend: { top: 0, left: "center" },
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: number },
      xAxis: { type: "category", data: data.months, axisLabel: { hideOverlap: true } },
      yAxis: axes.slice(0, 2),
      series: data.series.map((s, i) => ({
        id: s.key,
        name: s.name,
        type: s.kind,
        yAxisIndex: Math.min(i, 1),
        data: s.data,
        showSymbol: false,
        smooth: s.kind === "line",
        barMaxWidth: 14,
      })),
    };
  }

  async function draw(element) {
    let data;
    try {
      const response = await fetch(element.dataset.src, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
    } catch (error) {
      element.dataset.state = "failed";
      element.querySelector(".trend-wait")?.replaceChildren(element.dataset.failed || "—");
      return;
    }
    element.replaceChildren();
    const chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(options(data));
    new ResizeObserver(() => chart.resize()).observe(element);
    element.dataset.state = "ready";
  }

  document.addEventListener("DOMContentLoaded", () => {
    const element = document.getElementById("trend-chart");
    if (element && window.echarts) draw(element);
  });
})();
