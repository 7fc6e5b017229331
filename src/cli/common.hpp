// Small helpers shared by the sub-commands (printing only; no model logic lives here).
#pragma once

#include <fmt/format.h>

#include <string>

#include "gutskin/model.hpp"

namespace gutskin::cli {

/// "3 states, 5 parameters, 2 inputs, 1 variable, 1 observable, 0 events, 1 phenotype".
inline std::string model_counts(const Model& m) {
  auto count = [](std::size_t n, const char* what) {
    return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
  };
  return fmt::format("{}, {}, {}, {}, {}, {}, {}", count(m.states.size(), "state"),
                     count(m.parameters.size(), "parameter"), count(m.inputs.size(), "input"),
                     count(m.variables.size(), "variable"),
                     count(m.observables.size(), "observable"), count(m.events.size(), "event"),
                     count(m.phenotypes.size(), "phenotype"));
}

}  // namespace gutskin::cli
