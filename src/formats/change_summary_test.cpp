// Tests of change_summary: which observables it lists, in which order.
#include <gtest/gtest.h>

#include "gutskin/formats.hpp"
#include "gutskin/model.hpp"

namespace gutskin {
namespace {

Model three_observables() {
  Model m;
  m.name = "m";
  for (const char* name : {"steady", "doubles", "appears"})
    m.observables.push_back(Observable{.name = name, .unit = parse_unit("1")});
  return m;
}

Trajectory rows(const std::vector<std::vector<double>>& values) {
  Trajectory tr;
  tr.columns = {"steady", "doubles", "appears"};
  tr.units = {"1", "1", "1"};
  for (std::size_t r = 0; r < values.size(); ++r) {
    tr.times.push_back(static_cast<double>(r));
    tr.values.insert(tr.values.end(), values[r].begin(), values[r].end());
  }
  return tr;
}

TEST(ChangeSummary, SomethingFromNothingComesFirstAndSteadyValuesAreLeftOut) {
  const std::string out =
      change_summary(three_observables(), rows({{5, 1, 0}, {5.1, 2, 0.3}, {5, 1.5, 0}}));
  EXPECT_EQ(out,
            "  Observables             appears 0 → 0.3 (day 1) → 0\n"
            "                          doubles 1 → 2 (day 1) → 1.5\n");
}

}  // namespace
}  // namespace gutskin
