// The outputs of a sensitivity analysis: what is read from each run (sensitivity.hpp lists the
// forms), parsed once and evaluated on trajectories or on a trial's endpoint values.
#pragma once

#include <string>
#include <vector>

#include "gutskin/errors.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin::detail {

struct OutputSpec {
  enum class Kind { at, max, min, mean, auc, time_above, effect, value };
  Kind kind = Kind::at;
  std::string text;     // as written, spaces removed: the output's name in files
  std::string name;     // observable or state (trajectory kinds), endpoint column (effect, value)
  double time = -1;     // at: the time (days); −1 = the analysis' `at`
  double threshold = 0; // time_above
  std::string arm;      // effect, value: "" = the first arm that is not the reference

  bool of_trial() const { return kind == Kind::effect || kind == Kind::value; }
};

/// Parses one output; InputError at `where` with the forms expected.
OutputSpec parse_output(const std::string& text, const SourceLoc& where);

/// The output of a run from its trajectory (trajectory kinds): `column` is the name's column,
/// `at` the time of kind `at` without one. Times must be output times of the run (the analysis
/// adds them to the grid). NaN if the run did not reach them.
double evaluate_output(const OutputSpec& spec, const Trajectory& trajectory, int column, double at);

}  // namespace gutskin::detail
