// An atlas as files: atlas.csv (one row per patient), summary.json (per knob: fractions,
// distance quantiles, predictors) and report.html (per knob the distribution of the distance to
// a fold, and the predictors).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/json_number.hpp"
#include "core/text_files.hpp"
#include "gutskin/atlas.hpp"
#include "gutskin/report.hpp"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace gutskin {

namespace {

using detail::csv_field;
using detail::csv_number;

json num(double v) { return detail::json_number(v, 10); }

std::string atlas_csv(const AtlasResult& r) {
  std::ostringstream out;
  out << "patient,status";
  for (const std::string& s : r.sampled) out << ',' << csv_field(s);
  for (const AtlasKnobSummary& k : r.knobs)
    for (const char* column : {"", "_fold_below", "_fold_above", "_distance", "_bistable"})
      out << ',' << csv_field(k.label + column);
  out << '\n';
  for (const AtlasPatient& p : r.rows) {
    out << p.index << ',' << csv_field(p.status);
    for (double v : p.sampled) out << ',' << csv_number(v);
    for (const AtlasReading& x : p.readings) {
      out << ',' << csv_number(x.value) << ',' << csv_number(x.fold_below) << ',' << csv_number(x.fold_above) << ','
          << csv_number(x.distance) << ',' << (p.status == "ok" ? (x.bistable ? "true" : "false") : "");
    }
    out << '\n';
  }
  return out.str();
}

std::string fraction_text(long long part, long long whole) {
  return whole == 0 ? "n/a" : fmt::format("{} of {} ({:.1f}%)", part, whole, 100.0 * part / whole);
}

Report atlas_report(const AtlasResult& r) {
  Report report;
  report.title = fmt::format("Tipping-point atlas of '{}'", r.study);
  report.subtitle = fmt::format("{} virtual patients (seed {}), {} without a stable steady state; {:.1f} s on {} thread{}",
                                r.rows.size(), r.seed, r.failed, r.wall_seconds, r.threads, r.threads == 1 ? "" : "s");
  report.notes = r.notes;
  ReportTable overview{.title = "Tipping points per knob",
                       .header = {"knob", "range", "patients with a fold in range", "bistable", "median distance",
                                  "5–95% of distances"}};
  for (std::size_t k = 0; k < r.knobs.size(); ++k) {
    const AtlasKnobSummary& s = r.knobs[k];
    const std::string unit = s.unit.empty() || s.unit == "1" ? "" : " " + s.unit;
    overview.rows.push_back({s.label, fmt::format("{:g} to {:g}{}", s.from, s.to, unit), fraction_text(s.with_fold, s.patients),
                             fraction_text(s.bistable, s.patients),
                             std::isnan(s.median) ? "" : fmt::format("{:.4g}{}", s.median, unit),
                             std::isnan(s.p05) ? "" : fmt::format("{:.4g} to {:.4g}", s.p05, s.p95)});
    // The distances as an empirical distribution: share of patients within a distance.
    std::vector<double> d;
    for (const AtlasPatient& p : r.rows)
      if (p.status == "ok" && !std::isnan(p.readings[k].distance)) d.push_back(p.readings[k].distance);
    std::sort(d.begin(), d.end());
    if (!d.empty()) {
      ReportPanel panel;
      panel.title = fmt::format("How far each patient is from a tipping point in {}", s.label);
      panel.description = fmt::format("share of the {} patients with a stable steady state whose nearest fold in {} is within "
                                      "this distance of their own value (patients with no fold in range never count)",
                                      s.patients, s.label);
      panel.section = s.label;
      panel.x_label = "distance to the nearest fold";
      panel.x_unit = s.unit;
      panel.y_unit = "fraction of patients";
      ReportSeries cdf{.name = "within this distance", .style = ReportSeries::Style::step};
      for (std::size_t i = 0; i < d.size(); ++i) {
        cdf.x.push_back(d[i]);
        cdf.y.push_back(static_cast<double>(i + 1) / static_cast<double>(s.patients));
      }
      panel.series.push_back(std::move(cdf));
      report.panels.push_back(std::move(panel));
    }
    if (!s.predictors.empty()) {
      ReportTable t{.title = fmt::format("What predicts closeness to a tipping point in {}", s.label),
                    .section = s.label,
                    .header = {"sampled parameter", "Spearman ρ with the distance"}};
      for (const AtlasPredictor& p : s.predictors) t.rows.push_back({p.parameter, fmt::format("{:+.3f}", p.rho)});
      report.tables.push_back(std::move(t));
    }
  }
  report.tables.insert(report.tables.begin(), std::move(overview));
  return report;
}

}  // namespace

std::string atlas_summary_to_json(const AtlasResult& r) {
  json j;
  j["study"] = r.study;
  j["model"] = r.model;
  j["patients"] = r.patients;
  j["patients_done"] = r.rows.size();
  j["seed"] = r.seed;
  j["without_stable_steady_state"] = r.failed;
  j["held_inputs"] = r.inputs;
  j["sampled_parameters"] = r.sampled;
  json knobs = json::array();
  for (const AtlasKnobSummary& s : r.knobs) {
    json predictors = json::array();
    for (const AtlasPredictor& p : s.predictors) predictors.push_back({{"parameter", p.parameter}, {"rho", num(p.rho)}});
    knobs.push_back({{"name", s.name},
                     {"label", s.label},
                     {"unit", s.unit},
                     {"kind", s.input ? "input" : "parameter"},
                     {"from", num(s.from)},
                     {"to", num(s.to)},
                     {"patients", s.patients},
                     {"with_fold", s.with_fold},
                     {"bistable", s.bistable},
                     {"fraction_with_fold", num(s.fraction_with_fold)},
                     {"fraction_bistable", num(s.fraction_bistable)},
                     {"distance", {{"p05", num(s.p05)}, {"q25", num(s.q25)}, {"median", num(s.median)}, {"q75", num(s.q75)},
                                   {"p95", num(s.p95)}}},
                     {"predictors", predictors}});
  }
  j["knobs"] = knobs;
  j["stopped"] = r.stopped;
  j["notes"] = r.notes;
  j["run"] = {{"threads", r.threads}, {"processes", r.processes}, {"wall_seconds", num(r.wall_seconds)}};
  return j.dump(2) + "\n";
}

void write_atlas_files(const AtlasResult& r, const fs::path& out_dir) {
  std::ostringstream html;
  write_html_report(atlas_report(r), html);
  detail::write_results(out_dir, {{"atlas.csv", atlas_csv(r)},
                                  {"summary.json", atlas_summary_to_json(r)},
                                  {"report.html", html.str()}});
}

}  // namespace gutskin
