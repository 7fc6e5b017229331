// A BioModels-style SBML L2V4 file (annotations, notes, SBO terms, unit and function definitions,
// local parameters, assignment rules) imports and simulates like the same equations written by
// hand in gutskin's own format.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "gutskin/formats.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {
namespace {

const std::filesystem::path data = std::filesystem::path(GUTSKIN_SOURCE_DIR) / "tests/data";

SimulationResult run(const std::filesystem::path& file) {
  const CompiledModel model(load_model(file));
  SimulateOptions o;
  for (int k = 0; k <= 400; ++k) o.output_times.push_back(0.5 * k);  // 200 minutes
  o.solver.rtol = 1e-10, o.solver.atol = 1e-12;
  return simulate(model, default_parameters(model.model()), default_schedule(model.model()), o);
}

TEST(SbmlBioModels, GoldbeterL2V4MatchesHandWrittenEquations) {
  const SimulationResult sbml = run(data / "goldbeter1991_l2v4.xml");
  const SimulationResult yaml = run(data / "goldbeter1991.yaml");
  ASSERT_TRUE(sbml.summary.ok()) << sbml.summary.message;
  ASSERT_TRUE(yaml.summary.ok()) << yaml.summary.message;
  for (const char* name : {"C", "M", "X"}) {
    const int a = sbml.trajectory.column(name), b = yaml.trajectory.column(name);
    ASSERT_GE(a, 0) << name;
    for (std::size_t r = 0; r < yaml.trajectory.times.size(); ++r)
      EXPECT_NEAR(sbml.trajectory.at(r, a), yaml.trajectory.at(r, b), 1e-6 + 1e-6 * std::fabs(yaml.trajectory.at(r, b)))
          << name << " at t = " << yaml.trajectory.times[r];
  }
  // The point of the model: sustained oscillation of the active kinase M (period ≈ 40 min).
  const int m = sbml.trajectory.column("M");
  int peaks = 0;
  for (std::size_t r = 1; r + 1 < sbml.trajectory.times.size(); ++r) {
    const double v = sbml.trajectory.at(r, m);
    peaks += v > 0.5 && v >= sbml.trajectory.at(r - 1, m) && v > sbml.trajectory.at(r + 1, m);
  }
  EXPECT_GE(peaks, 4);
}

}  // namespace
}  // namespace gutskin
