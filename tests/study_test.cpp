// The facade every front end calls: open/check of models, scenarios and trials; --set; a trial
// in memory equals the same trial run with a checkpoint folder.
#include "gutskin/study.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/errors.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;

namespace gutskin {
namespace {

const fs::path source_dir = GUTSKIN_SOURCE_DIR;

using testing::error_of;

TEST(Study, OpensAndChecksModelsScenariosAndTrials) {
  const Catalog catalog{source_dir};
  EXPECT_EQ(check((source_dir / "tests/data/decay.yaml").string(), catalog),
            "ok: model 'decay' (1 state, 2 parameters, 0 inputs, 0 variables, 1 observable, 0 events, 0 phenotypes)");
  const Study scenario = open("antibiotic_course", catalog);
  EXPECT_EQ(scenario.kind, FileKind::scenario);
  ASSERT_TRUE(scenario.scenario);
  const Study trial = open("low_glycaemic_diet_acne", catalog);
  EXPECT_EQ(trial.kind, FileKind::trial);
  EXPECT_EQ(check("low_glycaemic_diet_acne", catalog).rfind("ok: trial 'low_glycaemic_diet_acne' (2 arms", 0), 0u);
  // A scenario and a trial share this name: the kind asked for decides.
  EXPECT_EQ(open("probiotic_infant_eczema", catalog, FileKind::trial).kind, FileKind::trial);
  EXPECT_EQ(open("probiotic_infant_eczema", catalog, FileKind::scenario).kind, FileKind::scenario);
  EXPECT_EQ(error_of([&] { open((source_dir / "tests/data/decay.yaml").string(), catalog, FileKind::scenario); }),
            (source_dir / "tests/data/decay.yaml").string() + ": error: expected a scenario file, got a model file");
}

TEST(Study, APetabProblemIsNamedAsSuchNotReadAsAModel) {
  testing::TempDir tmp;
  const fs::path problem = tmp.path() / "problem.yaml";
  std::ofstream(problem) << "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
                            "  - sbml_files: [model.xml]\n";
  EXPECT_EQ(error_of([&] { open(problem.string()); }),
            problem.string() + ":1:1: error: a PEtab problem file: gutskin cannot read PEtab problems yet; open its "
                               "SBML model (listed under sbml_files or model_files) to simulate or analyse it");
}

TEST(Study, CheckReportsEveryProblemOfATrial) {
  const std::string bad = (source_dir / "src/trial/testdata/bad_trial.yaml").string();
  EXPECT_NE(error_of([&] { check(bad); }).find("bad_trial.yaml:6:13: error: 'patients' must be a whole number"),
            std::string::npos);
}

TEST(Study, SetOverridesAParameterOrSaysWhatIsWrong) {
  const Study s = open((source_dir / "tests/data/decay_scenario.yaml").string(), Catalog{source_dir});
  const ScenarioRun plain = run_scenario(s);
  const ScenarioRun faster = run_scenario(s, {.solver = {}, .set = {"k=1"}});
  ASSERT_TRUE(plain.ok() && faster.ok());
  const auto& a = plain.result.trajectory;
  const auto& b = faster.result.trajectory;
  const int x = a.column("x");
  const double t = a.times.back();
  EXPECT_NEAR(a.at(a.times.size() - 1, x), 2 * std::exp(-0.5 * t), 1e-5);
  EXPECT_NEAR(b.at(b.times.size() - 1, x), 2 * std::exp(-1.0 * t), 1e-5);
  EXPECT_EQ(error_of([&] { run_scenario(s, {.solver = {}, .set = {"kk=1"}}); }),
            "--set: error: unknown parameter 'kk' (did you mean 'k'?)");
  EXPECT_EQ(error_of([&] { run_scenario(s, {.solver = {}, .set = {"k=fast", "k"}}); }),
            "--set: error: 'k=fast': expected a finite number for 'k', got 'fast'\n"
            "--set: error: 'k': expected name=value (a parameter and a number in its unit)");
  EXPECT_NE(error_of([&] { run_scenario(s, {.solver = {}, .set = {"k=100"}}); }).find("--set: error:"), std::string::npos)
      << "outside the bounds [0.01, 10]";
}

TEST(Study, TrialInMemoryEqualsTheCheckpointedRun) {
  const Study s = open("low_glycaemic_diet_acne", Catalog{source_dir}, FileKind::trial);
  TrialOptions o;
  o.patients = 6;
  o.threads = 2;
  const TrialResult memory = run_trial(s, o);
  testing::TempDir dir;
  o.checkpoint_dir = trial_checkpoint_dir(dir.path());
  TrialResult files = run_trial(s, o);
  ASSERT_EQ(memory.summary.status, TrialStatus::completed);
  std::ostringstream a, b;
  write_patients_csv(memory, a);
  write_patients_csv(files, b);
  EXPECT_EQ(a.str(), b.str());
  EXPECT_EQ(memory.patient_index.size(), 6u);
  write_trial_files(files, dir.path());
  EXPECT_FALSE(fs::exists(trial_checkpoint_dir(dir.path()))) << "a completed run needs no checkpoint";
  EXPECT_EQ(testing::read_file(dir.path() / "patients.csv"), a.str());
  // The typed statistics are what summary.json shows.
  ASSERT_FALSE(memory.statistics.endpoints.empty());
  EXPECT_EQ(memory.statistics.arms.size(), 2u);
  EXPECT_EQ(memory.statistics.arms[0].completed + memory.statistics.arms[0].failed, 6);
}

}  // namespace
}  // namespace gutskin

namespace gutskin {
namespace {

TEST(Study, ScenarioFilesChooseTheirSolverAndFlagsOverrideIt) {
  const Catalog catalog{source_dir};
  const Study s = open((source_dir / "tests/data/solver_scenario.yaml").string(), catalog);
  EXPECT_DOUBLE_EQ(s.scenario->solver.rtol, 1e-10);
  EXPECT_EQ(s.scenario->solver.linear_solver, LinearSolver::dense);
  const ScenarioRun tight = run_scenario(s);
  const auto& t = tight.result.trajectory;
  EXPECT_NEAR(t.at(t.times.size() - 1, t.column("x")), 2 * std::exp(-5.0), 1e-9);
  ScenarioRunOptions loose;
  loose.solver.rtol = 1e-3;  // a flag given: it wins over the file
  const auto& l = run_scenario(s, loose).result;
  EXPECT_LT(l.summary.steps, tight.result.summary.steps);
  const std::string bad = (source_dir / "tests/data/bad_solver_scenario.yaml").string();
  EXPECT_EQ(error_of([&] { open(bad, catalog); }),
            bad + ":6:9: error: option 'rtol' = 2: must be in (0, 1)\n" +
            bad + ":7:18: error: option 'linear_solver': expected auto, dense or klu, got 'lu'\n" +
            bad + ":8:3: error: unknown option 'speed' (known: rtol, atol, max_steps, max_step, linear_solver, non_negative)");
}

}  // namespace
}  // namespace gutskin
