// report.html: one self-contained page drawn from summary.json — tables of every endpoint, box
// plots of continuous endpoints per arm, quantile bands of key trajectories and a forest plot of
// the effects. Plain inline SVG: it opens offline, in any browser, with nothing to load.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "trial/finalize.hpp"

using json = nlohmann::ordered_json;

namespace gutskin::detail {

namespace {

const char* const kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
const char* colour(std::size_t i) { return kColours[i % 6]; }

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string fmt_num(const json& v, int digits = 4) {
  if (!v.is_number()) return "–";
  return fmt::format("{:.{}g}", v.get<double>(), digits);
}
std::string fmt_ci(const json& v) {
  if (!v.is_array() || v.size() != 2 || !v[0].is_number()) return "–";
  return "[" + fmt_num(v[0]) + ", " + fmt_num(v[1]) + "]";
}
std::string pct(const json& v) {
  if (!v.is_number()) return "–";
  return fmt::format("{:.1f}%", 100 * v.get<double>());
}

/// Linear map from [a, b] to [x0, x1].
struct Scale {
  double a, b, x0, x1;
  double operator()(double v) const { return b == a ? (x0 + x1) / 2 : x0 + (v - a) / (b - a) * (x1 - x0); }
};

/// Round axis limits and ticks.
std::vector<double> ticks(double lo, double hi, int target = 5) {
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> t;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    t.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
  return t;
}

std::string box_plot(const json& endpoint) {
  const auto& arms = endpoint["arms"];
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& a : arms)
    for (const char* k : {"p05", "p95", "mean"})
      if (a[k].is_number()) lo = std::min(lo, a[k].get<double>()), hi = std::max(hi, a[k].get<double>());
  if (!std::isfinite(lo)) return "";
  if (hi == lo) hi = lo + 1, lo -= 1;
  const double pad = (hi - lo) * 0.05;
  const int row = 34, left = 140, width = 640, height = static_cast<int>(arms.size()) * row + 40;
  Scale x{lo - pad, hi + pad, static_cast<double>(left), static_cast<double>(width - 20)};
  std::string s = fmt::format("<svg width=\"{}\" height=\"{}\" class=\"plot\">", width, height);
  for (double t : ticks(lo - pad, hi + pad)) {
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"10\" y2=\"{1}\" class=\"grid\"/>", x(t), height - 25);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"tick\">{:g}</text>", x(t), height - 10, t);
  }
  for (std::size_t i = 0; i < arms.size(); ++i) {
    const auto& a = arms[i];
    const double y = 20 + i * row + row / 2.0;
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"label\">{}</text>", left - 8, y + 4, esc(a["arm"]));
    if (!a["median"].is_number()) continue;
    const char* c = colour(i);
    s += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\"/>",
                     x(a["p05"]), x(a["p95"]), y, y, c);
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"16\" fill=\"{}\" fill-opacity=\"0.3\" stroke=\"{}\"/>",
                     x(a["q25"]), y - 8, std::max(1.0, x(a["q75"]) - x(a["q25"])), c, c);
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" stroke-width=\"2\"/>",
                     x(a["median"]), y - 8, y + 8, c);
    s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#000\"><title>mean {}</title></circle>",
                     x(a["mean"]), y, fmt_num(a["mean"]));
  }
  return s + "</svg><p class=\"note\">Box: quartiles; line: median; whiskers: 5th–95th percentile; dot: mean.</p>";
}

std::string band_plot(const json& times, const json& obs) {
  const int width = 720, height = 300, left = 60, bottom = 40;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& a : obs["arms"])
    for (const char* k : {"p05", "p95"})
      for (const auto& v : a[k])
        if (v.is_number()) lo = std::min(lo, v.get<double>()), hi = std::max(hi, v.get<double>());
  if (!std::isfinite(lo) || times.empty()) return "";
  if (hi == lo) hi = lo + 1;
  const double t_end = times.back().get<double>();
  Scale x{0, t_end, static_cast<double>(left), static_cast<double>(width - 20)};
  Scale y{lo, hi + (hi - lo) * 0.05, static_cast<double>(height - bottom), 15};
  std::string s = fmt::format("<svg width=\"{}\" height=\"{}\" class=\"plot\">", width, height);
  for (double t : ticks(y.a, y.b)) {
    s += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" class=\"grid\"/>", left, width - 20, y(t));
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"label\">{:g}</text>", left - 6, y(t) + 4, t);
  }
  for (double t : ticks(0, t_end)) {
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"15\" y2=\"{1}\" class=\"grid\"/>", x(t), height - bottom);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"tick\">{:g}</text>", x(t), height - bottom + 16, t);
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\" class=\"tick\">days from baseline</text>", (left + width) / 2, height - 4);
  std::size_t i = 0;
  for (const auto& a : obs["arms"]) {
    const char* c = colour(i++);
    auto path = [&](const char* upper, const char* lower) {
      std::string p;
      for (std::size_t k = 0; k < times.size(); ++k)
        if (a[upper][k].is_number())
          p += fmt::format("{}{:.1f},{:.1f} ", p.empty() ? "M" : "L", x(times[k]), y(a[upper][k]));
      if (!lower) return p;
      for (std::size_t k = times.size(); k-- > 0;)
        if (a[lower][k].is_number()) p += fmt::format("L{:.1f},{:.1f} ", x(times[k]), y(a[lower][k]));
      return p + "Z";
    };
    s += fmt::format("<path d=\"{}\" fill=\"{}\" fill-opacity=\"0.12\" stroke=\"none\"/>", path("p95", "p05"), c);
    s += fmt::format("<path d=\"{}\" fill=\"{}\" fill-opacity=\"0.25\" stroke=\"none\"/>", path("q75", "q25"), c);
    s += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>", path("median", nullptr), c);
    s += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"{}\" class=\"legend\">{}</text>", left + 10, 30 + 16 * (i - 1), c, esc(a["arm"]));
  }
  return s + "</svg>";
}

/// One forest row per comparison: risk ratios on a log scale, or mean differences on a scale of
/// their own, with the line of no effect.
std::string forest_plot(const json& endpoints) {
  struct Row {
    std::string label, effect;
    double est, lo, hi;
    bool ratio;
  };
  std::vector<Row> rows;
  for (const auto& e : endpoints)
    for (const auto& c : e["comparisons"]) {
      const bool ratio = c.contains("risk_ratio");
      const char* k = ratio ? "risk_ratio" : "mean_difference";
      const std::string ci = std::string(k) + (ratio ? "_ci" : "_ci");
      if (!c[k].is_number() || !c[ci].is_array() || !c[ci][0].is_number()) continue;
      rows.push_back({e["name"].get<std::string>() + ": " + c["arm"].get<std::string>() + " vs " +
                          c["vs"].get<std::string>(),
                      std::string(ratio ? "RR " : "Δ mean ") + fmt_num(c[k], 3) + " " + fmt_ci(c[ci]),
                      c[k], c[ci][0], c[ci][1], ratio});
    }
  if (rows.empty()) return "<p>No comparisons (one arm, or no data).</p>";
  const int row_h = 28, left = 300, plot_w = 300, width = left + plot_w + 230;
  const int height = static_cast<int>(rows.size()) * row_h + 20;
  std::string s = fmt::format("<svg width=\"{}\" height=\"{}\" class=\"plot\">", width, height);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const double y = 15 + i * row_h + row_h / 2.0;
    double lo = r.lo, hi = r.hi, est = r.est, null = 0;
    if (r.ratio) lo = std::log(std::max(lo, 1e-9)), hi = std::log(std::max(hi, 1e-9)), est = std::log(std::max(est, 1e-9));
    const double span = std::max({std::abs(lo - null), std::abs(hi - null), 1e-12}) * 1.1;
    Scale x{null - span, null + span, static_cast<double>(left), static_cast<double>(left + plot_w)};
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"label\">{}</text>", left - 8, y + 4, esc(r.label));
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#888\" stroke-dasharray=\"3,3\"/>",
                     x(null), y - row_h / 2.0, y + row_h / 2.0);
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#000\" stroke-width=\"1.5\"/>", x(lo), x(hi), y);
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"8\" height=\"8\" fill=\"#000\"/>", x(est) - 4, y - 4);
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"value\">{}</text>", left + plot_w + 12, y + 4, esc(r.effect));
  }
  return s + "</svg><p class=\"note\">Dashed line: no effect (RR = 1 on a log scale; Δ = 0). "
             "Each row has its own scale.</p>";
}

std::string endpoint_section(const json& e) {
  std::string s = fmt::format("<h3 id=\"ep-{0}\">{0}</h3><p>{1} of <code>{2}</code>", esc(e["name"]),
                              esc(e["kind"]), esc(e["observable"]));
  if (e.contains("at_days")) s += fmt::format(" at day {:g}", e["at_days"].get<double>());
  if (e.contains("criterion")) s += " — " + esc(e["criterion"]);
  if (!e["description"].get<std::string>().empty()) s += ". " + esc(e["description"]);
  s += "</p><table><tr>";
  const bool binary = e["kind"] == "responder" || e["kind"] == "time_to_event";
  if (binary) {
    s += "<th>arm</th><th>n</th><th>events</th><th>rate</th><th>95% CI</th>";
    if (e["kind"] == "time_to_event") s += "<th>median days</th>";
    s += "</tr>";
    for (const auto& a : e["arms"]) {
      s += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>[{}, {}]</td>", esc(a["arm"]),
                       a["n"].dump(), a["events"].dump(), pct(a["rate"]), pct(a["rate_ci"][0]), pct(a["rate_ci"][1]));
      if (e["kind"] == "time_to_event")
        s += "<td>" + (a["median_days"].is_number() ? fmt_num(a["median_days"]) : std::string("not reached")) + "</td>";
      s += "</tr>";
    }
    s += "</table><table><tr><th>comparison</th><th>risk difference</th><th>risk ratio</th>"
         "<th>odds ratio</th><th>NNT</th></tr>";
    for (const auto& c : e["comparisons"])
      s += fmt::format("<tr><td>{} vs {}</td><td>{} {}</td><td>{} {}</td><td>{} {}</td><td>{} {}<br><small>{}</small></td></tr>",
                       esc(c["arm"]), esc(c["vs"]), fmt_num(c["risk_difference"], 3), fmt_ci(c["risk_difference_ci"]),
                       fmt_num(c["risk_ratio"], 3), fmt_ci(c["risk_ratio_ci"]), fmt_num(c["odds_ratio"], 3),
                       fmt_ci(c["odds_ratio_ci"]), fmt_num(c["nnt"], 3),
                       c["nnt_ci"].is_null() ? std::string("(CI includes no effect)") : fmt_ci(c["nnt_ci"]),
                       esc(c["nnt_meaning"]));
    s += "</table>";
  } else {
    s += "<th>arm</th><th>n</th><th>mean</th><th>95% CI</th><th>SD</th><th>median</th><th>95% CI</th>"
         "<th>IQR</th></tr>";
    for (const auto& a : e["arms"])
      s += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} – {}</td></tr>",
                       esc(a["arm"]), a["n"].dump(), fmt_num(a["mean"]), fmt_ci(a["mean_ci"]), fmt_num(a["sd"]),
                       fmt_num(a["median"]), fmt_ci(a["median_ci"]), fmt_num(a["q25"]), fmt_num(a["q75"]));
    s += "</table><table><tr><th>comparison</th><th>pairs</th><th>mean difference (paired)</th></tr>";
    for (const auto& c : e["comparisons"])
      s += fmt::format("<tr><td>{} vs {}</td><td>{}</td><td>{} {}</td></tr>", esc(c["arm"]), esc(c["vs"]),
                       c["pairs"].dump(), fmt_num(c["mean_difference"]), fmt_ci(c["mean_difference_ci"]));
    s += "</table>" + box_plot(e);
  }
  return s;
}

}  // namespace

std::string trial_report_html(const json& s) {
  std::string h = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>)" + esc(s["trial"]) + R"( — gutskin trial</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}
.plot{display:block;margin:.5em 0}.grid{stroke:#eee}.tick{font-size:11px;text-anchor:middle;fill:#555}
.label{font-size:12px;text-anchor:end}.value{font-size:12px}.legend{font-size:12px;font-weight:bold}
.note{font-size:12px;color:#666}.warn{color:#a00}code{background:#f3f3f3;padding:0 3px}
</style></head><body>
)";
  h += fmt::format("<h1>{}</h1><p>{}</p>", esc(s["trial"]), esc(s["description"]));
  h += fmt::format("<p>Model <code>{}</code>, phenotype <code>{}</code>, {} virtual patients (seed {}), "
                   "{} days{}; {}.</p>",
                   esc(s["model"]), esc(s["phenotype"]), s["patients"].dump(), s["seed"].dump(),
                   fmt_num(s["duration_days"]),
                   s["run_in_days"].get<double>() > 0 ? fmt::format(" after a {:g}-day run-in", s["run_in_days"].get<double>()) : "",
                   esc(s["design"]));
  if (s["status"] != "completed")
    h += fmt::format("<p class=\"warn\">Run stopped: {} of {} patients done (continue with --resume).</p>",
                     s["patients_done"].dump(), s["patients"].dump());
  h += "<table><tr><th>arm</th><th>completed</th><th>failed</th><th>description</th></tr>";
  for (const auto& a : s["arms"])
    h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td style=\"text-align:left\">{}</td></tr>", esc(a["name"]),
                     a["completed"].dump(), a["failed"].dump(), esc(a["description"]));
  h += "</table>";
  if (s["failed"].get<long long>() > 0) {
    h += fmt::format("<p class=\"warn\">{} simulations failed and are left out of the statistics:</p><ul>",
                     s["failed"].dump());
    for (const auto& f : s["failure_reasons"]) h += fmt::format("<li>{} × {}</li>", f["count"].dump(), esc(f["reason"]));
    h += "</ul>";
  }
  h += fmt::format("<h2>Effects</h2><p>Against <b>{}</b>, {:g}% confidence intervals.</p>", esc(s["reference"]),
                   100 * s["confidence"].get<double>());
  h += forest_plot(s["endpoints"]);
  h += "<h2>Endpoints</h2>";
  for (const auto& e : s["endpoints"]) h += endpoint_section(e);
  if (s["bands"].contains("observables")) {
    h += "<h2>Trajectories</h2><p>Median (line), interquartile range and 5th–95th percentile (shaded) "
         "across virtual patients.</p>";
    for (const auto& o : s["bands"]["observables"]) {
      h += fmt::format("<h3>{}{}</h3>", esc(o["observable"]),
                       o["unit"].get<std::string>().empty() ? "" : " [" + esc(o["unit"]) + "]");
      h += band_plot(s["bands"]["times_days"], o);
    }
  }
  h += fmt::format("<p class=\"note\">Sampled parameters: {}. Run: {} thread(s), {} process(es), {} s.</p>",
                   s["sampled_parameters"].empty() ? std::string("none") : esc(s["sampled_parameters"].dump()),
                   s["run"]["threads"].dump(), s["run"]["processes"].dump(), fmt_num(s["run"]["wall_seconds"]));
  return h + "</body></html>\n";
}

}  // namespace gutskin::detail
