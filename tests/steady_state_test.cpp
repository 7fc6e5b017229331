// Steady states end to end: analytic equilibria and eigenvalues (Schlögl, the toggle switch), a
// closed network's conservation law, the built-in model and its scenarios, every feasible
// equilibrium of the Stein et al. 2013 gLV model against an exact enumeration, located errors,
// and the CLI's files.
#include "gutskin/steady_state.hpp"

#include <Eigen/Dense>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "gutskin/continuation.hpp"
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

SteadyStateOptions all_of(long starts = 0) {
  SteadyStateOptions o;
  o.all = true;
  o.starts = starts;
  o.threads = 2;
  return o;
}

/// The equilibria's value of state `i`, sorted.
std::vector<double> values_of(const SteadyStateResult& r, int i) {
  std::vector<double> v;
  for (const Equilibrium& e : r.equilibria) v.push_back(e.state.at(i));
  std::sort(v.begin(), v.end());
  return v;
}

const Equilibrium& near(const SteadyStateResult& r, int i, double value) {
  for (const Equilibrium& e : r.equilibria)
    if (std::abs(e.state[i] - value) < 1e-6) return e;
  ADD_FAILURE() << "no equilibrium with state " << i << " = " << value;
  return r.equilibria.at(0);
}

TEST(SteadyState, SchloglHasItsThreeAnalyticEquilibriaWithTheirEigenvalues) {
  // f(x) = −(x − 1)(x − 2)(x − 4): f'(1) = −3, f'(2) = 2, f'(4) = −6.
  const SteadyStateResult r = find_steady_states(fixture("schlogl.yaml"), all_of());
  ASSERT_EQ(r.equilibria.size(), 3u);
  const std::vector<double> x = values_of(r, 0);
  EXPECT_NEAR(x[0], 1.0, 1e-9);
  EXPECT_NEAR(x[1], 2.0, 1e-9);
  EXPECT_NEAR(x[2], 4.0, 1e-9);
  const double expected[] = {-3, 2, -6};
  for (int k = 0; k < 3; ++k) {
    const Equilibrium& e = near(r, 0, x[k]);
    ASSERT_EQ(e.eigenvalues.size(), 1u);
    EXPECT_NEAR(e.eigenvalues[0].real(), expected[k], 1e-7);
    EXPECT_EQ(e.stable, expected[k] < 0);
    EXPECT_LE(e.residual, 1e-9);
  }
  // From its initial state 0.5 Newton reaches the lower stable state first.
  EXPECT_NEAR(r.equilibria[0].state[0], 1.0, 1e-9);
  EXPECT_NEAR(r.equilibria[0].slowest_time_constant, 1.0 / 3, 1e-9);
  EXPECT_EQ(r.failed_starts, 0);
  EXPECT_TRUE(r.conservation_laws.empty());
}

TEST(SteadyState, ToggleSwitchHasASaddleAndTwoMirroredStableStates) {
  const SteadyStateResult r = find_steady_states(fixture("toggle_switch.yaml"), all_of());
  ASSERT_EQ(r.equilibria.size(), 3u);
  int stable = 0;
  for (const Equilibrium& e : r.equilibria) {
    const double u = e.state[0], v = e.state[1];
    EXPECT_NEAR(10 / (1 + v * v), u, 1e-8);
    EXPECT_NEAR(10 / (1 + u * u), v, 1e-8);
    stable += e.stable;
    if (std::abs(u - v) < 1e-6) {  // the saddle u = v = 2: eigenvalues −1 ± 1.6
      EXPECT_NEAR(u, 2.0, 1e-9);
      ASSERT_EQ(e.eigenvalues.size(), 2u);
      EXPECT_NEAR(e.eigenvalues[0].real(), 0.6, 1e-8);
      EXPECT_NEAR(e.eigenvalues[1].real(), -2.6, 1e-8);
      EXPECT_FALSE(e.stable);
    }
  }
  EXPECT_EQ(stable, 2);
  // The two stable states mirror each other across u = v.
  std::vector<const Equilibrium*> on;
  for (const Equilibrium& e : r.equilibria)
    if (e.stable) on.push_back(&e);
  ASSERT_EQ(on.size(), 2u);
  EXPECT_NEAR(on[0]->state[0], on[1]->state[1], 1e-8);
  EXPECT_NEAR(on[0]->state[1], on[1]->state[0], 1e-8);
}

TEST(SteadyState, ClosedNetworkKeepsItsConservationLawAndItsTotal) {
  const SteadyStateResult r = find_steady_states(fixture("closed_network.yaml"), all_of(64));
  ASSERT_EQ(r.conservation_laws.size(), 1u);
  EXPECT_EQ(r.conservation_laws[0].text, "A + B + C = 6");
  EXPECT_FALSE(r.conservation_laws[0].held);
  ASSERT_EQ(r.equilibria.size(), 1u);  // every start lands on the one state with the start's total
  const Equilibrium& e = r.equilibria[0];
  EXPECT_NEAR(e.state[0], 3.0, 1e-9);
  EXPECT_NEAR(e.state[1], 1.0, 1e-9);
  EXPECT_NEAR(e.state[2], 2.0, 1e-9);
  // Two eigenvalues on the law's plane (the zero one along the law is not a mode): the
  // Jacobian [[−1, 1, 1], [1, −3, 0], [0, 2, −1]] has characteristic polynomial
  // −(μ + 2)(μ − 1)(μ + 1) in μ = 1 + λ, so λ = 0 (along the law), −2 and −3.
  ASSERT_EQ(e.eigenvalues.size(), 2u);
  EXPECT_NEAR(e.eigenvalues[0].real(), -2.0, 1e-9);
  EXPECT_NEAR(e.eigenvalues[1].real(), -3.0, 1e-9);
  EXPECT_NEAR(e.slowest_time_constant, 0.5, 1e-9);
  EXPECT_TRUE(e.stable);
  EXPECT_EQ(r.failed_starts, 0);
}

TEST(SteadyState, BuiltInModelAndScenariosSettleToStableStates) {
  const SteadyStateResult healthy = find_steady_states(open("gut_skin", catalog));
  ASSERT_EQ(healthy.equilibria.size(), 1u);
  EXPECT_TRUE(healthy.equilibria[0].stable);
  EXPECT_EQ(healthy.equilibria[0].method, "newton");  // its initial values are its steady state
  // The imprinted tolerance and a wound at zero are frozen there: held, and said so.
  ASSERT_EQ(healthy.conservation_laws.size(), 2u);
  EXPECT_EQ(healthy.conservation_laws[0].text, "tolerance held at 1 (its rate and Jacobian row vanish there)");
  EXPECT_TRUE(healthy.conservation_laws[0].held);
  // After an antibiotic course the patient returns to the same healthy state.
  const SteadyStateResult abx = find_steady_states(open("antibiotic_course", catalog));
  ASSERT_EQ(abx.equilibria.size(), 1u);
  EXPECT_TRUE(abx.equilibria[0].stable);
  EXPECT_DOUBLE_EQ(abx.t, 180.0);
  const int lb = open("gut_skin", catalog).model->model().state_index("lb");
  EXPECT_NEAR(abx.equilibria[0].state[lb], healthy.equilibria[0].state[lb], 1e-6 * healthy.equilibria[0].state[lb]);
  // A newborn's tolerance is imprinted on the way: found by simulating, then held.
  const SteadyStateResult infant = find_steady_states(open("probiotic_infant_eczema", catalog));
  ASSERT_EQ(infant.equilibria.size(), 1u);
  EXPECT_EQ(infant.equilibria[0].method, "simulation + newton");
  EXPECT_LE(infant.equilibria[0].residual, 1e-9);
}

TEST(SteadyState, InputsAndSettingsMoveTheSteadyState) {
  const Study study = open("gut_skin", catalog);
  const int fibre_state = study.model->model().state_index("fibre_col");
  SteadyStateOptions low;
  low.inputs = {"fibre=10"};
  SteadyStateOptions high;
  high.inputs = {"fibre=40"};
  const SteadyStateResult a = find_steady_states(study, low), b = find_steady_states(study, high);
  ASSERT_GE(fibre_state, 0);
  EXPECT_LT(a.equilibria[0].state[fibre_state], b.equilibria[0].state[fibre_state]);
  bool shown = false;
  for (const auto& [name, value] : a.inputs) shown |= name == "fibre" && value == 10;
  EXPECT_TRUE(shown);
}

// ---- Stein et al. 2013: every feasible equilibrium of the fitted gLV model --------------------

struct Glv {
  std::vector<std::string> names;
  Eigen::MatrixXd M;
  Eigen::VectorXd mu;
};

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(cell);
  return out;
}

Glv read_stein(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // header
  Glv g;
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    const auto cells = split_csv_line(line);
    if (cells.size() < 14 || cells[0].empty()) continue;
    g.names.push_back(cells[0]);
    std::vector<double> row;
    for (int j = 1; j <= 12; ++j) row.push_back(std::stod(cells[j]));
    rows.push_back(row);
  }
  const int n = static_cast<int>(rows.size());
  g.M.resize(n, n);
  g.mu.resize(n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) g.M(i, j) = rows[i][j];
    g.mu(i) = rows[i][n];
  }
  return g;
}

/// The gLV model as a gutskin model file: dx_i/dt = x_i (μ_i + Σ_j M_ij x_j).
fs::path write_glv_model(const Glv& g, const fs::path& dir) {
  fs::create_directories(dir);
  std::ostringstream y;
  y << "model: stein2013\ndescription: Stein et al. 2013 gLV model of the mouse gut\nparameters:\n";
  const int n = static_cast<int>(g.names.size());
  for (int i = 0; i < n; ++i) {
    y << fmt::format("  mu_{}: {{value: {:.17g}, unit: 1/day, source: \"Stein 2013 Dataset S1\"}}\n", i, g.mu(i));
    for (int j = 0; j < n; ++j)
      y << fmt::format("  M_{}_{}: {{value: {:.17g}, unit: 1/day, source: \"Stein 2013 Dataset S1\"}}\n", i, j, g.M(i, j));
  }
  y << "states:\n";
  for (int i = 0; i < n; ++i) y << fmt::format("  x{}: {{initial: 0.1, unit: \"1\", description: \"{}\"}}\n", i, g.names[i]);
  y << "equations:\n";
  for (int i = 0; i < n; ++i) {
    y << fmt::format("  x{}: \"x{} * (mu_{}", i, i, i);
    for (int j = 0; j < n; ++j) y << fmt::format(" + M_{}_{} * x{}", i, j, j);
    y << ")\"\n";
  }
  const fs::path file = dir / "stein2013.yaml";
  std::ofstream(file) << y.str();
  return file;
}

struct Feasible {
  Eigen::VectorXd x;
  bool stable;
};

/// Every feasible equilibrium by enumeration: for each set S of present species, x_S solves
/// M_SS x_S = −μ_S and must be positive; stability from the gLV Jacobian's eigenvalues.
std::vector<Feasible> enumerate(const Glv& g) {
  const int n = static_cast<int>(g.mu.size());
  std::vector<Feasible> out;
  for (int mask = 0; mask < (1 << n); ++mask) {
    std::vector<int> s;
    for (int i = 0; i < n; ++i)
      if (mask >> i & 1) s.push_back(i);
    Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
    if (!s.empty()) {
      Eigen::MatrixXd A(s.size(), s.size());
      Eigen::VectorXd b(s.size());
      for (std::size_t a = 0; a < s.size(); ++a) {
        b(a) = -g.mu(s[a]);
        for (std::size_t c = 0; c < s.size(); ++c) A(a, c) = g.M(s[a], s[c]);
      }
      const Eigen::VectorXd xs = A.fullPivLu().solve(b);
      if (!(xs.array() > 0).all() || (A * xs - b).norm() > 1e-9 * (1 + b.norm())) continue;
      for (std::size_t a = 0; a < s.size(); ++a) x(s[a]) = xs(a);
    }
    Eigen::MatrixXd J = x.asDiagonal() * g.M;
    J.diagonal() += g.mu + g.M * x;
    const double max_real = J.eigenvalues().real().maxCoeff();
    out.push_back({x, max_real < 0});
  }
  return out;
}

TEST(SteadyState, SteinGlvModelHasEveryFeasibleEquilibriumOfAnExactEnumeration) {
  const fs::path csv = shared_dir / "data/stein2013/parameters.csv";
  if (!fs::exists(csv)) GTEST_SKIP() << "no " << csv << " (the shared data folder is absent)";
  const Glv g = read_stein(csv);
  ASSERT_EQ(g.names.size(), 11u);
  const std::vector<Feasible> exact = enumerate(g);
  const fs::path model = write_glv_model(g, fs::temp_directory_path() / "gutskin_stein2013");
  const SteadyStateResult r = find_steady_states(open(model.string(), catalog), all_of());
  EXPECT_EQ(r.starts, 1 + 2048);  // every zero pattern of the 11 species once
  int stable = 0;
  for (const Feasible& f : exact) {
    const Equilibrium* found = nullptr;
    for (const Equilibrium& e : r.equilibria) {
      bool same = true;
      for (int i = 0; i < 11; ++i) same &= std::abs(e.state[i] - f.x(i)) <= 1e-6 * std::max(1.0, std::abs(f.x(i)));
      if (same) found = &e;
    }
    std::string present;
    for (int i = 0; i < 11; ++i)
      if (f.x(i) > 0) present += g.names[i] + " ";
    stable += f.stable;
    EXPECT_NE(found, nullptr) << "missing the equilibrium with " << (present.empty() ? "no species" : present);
    if (found) {
      EXPECT_EQ(found->stable, f.stable) << present;
    }
  }
  EXPECT_EQ(r.equilibria.size(), exact.size());  // and nothing else
  RecordProperty("feasible", static_cast<int>(exact.size()));
  RecordProperty("stable", stable);
  std::cout << "Stein 2013 gLV: " << exact.size() << " feasible equilibria, " << stable << " stable, found in "
            << r.wall_seconds << " s\n";
}

// ---- errors and files ---------------------------------------------------------------------------

TEST(SteadyState, BadInputIsALocatedError) {
  const Study study = open("gut_skin", catalog);
  SteadyStateOptions o;
  o.inputs = {"fibrr=30"};
  EXPECT_EQ(error_of([&] { find_steady_states(study, o); }), "--input: error: unknown input 'fibrr' (did you mean 'fibre'?)");
  o.inputs = {"fibre"};
  EXPECT_EQ(error_of([&] { find_steady_states(study, o); }),
            "--input: error: 'fibre': expected name=value (an input and a number in its unit)");
  o.inputs = {};
  o.tolerance = 0;
  EXPECT_EQ(error_of([&] { find_steady_states(study, o); }), "error: option 'tolerance' = 0: must be in (0, 1]");
  EXPECT_EQ(error_of([&] { find_steady_states(open("antibiotic_probiotic_acne", catalog, FileKind::trial)); }),
            fmt::format("{}: error: steady states take a model or a scenario; a trial has many patients (use its "
                        "model or a scenario)",
                        (source_dir / "trials/antibiotic_probiotic_acne.yaml").string()));
}

testing::Outcome run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), GUTSKIN_CLI);
  return testing::run_process(std::move(args), source_dir);
}

TEST(SteadyState, CliWritesOneRowPerEquilibriumAndTheSummary) {
  const fs::path out = fs::temp_directory_path() / "gutskin_steady_cli";
  fs::remove_all(out);
  const auto run = run_cli({"steady-state", (source_dir / "tests/data/schlogl.yaml").string(), "--all",
                                     "--quiet", "--out", out.string()});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("steady states of 'schlogl': 3 found from 257 starts (0 failed)"), std::string::npos) << run.out;
  std::ifstream csv(out / "steady_states.csv");
  std::string header, row;
  std::getline(csv, header);
  EXPECT_EQ(header, "id,stable,max_real_eigenvalue,x");
  int rows = 0;
  while (std::getline(csv, row)) ++rows;
  EXPECT_EQ(rows, 3);
  const auto j = nlohmann::json::parse(std::ifstream(out / "summary.json"));
  EXPECT_EQ(j["equilibria"].size(), 3u);
  EXPECT_EQ(j["equilibria"][0]["method"], "newton");
  // No equilibrium at all (dx/dt = 1): exit code 1 with what was tried.
  testing::TempDir dir;
  std::ofstream(dir.path() / "growth.yaml") << "model: growth\nstates:\n  x: {initial: 1, unit: AU}\nequations:\n  x: \"1\"\n";
  const auto none = run_cli({"steady-state", (dir.path() / "growth.yaml").string(), "--quiet", "--out", out.string(),
                             "--max-time", "100"});
  EXPECT_EQ(none.code, 1) << none.out << none.err;
  EXPECT_NE(none.err.find("error: no steady state found for 'growth' (1 start): from the start state: newton:"),
            std::string::npos)
      << none.err;
}

}  // namespace
}  // namespace gutskin

namespace gutskin {
namespace {

// Every SBML Test Suite model: a steady state or a clear refusal (InputError: delays, a trial)
// or a SolverError saying what was tried — never a crash or another exception. Every 10th case
// also continued in its first free parameter, from its value to twice it.
TEST(SteadyState, SbmlTestSuiteModelsNeverCrashItOrContinuation) {
  const fs::path cases = shared_dir / "data/sbml-test-suite/cases";
  if (!fs::is_directory(cases)) GTEST_SKIP() << "no " << cases << " (the shared data folder is absent)";
  std::vector<fs::path> files;
  for (const auto& dir : fs::directory_iterator(cases)) {
    const fs::path file = dir.path() / (dir.path().filename().string() + "-sbml-l3v2.xml");
    if (fs::exists(file)) files.push_back(file);
  }
  std::sort(files.begin(), files.end());
  int found = 0, refused = 0, unsolved = 0, continued = 0;
  for (std::size_t k = 0; k < files.size(); ++k) {
    std::optional<Study> study;
    try {
      study = open(files[k].string(), catalog);
    } catch (const InputError&) {
      continue;  // not loadable: the suite test covers those
    }
    SteadyStateOptions o;
    o.max_time = 100;
    try {
      found += !find_steady_states(*study, o).equilibria.empty();
    } catch (const InputError&) {
      ++refused;
    } catch (const SolverError&) {
      ++unsolved;
    } catch (const std::exception& e) {
      ADD_FAILURE() << files[k].filename() << ": " << e.what();
    }
    const Model& m = study->model->model();
    if (k % 10 != 0) continue;
    for (const Parameter& p : m.parameters) {
      if (p.initial || !(p.value > 0)) continue;
      ContinuationOptions c;
      c.parameter = p.name;
      c.from = p.value;
      c.to = 2 * p.value;
      c.max_points = 200;
      c.max_time = 100;
      try {
        continue_equilibria(*study, c);
        ++continued;
      } catch (const InputError&) {
      } catch (const SolverError&) {
      } catch (const std::exception& e) {
        ADD_FAILURE() << files[k].filename() << " continued in " << p.name << ": " << e.what();
      }
      break;
    }
  }
  std::cout << files.size() << " cases: " << found << " with a steady state, " << refused << " refused, " << unsolved
            << " without one; " << continued << " continued\n";
  EXPECT_GT(found, 500);
}

}  // namespace
}  // namespace gutskin
