// Steady states: the equilibria of a model's flow, their stability and their time scales.
//
//   Study s = open("antibiotic_course");
//   SteadyStateResult r = find_steady_states(s, {.all = true});
//   for (const Equilibrium& e : r.equilibria) ... e.state, e.stable, e.eigenvalues
//
// An equilibrium solves f(x; p, u) = 0 with the inputs u held constant: the model's defaults,
// `inputs` overrides, or for a scenario the values at its end (its question is where the patient
// settles once the timeline is over). Newton's method (SUNDIALS KINSOL, analytic ∂f/∂x) starts
// from the model's initial state (a scenario: the state at its end); a damped line search and
// then a simulation towards the steady state are the fallbacks. Linear conservation laws
// (wᵀf ≡ 0, e.g. a closed reaction network's totals and constant states) are found from the
// Jacobian's left null space and replace the equations they make redundant, with the totals of
// the start state. Stability comes from the eigenvalues (Eigen) of ∂f/∂x restricted to the
// conservation laws' subspace. Events are not part of the flow and are ignored; delay() is
// refused.
#pragma once

#include <complex>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gutskin/control.hpp"
#include "gutskin/ensemble.hpp"
#include "gutskin/options.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {

struct Study;

struct SteadyStateOptions {
  std::string phenotype;            // a model without a scenario: this phenotype's values
  std::vector<std::string> set;     // name=value overrides of the patient's parameters
  std::vector<std::string> inputs;  // name=value: inputs held at these values (the input's unit)
  /// Search for every equilibrium: Newton from `starts` space-filling initial states (a Sobol
  /// sequence) in a box around the first one found, some of them with states set to zero (every
  /// zero pattern when the model has at most 12 non-negative states, so the boundary equilibria
  /// of ecological models such as gLV are reached), deduplicated.
  bool all = false;
  long starts = 0;            // --all: starting states; 0 = 256 (at least 2^k with k ≤ 12 non-negative states)
  double tolerance = 1e-9;    // accepted residual: max_i |f_i| / max(|x_i|, atol), per time unit
  double max_time = 1e6;      // the simulation fallback runs at most this long (model time units)
  std::uint64_t seed = 1;     // the scrambling of the --all starts
  int threads = 0;            // --all: worker threads; 0 = all cores
  SolverOptions solver;       // for the simulation fallback and a scenario's run to its end

  /// Throws InputError naming the field, its value and the rule it broke.
  void validate() const;
};

template <>
struct OptionsOf<SteadyStateOptions> {
  static const OptionTable<SteadyStateOptions>& table() {
    static const OptionTable<SteadyStateOptions> t{
        option("phenotype", &SteadyStateOptions::phenotype, "A model without a scenario: use this phenotype's values"),
        option("all", &SteadyStateOptions::all,
               "Search for every equilibrium (multi-start Newton from space-filling initial states)"),
        option("starts", &SteadyStateOptions::starts,
               "With --all: starting states (0: 256, or 2^k for k <= 12 non-negative states)",
               Bounds{.min = 0, .max = 1e7}),
        option("tolerance", &SteadyStateOptions::tolerance,
               "Accepted residual: max |dx/dt| / max(|x|, atol), per time unit", Bounds{.min = 0, .max = 1, .min_open = true}),
        option("max_time", &SteadyStateOptions::max_time,
               "Longest simulation towards the steady state when Newton fails, in model time units",
               Bounds{.min = 0, .min_open = true}),
        option("seed", &SteadyStateOptions::seed, "Seed of the --all starting states", Bounds{.min = 0, .max = 9007199254740992.0}),
        option("threads", &SteadyStateOptions::threads, "With --all: worker threads (0: all cores)", Bounds{.min = 0, .max = 4096}),
    };
    return t;
  }
};

/// wᵀx = total for every x the flow reaches (Σ_i weights_i · x_i).
struct ConservationLaw {
  std::vector<double> weights;  // per state; the law's own state (the one it replaces) has weight 1
  int state = -1;               // the state whose equation the law replaces
  double total = 0.0;           // from the start state
  std::string text;             // "A + B + 2 C = 3"
  /// Not a law of the model but of the start: a state whose rate and row of ∂f/∂x vanish there
  /// (a memory frozen once its window has closed), held at its value.
  bool held = false;
};

struct Equilibrium {
  std::vector<double> state;                       // model order
  std::vector<std::complex<double>> eigenvalues;   // of ∂f/∂x on the laws' subspace, by real part descending
  bool stable = false;              // every eigenvalue's real part below zero
  double max_real_eigenvalue = 0.0;
  double slowest_time_constant = 0.0;  // 1/|Re λ| of the eigenvalue closest to the imaginary axis
  double residual = 0.0;            // max_i |f_i| / max(|x_i|, atol)
  std::string method;               // "newton", "damped newton" or "simulation + newton"
  long long found = 1;              // how many starts reached it (--all)
};

struct SteadyStateResult {
  std::string study;     // the scenario's or model's name
  std::string model;
  std::vector<std::string> states;
  std::string time_unit;  // of the eigenvalues (per time unit) and time constants
  double t = 0.0;         // model time the right-hand side is taken at (a scenario: its end)
  std::vector<std::pair<std::string, double>> inputs;  // held at these values
  std::vector<ConservationLaw> conservation_laws;
  std::vector<Equilibrium> equilibria;  // the one reached from the start state first (when it was)
  long long starts = 0;                 // Newton starts (1 without --all)
  long long failed_starts = 0;          // reached no equilibrium
  std::vector<std::string> failures;    // the first few reasons
  double wall_seconds = 0.0;
  std::vector<std::string> notes;       // what a reader must know (events ignored, ...)
};

/// Finds the equilibrium reached from the study's start state, or with `all` every one found.
/// Throws InputError for bad options, names or models it cannot take (delay(), a trial), with
/// the field; throws SolverError when no equilibrium is found at all, with the residual, the
/// worst state and what was tried. A stop request ends an --all search early with the
/// equilibria so far.
SteadyStateResult find_steady_states(const Study& study, const SteadyStateOptions& options = {},
                                     const RunControl& control = {});

/// DIR/steady_states.csv (id,stable,max_real_eigenvalue, then every state; one row per
/// equilibrium), DIR/eigenvalues.csv and DIR/summary.json. Throws IoError naming the file.
void write_steady_state_files(const SteadyStateResult& result, const std::filesystem::path& out_dir);

/// The JSON of summary.json.
std::string steady_state_summary_to_json(const SteadyStateResult& result);

}  // namespace gutskin
