// A model compiled for fast evaluation: right-hand side, initial state, analytic derivatives
// (∂f/∂x, ∂f/∂p, ∂x0/∂p, ∂observable/∂x and /∂p), observables, event roots, triggers, values,
// delays and priorities. Expressions become a register tape (straight-line code over one array
// of doubles, common subexpressions shared) that is built in milliseconds and run without
// allocation. One CompiledModel is immutable and shared by all threads; each simulation owns a
// Workspace.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gutskin/model.hpp"

namespace gutskin {

namespace detail { struct Tape; struct Program; }

/// Compressed sparse column pattern of a derivative matrix (n_rows × n_cols): column j holds rows
/// row_index[col_ptr[j]] … row_index[col_ptr[j + 1] − 1], and value arrays come in that order.
/// The pattern is structural (what each expression refers to, through variables): an entry
/// outside it is zero for every input.
struct SparsePattern {
  int n_rows = 0, n_cols = 0;
  std::vector<int> col_ptr{0}, row_index;
  int nonzeros() const { return static_cast<int>(row_index.size()); }
};

/// Per-simulation scratch: the value slots every tape reads and writes.
struct Workspace {
  std::vector<double> slots;
};

class CompiledModel {
 public:
  /// Compiles a validated model. Throws InputError if something cannot be compiled.
  explicit CompiledModel(Model model);
  ~CompiledModel();
  CompiledModel(CompiledModel&&) noexcept;
  CompiledModel& operator=(CompiledModel&&) noexcept;

  const Model& model() const { return model_; }
  int n_states() const { return static_cast<int>(model_.states.size()); }
  int n_parameters() const { return static_cast<int>(model_.parameters.size()); }
  int n_inputs() const { return static_cast<int>(model_.inputs.size()); }
  int n_variables() const { return static_cast<int>(model_.variables.size()); }
  int n_observables() const { return static_cast<int>(model_.observables.size()); }

  Workspace make_workspace() const;
  /// Loads parameter values (model order) into the workspace.
  void set_parameters(Workspace& ws, const double* p) const;
  /// Current parameter values (events and initial assignments may change them).
  void get_parameters(const Workspace& ws, double* p) const;
  void set_parameter(Workspace& ws, int index, double value) const;

  /// Initial state at t0: evaluates initial expressions (and parameter initial assignments,
  /// which are written back into the workspace) given current parameters and inputs u. Compiled
  /// to a tape, bit-identical to the reference evaluator `evaluate` (initial values with a cycle
  /// keep that evaluator, which reports the cycle here if it is reached).
  void initial_state(double t0, const double* u, double* x0, Workspace& ws) const;

  /// ∂x0/∂p at t0: how `initial_state` moves with the parameter values loaded in the workspace
  /// (for the initial sensitivities of CVODES). Dense, column-major: entry (i, k) is
  /// dx0dp[i + k * n_states()]. A parameter with an initial assignment is computed, not free:
  /// its column is zero, and other parameters act on x0 through it. The workspace's parameters
  /// are not changed. Throws InputError if the initial values could not be compiled (a cycle).
  void initial_state_jacobian(double t0, const double* u, double* dx0dp, Workspace& ws) const;

  void rhs(double t, const double* x, const double* u, double* dxdt, Workspace& ws) const;

  /// Jacobian ∂f/∂x in compressed sparse column form: pattern from `jacobian_col_ptr` /
  /// `jacobian_row_index`, values written in that order.
  void jacobian(double t, const double* x, const double* u, double* values, Workspace& ws) const;
  const std::vector<int>& jacobian_col_ptr() const { return jac_.col_ptr; }
  const std::vector<int>& jacobian_row_index() const { return jac_.row_index; }
  int jacobian_nonzeros() const { return jac_.nonzeros(); }
  const SparsePattern& jacobian_pattern() const { return jac_; }

  // Derivatives with respect to the parameters, for forward sensitivities (∂f/∂p · s), parameter
  // continuation and fitting gradients. Each parameter is taken as its value in the workspace
  // (events and initial assignments may have set it); variables are differentiated through, as
  // in ∂f/∂x. Values come in the order of the pattern.

  /// ∂f/∂p: n_states × n_parameters.
  void rhs_parameter_jacobian(double t, const double* x, const double* u, double* values, Workspace& ws) const;
  const SparsePattern& rhs_parameter_pattern() const { return rhs_p_; }
  /// ∂(observable)/∂x: n_observables × n_states.
  void observable_state_jacobian(double t, const double* x, const double* u, double* values,
                                 Workspace& ws) const;
  const SparsePattern& observable_state_pattern() const { return obs_x_; }
  /// ∂(observable)/∂p: n_observables × n_parameters.
  void observable_parameter_jacobian(double t, const double* x, const double* u, double* values,
                                     Workspace& ws) const;
  const SparsePattern& observable_parameter_pattern() const { return obs_p_; }

  void variables(double t, const double* x, const double* u, double* out, Workspace& ws) const;
  void observables(double t, const double* x, const double* u, double* out, Workspace& ws) const;

  // Events: each event's trigger is a boolean expression over comparisons; every comparison
  // `a op b` gives a root function g = a − b, and the trigger reads the comparison as `g op 0`.
  int n_roots() const { return n_roots_; }
  void roots(double t, const double* x, const double* u, double* g, Workspace& ws) const;
  /// All triggers at a point. `crossing` (null, or one entry per root) is +1 / −1 for a root just
  /// crossed upwards / downwards (CVodeGetRootInfo): its sign then comes from the direction, not
  /// from a value rounded to either side of zero.
  void trigger_values(double t, const double* x, const double* u, const int* crossing, bool* out,
                      Workspace& ws) const;
  /// Values the event would assign, evaluated now (for use_values_from_trigger_time), its delay
  /// and its priority (0 when it has none). Compiled to tapes, bit-identical to the reference
  /// evaluator `evaluate` (an expression the tape cannot take, such as an undefined name, keeps
  /// that evaluator for the model's events, which reports it here if it is reached).
  void event_values(int event, double t, const double* x, const double* u, double* out,
                    Workspace& ws) const;
  double event_delay(int event, double t, const double* x, const double* u, Workspace& ws) const;
  double event_priority(int event, double t, const double* x, const double* u, Workspace& ws) const;

  // delay(x_k, tau_k): the simulator keeps the history of every x_k and, before each evaluation,
  // loads x_k(t − tau_k) with `set_delayed_values`. In model() they appear as symbols.
  int n_delays() const { return static_cast<int>(delays_.size()); }
  void delay_arguments(double t, const double* x, const double* u, double* values, Workspace& ws) const;
  void delay_times(double t, const double* x, const double* u, double* taus, Workspace& ws) const;
  void set_delayed_values(Workspace& ws, const double* values) const;

  /// Size of the compiled tapes (instructions) of the right-hand side, ∂f/∂x, variables,
  /// observables, event roots and triggers and delays, for `describe` and benchmarks (not the
  /// other derivatives nor event values, delays and priorities, so the figure stays comparable
  /// with earlier releases).
  std::size_t tape_size() const;

 private:
  void run_at(const detail::Program& program, double t, const double* x, const double* u, double* out,
              Workspace& ws) const;
  /// Output k of `program` at (t, x, u).
  double run_one(const detail::Program& program, int k, double t, const double* x, const double* u,
                 Workspace& ws) const;

  Model model_;
  std::unique_ptr<detail::Tape> tape_;
  SparsePattern jac_, rhs_p_, obs_x_, obs_p_;
  // ∂x0/∂p tape: output k goes to dense entry initial_jac_index_[k].
  std::vector<int> initial_jac_index_;
  // Initial values the tape cannot take (a cycle, an undefined name): evaluated on demand by the
  // reference evaluator as before, which reports the problem only if it is reached.
  bool initial_compiled_ = false;
  std::vector<Diagnostic> initial_error_;  // why, for initial_state_jacobian
  int n_roots_ = 0;
  // Event values, delays and priorities on tapes (else the reference evaluator, see the
  // constructor); event e's values are outputs event_value_begin_[e] … [e + 1] − 1.
  bool events_compiled_ = false;
  std::vector<int> event_value_begin_;
  std::vector<std::pair<Expr, Expr>> delays_;  // (x_k, tau_k)
};

}  // namespace gutskin
