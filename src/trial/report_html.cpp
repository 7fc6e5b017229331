// report.html of a trial, drawn from summary.json as a generic Report (include/gutskin/report.hpp)
// and written by write_html_report: one self-contained page whose charts uPlot draws on load.
//   Effects       forest plots (mean difference, risk difference, risk ratio, odds ratio, each
//                 with its CI and the line of no effect) and the tables of every comparison
//   Endpoints     per endpoint and arm: box plots of continuous endpoints (quartiles, 5–95%,
//                 median, mean), rates with their CI for responders and events; the tables
//   Trajectories  median, 25–75% and 5–95% bands of the key observables per arm
//   Run           status, threads, processes, time, the sampled parameters
#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "gutskin/report.hpp"
#include "trial/trial_files.hpp"

using json = nlohmann::ordered_json;

namespace gutskin::detail {

namespace {

// The page's palette (src/report/report.js), so an arm has one colour on every panel.
const char* const kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
std::string colour(std::size_t i) { return kColours[i % std::size(kColours)]; }
std::string translucent(std::size_t i, double alpha) {
  const unsigned rgb = std::stoul(colour(i).substr(1), nullptr, 16);
  return fmt::format("rgba({},{},{},{})", rgb >> 16, (rgb >> 8) & 255, rgb & 255, alpha);
}

/// j[key], or null when j is not an object or has no such key (summaries of stopped runs).
const json& field(const json& j, const char* key) {
  static const json null_value;
  if (!j.is_object()) return null_value;
  const auto it = j.find(key);
  return it == j.end() ? null_value : *it;
}
std::string text(const json& j, const char* key) {
  const json& v = field(j, key);
  return v.is_string() ? v.get<std::string>() : v.is_null() ? std::string() : v.dump();
}
double value(const json& v) { return v.is_number() ? v.get<double>() : NAN; }
double value(const json& j, const char* key) { return value(field(j, key)); }
double ci_bound(const json& j, const char* key, std::size_t k) {
  const json& ci = field(j, key);
  return ci.is_array() && ci.size() == 2 ? value(ci[k]) : NAN;
}

std::string num(double v, int digits = 4) {
  return std::isfinite(v) ? fmt::format("{:.{}g}", v, digits) : std::string("–");
}
std::string ci(const json& j, const char* key, double scale = 1.0, int digits = 4) {
  const double lo = ci_bound(j, key, 0), hi = ci_bound(j, key, 1);
  if (!std::isfinite(lo) && !std::isfinite(hi)) return "–";
  return "[" + num(scale * lo, digits) + ", " + num(scale * hi, digits) + "]";
}
std::string percent(double fraction) {
  return std::isfinite(fraction) ? fmt::format("{:.1f}%", 100 * fraction) : std::string("–");
}

bool is_binary(const json& e) {
  const std::string kind = text(e, "kind");
  return kind == "responder" || kind == "time_to_event";
}

/// "change of score at day 84 — reduction ≥ 50%. <description>"
std::string endpoint_text(const json& e) {
  std::string kind = text(e, "kind");
  for (char& c : kind)
    if (c == '_') c = ' ';
  std::string t = kind + " of " + text(e, "observable");
  if (std::isfinite(value(e, "at_days"))) t += fmt::format(" at day {:g}", value(e, "at_days"));
  if (!text(e, "criterion").empty()) t += " — " + text(e, "criterion");
  if (!text(e, "description").empty()) t += ". " + text(e, "description");
  return t;
}

/// What a continuous endpoint's values are, for the x axis.
std::string endpoint_axis(const json& e) {
  const std::string kind = text(e, "kind"), obs = text(e, "observable");
  if (kind == "change") return "change in " + obs;
  if (kind == "percent_change") return "% change in " + obs;
  return obs;
}

ReportSeries segment(std::string name, double lo, double hi, double row, std::string color,
                     double width) {
  ReportSeries s;
  s.name = std::move(name);
  s.x = {lo, hi};
  s.y = {row, row};
  s.color = std::move(color);
  s.width = width;
  return s;
}

ReportSeries point(std::string name, double x, double row, std::string color, double size) {
  ReportSeries s;
  s.name = std::move(name);
  s.x = {x};
  s.y = {row};
  s.style = ReportSeries::Style::points;
  s.color = std::move(color);
  s.width = size;
  return s;
}

/// One row of a forest plot (or of a rate panel): an estimate with its CI.
struct Row {
  std::string label;
  double estimate, lo, hi;
  std::size_t arm;  // for the colour
};

/// Named rows, each a CI segment and a dot; rows that cannot be drawn (no estimate, or not
/// positive on a log axis) keep their name with "(n/a)". Empty when nothing can be drawn.
std::optional<ReportPanel> row_panel(std::string title, std::string description,
                                     std::string section, std::string x_label, std::string x_unit,
                                     const std::vector<Row>& rows, std::optional<double> reference,
                                     bool log) {
  ReportPanel p;
  p.title = std::move(title);
  p.description = std::move(description);
  p.section = std::move(section);
  p.x_label = std::move(x_label);
  p.x_unit = std::move(x_unit);
  p.x_log = log;
  p.x_reference = reference;
  auto drawable = [&](double v) { return std::isfinite(v) && (!log || v > 0); };
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const Row& r = rows[k];
    const double row = static_cast<double>(k);
    const bool has_ci = drawable(r.lo) && drawable(r.hi) && r.hi >= r.lo;
    const bool has_estimate = drawable(r.estimate);
    p.y_categories.push_back(has_estimate || has_ci ? r.label : r.label + " (n/a)");
    if (has_ci)
      p.series.push_back(segment(fmt::format("{}: CI {} to {}", r.label, num(r.lo, 3), num(r.hi, 3)),
                                 r.lo, r.hi, row, colour(r.arm), 2.5));
    if (has_estimate)
      p.series.push_back(point(fmt::format("{}: {}", r.label, num(r.estimate, 3)), r.estimate, row,
                               colour(r.arm), 9));
  }
  if (p.series.empty()) return std::nullopt;
  return p;
}

class TrialReport {
 public:
  explicit TrialReport(const json& s) : s_(s) {
    const json& arms = field(s, "arms");
    if (arms.is_array())
      for (const auto& a : arms) arm_index_.emplace(text(a, "name"), arm_index_.size());
    const double conf = value(s, "confidence");
    ci_ = fmt::format("{:g}% CI", 100 * (std::isfinite(conf) ? conf : 0.95));
    reference_ = text(s, "reference");
  }

  Report build() {
    r_.title = "Trial " + text(s_, "trial");
    r_.subtitle = text(s_, "description");
    notes();
    arm_tables();
    effects();
    endpoints();
    trajectories();
    run_table();
    return std::move(r_);
  }

 private:
  std::size_t arm(const json& j, const char* key = "arm") const {
    const auto it = arm_index_.find(text(j, key));
    return it == arm_index_.end() ? 0 : it->second;
  }
  const json& endpoint_list() const {
    static const json empty = json::array();
    const json& e = field(s_, "endpoints");
    return e.is_array() ? e : empty;
  }
  /// "score50: treated" when several arms are compared with the reference, else "score50".
  std::string row_label(const json& e, const json& c) const {
    return arm_index_.size() > 2 ? text(e, "name") + ": " + text(c, "arm") : text(e, "name");
  }

  void notes() {
    const double run_in = value(s_, "run_in_days");
    r_.notes.push_back(fmt::format(
        "Model {}, phenotype {}, {} virtual patients (seed {}), {} days{}; {}.", text(s_, "model"),
        text(s_, "phenotype").empty() ? "(model defaults)" : text(s_, "phenotype"),
        text(s_, "patients"), text(s_, "seed"), num(value(s_, "duration_days")),
        run_in > 0 ? fmt::format(" after a {:g}-day run-in", run_in) : "", text(s_, "design")));
    if (text(s_, "status") != "completed")
      r_.notes.push_back(fmt::format(
          "Run stopped: {} of {} patients done (continue with --resume). The statistics are of "
          "the patients done so far.",
          text(s_, "patients_done"), text(s_, "patients")));
    const double failed = value(s_, "failed");
    if (failed > 0)
      r_.notes.push_back(fmt::format(
          "{:g} of {} simulations failed and are left out of the statistics (table Failures).",
          failed, text(s_, "simulations")));
    r_.notes.push_back(fmt::format("Effects are against {}, with {}s.", reference_, ci_));
  }

  /// At the end: how the run went and which parameters vary between virtual patients.
  void run_table() {
    const json& run = field(s_, "run");
    const json& sampled = field(s_, "sampled_parameters");
    std::string names;
    if (sampled.is_array())
      for (const auto& n : sampled) names += (names.empty() ? "" : ", ") + n.get<std::string>();
    r_.tables.push_back(
        {.section = "Run",
         .header = {"Item", "Value"},
         .rows = {{"Status", text(s_, "status")},
                  {"Threads", text(run, "threads")},
                  {"Processes", text(run, "processes")},
                  {"Wall time", num(value(run, "wall_seconds")) + " s"},
                  {"Patients resumed from an earlier run", text(run, "resumed_from")},
                  {"Sampled parameters", names.empty() ? "none" : names}}});
  }

  void arm_tables() {
    ReportTable arms{.title = "Arms", .header = {"Arm", "Completed", "Failed", "Description"}};
    const json& list = field(s_, "arms");
    if (list.is_array())
      for (const auto& a : list)
        arms.rows.push_back({text(a, "name") + (text(a, "name") == reference_ ? " (reference)" : ""),
                             text(a, "completed"), text(a, "failed"), text(a, "description")});
    r_.tables.push_back(std::move(arms));
    const json& reasons = field(s_, "failure_reasons");
    if (value(s_, "failed") > 0 && reasons.is_array()) {
      ReportTable t{.title = fmt::format("Failures ({} simulations, left out of the statistics)",
                                         text(s_, "failed")),
                    .header = {"Count", "Reason"}};
      for (const auto& f : reasons) t.rows.push_back({text(f, "count"), text(f, "reason")});
      r_.tables.push_back(std::move(t));
    }
  }

  void effects() {
    const std::string section = "Effects";
    const std::string vs = " vs " + reference_ + ", " + ci_ + "; dashed line: no effect.";
    std::vector<Row> md, rd, rr, odds;
    ReportTable diff{.title = "Differences from " + reference_ + " (continuous endpoints, paired)",
                     .section = section,
                     .header = {"Endpoint", "Comparison", "Pairs", "Mean difference", ci_}};
    ReportTable bin{.title = "Responders and events vs " + reference_,
                    .section = section,
                    .header = {"Endpoint", "Comparison", "Risk difference", ci_, "Risk ratio", ci_,
                               "Odds ratio", ci_, "NNT", ci_, "NNT means"}};
    for (const auto& e : endpoint_list()) {
      const json& comps = field(e, "comparisons");
      if (!comps.is_array()) continue;
      for (const auto& c : comps) {
        const std::string label = row_label(e, c);
        const std::string cmp = text(c, "arm") + " vs " + text(c, "vs");
        if (is_binary(e)) {
          rd.push_back({label, 100 * value(c, "risk_difference"),
                        100 * ci_bound(c, "risk_difference_ci", 0),
                        100 * ci_bound(c, "risk_difference_ci", 1), arm(c)});
          rr.push_back({label, value(c, "risk_ratio"), ci_bound(c, "risk_ratio_ci", 0),
                        ci_bound(c, "risk_ratio_ci", 1), arm(c)});
          odds.push_back({label, value(c, "odds_ratio"), ci_bound(c, "odds_ratio_ci", 0),
                          ci_bound(c, "odds_ratio_ci", 1), arm(c)});
          const bool nnt_ci = field(c, "nnt_ci").is_array();
          bin.rows.push_back({text(e, "name"), cmp,
                              num(100 * value(c, "risk_difference"), 3) + " pp",
                              ci(c, "risk_difference_ci", 100, 3), num(value(c, "risk_ratio"), 3),
                              ci(c, "risk_ratio_ci", 1, 3), num(value(c, "odds_ratio"), 3),
                              ci(c, "odds_ratio_ci", 1, 3), num(value(c, "nnt"), 3),
                              nnt_ci ? ci(c, "nnt_ci", 1, 3) : "includes no effect",
                              text(c, "nnt_meaning")});
        } else {
          md.push_back({label, value(c, "mean_difference"), ci_bound(c, "mean_difference_ci", 0),
                        ci_bound(c, "mean_difference_ci", 1), arm(c)});
          diff.rows.push_back({text(e, "name"), cmp, text(c, "pairs"),
                               num(value(c, "mean_difference")), ci(c, "mean_difference_ci")});
        }
      }
    }
    auto add = [&](std::optional<ReportPanel> p) {
      if (p) r_.panels.push_back(std::move(*p));
    };
    if (!md.empty())
      add(row_panel("Mean difference", "Paired difference of the arm means" + vs, section,
                    "mean difference", "", md, 0.0, false));
    if (!rd.empty())
      add(row_panel("Risk difference", "Difference of responder or event rates" + vs, section,
                    "risk difference", "percentage points", rd, 0.0, false));
    if (!rr.empty())
      add(row_panel("Risk ratio", "Ratio of responder or event rates (log scale)" + vs, section,
                    "risk ratio", "", rr, 1.0, true));
    if (!odds.empty())
      add(row_panel("Odds ratio", "Ratio of the odds (log scale)" + vs, section, "odds ratio", "",
                    odds, 1.0, true));
    if (md.empty() && rd.empty())
      r_.tables.push_back({.title = "No comparisons", .section = section,
                           .header = {"Why"}, .rows = {{"one arm only, or no data"}}});
    if (!diff.rows.empty()) r_.tables.push_back(std::move(diff));
    if (!bin.rows.empty()) r_.tables.push_back(std::move(bin));
  }

  void endpoints() {
    const std::string section = "Endpoints";
    ReportTable cont{.title = "Continuous endpoints per arm",
                     .section = section,
                     .header = {"Endpoint", "Arm", "n", "Mean", ci_, "SD", "Median", ci_,
                                "Quartiles", "5–95%"}};
    ReportTable rates{.title = "Responder and event rates per arm",
                      .section = section,
                      .header = {"Endpoint", "Arm", "n", "Events", "Rate", ci_,
                                 "Median days to event", "Mean days to event"}};
    for (const auto& e : endpoint_list()) {
      const json& arms = field(e, "arms");
      if (!arms.is_array()) continue;
      const bool tte = text(e, "kind") == "time_to_event";
      if (is_binary(e)) {
        std::vector<Row> rows;
        for (const auto& a : arms) {
          rows.push_back({text(a, "arm"), 100 * value(a, "rate"), 100 * ci_bound(a, "rate_ci", 0),
                          100 * ci_bound(a, "rate_ci", 1), arm(a)});
          std::string median_days = "–", mean_days = "–";
          if (tte) {
            median_days = field(a, "median_days").is_number() ? num(value(a, "median_days"))
                                                              : std::string("not reached");
            mean_days = num(value(a, "mean_days_to_event"));
          }
          rates.rows.push_back({text(e, "name"), text(a, "arm"), text(a, "n"), text(a, "events"),
                                percent(value(a, "rate")), ci(a, "rate_ci", 100, 3) ,
                                median_days, mean_days});
        }
        auto p = row_panel(text(e, "name"), endpoint_text(e) + ". Rate with its " + ci_ + ".",
                           section, tte ? "patients with the event" : "responders", "%", rows,
                           std::nullopt, false);
        if (p) r_.panels.push_back(std::move(*p));
      } else {
        ReportPanel p;
        p.title = text(e, "name");
        p.description = endpoint_text(e) +
                        ". Box: quartiles; line: 5–95%; dot: median; black dot: mean.";
        p.section = section;
        p.x_label = endpoint_axis(e);
        p.x_unit = text(e, "kind") == "percent_change" ? "%" : "";
        for (const auto& a : arms) {
          const double row = static_cast<double>(p.y_categories.size());
          const std::string name = text(a, "arm");
          const std::size_t k = arm(a);
          p.y_categories.push_back(name + fmt::format(" (n = {})", text(a, "n")));
          const double p05 = value(a, "p05"), q25 = value(a, "q25"), med = value(a, "median"),
                       q75 = value(a, "q75"), p95 = value(a, "p95"), mean = value(a, "mean");
          if (std::isfinite(p05) && std::isfinite(p95))
            p.series.push_back(segment(fmt::format("{} 5–95%: {} to {}", name, num(p05), num(p95)),
                                       p05, p95, row, colour(k), 1.5));
          if (std::isfinite(q25) && std::isfinite(q75))
            p.series.push_back(segment(fmt::format("{} quartiles: {} to {}", name, num(q25), num(q75)),
                                       q25, q75, row, translucent(k, 0.45), 14));
          if (std::isfinite(med))
            p.series.push_back(point(fmt::format("{} median: {}", name, num(med)), med, row,
                                     colour(k), 10));
          if (std::isfinite(mean))
            p.series.push_back(point(fmt::format("{} mean: {}", name, num(mean)), mean, row,
                                     "#222222", 5));
          cont.rows.push_back({text(e, "name"), name, text(a, "n"), num(mean), ci(a, "mean_ci"),
                               num(value(a, "sd")), num(med), ci(a, "median_ci"),
                               num(q25) + " – " + num(q75), num(p05) + " – " + num(p95)});
        }
        if (!p.series.empty()) r_.panels.push_back(std::move(p));
      }
    }
    if (!cont.rows.empty()) r_.tables.push_back(std::move(cont));
    if (!rates.rows.empty()) r_.tables.push_back(std::move(rates));
  }

  void trajectories() {
    const json& bands = field(s_, "bands");
    const json& times = field(bands, "times_days");
    const json& observables = field(bands, "observables");
    if (!times.is_array() || !observables.is_array()) return;
    std::vector<double> t;
    for (const auto& v : times) t.push_back(value(v));
    auto series = [&](const json& a, const char* key) {
      std::vector<double> y;
      const json& values = field(a, key);
      for (std::size_t i = 0; i < t.size(); ++i)
        y.push_back(values.is_array() && i < values.size() ? value(values[i]) : NAN);
      return y;
    };
    for (const auto& o : observables) {
      ReportPanel p;
      p.title = text(o, "observable");
      p.description = "Median (line), 25–75% and 5–95% of the virtual patients (shaded) per arm; "
                      "days from baseline.";
      p.section = "Trajectories";
      p.y_unit = text(o, "unit");
      const json& arms = field(o, "arms");
      if (!arms.is_array()) continue;
      for (const auto& a : arms) {
        const std::size_t k = arm(a);
        const std::string name = text(a, "arm");
        p.bands.push_back({.name = name + " 5–95%", .x = t, .lower = series(a, "p05"),
                           .upper = series(a, "p95"), .color = colour(k)});
        p.bands.push_back({.name = name + " 25–75%", .x = t, .lower = series(a, "q25"),
                           .upper = series(a, "q75"), .color = colour(k)});
        ReportSeries median;
        median.name = name + " median";
        median.x = t;
        median.y = series(a, "median");
        median.color = colour(k);
        median.width = 2;
        p.series.push_back(std::move(median));
      }
      r_.panels.push_back(std::move(p));
    }
  }

  const json& s_;
  std::map<std::string, std::size_t> arm_index_;
  std::string ci_, reference_;
  Report r_;
};

}  // namespace

std::string trial_report_html(const json& summary) {
  std::ostringstream out;
  write_html_report(TrialReport(summary).build(), out);
  return out.str();
}

}  // namespace gutskin::detail
