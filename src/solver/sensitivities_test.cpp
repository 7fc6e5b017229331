// Forward sensitivities (CVODES) against analytic derivatives and central finite differences.
#include <gtest/gtest.h>

#include <cmath>

#include "gutskin/simulate.hpp"
#include "support/errors.hpp"

namespace gutskin {
namespace {

using testing::error_of;

Parameter parameter(const std::string& name, double value) {
  Parameter p;  // by assignment: GCC 12 warns on braced temporaries with string members
  p.name = name;
  p.value = value;
  return p;
}

/// x' = −k·x + b·u, x(0) = x0, observable y = c·x; parameters k, x0, b, c (indices 0–3).
Model decay_model() {
  Model m;
  m.name = "decay";
  for (auto [name, value] : {std::pair{"k", 0.7}, {"x0", 2.0}, {"b", 1.5}, {"c", 3.0}})
    m.parameters.push_back(parameter(name, value));
  m.inputs.push_back({.name = "u"});
  m.states.push_back({.name = "x", .initial = parse_expression("x0"), .non_negative = false});
  m.equations.push_back({.state = "x", .rate = parse_expression("-k*x + b*u")});
  m.observables.push_back({.name = "y", .expr = parse_expression("c*x")});
  return m;
}

SimulateOptions grid(double t_end, int steps, std::vector<int> parameters) {
  SimulateOptions o;
  for (int i = 0; i <= steps; ++i) o.output_times.push_back(t_end * i / steps);
  o.solver.rtol = 1e-10, o.solver.atol = 1e-12;
  o.sensitivity_parameters = std::move(parameters);
  return o;
}

// Columns: y (observable 0), x (state 0).
TEST(ForwardSensitivities, ExponentialDecayMatchesAnalytic) {
  const CompiledModel cm(decay_model());
  for (auto solver : {LinearSolver::dense, LinearSolver::klu}) {
    SimulateOptions o = grid(10, 20, {0, 1, 3});
    o.solver.linear_solver = solver;
    const auto r = simulate(cm, default_parameters(cm.model()), default_schedule(cm.model()), o);
    ASSERT_TRUE(r.summary.ok()) << r.summary.message;
    const Sensitivities& s = r.sensitivities;
    ASSERT_EQ(s.columns, 2u);
    ASSERT_EQ(s.values.size(), r.trajectory.times.size() * 2 * 3);
    for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
      const double t = r.trajectory.times[i], e = std::exp(-0.7 * t);
      const double dx_dk = -t * 2.0 * e, dx_dx0 = e;
      EXPECT_NEAR(s.at(i, 1, 0), dx_dk, 1e-7 * std::fabs(dx_dk) + 1e-10) << "dx/dk at t = " << t;
      EXPECT_NEAR(s.at(i, 1, 1), dx_dx0, 1e-7 * dx_dx0 + 1e-10) << "dx/dx0 at t = " << t;
      EXPECT_DOUBLE_EQ(s.at(i, 1, 2), 0.0) << "x does not depend on c";
      EXPECT_NEAR(s.at(i, 0, 0), 3.0 * dx_dk, 3e-7 * std::fabs(dx_dk) + 1e-10) << "dy/dk";
      EXPECT_NEAR(s.at(i, 0, 2), 2.0 * e, 1e-8 * e + 1e-10) << "dy/dc = x";
    }
  }
}

// An input step on [2, 5): the sensitivity to its gain b follows s' = −k·s + u through both
// schedule breaks, where the integrator is re-initialised.
TEST(ForwardSensitivities, FollowScheduleBreaks) {
  const CompiledModel cm(decay_model());
  InputSchedule schedule(1, {0.0});
  schedule.add_piece(0, {.start = 2, .end = 5, .level = 1.0});
  const auto r = simulate(cm, default_parameters(cm.model()), schedule, grid(10, 40, {2}));
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  const double k = 0.7, at5 = (1 - std::exp(-k * 3)) / k;
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i];
    const double exact = t < 2 ? 0.0 : t <= 5 ? (1 - std::exp(-k * (t - 2))) / k : at5 * std::exp(-k * (t - 5));
    EXPECT_NEAR(r.sensitivities.at(i, 1, 0), exact, 1e-7) << "dx/db at t = " << t;
  }
}

// Logistic growth with a saturating observable: against central differences of the solution.
TEST(ForwardSensitivities, MatchCentralDifferences) {
  Model m;
  m.name = "logistic";
  for (auto [name, value] : {std::pair{"r", 0.9}, {"K", 40.0}, {"n0", 1.5}, {"half", 10.0}})
    m.parameters.push_back(parameter(name, value));
  m.states.push_back({.name = "n", .initial = parse_expression("n0"), .non_negative = false});
  m.equations.push_back({.state = "n", .rate = parse_expression("r*n*(1 - n/K)")});
  m.observables.push_back({.name = "signal", .expr = parse_expression("n/(half + n)")});
  const CompiledModel cm(m);
  const std::vector<double> p = default_parameters(cm.model());
  const InputSchedule schedule = default_schedule(cm.model());
  const auto r = simulate(cm, p, schedule, grid(12, 12, {0, 1, 2, 3}));
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  // The closed form n = K·n0·e^(rt) / (K + n0·(e^(rt) − 1)) gives dn/dn0 = K²·e^(rt) / (…)².
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double e = std::exp(0.9 * r.trajectory.times[i]), d = 40 + 1.5 * (e - 1);
    EXPECT_NEAR(r.sensitivities.at(i, 1, 2), 1600 * e / (d * d), 1e-8) << "t = " << r.trajectory.times[i];
  }
  // Differences need tighter runs than the sensitivities: solver error / h would swamp them.
  SimulateOptions tight = grid(12, 12, {});
  tight.solver.rtol = 1e-12, tight.solver.atol = 1e-14;
  for (int k = 0; k < 4; ++k) {
    const double h = 1e-4 * p[k];
    std::vector<double> up = p, down = p;
    up[k] += h, down[k] -= h;
    const auto ru = simulate(cm, up, schedule, tight);
    const auto rd = simulate(cm, down, schedule, tight);
    for (std::size_t i = 0; i < r.trajectory.times.size(); ++i)
      for (std::size_t col = 0; col < 2; ++col) {
        const double fd = (ru.trajectory.at(i, col) - rd.trajectory.at(i, col)) / (2 * h);
        // Absolute part: run noise (1e-12 of n ≈ 40) over 2h, where dn/dn0 has decayed to 0.01.
        EXPECT_NEAR(r.sensitivities.at(i, col, k), fd, 1e-5 * std::fabs(fd) + 1e-6)
            << m.parameters[k].name << ", column " << col << ", t = " << r.trajectory.times[i];
      }
  }
}

// One Simulator for runs with, without and with other sensitivities: each run equals a fresh one.
TEST(ForwardSensitivities, SimulatorReuseGivesFreshResults) {
  const CompiledModel cm(decay_model());
  const std::vector<double> p = default_parameters(cm.model());
  const InputSchedule schedule = default_schedule(cm.model());
  Simulator sim(cm);
  const auto a = sim.run(p, schedule, grid(5, 10, {0, 1}));
  const auto plain = sim.run(p, schedule, grid(5, 10, {}));
  const auto b = sim.run(p, schedule, grid(5, 10, {3}));
  const auto again = sim.run(p, schedule, grid(5, 10, {0, 1}));
  EXPECT_TRUE(plain.sensitivities.values.empty());
  EXPECT_EQ(again.sensitivities.values, a.sensitivities.values);
  EXPECT_EQ(again.trajectory.values, a.trajectory.values);
  EXPECT_EQ(b.sensitivities.values, simulate(cm, p, schedule, grid(5, 10, {3})).sensitivities.values);
}

TEST(ForwardSensitivities, RefuseWhatTheyCannotFollow) {
  const CompiledModel plain(decay_model());
  const std::vector<double> p = default_parameters(plain.model());
  const InputSchedule schedule = default_schedule(plain.model());
  EXPECT_NE(error_of([&] { simulate(plain, p, schedule, grid(1, 2, {7})); }).find("index 7 is not a parameter"),
            std::string::npos);
  EXPECT_NE(error_of([&] { simulate(plain, p, schedule, grid(1, 2, {0, 0})); }).find("'k' is listed twice"),
            std::string::npos);

  Model with_event = decay_model();
  with_event.events.push_back({.name = "reset", .trigger = parse_expression("x < 1"),
                               .assignments = {EventAssignment{.target = "x", .value = parse_expression("2")}}});
  const CompiledModel ev(with_event);
  EXPECT_NE(error_of([&] { simulate(ev, p, schedule, grid(1, 2, {0})); }).find("event"), std::string::npos);

  Model assigned = decay_model();
  Parameter k2;
  k2.name = "k2";
  k2.initial = parse_expression("2*k");
  assigned.parameters.push_back(k2);
  const CompiledModel ia(assigned);
  const std::vector<double> p5 = default_parameters(ia.model());
  EXPECT_NE(error_of([&] { simulate(ia, p5, schedule, grid(1, 2, {0})); }).find("initial assignment"),
            std::string::npos);
  EXPECT_NE(error_of([&] { simulate(ia, p5, schedule, grid(1, 2, {4})); }).find("computed by an initial assignment"),
            std::string::npos);
}

}  // namespace
}  // namespace gutskin
