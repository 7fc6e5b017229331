// In-silico trials: a virtual population, arms (intervention timelines), endpoints and the
// statistics a trial report shows.
//
//   trial: probiotic_eczema_prevention
//   description: Probiotic from birth to 6 months in infants at risk of eczema
//   model: gut_skin                     # built-in name, or a path relative to this file
//   duration: 1 year                    # of the trial, from baseline (day 0)
//   run_in: 90 days                     # optional: simulated before baseline (default 0)
//   background:                         # optional: timeline shared by every arm; times are
//     - {input: fibre, value: 5 g/day, from: -90 days}   # days from baseline, ≥ −run_in
//   resolution: 1 day                   # optional: output grid for time-to-event endpoints
//   population:
//     phenotype: infant_eczema_risk
//     overrides: {k_repair: 0.8}        # optional: fixed values
//     patients: 1000
//     seed: 42
//     spread: {k_repair: 0.2}           # optional: SD of log(value), replacing model/phenotype
//     spread_scale: 0.5                 # optional: multiplies every spread (default 1)
//     normal: [x0]                      # optional: these vary normally (spread = SD / value)
//     correlations:                     # optional: between the standard normals behind them
//       - {between: [k_repair, il13_gain], rho: -0.3}
//   arms:
//     - name: placebo
//       timeline: []
//     - name: probiotic
//       timeline:
//         - {input: probiotic, value: 1e10 CFU/day, from: 0 days, to: 26 weeks}
//   endpoints:
//     - {name: easi_12w, observable: easi, at: 12 weeks}                      # value
//     - {name: easi_change, observable: easi, at: 12 weeks, measure: change}  # or percent_change
//     - {name: easi75, observable: easi, at: 12 weeks, responder: {reduction: 75%}}
//     - {name: iga_success, observable: acne_iga, at: 12 weeks,
//        responder: {below: 1.5, drop: 2}}                # all conditions must hold
//     - {name: eczema_onset, observable: easi, time_to: {above: 6}}          # time to event
//   statistics: {reference: placebo, confidence: 0.95}
//   report: {trajectories: [easi, scorad], points: 53}   # optional quantile bands
//   solver: {rtol: 1e-7, max_steps: 100000}   # optional: SolverOptions (simulate.hpp) by name
//
// Every virtual patient is simulated in every arm (a paired, digital-twin design): patient i has
// the same sampled parameters in each arm, so differences between arms are per patient.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gutskin/errors.hpp"
#include "gutskin/model.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/control.hpp"
#include "gutskin/ensemble.hpp"
#include "gutskin/options.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {

struct TrialArm {
  std::string name;
  std::string description;
  std::vector<Intervention> timeline;  // days from baseline (day 0); negative: in the run-in
  SourceLoc where;
};

struct Correlation {
  std::string a, b;
  double rho = 0.0;
  SourceLoc where;
};

struct Population {
  Patient patient;                           // phenotype and fixed overrides
  long patients = 100;                       // N
  std::uint64_t seed = 1;
  std::map<std::string, double> spread;      // replaces model/phenotype spreads (SD of log)
  double spread_scale = 1.0;                 // multiplies every spread (0: all at the median)
  std::vector<std::string> normal;           // parameters varying normally (spread = CV)
  std::vector<Correlation> correlations;
  std::map<std::string, SourceLoc> spread_where;
  SourceLoc where;
};

/// A responder/event criterion: every condition given must hold.
struct Criterion {
  std::optional<double> above, below;   // value > above, value < below
  std::optional<double> reduction;      // % reduction from baseline ≥ this (EASI-75: 75)
  std::optional<double> drop;           // baseline − value ≥ this (IGA: 2 grades)
  std::optional<double> rise;           // value − baseline ≥ this
  std::string text;                     // as written, for reports ("reduction ≥ 75%")
};

enum class EndpointKind { value, change, percent_change, responder, time_to_event };
const char* to_string(EndpointKind kind);

struct Endpoint {
  std::string name;
  EndpointKind kind = EndpointKind::value;
  std::string observable;
  double at = 0.0;         // days from baseline (not used by time_to_event)
  double baseline = 0.0;   // days from baseline: the reference for change/responder criteria
  double from = 0.0;       // time_to_event: events are looked for from this time on
  Criterion criterion;     // responder, time_to_event
  std::string description;
  SourceLoc where;
};

struct TrialStatistics {
  std::string reference;   // arm the others are compared with; "" = the first arm
  double confidence = 0.95;
};

struct Trial {
  std::string name;
  std::string description;
  std::filesystem::path file;
  std::string model;                   // as written
  std::filesystem::path model_path;    // resolved
  double duration = 0.0;               // days after baseline
  double run_in = 0.0;                 // days before baseline
  double resolution = 1.0;             // days between outputs for time-to-event endpoints
  Population population;
  std::vector<Intervention> background;  // in every arm, before the arm's own entries
  std::vector<TrialArm> arms;
  std::vector<Endpoint> endpoints;
  TrialStatistics statistics;
  std::vector<std::string> band_observables;  // quantile bands in the report; default: endpoints'
  int band_points = 53;
  SolverOptions solver;  // the file's `solver:` block; TrialOptions::solver flags override it
  SourceLoc where;
};

/// Checks the trial against its model: arms' inputs, phenotype, parameters named in spreads,
/// correlations (a valid correlation matrix) and endpoints' observables. Throws InputError.
void check_trial(const Trial& trial, const Model& model);

/// How a trial runs (what it is comes from the trial file).
struct TrialOptions {
  std::optional<long> patients;       // overrides the file's population.patients
  std::optional<std::uint64_t> seed;  // overrides the file's population.seed
  int threads = 0;                    // worker threads per process; 0 = all cores
  SolverOptions solver;               // max_steps counts per patient and arm
  /// Where finished patients are streamed as they come (DIR/work: manifest, parts), so a stopped
  /// or killed run can be resumed and processes can share a run. Empty: in memory only (one
  /// process).
  std::filesystem::path checkpoint_dir;
  bool resume = false;                // continue the run in checkpoint_dir (same trial, N, seed, processes)

  /// Throws InputError naming the field, its value and the rule it broke.
  void validate() const;
};

template <>
struct OptionsOf<TrialOptions> {
  static const OptionTable<TrialOptions>& table() {
    static const OptionTable<TrialOptions> t{
        option("patients", &TrialOptions::patients, "Number of virtual patients (default: the file's)", Bounds{.min = 1, .max = 1e9}),
        option("seed", &TrialOptions::seed, "Random seed (default: the file's)", Bounds{.min = 0, .max = 9007199254740992.0}),
        option("threads", &TrialOptions::threads, "Worker threads per process (0: all cores)", Bounds{.min = 0, .max = 4096}),
        option("resume", &TrialOptions::resume, "Continue the unfinished run in the output folder"),
    };
    return t;
  }
};

enum class TrialStatus { completed, stopped };
const char* to_string(TrialStatus status);

struct TrialSummary {
  TrialStatus status = TrialStatus::completed;
  long long patients = 0;          // N
  long long patients_done = 0;     // over all processes
  long long simulations = 0;       // patient-arm runs done, this run and earlier ones
  long long failed = 0;            // of those, failed (left out of the statistics)
  long long resumed_from = 0;      // patients found done when resuming
  int threads = 1, processes = 1;
  double wall_seconds = 0.0;       // this run
  double patients_per_second = 0.0;        // this run, over all processes
  double patient_years_per_second = 0.0;   // trial years (arms × duration) per second
  std::filesystem::path patients_csv, summary_json, report_html;  // set by write_trial_files
  std::vector<std::string> notes;  // e.g. a damaged checkpoint record found when resuming

  std::string brief() const;        // one line
  std::string full_report() const;  // several lines: counts, rates, files
};

// --- typed statistics ---------------------------------------------------------------------------
// NaN stands for "not defined" (no patients, a ratio with a zero count); JSON writes it as null.

struct ConfidenceInterval {
  double lo = NAN, hi = NAN;
};

/// An endpoint in one arm. Binary endpoints (responder, time to event) fill n/events/rate;
/// continuous ones n and the distribution.
struct ArmEndpointStatistics {
  std::string arm;
  long long n = 0;
  long long events = 0;
  double rate = NAN;
  ConfidenceInterval rate_ci;
  double median_days = NAN, mean_days_to_event = NAN;  // time to event
  double mean = NAN, sd = NAN, median = NAN, p05 = NAN, q25 = NAN, q75 = NAN, p95 = NAN;
  ConfidenceInterval mean_ci, median_ci;
};

/// An arm against the reference arm.
struct EndpointComparison {
  std::string arm, vs;
  // binary; not estimable (all null) when an arm has no patient with a value
  bool estimable = true;
  double risk_difference = NAN, risk_ratio = NAN, odds_ratio = NAN;
  ConfidenceInterval risk_difference_ci, risk_ratio_ci, odds_ratio_ci;
  std::optional<double> nnt;
  std::optional<ConfidenceInterval> nnt_ci;
  std::string nnt_meaning;
  // continuous (paired: the same patients in both arms)
  long long pairs = 0;
  double mean_difference = NAN;
  ConfidenceInterval mean_difference_ci;
};

struct EndpointStatistics {
  const Endpoint* endpoint = nullptr;  // in TrialResult::trial
  bool binary = false;
  std::vector<ArmEndpointStatistics> arms;
  std::vector<EndpointComparison> comparisons;
};

/// Quantiles over patients at each band time, per observable and arm.
struct QuantileBand {
  std::string arm;
  std::vector<double> p05, q25, median, q75, p95;
};
struct ObservableBands {
  std::string observable, unit;
  std::vector<QuantileBand> arms;
};

struct ArmCounts {
  std::string name, description;
  long long completed = 0, failed = 0;
};

struct TrialStatisticsResult {
  std::string reference;  // the arm the others are compared with
  double confidence = 0.95;
  std::vector<ArmCounts> arms;
  long long simulations = 0, failed = 0;
  std::vector<std::pair<std::string, long long>> failure_reasons;  // most frequent first, ≤ 20
  std::vector<EndpointStatistics> endpoints;
  std::vector<double> band_times;  // days from baseline
  std::vector<ObservableBands> bands;
};

/// One patient in one arm: how the run ended and its endpoint values (one per column; NaN
/// where undefined or failed), rounded to the 10 significant digits patients.csv records so a
/// result is the same whether it was computed in one go or resumed from files.
struct PatientArmResult {
  std::string status = "ok";
  std::string message;
  std::vector<double> values;
};

struct TrialResult {
  Trial trial;
  std::string model_name;
  long long patients = 0;  // N
  std::uint64_t seed = 0;
  std::vector<std::string> sampled;   // names of the sampled parameters
  std::vector<std::string> columns;   // endpoint value columns (time to event: NAME_days, NAME_event)
  /// Patients done, in index order (all processes'): their sampled values and arm results.
  std::vector<long long> patient_index;
  std::vector<std::vector<double>> sampled_values;       // per patient, per sampled parameter
  std::vector<std::vector<PatientArmResult>> arm_results;  // per patient, per arm
  TrialStatisticsResult statistics;
  TrialSummary summary;
};

/// Runs the trial on a compiled model (the trial's own model, checked with check_trial): every
/// patient in every arm, on the ensemble engine. Same trial, N and seed give the same result
/// whatever the thread count, process count or resumptions; failing patients are recorded, not
/// thrown. Under a ProcessGroup of several processes a checkpoint_dir is required; every
/// process returns the whole result. Throws InputError for a bad trial or options (including a
/// resume that does not match).
TrialResult run_trial(const CompiledModel& model, const Trial& trial, const TrialOptions& options = {},
                      const RunControl& control = {}, const ProcessGroup& group = ProcessGroup{});

}  // namespace gutskin
