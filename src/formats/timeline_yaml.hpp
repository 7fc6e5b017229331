// Reading a `timeline:` list (entries as in include/gutskin/scenario.hpp) out of any YAML file.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "gutskin/errors.hpp"
#include "gutskin/scenario.hpp"

namespace gutskin::detail {

/// Reads the entries of `list` (a YAML sequence; null means none) written in `file`. Values stay
/// in the unit they were written in, times are in days, as in Scenario::timeline. Every problem
/// goes to `sink` with its file:line:column; entries with problems are left out.
std::vector<Intervention> read_timeline(const YAML::Node& list, const std::string& file,
                                        DiagnosticSink& sink);

}  // namespace gutskin::detail
