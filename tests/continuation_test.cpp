// Continuation end to end: the Schlögl model's two analytic folds, the Brusselator's analytic
// Hopf point, the bistable psoriasis model of Shmarov et al. 2022 (SBML, its parameter by name),
// located errors and the CLI's files.
#include "gutskin/continuation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gutskin/steady_state.hpp"
#include "gutskin/study.hpp"
#include "support/errors.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;

namespace gutskin {
namespace {

using testing::error_of;

const fs::path source_dir = GUTSKIN_SOURCE_DIR;
const fs::path shared_dir = GUTSKIN_SHARED_DIR;
const Catalog catalog{source_dir};

Study fixture(const std::string& name) { return open((source_dir / "tests/data" / name).string(), catalog); }

ContinuationOptions along(const std::string& parameter, double from, double to) {
  ContinuationOptions o;
  o.parameter = parameter;
  o.from = from;
  o.to = to;
  return o;
}

TEST(Continuation, SchloglBranchFoldsTwiceWhereTheCubicsDerivativeVanishes) {
  // f = −x³ + 7x² − 14x + c: folds where f' = 0, x = (14 ± √28)/6, at c = x³ − 7x² + 14x.
  const ContinuationResult r = continue_equilibria(fixture("schlogl.yaml"), along("k3", 5, 10));
  ASSERT_EQ(r.bifurcations.size(), 2u) << r.end;
  std::vector<double> expected;
  for (double x : {(14 - std::sqrt(28.0)) / 6, (14 + std::sqrt(28.0)) / 6}) expected.push_back(x * x * x - 7 * x * x + 14 * x);
  EXPECT_EQ(r.bifurcations[0].kind, "fold");
  EXPECT_EQ(r.bifurcations[1].kind, "fold");
  EXPECT_NEAR(r.bifurcations[0].value, expected[0], 1e-8 * expected[0]);  // the lower branch ends at c = 8.6311
  EXPECT_NEAR(r.bifurcations[1].value, expected[1], 1e-8 * expected[1]);  // the middle one at c = 5.8874
  EXPECT_NEAR(r.bifurcations[0].state[0], (14 - std::sqrt(28.0)) / 6, 1e-6);
  EXPECT_EQ(r.end, "reached k3 = 10");
  // Stable, then unstable between the folds, then stable again: exactly two changes.
  int changes = 0;
  for (std::size_t k = 1; k < r.branch.size(); ++k) changes += r.branch[k].stable != r.branch[k - 1].stable;
  EXPECT_EQ(changes, 2);
  EXPECT_TRUE(r.branch.front().stable);
  EXPECT_TRUE(r.branch.back().stable);
  EXPECT_NEAR(r.branch.back().value, 10.0, 1e-12);
  for (const ContinuationPoint& p : r.branch) {  // every point is an equilibrium
    const double x = p.state[0];
    EXPECT_NEAR(-x * x * x + 7 * x * x - 14 * x + p.value, 0.0, 1e-7 * (1 + x * x * x));
  }
}

TEST(Continuation, SchloglFoldsMeetAtTheCuspOfTheCubic) {
  // f = −x³ + 7x² − k4·x + k3: folds where f = f' = 0, the cusp where f'' = 0 too: x = 7/3,
  // k4 = 49/3, k3 = 343/27.
  ContinuationOptions o = along("k3", 5, 20);
  o.second = "k4";
  o.from2 = 10;
  o.to2 = 20;
  const ContinuationResult r = continue_equilibria(fixture("schlogl.yaml"), o);
  int cusps = 0, folds = 0;
  for (const Bifurcation& b : r.fold_curve) {
    EXPECT_EQ(b.second_parameter, "k4");
    const double x = b.state.at(0), k3 = b.value, k4 = b.second_value;
    EXPECT_NEAR(-x * x * x + 7 * x * x - k4 * x + k3, 0.0, 1e-7 * (1 + k3));
    EXPECT_NEAR(-3 * x * x + 14 * x - k4, 0.0, 1e-6 * (1 + k4));
    if (b.kind == "cusp") {
      ++cusps;
      EXPECT_NEAR(k3, 343.0 / 27, 1e-7);
      EXPECT_NEAR(k4, 49.0 / 3, 1e-7);
      EXPECT_NEAR(x, 7.0 / 3, 1e-5);
    }
    folds += b.kind == "fold";
  }
  EXPECT_EQ(cusps, 1);
  EXPECT_GT(folds, 20);
  // Both folds of the S lie on that one curve: the second is not traced again.
  for (const Bifurcation& b : r.fold_curve) EXPECT_EQ(b.curve, 0);
  EXPECT_NE(std::find_if(r.notes.begin(), r.notes.end(),
                         [](const std::string& n) { return n.find("lies on an earlier fold curve") != std::string::npos; }),
            r.notes.end());
  EXPECT_EQ(error_of([&] {
              ContinuationOptions bad = o;
              bad.from2 = 15;  // k4 = 14 lies outside
              continue_equilibria(fixture("schlogl.yaml"), bad);
            }),
            "--second: error: 'k4' is 14 here, outside --from2 .. --to2 (15 .. 20): the fold curve starts at its value");
}

TEST(Continuation, SecondParameterFollowsEveryFoldWhenTheirCuspIsOutOfRange) {
  // With k4 in 10 .. 15 the cusp (k4 = 49/3) is out of range: the two folds are two curves, each
  // on f = f' = 0, the lower-k3 one below the other all the way.
  ContinuationOptions o = along("k3", 5, 20);
  o.second = "k4";
  o.from2 = 10;
  o.to2 = 15;
  const ContinuationResult r = continue_equilibria(fixture("schlogl.yaml"), o);
  int on[2] = {0, 0};
  for (const Bifurcation& b : r.fold_curve) {
    ASSERT_EQ(b.kind, "fold");
    ASSERT_TRUE(b.curve == 0 || b.curve == 1);
    ++on[b.curve];
    const double x = b.state.at(0), k3 = b.value, k4 = b.second_value;
    EXPECT_NEAR(-x * x * x + 7 * x * x - k4 * x + k3, 0.0, 1e-7 * (1 + k3));
    EXPECT_NEAR(-3 * x * x + 14 * x - k4, 0.0, 1e-6 * (1 + k4));
    EXPECT_GE(k4, 10 - 1e-9);
    EXPECT_LE(k4, 15 + 1e-9);
    // curve 0 starts at the fold met first (8.63, x < 7/3), curve 1 at the other (x > 7/3)
    EXPECT_EQ(x < 7.0 / 3, b.curve == 0) << "x = " << x << " on curve " << b.curve;
  }
  EXPECT_GT(on[0], 10);
  EXPECT_GT(on[1], 10);
}

TEST(Continuation, BrusselatorLosesStabilityInAHopfBifurcationAtBEqualsOnePlusASquared) {
  const ContinuationResult r = continue_equilibria(fixture("brusselator.yaml"), along("b", 1, 3));
  ASSERT_EQ(r.bifurcations.size(), 1u) << r.end;
  EXPECT_EQ(r.bifurcations[0].kind, "hopf");
  EXPECT_NEAR(r.bifurcations[0].value, 2.0, 1e-8);
  EXPECT_NEAR(r.bifurcations[0].frequency, 1.0, 1e-6);
  EXPECT_NEAR(r.bifurcations[0].state[0], 1.0, 1e-8);  // the equilibrium (a, b/a)
  EXPECT_NEAR(r.bifurcations[0].state[1], 2.0, 1e-8);
  EXPECT_TRUE(r.branch.front().stable);
  EXPECT_FALSE(r.branch.back().stable);
}

TEST(Continuation, ToggleSwitchInAnInputFreeParameterStaysOnOneBranch) {
  // From the saddle at a = 10 the symmetric branch u = v continues down: no fold on it.
  ContinuationOptions o = along("a", 10, 1);
  const ContinuationResult r = continue_equilibria(fixture("toggle_switch.yaml"), o);
  EXPECT_EQ(r.end, "reached a = 1");
  for (const ContinuationPoint& p : r.branch) EXPECT_NEAR(p.state[0] * (1 + p.state[1] * p.state[1]), p.value, 1e-6 * p.value);
}

TEST(Continuation, PsoriasisModelHasTwoFoldsInDendriticCellActivation) {
  const fs::path sbml = shared_dir / "data/psoriasis-shmarov2022/psor_v8_4.xml";
  if (!fs::exists(sbml)) GTEST_SKIP() << "no " << sbml << " (the shared data folder is absent)";
  const Study study = open(sbml.string(), catalog);
  ContinuationOptions o = along("dc_act", 1000, 5000);  // by its SBML name
  const ContinuationResult r = continue_equilibria(study, o);
  EXPECT_EQ(r.parameter_label, "dc_act");
  EXPECT_EQ(r.parameter, "mwe680fc55_7224_4814_9619_57a8c0f53b43");
  ASSERT_EQ(r.bifurcations.size(), 2u) << r.end;
  for (const Bifurcation& b : r.bifurcations) EXPECT_EQ(b.kind, "fold");
  // Its published value of dc_act, 1880, lies between the folds: bistable there.
  const double low = std::min(r.bifurcations[0].value, r.bifurcations[1].value);
  const double high = std::max(r.bifurcations[0].value, r.bifurcations[1].value);
  EXPECT_LT(low, 1880);
  EXPECT_GT(high, 1880);
  std::cout << "psoriasis folds in dc_act: " << r.bifurcations[0].value << ", " << r.bifurcations[1].value << " ("
            << r.branch.size() << " points, " << r.wall_seconds << " s)\n";
  RecordProperty("fold_1", std::to_string(r.bifurcations[0].value));
  RecordProperty("fold_2", std::to_string(r.bifurcations[1].value));
}

TEST(Continuation, PsoriasisModelIsBistableWithAHealthyASaddleAndAPlaqueState) {
  const fs::path sbml = shared_dir / "data/psoriasis-shmarov2022/psor_v8_4.xml";
  if (!fs::exists(sbml)) GTEST_SKIP() << "no " << sbml << " (the shared data folder is absent)";
  const Study study = open(sbml.string(), catalog);
  SteadyStateOptions o;
  o.all = true;
  o.threads = 2;
  const SteadyStateResult r = find_steady_states(study, o);
  // The equilibria with every cell type present that is present in health (the others lie on
  // faces of the state space where a population is extinct).
  const Equilibrium& healthy = r.equilibria.at(0);
  std::vector<const Equilibrium*> inside;
  for (const Equilibrium& e : r.equilibria) {
    bool all = true;
    for (std::size_t i = 0; i < e.state.size(); ++i) all &= !(healthy.state[i] > 1e-9) || e.state[i] > 1e-9;
    if (all) inside.push_back(&e);
  }
  ASSERT_EQ(inside.size(), 3u);
  int stable = 0, saddles = 0;
  for (const Equilibrium* e : inside) {
    int unstable_directions = 0;
    for (const auto& l : e->eigenvalues) unstable_directions += l.real() > 0;
    stable += e->stable;
    saddles += unstable_directions == 1;
  }
  EXPECT_EQ(stable, 2);
  EXPECT_EQ(saddles, 1);
  const int il17 = study.model->model().state_index("mw848e4aa0_8e23_4377_95d5_fa8e181172b9");  // IL17
  ASSERT_GE(il17, 0);
  double plaque_il17 = 0;
  for (const Equilibrium* e : inside)
    if (e->stable && e != &healthy) plaque_il17 = e->state[il17];
  EXPECT_GT(plaque_il17, 2 * healthy.state[il17]) << "the plaque state carries more IL-17 (65.5 against 21.3)";
  std::cout << "psoriasis: IL17 healthy " << healthy.state[il17] << ", plaque " << plaque_il17 << "\n";
}

TEST(Continuation, BadInputIsALocatedError) {
  const Study study = fixture("schlogl.yaml");
  EXPECT_EQ(error_of([&] { continue_equilibria(study, along("k33", 5, 10)); }),
            "--parameter: error: unknown parameter or input 'k33' (did you mean 'k3'?)");
  EXPECT_EQ(error_of([&] { continue_equilibria(study, along("k3", 5, 5)); }), "error: option 'to' = 5: must differ from 'from'");
  ContinuationOptions no_from = along("k3", 5, 10);
  no_from.from.reset();
  EXPECT_EQ(error_of([&] { continue_equilibria(study, no_from); }),
            "error: option 'from' is missing: give the start value of the parameter");
}

testing::Outcome run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), GUTSKIN_CLI);
  return testing::run_process(std::move(args), source_dir);
}

TEST(Continuation, CliWritesTheBranchTheBifurcationsAndTheDiagram) {
  testing::TempDir dir;
  const auto run = run_cli({"continue", "tests/data/schlogl.yaml", "--parameter", "k3", "--from", "5", "--to", "10",
                            "--out", dir.path().string()});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("  fold at k3 = 8.63113030"), std::string::npos) << run.out;
  std::ifstream branch(dir.path() / "branch.csv");
  std::string header;
  std::getline(branch, header);
  EXPECT_EQ(header, "k3,stable,max_real_eigenvalue,x");
  const std::string bifurcations = testing::read_file(dir.path() / "bifurcations.csv");
  EXPECT_EQ(bifurcations.substr(0, bifurcations.find('\n')), "kind,parameter,value,second_parameter,second_value");
  EXPECT_NE(bifurcations.find("\nfold,k3,8.63113030"), std::string::npos) << bifurcations;
  EXPECT_TRUE(fs::exists(dir.path() / "report.html"));
  const auto j = nlohmann::json::parse(std::ifstream(dir.path() / "summary.json"));
  EXPECT_EQ(j["bifurcations"].size(), 2u);
  EXPECT_EQ(run_cli({"continue", "tests/data/schlogl.yaml", "--from", "5", "--to", "10"}).code, 2);  // no --parameter
}

}  // namespace
}  // namespace gutskin
