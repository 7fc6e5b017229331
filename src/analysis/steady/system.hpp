// The algebraic system of a steady state, F(x) = 0: the model's right-hand side at fixed time,
// parameters and inputs, with each linear conservation law replacing the equation it makes
// redundant (so ∂F/∂x is regular on a closed reaction network). Newton on it (KINSOL), the
// eigenvalues of its equilibria (Eigen), and the search with fallbacks that steady states,
// continuation and the atlas share.
#pragma once

#include <Eigen/Dense>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "gutskin/compiled_model.hpp"
#include "gutskin/control.hpp"
#include "gutskin/simulate.hpp"
#include "gutskin/steady_state.hpp"

namespace gutskin {
struct Study;
}

namespace gutskin::detail {

/// Where a search or a branch starts: the patient's parameters, and the model's initial state
/// at t = 0 with its default inputs, or a scenario's state at its end with the inputs as they
/// are then; `inputs` settings on top. Throws InputError for a trial, bad settings or names.
struct SteadyStart {
  std::vector<double> parameters, x, u;
  double t = 0.0;
  std::vector<std::string> notes;  // events ignored, ...
};
SteadyStart steady_start(const Study& study, const std::string& phenotype, const std::vector<std::string>& set,
                         const std::vector<std::string>& inputs, const SolverOptions& solver);

/// The scenario's or model's name, for results.
std::string study_name(const Study& study);

class SteadySystem {
 public:
  /// f(t, x; parameters, inputs). Throws InputError for a model with delay().
  SteadySystem(const CompiledModel& model, std::vector<double> parameters, std::vector<double> inputs, double t,
               double atol);

  const CompiledModel& model() const { return model_; }
  int size() const { return model_.n_states(); }
  double t() const { return t_; }
  double atol() const { return atol_; }
  const std::vector<double>& parameters() const { return parameters_; }
  const std::vector<double>& inputs() const { return inputs_; }
  void set_parameter(int index, double value);
  void set_input(int index, double value) { inputs_[index] = value; }

  /// Finds the linear conservation laws (wᵀf ≡ 0) from ∂f/∂x at x and at two points near it,
  /// each checked on f; their totals come from x.
  void find_conservation_laws(const std::vector<double>& x);
  const std::vector<ConservationLaw>& laws() const { return laws_; }
  /// The laws' totals from this state.
  void set_totals(const double* x);
  /// Moves x onto the laws with their totals (held states to their values, the others by least
  /// squares, non-negative states kept ≥ 0): a start of --all that a simulation can follow.
  void project(std::vector<double>& x) const;

  /// dx/dt. False if a value is not finite.
  bool rhs(const double* x, double* f);
  /// F: dx/dt, with the laws' rows wᵀx − total. False if a value is not finite.
  bool residual(const double* x, double* F);
  /// ∂F/∂x, dense.
  void jacobian(const double* x, Eigen::MatrixXd& J);
  /// ∂f/∂x, dense (no law rows).
  void rhs_jacobian(const double* x, Eigen::MatrixXd& J);
  /// max_i |f_i| / max(|x_i|, atol): how far from steady, per time unit. Infinity if not finite.
  double residual_norm(const double* x);
  /// The state residual_norm is taken at, for messages: "il6 (dx/dt = 3e-05 at 1.2)".
  std::string worst_state(const double* x);

  /// Per state: non-negative, positive in x, and on an invariant face (its rate is zero when it
  /// is set to zero at x): the states whose equation a face-interior Newton divides by x.
  std::vector<char> positive_on_invariant_face(const std::vector<double>& x);

  /// The model's observables at x.
  void observables(const double* x, double* out) { model_.observables(t_, x, inputs_.data(), out, ws_); }
  /// ∂F/∂p_k at x (the laws' rows are zero: totals do not move with a parameter).
  void parameter_derivative(const double* x, int k, double* dF);

  /// Orthonormal basis of the laws' subspace {v : wᵀv = 0} (n × (n − laws)).
  const Eigen::MatrixXd& subspace() const { return subspace_; }

 private:
  const CompiledModel& model_;
  std::vector<double> parameters_, inputs_;
  double t_ = 0.0, atol_ = 1e-9;
  Workspace ws_;
  std::vector<double> jac_values_, f_, dfdp_values_;
  std::vector<ConservationLaw> laws_;
  Eigen::MatrixXd subspace_;
};

/// What a continuation varies: a parameter (by id or label) or an input.
struct Knob {
  bool input = false;
  int index = -1;
  std::string name, label, unit;  // the model's name, as asked, the unit
};
/// The parameter or input `name` names (id, else SBML label); InputError at `where` otherwise.
Knob resolve_knob(const Model& model, const std::string& name, const SourceLoc& where);
/// Its current value in the system.
double knob_value(const SteadySystem& system, const Knob& knob);
void set_knob(SteadySystem& system, const Knob& knob, double value);
/// ∂F/∂(knob) at x with the knob at `value`: analytic for a parameter, central differences for
/// an input (the system's inputs are restored).
void knob_derivative(SteadySystem& system, const Knob& knob, const double* x, double value, double* dF);

/// A fold curve in two knobs: where the equilibria fold as both move (the edge of the bistable
/// region), and its cusps (where two folds meet and bistability begins).
struct FoldPoint {
  double lambda = 0.0, mu = 0.0;  // first and second knob
  std::vector<double> x;
};
struct FoldCurve {
  std::vector<FoldPoint> points, cusps;
  std::string end;  // why it ended
};
struct FoldCurveSettings {
  double lambda_lo, lambda_hi, mu_lo, mu_hi;  // the ranges it stays in
  double tolerance = 1e-9;                     // as residual_norm
  double step = 0.02;                          // longest step, scaled arclength
  long max_points = 5000;
};
/// Continues the fold at (x, λ) (the second knob at its value μ in the system) in both knobs,
/// towards increasing μ for direction > 0: pseudo-arclength on F = 0, g = 0 with g the bordered
/// system's singularity test (Govaerts 2000), Newton with g's gradient −wᵀ(∂J/∂z)v (second
/// derivatives as differences of the analytic Jacobian along v); a cusp where wᵀF_xx[v, v]
/// changes sign, located by bisection.
FoldCurve trace_fold_curve(SteadySystem& system, const Knob& first, const Knob& second, const std::vector<double>& x,
                           double lambda, double direction, const FoldCurveSettings& settings);

struct NewtonSettings {
  bool damped = false;        // KINSOL's line search (else full Newton steps)
  double tolerance = 1e-9;    // on residual_norm
  int max_iterations = 200;
  bool non_negative = true;   // refuse a solution with a state that declares it below −atol
  /// Keep those states ≥ 0 on the way (KINSOL constraints). Off for full Newton: a constraint
  /// that binds at a state on zero stops the iteration there.
  bool constrained = false;
  /// Per state (or empty): the equation is f_i/x_i, for a positive state on an invariant face
  /// (f_i = 0 where x_i = 0, as in ecological models), so that Newton finds the equilibrium
  /// inside the face rather than on one of its edges (for gLV f/x is linear: one step).
  std::vector<char> inside_face;
};

struct NewtonOutcome {
  bool converged = false;
  double residual = 0.0;
  long iterations = 0;
  std::string message;  // why it failed
};

/// Newton's method (KINSOL, dense LU of the analytic ∂F/∂x) from x, in place.
NewtonOutcome newton(SteadySystem& system, std::vector<double>& x, const NewtonSettings& settings);

/// The eigenvalues of ∂f/∂x at x on the laws' subspace, stability and the slowest time constant.
void classify(SteadySystem& system, Equilibrium& equilibrium);

struct SearchSettings {
  NewtonSettings newton;
  double max_time = 1e6;       // simulation fallback horizon (model time units)
  bool inside_faces = false;   // first try Newton inside the start's face (NewtonSettings::inside_face)
  bool simulate = true;        // the simulation fallback (off for the many starts of --all: it
                               // lets held states move, so every start would imprint its own)
  bool stable_only = false;    // an unstable equilibrium is not accepted: the next method is
                               // tried (the atlas: where a patient actually settles)
  SolverOptions solver;
};

/// The settings of steady states and continuation: Newton's tolerance, the simulation's horizon
/// and solver (its non-negativity also Newton's).
inline SearchSettings search_settings(double tolerance, double max_time, const SolverOptions& solver) {
  SearchSettings s;
  s.newton.tolerance = tolerance;
  s.newton.non_negative = solver.non_negative;
  s.max_time = max_time;
  s.solver = solver;
  return s;
}

/// Newton, then damped Newton, then pseudo-transient continuation, then (with a simulator) a
/// simulation from x towards the steady state polished by Newton (the laws found again where it
/// settled). The equilibrium, classified, or nothing with the reasons in `why`.
std::optional<Equilibrium> find_equilibrium(SteadySystem& system, std::vector<double> x, const SearchSettings& settings,
                                            Simulator* simulator, std::string& why);

/// A branch of equilibria in one knob, as traced.
struct BranchPoint {
  double value = 0.0;       // of the knob
  Equilibrium equilibrium;  // classified when BranchSettings::classify (else its state only)
};
struct BranchEvent {
  std::string kind;         // "fold" or "hopf"
  double value = 0.0;
  Equilibrium equilibrium;  // classified
  long point = 0;           // the branch point just before it
  double frequency = NAN;   // hopf: |imaginary part| of the crossing pair
};
struct Branch {
  std::vector<BranchPoint> points;
  std::vector<BranchEvent> events;  // in the order met
  std::string end;                  // why it ended
};
struct BranchSettings {
  double from = 0.0, to = 1.0;     // the knob's start value and the end it heads for
  double lower = 0.0, upper = 1.0; // the branch ends where it leaves [lower, upper]
  double step = 0.02;              // longest step, scaled arclength (|to − from| scales the knob)
  long max_points = 5000;
  double tolerance = 1e-9;         // corrector, as residual_norm
  bool non_negative = true;        // end where a non-negative state falls below −atol
  /// Eigenvalues at every point: stability along the branch and Hopf points. Off, only folds
  /// (a sign change of the tangent's knob component) are found, at a fraction of the cost.
  bool classify = true;
  int stop_after_folds = 0;        // end after this many folds (0: never)
  NewtonSettings newton;           // the last point, put on the range's end
};
/// Pseudo-arclength continuation from `first` (an equilibrium at knob = from) towards `to`, in
/// scaled coordinates (states by their size at the start, the knob by |to − from|), folds and
/// Hopf points located by bisection to the corrector's tolerance. The system's knob is left at
/// the last point's value. Throws SolverError when the branch has no tangent at its start.
Branch trace_branch(SteadySystem& system, const Knob& knob, const Equilibrium& first, const BranchSettings& settings,
                    const RunControl& control = {});

/// Two equilibria are one when every state agrees to 1e-6 relative (or 10·atol absolute).
bool same_state(const std::vector<double>& a, const std::vector<double>& b, double atol);

}  // namespace gutskin::detail
