// One patient, one trajectory: the simulator on SUNDIALS CVODES (BDF, Newton).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gutskin/compiled_model.hpp"
#include "gutskin/schedule.hpp"

namespace gutskin {

enum class LinearSolver { automatic, dense, klu };

/// What a progress callback tells the run to do.
enum class CallbackResult { proceed, stop };

struct SimulateOptions {
  double t_start = 0.0;                 // days
  std::vector<double> output_times;     // days, increasing, within [t_start, t_end]; required
  double rtol = 1e-6;                   // relative tolerance
  double atol = 1e-9;                   // absolute tolerance (all states)
  long max_steps = 500000;              // over the whole run; exceeded → Termination::max_steps
  double max_step = 0.0;                // days; 0 = no limit
  // automatic: KLU from 16 states (at 22 states KLU already beats dense LU by 1.5×,
  // docs/benchmarks.md).
  LinearSolver linear_solver = LinearSolver::automatic;
  bool non_negative = true;             // enforce non-negativity of states that declare it
  bool record_variables = true;         // also store variables (assignment rules) in the trajectory
  /// Called after each output point with the time reached; return stop to cancel.
  std::function<CallbackResult(double t)> progress;

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

struct SimulationResult {
  Trajectory trajectory;      // rows up to where the run ended (never lost on failure)
  SimulationSummary summary;
};

/// Owns the CVODES memory for one model; reuse it for many patients (one per thread).
class Simulator {
 public:
  explicit Simulator(const CompiledModel& model);
  ~Simulator();
  Simulator(Simulator&&) noexcept;
  Simulator& operator=(Simulator&&) noexcept;

  /// Runs one simulation. Never throws for a failing integration (see summary.termination);
  /// throws InputError for invalid options.
  SimulationResult run(const std::vector<double>& parameters, const InputSchedule& schedule,
                       const SimulateOptions& options);

  struct Impl;  // CVODES objects (src/solver/simulator.cpp)

 private:
  std::unique_ptr<Impl> impl_;
};

/// Convenience: compile-free one-shot run.
SimulationResult simulate(const CompiledModel& model, const std::vector<double>& parameters,
                          const InputSchedule& schedule, const SimulateOptions& options);

/// Default parameter values of a model, in model order.
std::vector<double> default_parameters(const Model& model);

/// Default schedule: every input at its default value.
InputSchedule default_schedule(const Model& model);

}  // namespace gutskin
