// One patient, one trajectory: the simulator on SUNDIALS CVODES (BDF, Newton).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gutskin/compiled_model.hpp"
#include "gutskin/control.hpp"
#include "gutskin/options.hpp"
#include "gutskin/schedule.hpp"

namespace gutskin {

enum class LinearSolver { automatic, dense, klu };
inline const EnumNames<LinearSolver>& linear_solver_names() {
  static const EnumNames<LinearSolver> names{
      {LinearSolver::automatic, "auto"}, {LinearSolver::dense, "dense"}, {LinearSolver::klu, "klu"}};
  return names;
}

/// How CVODES integrates: one struct for every entry point (simulate, scenarios, trials,
/// ensembles), the `solver:` block of scenario and trial files and the CLI's solver flags.
struct SolverOptions {
  double rtol = 1e-6;         // relative tolerance
  double atol = 1e-9;         // absolute tolerance (all states)
  long max_steps = 500000;    // over the whole run; exceeded → Termination::max_steps
  double max_step = 0.0;      // in the model's time unit; 0 = no limit
  // automatic: KLU from 16 states (at 22 states KLU already beats dense LU by 1.5×,
  // docs/benchmarks.md).
  LinearSolver linear_solver = LinearSolver::automatic;
  bool non_negative = true;   // enforce non-negativity of states that declare it
};

template <>
struct OptionsOf<SolverOptions> {
  static const OptionTable<SolverOptions>& table() {
    static const OptionTable<SolverOptions> t{
        option("rtol", &SolverOptions::rtol, "Relative tolerance", Bounds{.min = 0, .max = 1, .min_open = true, .max_open = true}),
        option("atol", &SolverOptions::atol, "Absolute tolerance (all states)", Bounds{.min = 0, .min_open = true}),
        option("max_steps", &SolverOptions::max_steps, "Most solver steps in one run", Bounds{.min = 1}),
        option("max_step", &SolverOptions::max_step, "Longest step, in the model's time unit (0: no limit)", Bounds{.min = 0}),
        option("linear_solver", &SolverOptions::linear_solver, "Linear solver: auto (KLU from 16 states), dense or klu",
               linear_solver_names()),
        option("non_negative", &SolverOptions::non_negative, "Keep states that declare it non-negative"),
    };
    return t;
  }
};

struct SimulateOptions {
  double t_start = 0.0;                 // in the model's time unit
  std::vector<double> output_times;     // increasing, within [t_start, t_end]; required
  SolverOptions solver;
  bool record_variables = true;         // also store variables (assignment rules) in the trajectory
  /// Start from this state (model order) instead of the model's initial values; empty: those.
  /// Parameters still get their initial assignments. (Steady-state searches, continuation.)
  std::vector<double> initial_state;
  /// Forward sensitivities (CVODES, staggered corrector, analytic ∂f/∂x and ∂f/∂p) of the
  /// observables and states with respect to these parameters (model indices); empty: none.
  /// Refused (InputError) for models with events or delay(), whose sensitivities would need jump
  /// and history terms, and for parameters computed by, or used in, parameter initial
  /// assignments (∂f/∂p does not follow that dependence).
  std::vector<int> sensitivity_parameters;
  /// The sensitivities take part in CVODES' error test (the accurate default). Off, the states
  /// alone choose the steps: about 3× fewer steps on the built-in model, errors ~10× rtol.
  bool sensitivity_error_control = true;

  /// Throws InputError naming the field, its value and the rule it broke.
  void validate() const;
};

enum class Termination { completed, max_steps, solver_failure, non_finite, cancelled };
const char* to_string(Termination t);

struct SimulationSummary {
  Termination termination = Termination::completed;
  std::string message;      // why it ended, with state name and time for failures
  double t_reached = 0.0;   // time the integration reached (the last output may be earlier)
  long steps = 0, rhs_evals = 0, jacobian_evals = 0, linear_setups = 0;
  long error_test_failures = 0, nonlinear_failures = 0, events_fired = 0, stops = 0;
  std::string linear_solver;
  std::string time_unit;    // the model's ("day" for YAML models; "" when it declares none)
  double wall_seconds = 0.0;

  bool ok() const { return termination == Termination::completed; }
  std::string brief() const;        // one line
  std::string full_report() const;  // several lines
};

/// Values at the output times. Columns: observables, then states, then variables (if recorded).
struct Trajectory {
  std::vector<double> times;
  std::vector<std::string> columns;
  std::vector<std::string> units;
  std::vector<double> values;  // row-major: times.size() × columns.size()
  std::string time_unit = "day";  // the model's (empty when it declares none)

  double at(std::size_t row, std::size_t col) const { return values[row * columns.size() + col]; }
  int column(const std::string& name) const;  // -1 if absent
};

/// d(column)/d(parameter) at the output times, for the trajectory's observables and states
/// (its first columns), one row per trajectory row.
struct Sensitivities {
  std::vector<int> parameters;  // model indices, as requested
  std::size_t columns = 0;      // observables + states
  std::vector<double> values;   // rows × columns × parameters, row-major

  double at(std::size_t row, std::size_t col, std::size_t k) const {
    return values[(row * columns + col) * parameters.size() + k];
  }
};

struct SimulationResult {
  Trajectory trajectory;      // rows up to where the run ended (never lost on failure)
  SimulationSummary summary;
  Sensitivities sensitivities;  // empty unless SimulateOptions::sensitivity_parameters
};

/// Owns the CVODES memory for one model; reuse it for many patients (one per thread).
class Simulator {
 public:
  explicit Simulator(const CompiledModel& model);
  ~Simulator();
  Simulator(Simulator&&) noexcept;
  Simulator& operator=(Simulator&&) noexcept;

  /// Runs one simulation. Never throws for a failing integration (see summary.termination);
  /// throws InputError for invalid options. `control.progress` counts output times; a stop
  /// request ends the run as Termination::cancelled with the rows so far.
  SimulationResult run(const std::vector<double>& parameters, const InputSchedule& schedule,
                       const SimulateOptions& options, const RunControl& control = {});

  struct Impl;  // CVODES objects (src/solver/simulator.cpp)

 private:
  std::unique_ptr<Impl> impl_;
};

/// Convenience: compile-free one-shot run.
SimulationResult simulate(const CompiledModel& model, const std::vector<double>& parameters,
                          const InputSchedule& schedule, const SimulateOptions& options,
                          const RunControl& control = {});

/// Default parameter values of a model, in model order.
std::vector<double> default_parameters(const Model& model);

/// Default schedule: every input at its default value.
InputSchedule default_schedule(const Model& model);

}  // namespace gutskin
