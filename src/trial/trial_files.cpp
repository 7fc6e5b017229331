// A trial result as files: patients.csv, summary.json and report.html, each written aside and
// renamed into place so a reader never sees half a file.
#include "trial/trial_files.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/json_number.hpp"
#include "core/text_files.hpp"
#include "gutskin/formats.hpp"
#include "trial/analysis.hpp"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace gutskin {

namespace detail {

namespace {

/// Rounds for JSON (10 significant digits, as in patients.csv); non-finite → null.
json num(double v) { return detail::json_number(v, 10); }
json interval(const ConfidenceInterval& i) { return json::array({num(i.lo), num(i.hi)}); }

json endpoint_json(const EndpointStatistics& e) {
  const Endpoint& ep = *e.endpoint;
  json j{{"name", ep.name}, {"kind", to_string(ep.kind)}, {"observable", ep.observable}, {"description", ep.description}};
  if (ep.kind != EndpointKind::time_to_event) j["at_days"] = ep.at;
  if (ep.kind != EndpointKind::value) j["baseline_days"] = ep.baseline;
  if (ep.kind == EndpointKind::time_to_event) j["from_days"] = ep.from;
  if (!ep.criterion.text.empty()) j["criterion"] = ep.criterion.text;
  json arms = json::array(), comparisons = json::array();
  for (const auto& a : e.arms) {
    json x{{"arm", a.arm}, {"n", a.n}};
    if (e.binary) {
      x["events"] = a.events;
      x["rate"] = num(a.rate);
      x["rate_ci"] = interval(a.rate_ci);
      if (ep.kind == EndpointKind::time_to_event) {
        x["median_days"] = num(a.median_days);
        x["mean_days_to_event"] = num(a.mean_days_to_event);
      }
    } else if (a.n == 0) {
      for (const char* k : {"mean", "sd", "mean_ci", "median", "median_ci", "p05", "q25", "q75", "p95"}) x[k] = nullptr;
    } else {
      x["mean"] = num(a.mean);
      x["sd"] = num(a.sd);
      x["mean_ci"] = interval(a.mean_ci);
      x["median"] = num(a.median);
      x["median_ci"] = interval(a.median_ci);
      x["p05"] = num(a.p05);
      x["q25"] = num(a.q25);
      x["q75"] = num(a.q75);
      x["p95"] = num(a.p95);
    }
    arms.push_back(x);
  }
  for (const auto& c : e.comparisons) {
    json x{{"arm", c.arm}, {"vs", c.vs}};
    if (e.binary) {
      const bool ok = c.estimable;
      x["risk_difference"] = ok ? num(c.risk_difference) : json(nullptr);
      x["risk_difference_ci"] = ok ? interval(c.risk_difference_ci) : json(nullptr);
      x["risk_ratio"] = ok ? num(c.risk_ratio) : json(nullptr);
      x["risk_ratio_ci"] = ok ? interval(c.risk_ratio_ci) : json(nullptr);
      x["odds_ratio"] = ok ? num(c.odds_ratio) : json(nullptr);
      x["odds_ratio_ci"] = ok ? interval(c.odds_ratio_ci) : json(nullptr);
      x["nnt"] = ok && c.nnt ? num(*c.nnt) : json(nullptr);
      x["nnt_ci"] = ok && c.nnt_ci ? interval(*c.nnt_ci) : json(nullptr);
      x["nnt_meaning"] = c.nnt_meaning;
    } else {
      x["pairs"] = c.pairs;
      x["mean_difference"] = c.pairs ? num(c.mean_difference) : json(nullptr);
      x["mean_difference_ci"] = c.pairs ? interval(c.mean_difference_ci) : json(nullptr);
    }
    comparisons.push_back(x);
  }
  j["arms"] = arms;
  j["comparisons"] = comparisons;
  return j;
}

json bands_json(const TrialStatisticsResult& s) {
  json bands;  // null when the trial has no bands
  if (s.band_times.empty() || s.bands.empty()) return bands;
  bands["times_days"] = s.band_times;
  json observables = json::array();
  for (const auto& o : s.bands) {
    json x{{"observable", o.observable}, {"unit", o.unit}};
    json arms = json::array();
    for (const auto& a : o.arms) {
      json arm{{"arm", a.arm}};
      for (const auto& [key, series] : {std::pair<const char*, const std::vector<double>*>{"p05", &a.p05},
                                        {"q25", &a.q25}, {"median", &a.median}, {"q75", &a.q75}, {"p95", &a.p95}}) {
        json values = json::array();
        for (double v : *series) values.push_back(num(v));
        arm[key] = values;
      }
      arms.push_back(arm);
    }
    x["arms"] = arms;
    observables.push_back(x);
  }
  bands["observables"] = observables;
  return bands;
}

}  // namespace

json trial_summary_json(const TrialResult& result) {
  const Trial& trial = result.trial;
  const TrialSummary& summary = result.summary;
  const TrialStatisticsResult& st = result.statistics;
  json s;
  s["trial"] = trial.name;
  s["description"] = trial.description;
  s["model"] = result.model_name;
  s["status"] = to_string(summary.status);
  s["patients"] = result.patients;
  s["patients_done"] = summary.patients_done;
  s["seed"] = result.seed;
  s["duration_days"] = trial.duration;
  s["run_in_days"] = trial.run_in;
  s["phenotype"] = trial.population.patient.phenotype;
  s["design"] = "paired: every virtual patient is simulated in every arm";
  s["sampled_parameters"] = result.sampled;
  s["reference"] = st.reference;
  s["confidence"] = st.confidence;
  json arms = json::array();
  for (const auto& a : st.arms)
    arms.push_back({{"name", a.name}, {"description", a.description}, {"completed", a.completed}, {"failed", a.failed}});
  s["arms"] = arms;
  s["simulations"] = st.simulations;
  s["failed"] = st.failed;
  json failures = json::array();
  for (const auto& [reason, count] : st.failure_reasons) failures.push_back({{"reason", reason}, {"count", count}});
  s["failure_reasons"] = failures;
  json endpoints = json::array();
  for (const auto& e : st.endpoints) endpoints.push_back(endpoint_json(e));
  s["endpoints"] = endpoints;
  s["bands"] = bands_json(st);
  s["run"] = {{"threads", summary.threads},
              {"processes", summary.processes},
              {"wall_seconds", num(summary.wall_seconds)},
              {"patients_per_second", num(summary.patients_per_second)},
              {"patient_years_per_second", num(summary.patient_years_per_second)},
              {"resumed_from", summary.resumed_from}};
  if (!summary.notes.empty()) s["run"]["notes"] = summary.notes;
  return s;
}

}  // namespace detail

fs::path trial_checkpoint_dir(const fs::path& out_dir) { return out_dir / "work"; }

void write_patients_csv(const TrialResult& result, std::ostream& out) {
  out << detail::patients_csv_header(result) << '\n';
  for (std::size_t i = 0; i < result.patient_index.size(); ++i) {
    std::string params;
    for (double v : result.sampled_values[i]) params += "," + detail::csv_number(v);
    for (std::size_t a = 0; a < result.arm_results[i].size(); ++a) {
      const PatientArmResult& r = result.arm_results[i][a];
      out << result.patient_index[i] << ',' << detail::csv_field(result.trial.arms[a].name) << ',' << r.status << params;
      for (double v : r.values) out << ',' << detail::csv_number(v);
      out << ',' << detail::csv_field(r.message) << '\n';
    }
  }
}

std::string trial_summary_to_json(const TrialResult& result) { return detail::trial_summary_json(result).dump(2) + "\n"; }

void write_trial_files(TrialResult& result, const fs::path& out_dir) {
  TrialSummary& summary = result.summary;
  summary.patients_csv = out_dir / "patients.csv";
  summary.summary_json = out_dir / "summary.json";
  summary.report_html = out_dir / "report.html";
  std::ostringstream csv;
  write_patients_csv(result, csv);
  detail::write_results(out_dir, {{"patients.csv", csv.str()},
                                  {"summary.json", trial_summary_to_json(result)},
                                  {"report.html", detail::trial_report_html(result)}});
  std::error_code ec;  // a leftover checkpoint is harmless: its removal may fail quietly
  if (summary.status == TrialStatus::completed) fs::remove_all(trial_checkpoint_dir(out_dir), ec);
}

}  // namespace gutskin
