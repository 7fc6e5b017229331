// What changed during a run, module by module, in a few lines a person reads at a glance.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "gutskin/formats.hpp"

namespace gutskin {

namespace {

struct Change {
  std::string line;
  double size = 0.0;  // largest deviation from baseline, relative
};

/// Largest deviation of one observable from its baseline, or nothing if it barely moved.
std::optional<Change> change_of(const Observable& o, const Trajectory& tr, int col) {
  const std::size_t n = tr.times.size();
  const double base = tr.at(0, col);
  std::size_t extreme = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const double v = tr.at(r, col);
    if (!std::isfinite(v)) continue;
    if (std::fabs(v - base) > std::fabs(tr.at(extreme, col) - base)) extreme = r;
  }
  const double delta = std::fabs(tr.at(extreme, col) - base);
  // Something that appears from nothing (a pathogen arriving) is the largest change of all.
  const double size = base != 0.0 ? delta / std::fabs(base) : delta > 0 ? INFINITY : 0.0;
  // Moved: by over 5%, and by more than a hundredth of (1 + baseline), so that a score going
  // from 4e-6 to 1e-3 does not count.
  if (!(size > 0.05) || !(delta > 0.01 * (1.0 + std::fabs(base)))) return std::nullopt;
  const double end = tr.at(n - 1, col);
  const std::string unit = o.unit.text == "1" ? "" : " " + o.unit.text;
  std::string line = fmt::format("{} {:.3g} → {:.3g} (day {:g})", o.name, base, tr.at(extreme, col), tr.times[extreme]);
  if (extreme != n - 1) line += fmt::format(" → {:.3g}", end);
  return Change{line + unit, size};
}

}  // namespace

std::string change_summary(const Model& model, const Trajectory& tr, int per_module) {
  if (tr.times.size() < 2) return "";
  std::map<int, std::vector<Change>> by_module;  // module index → changes (model order)
  for (const auto& o : model.observables) {
    const int col = tr.column(o.name);
    if (col < 0) continue;
    if (auto c = change_of(o, tr, col)) by_module[module_index(model, o.where)].push_back(*c);
  }
  std::string out;
  for (auto& [index, changes] : by_module) {
    std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) { return a.size > b.size; });
    if (static_cast<int>(changes.size()) > per_module) changes.resize(per_module);
    const std::string title = index >= 0 ? module_title(model, SourceLoc{.file = model.files[index].string()}) : "Observables";
    for (std::size_t k = 0; k < changes.size(); ++k)
      out += fmt::format("  {:<24}{}\n", k == 0 ? title : "", changes[k].line);
  }
  return out;
}

}  // namespace gutskin
