// The tipping-point atlas end to end: a population of Schlögl models whose folds are known in
// closed form for each patient's sampled k4; the same patients whatever the thread count; a
// fold the atlas finds in the built-in model confirmed by an independent continuation of that
// patient; located errors and the CLI's files.
#include "gutskin/atlas.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gutskin/continuation.hpp"
#include "gutskin/study.hpp"
#include "support/errors.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;

namespace gutskin {
namespace {

using testing::error_of;

const fs::path source_dir = GUTSKIN_SOURCE_DIR;
const Catalog catalog{source_dir};

/// The Schlögl model dx/dt = k1 x² − k2 x³ + k3 − k4 x (tests/data/schlogl.yaml) with k4 varying
/// between patients (log-normal, SD of log 0.1 around 14).
fs::path schlogl_population(const testing::TempDir& tmp) {
  const fs::path file = tmp.path() / "schlogl_population.yaml";
  std::ofstream(file) << R"(model: schlogl_population
description: The Schlögl model with k4 varying between patients
parameters:
  k1: {value: 7, unit: 1/day, source: "assumed: test fixture"}
  k2: {value: 1, unit: 1/day, source: "assumed: test fixture"}
  k3: {value: 8, unit: 1/day, bounds: [0, 100], source: "assumed: test fixture"}
  k4: {value: 14, unit: 1/day, bounds: [1, 100], spread: 0.1, source: "assumed: test fixture"}
states:
  x: {initial: 0.5, unit: "1"}
equations:
  x: "k1 * x^2 - k2 * x^3 + k3 - k4 * x"
)";
  return file;
}

/// Where the branch of f = 0 in k3 folds (f' = 0): k3 = k4 x + k2 x³ − k1 x² at
/// x = (2 k1 ∓ √(4 k1² − 12 k2 k4)) / (6 k2). NaN when there is no fold (past the cusp).
std::pair<double, double> schlogl_folds(double k4, double k1 = 7, double k2 = 1) {
  const double disc = 4 * k1 * k1 - 12 * k2 * k4;
  if (disc <= 0) return {NAN, NAN};
  auto k3 = [&](double x) { return k4 * x + k2 * x * x * x - k1 * x * x; };
  const double lower = (2 * k1 - std::sqrt(disc)) / (6 * k2), upper = (2 * k1 + std::sqrt(disc)) / (6 * k2);
  return {k3(upper), k3(lower)};  // the bistable window in k3: [upper branch's fold, lower branch's fold]
}

testing::Outcome run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), GUTSKIN_CLI);
  return testing::run_process(std::move(args), source_dir);
}

TEST(Atlas, SchloglPatientsFoldWhereTheirCubicSays) {
  testing::TempDir tmp;
  const Study study = open(schlogl_population(tmp).string(), catalog);
  AtlasOptions o;
  o.knobs = {"k3=5:10"};
  o.patients = 60;
  o.seed = 7;
  const AtlasResult r = run_atlas(study, o);
  ASSERT_EQ(r.rows.size(), 60u);
  ASSERT_EQ(r.sampled, std::vector<std::string>{"k4"});
  int with_fold = 0, bistable = 0, past_cusp = 0;
  for (const AtlasPatient& p : r.rows) {
    ASSERT_EQ(p.status, "ok") << p.index;
    const double k4 = p.sampled[0];
    const auto [window_lo, window_hi] = schlogl_folds(k4);
    const AtlasReading& x = p.readings[0];
    EXPECT_EQ(x.value, 8.0);
    auto in_range = [](double v) { return v >= 5 && v <= 10 ? v : NAN; };
    // From x = 0.5 the patient rises to the first root: on the lower branch while it exists at
    // k3 = 8, which then folds above (at window_hi); else on the upper branch, folding below.
    double above = NAN, below = NAN;
    bool coexist = false;
    if (std::isnan(window_lo)) {
      ++past_cusp;
    } else if (8 < window_hi) {
      above = in_range(window_hi);
      coexist = window_lo < 8;
    } else {
      below = in_range(window_lo);
    }
    if (std::isnan(above)) EXPECT_TRUE(std::isnan(x.fold_above)) << "k4 = " << k4 << ": " << x.fold_above;
    else EXPECT_NEAR(x.fold_above, above, 1e-8 * above) << "k4 = " << k4;
    if (std::isnan(below)) EXPECT_TRUE(std::isnan(x.fold_below)) << "k4 = " << k4 << ": " << x.fold_below;
    else EXPECT_NEAR(x.fold_below, below, 1e-8 * below) << "k4 = " << k4;
    EXPECT_EQ(x.bistable, coexist) << "k4 = " << k4;
    with_fold += !std::isnan(above) || !std::isnan(below);
    bistable += coexist;
  }
  EXPECT_GT(with_fold, 10);  // the population spans folds in and out of range, and the cusp
  EXPECT_GT(past_cusp, 0);
  EXPECT_GT(bistable, 0);
  EXPECT_EQ(r.knobs[0].with_fold, with_fold);
  EXPECT_EQ(r.knobs[0].bistable, bistable);
  // The predictor: Spearman's ρ of k4 and the distance (no fold in range: farthest), computed
  // here from ranks counted by hand (ties, the patients without a fold, share their average rank).
  const std::size_t n = r.rows.size();
  auto rank = [&](auto key) {
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) {
      double below = 0, equal = 0;
      for (std::size_t j = 0; j < n; ++j) below += key(j) < key(i), equal += key(j) == key(i);
      out[i] = below + (equal + 1) / 2;
    }
    return out;
  };
  const auto dk = rank([&](std::size_t i) { return r.rows[i].sampled[0]; });
  const auto dd = rank([&](std::size_t i) {
    const double d = r.rows[i].readings[0].distance;
    return std::isnan(d) ? INFINITY : d;
  });
  double mk = 0, md = 0, skd = 0, skk = 0, sdd = 0;
  for (std::size_t i = 0; i < n; ++i) mk += dk[i] / n, md += dd[i] / n;
  for (std::size_t i = 0; i < n; ++i)
    skd += (dk[i] - mk) * (dd[i] - md), skk += (dk[i] - mk) * (dk[i] - mk), sdd += (dd[i] - md) * (dd[i] - md);
  ASSERT_EQ(r.knobs[0].predictors.size(), 1u);
  EXPECT_EQ(r.knobs[0].predictors[0].parameter, "k4");
  EXPECT_NEAR(r.knobs[0].predictors[0].rho, skd / std::sqrt(skk * sdd), 1e-12);
}

TEST(Atlas, TheSamePatientsWhateverTheThreadCount) {
  testing::TempDir tmp;
  const Study study = open(schlogl_population(tmp).string(), catalog);
  AtlasOptions o;
  o.knobs = {"k3=5:10", "k1=5:9"};
  o.patients = 24;
  o.threads = 1;
  write_atlas_files(run_atlas(study, o), tmp.path() / "one");
  o.threads = 2;
  write_atlas_files(run_atlas(study, o), tmp.path() / "two");
  EXPECT_EQ(testing::read_file(tmp.path() / "one/atlas.csv"), testing::read_file(tmp.path() / "two/atlas.csv"));
}

TEST(Atlas, AFoldInTheBuiltInModelIsConfirmedByContinuingThatPatient) {
  // Acne-prone adolescents differ in their sampled parameters; for some, cutting fibre tips the
  // gut–skin state (a fold of the branch in fibre). The first such patient, continued on its own.
  const Study trial = open("low_glycaemic_diet_acne", catalog);
  AtlasOptions o;
  o.knobs = {"fibre=2:60"};
  o.patients = 24;
  const AtlasResult r = run_atlas(trial, o);
  EXPECT_EQ(r.failed, 0);
  const auto tipping = std::find_if(r.rows.begin(), r.rows.end(),
                                    [](const AtlasPatient& p) { return !std::isnan(p.readings[0].distance); });
  ASSERT_NE(tipping, r.rows.end()) << "no patient with a fold in fibre among 24";
  const AtlasReading& x = tipping->readings[0];
  const bool below = !std::isnan(x.fold_below);
  ContinuationOptions c;
  c.parameter = "fibre";
  c.from = x.value;
  c.to = below ? 2.0 : 60.0;
  c.phenotype = trial.trial->population.patient.phenotype;
  for (const auto& [name, value] : trial.trial->population.patient.overrides) c.set.push_back(name + "=" + std::to_string(value));
  for (std::size_t j = 0; j < r.sampled.size(); ++j)
    c.set.push_back(fmt::format("{}={:.17g}", r.sampled[j], tipping->sampled[j]));
  const Study model = open("gut_skin", catalog);
  const ContinuationResult branch = continue_equilibria(model, c);
  ASSERT_FALSE(branch.bifurcations.empty()) << branch.end;
  EXPECT_EQ(branch.bifurcations[0].kind, "fold");
  const double expected = below ? x.fold_below : x.fold_above;
  EXPECT_NEAR(branch.bifurcations[0].value, expected, 1e-6 * expected);
}

TEST(Atlas, AnInfantsStateWithMaturityReachedIsHeldNotAFoldAtItsOwnValue) {
  // Immune maturity rises to 1 and then stays: at the steady state that state is frozen. Were it
  // left in the system, its zero eigenvalue would read as a fold at every patient's own value.
  AtlasOptions o;
  o.knobs = {"fibre=2:60"};
  o.patients = 24;
  o.phenotype = "infant_eczema_risk";
  const AtlasResult r = run_atlas(open("gut_skin", catalog), o);
  int ok = 0;
  for (const AtlasPatient& p : r.rows) {
    if (p.status != "ok") continue;
    ++ok;
    const double d = p.readings[0].distance;
    EXPECT_TRUE(std::isnan(d) || d > 1e-3) << "patient " << p.index << ": a fold " << d << " g/day from its own value";
  }
  EXPECT_GT(ok, 18);
}

TEST(Atlas, BadKnobsAreLocatedErrors) {
  const Study study = open((source_dir / "tests/data/schlogl.yaml").string(), catalog);
  auto error = [&](std::vector<std::string> knobs) {
    AtlasOptions o;
    o.knobs = std::move(knobs);
    o.patients = 2;
    return error_of([&] { run_atlas(study, o); });
  };
  EXPECT_EQ(error({}), "--parameter: error: nothing to vary: give a parameter or input with its range, name=from:to");
  EXPECT_EQ(error({"k3"}), "--parameter: error: 'k3': expected name=from:to (e.g. fibre=2:60)");
  EXPECT_EQ(error({"k3=5"}), "--parameter: error: 'k3=5': expected name=from:to (e.g. fibre=2:60)");
  EXPECT_EQ(error({"k3=a:10"}), "--parameter: error: 'k3=a:10': the from value 'a' is not a number");
  EXPECT_EQ(error({"k3=5:5"}), "--parameter: error: 'k3=5:5': the range is empty");
  EXPECT_EQ(error({"k33=5:10"}).rfind("--parameter: error: unknown parameter or input 'k33' (did you mean 'k3'?)", 0), 0u);
  EXPECT_EQ(error({"k3=5:10", "k3=1:2"}), "--parameter: error: 'k3' is named twice");
}

TEST(Atlas, CliWritesTheAtlasFiles) {
  testing::TempDir tmp;
  const testing::Outcome o = run_cli({"atlas", schlogl_population(tmp).string(), "--parameter", "k3=5:10",
                                               "--patients", "12", "--quiet", "--out", (tmp.path() / "out").string()});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("k3 in 5..10: a fold within range for"), std::string::npos) << o.out;
  const std::string csv = testing::read_file(tmp.path() / "out/atlas.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "patient,status,k4,k3,k3_fold_below,k3_fold_above,k3_distance,k3_bistable");
  const auto summary = nlohmann::json::parse(testing::read_file(tmp.path() / "out/summary.json"));
  EXPECT_EQ(summary["knobs"][0]["name"], "k3");
  EXPECT_EQ(summary["patients_done"], 12);
  EXPECT_TRUE(fs::exists(tmp.path() / "out/report.html"));

  const testing::Outcome bad = run_cli({"atlas", schlogl_population(tmp).string(), "--parameter", "k3=5"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "--parameter: error: 'k3=5': expected name=from:to (e.g. fibre=2:60)\n");
}

}  // namespace
}  // namespace gutskin
