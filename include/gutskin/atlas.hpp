// The tipping-point atlas: across a virtual population, each patient's equilibrium and how far
// it sits from a tipping point (a fold of the branch of equilibria) in chosen parameters or
// inputs — how much fibre loss, how much stress, how much lower a repair rate tips them — with
// the fraction of the population that is bistable there and which sampled parameters predict
// closeness to a tipping point.
//
//   gutskin atlas low_glycaemic_diet_acne --parameter k_repair=0.05:5 --input fibre=2:60 --patients 2000
//
// Each patient (drawn as a trial draws them: the trial's population, or a scenario's or
// phenotype's patient with the model's spreads) settles at its stable steady state with the
// model's default inputs (and `inputs` held at their values), from the model's initial state
// (Newton, else a simulation towards it: an unstable equilibrium is not where it stays); then, per
// knob, the branch of equilibria is followed from the patient's value up to the range's top and
// down to its bottom (pseudo-arclength, folds located by bisection). On the ensemble engine:
// threads, processes, failures as data, the same patients whatever the thread count.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gutskin/control.hpp"
#include "gutskin/ensemble.hpp"
#include "gutskin/options.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {

struct Study;

struct AtlasOptions {
  /// What to vary, each "name=from:to": a parameter (by id or SBML name) or an input, over a
  /// range in its unit. At least one.
  std::vector<std::string> knobs;
  std::optional<long> patients;       // default: the trial's, else 100
  std::optional<std::uint64_t> seed;  // default: the trial's, else 1
  std::string phenotype;              // a model without a scenario or trial: this phenotype's patients
  std::vector<std::string> set;       // name=value: fixed in every patient
  std::vector<std::string> inputs;    // name=value: inputs held at these values
  double branch_step = 0.05;          // longest step along a branch (scaled arclength)
  long max_points = 400;              // points per branch and direction at most
  double tolerance = 1e-9;            // Newton and the corrector (steady_state.hpp)
  double max_time = 1e6;              // the simulation fallback towards a patient's steady state
  int threads = 0;                    // worker threads per process; 0 = all cores
  SolverOptions solver;

  /// Throws InputError naming the field, its value and the rule it broke.
  void validate() const;
};

template <>
struct OptionsOf<AtlasOptions> {
  static const OptionTable<AtlasOptions>& table() {
    static const OptionTable<AtlasOptions> t{
        option("patients", &AtlasOptions::patients, "Number of virtual patients (default: the trial's, else 100)",
               Bounds{.min = 1, .max = 1e8}),
        option("seed", &AtlasOptions::seed, "Random seed (default: the trial's, else 1)",
               Bounds{.min = 0, .max = 9007199254740992.0}),
        option("phenotype", &AtlasOptions::phenotype, "A model without a scenario or trial: this phenotype's patients"),
        option("branch_step", &AtlasOptions::branch_step, "Longest step along a branch (scaled arclength)",
               Bounds{.min = 0, .max = 1, .min_open = true}),
        option("max_points", &AtlasOptions::max_points, "Most points per branch and direction", Bounds{.min = 2, .max = 1e6}),
        option("tolerance", &AtlasOptions::tolerance, "Accepted residual: max |dx/dt| / max(|x|, atol), per time unit",
               Bounds{.min = 0, .max = 1, .min_open = true}),
        option("max_time", &AtlasOptions::max_time,
               "Longest simulation towards a patient's steady state when Newton fails, in model time units",
               Bounds{.min = 0, .min_open = true}),
        option("threads", &AtlasOptions::threads, "Worker threads per process (0: all cores)", Bounds{.min = 0, .max = 4096}),
    };
    return t;
  }
};

/// One patient and one knob.
struct AtlasReading {
  double value = NAN;        // the patient's value of the knob
  double fold_below = NAN;   // the nearest fold below it within the range (NaN: none)
  double fold_above = NAN;   // and above it
  double distance = NAN;     // to the nearer of the two, in the knob's unit (NaN: no fold in range)
  /// The branch, turned back at that fold, crosses the patient's value again: other
  /// equilibria coexist with the patient's there (a hysteresis around it).
  bool bistable = false;
};

struct AtlasPatient {
  long long index = 0;
  std::string status = "ok";         // or "no stable steady state"
  std::vector<double> sampled;       // the sampled parameters' values
  std::vector<AtlasReading> readings;  // per knob
};

/// A sampled parameter's Spearman rank correlation with the distance to a fold (patients with
/// no fold in range rank as farthest): negative means a larger value brings the tipping point closer.
struct AtlasPredictor {
  std::string parameter;
  double rho = NAN;
};

struct AtlasKnobSummary {
  std::string name, label, unit;  // the model's name, as asked, its unit
  bool input = false;
  double from = 0.0, to = 0.0;
  long long patients = 0;          // with a stable steady state
  long long with_fold = 0, bistable = 0;
  double fraction_with_fold = NAN, fraction_bistable = NAN;
  /// The distance to the nearest fold among patients with one: 5%, 25%, 50%, 75%, 95%.
  double p05 = NAN, q25 = NAN, median = NAN, q75 = NAN, p95 = NAN;
  std::vector<AtlasPredictor> predictors;  // by |rho|, largest first, at most 10
};

struct AtlasResult {
  std::string study, model;
  long long patients = 0;      // N
  std::uint64_t seed = 0;
  std::vector<std::string> sampled;      // the sampled parameters' names
  std::vector<AtlasKnobSummary> knobs;
  std::vector<AtlasPatient> rows;        // in index order (every process's)
  long long failed = 0;                  // patients without a stable steady state
  std::vector<std::string> inputs;       // held inputs, as given
  bool stopped = false;
  int threads = 1, processes = 1;
  double wall_seconds = 0.0;
  std::vector<std::string> notes;
};

/// Runs the atlas on a trial, scenario or model. Throws InputError for bad options, knob names
/// or ranges (with the field and what was expected); a patient without a stable steady state is a row
/// with its reason. A stop request ends it early with the patients done.
AtlasResult run_atlas(const Study& study, const AtlasOptions& options, const RunControl& control = {},
                      const ProcessGroup& group = ProcessGroup{});

/// DIR/atlas.csv (one row per patient: patient, status, the sampled parameters, then
/// per knob value, fold_below, fold_above, distance, bistable), DIR/summary.json and
/// DIR/report.html (per knob the distribution of the distance to a fold and its predictors).
/// Throws IoError naming the file.
void write_atlas_files(const AtlasResult& result, const std::filesystem::path& out_dir);

/// The JSON of summary.json.
std::string atlas_summary_to_json(const AtlasResult& result);

}  // namespace gutskin
