// Sensitivity analysis: which parameters drive an answer.
//
//   local   forward sensitivities (CVODES) of observables and states to parameters over time,
//           raw (∂y/∂p) and normalised (elasticities ∂ln y/∂ln p)
//   morris  elementary effects on a level grid (Morris 1991): μ, μ* (Campolongo 2007), σ
//   sobol   first-order and total indices (Saltelli 2010 sampling on a Sobol sequence, Saltelli
//           2010 first-order and Jansen 1999 total estimators), bootstrap intervals
//
// of outputs of a model, a scenario or a trial:
//   easi            an observable (or state) at `at` (default: the end of the run)
//   easi@84         at day 84
//   max(easi), min(easi), mean(easi), auc(easi), time_above(easi, 10)   over the run
//   effect(easi_12w), effect(easi_12w, probiotic)   a trial endpoint: arm minus reference, per
//                                                   patient (paired); value(easi_12w, placebo)
// Parameters vary as `name=uniform(a,b)`, `loguniform(a,b)`, `normal(mean,sd)`,
// `lognormal(median,sd_of_log)`, or by default as the model says: its population spread
// (log-normal around the patient's value, or normal where the trial says so) within its bounds,
// else uniform between its bounds. The global methods run on the ensemble engine (threads, MPI
// processes, failures as data); a failed run drops its Sobol block or Morris trajectory.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gutskin/control.hpp"
#include "gutskin/ensemble.hpp"
#include "gutskin/errors.hpp"
#include "gutskin/options.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {

struct Study;

enum class SensitivityMethod { local, morris, sobol };
inline const EnumNames<SensitivityMethod>& sensitivity_method_names() {
  static const EnumNames<SensitivityMethod> names{
      {SensitivityMethod::local, "local"}, {SensitivityMethod::morris, "morris"}, {SensitivityMethod::sobol, "sobol"}};
  return names;
}

const char* to_string(SensitivityMethod method);  // "local", "morris", "sobol"

/// How one parameter varies in a global analysis: the quantile of a distribution, clamped into
/// the parameter's bounds.
struct Distribution {
  enum class Kind { uniform, loguniform, normal, lognormal };
  Kind kind = Kind::uniform;
  double a = 0.0, b = 1.0;  // uniform/loguniform: bounds; normal: mean, SD; lognormal: median, SD of log
  double lower = -INFINITY, upper = INFINITY;  // the parameter's bounds
  std::string text;  // "uniform(0.1, 2)", or how a default was derived

  /// Value at probability u in (0, 1).
  double quantile(double u) const;
};

/// Parses "uniform(a, b)" and the like; InputError at `where` naming what was expected.
Distribution parse_distribution(std::string_view text, const SourceLoc& where);

struct SensitivityOptions {
  SensitivityMethod method = SensitivityMethod::sobol;
  /// "name", "name=dist" or "all"; empty: every parameter with a spread or bounds (global), every
  /// free parameter (local). An entry may hold a comma-separated list (commas inside
  /// parentheses belong to the distribution).
  std::vector<std::string> parameters;
  /// See the top of this file, listed the same way; empty: every observable (trial: every effect).
  std::vector<std::string> outputs;
  std::optional<double> at;        // time of outputs named without one, in days; default: the end
  std::optional<double> duration;  // model without a scenario: run from 0 to here (days); default `at`
  long samples = 0;         // Sobol: base samples N (a power of 2), Morris: trajectories; 0 = 512 / 20
  int levels = 4;           // Morris grid levels (even)
  int bootstrap = 200;      // resamples for the confidence intervals (0: none)
  double confidence = 0.95;
  std::uint64_t seed = 1;   // Morris trajectories and bootstrap resamples
  int threads = 0;          // worker threads per process; 0 = all cores
  bool error_control = true;  // local: sensitivities in the error test (SimulateOptions)
  std::string phenotype;    // model without a scenario: this phenotype's values
  std::vector<std::string> set;  // name=value overrides of the patient
  SolverOptions solver;
  /// Morris and Sobol: where finished design points are streamed (manifest, parts per process),
  /// so a stopped or killed run can be resumed. Empty: in memory only.
  std::filesystem::path checkpoint_dir;
  bool resume = false;  // go on with the run in checkpoint_dir (same study, design and processes)

  /// Throws InputError naming the field, its value and the rule it broke.
  void validate() const;
};

template <>
struct OptionsOf<SensitivityOptions> {
  static const OptionTable<SensitivityOptions>& table() {
    static const OptionTable<SensitivityOptions> t{
        option("method", &SensitivityOptions::method, "Method: local (forward sensitivities), morris or sobol",
               sensitivity_method_names()),
        option("at", &SensitivityOptions::at,
               "Time of outputs named without one, in days (an SBML model's own unit; default: the end)",
               Bounds{.min = 0}),
        option("duration", &SensitivityOptions::duration,
               "A model without a scenario runs this long, in days (an SBML model's own unit; default: --at)",
               Bounds{.min = 0, .min_open = true}),
        option("samples", &SensitivityOptions::samples,
               "Sobol: base samples N, a power of 2 (runs N·(k+2)); Morris: trajectories (runs r·(k+1)); 0: 512 / 20",
               Bounds{.min = 0, .max = 1e8}),
        option("levels", &SensitivityOptions::levels, "Morris grid levels (even)", Bounds{.min = 2, .max = 1000}),
        option("bootstrap", &SensitivityOptions::bootstrap, "Bootstrap resamples for the intervals (0: none)",
               Bounds{.min = 0, .max = 100000}),
        option("confidence", &SensitivityOptions::confidence, "Confidence level of the intervals",
               Bounds{.min = 0, .max = 1, .min_open = true, .max_open = true}),
        option("seed", &SensitivityOptions::seed, "Seed of the Morris design and the bootstrap",
               Bounds{.min = 0, .max = 9007199254740992.0}),
        option("threads", &SensitivityOptions::threads, "Worker threads per process (0: all cores)",
               Bounds{.min = 0, .max = 4096}),
        option("error_control", &SensitivityOptions::error_control,
               "Local: the sensitivities take part in the solver's error test (false: faster, less accurate)"),
        option("phenotype", &SensitivityOptions::phenotype, "A model without a scenario: use this phenotype's values"),
        option("resume", &SensitivityOptions::resume, "Continue the unfinished run in the output folder"),
    };
    return t;
  }
};

struct SensitivityParameter {
  std::string name;
  int index = -1;            // in the model
  double value = 0.0;        // the patient's (local: where the derivative is taken)
  Distribution distribution; // global methods
};

/// One parameter's indices for one output; the other method's fields stay NaN.
struct ParameterIndices {
  double S1 = NAN, S1_low = NAN, S1_high = NAN, ST = NAN, ST_low = NAN, ST_high = NAN;  // sobol
  double mu = NAN, mu_star = NAN, mu_star_low = NAN, mu_star_high = NAN, sigma = NAN;   // morris
};

/// Indices from the first `samples` base samples (Sobol) or trajectories (Morris), for the
/// convergence plot: S1 and ST, or μ* in S1.
struct ConvergencePoint {
  long long samples = 0;
  std::vector<double> S1, ST;  // per parameter
};

struct OutputIndices {
  std::string output;
  double mean = NAN, variance = NAN;   // of the output over the design
  long long used = 0, failed = 0;      // blocks or trajectories
  std::vector<ParameterIndices> parameters;  // in SensitivityResult::parameters order
  std::vector<ConvergencePoint> convergence;
};

/// Forward sensitivities of one output over time: row-major times × parameters.
struct LocalOutput {
  std::string output;
  std::vector<double> value;       // the output at each time
  std::vector<double> raw;         // ∂y/∂p, in y's unit per p's unit
  std::vector<double> normalised;  // ∂y/∂p · p / y (NaN where y = 0)
};

struct SensitivityResult {
  SensitivityMethod method = SensitivityMethod::sobol;
  std::string study;          // the scenario's, trial's or model's name
  std::string model;
  std::vector<SensitivityParameter> parameters;
  std::vector<std::string> outputs;
  long long samples = 0;      // base samples or trajectories
  long long runs = 0;         // simulations, over all processes (resumed ones included)
  long long failed_runs = 0;
  long long resumed = 0;      // design points found done when resuming
  std::vector<std::string> failures;  // the first few failed runs' reasons
  bool stopped = false;       // a stop request ended it: indices are from what was done
  int threads = 1, processes = 1;
  double wall_seconds = 0.0;
  double seconds_per_run = 0.0;  // the same simulation without sensitivities (local only)
  std::vector<OutputIndices> indices;  // morris, sobol: per output
  std::vector<double> times;           // local: output times (days)
  std::vector<LocalOutput> local;      // local: per output
  double at = NAN;                     // the time outputs without one are read at
  std::string time_unit;               // the model's ("day" for YAML models)
  std::vector<std::string> notes;      // what a reader must know (correlations ignored, ...)
};

/// Runs the analysis on a model, scenario or trial. Throws InputError for bad options, names or
/// distributions (with the field and what was expected); failing runs are data. A stop request
/// (Ctrl-C) ends it early with `stopped` set and indices from the complete part of the design.
SensitivityResult run_sensitivity(const Study& study, const SensitivityOptions& options,
                                  const RunControl& control = {}, const ProcessGroup& group = ProcessGroup{});

/// What ranks parameter k for output o: ST (Sobol), μ* (Morris), |elasticity| at `at` (local;
/// |∂y/∂p| where y = 0 there). NaN when not estimable.
double rank_value(const SensitivityResult& result, std::size_t output, std::size_t parameter);

/// The parameters of an output, most influential first (not estimable last): what files,
/// reports and front ends list.
std::vector<std::size_t> ranked_parameters(const SensitivityResult& result, std::size_t output);

/// Where a Morris or Sobol run writing its files to DIR keeps its checkpoint (DIR/work); empty
/// for the local method, which has none.
std::filesystem::path sensitivity_checkpoint_dir(SensitivityMethod method, const std::filesystem::path& out_dir);

/// DIR/indices.csv, DIR/summary.json and DIR/report.html (ranked bar charts with intervals,
/// convergence, time-resolved local sensitivities). Throws IoError naming the file.
void write_sensitivity_files(const SensitivityResult& result, const std::filesystem::path& out_dir);

/// The JSON of summary.json.
std::string sensitivity_summary_to_json(const SensitivityResult& result);

}  // namespace gutskin
