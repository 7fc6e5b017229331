// Sensitivity analysis end to end: Sobol indices of the Ishigami function and of a linear model
// against their closed forms, Morris effects of the linear model exactly, forward sensitivities
// of the built-in model against central differences, a trial's effects, located errors, and
// the CLI's files.
#include "gutskin/sensitivity.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>

#include "gutskin/study.hpp"
#include "support/errors.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;

namespace gutskin {
namespace {

using testing::error_of;

const fs::path source_dir = GUTSKIN_SOURCE_DIR;
const Catalog catalog{source_dir};

Study fixture(const std::string& name) { return open((source_dir / "tests/data" / name).string(), catalog); }

SensitivityOptions sobol(long n) {
  SensitivityOptions o;
  o.method = SensitivityMethod::sobol;
  o.samples = n;
  o.duration = 1.0;
  o.threads = 2;
  return o;
}

double index_of(const SensitivityResult& r, const std::string& parameter, double ParameterIndices::*field) {
  for (std::size_t k = 0; k < r.parameters.size(); ++k)
    if (r.parameters[k].name == parameter) return r.indices.at(0).parameters[k].*field;
  ADD_FAILURE() << "no parameter " << parameter;
  return NAN;
}

// Closed forms (Sobol' & Levitan 1999) for a = 7, b = 0.1 on U(−π, π)³: V1 = (1 + bπ⁴/5)²/2,
// V2 = a²/8, V13 = b²π⁸(1/18 − 1/50), V = V1 + V2 + V13 + b²π⁸/50... written out in full below.
TEST(Sensitivity, SobolIndicesOfIshigamiMatchTheClosedForm) {
  const double pi = std::numbers::pi, a = 7, b = 0.1;
  const double v1 = 0.5 * std::pow(1 + b * std::pow(pi, 4) / 5, 2), v2 = a * a / 8;
  const double v13 = b * b * std::pow(pi, 8) * (1.0 / 18 - 1.0 / 50);
  const double v = v1 + v2 + v13;
  const SensitivityResult r = run_sensitivity(fixture("ishigami.yaml"), sobol(2048));
  ASSERT_EQ(r.parameters.size(), 3u);  // the three bounded parameters, uniform on their bounds
  EXPECT_EQ(r.parameters[0].distribution.text, "uniform(-3.14159, 3.14159) (model bounds)");
  EXPECT_EQ(r.runs, 2048 * 5);
  EXPECT_EQ(r.failed_runs, 0);
  EXPECT_NEAR(r.indices[0].variance, v, 0.02 * v);
  const double tol = 0.03;
  EXPECT_NEAR(index_of(r, "x1", &ParameterIndices::S1), v1 / v, tol);
  EXPECT_NEAR(index_of(r, "x2", &ParameterIndices::S1), v2 / v, tol);
  EXPECT_NEAR(index_of(r, "x3", &ParameterIndices::S1), 0.0, tol);
  EXPECT_NEAR(index_of(r, "x1", &ParameterIndices::ST), (v1 + v13) / v, tol);
  EXPECT_NEAR(index_of(r, "x2", &ParameterIndices::ST), v2 / v, tol);
  EXPECT_NEAR(index_of(r, "x3", &ParameterIndices::ST), v13 / v, tol);
  // The intervals hold the exact values and the convergence runs to N.
  EXPECT_LE(index_of(r, "x1", &ParameterIndices::ST_low), (v1 + v13) / v);
  EXPECT_GE(index_of(r, "x1", &ParameterIndices::ST_high), (v1 + v13) / v);
  ASSERT_FALSE(r.indices[0].convergence.empty());
  EXPECT_EQ(r.indices[0].convergence.back().samples, 2048);
  EXPECT_EQ(r.indices[0].convergence.front().samples, 256);
}

TEST(Sensitivity, LinearModelIndicesAreAnalytic) {
  // y = a + 2b + 3c: with a, b ~ U(0, 1) and c ~ U(0, 2), Var = 1/12 + 4/12 + 9·4/12.
  SensitivityOptions o = sobol(1024);
  o.parameters = {"a, b=uniform(0, 1), c=uniform(0, 2)"};
  o.bootstrap = 0;
  Study linear = fixture("linear_sum.yaml");
  // c's bounds in the file are [0, 1]: a distribution reaching beyond them is refused.
  EXPECT_NE(error_of([&] { run_sensitivity(linear, o); }).find("'c=uniform(0, 2)': reaches outside the bounds of 'c' [0, 1]"),
            std::string::npos);
  o.parameters = {"a", "b=uniform(0, 1)", "c=uniform(0,1)"};
  const SensitivityResult r = run_sensitivity(linear, o);
  const double total = 1 + 4 + 9;
  for (auto [name, w2] : {std::pair{"a", 1.0}, {"b", 4.0}, {"c", 9.0}}) {
    EXPECT_NEAR(index_of(r, name, &ParameterIndices::S1), w2 / total, 0.01) << name;
    EXPECT_NEAR(index_of(r, name, &ParameterIndices::ST), w2 / total, 0.01) << name;
  }
  // Morris: a step of half the range in probability moves y by w·½ for a uniform on [0, 1], so
  // every elementary effect (per unit of probability) is exactly w.
  o.method = SensitivityMethod::morris;
  o.samples = 12;
  const SensitivityResult m = run_sensitivity(linear, o);
  EXPECT_EQ(m.runs, 12 * 4);
  for (auto [name, w] : {std::pair{"a", 1.0}, {"b", 2.0}, {"c", 3.0}}) {
    EXPECT_NEAR(index_of(m, name, &ParameterIndices::mu_star), w, 1e-9) << name;
    EXPECT_NEAR(index_of(m, name, &ParameterIndices::sigma), 0.0, 1e-9) << name;
  }
}

// The answer does not depend on the thread count (a design point's values come from its index).
TEST(Sensitivity, GlobalIndicesAreTheSameOnOneOrTwoThreads) {
  SensitivityOptions o = sobol(64);
  o.threads = 1;
  const SensitivityResult one = run_sensitivity(fixture("ishigami.yaml"), o);
  o.threads = 2;
  const SensitivityResult two = run_sensitivity(fixture("ishigami.yaml"), o);
  EXPECT_EQ(nlohmann::json::parse(sensitivity_summary_to_json(one))["outputs"],
            nlohmann::json::parse(sensitivity_summary_to_json(two))["outputs"]);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(one.indices[0].parameters[k].S1, two.indices[0].parameters[k].S1);
    EXPECT_EQ(one.indices[0].parameters[k].ST_high, two.indices[0].parameters[k].ST_high);
  }
}

// Forward sensitivities of the built-in model (a scenario with an antibiotic course: schedule
// breaks) against central differences of runs at tighter tolerances.
TEST(Sensitivity, LocalSensitivitiesOfTheBuiltInModelMatchCentralDifferences) {
  const Study study = open("antibiotic_course", catalog);
  SensitivityOptions o;
  o.method = SensitivityMethod::local;
  o.parameters = {"k_abx_el,crp_base,gl_ref,ibd_reactivity,k_recol"};
  o.outputs = {"shannon,crp_mg_l,easi,dysbiosis_index"};
  o.solver.rtol = 1e-9, o.solver.atol = 1e-12;
  const SensitivityResult r = run_sensitivity(study, o);
  ASSERT_EQ(r.failed_runs, 0) << r.failures.front();
  ASSERT_EQ(r.local.size(), 4u);
  const std::size_t np = r.parameters.size();
  for (std::size_t k = 0; k < np; ++k) {
    const std::string& name = r.parameters[k].name;
    const double p = r.parameters[k].value, h = 1e-4 * std::fabs(p);
    auto run_at = [&](double value) {
      ScenarioRunOptions so;
      so.solver.rtol = 1e-12, so.solver.atol = 1e-14;
      so.set = {fmt::format("{}={:.17g}", name, value)};
      return run_scenario(study, so);
    };
    const ScenarioRun up = run_at(p + h), down = run_at(p - h);
    ASSERT_TRUE(up.ok() && down.ok());
    for (const LocalOutput& out : r.local) {
      const int col = up.result.trajectory.column(out.output);
      for (std::size_t i = 0; i < r.times.size(); i += 30) {
        const double fd = (up.result.trajectory.at(i, col) - down.result.trajectory.at(i, col)) / (2 * h);
        const double scale = std::fabs(out.value[i]) / std::fabs(p);  // ∂y/∂p of elasticity 1
        EXPECT_NEAR(out.raw[i * np + k], fd, 1e-4 * std::fabs(fd) + 1e-5 * scale)
            << out.output << " / " << name << " at day " << r.times[i];
        if (out.value[i] != 0) {
          EXPECT_NEAR(out.normalised[i * np + k], out.raw[i * np + k] * p / out.value[i], 1e-12);
        }
      }
    }
  }
}

// A trial: the per-patient effect of the arm over the reference, varied over the population.
TEST(Sensitivity, TrialEffectsVaryOverThePopulation) {
  const Study trial = open((source_dir / "src/trial/testdata/skin_trial.yaml").string(), catalog);
  SensitivityOptions o;
  o.method = SensitivityMethod::morris;
  o.samples = 4;
  o.threads = 2;
  const SensitivityResult r = run_sensitivity(trial, o);
  ASSERT_FALSE(r.outputs.empty());
  EXPECT_EQ(r.outputs[0].rfind("effect(", 0), 0u) << r.outputs[0];
  ASSERT_FALSE(r.parameters.empty());
  EXPECT_NE(r.parameters[0].distribution.text.find("(population spread)"), std::string::npos);
  EXPECT_EQ(r.runs, 4 * static_cast<long long>(r.parameters.size() + 1) * 2);  // two arms per point
  bool some = false;
  for (const auto& p : r.indices[0].parameters) some |= std::isfinite(p.mu_star) && p.mu_star > 0;
  EXPECT_TRUE(some);
  EXPECT_NE(error_of([&] { o.method = SensitivityMethod::local; run_sensitivity(trial, o); }).find("for a trial use morris or sobol"),
            std::string::npos);
}

// Runs that blow up are data: counted, their Sobol blocks and Morris trajectories dropped, the
// rest still give indices. x' = a·x² from 1 blows up at t = 1/a: inside the run for a > 1/0.9.
TEST(Sensitivity, FailedRunsAreCountedAndLeftOut) {
  SensitivityOptions o = sobol(64);
  o.parameters = {"a=uniform(0.5, 1.5)"};
  o.duration = 0.9;
  o.solver.max_steps = 2000;  // a blow-up ends at the step limit or a non-finite value
  const SensitivityResult r = run_sensitivity(fixture("blowup.yaml"), o);
  EXPECT_GT(r.failed_runs, 0);
  ASSERT_FALSE(r.failures.empty());
  EXPECT_NE(r.failures[0].find("sample "), std::string::npos) << r.failures[0];
  EXPECT_GT(r.indices[0].failed, 0);
  EXPECT_GT(r.indices[0].used, 0);
  EXPECT_EQ(r.indices[0].failed + r.indices[0].used, 64);
  EXPECT_TRUE(std::isfinite(r.indices[0].parameters[0].ST));
}

// Any SBML model: parameters by id with explicit distributions, summaries in its own time unit.
TEST(Sensitivity, WorksOnSbmlModels) {
  const Study sbml = fixture("goldbeter1991_l2v4.xml");
  SensitivityOptions o;
  o.method = SensitivityMethod::morris;
  o.samples = 6;
  o.duration = 50;
  o.parameters = {"VM1=uniform(2,4), Kc=loguniform(0.1,1)"};
  o.outputs = {"max(C), auc(M)"};
  const SensitivityResult m = run_sensitivity(sbml, o);
  EXPECT_EQ(m.failed_runs, 0);
  EXPECT_GT(m.indices[1].parameters[1].mu_star, 0);
  o.method = SensitivityMethod::local;
  o.parameters = {};
  o.outputs = {"C"};
  const SensitivityResult l = run_sensitivity(sbml, o);
  EXPECT_EQ(l.failed_runs, 0);
  EXPECT_GE(l.parameters.size(), 10u);
  // SBML parameters have no spreads or bounds: a global analysis must be told how they vary.
  o.method = SensitivityMethod::sobol;
  EXPECT_NE(error_of([&] { run_sensitivity(sbml, o); }).find("no parameter has a spread or bounds"), std::string::npos);
}

TEST(Sensitivity, BadInputIsLocatedAndExplained) {
  const Study scenario = open("antibiotic_course", catalog);
  auto error = [&](SensitivityOptions o) { return error_of([&] { run_sensitivity(scenario, o); }); };
  SensitivityOptions o;
  o.method = SensitivityMethod::morris;
  o.outputs = {"shanon"};
  EXPECT_EQ(error(o), "--outputs: error: output 'shanon': no observable, state or variable 'shanon' (did you mean 'shannon'?)");
  o.outputs = {"max(shannon"};
  EXPECT_NE(error(o).find("output 'max(shannon': expected NAME, NAME@T"), std::string::npos);
  o.outputs = {"shannon@400"};
  EXPECT_EQ(error(o), "--outputs: error: time 400 days is outside the run (0 to 180 days)");
  o.outputs = {"effect(easi)"};
  EXPECT_EQ(error(o), "--outputs: error: output 'effect(easi)': effect() and value() need a trial");
  o.outputs = {};
  o.parameters = {"k_abx=uniform(0,1)"};
  EXPECT_NE(error(o).find("--parameters: error: unknown parameter 'k_abx'"), std::string::npos);
  o.parameters = {"k_abx_el=beta(1,2)"};
  EXPECT_NE(error(o).find("unknown distribution 'beta'"), std::string::npos);
  o.parameters = {"k_abx_el=normal(1,-2)"};
  EXPECT_EQ(error(o), "--parameters: error: 'normal(1,-2)': needs sd > 0");
  o.parameters = {};
  o.levels = 3;
  EXPECT_EQ(error(o), "error: option 'levels' = 3: must be even");
  o.levels = 4;
  o.confidence = 1.5;
  EXPECT_NE(error(o).find("option 'confidence' = 1.5"), std::string::npos);
  const Study model = open("gut_skin", catalog);
  EXPECT_NE(error_of([&] { run_sensitivity(model, SensitivityOptions{}); }).find("give --duration"), std::string::npos);
}

// Stopped part-way (a progress callback asks to stop, as Ctrl-C does), then resumed from the
// checkpoint: the indices equal those of a run that was never stopped.
TEST(Sensitivity, ResumedRunEqualsAnUninterruptedOne) {
  testing::TempDir tmp;
  SensitivityOptions o = sobol(256);
  o.threads = 1;
  const SensitivityResult whole = run_sensitivity(fixture("ishigami.yaml"), o);
  o.checkpoint_dir = tmp.path() / "work";
  RunControl stop_early;
  stop_early.progress_interval = 0;
  stop_early.progress = [](const Progress& p) { return p.done >= 300 ? CallbackResult::stop : CallbackResult::proceed; };
  const SensitivityResult first = run_sensitivity(fixture("ishigami.yaml"), o, stop_early);
  ASSERT_TRUE(first.stopped);
  EXPECT_LT(first.runs, 256 * 5);
  o.resume = true;
  const SensitivityResult rest = run_sensitivity(fixture("ishigami.yaml"), o);
  EXPECT_FALSE(rest.stopped);
  EXPECT_EQ(rest.resumed, first.runs);
  EXPECT_EQ(rest.runs, 256 * 5);
  EXPECT_EQ(nlohmann::json::parse(sensitivity_summary_to_json(rest))["outputs"],
            nlohmann::json::parse(sensitivity_summary_to_json(whole))["outputs"]);
  // A different design cannot resume this one.
  o.samples = 512;
  EXPECT_NE(error_of([&] { run_sensitivity(fixture("ishigami.yaml"), o); }).find("cannot resume"), std::string::npos);
}

// A record of the checkpoint damaged on disk (one bit of an output) is found by its checksum
// on --resume: the points from it on are run again and the indices are still exact.
TEST(Sensitivity, ADamagedCheckpointRecordIsRunAgain) {
  testing::TempDir tmp;
  SensitivityOptions o = sobol(256);
  o.threads = 1;
  const SensitivityResult whole = run_sensitivity(fixture("ishigami.yaml"), o);
  o.checkpoint_dir = tmp.path() / "work";
  RunControl stop_early;
  stop_early.progress_interval = 0;
  stop_early.progress = [](const Progress& p) { return p.done >= 300 ? CallbackResult::stop : CallbackResult::proceed; };
  ASSERT_TRUE(run_sensitivity(fixture("ishigami.yaml"), o, stop_early).stopped);
  const fs::path part = o.checkpoint_dir / "part-0.bin";
  std::string bytes = testing::read_file(part);
  ASSERT_GT(bytes.size(), 1000u);
  bytes[bytes.size() / 2] ^= 0x01;  // one bit in the middle of the part
  std::ofstream(part, std::ios::binary) << bytes;
  o.resume = true;
  const SensitivityResult rest = run_sensitivity(fixture("ishigami.yaml"), o);
  ASSERT_FALSE(rest.stopped);
  ASSERT_EQ(rest.notes.size(), whole.notes.size() + 1);
  EXPECT_EQ(std::count_if(rest.notes.begin(), rest.notes.end(),
                          [](const std::string& n) { return n.find("is damaged at design point") != std::string::npos; }),
            1);
  EXPECT_LT(rest.resumed, rest.runs);
  EXPECT_EQ(nlohmann::json::parse(sensitivity_summary_to_json(rest))["outputs"],
            nlohmann::json::parse(sensitivity_summary_to_json(whole))["outputs"]);
}

TEST(Sensitivity, TwoMpiProcessesWriteTheSingleProcessIndices) {
  if (std::system("command -v mpirun >/dev/null 2>&1") != 0) GTEST_SKIP() << "no mpirun";
  testing::TempDir tmp;
  const std::vector<std::string> args = {"sensitivity", "tests/data/ishigami.yaml", "--samples", "128", "--duration", "1",
                                         "--threads", "1", "--quiet", "--out"};
  std::vector<std::string> one = {GUTSKIN_CLI};
  one.insert(one.end(), args.begin(), args.end());
  one.push_back((tmp.path() / "one").string());
  ASSERT_EQ(testing::run_process(one, source_dir).code, 0);
  std::vector<std::string> two = {"mpirun", "--allow-run-as-root", "--oversubscribe", "-n", "2", GUTSKIN_CLI};
  two.insert(two.end(), args.begin(), args.end());
  two.push_back((tmp.path() / "two").string());
  const auto run = testing::run_process(two, source_dir);
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("1 thread, 2 processes"), std::string::npos) << run.out;
  EXPECT_EQ(testing::read_file(tmp.path() / "one/indices.csv"), testing::read_file(tmp.path() / "two/indices.csv"));
}

TEST(Sensitivity, CliWritesIndicesSummaryAndReport) {
  testing::TempDir tmp;
  const fs::path out = tmp.path() / "ish";
  const auto run = testing::run_process({GUTSKIN_CLI, "sensitivity", "tests/data/ishigami.yaml", "--method", "morris",
                                         "--samples", "8", "--duration", "1", "--quiet", "--out", out.string()},
                                        source_dir);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("morris sensitivity of 'ishigami': 3 parameters, 1 outputs, 32 runs (0 failed)"), std::string::npos)
      << run.out;
  const std::string csv = testing::read_file(out / "indices.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "output,parameter,mu_star,mu_star_low,mu_star_high,mu,sigma");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  const auto summary = nlohmann::json::parse(testing::read_file(out / "summary.json"));
  EXPECT_EQ(summary["method"], "morris");
  EXPECT_EQ(summary["outputs"][0]["ranking"].size(), 3u);
  EXPECT_TRUE(fs::exists(out / "report.html"));

  const auto bad = testing::run_process({GUTSKIN_CLI, "sensitivity", "tests/data/ishigami.yaml", "--duration", "1",
                                         "--parameters", "x1=uniform(1)", "--out", (tmp.path() / "bad").string()},
                                        source_dir);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--parameters: error: 'uniform(1)': expected uniform(a, b)"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace gutskin
