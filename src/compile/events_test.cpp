// Compiled event values, delays and priorities against the reference evaluator they replaced,
// bit for bit: on hand-made models, the built-in model (with events added, as it has none) and
// every SBML Test Suite case with events.
#include <gtest/gtest.h>

#include "support/sbml_cases.hpp"

#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>

#include "gutskin/compiled_model.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {
namespace {

namespace fs = std::filesystem;

/// A point to evaluate events at, with the workspace's parameters and delayed values.
struct Point {
  double t = 0.0;
  std::vector<double> x, u, p, delayed;
};

/// The interpreter path used before events were compiled: variables from the variables program,
/// every other name from the point, the expression by `evaluate`.
struct Reference {
  const CompiledModel& cm;
  const Point& pt;
  std::vector<double> vars;

  Reference(const CompiledModel& model, const Point& point, Workspace& ws)
      : cm(model), pt(point), vars(model.n_variables()) {
    cm.variables(pt.t, pt.x.data(), pt.u.data(), vars.data(), ws);
  }

  double value(const Expr& e) const {
    const Model& m = cm.model();
    return evaluate(e, [&](const std::string& name) -> double {
      if (name == "time") return pt.t;
      if (int i = m.state_index(name); i >= 0) return pt.x[i];
      if (int i = m.parameter_index(name); i >= 0) return pt.p[i];
      if (int i = m.input_index(name); i >= 0) return pt.u[i];
      if (int i = m.variable_index(name); i >= 0) return vars[i];
      if (!name.empty() && name[0] == '\x03') return pt.delayed[std::stoi(name.substr(1))];
      throw InputError({}, "undefined name '" + name + "'");
    });
  }
};

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// Loads the point into a fresh workspace and compares every event's values, delay and priority.
void expect_events_bit_identical(const CompiledModel& cm, const Point& pt, const std::string& label) {
  Workspace ws = cm.make_workspace();
  cm.set_parameters(ws, pt.p.data());
  if (cm.n_delays() > 0) cm.set_delayed_values(ws, pt.delayed.data());
  const Reference ref(cm, pt, ws);
  const auto& events = cm.model().events;
  for (int e = 0; e < static_cast<int>(events.size()); ++e) {
    const Event& ev = events[e];
    const std::string where = label + " at t = " + std::to_string(pt.t) + ", event " + ev.name;
    std::vector<double> values(ev.assignments.size());
    cm.event_values(e, pt.t, pt.x.data(), pt.u.data(), values.data(), ws);
    for (std::size_t k = 0; k < values.size(); ++k) {
      const double expected = ref.value(ev.assignments[k].value);
      EXPECT_TRUE(same_bits(values[k], expected))
          << where << ", assignment to " << ev.assignments[k].target << ": " << values[k] << " vs " << expected;
    }
    const double delay = cm.event_delay(e, pt.t, pt.x.data(), pt.u.data(), ws);
    const double delay_ref = ev.delay ? ref.value(ev.delay) : 0.0;
    EXPECT_TRUE(same_bits(delay, delay_ref)) << where << ", delay: " << delay << " vs " << delay_ref;
    const double priority = cm.event_priority(e, pt.t, pt.x.data(), pt.u.data(), ws);
    const double priority_ref = ev.priority ? ref.value(ev.priority) : 0.0;
    EXPECT_TRUE(same_bits(priority, priority_ref)) << where << ", priority: " << priority << " vs " << priority_ref;
  }
}

/// The initial point (t0 = 0, parameters after initial assignments) and one away from it (later,
/// states, parameters and delayed values moved), where branches and rules may read otherwise.
std::vector<Point> points(const CompiledModel& cm, const std::vector<double>& p) {
  const InputSchedule schedule = default_schedule(cm.model());
  Point p0{.t = 0.0,
           .x = std::vector<double>(cm.n_states()),
           .u = std::vector<double>(cm.n_inputs()),
           .p = std::vector<double>(cm.n_parameters()),
           .delayed = std::vector<double>(cm.n_delays())};
  schedule.values(0.0, p0.u.data());
  Workspace ws = cm.make_workspace();
  cm.set_parameters(ws, p.data());
  cm.initial_state(0.0, p0.u.data(), p0.x.data(), ws);
  cm.get_parameters(ws, p0.p.data());
  cm.delay_arguments(0.0, p0.x.data(), p0.u.data(), p0.delayed.data(), ws);  // before t0 + tau: x(t0)

  Point p1 = p0;
  p1.t = 1.7;
  schedule.values(p1.t, p1.u.data());
  for (std::size_t i = 0; i < p1.x.size(); ++i) p1.x[i] = 1.25 * p1.x[i] + 0.5 + 0.01 * static_cast<double>(i);
  for (auto& v : p1.p) v = 1.1 * v + 0.01;
  for (auto& v : p1.delayed) v = 0.75 * v + 0.25;
  return {p0, p1};
}

// ---- hand-made models -----------------------------------------------------------------------

/// dx/dt = −k·x with the variable v = x² (squared on the tape) and events reading x² (std::pow
/// in the evaluator), v, delays, piecewise and min.
Model decay_with_events() {
  Model m;
  m.name = "decay_events";
  for (auto [n, v] : {std::pair{"k", 0.5}, {"c", 3.0}}) m.parameters.push_back({.name = n, .value = v});
  m.variables.push_back({.name = "v", .expr = parse_expression("x^2")});
  m.states.push_back({.name = "x", .initial = parse_expression("c"), .non_negative = false});
  m.equations.push_back({.state = "x", .rate = parse_expression("-k * x")});
  Event a;  // assigned, not designated: GCC 12 -Wmaybe-uninitialized misfires on that
  a.name = "a";
  a.trigger = parse_expression("x < 1");
  a.assignments.push_back({.target = "x", .value = parse_expression("x^2 + v")});
  a.assignments.push_back({.target = "c", .value = parse_expression("pow(v, 2) * piecewise(k, x > 2, c)")});
  a.delay = parse_expression("min(v, x^2, 2)");
  m.events.push_back(std::move(a));
  Event b;
  b.name = "b";
  b.trigger = parse_expression("time >= 2 and x > 0");
  b.assignments.push_back({.target = "k", .value = parse_expression("k^2")});
  b.priority = parse_expression("-v^2");
  m.events.push_back(std::move(b));
  return m;
}

TEST(CompiledEvents, HandMadeModelMatchesTheEvaluatorBitForBit) {
  const CompiledModel cm(decay_with_events());
  const auto p = default_parameters(cm.model());
  for (const Point& pt : points(cm, p)) expect_events_bit_identical(cm, pt, "decay_events");
  // And the values themselves, at x = 1.5: v = 2.25.
  Workspace ws = cm.make_workspace();
  const double x = 1.5;
  double values[2];
  cm.event_values(0, 0.0, &x, nullptr, values, ws);
  EXPECT_EQ(values[0], 4.5);
  EXPECT_EQ(values[1], 3.0 * 2.25 * 2.25);
  EXPECT_EQ(cm.event_delay(0, 0.0, &x, nullptr, ws), 2.0);
  EXPECT_EQ(cm.event_priority(0, 0.0, &x, nullptr, ws), 0.0);  // none
  EXPECT_EQ(cm.event_delay(1, 0.0, &x, nullptr, ws), 0.0);     // none
  EXPECT_EQ(cm.event_priority(1, 0.0, &x, nullptr, ws), -2.25 * 2.25);
  cm.event_values(1, 0.0, &x, nullptr, values, ws);
  EXPECT_EQ(values[0], 0.25);
}

TEST(CompiledEvents, AnUndefinedNameKeepsTheEvaluatorAndIsReportedWhenReached) {
  // The tape cannot take an undefined name; the evaluator reports it when the event's values are
  // asked for, as before compiling, and the model's other event functions still work.
  Model m = decay_with_events();
  m.events[1].assignments[0].value = parse_expression("ghost + 1");
  const CompiledModel cm(m);
  Workspace ws = cm.make_workspace();
  const double x = 1.5;
  double values[2];
  cm.event_values(0, 0.0, &x, nullptr, values, ws);
  EXPECT_EQ(values[0], 4.5);
  EXPECT_EQ(cm.event_priority(1, 0.0, &x, nullptr, ws), -2.25 * 2.25);
  try {
    cm.event_values(1, 0.0, &x, nullptr, values, ws);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "error: undefined name 'ghost'");
  }
  // The evaluator there gives what the tape gives in the model without the undefined name.
  const CompiledModel compiled(decay_with_events());
  for (const Point& pt : points(cm, default_parameters(cm.model()))) {
    Workspace ws_e = cm.make_workspace(), ws_c = compiled.make_workspace();
    cm.set_parameters(ws_e, pt.p.data());
    compiled.set_parameters(ws_c, pt.p.data());
    double evaluated[2], taped[2];
    cm.event_values(0, pt.t, pt.x.data(), nullptr, evaluated, ws_e);
    compiled.event_values(0, pt.t, pt.x.data(), nullptr, taped, ws_c);
    EXPECT_EQ(std::memcmp(evaluated, taped, sizeof taped), 0);
    EXPECT_TRUE(same_bits(cm.event_delay(0, pt.t, pt.x.data(), nullptr, ws_e),
                          compiled.event_delay(0, pt.t, pt.x.data(), nullptr, ws_c)));
    EXPECT_TRUE(same_bits(cm.event_priority(1, pt.t, pt.x.data(), nullptr, ws_e),
                          compiled.event_priority(1, pt.t, pt.x.data(), nullptr, ws_c)));
  }
}

// ---- the built-in model and the SBML Test Suite ---------------------------------------------

TEST(CompiledEvents, BuiltInModelWithEventsMatchesTheEvaluatorBitForBit) {
  Model m = load_model(fs::path(GUTSKIN_SOURCE_DIR) / "models/gut_skin");
  ASSERT_FALSE(m.states.empty());
  ASSERT_FALSE(m.variables.empty());
  {
    const CompiledModel cm(m);
    for (const Point& pt : points(cm, default_parameters(cm.model()))) expect_events_bit_identical(cm, pt, "gut_skin");
  }
  // It has no events of its own: add some that read every variable and state, squared (x·x on
  // the variables tape, std::pow in the evaluator), with delays and priorities from variables.
  for (std::size_t i = 0; i < m.variables.size(); ++i) {
    const std::string& v = m.variables[i].name;
    const std::string& x = m.states[i % m.states.size()].name;
    Event ev;
    ev.name = "added_" + v;
    ev.trigger = parse_expression(v + " > 1 or time >= 3");
    ev.assignments.push_back({.target = x, .value = parse_expression(v)});
    ev.assignments.push_back({.target = x, .value = parse_expression(v + "^2 + " + x + "^2")});
    ev.assignments.push_back({.target = x, .value = parse_expression("pow(" + x + ", 2) * time")});
    if (i % 2 == 0) ev.delay = parse_expression("abs(" + v + ")^2");
    if (i % 3 == 0) ev.priority = parse_expression("max(" + v + ", " + x + "^2)");
    m.events.push_back(std::move(ev));
  }
  const CompiledModel cm(m);
  for (const auto& p : {patient_parameters(cm.model(), Patient{.phenotype = "healthy_adult"}),
                        default_parameters(cm.model())})
    for (const Point& pt : points(cm, p)) expect_events_bit_identical(cm, pt, "gut_skin with events");
}

TEST(CompiledEvents, SbmlTestSuiteCasesMatchTheEvaluatorBitForBit) {
  const fs::path cases = testing::sbml_suite_cases();
  if (cases.empty()) GTEST_SKIP() << "SBML Test Suite not found under " << GUTSKIN_SHARED_DIR;
  // Every case with events that loads.
  int checked = 0, with_delay = 0, with_priority = 0;
  testing::for_each_sbml_case(cases, [&](const std::string& id, const CompiledModel& cm) {
    const Model& m = cm.model();
    if (m.events.empty()) return;
    try {
      for (const Point& pt : points(cm, default_parameters(m))) expect_events_bit_identical(cm, pt, id);
    } catch (const std::exception& e) {
      ADD_FAILURE() << id << ": " << e.what();
    }
    ++checked;
    for (const auto& ev : m.events) {
      with_delay += ev.delay != nullptr;
      with_priority += ev.priority != nullptr;
    }
  });
  std::printf("event cases checked: %d (events with a delay: %d, with a priority: %d)\n", checked, with_delay,
              with_priority);
  EXPECT_GT(checked, 100);
  EXPECT_GT(with_delay, 0);
  EXPECT_GT(with_priority, 0);
}

}  // namespace
}  // namespace gutskin
