// Shared by the benchmark programs: the peer harness's parameter-set file (ensemble.csv, written
// by ../shared/bench/make_ensemble.py) read onto a model's parameter vector, and small statistics.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "gutskin/model.hpp"

namespace gutskin::bench {

/// Reads ENSEMBLE.csv: a header of parameter names, then one row of values per set. Each set
/// starts from the model's default parameter values and overwrites the named ones. Throws
/// InputError for a name the model does not have or a malformed row.
std::vector<std::vector<double>> read_ensemble(const std::filesystem::path& path, const Model& model);

/// Reads the state order of a harness states.csv (header "id,...", first column the state id).
std::vector<std::string> read_state_order(const std::filesystem::path& path);

double median(std::vector<double> v);

}  // namespace gutskin::bench
