// Draws the panels of a gutskin HTML report with uPlot. Embedded into every report at build
// time (cmake/report_assets.cmake); the data is the JSON in the script element #report-data:
//   {xs: [[x...], ...], panels: [{title, x_label, x_unit, y_unit, y_log, x_log,
//     y_categories: [name...], x_reference (number or null),
//     series: [{name, x (index into xs), y, style: line|points|step, color, dashed, width}],
//     bands: [{name, x, lower, upper, color}], windows: [{start, end, label}]}]}
// A panel with y_categories has named rows (row k at y = k, the first at the top) and no legend.
// When every chart is drawn, <html data-charts-rendered="N"> tells tests the page is ready.
(function () {
  "use strict";

  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                   "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
  // Window shades by label, the same on every panel.
  const shades = [[255, 159, 28], [52, 120, 200], [46, 160, 90], [170, 80, 200],
                  [220, 50, 80], [120, 120, 120]];
  const shadeOfLabel = new Map();

  function shade(label, alpha) {
    if (!shadeOfLabel.has(label)) shadeOfLabel.set(label, shadeOfLabel.size % shades.length);
    const [r, g, b] = shades[shadeOfLabel.get(label)];
    return `rgba(${r},${g},${b},${alpha})`;
  }

  function withAlpha(color, alpha) {
    const m = /^#([0-9a-f]{6})$/i.exec(color);
    if (!m) return color;
    const n = parseInt(m[1], 16);
    return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${alpha})`;
  }

  function fmt(v) {
    if (v == null || !Number.isFinite(v)) return "–";
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
    return String(Number(v.toPrecision(4)));
  }

  // Axis ticks: plain numbers, exponents for very large or small ones (1e10, not 10,000,000,000).
  function tick(v) {
    if (v == null) return "";
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) return Number(v.toPrecision(3)).toExponential().replace("e+", "e");
    return String(Number(v.toPrecision(6)));
  }

  function ticks(u, splits) { return splits.map(tick); }

  // Grid lines and ticks of a log axis at 1, 2 and 5 times a power of ten (not at every digit);
  // labels at powers of ten, or at 1, 2 and 5 when the axis spans less than a decade.
  function logSplitsAt(mantissas) {
    return (u, splits) => splits.map((v) => {
      if (!(v > 0)) return null;
      const m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
      return mantissas.some((k) => Math.abs(m - k) < 1e-6) ? v : null;
    });
  }
  const logSplits125 = logSplitsAt([1, 2, 5, 10]);
  function logLabels(u, splits) {
    const decades = logSplitsAt([1, 10])(u, splits);
    return decades.filter((v) => v != null).length >= 2 ? decades : logSplits125(u, splits);
  }

  // Room for the longest tick label (about 7 px a character at 12 px).
  function axisSize(u, values) {
    if (!values) return 40;
    const longest = values.reduce((m, v) => Math.max(m, String(v ?? "").length), 0);
    return Math.max(36, Math.ceil(longest * 7 + 22));
  }

  function unitLabel(label, unit) {
    if (!unit || unit === "1") return label;
    return label ? `${label} [${unit}]` : unit;
  }

  function yAxisLabel(unit) {
    if (unit === "1") return "dimensionless";
    return unit || "";
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[c]);
  }

  // Aligns series with different x onto one x (uPlot wants one), keeping real gaps as null and
  // filling points another series lacks with undefined (spanned).
  function alignedData(xs, columns) {
    const same = columns.every((c) => c.x === columns[0].x);
    if (same) return [xs[columns[0].x], ...columns.map((c) => c.y)];
    const tables = columns.map((c) => [xs[c.x], c.y]);
    const nullModes = columns.map(() => [0, 1]);
    return uPlot.join(tables, nullModes);
  }

  // Shaded intervention windows, drawn under the grid and the series.
  function windowsPlugin(windows) {
    return {
      hooks: {
        drawClear: [(u) => {
          const ctx = u.ctx;
          const {left, top, width, height} = u.bbox;
          ctx.save();
          ctx.beginPath();
          ctx.rect(left, top, width, height);
          ctx.clip();
          for (const w of windows) {
            const start = w.start;
            const end = w.end == null ? u.scales.x.max : w.end;
            const x0 = u.valToPos(start, "x", true);
            const x1 = u.valToPos(end, "x", true);
            if (end > start) {
              ctx.fillStyle = shade(w.label, 0.16);
              ctx.fillRect(x0, top, Math.max(x1 - x0, 1), height);
            } else {
              ctx.strokeStyle = shade(w.label, 0.8);
              ctx.lineWidth = 2 * devicePixelRatio;
              ctx.beginPath();
              ctx.moveTo(x0, top);
              ctx.lineTo(x0, top + height);
              ctx.stroke();
            }
          }
          ctx.restore();
        }],
      },
    };
  }

  // A dashed vertical line at x (no effect), over the grid and under the series.
  function referencePlugin(x) {
    return {
      hooks: {
        drawClear: [(u) => {
          const pos = u.valToPos(x, "x", true);
          const {top, height} = u.bbox;
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = "rgba(60,60,60,0.75)";
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(pos, top);
          ctx.lineTo(pos, top + height);
          ctx.stroke();
          ctx.restore();
        }],
      },
    };
  }

  // The x range of a panel with named rows: the data and the reference line, padded so points
  // at either end show whole (multiplicatively on a log axis).
  function paddedRange(panel) {
    return (u, min, max) => {
      if (panel.x_reference != null) {
        min = min == null ? panel.x_reference : Math.min(min, panel.x_reference);
        max = max == null ? panel.x_reference : Math.max(max, panel.x_reference);
      }
      if (min == null || max == null) return [min, max];
      if (panel.x_log) {
        // Whole decades: uPlot's log-axis splits can run away on bounds between powers of ten.
        const f = max > min ? Math.pow(max / min, 0.06) : 2;
        return [Math.pow(10, Math.floor(Math.log10(min / f))), Math.pow(10, Math.ceil(Math.log10(max * f)))];
      }
      const pad = max > min ? (max - min) * 0.06 : Math.abs(max) * 0.1 || 1;
      return [min - pad, max + pad];
    };
  }

  // A floating box near the cursor with x, every shown series' value and the active windows; on
  // a panel with named rows, the row under the cursor and its series (their names say the values).
  function tooltipPlugin(panel, colors, rowOf) {
    let tip = null;
    let over = false;
    // uPlot moves its cursor on mouseenter before this listener runs: draw again once `over` is
    // set, or a pointer that enters and stops keeps the tooltip hidden.
    return {
      hooks: {
        init: [(u) => {
          tip = document.createElement("div");
          tip.className = "tip";
          u.over.appendChild(tip);
          u.over.addEventListener("mouseenter", () => { over = true; show(u); });
          u.over.addEventListener("mouseleave", () => { over = false; tip.style.display = "none"; });
        }],
        setCursor: [(u) => show(u)],
      },
    };

    function show(u) {
      const i = u.cursor.idx;
      const rows = panel.y_categories || [];
      const row = rows.length && u.cursor.top >= 0 ? Math.round(u.posToVal(u.cursor.top, "y")) : -1;
      if (!over || (rows.length ? !(row >= 0 && row < rows.length) : i == null)) {
        tip.style.display = "none";
        return;
      }
      let html = "";
      const x = rows.length ? u.posToVal(u.cursor.left, "x") : u.data[0][i];
      if (rows.length) {
        html = `<b>${escapeHtml(rows[row])}</b>`;
        for (let s = 1; s < u.series.length; s++)
          if (u.series[s].show && rowOf[s] === row)
            html += `<br><span class="sw" style="background:${colors[s]}"></span>${escapeHtml(u.series[s].label)}`;
      } else {
        html = `<b>${escapeHtml(unitLabel(panel.x_label, ""))} ${fmt(x)} ${escapeHtml(panel.x_unit || "")}</b>`;
        for (let s = 1; s < u.series.length; s++) {
          const ser = u.series[s];
          if (!ser.show) continue;
          const v = u.data[s][i];
          if (v == null) continue;
          html += `<br><span class="sw" style="background:${colors[s]}"></span>` +
                  `${escapeHtml(ser.label)}: ${fmt(v)} ${escapeHtml(panel.y_unit === "1" ? "" : panel.y_unit)}`;
        }
      }
      for (const w of panel.windows) {
        const end = w.end == null ? Infinity : w.end;
        if (x >= w.start && (x < end || (end === w.start && Math.abs(x - end) < 1e-9)))
          html += `<br><span class="sw" style="background:${shade(w.label, 0.5)}"></span>${escapeHtml(w.label)}`;
      }
      tip.innerHTML = html;
      tip.style.display = "block";
      const left = u.cursor.left, top = u.cursor.top;
      const flip = left > u.over.clientWidth / 2;
      tip.style.left = flip ? "" : `${left + 12}px`;
      tip.style.right = flip ? `${u.over.clientWidth - left + 12}px` : "";
      tip.style.top = `${Math.max(0, top - 10)}px`;
    }
  }

  function seriesOptions(spec, color) {
    const o = {label: spec.name, stroke: color, width: spec.width || 1.75, spanGaps: false,
               value: (u, v) => fmt(v)};
    if (spec.dashed) o.dash = [6, 4];
    if (spec.style === "points") {
      o.paths = () => null;
      o.width = 1;
      o.points = {show: true, size: spec.width || 6, fill: color};
    } else {
      o.points = {show: false};
      if (spec.style === "step") o.paths = uPlot.paths.stepped({align: 1});
    }
    return o;
  }

  function makeChart(panel, index, xs, syncKey) {
    const figure = document.querySelector(`figure[data-panel="${index}"]`);
    const holder = figure.querySelector(".chart");
    const columns = [];
    const series = [{label: unitLabel(panel.x_label, panel.x_unit), value: (u, v) => fmt(v)}];
    const bands = [];
    const colors = [null];  // swatch colour of each uPlot series, for the tooltip
    const rowOf = [null];   // the named row of each uPlot series (its first y), if any
    panel.bands.forEach((b, k) => {
      const color = b.color || palette[k % palette.length];
      const edge = {label: "", stroke: withAlpha(color, 0.45), width: 1, points: {show: false},
                    value: (u, v) => fmt(v)};
      series.push({...edge, label: `${b.name} upper`});
      colors.push(withAlpha(color, 0.45));
      rowOf.push(null);
      columns.push({x: b.x, y: b.upper});
      series.push({...edge, label: `${b.name} lower`});
      colors.push(withAlpha(color, 0.45));
      rowOf.push(null);
      columns.push({x: b.x, y: b.lower});
      bands.push({series: [series.length - 2, series.length - 1], fill: withAlpha(color, 0.18)});
    });
    panel.series.forEach((s, k) => {
      const color = s.color || palette[k % palette.length];
      series.push(seriesOptions(s, color));
      colors.push(color);
      rowOf.push(s.y.length ? s.y[0] : null);
      columns.push({x: s.x, y: s.y});
    });
    const data = columns.length ? alignedData(xs, columns) : [[]];

    const categories = panel.y_categories || [];
    const named = categories.length > 0;
    const height = named ? Math.max(150, 60 + 34 * categories.length) : 230;
    const size = () => ({width: Math.max(holder.clientWidth, 240), height});
    const x = {time: false};
    if (panel.x_log) x.distr = 3;
    if (named || panel.x_reference != null) x.range = paddedRange(panel);
    const y = named ? {range: [-0.5, categories.length - 0.5], dir: -1} : panel.y_log ? {distr: 3} : {};
    const yAxis = named
      ? {label: yAxisLabel(panel.y_unit), labelSize: panel.y_unit ? 18 : 0, size: axisSize,
         splits: () => categories.map((_, k) => k), values: (u, splits) => splits.map((k) => categories[k] ?? "")}
      : {label: yAxisLabel(panel.y_unit), labelSize: 18, size: axisSize, values: ticks};
    const xAxis = {label: unitLabel(panel.x_label, panel.x_unit), labelSize: 18, size: 36, values: ticks};
    if (panel.x_log) {
      xAxis.grid = {filter: logSplits125};
      xAxis.ticks = {filter: logSplits125};
      xAxis.filter = logLabels;
    }
    const plugins = [windowsPlugin(panel.windows), tooltipPlugin(panel, colors, rowOf)];
    if (panel.x_reference != null) plugins.unshift(referencePlugin(panel.x_reference));
    if (named) holder.style.minHeight = `${height}px`;
    const opts = {
      ...size(),
      series,
      bands,
      scales: {x, y},
      axes: [xAxis, yAxis],
      cursor: named ? {drag: {x: true, y: false}, y: false}
                    : {sync: {key: syncKey, setSeries: false}, drag: {x: true, y: false}},
      legend: {show: !named, live: true},
      plugins,
    };
    const chart = new uPlot(opts, data, holder);
    // Band edges stay in the tooltip but not in the legend (the band's colour says enough).
    const rows = chart.root.querySelectorAll(".u-legend .u-series");
    for (let k = 1; k <= 2 * panel.bands.length && k < rows.length; k++) rows[k].style.display = "none";

    if (panel.windows.length) {
      const seen = new Set();
      const legend = document.createElement("p");
      legend.className = "windows";
      for (const w of panel.windows) {
        if (seen.has(w.label)) continue;
        seen.add(w.label);
        const item = document.createElement("span");
        item.innerHTML = `<span class="sw" style="background:${shade(w.label, 0.35)}"></span>` +
                         escapeHtml(w.label);
        legend.appendChild(item);
      }
      figure.appendChild(legend);
    }
    new ResizeObserver(() => {
      const s = size();
      if (s.width !== chart.width) chart.setSize(s);
    }).observe(holder);
    return chart;
  }

  function main() {
    const data = JSON.parse(document.getElementById("report-data").textContent);
    let drawn = 0;
    data.panels.forEach((panel, i) => {
      try {
        makeChart(panel, i, data.xs, `${panel.x_label}|${panel.x_unit}`);
        drawn++;
      } catch (e) {
        console.error(`panel ${i + 1} (${panel.title}): ${e && e.stack ? e.stack : e}`);
        const f = document.querySelector(`figure[data-panel="${i}"] .chart`);
        if (f) f.textContent = `This chart could not be drawn: ${e}`;
      }
    });
    document.documentElement.dataset.chartsRendered = String(drawn);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
})();
