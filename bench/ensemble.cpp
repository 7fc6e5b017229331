#include "ensemble.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gutskin/simulate.hpp"

namespace gutskin::bench {

namespace {
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) {
    if (!cell.empty() && cell.back() == '\r') cell.pop_back();
    cells.push_back(cell);
  }
  return cells;
}
}  // namespace

std::vector<std::vector<double>> read_ensemble(const std::filesystem::path& path, const Model& model) {
  std::ifstream in(path);
  if (!in) throw InputError({path.string(), 0, 0}, "cannot read the parameter-set file");
  std::string line;
  std::getline(in, line);
  std::vector<int> column_param;
  for (const auto& name : split_csv(line)) {
    const int k = model.parameter_index(name);
    if (k < 0) throw InputError({path.string(), 1, 0}, fmt::format("the model has no parameter '{}'", name));
    column_param.push_back(k);
  }
  const std::vector<double> defaults = default_parameters(model);
  std::vector<std::vector<double>> sets;
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (line.empty() || line == "\r") continue;
    const auto cells = split_csv(line);
    if (cells.size() != column_param.size())
      throw InputError({path.string(), line_no, 0},
                       fmt::format("{} values for {} parameters", cells.size(), column_param.size()));
    std::vector<double> p = defaults;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      char* end = nullptr;
      p[column_param[c]] = std::strtod(cells[c].c_str(), &end);
      if (end == cells[c].c_str()) throw InputError({path.string(), line_no, 0}, fmt::format("'{}' is not a number", cells[c]));
    }
    sets.push_back(std::move(p));
  }
  if (sets.empty()) throw InputError({path.string(), 0, 0}, "no parameter sets");
  return sets;
}

std::vector<std::string> read_state_order(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw InputError({path.string(), 0, 0}, "cannot read the state list");
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::string> ids;
  while (std::getline(in, line))
    if (!line.empty()) ids.push_back(split_csv(line).at(0));
  return ids;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

}  // namespace gutskin::bench
