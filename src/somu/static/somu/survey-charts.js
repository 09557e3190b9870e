// Charts and sortable tables of the survey analysis.
//
// The page embeds its chart specs with Django's json_script (id "analysis-charts"): an object of
// chart id -> spec, and an element <div class="chart" data-chart="<id>"> for each. No inline
// script is needed, so a strict Content-Security-Policy can stay on. A spec is one of:
//   bar     {categories, series: [{name, data, stack?}], links, unit, horizontal?, seriesParams?,
//            colors?, markLine?, highlightAbove?}
//   pie     {categories, data, shares? (the percentages as printed), links, unit}
//   pareto  {categories, bars, cumulative (0-100), links, names: {bars, line}}
//   heatmap {x, y, data: [[xi, yi, value]], base, xParams, yParams}
// Every bar, slice and cell opens its link: the rows the figure was computed from.
(() => {
  "use strict";

  const PALETTE = ["#0b5cad", "#2f9e8f", "#d08c2c", "#7a5fb0", "#c4453c", "#5b8def", "#8a9a5b",
    "#b25f9b", "#4d7c8a", "#e0b84f", "#9aa5b1", "#3d6b4f"];
  const NARROW = 560; // px: below this a chart switches to its phone layout
  const lang = document.documentElement.lang || "ja";
  const numberFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  // A percentage always has one decimal, as on the pages and in the report (24.8%).
  const percentFormat = new Intl.NumberFormat(lang, { minimumFractionDigits: 1,
    maximumFractionDigits: 1 });

  const fmt = (value, unit) => {
    if (value === null || value === undefined || value === "-") return "–";
    const n = typeof value === "object" ? value.value : value;
    if (unit === "%") return `${percentFormat.format(n)}%`;
    const text = numberFormat.format(n);
    if (unit === "yen") return `¥${text}`;
    if (unit === "h") return `${text} h`;
    return text;
  };

  const join = (url, params) => (params ? url + (url.includes("?") ? "&" : "?") + params : url);

  // ---- options per kind -------------------------------------------------------------------

  function base(narrow, font) {
    return {
      color: PALETTE,
      textStyle: { fontFamily: font },
      animationDuration: 300,
      tooltip: { confine: true },
      grid: { left: 8, right: narrow ? 12 : 24, top: 24, bottom: 8, containLabel: true },
    };
  }

  function legend(count, narrow) {
    return count > 1 ? { type: "scroll", bottom: 0, itemWidth: 12, itemHeight: 10,
      textStyle: { fontSize: narrow ? 11 : 12 } } : undefined;
  }

  function bar(spec, narrow, font) {
    const option = base(narrow, font);
    const n = spec.categories.length;
    const multi = spec.series.length > 1;
    const labelWidth = narrow ? 84 : 150;
    const category = {
      type: "category", data: spec.categories, inverse: !!spec.horizontal,
      axisTick: { alignWithLabel: true },
      axisLabel: spec.horizontal
        ? { width: labelWidth, overflow: "truncate", fontSize: narrow ? 11 : 12 }
        : { interval: 0, rotate: narrow || n > 6 ? 35 : 0, width: narrow ? 70 : 110,
          overflow: "truncate", fontSize: narrow ? 11 : 12 },
    };
    const value = {
      type: "value",
      axisLabel: { formatter: (v) => fmt(v, spec.unit === "h" ? "" : spec.unit), fontSize: 11 },
      splitLine: { lineStyle: { color: "#eaeef2" } },
    };
    if (spec.markLine) value.max = (extent) => Math.max(extent.max, spec.markLine * 1.1);
    option.xAxis = spec.horizontal ? value : category;
    option.yAxis = spec.horizontal ? category : value;
    option.tooltip = { ...option.tooltip, trigger: "axis", axisPointer: { type: "shadow" },
      valueFormatter: (v) => fmt(v, spec.unit) };
    option.legend = legend(spec.series.length, narrow);
    if (option.legend) option.grid.bottom = 32;
    if (spec.colors) option.color = spec.colors.concat(PALETTE);
    option.series = spec.series.map((s, index) => {
      let data = s.data;
      if (spec.highlightAbove !== undefined) {
        data = data.map((v) => (v > spec.highlightAbove
          ? { value: v, itemStyle: { color: "#c4453c" } } : v));
      }
      const series = { type: "bar", name: s.name, data, stack: s.stack, cursor: "pointer",
        barMaxWidth: 36, emphasis: { focus: multi && s.stack ? "series" : "none" } };
      if (index === 0 && spec.markLine !== undefined) {
        const axis = spec.horizontal ? "xAxis" : "yAxis";
        // On a column chart the line is horizontal: its label goes above the line's right end,
        // inside the plot, where the grid's narrow right margin cannot clip it.
        series.markLine = { symbol: "none", silent: true,
          label: { formatter: fmt(spec.markLine, spec.unit),
            position: spec.horizontal ? "end" : "insideEndTop", color: "#c4453c" },
          lineStyle: { color: "#c4453c", type: "dashed" }, data: [{ [axis]: spec.markLine }] };
      }
      return series;
    });
    return option;
  }

  function pie(spec, narrow, font) {
    const option = base(narrow, font);
    // The share as the tables print it (the server's text), else ECharts' own with one decimal.
    const share = (p) => (spec.shares ? spec.shares[p.dataIndex] : fmt(p.percent, "%"));
    option.tooltip = { ...option.tooltip, trigger: "item",
      formatter: (p) => `${p.marker}${p.name}<br>${fmt(p.value, spec.unit)} (${share(p)})` };
    option.legend = narrow ? legend(2, narrow) : undefined;
    option.series = [{
      type: "pie", radius: narrow ? ["30%", "62%"] : ["35%", "70%"],
      center: ["50%", narrow ? "44%" : "50%"], cursor: "pointer",
      label: { show: !narrow, formatter: (p) => `${p.name}\n${share(p)}`, fontSize: 12 },
      data: spec.categories.map((name, i) => ({ name, value: spec.data[i] })),
    }];
    return option;
  }

  function pareto(spec, narrow, font) {
    const option = base(narrow, font);
    option.tooltip = { ...option.tooltip, trigger: "axis", axisPointer: { type: "shadow" } };
    option.legend = legend(2, narrow);
    option.grid.bottom = 32;
    option.xAxis = { type: "category", data: spec.categories,
      axisLabel: { show: !narrow, interval: 0, rotate: 50, width: 90, overflow: "truncate",
        fontSize: 11 } };
    option.yAxis = [
      { type: "value", axisLabel: { fontSize: 11 }, splitLine: { lineStyle: { color: "#eaeef2" } } },
      { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%", fontSize: 11 },
        splitLine: { show: false } },
    ];
    option.series = [
      { type: "bar", name: spec.names.bars, data: spec.bars, cursor: "pointer", barMaxWidth: 28,
        tooltip: { valueFormatter: (v) => fmt(v, "h") } },
      { type: "line", name: spec.names.line, data: spec.cumulative, yAxisIndex: 1,
        symbolSize: 5, smooth: false, color: "#c4453c", cursor: "pointer",
        tooltip: { valueFormatter: (v) => fmt(v, "%") } },
    ];
    return option;
  }

  function heatmap(spec, narrow, font) {
    const option = base(narrow, font);
    const max = spec.data.reduce((m, d) => Math.max(m, d[2]), 0) || 1;
    option.grid = { left: 8, right: 16, top: 8, bottom: 56, containLabel: true };
    option.tooltip = { ...option.tooltip, trigger: "item", position: "top",
      formatter: (p) => `${spec.y[p.data[1]]}<br>${spec.x[p.data[0]]}: <b>${fmt(p.data[2], "h")}</b>` };
    option.xAxis = { type: "category", data: spec.x, splitArea: { show: true },
      axisLabel: { interval: 0, rotate: 55, width: 96, overflow: "truncate", fontSize: 11 } };
    option.yAxis = { type: "category", data: spec.y, inverse: true, splitArea: { show: true },
      axisLabel: { interval: 0, width: narrow ? 70 : 110, overflow: "truncate", fontSize: 11 } };
    option.visualMap = { min: 0, max, calculable: true, orient: "horizontal", left: "center",
      bottom: 0, itemHeight: narrow ? 100 : 160, itemWidth: 10, textStyle: { fontSize: 11 },
      inRange: { color: ["#e7f0fb", "#6e9fd6", "#0b5cad", "#082f5c"] },
      formatter: (v) => fmt(v, "h") };
    option.grid.bottom = 64;
    option.series = [{ type: "heatmap", data: spec.data, cursor: "pointer",
      emphasis: { itemStyle: { borderColor: "#1f2328", borderWidth: 1 } } }];
    return option;
  }

  const BUILDERS = { bar, pie, pareto, heatmap };

  // How tall a chart is: its data-height, or enough rows for a horizontal chart's labels.
  function height(el, spec, narrow) {
    if (el.dataset.height) return Number(el.dataset.height) + (narrow && spec.kind === "pie" ? 40 : 0);
    if (spec.kind === "heatmap") return Math.max(260, spec.y.length * 22 + 150);
    if (spec.kind === "bar" && spec.horizontal) {
      return Math.max(200, spec.categories.length * (narrow ? 24 : 26) + 60
        + (spec.series.length > 1 ? 30 : 0));
    }
    return narrow ? 280 : 340;
  }

  function linkOf(spec, params) {
    if (spec.kind === "heatmap") {
      const [x, y] = params.data;
      return join(join(spec.base, spec.yParams[y]), spec.xParams[x]);
    }
    const link = spec.links && spec.links[params.dataIndex];
    if (!link) return null;
    return join(link, spec.seriesParams ? spec.seriesParams[params.seriesIndex] : "");
  }

  function mount(el, spec, font) {
    const narrowOf = () => el.clientWidth < NARROW;
    let narrow = narrowOf();
    if (spec.kind === "heatmap") el.style.minWidth = `${Math.max(320, spec.x.length * 20 + 140)}px`;
    el.style.height = `${height(el, spec, narrow)}px`;
    // The printable report: SVG prints sharp at any scale, and without animation a chart is
    // complete whenever the print dialog opens.
    const report = document.body.classList.contains("report");
    const chart = window.echarts.init(el, null, { renderer: report ? "svg" : "canvas" });
    const option = BUILDERS[spec.kind](spec, narrow, font);
    if (report) option.animation = false;
    chart.setOption(option);
    chart.on("click", (params) => {
      const link = linkOf(spec, params);
      if (link) window.location.assign(link);
    });
    const resize = () => {
      const now = narrowOf();
      if (now !== narrow) {
        narrow = now;
        el.style.height = `${height(el, spec, narrow)}px`;
        chart.setOption(BUILDERS[spec.kind](spec, narrow, font), true);
      }
      chart.resize();
    };
    if ("ResizeObserver" in window) new ResizeObserver(resize).observe(el);
    else window.addEventListener("resize", resize);
  }

  function charts() {
    const source = document.getElementById("analysis-charts");
    if (!source || !window.echarts) return;
    const specs = JSON.parse(source.textContent);
    const font = getComputedStyle(document.body).fontFamily;
    document.querySelectorAll("[data-chart]").forEach((el) => {
      const spec = specs[el.dataset.chart];
      if (!spec || !BUILDERS[spec.kind]) return;
      const empty = spec.kind === "heatmap" ? !spec.data.length : !(spec.categories || []).length;
      if (empty) {
        el.classList.add("chart-empty");
        return;
      }
      mount(el, spec, font);
    });
  }

  // ---- sortable tables -------------------------------------------------------------------

  const cellKey = (cell) => {
    if (!cell) return "";
    if (cell.dataset.value !== undefined) return cell.dataset.value;
    return cell.textContent.trim();
  };
  const asNumber = (text) => {
    const cleaned = String(text).replace(/[¥,%\s]|h$|pt$/g, "").replace("−", "-").replace("±", "");
    return cleaned === "" || cleaned === "—" || cleaned === "–" ? NaN : Number(cleaned);
  };

  function sortBy(table, th, index) {
    const tbody = table.tBodies[0];
    const rows = Array.from(tbody.rows);
    if (rows.some((row) => row.cells.length <= index)) return;
    const keys = rows.map((row) => cellKey(row.cells[index]));
    const numeric = keys.every((k) => k === "" || k === "—" || !Number.isNaN(asNumber(k)));
    const current = th.getAttribute("aria-sort");
    const descending = current ? current === "ascending" : numeric;
    const collator = new Intl.Collator(lang, { numeric: true });
    const order = rows.map((row, i) => ({ row, key: keys[i] }));
    order.sort((a, b) => {
      const result = numeric
        ? (asNumber(a.key) || 0) - (asNumber(b.key) || 0)
        : collator.compare(a.key, b.key);
      return descending ? -result : result;
    });
    table.querySelectorAll("th[aria-sort]").forEach((other) => other.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    order.forEach(({ row }) => tbody.appendChild(row));
  }

  function sortable() {
    document.querySelectorAll("table.sortable").forEach((table) => {
      const head = table.tHead && table.tHead.rows[0];
      if (!head || !table.tBodies[0]) return;
      Array.from(head.cells).forEach((th, index) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "th-sort";
        while (th.firstChild) button.appendChild(th.firstChild);
        th.appendChild(button);
        button.addEventListener("click", () => sortBy(table, th, index));
      });
    });
  }

  function start() {
    charts();
    sortable();
    document.querySelectorAll("[data-print]").forEach((button) => {
      button.addEventListener("click", () => window.print());
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
