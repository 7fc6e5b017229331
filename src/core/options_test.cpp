// Options described once: every Options struct round-trips through JSON, out-of-bounds values
// are named in one wording, and text values (CLI, files) are parsed by the same table.
#include "gutskin/options.hpp"

#include <gtest/gtest.h>

#include "support/errors.hpp"

#include "gutskin/atlas.hpp"
#include "gutskin/continuation.hpp"
#include "gutskin/ensemble.hpp"
#include "gutskin/errors.hpp"
#include "gutskin/sbml.hpp"
#include "gutskin/sensitivity.hpp"
#include "gutskin/simulate.hpp"
#include "gutskin/steady_state.hpp"
#include "gutskin/study.hpp"
#include "gutskin/trial.hpp"

namespace gutskin {
namespace {

using testing::error_of;

template <class T>
void expect_round_trip(const T& changed) {
  const std::string json = options_to_json(changed);
  const T back = options_from_json<T>(json);
  EXPECT_EQ(options_to_json(back), json);
  EXPECT_NE(json, options_to_json(T{})) << "the changed value should show";
}

TEST(Options, EveryOptionsStructRoundTripsThroughJson) {
  expect_round_trip(SolverOptions{.rtol = 1e-8, .atol = 1e-12, .max_steps = 7, .max_step = 0.5,
                                  .linear_solver = LinearSolver::klu, .non_negative = false});
  TrialOptions trial;
  trial.patients = 12;
  trial.seed = 9;
  trial.threads = 2;
  trial.resume = true;
  expect_round_trip(trial);
  expect_round_trip(EnsembleOptions{.threads = 3});
  SimulateRequest request;
  request.t_end = 30;
  request.steps = 30;
  request.phenotype = "healthy_adult";
  expect_round_trip(request);
  SbmlSuiteOptions suite;
  suite.rtol = 1e-8;
  suite.round_trip = true;
  expect_round_trip(suite);
  SensitivityOptions sensitivity;
  sensitivity.method = SensitivityMethod::morris;
  sensitivity.at = 49;
  sensitivity.samples = 64;
  sensitivity.levels = 6;
  sensitivity.seed = 3;
  sensitivity.error_control = false;
  sensitivity.resume = true;
  expect_round_trip(sensitivity);
  SteadyStateOptions steady;
  steady.all = true;
  steady.starts = 64;
  steady.tolerance = 1e-10;
  steady.seed = 4;
  expect_round_trip(steady);
  ContinuationOptions continuation;
  continuation.from = 1;
  continuation.to = 2.5;
  continuation.max_points = 100;
  continuation.branch_step = 0.01;
  expect_round_trip(continuation);
  AtlasOptions atlas;
  atlas.patients = 500;
  atlas.seed = 9;
  atlas.phenotype = "acne_prone_adolescent";
  atlas.branch_step = 0.1;
  atlas.max_points = 50;
  expect_round_trip(atlas);
}

TEST(Options, JsonGivesTheFieldsInTableOrder) {
  EXPECT_EQ(options_to_json(SolverOptions{}),
            R"({"rtol":1e-06,"atol":1e-09,"max_steps":500000,"max_step":0.0,"linear_solver":"auto","non_negative":true})");
  EXPECT_EQ(options_to_json(TrialOptions{}), R"({"patients":null,"seed":null,"threads":0,"resume":false})");
}

TEST(Options, ValidationNamesEveryFieldInOneWording) {
  SolverOptions o;
  o.rtol = 2;
  o.atol = 0;
  o.max_steps = 0;
  EXPECT_EQ(option_problems(o), (std::vector<std::string>{"option 'rtol' = 2: must be in (0, 1)",
                                                          "option 'atol' = 0: must be > 0",
                                                          "option 'max_steps' = 0: must be ≥ 1"}));
  EXPECT_EQ(error_of([&] { validate_options(o); }),
            "error: option 'rtol' = 2: must be in (0, 1)\nerror: option 'atol' = 0: must be > 0\n"
            "error: option 'max_steps' = 0: must be ≥ 1");
  TrialOptions t;
  t.threads = 5000;
  EXPECT_EQ(option_problems(t), (std::vector<std::string>{"option 'threads' = 5000: must be from 0 to 4096"}));
}

TEST(Options, TextValuesAreParsedAndCheckedByTheTable) {
  SolverOptions o;
  EXPECT_EQ(set_option(o, "rtol", "1e-8"), "");
  EXPECT_DOUBLE_EQ(o.rtol, 1e-8);
  EXPECT_EQ(set_option(o, "linear_solver", "dense"), "");
  EXPECT_EQ(o.linear_solver, LinearSolver::dense);
  EXPECT_EQ(set_option(o, "non_negative", "false"), "");
  EXPECT_FALSE(o.non_negative);
  EXPECT_EQ(set_option(o, "rtol", "abc"), "option 'rtol': expected a number, got 'abc'");
  EXPECT_EQ(set_option(o, "rtol", "1.5"), "option 'rtol' = 1.5: must be in (0, 1)");
  EXPECT_EQ(set_option(o, "max_steps", "2.5"), "option 'max_steps': expected a whole number, got '2.5'");
  EXPECT_EQ(set_option(o, "linear_solver", "lu"), "option 'linear_solver': expected auto, dense or klu, got 'lu'");
  EXPECT_EQ(set_option(o, "rtoll", "1"),
            "unknown option 'rtoll' (known: rtol, atol, max_steps, max_step, linear_solver, non_negative)");
  EXPECT_DOUBLE_EQ(o.rtol, 1e-8) << "a rejected value leaves the field alone";
}

TEST(Options, JsonErrorsNameTheKey) {
  EXPECT_EQ(error_of([] { options_from_json<SolverOptions>(R"({"rtol": "x", "atol": -1, "speed": 3})"); }),
            "error: option 'rtol': expected a number\nerror: option 'atol' = -1: must be > 0\n"
            "error: unknown option 'speed'");
  EXPECT_EQ(error_of([] { options_from_json<SolverOptions>("[1]"); }), "error: options: expected a JSON object");
  EXPECT_EQ(options_from_json<TrialOptions>(R"({"patients": null, "threads": 2})").threads, 2);
}

TEST(Options, NonDefaultsForProvenance) {
  SolverOptions o;
  EXPECT_TRUE(non_default_options(o).empty());
  o.rtol = 1e-8;
  o.linear_solver = LinearSolver::klu;
  EXPECT_EQ(non_default_options(o), (std::vector<std::string>{"rtol=1e-08", "linear_solver=klu"}));
}

}  // namespace
}  // namespace gutskin
