// Continuation: how the equilibria of a model move as one parameter or input changes, where
// they fold back (saddle-nodes: tipping points) and where they start to oscillate (Hopf).
//
//   ContinuationResult r = continue_equilibria(open("schlogl.yaml"),
//                                              {.parameter = "k3", .from = 5, .to = 10});
//   for (const Bifurcation& b : r.bifurcations) ... b.kind ("fold", "hopf"), b.value
//
// Pseudo-arclength continuation (Keller 1977) of F(x, λ) = 0 — the steady-state system of
// steady_state.hpp, conservation laws included — from the equilibrium found at `from`: an Euler
// predictor along the tangent, a Newton corrector on the arclength plane (dense LU of the
// analytic ∂F/∂x with ∂F/∂p for a parameter, central differences for an input), steps adapted
// to the corrector's work. The branch turns at folds, so one run traces an S-shaped branch
// through both its folds. Folds are where the tangent's λ component changes sign, Hopf points
// where a complex pair of eigenvalues crosses the imaginary axis; both are refined by bisection
// along the branch until λ is known to 1e-10 relative. Stability of every point from the
// eigenvalues (steady_state.hpp). With a second parameter the first fold is continued in both
// (a minimally augmented system, Govaerts 2000) and its cusps located.
#pragma once

#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gutskin/control.hpp"
#include "gutskin/options.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {

struct Study;

struct ContinuationOptions {
  std::string parameter;      // a parameter (by id or, for SBML, its name) or an input
  std::optional<double> from, to;  // required
  /// With a second parameter or input: every fold is continued in both (the edge of the bistable
  /// region) while the second stays within [from2, to2], which must hold its value, and the
  /// first within [from, to]; cusps are located on the way. A fold already on the curve of an
  /// earlier one (the two folds of an S meet at its cusp) is not traced again.
  std::string second;
  std::optional<double> from2, to2;
  std::string phenotype;            // a model without a scenario: this phenotype's values
  std::vector<std::string> set;     // name=value overrides of the patient's parameters
  std::vector<std::string> inputs;  // name=value: inputs held at these values
  long max_points = 5000;     // points on the branch at most
  double branch_step = 0.02;     // longest step, as a fraction of |to − from| in the scaled arclength
  double tolerance = 1e-9;    // corrector: max_i |f_i| / max(|x_i|, atol), per time unit
  double max_time = 1e6;      // the start's simulation fallback (steady_state.hpp)
  SolverOptions solver;

  /// Throws InputError naming the field, its value and the rule it broke.
  void validate() const;
};

template <>
struct OptionsOf<ContinuationOptions> {
  static const OptionTable<ContinuationOptions>& table() {
    static const OptionTable<ContinuationOptions> t{
        option("from", &ContinuationOptions::from, "Start value of the parameter (the branch starts at its equilibrium there)"),
        option("to", &ContinuationOptions::to, "End value of the parameter"),
        option("from2", &ContinuationOptions::from2, "With --second: its lowest value on the fold curve"),
        option("to2", &ContinuationOptions::to2, "With --second: its highest value on the fold curve"),
        option("phenotype", &ContinuationOptions::phenotype, "A model without a scenario: use this phenotype's values"),
        option("max_points", &ContinuationOptions::max_points, "Most points on the branch", Bounds{.min = 2, .max = 1e7}),
        option("branch_step", &ContinuationOptions::branch_step,
               "Longest step along the branch, as a fraction of |to - from| (scaled arclength)",
               Bounds{.min = 0, .max = 1, .min_open = true}),
        option("tolerance", &ContinuationOptions::tolerance, "Accepted residual: max |dx/dt| / max(|x|, atol), per time unit",
               Bounds{.min = 0, .max = 1, .min_open = true}),
        option("max_time", &ContinuationOptions::max_time,
               "Longest simulation towards the first equilibrium when Newton fails, in model time units",
               Bounds{.min = 0, .min_open = true}),
    };
    return t;
  }
};

struct ContinuationPoint {
  double value = 0.0;          // of the parameter
  std::vector<double> state;   // model order
  std::vector<double> observables;  // model order
  bool stable = false;
  double max_real_eigenvalue = 0.0;
};

struct Bifurcation {
  std::string kind;            // "fold" or "hopf"
  double value = 0.0;          // of the parameter
  std::vector<double> state, observables;
  std::string second_parameter;  // on a fold curve (--second): the second parameter and its value
  double second_value = NAN;
  double frequency = NAN;        // hopf: the crossing pair's |imaginary part| (radians per time unit)
  long point = 0;                // the branch point just before it
  int curve = 0;                 // on a fold curve: which one (one per fold not on an earlier curve)
};

struct ContinuationResult {
  std::string study, model;
  std::string parameter;        // as the model names it (an SBML parameter's id)
  std::string parameter_label;  // as asked (an SBML name), for axes
  std::string parameter_unit;
  std::vector<std::string> states, observables;
  std::string time_unit;
  std::vector<ContinuationPoint> branch;  // in the order traced
  std::vector<Bifurcation> bifurcations;  // in the order met
  std::string second_label, second_unit;  // --second, as asked
  /// --second: the fold curves, one per fold not already on an earlier one (Bifurcation::curve),
  /// each in order along it (kind "fold", with second_value), then its cusps (kind "cusp").
  std::vector<Bifurcation> fold_curve;
  std::string end;                        // why the branch ended ("reached 10", ...)
  double wall_seconds = 0.0;
  std::vector<std::string> notes;
};

/// Traces the branch of equilibria from the one at `from` towards `to`. Throws InputError for
/// bad options or names (with "did you mean"), SolverError when no equilibrium is found at
/// `from`. A stop request ends it early with the branch so far.
ContinuationResult continue_equilibria(const Study& study, const ContinuationOptions& options,
                                       const RunControl& control = {});

/// DIR/branch.csv (parameter value, stable, max_real_eigenvalue, every state), DIR/bifurcations.csv
/// (kind,parameter,value,second_parameter,second_value), DIR/summary.json and DIR/report.html
/// (the bifurcation diagram of every observable, or of the states when there are none: stable
/// solid, unstable dashed, folds and Hopf points marked).
/// Throws IoError naming the file.
void write_continuation_files(const ContinuationResult& result, const std::filesystem::path& out_dir);

}  // namespace gutskin
