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
//
// Every virtual patient is simulated in every arm (a paired, digital-twin design): patient i has
// the same sampled parameters in each arm, so differences between arms are per patient.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gutskin/diagnostics.hpp"
#include "gutskin/model.hpp"
#include "gutskin/scenario.hpp"
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
  SourceLoc where;
};

/// Reads and checks a trial file (units converted, times in days). Throws InputError with every
/// problem found.
Trial load_trial(const std::filesystem::path& path);

/// Checks the trial against its model: arms' inputs, phenotype, parameters named in spreads,
/// correlations (a valid correlation matrix) and endpoints' observables. Throws InputError.
void check_trial(const Trial& trial, const Model& model);

/// Processes working on one trial together: MPI when the program was started by mpirun (the
/// environment says so), otherwise one process and no MPI at all. One per program run: MPI is
/// initialised by the first and finalised when it is destroyed.
class ProcessGroup {
 public:
  ProcessGroup();
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool uses_mpi() const { return mpi_; }
  void barrier() const;
  /// Sum of `value` over all processes (every process gets it).
  long long sum(long long value) const;

 private:
  int rank_ = 0, size_ = 1;
  bool mpi_ = false;
};

/// What the progress callback sees.
struct TrialProgress {
  long long done = 0;        // patients finished by this process (all arms), this run included
  long long total = 0;       // patients this process has to do
  long long done_this_run = 0;
  long long failed = 0;      // patient-arm simulations that failed
  double elapsed_seconds = 0.0;
};

/// The progress callback's answer: go on, or stop cleanly (what is done is kept; --resume).
enum class TrialCallbackResult { proceed, stop };

struct TrialOptions {
  std::filesystem::path out_dir;   // required: patients.csv, summary.json, report.html, work/
  int threads = 0;                 // 0 = all cores
  std::optional<long> patients;    // overrides the file's population.patients
  std::optional<std::uint64_t> seed;
  bool resume = false;             // continue the run in out_dir (same trial, N, seed, processes)
  double rtol = 1e-6, atol = 1e-9;
  long max_steps = 500000;         // per patient and arm
  const ProcessGroup* group = nullptr;  // null: this process alone
  /// Called from the writing thread about every `progress_interval`; may return stop.
  std::function<TrialCallbackResult(const TrialProgress&)> progress;
  double progress_interval = 0.5;  // seconds
  /// Set from a signal handler to stop cleanly (checked as often as `progress`, and inside runs).
  const std::atomic<bool>* stop_flag = nullptr;

  /// Throws InputError naming the field, its value and the rule it broke.
  void validate() const;
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
  std::filesystem::path patients_csv, summary_json, report_html;  // written by rank 0

  std::string brief() const;        // one line
  std::string full_report() const;  // several lines: counts, rates, files
};

/// Runs the trial: every patient in every arm, spread over threads (and MPI processes), results
/// streamed to out_dir. Same trial, N and seed give byte-identical patients.csv whatever the
/// thread count, process count or resumptions. Failing patients are recorded, not thrown.
/// Throws InputError for a bad trial or options (including a --resume that does not match).
TrialSummary run_trial(const Trial& trial, const TrialOptions& options);

}  // namespace gutskin
