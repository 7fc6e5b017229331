// report.html of a trial, drawn from its TrialResult as a generic Report
// (include/gutskin/report.hpp) and written by write_html_report: one self-contained page whose
// charts uPlot draws on load. Its numbers are those summary.json records (`recorded` below).
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
#include "gutskin/trial.hpp"
#include "trial/trial_files.hpp"

namespace gutskin::detail {

namespace {

// An arm has one colour on every panel.
std::string colour(std::size_t i) { return palette_colour(i); }
std::string translucent(std::size_t i, double alpha) {
  const unsigned rgb = std::stoul(colour(i).substr(1), nullptr, 16);
  return fmt::format("rgba({},{},{},{})", rgb >> 16, (rgb >> 8) & 255, rgb & 255, alpha);
}

/// A number as summary.json records it (`num` in trial_files.cpp: 10 significant digits,
/// non-finite → null), so the report shows and embeds the values the files hold; NaN for null.
double recorded(double v) {
  return std::isfinite(v) ? std::stod(fmt::format("{:.10g}", v)) : NAN;
}
ConfidenceInterval recorded(const ConfidenceInterval& i) {
  ConfidenceInterval r;
  r.lo = recorded(i.lo);
  r.hi = recorded(i.hi);
  return r;
}

/// An arm's statistics as summary.json records them: every number rounded, and the whole
/// distribution undefined when a continuous endpoint has no patient with a value.
ArmEndpointStatistics recorded(const ArmEndpointStatistics& a, bool binary) {
  ArmEndpointStatistics r = a;
  r.rate = recorded(a.rate);
  r.rate_ci = recorded(a.rate_ci);
  r.median_days = recorded(a.median_days);
  r.mean_days_to_event = recorded(a.mean_days_to_event);
  const bool empty = !binary && a.n == 0;
  for (double ArmEndpointStatistics::*v : {&ArmEndpointStatistics::mean, &ArmEndpointStatistics::sd,
                                           &ArmEndpointStatistics::median, &ArmEndpointStatistics::p05,
                                           &ArmEndpointStatistics::q25, &ArmEndpointStatistics::q75,
                                           &ArmEndpointStatistics::p95})
    r.*v = empty ? NAN : recorded(a.*v);
  r.mean_ci = empty ? ConfidenceInterval{} : recorded(a.mean_ci);
  r.median_ci = empty ? ConfidenceInterval{} : recorded(a.median_ci);
  return r;
}

/// A comparison as summary.json records it: every number rounded; all undefined when a binary
/// comparison is not estimable or a continuous one has no pairs; no NNT interval when either
/// is missing (the table then says "includes no effect").
EndpointComparison recorded(const EndpointComparison& c, bool binary) {
  EndpointComparison r = c;
  const bool ok = binary ? c.estimable : c.pairs != 0;
  r.risk_difference = ok ? recorded(c.risk_difference) : NAN;
  r.risk_ratio = ok ? recorded(c.risk_ratio) : NAN;
  r.odds_ratio = ok ? recorded(c.odds_ratio) : NAN;
  r.mean_difference = ok ? recorded(c.mean_difference) : NAN;
  r.risk_difference_ci = ok ? recorded(c.risk_difference_ci) : ConfidenceInterval{};
  r.risk_ratio_ci = ok ? recorded(c.risk_ratio_ci) : ConfidenceInterval{};
  r.odds_ratio_ci = ok ? recorded(c.odds_ratio_ci) : ConfidenceInterval{};
  r.mean_difference_ci = ok ? recorded(c.mean_difference_ci) : ConfidenceInterval{};
  r.nnt = ok && c.nnt ? std::optional<double>(recorded(*c.nnt)) : std::nullopt;
  r.nnt_ci = ok && c.nnt_ci ? std::optional<ConfidenceInterval>(recorded(*c.nnt_ci)) : std::nullopt;
  return r;
}

std::string num(double v, int digits = 4) {
  return std::isfinite(v) ? fmt::format("{:.{}g}", v, digits) : std::string("–");
}
std::string ci(const ConfidenceInterval& i, double scale = 1.0, int digits = 4) {
  if (!std::isfinite(i.lo) && !std::isfinite(i.hi)) return "–";
  return "[" + num(scale * i.lo, digits) + ", " + num(scale * i.hi, digits) + "]";
}
std::string percent(double fraction) {
  return std::isfinite(fraction) ? fmt::format("{:.1f}%", 100 * fraction) : std::string("–");
}

/// "change of score at day 84 — reduction ≥ 50%. <description>"
std::string endpoint_text(const Endpoint& e) {
  std::string kind = to_string(e.kind);
  for (char& c : kind)
    if (c == '_') c = ' ';
  std::string t = kind + " of " + e.observable;
  if (e.kind != EndpointKind::time_to_event && std::isfinite(e.at)) t += fmt::format(" at day {:g}", e.at);
  if (!e.criterion.text.empty()) t += " — " + e.criterion.text;
  if (!e.description.empty()) t += ". " + e.description;
  return t;
}

/// What a continuous endpoint's values are, for the x axis.
std::string endpoint_axis(const Endpoint& e) {
  if (e.kind == EndpointKind::change) return "change in " + e.observable;
  if (e.kind == EndpointKind::percent_change) return "% change in " + e.observable;
  return e.observable;
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
      p.series.push_back(segment_series(fmt::format("{}: CI {} to {}", r.label, num(r.lo, 3), num(r.hi, 3)),
                                        r.lo, r.hi, row, colour(r.arm), 2.5));
    if (has_estimate)
      p.series.push_back(point_series(fmt::format("{}: {}", r.label, num(r.estimate, 3)), r.estimate, row,
                                      colour(r.arm), 9));
  }
  if (p.series.empty()) return std::nullopt;
  return p;
}

class TrialReport {
 public:
  explicit TrialReport(const TrialResult& result)
      : result_(result), st_(result.statistics), reference_(st_.reference) {
    for (const auto& a : st_.arms) arm_index_.emplace(a.name, arm_index_.size());
    ci_ = fmt::format("{:g}% CI", 100 * (std::isfinite(st_.confidence) ? st_.confidence : 0.95));
  }

  Report build() {
    r_.title = "Trial " + result_.trial.name;
    r_.subtitle = result_.trial.description;
    notes();
    arm_tables();
    effects();
    endpoints();
    trajectories();
    run_table();
    return std::move(r_);
  }

 private:
  std::size_t arm(const std::string& name) const {
    const auto it = arm_index_.find(name);
    return it == arm_index_.end() ? 0 : it->second;
  }
  /// "score50: treated" when several arms are compared with the reference, else "score50".
  std::string row_label(const Endpoint& e, const EndpointComparison& c) const {
    return arm_index_.size() > 2 ? e.name + ": " + c.arm : e.name;
  }

  void notes() {
    const Trial& trial = result_.trial;
    const TrialSummary& summary = result_.summary;
    const std::string& phenotype = trial.population.patient.phenotype;
    r_.notes.push_back(fmt::format(
        "Model {}, phenotype {}, {} virtual patients (seed {}), {} days{}; {}.", result_.model_name,
        phenotype.empty() ? "(model defaults)" : phenotype, result_.patients, result_.seed,
        num(trial.duration), trial.run_in > 0 ? fmt::format(" after a {:g}-day run-in", trial.run_in) : "",
        "paired: every virtual patient is simulated in every arm"));
    if (summary.status != TrialStatus::completed)
      r_.notes.push_back(fmt::format(
          "Run stopped: {} of {} patients done (continue with --resume). The statistics are of "
          "the patients done so far.",
          summary.patients_done, result_.patients));
    if (st_.failed > 0)
      r_.notes.push_back(fmt::format(
          "{:g} of {} simulations failed and are left out of the statistics (table Failures).",
          static_cast<double>(st_.failed), st_.simulations));
    r_.notes.push_back(fmt::format("Effects are against {}, with {}s.", reference_, ci_));
  }

  /// At the end: how the run went and which parameters vary between virtual patients.
  void run_table() {
    const TrialSummary& summary = result_.summary;
    std::string names;
    for (const auto& n : result_.sampled) names += (names.empty() ? "" : ", ") + n;
    r_.tables.push_back(
        {.section = "Run",
         .header = {"Item", "Value"},
         .rows = {{"Status", to_string(summary.status)},
                  {"Threads", fmt::format("{}", summary.threads)},
                  {"Processes", fmt::format("{}", summary.processes)},
                  {"Wall time", num(recorded(summary.wall_seconds)) + " s"},
                  {"Patients resumed from an earlier run", fmt::format("{}", summary.resumed_from)},
                  {"Sampled parameters", names.empty() ? "none" : names}}});
  }

  void arm_tables() {
    ReportTable arms{.title = "Arms", .header = {"Arm", "Completed", "Failed", "Description"}};
    for (const auto& a : st_.arms)
      arms.rows.push_back({a.name + (a.name == reference_ ? " (reference)" : ""),
                           fmt::format("{}", a.completed), fmt::format("{}", a.failed), a.description});
    r_.tables.push_back(std::move(arms));
    if (st_.failed > 0) {
      ReportTable t{.title = fmt::format("Failures ({} simulations, left out of the statistics)", st_.failed),
                    .header = {"Count", "Reason"}};
      for (const auto& [reason, count] : st_.failure_reasons) t.rows.push_back({fmt::format("{}", count), reason});
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
    for (const auto& e : st_.endpoints) {
      const Endpoint& ep = *e.endpoint;
      for (const auto& comparison : e.comparisons) {
        const EndpointComparison c = recorded(comparison, e.binary);
        const std::string label = row_label(ep, c);
        const std::string cmp = c.arm + " vs " + c.vs;
        if (e.binary) {
          rd.push_back({label, 100 * c.risk_difference, 100 * c.risk_difference_ci.lo,
                        100 * c.risk_difference_ci.hi, arm(c.arm)});
          rr.push_back({label, c.risk_ratio, c.risk_ratio_ci.lo, c.risk_ratio_ci.hi, arm(c.arm)});
          odds.push_back({label, c.odds_ratio, c.odds_ratio_ci.lo, c.odds_ratio_ci.hi, arm(c.arm)});
          bin.rows.push_back({ep.name, cmp, num(100 * c.risk_difference, 3) + " pp",
                              ci(c.risk_difference_ci, 100, 3), num(c.risk_ratio, 3),
                              ci(c.risk_ratio_ci, 1, 3), num(c.odds_ratio, 3), ci(c.odds_ratio_ci, 1, 3),
                              num(c.nnt ? *c.nnt : NAN, 3),
                              c.nnt_ci ? ci(*c.nnt_ci, 1, 3) : "includes no effect", c.nnt_meaning});
        } else {
          md.push_back({label, c.mean_difference, c.mean_difference_ci.lo, c.mean_difference_ci.hi,
                        arm(c.arm)});
          diff.rows.push_back({ep.name, cmp, fmt::format("{}", c.pairs), num(c.mean_difference),
                               ci(c.mean_difference_ci)});
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
    for (const auto& e : st_.endpoints) {
      const Endpoint& ep = *e.endpoint;
      const bool tte = ep.kind == EndpointKind::time_to_event;
      if (e.binary) {
        std::vector<Row> rows;
        for (const auto& arm_statistics : e.arms) {
          const ArmEndpointStatistics a = recorded(arm_statistics, true);
          rows.push_back({a.arm, 100 * a.rate, 100 * a.rate_ci.lo, 100 * a.rate_ci.hi, arm(a.arm)});
          std::string median_days = "–", mean_days = "–";
          if (tte) {
            median_days = std::isfinite(a.median_days) ? num(a.median_days) : std::string("not reached");
            mean_days = num(a.mean_days_to_event);
          }
          rates.rows.push_back({ep.name, a.arm, fmt::format("{}", a.n), fmt::format("{}", a.events),
                                percent(a.rate), ci(a.rate_ci, 100, 3), median_days, mean_days});
        }
        auto p = row_panel(ep.name, endpoint_text(ep) + ". Rate with its " + ci_ + ".", section,
                           tte ? "patients with the event" : "responders", "%", rows, std::nullopt,
                           false);
        if (p) r_.panels.push_back(std::move(*p));
      } else {
        ReportPanel p;
        p.title = ep.name;
        p.description = endpoint_text(ep) +
                        ". Box: quartiles; line: 5–95%; dot: median; black dot: mean.";
        p.section = section;
        p.x_label = endpoint_axis(ep);
        p.x_unit = ep.kind == EndpointKind::percent_change ? "%" : "";
        for (const auto& arm_statistics : e.arms) {
          const ArmEndpointStatistics a = recorded(arm_statistics, false);
          const double row = static_cast<double>(p.y_categories.size());
          const std::string& name = a.arm;
          const std::size_t k = arm(name);
          p.y_categories.push_back(name + fmt::format(" (n = {})", a.n));
          if (std::isfinite(a.p05) && std::isfinite(a.p95))
            p.series.push_back(segment_series(fmt::format("{} 5–95%: {} to {}", name, num(a.p05), num(a.p95)),
                                              a.p05, a.p95, row, colour(k), 1.5));
          if (std::isfinite(a.q25) && std::isfinite(a.q75))
            p.series.push_back(segment_series(fmt::format("{} quartiles: {} to {}", name, num(a.q25), num(a.q75)),
                                              a.q25, a.q75, row, translucent(k, 0.45), 14));
          if (std::isfinite(a.median))
            p.series.push_back(point_series(fmt::format("{} median: {}", name, num(a.median)), a.median, row,
                                            colour(k), 10));
          if (std::isfinite(a.mean))
            p.series.push_back(point_series(fmt::format("{} mean: {}", name, num(a.mean)), a.mean, row,
                                            "#222222", 5));
          cont.rows.push_back({ep.name, name, fmt::format("{}", a.n), num(a.mean), ci(a.mean_ci),
                               num(a.sd), num(a.median), ci(a.median_ci),
                               num(a.q25) + " – " + num(a.q75), num(a.p05) + " – " + num(a.p95)});
        }
        if (!p.series.empty()) r_.panels.push_back(std::move(p));
      }
    }
    if (!cont.rows.empty()) r_.tables.push_back(std::move(cont));
    if (!rates.rows.empty()) r_.tables.push_back(std::move(rates));
  }

  void trajectories() {
    if (st_.band_times.empty() || st_.bands.empty()) return;  // summary.json: "bands": null
    const std::vector<double>& t = st_.band_times;
    // As recorded, one value per band time (NaN past the end of a shorter series).
    auto series = [&](const std::vector<double>& values) {
      std::vector<double> y;
      for (std::size_t i = 0; i < t.size(); ++i) y.push_back(i < values.size() ? recorded(values[i]) : NAN);
      return y;
    };
    for (const auto& o : st_.bands) {
      ReportPanel p;
      p.title = o.observable;
      p.description = "Median (line), 25–75% and 5–95% of the virtual patients (shaded) per arm; "
                      "days from baseline.";
      p.section = "Trajectories";
      p.y_unit = o.unit;
      for (const auto& a : o.arms) {
        const std::size_t k = arm(a.arm);
        p.bands.push_back({.name = a.arm + " 5–95%", .x = t, .lower = series(a.p05),
                           .upper = series(a.p95), .color = colour(k)});
        p.bands.push_back({.name = a.arm + " 25–75%", .x = t, .lower = series(a.q25),
                           .upper = series(a.q75), .color = colour(k)});
        ReportSeries median;
        median.name = a.arm + " median";
        median.x = t;
        median.y = series(a.median);
        median.color = colour(k);
        median.width = 2;
        p.series.push_back(std::move(median));
      }
      r_.panels.push_back(std::move(p));
    }
  }

  const TrialResult& result_;
  const TrialStatisticsResult& st_;
  std::map<std::string, std::size_t> arm_index_;
  std::string ci_;
  const std::string& reference_;
  Report r_;
};

}  // namespace

std::string trial_report_html(const TrialResult& result) {
  std::ostringstream out;
  write_html_report(TrialReport(result).build(), out);
  return out.str();
}

}  // namespace gutskin::detail
