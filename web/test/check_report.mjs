// Opens a gutskin HTML report in Debian's headless Chromium (never a downloaded browser) and
// checks it as a reader would see it:
//   - no console errors, no uncaught page errors, no network requests (the file is self-contained);
//   - every panel has a canvas with drawn pixels, and coloured ones (the series, not just axes);
//   - hovering a chart shows the tooltip.
// Saves a full-page screenshot to SCREENSHOT and the hovered first panel to SCREENSHOT-hover.png.
// Prints a JSON summary; exit code 0 when all is well, 1 with the problems listed otherwise.
//
// Usage: node web/test/check_report.mjs REPORT.html SCREENSHOT.png
// Environment: GUTSKIN_CHROMIUM overrides /usr/bin/chromium.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [report, screenshot] = process.argv.slice(2);
if (!report || !screenshot) {
  console.error("usage: node check_report.mjs REPORT.html SCREENSHOT.png");
  process.exit(2);
}
if (!fs.existsSync(report)) {
  console.error(`check_report: no such file: ${report}`);
  process.exit(2);
}

const executablePath = process.env.GUTSKIN_CHROMIUM || "/usr/bin/chromium";
// The flags that work on a closed network; Playwright adds --headless and a fresh, empty
// --user-data-dir of its own for every launch.
const args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const problems = [];
const warnings = [];
const browser = await chromium.launch({ executablePath, headless: true, args, timeout: 60000 });
let summary = {};
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
    else if (m.type() === "warning") warnings.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (/^(file|data|blob|about):/.test(url)) return route.continue();
    problems.push(`network request: ${url}`);
    return route.abort();
  });

  await page.goto(pathToFileURL(path.resolve(report)).href, { waitUntil: "load" });
  await page.waitForFunction(() => document.documentElement.dataset.chartsRendered !== undefined,
                             null, { timeout: 30000 });
  // Let ResizeObserver redraws settle.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

  summary = await page.evaluate(() => {
    const panels = [...document.querySelectorAll("figure.panel")].map((f) => {
      const title = f.querySelector("h3")?.textContent ?? "";
      const canvas = f.querySelector(".chart canvas");
      if (!canvas) return { title, canvas: false, inked: 0, coloured: 0 };
      const { width, height } = canvas;
      const d = canvas.getContext("2d").getImageData(0, 0, width, height).data;
      let inked = 0, coloured = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] === 0) continue;
        inked++;
        const hi = Math.max(d[i], d[i + 1], d[i + 2]), lo = Math.min(d[i], d[i + 1], d[i + 2]);
        if (d[i + 3] > 230 && hi - lo > 60) coloured++;  // an opaque, saturated series stroke
      }
      return { title, canvas: true, width, height, inked, coloured };
    });
    return {
      title: document.title,
      rendered: Number(document.documentElement.dataset.chartsRendered),
      tables: document.querySelectorAll(".table-wrap table").length,
      panels,
    };
  });

  if (summary.rendered !== summary.panels.length)
    problems.push(`${summary.rendered} of ${summary.panels.length} charts rendered`);
  for (const p of summary.panels) {
    if (!p.canvas) problems.push(`panel '${p.title}': no canvas`);
    else if (p.inked === 0) problems.push(`panel '${p.title}': blank canvas`);
    else if (p.coloured === 0) problems.push(`panel '${p.title}': no series drawn`);
  }

  await page.screenshot({ path: screenshot, fullPage: true });

  // Interactivity: the tooltip follows the mouse over the first chart.
  const first = page.locator("figure.panel").first();
  if (await first.count()) {
    const over = first.locator(".u-over");
    await over.scrollIntoViewIfNeeded();  // a chart below the fold gets no mouse events
    const box = await over.boundingBox();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    const tip = first.locator(".tip");
    await tip.waitFor({ state: "visible", timeout: 5000 }).catch(() => {});
    summary.tooltip = (await tip.isVisible()) ? await tip.innerText() : null;
    if (!summary.tooltip) problems.push("no tooltip when hovering the first chart");
    const hover = screenshot.replace(/(\.png)?$/i, "-hover.png");
    await first.screenshot({ path: hover });
  }
} catch (e) {
  problems.push(`check failed: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}

summary.warnings = warnings;
summary.problems = problems;
console.log(JSON.stringify(summary, null, 1));
process.exit(problems.length ? 1 : 0);
