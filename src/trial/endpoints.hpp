// What a trial reads from each patient's trajectory: the output grid it needs, endpoint values
// (the columns of patients.csv) and the values behind the report's quantile bands.
#pragma once

#include <string>
#include <vector>

#include "gutskin/ensemble.hpp"
#include "gutskin/model.hpp"
#include "gutskin/simulate.hpp"
#include "gutskin/trial.hpp"

namespace gutskin::detail {

/// True if `value` (with baseline `baseline`) meets every condition of `c`.
bool meets(const Criterion& c, double value, double baseline);

class EndpointPlan {
 public:
  EndpointPlan(const Trial& trial, const Model& model);

  /// Output times in trial time (days from baseline), sorted, starting at 0.
  const std::vector<double>& times() const { return times_; }
  /// Column names of the endpoint values in patients.csv, in order (a time-to-event endpoint
  /// has two: NAME_days and NAME_event).
  const std::vector<std::string>& columns() const { return columns_; }
  /// Endpoint values of a completed run, one per column (NaN when undefined, such as a percent
  /// change from a zero baseline).
  void evaluate(const Trajectory& trajectory, std::vector<double>& out) const;

  /// Trial times of the quantile bands, and the values there for each band observable
  /// (observable-major), NaN for rows not reached.
  const std::vector<double>& band_times() const { return band_times_; }
  std::size_t band_values_per_run() const { return band_times_.size() * band_columns_.size(); }
  void band_values(const Trajectory& trajectory, float* out) const;

 private:
  struct Item {
    const Endpoint* endpoint;
    int column;  // observable column in the trajectory
    int row_at = 0, row_baseline = 0, row_from = 0;
  };
  int row(double t) const;

  double duration_ = 0.0;
  std::vector<double> times_;
  std::vector<Item> items_;
  std::vector<std::string> columns_;
  std::vector<double> band_times_;
  std::vector<int> band_rows_, band_columns_;
};

/// The arms as protocols: the background and the arm's timeline shifted by the run-in, outputs
/// on the plan's grid (trial time + run-in).
std::vector<Protocol> arm_protocols(const Trial& trial, const Model& model, const EndpointPlan& plan,
                                    const SolverOptions& solver);

}  // namespace gutskin::detail
