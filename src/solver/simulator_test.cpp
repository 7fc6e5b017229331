// The simulator against analytic solutions and published reference values.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "gutskin/simulate.hpp"

namespace gutskin {
namespace {

// Small models written inline: {name, initial, rate}.
struct Spec {
  std::vector<std::tuple<std::string, std::string, std::string>> states;
  std::vector<std::pair<std::string, double>> parameters;
  std::vector<std::pair<std::string, std::string>> variables;
  std::vector<std::string> inputs;
};

Model build(const Spec& s) {
  Model m;
  m.name = "test";
  for (const auto& [n, v] : s.parameters) m.parameters.push_back({.name = n, .value = v});
  for (const auto& n : s.inputs) m.inputs.push_back({.name = n});
  for (const auto& [n, e] : s.variables) m.variables.push_back({.name = n, .expr = parse_expression(e)});
  for (const auto& [n, init, rate] : s.states) {
    m.states.push_back({.name = n, .initial = parse_expression(init), .non_negative = false});
    m.equations.push_back({.state = n, .rate = parse_expression(rate)});
  }
  return m;
}

SimulateOptions grid(double t_end, int steps, double rtol = 1e-10, double atol = 1e-12) {
  SimulateOptions o;
  for (int k = 0; k <= steps; ++k) o.output_times.push_back(t_end * k / steps);
  o.solver.rtol = rtol, o.solver.atol = atol;
  return o;
}

SimulationResult run(const Model& m, const SimulateOptions& o, const InputSchedule* schedule = nullptr) {
  CompiledModel cm(m);
  const InputSchedule s = schedule ? *schedule : default_schedule(cm.model());
  return simulate(cm, default_parameters(cm.model()), s, o);
}

double value(const SimulationResult& r, std::size_t row, const std::string& col) {
  return r.trajectory.at(row, r.trajectory.column(col));
}

TEST(Simulator, ExponentialDecayMatchesAnalytic) {
  for (auto solver : {LinearSolver::dense, LinearSolver::klu}) {
    auto o = grid(10, 20);
    o.solver.linear_solver = solver;
    const auto r = run(build({.states = {{"x", "2", "-k*x"}}, .parameters = {{"k", 0.7}}}), o);
    ASSERT_TRUE(r.summary.ok()) << r.summary.message;
    for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
      const double t = r.trajectory.times[i], exact = 2 * std::exp(-0.7 * t);
      EXPECT_NEAR(value(r, i, "x"), exact, 1e-8 * exact + 1e-12) << "t = " << t;
    }
  }
}

TEST(Simulator, LogisticMatchesAnalytic) {
  const double r0 = 0.9, K = 5, x0 = 0.1;
  const auto r = run(build({.states = {{"x", "0.1", "r*x*(1 - x/K)"}}, .parameters = {{"r", r0}, {"K", K}}}), grid(20, 40));
  ASSERT_TRUE(r.summary.ok());
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i];
    const double exact = K / (1 + (K / x0 - 1) * std::exp(-r0 * t));
    EXPECT_NEAR(value(r, i, "x"), exact, 1e-8 * exact);
  }
}

TEST(Simulator, LinearSystemMatchesMatrixExponential) {
  // x' = A x with A = [[-a, -w], [w, -a]]: exp(At) = e^{-at} [[cos wt, -sin wt], [sin wt, cos wt]].
  const double a = 0.3, w = 2.0;
  const auto r = run(build({.states = {{"x", "1", "-a*x - w*y"}, {"y", "0.5", "w*x - a*y"}},
                            .parameters = {{"a", a}, {"w", w}}}),
                     grid(10, 50));
  ASSERT_TRUE(r.summary.ok());
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i], e = std::exp(-a * t);
    EXPECT_NEAR(value(r, i, "x"), e * (std::cos(w * t) - 0.5 * std::sin(w * t)), 1e-8);
    EXPECT_NEAR(value(r, i, "y"), e * (std::sin(w * t) + 0.5 * std::cos(w * t)), 1e-8);
  }
}

TEST(Simulator, RobertsonStiffProblemMatchesReference) {
  // Reference values at t = 40 (Hairer & Wanner, Solving ODEs II; also SUNDIALS cvRoberts_dns).
  const auto m = build({.states = {{"y1", "1", "-0.04*y1 + 1e4*y2*y3"},
                                   {"y2", "0", "0.04*y1 - 1e4*y2*y3 - 3e7*y2^2"},
                                   {"y3", "0", "3e7*y2^2"}}});
  SimulateOptions o;
  o.output_times = {0, 0.4, 40};
  o.solver.rtol = 1e-10, o.solver.atol = 1e-14;
  const auto r = run(m, o);
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  EXPECT_NEAR(value(r, 2, "y1"), 0.7158270687, 1e-8);
  EXPECT_NEAR(value(r, 2, "y2"), 9.185534764e-6, 1e-13);
  EXPECT_NEAR(value(r, 2, "y3"), 0.2841637457, 1e-8);
  // Counters add up across re-initialisations without counting anything twice.
  EXPECT_GT(r.summary.jacobian_evals, 0);
  EXPECT_LE(r.summary.jacobian_evals, r.summary.linear_setups);
  EXPECT_LE(r.summary.linear_setups, r.summary.steps);
}

// Doses of height D lasting d every P days into x' = u - k x: solved segment by segment.
TEST(Simulator, DoseTrainStopsAtEveryBreak) {
  const double k = 1.3, D = 4, d = 0.25, P = 1.0;
  Spec spec{.states = {{"x", "0", "u - k*x"}}, .parameters = {{"k", k}}, .inputs = {"u"}};
  const Model m = build(spec);
  InputSchedule schedule(1, {0.0});
  for (int n = 0; n < 7; ++n) schedule.add_piece(0, {.start = n * P, .end = n * P + d, .level = D});
  auto o = grid(10, 200);
  o.solver.rtol = 1e-9, o.solver.atol = 1e-12;
  const auto r = run(m, o, &schedule);
  ASSERT_TRUE(r.summary.ok());
  EXPECT_GE(r.summary.stops, 13);
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i];
    double x = 0, s = 0;  // exact, advancing piece by piece
    while (s < t) {
      const int n = static_cast<int>(std::floor(s / P + 1e-12));
      const bool on = n < 7 && s < n * P + d - 1e-12;
      const double seg_end = std::min(t, on ? n * P + d : (n + 1) * P);
      const double h = seg_end - s, target = on ? D / k : 0.0;
      x = target + (x - target) * std::exp(-k * h);
      s = seg_end;
    }
    EXPECT_NEAR(value(r, i, "x"), x, 1e-7) << "t = " << t;
  }
}

TEST(Simulator, BolusAddsToState) {
  InputSchedule schedule(0, {});
  schedule.add_bolus({.time = 2.0, .state = 0, .amount = 1.5});
  const auto r = run(build({.states = {{"x", "1", "-k*x"}}, .parameters = {{"k", 0.5}}}), grid(4, 8), &schedule);
  ASSERT_TRUE(r.summary.ok());
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i];
    const double exact = std::exp(-0.5 * t) + (t >= 2 ? 1.5 * std::exp(-0.5 * (t - 2)) : 0.0);
    EXPECT_NEAR(value(r, i, "x"), exact, 1e-8) << "t = " << t;
  }
}

TEST(Simulator, GivenInitialStateReplacesTheModelsInitialValues) {
  const Model m = build({.states = {{"x", "2", "-k*x"}}, .parameters = {{"k", 0.7}}});
  auto o = grid(3, 6);
  o.initial_state = {5.0};
  const auto r = run(m, o);
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double exact = 5 * std::exp(-0.7 * r.trajectory.times[i]);
    EXPECT_NEAR(value(r, i, "x"), exact, 1e-8 * exact);
  }
  o.initial_state = {1.0, 2.0};
  CompiledModel cm(m);
  try {
    simulate(cm, default_parameters(m), default_schedule(m), o);
    ADD_FAILURE() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "error: initial_state has 2 values, the model 1 states");
  }
}

TEST(Simulator, StateEventResetsAtAnalyticTimes) {
  // x decays at rate k; whenever x < 0.5 it is reset to 1: period ln(2)/k.
  Model m = build({.states = {{"x", "1", "-k*x"}}, .parameters = {{"k", 0.4}}});
  m.events.push_back({.name = "reset", .trigger = parse_expression("x < 0.5"),
                      .assignments = {{"x", parse_expression("1")}}});
  const double period = std::log(2.0) / 0.4;
  const auto r = run(m, grid(10, 100));
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  EXPECT_EQ(r.summary.events_fired, static_cast<long>(std::floor(10 / period)));
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i], phase = std::fmod(t, period);
    if (std::fabs(phase) < 1e-6 || std::fabs(phase - period) < 1e-6) continue;  // at a reset
    EXPECT_NEAR(value(r, i, "x"), std::exp(-0.4 * phase), 1e-7) << "t = " << t;
  }
}

TEST(Simulator, TimedEventWithDelayChangesParameter) {
  // At time > 2 the decay rate changes, taking effect after a delay of 0.5: k = 0 → 1 at t = 2.5.
  Model m = build({.states = {{"x", "1", "-k*x"}}, .parameters = {{"k", 0.0}}});
  m.events.push_back({.name = "start", .trigger = parse_expression("time > 2"),
                      .assignments = {{"k", parse_expression("1")}}, .delay = parse_expression("0.5")});
  const auto r = run(m, grid(5, 10));
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i];
    EXPECT_NEAR(value(r, i, "x"), t <= 2.5 ? 1.0 : std::exp(-(t - 2.5)), 1e-7) << "t = " << t;
  }
}

TEST(Simulator, DelayDifferentialEquationMatchesMethodOfSteps) {
  // x'(t) = −x(t − 1), x = 1 up to t = 0: x = 1 − t on [0, 1], 1 − t + (t − 1)²/2 on [1, 2],
  // and 1 − t + (t − 1)²/2 − (t − 2)³/6 on [2, 3].
  const auto r = run(build({.states = {{"x", "1", "-delay(x, 1)"}}}), grid(3, 30, 1e-9, 1e-11));
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i];
    double exact = 1 - t;
    if (t > 1) exact += (t - 1) * (t - 1) / 2;
    if (t > 2) exact -= (t - 2) * (t - 2) * (t - 2) / 6;
    EXPECT_NEAR(value(r, i, "x"), exact, 1e-6) << "t = " << t;
  }
}

TEST(Simulator, DelayBeforeStartFollowsItsExpressionInTime) {
  // Before t0 a delayed expression is evaluated at the earlier time with the states at their
  // initial values (SBML): delay(sin(10 t), 0.2) is sin(10 (t − 0.2)) from the start.
  const auto r = run(build({.states = {{"x", "1", "-delay(x, 0.5)"}},
                            .variables = {{"y", "2 + delay(sin(10*time), 0.2)"}}}),
                     grid(1, 20, 1e-9, 1e-11));
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i];
    // Before t0 + 0.2 the delayed time is before the start: exact. (Later it is interpolated
    // from the accepted steps, whose size follows x, not sin(10 t).)
    if (t < 0.2) {
      EXPECT_NEAR(value(r, i, "y"), 2 + std::sin(10 * (t - 0.2)), 1e-12) << "t = " << t;
    }
    if (t <= 0.5) {
      EXPECT_NEAR(value(r, i, "x"), 1 - t, 1e-7) << "t = " << t;  // x(t − 0.5) = x0
    }
  }
}

TEST(Simulator, NonFiniteIsReportedByStateNameAndTime) {
  const auto r = run(build({.states = {{"a", "1", "0"}, {"blood_lps", "1", "log(a - 2)"}}}), grid(1, 2));
  EXPECT_EQ(r.summary.termination, Termination::non_finite);
  EXPECT_NE(r.summary.message.find("non-finite derivative of 'blood_lps' at t = 0 day"), std::string::npos)
      << r.summary.message;
  EXPECT_EQ(r.trajectory.times.size(), 1u);  // the initial row is kept
}

TEST(Simulator, MaxStepsEndsTheRunWithReason) {
  auto o = grid(100, 10);
  o.solver.max_steps = 20;
  const auto r = run(build({.states = {{"x", "1", "-k*x + sin(10*time)"}}, .parameters = {{"k", 0.5}}}), o);
  EXPECT_EQ(r.summary.termination, Termination::max_steps);
  EXPECT_NE(r.summary.message.find("limit of 20 steps"), std::string::npos) << r.summary.message;
}

TEST(Simulator, VariablesAreRecordedOnlyWhenAsked) {
  auto o = grid(1, 2);
  o.record_variables = false;
  const auto r = run(build({.states = {{"x", "1", "-v"}}, .variables = {{"v", "0.5*x"}}}), o);
  ASSERT_TRUE(r.summary.ok());
  EXPECT_EQ(r.trajectory.columns, std::vector<std::string>{"x"});
  EXPECT_NEAR(r.trajectory.at(2, 0), std::exp(-0.5), 1e-8);
}

TEST(Simulator, CountersAreThoseOfThisRunAcrossReinitialisations) {
  // A dose train forces many re-initialisations; a reused Simulator must not carry counts over.
  InputSchedule schedule(1, {0.0});
  for (int n = 0; n < 5; ++n) schedule.add_piece(0, {.start = n + 0.0, .end = n + 0.5, .level = 1});
  CompiledModel cm(build({.states = {{"x", "0", "u - 2*x"}}, .inputs = {"u"}}));
  Simulator sim(cm);
  const auto first = sim.run({}, schedule, grid(6, 12));
  const auto second = sim.run({}, schedule, grid(6, 12));
  ASSERT_TRUE(first.summary.ok());
  EXPECT_GE(first.summary.stops, 9);
  EXPECT_GT(first.summary.jacobian_evals, 0);
  EXPECT_LE(first.summary.jacobian_evals, first.summary.linear_setups);
  EXPECT_EQ(first.summary.steps, second.summary.steps);
  EXPECT_EQ(first.summary.rhs_evals, second.summary.rhs_evals);
  EXPECT_EQ(first.summary.jacobian_evals, second.summary.jacobian_evals);
}

TEST(Simulator, ProgressCallbackCancelsTheRun) {
  const auto o = grid(10, 10);
  const CompiledModel m(build({.states = {{"x", "1", "-x"}}}));
  long long calls = 0;
  const RunControl control{.progress = [&](const Progress& p) {
                             ++calls;
                             EXPECT_EQ(p.total, 11);
                             return p.done >= 4 ? CallbackResult::stop : CallbackResult::proceed;
                           },
                           .progress_interval = 0.0,
                           .stop = {}};
  const auto r = simulate(m, default_parameters(m.model()), default_schedule(m.model()), o, control);
  EXPECT_GT(calls, 0);
  EXPECT_EQ(r.summary.termination, Termination::cancelled);
  EXPECT_EQ(r.summary.message, "cancelled at t = 3 day");
  EXPECT_EQ(r.trajectory.times.size(), 4u);  // days 0..3 kept
}

TEST(Simulator, MessagesUseTheModelsTimeUnit) {
  Model m = build({.states = {{"x", "1", "x^2"}}});  // blows up at t = 1
  m.time_unit.text = "second";
  const auto r = run(m, grid(2, 4));
  ASSERT_FALSE(r.summary.ok());
  EXPECT_NE(r.summary.message.find(" second"), std::string::npos) << r.summary.message;
  EXPECT_EQ(r.summary.message.find(" day"), std::string::npos) << r.summary.message;
  EXPECT_NE(r.summary.brief().find(" second, "), std::string::npos) << r.summary.brief();
  m.time_unit.text = "";
  const auto plain = run(m, grid(2, 4));
  EXPECT_EQ(plain.summary.message.find(" day"), std::string::npos) << plain.summary.message;
}

TEST(Simulator, StopTokenCancelsTheRun) {
  std::stop_source stop;
  stop.request_stop();
  const CompiledModel m(build({.states = {{"x", "1", "-x"}}}));
  const auto r = simulate(m, default_parameters(m.model()), default_schedule(m.model()), grid(10, 10),
                          RunControl{.progress = {}, .progress_interval = 0.5, .stop = stop.get_token()});
  EXPECT_EQ(r.summary.termination, Termination::cancelled);
  EXPECT_EQ(r.trajectory.times.size(), 1u);  // the initial point only
}

TEST(Simulator, InvalidOptionsNameTheField) {
  auto o = grid(1, 2);
  o.solver.rtol = -1;
  try {
    run(build({.states = {{"x", "1", "-x"}}}), o);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "error: option 'rtol' = -1: must be in (0, 1)");
  }
}

TEST(CompiledModel, JacobianMatchesFiniteDifferences) {
  const auto m = build({.states = {{"a", "1", "-k1*a*b + hill(c, K, 2)"},
                                   {"b", "2", "k1*a*b - v*b + max(a, c)"},
                                   {"c", "0.5", "mm(a, K) - exp(-b) * flux"}},
                        .parameters = {{"k1", 0.8}, {"K", 0.7}, {"v", 1.1}},
                        .variables = {{"flux", "sqrt(a*a + 1) * piecewise(b, c > 0.3, 2*c)"}, {"unused", "a"}}});
  CompiledModel cm(m);
  Workspace ws = cm.make_workspace();
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> dist(0.1, 2.0);
  const int n = cm.n_states();
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> x(n), f0(n), f1(n), J(cm.jacobian_nonzeros());
    for (auto& v : x) v = dist(rng);
    cm.jacobian(0.0, x.data(), nullptr, J.data(), ws);
    const auto& cp = cm.jacobian_col_ptr();
    const auto& ri = cm.jacobian_row_index();
    for (int j = 0; j < n; ++j) {
      const double h = 1e-6 * std::max(1.0, x[j]);
      auto xp = x, xm = x;
      xp[j] += h, xm[j] -= h;
      cm.rhs(0.0, xp.data(), nullptr, f1.data(), ws);
      cm.rhs(0.0, xm.data(), nullptr, f0.data(), ws);
      std::vector<double> col(n, 0.0);
      for (int k = cp[j]; k < cp[j + 1]; ++k) col[ri[k]] = J[k];
      for (int i = 0; i < n; ++i) EXPECT_NEAR(col[i], (f1[i] - f0[i]) / (2 * h), 1e-5 * (1 + std::fabs(col[i])));
    }
  }
}

}  // namespace
}  // namespace gutskin
