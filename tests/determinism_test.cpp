// Same patient, same numbers: a Simulator reused for another patient first (as each trial
// thread does) gives bit-identical results to a fresh one, with either linear solver.
#include <gtest/gtest.h>

#include <filesystem>

#include "gutskin/formats.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {
namespace {

TEST(Determinism, ReusedSimulatorMatchesFreshOneBitForBit) {
  const CompiledModel model(load_model(std::filesystem::path(GUTSKIN_SOURCE_DIR) / "models/gut_skin"));
  const auto first = patient_parameters(model.model(), Patient{.phenotype = "healthy_adult"});
  const auto second = patient_parameters(model.model(), Patient{.phenotype = "acne_prone_adolescent"});
  const InputSchedule schedule = default_schedule(model.model());
  for (const auto solver : {LinearSolver::klu, LinearSolver::dense}) {
    SimulateOptions o;
    for (int day = 0; day <= 365; day += 5) o.output_times.push_back(day);
    o.solver.linear_solver = solver;
    Simulator fresh(model), reused(model);
    const SimulationResult expected = fresh.run(second, schedule, o);
    reused.run(first, schedule, o);
    const SimulationResult got = reused.run(second, schedule, o);
    ASSERT_TRUE(expected.summary.ok()) << expected.summary.message;
    EXPECT_EQ(got.trajectory.values, expected.trajectory.values) << got.summary.linear_solver;
    EXPECT_EQ(got.summary.steps, expected.summary.steps);
  }
}

}  // namespace
}  // namespace gutskin
