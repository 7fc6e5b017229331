// What a continuation varies: a parameter (by id or SBML label) or an input, and ∂F/∂ of it.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/steady/system.hpp"
#include "gutskin/diagnostics.hpp"
#include "gutskin/errors.hpp"

namespace gutskin::detail {

Knob resolve_knob(const Model& model, const std::string& name, const SourceLoc& where) {
  Knob k;
  k.label = name;
  if ((k.index = model.parameter_index(name)) >= 0) {
    k.name = name, k.unit = model.parameters[k.index].unit.text;
  } else if ((k.index = model.input_index(name)) >= 0) {
    k.input = true, k.name = name, k.unit = model.inputs[k.index].unit.text;
  } else {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < model.parameters.size(); ++i)
      if (model.parameters[i].label == name) ids.push_back(model.parameters[i].name), k.index = static_cast<int>(i);
    if (ids.size() > 1)
      throw InputError(where, fmt::format("'{}' names {} parameters ({}): give the id", name, ids.size(), fmt::join(ids, ", ")));
    if (ids.empty()) {
      std::vector<std::string> names;
      for (const auto& p : model.parameters) names.push_back(p.label.empty() ? p.name : p.label);
      for (const auto& in : model.inputs) names.push_back(in.name);
      const std::string near = closest_name(name, names);
      throw InputError(where, fmt::format("unknown parameter or input '{}'{}", name,
                                          near.empty() ? "" : " (did you mean '" + near + "'?)"));
    }
    k.name = ids[0], k.unit = model.parameters[k.index].unit.text;
  }
  if (!k.input && model.parameters[k.index].initial)
    throw InputError(where, fmt::format("parameter '{}' is computed by an initial assignment: vary what it is computed from",
                                        name));
  return k;
}

double knob_value(const SteadySystem& system, const Knob& knob) {
  return knob.input ? system.inputs()[knob.index] : system.parameters()[knob.index];
}

void set_knob(SteadySystem& system, const Knob& knob, double value) {
  if (knob.input) system.set_input(knob.index, value);
  else system.set_parameter(knob.index, value);
}

void knob_derivative(SteadySystem& system, const Knob& knob, const double* x, double value, double* dF) {
  if (!knob.input) {
    set_knob(system, knob, value);
    system.parameter_derivative(x, knob.index, dF);
    return;
  }
  const int n = system.size();
  const double h = 1e-6 * std::max(std::abs(value), 1.0);
  std::vector<double> up(n);
  set_knob(system, knob, value + h);
  system.residual(x, up.data());
  set_knob(system, knob, value - h);
  system.residual(x, dF);
  for (int i = 0; i < n; ++i) dF[i] = (up[i] - dF[i]) / (2 * h);
  set_knob(system, knob, value);
}

}  // namespace gutskin::detail
