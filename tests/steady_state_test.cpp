// Steady states end to end: analytic equilibria and eigenvalues (Schlögl, the toggle switch), a
// closed network's conservation law, the built-in model and its scenarios, every feasible
// equilibrium of the Stein et al. 2013 gLV model against an exact enumeration, Jones & Carlson
// 2018's C. difficile-susceptible starting states of that model, located errors, and the CLI's
// files.
#include "gutskin/steady_state.hpp"

#include <Eigen/Dense>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
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
  Eigen::VectorXd eps;  // clindamycin susceptibility ε_i
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
    for (int j = 1; j <= 13; ++j) row.push_back(std::stod(cells[j]));
    rows.push_back(row);
  }
  const int n = static_cast<int>(rows.size());
  g.M.resize(n, n);
  g.mu.resize(n);
  g.eps.resize(n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) g.M(i, j) = rows[i][j];
    g.mu(i) = rows[i][n];
    g.eps(i) = rows[i][n + 1];
  }
  return g;
}

/// The gLV model as a gutskin model file: dx_i/dt = x_i (μ_i + Σ_j M_ij x_j + ε_i u(t)), with the
/// clindamycin signal u an input (default 0) and each initial abundance a parameter x0_i
/// (default 0.1) so that a run can start from a measured state (`set`).
fs::path write_glv_model(const Glv& g, const fs::path& dir) {
  fs::create_directories(dir);
  std::ostringstream y;
  y << "model: stein2013\ndescription: Stein et al. 2013 gLV model of the mouse gut\n";
  y << "inputs:\n  u: {unit: \"1\", default: 0, description: \"clindamycin signal u(t)\"}\nparameters:\n";
  const int n = static_cast<int>(g.names.size());
  for (int i = 0; i < n; ++i) {
    y << fmt::format("  mu_{}: {{value: {:.17g}, unit: 1/day, source: \"Stein 2013 Dataset S1\"}}\n", i, g.mu(i));
    y << fmt::format("  eps_{}: {{value: {:.17g}, unit: 1/day, source: \"Stein 2013 Dataset S1\"}}\n", i, g.eps(i));
    y << fmt::format("  x0_{}: {{value: 0.1, unit: \"1\", source: \"assumed: a start, set per run\"}}\n", i);
    for (int j = 0; j < n; ++j)
      y << fmt::format("  M_{}_{}: {{value: {:.17g}, unit: 1/day, source: \"Stein 2013 Dataset S1\"}}\n", i, j, g.M(i, j));
  }
  y << "states:\n";
  for (int i = 0; i < n; ++i)
    y << fmt::format("  x{}: {{initial: x0_{}, unit: \"1\", description: \"{}\"}}\n", i, i, g.names[i]);
  y << "equations:\n";
  for (int i = 0; i < n; ++i) {
    y << fmt::format("  x{}: \"x{} * (mu_{}", i, i, i);
    for (int j = 0; j < n; ++j) y << fmt::format(" + M_{}_{} * x{}", i, j, j);
    y << fmt::format(" + eps_{} * u)\"\n", i);
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

// ---- Jones & Carlson 2018: which measured starting states C. difficile invades ---------------
//
// E. W. Jones and J. M. Carlson, PLoS Comput Biol 14(2): e1006001 (2018), ran the Stein model
// from the nine measured day-0 states (initial_conditions.csv, mice 1–9: their initial
// conditions 1–9; mice 2, 5 and 8 are the experiment's untreated group), with a one-day
// clindamycin pulse u = dose on days [0, 1) for doses 0–2, with or without 1e-10 of C. difficile
// (in the data's unit of 10^11 16S copies/cm³) added at day 10, and named the five steady states
// reached A–E. Their figure of reachable steady states: initial conditions 1, 3, 4, 6, 7 and 9
// end in the infected A when C. difficile is added and in the uninfected B when not, whatever
// the dose; 2 and 8 end in the uninfected C whatever is done; 5 ends in C without clindamycin,
// and with it in the infected D (C. difficile added) or the uninfected E. (Source: the authors'
// code for that figure, github.com/erijones/simulated_CDI_with_gLV, CDI_gLV_treatments.py,
// make_figs('2a'–'2c'), the panels' labels and the ICs listed on each.)

/// The measured starting states: every sample at day 0 of initial_conditions.csv in file order
/// (Jones & Carlson's initial conditions 1–9), abundances in the order of `names`.
std::vector<std::vector<double>> read_day0_states(const fs::path& file, const std::vector<std::string>& names) {
  std::ifstream in(file);
  std::string line;
  std::vector<double> times;
  std::map<std::string, std::vector<double>> rows;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto cells = split_csv_line(line);
    if (cells.size() < 2) continue;
    const bool time_row = cells[0].rfind("time", 0) == 0;
    if (!time_row && std::find(names.begin(), names.end(), cells[0]) == names.end()) continue;
    std::vector<double>& row = time_row ? times : rows[cells[0]];
    for (std::size_t j = 1; j < cells.size(); ++j) row.push_back(std::stod(cells[j]));
  }
  std::vector<std::vector<double>> states;
  for (std::size_t j = 0; j < times.size(); ++j) {
    if (times[j] != 0) continue;
    std::vector<double> x;
    for (const std::string& name : names) x.push_back(rows.at(name).at(j));
    states.push_back(x);
  }
  return states;
}

/// A scenario on the model in `dir`: clindamycin u = dose over days [0, 1) and, when
/// `inoculate`, 1e-10 of C. difficile (state `cd`) added at day 10, as Jones & Carlson; to day 2000.
fs::path write_jones_carlson_scenario(const fs::path& dir, double dose, bool inoculate, int cd) {
  const std::string name = fmt::format("u{:.6g}_{}", dose, inoculate ? "cd" : "no_cd");
  std::ostringstream y;
  y << "scenario: " << name << "\nmodel: stein2013.yaml\nduration: 2000 days\noutput: {steps: 1}\n";
  if (dose > 0 || inoculate) y << "timeline:\n";
  if (dose > 0) y << fmt::format("  - {{input: u, value: {:.17g}, from: 0 days, to: 1 days}}\n", dose);
  if (inoculate) y << fmt::format("  - {{bolus: x{}, amount: 1e-10, at: 10 days}}\n", cd);
  const fs::path file = dir / (name + ".yaml");
  std::ofstream(file) << y.str();
  return file;
}

/// The steady state a scenario settles to from the measured state `x0`: the scenario is run to
/// its end, then Newton with u back at 0. Tight tolerances, since C. difficile enters at 1e-10.
/// KLU, not the dense LU that 11 states get by default: with rtol 1e-10 and atol 1e-16 the
/// dense solve of CVODES' Newton system seeds a species that starts at exactly 0 with rounding
/// error (C. difficile from IC 1 without inoculation: 6e-21 by day 1000), and where it can
/// invade it grows: 20 of the 54 runs below then end elsewhere (without C. difficile, ICs 1, 3,
/// 4, 6, 7 and 9 end in A instead of B, and IC 5 after clindamycin in A or B instead of E, with
/// Akkermansia, which IC 5 never had).
Equilibrium settle(const Study& scenario, const std::vector<double>& x0) {
  SteadyStateOptions o;
  for (std::size_t i = 0; i < x0.size(); ++i) o.set.push_back(fmt::format("x0_{}={:.17g}", i, x0[i]));
  o.solver.rtol = 1e-10;
  o.solver.atol = 1e-16;
  o.solver.linear_solver = LinearSolver::klu;
  const SteadyStateResult r = find_steady_states(scenario, o);
  EXPECT_EQ(r.inputs.size(), 1u);
  if (!r.inputs.empty()) {
    EXPECT_EQ(r.inputs[0].second, 0.0);  // the pulse is over
  }
  return r.equilibria.at(0);
}

bool same_state(const std::vector<double>& a, const std::vector<double>& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::abs(a[i] - b[i]) > 1e-6 * std::max(1.0, std::abs(b[i]))) return false;
  return true;
}

TEST(SteadyState, SteinGlvModelReproducesJonesCarlson2018SusceptibleStartingStates) {
  const fs::path csv = shared_dir / "data/stein2013/parameters.csv";
  const fs::path ics = shared_dir / "data/stein2013/initial_conditions.csv";
  if (!fs::exists(csv) || !fs::exists(ics)) GTEST_SKIP() << "no " << csv << " or " << ics << " (the shared data folder is absent)";
  const auto wall = std::chrono::steady_clock::now();
  const Glv g = read_stein(csv);
  ASSERT_EQ(g.names.size(), 11u);
  const int cd = static_cast<int>(std::find(g.names.begin(), g.names.end(), "Clostridium_difficile") - g.names.begin());
  ASSERT_LT(cd, 11);
  const std::vector<std::vector<double>> starts = read_day0_states(ics, g.names);
  ASSERT_EQ(starts.size(), 9u);
  const fs::path dir = fs::temp_directory_path() / "gutskin_jones_carlson2018";
  write_glv_model(g, dir);
  const std::vector<double> doses = {0, 1, 2};
  std::vector<std::vector<Study>> scenarios(doses.size());  // [dose][inoculated]
  for (std::size_t d = 0; d < doses.size(); ++d)
    for (bool inoculate : {false, true})
      scenarios[d].push_back(open(write_jones_carlson_scenario(dir, doses[d], inoculate, cd).string(), catalog));

  // The named states, reached as in the authors' code: A from IC 1 with C. difficile, B from IC 1
  // without, C from IC 5 without either, D from IC 5 with clindamycin (u = 1) and C. difficile,
  // E from IC 5 with clindamycin alone.
  struct Named {
    char name;
    int ic;  // 0-based
    bool inoculated;
    Equilibrium e;
  };
  const std::vector<Named> named = {{'A', 0, true, settle(scenarios[0][1], starts[0])},
                                    {'B', 0, false, settle(scenarios[0][0], starts[0])},
                                    {'C', 4, false, settle(scenarios[0][0], starts[4])},
                                    {'D', 4, true, settle(scenarios[1][1], starts[4])},
                                    {'E', 4, false, settle(scenarios[1][0], starts[4])}};
  const std::vector<Feasible> exact = enumerate(g);
  for (std::size_t a = 0; a < named.size(); ++a) {
    const Named& n = named[a];
    const Equilibrium& e = n.e;
    const Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(e.state.data(), 11);
    const Eigen::VectorXd rate = g.mu + g.M * x;  // per-capita growth: an absent species' invasion rate
    std::vector<int> present;
    std::string text, invaders;
    for (int i = 0; i < 11; ++i) {
      if (x(i) > 1e-9) {
        present.push_back(i);
        text += fmt::format(" {}={:.3g}", g.names[i], x(i));
      } else if (rate(i) > 0) {
        invaders += fmt::format(" {} ({:+.3f}/day)", g.names[i], rate(i));
        // A species that could invade must be one this run never had: absent from the measured
        // start and not the one inoculated, or the run could not have settled here.
        EXPECT_EQ(starts[n.ic][i], 0.0) << n.name << ": " << g.names[i] << " would invade";
        EXPECT_FALSE(i == cd && n.inoculated) << n.name;
      }
    }
    std::cout << "Jones & Carlson steady state " << n.name << " (IC " << n.ic + 1 << (n.inoculated ? " + C. difficile" : "")
              << "):" << text << (invaders.empty() ? "; stable" : "; invadable by" + invaders) << "\n";
    // Stable within its own species: the Jacobian diag(x_P) M_PP of the present ones; the full
    // Jacobian's other eigenvalues are the absent species' invasion rates.
    Eigen::MatrixXd J(present.size(), present.size());
    for (std::size_t r = 0; r < present.size(); ++r)
      for (std::size_t c = 0; c < present.size(); ++c) J(r, c) = x(present[r]) * g.M(present[r], present[c]);
    const double face = J.eigenvalues().real().maxCoeff();
    EXPECT_LT(face, 0) << n.name;
    double invasion = -std::numeric_limits<double>::infinity();
    for (int i = 0; i < 11; ++i)
      if (x(i) <= 1e-9) invasion = std::max(invasion, rate(i));
    EXPECT_NEAR(e.max_real_eigenvalue, std::max(face, invasion), 1e-7) << n.name;
    // C. difficile: present in A and D; exactly absent from B, C and E, where its invasion rate
    // says whether the state is susceptible (B and E: positive) or resistant (C: negative).
    if (n.name == 'A' || n.name == 'D') {
      EXPECT_GT(x(cd), 1e-3) << n.name;
    } else {
      EXPECT_EQ(x(cd), 0.0) << n.name;
      if (n.name == 'C') EXPECT_LT(rate(cd), 0);
      else EXPECT_GT(rate(cd), 0) << n.name;
    }
    // A and C are stable in all eleven species; B, D and E only without the species they lack.
    EXPECT_EQ(e.stable, n.name == 'A' || n.name == 'C') << n.name;
    // Each is one of the feasible equilibria of the exact enumeration, with its stability.
    bool listed = false;
    for (const Feasible& f : exact) {
      if (same_state(e.state, std::vector<double>(f.x.data(), f.x.data() + 11))) {
        listed = true;
        EXPECT_EQ(e.stable, f.stable) << n.name;
      }
    }
    EXPECT_TRUE(listed) << n.name << " is not a feasible equilibrium of the enumeration";
    for (std::size_t b = 0; b < a; ++b) EXPECT_FALSE(same_state(e.state, named[b].e.state)) << n.name << named[b].name;
  }

  // Every measured state, every dose, with and without C. difficile, against the published list.
  auto published = [](int ic, double dose, bool inoculated) {
    if (ic == 2 || ic == 8) return 'C';
    if (ic == 5) return dose == 0 ? 'C' : inoculated ? 'D' : 'E';
    return inoculated ? 'A' : 'B';
  };
  std::string table;
  int agree = 0, runs = 0;
  for (int ic = 1; ic <= 9; ++ic) {
    table += fmt::format("  IC {}:", ic);
    for (std::size_t d = 0; d < doses.size(); ++d)
      for (bool inoculated : {false, true}) {
        const Equilibrium e = settle(scenarios[d][inoculated], starts[ic - 1]);
        char reached = '?';
        for (const Named& n : named)
          if (same_state(e.state, n.e.state)) reached = n.name;
        const char expected = published(ic, doses[d], inoculated);
        ++runs;
        agree += reached == expected;
        EXPECT_EQ(reached, expected) << "IC " << ic << ", u = " << doses[d] << (inoculated ? ", C. difficile added" : "")
                                     << ": C. difficile " << e.state[cd];
        EXPECT_EQ(e.state[cd] > 1e-6, expected == 'A' || expected == 'D') << "IC " << ic << ", u = " << doses[d];
        if (!inoculated) {
          EXPECT_EQ(e.state[cd], 0.0) << "IC " << ic << ", u = " << doses[d] << ": C. difficile appeared from nothing";
        }
        table += fmt::format(" u={:g}{}:{}", doses[d], inoculated ? "+cd" : "", reached);
      }
    table += "\n";
  }

  // IC 5's threshold: the smallest dose at which C. difficile, added at day 10, takes over.
  double lo = 0, hi = 1;
  for (int k = 0; k < 10; ++k) {
    const double mid = (lo + hi) / 2;
    const Study s = open(write_jones_carlson_scenario(dir, mid, true, cd).string(), catalog);
    if (settle(s, starts[4]).state[cd] > 1e-6) hi = mid;
    else lo = mid;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  std::cout << "Jones & Carlson 2018 on the Stein model: " << agree << " of " << runs
            << " runs reach the published steady state; IC 5 is infected above u = " << fmt::format("{:.3f}", hi)
            << " (" << fmt::format("{:.1f}", seconds) << " s)\n"
            << table;
  RecordProperty("agree", agree);
  RecordProperty("runs", runs);
  RecordProperty("ic5_threshold", fmt::format("{:.3f}", hi));
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
                             "--max-time", "100", "--overwrite"});
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
