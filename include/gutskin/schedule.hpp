// Input schedules: each input is a sum of piecewise-linear pieces over time, plus boluses that
// add to a state at an instant. The simulator stops at every break so nothing is smeared.
#pragma once

#include <limits>
#include <string>
#include <vector>

namespace gutskin {

/// value(t) = level + slope·(t − start) for start ≤ t < end, else 0.
struct SchedulePiece {
  double start = 0.0;
  double end = std::numeric_limits<double>::infinity();
  double level = 0.0;
  double slope = 0.0;
};

/// An instantaneous addition to a state (an oral/IV dose into a compartment).
struct Bolus {
  double time = 0.0;
  int state = -1;
  double amount = 0.0;
};

class InputSchedule {
 public:
  explicit InputSchedule(int n_inputs = 0, std::vector<double> defaults = {});

  int n_inputs() const { return static_cast<int>(baseline_.size()); }
  /// Replaces the constant baseline of input i (the model default otherwise).
  void set_baseline(int input, double value);
  /// Adds a piece on top of the baseline (pieces of one input add up).
  void add_piece(int input, SchedulePiece piece);
  void add_bolus(Bolus bolus);

  /// Value of input i at t (right-continuous: a piece starting at t counts at t).
  double value(int input, double t) const;
  /// All values at t.
  void values(double t, double* out) const;
  /// Sorted, unique times in (t0, t1) where an input jumps or changes slope, or a bolus happens.
  std::vector<double> breaks(double t0, double t1) const;
  const std::vector<Bolus>& boluses() const { return boluses_; }

 private:
  std::vector<double> baseline_;
  std::vector<std::vector<SchedulePiece>> pieces_;
  std::vector<Bolus> boluses_;
};

}  // namespace gutskin
