// A continuation result as files: branch.csv, bifurcations.csv, summary.json and report.html
// (the bifurcation diagram).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/json_number.hpp"
#include "core/text_files.hpp"
#include "gutskin/continuation.hpp"
#include "gutskin/errors.hpp"
#include "gutskin/report.hpp"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace gutskin {

namespace {

using detail::csv_field;
using detail::csv_number;

constexpr std::size_t max_panels = 24;

json num(double v) { return detail::json_number(v, 12); }

std::string branch_csv(const ContinuationResult& r) {
  std::ostringstream out;
  out << csv_field(r.parameter) << ",stable,max_real_eigenvalue";
  for (const std::string& s : r.states) out << ',' << csv_field(s);
  out << '\n';
  for (const ContinuationPoint& p : r.branch) {
    out << csv_number(p.value) << ',' << (p.stable ? "true" : "false") << ',' << csv_number(p.max_real_eigenvalue);
    for (double v : p.state) out << ',' << csv_number(v);
    out << '\n';
  }
  return out.str();
}

std::string bifurcations_csv(const ContinuationResult& r) {
  std::ostringstream out;
  out << "kind,parameter,value,second_parameter,second_value\n";
  for (const auto* list : {&r.bifurcations, &r.fold_curve})
    for (const Bifurcation& b : *list)
      out << b.kind << ',' << csv_field(r.parameter) << ',' << fmt::format("{:.12g}", b.value) << ','
          << csv_field(b.second_parameter) << ','
          << (std::isfinite(b.second_value) ? fmt::format("{:.12g}", b.second_value) : "") << '\n';
  return out.str();
}

std::string summary_json(const ContinuationResult& r) {
  json j;
  j["study"] = r.study;
  j["model"] = r.model;
  j["parameter"] = r.parameter;
  j["parameter_label"] = r.parameter_label;
  j["parameter_unit"] = r.parameter_unit;
  j["points"] = r.branch.size();
  j["end"] = r.end;
  j["wall_seconds"] = num(r.wall_seconds);
  j["notes"] = r.notes;
  json bifurcations = json::array();
  for (const Bifurcation& b : r.bifurcations) {
    json state = json::object();
    for (std::size_t i = 0; i < b.state.size(); ++i) state[r.states[i]] = num(b.state[i]);
    bifurcations.push_back({{"kind", b.kind}, {"value", num(b.value)}, {"frequency", num(b.frequency)}, {"state", state}});
  }
  j["bifurcations"] = bifurcations;
  json curve = json::array();
  for (const Bifurcation& b : r.fold_curve)
    curve.push_back({{"kind", b.kind}, {"value", num(b.value)}, {"second_value", num(b.second_value)}, {"curve", b.curve}});
  if (!r.fold_curve.empty()) j["second_parameter"] = r.fold_curve[0].second_parameter;
  j["fold_curve"] = curve;
  return j.dump(2) + "\n";
}

/// The values of one quantity along the branch: one series per stretch that is monotonic in the
/// parameter and of one stability (charts take series over increasing x, and a branch turns
/// back at each fold), stable solid, unstable dashed; neighbouring stretches share their end.
void add_branch(ReportPanel& panel, const ContinuationResult& r, bool observable, std::size_t column) {
  auto y_of = [&](const ContinuationPoint& p) { return observable ? p.observables[column] : p.state[column]; };
  std::size_t begin = 0;
  while (begin + 1 < r.branch.size()) {
    const bool stable = r.branch[begin].stable;
    const bool rising = r.branch[begin + 1].value >= r.branch[begin].value;
    std::size_t end = begin + 1;
    while (end + 1 < r.branch.size() && r.branch[end].stable == stable &&
           (r.branch[end + 1].value >= r.branch[end].value) == rising)
      ++end;
    ReportSeries s{.name = stable ? "stable" : "unstable", .color = palette_colour(0)};
    s.dashed = !stable;
    for (std::size_t k = begin; k <= end; ++k) s.x.push_back(r.branch[k].value), s.y.push_back(y_of(r.branch[k]));
    if (!rising) std::reverse(s.x.begin(), s.x.end()), std::reverse(s.y.begin(), s.y.end());
    panel.series.push_back(std::move(s));
    begin = end;
  }
  for (const char* kind : {"fold", "hopf"}) {
    ReportSeries marks{.name = kind, .style = ReportSeries::Style::points, .color = palette_colour(kind[0] == 'f' ? 3 : 1)};
    for (const Bifurcation& b : r.bifurcations) {
      if (b.kind != kind) continue;
      marks.x.push_back(b.value);
      marks.y.push_back(observable ? b.observables[column] : b.state[column]);
    }
    std::vector<std::pair<double, double>> xy;  // over increasing x, as charts take them
    for (std::size_t k = 0; k < marks.x.size(); ++k) xy.emplace_back(marks.x[k], marks.y[k]);
    std::sort(xy.begin(), xy.end());
    for (std::size_t k = 0; k < xy.size(); ++k) marks.x[k] = xy[k].first, marks.y[k] = xy[k].second;
    if (!marks.x.empty()) panel.series.push_back(std::move(marks));
  }
}

/// The fold curve in the plane of the two parameters (second across, first up): the edge of the
/// bistable region, one series per curve and stretch monotonic in the second, cusps marked.
ReportPanel fold_curve_panel(const ContinuationResult& r) {
  ReportPanel panel;
  panel.title = fmt::format("Folds in {} and {}", r.second_label, r.parameter_label);
  panel.description = "Between the fold lines the model has two stable states (bistable); they meet at a cusp.";
  panel.section = "Two parameters";
  panel.x_label = r.second_label;
  panel.x_unit = r.second_unit;
  panel.y_unit = r.parameter_unit;
  std::vector<const Bifurcation*> folds;
  for (const Bifurcation& b : r.fold_curve)
    if (b.kind == "fold") folds.push_back(&b);
  std::size_t begin = 0;
  while (begin + 1 < folds.size()) {
    if (folds[begin + 1]->curve != folds[begin]->curve) {  // the next curve starts
      ++begin;
      continue;
    }
    const bool rising = folds[begin + 1]->second_value >= folds[begin]->second_value;
    std::size_t end = begin + 1;
    while (end + 1 < folds.size() && folds[end + 1]->curve == folds[begin]->curve &&
           (folds[end + 1]->second_value >= folds[end]->second_value) == rising)
      ++end;
    ReportSeries s{.name = "fold", .color = palette_colour(0)};
    for (std::size_t k = begin; k <= end; ++k) s.x.push_back(folds[k]->second_value), s.y.push_back(folds[k]->value);
    if (!rising) std::reverse(s.x.begin(), s.x.end()), std::reverse(s.y.begin(), s.y.end());
    panel.series.push_back(std::move(s));
    begin = end;
  }
  ReportSeries cusps{.name = "cusp", .style = ReportSeries::Style::points, .color = palette_colour(3)};
  for (const Bifurcation& b : r.fold_curve)
    if (b.kind == "cusp") cusps.x.push_back(b.second_value), cusps.y.push_back(b.value);
  if (!cusps.x.empty()) panel.series.push_back(std::move(cusps));
  return panel;
}

Report continuation_report(const ContinuationResult& r) {
  Report report;
  report.title = fmt::format("Bifurcation diagram of '{}' in {}", r.study, r.parameter_label);
  report.subtitle = fmt::format("{} points; {}", r.branch.size(), r.end);
  for (const Bifurcation& b : r.bifurcations)
    report.notes.push_back(fmt::format("{} at {} = {:.10g}{}", b.kind, r.parameter_label, b.value,
                                       std::isfinite(b.frequency) ? fmt::format(" (frequency {:.4g} rad per {})", b.frequency,
                                                                                r.time_unit.empty() ? "time unit" : r.time_unit)
                                                                  : ""));
  report.notes.insert(report.notes.end(), r.notes.begin(), r.notes.end());
  const bool observables = !r.observables.empty();
  const auto& names = observables ? r.observables : r.states;
  for (std::size_t c = 0; c < std::min(names.size(), max_panels); ++c) {
    ReportPanel panel;
    panel.title = names[c];
    panel.section = observables ? "Observables" : "States";
    panel.x_label = r.parameter_label;
    panel.x_unit = r.parameter_unit;
    add_branch(panel, r, observables, c);
    report.panels.push_back(std::move(panel));
  }
  if (names.size() > max_panels)
    report.notes.push_back(fmt::format("the first {} of {} {} are drawn; branch.csv has every state", max_panels,
                                       names.size(), observables ? "observables" : "states"));
  if (!r.fold_curve.empty()) report.panels.push_back(fold_curve_panel(r));
  ReportTable table{.title = "Bifurcations", .header = {"kind", r.parameter_label, "frequency"}};
  for (const Bifurcation& b : r.bifurcations)
    table.rows.push_back({b.kind, fmt::format("{:.10g}", b.value), std::isfinite(b.frequency) ? fmt::format("{:.4g}", b.frequency) : ""});
  for (const Bifurcation& b : r.fold_curve)
    if (b.kind == "cusp")
      table.rows.push_back({fmt::format("cusp at {} = {:.10g}", r.second_label, b.second_value), fmt::format("{:.10g}", b.value), ""});
  report.tables.push_back(std::move(table));
  return report;
}

}  // namespace

void write_continuation_files(const ContinuationResult& r, const fs::path& out_dir) {
  std::ostringstream html;
  write_html_report(continuation_report(r), html);
  detail::write_results(out_dir, {{"branch.csv", branch_csv(r)},
                                  {"bifurcations.csv", bifurcations_csv(r)},
                                  {"summary.json", summary_json(r)},
                                  {"report.html", html.str()}});
}

}  // namespace gutskin
