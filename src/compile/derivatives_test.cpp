// Compiled derivatives (∂f/∂x, ∂f/∂p, ∂x0/∂p, ∂observable/∂x and /∂p) against central finite
// differences (fourth order), on an analytic case, the built-in model, SBML Test Suite cases and
// a YAML model; and the compiled initial values against the reference evaluator, bit for bit.
#include <gtest/gtest.h>

#include "support/sbml_cases.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "gutskin/compiled_model.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {
namespace {

namespace fs = std::filesystem;

/// A point to differentiate at: time, state, inputs and the parameters loaded before each call.
struct Point {
  double t = 0.0;
  std::vector<double> x, u, p;
};

/// Largest relative FD error seen (entries whose magnitude is above the absolute floor), and where.
double g_max_rel_error = 0.0;
std::string g_max_rel_where;
double g_max_rel_error_not_tiny = 0.0;  // only coordinates |v| ≥ 1e-6 (steps ≥ 1e-12)

/// Dense column-major n_rows × n_cols from CSC values.
std::vector<double> dense(const SparsePattern& s, const std::vector<double>& values) {
  std::vector<double> d(static_cast<std::size_t>(s.n_rows) * s.n_cols, 0.0);
  for (int j = 0; j < s.n_cols; ++j)
    for (int k = s.col_ptr[j]; k < s.col_ptr[j + 1]; ++k) d[s.row_index[k] + j * s.n_rows] = values[k];
  return d;
}

/// Step for a value: relative; at zero small enough to stay inside regularisations such as
/// log(x + 1e-9) of the built-in model's Shannon index.
double step(double v) { return v == 0.0 ? 1e-12 : 1e-4 * std::fabs(v); }

/// Compares analytic `d` (dense column-major, n_rows × n_cols) with fourth-order central
/// differences (−f(v+2h) + 8f(v+h) − 8f(v−h) + f(v−2h)) / 12h of `f` (writes n_rows values) in
/// each of the n_cols coordinates of `v`. Fourth order lets h be large enough that rounding in
/// rates whose terms cancel (a steady state) stays small.
void check_against_fd(const std::string& what, const std::vector<double>& d, int n_rows, std::vector<double> v,
                      const std::function<void(const std::vector<double>&, double*)>& f) {
  const int n_cols = static_cast<int>(v.size());
  std::vector<double> f0(n_rows), fp(n_rows), fm(n_rows), fpp(n_rows), fmm(n_rows);
  f(v, f0.data());
  for (int j = 0; j < n_cols; ++j) {
    const double h = step(v[j]), vj = v[j];
    for (auto [offset, out] : {std::pair{h, &fp}, {-h, &fm}, {2 * h, &fpp}, {-2 * h, &fmm}}) {
      v[j] = vj + offset;
      f(v, out->data());
    }
    v[j] = vj;
    for (int i = 0; i < n_rows; ++i) {
      const double fd = (-fpp[i] + 8 * fp[i] - 8 * fm[i] + fmm[i]) / (12 * h);
      const double a = d[i + static_cast<std::size_t>(j) * n_rows];
      // Rounding in the difference is about ε·|f|/h: the absolute floor is 500 times that.
      // Truncation error (h⁴) is relative.
      const double floor = 1e-13 * (1.0 + std::fabs(f0[i])) / h;
      const double tol = 1e-5 * std::max(std::fabs(a), std::fabs(fd)) + floor;
      EXPECT_TRUE(std::isfinite(a) && std::isfinite(fd)) << what << " row " << i << " column " << j << ": " << a
                                                          << " vs " << fd;
      EXPECT_NEAR(a, fd, tol) << what << " row " << i << " column " << j;
      if (std::fabs(a) > 100 * floor && std::fabs(vj) >= 1e-6)
        g_max_rel_error_not_tiny = std::max(g_max_rel_error_not_tiny, std::fabs(a - fd) / std::fabs(a));
      if (std::fabs(a) > 100 * floor && std::fabs(a - fd) / std::fabs(a) > g_max_rel_error) {
        g_max_rel_error = std::fabs(a - fd) / std::fabs(a);
        g_max_rel_where = what + " row " + std::to_string(i) + " column " + std::to_string(j) + ": " +
                          std::to_string(a) + " vs " + std::to_string(fd) + " at " + std::to_string(vj);
      }
    }
  }
}

/// Every compiled derivative of `cm` at `pt` against finite differences.
void check_all(const CompiledModel& cm, const Point& pt, const std::string& label) {
  SCOPED_TRACE(label + " at t = " + std::to_string(pt.t));
  Workspace ws = cm.make_workspace();
  const int ns = cm.n_states(), np = cm.n_parameters(), no = cm.n_observables();
  cm.set_parameters(ws, pt.p.data());
  const double* u = pt.u.data();

  std::vector<double> jx(cm.jacobian_nonzeros());
  cm.jacobian(pt.t, pt.x.data(), u, jx.data(), ws);
  check_against_fd("df/dx", dense(cm.jacobian_pattern(), jx), ns, pt.x,
                   [&](const std::vector<double>& x, double* out) { cm.rhs(pt.t, x.data(), u, out, ws); });

  std::vector<double> jp(cm.rhs_parameter_pattern().nonzeros());
  cm.rhs_parameter_jacobian(pt.t, pt.x.data(), u, jp.data(), ws);
  check_against_fd("df/dp", dense(cm.rhs_parameter_pattern(), jp), ns, pt.p,
                   [&](const std::vector<double>& p, double* out) {
                     cm.set_parameters(ws, p.data());
                     cm.rhs(pt.t, pt.x.data(), u, out, ws);
                   });
  cm.set_parameters(ws, pt.p.data());

  std::vector<double> ox(cm.observable_state_pattern().nonzeros());
  cm.observable_state_jacobian(pt.t, pt.x.data(), u, ox.data(), ws);
  check_against_fd("dobs/dx", dense(cm.observable_state_pattern(), ox), no, pt.x,
                   [&](const std::vector<double>& x, double* out) { cm.observables(pt.t, x.data(), u, out, ws); });

  std::vector<double> op(cm.observable_parameter_pattern().nonzeros());
  cm.observable_parameter_jacobian(pt.t, pt.x.data(), u, op.data(), ws);
  check_against_fd("dobs/dp", dense(cm.observable_parameter_pattern(), op), no, pt.p,
                   [&](const std::vector<double>& p, double* out) {
                     cm.set_parameters(ws, p.data());
                     cm.observables(pt.t, pt.x.data(), u, out, ws);
                   });
  cm.set_parameters(ws, pt.p.data());

  // initial_state writes parameters with initial assignments: reload them before every call.
  std::vector<double> dx0(static_cast<std::size_t>(ns) * np);
  cm.initial_state_jacobian(pt.t, u, dx0.data(), ws);
  for (int k = 0; k < np; ++k) {
    if (cm.model().parameters[k].initial) {
      for (int i = 0; i < ns; ++i) EXPECT_EQ(dx0[i + static_cast<std::size_t>(k) * ns], 0.0);
    }
  }
  check_against_fd("dx0/dp", dx0, ns, pt.p, [&](const std::vector<double>& p, double* out) {
    cm.set_parameters(ws, p.data());
    cm.initial_state(pt.t, u, out, ws);
  });
}

/// Initial point of a model: t0 = 0, inputs at time 0, x0 from initial_state.
Point initial_point(const CompiledModel& cm, const std::vector<double>& p, const InputSchedule& schedule) {
  Point pt{.t = 0.0, .x = std::vector<double>(cm.n_states()), .u = std::vector<double>(cm.n_inputs()), .p = p};
  schedule.values(0.0, pt.u.data());
  Workspace ws = cm.make_workspace();
  cm.set_parameters(ws, p.data());
  cm.initial_state(0.0, pt.u.data(), pt.x.data(), ws);
  return pt;
}

/// The state reached at t_end (from the trajectory's state columns).
Point simulated_point(const CompiledModel& cm, const std::vector<double>& p, const InputSchedule& schedule,
                      double t_end) {
  SimulateOptions o;
  o.output_times = {0.0, t_end};
  const SimulationResult r = simulate(cm, p, schedule, o);
  EXPECT_TRUE(r.summary.ok()) << r.summary.message;
  Point pt{.t = t_end, .x = std::vector<double>(cm.n_states()), .u = std::vector<double>(cm.n_inputs()), .p = p};
  schedule.values(t_end, pt.u.data());
  const std::size_t last = r.trajectory.times.size() - 1;
  for (int i = 0; i < cm.n_states(); ++i)
    pt.x[i] = r.trajectory.at(last, r.trajectory.column(cm.model().states[i].name));
  return pt;
}

// ---- exact values -------------------------------------------------------------------------

TEST(Derivatives, AnalyticDecayHasExactValues) {
  // dx/dt = −k·x, x0 = a·b, observable y = c·x² through the variable v = k·x.
  Model m;
  m.name = "decay";
  for (auto [n, v] : {std::pair{"k", 0.5}, {"a", 2.0}, {"b", 3.0}, {"c", 7.0}})
    m.parameters.push_back({.name = n, .value = v});
  m.variables.push_back({.name = "v", .expr = parse_expression("k * x")});
  m.states.push_back({.name = "x", .initial = parse_expression("a * b"), .non_negative = false});
  m.equations.push_back({.state = "x", .rate = parse_expression("-v")});
  m.observables.push_back({.name = "y", .expr = parse_expression("c * x^2")});
  CompiledModel cm(m);
  Workspace ws = cm.make_workspace();
  const double x = 4.0;

  ASSERT_EQ(cm.rhs_parameter_pattern().nonzeros(), 1);  // only k
  EXPECT_EQ(cm.rhs_parameter_pattern().col_ptr, (std::vector<int>{0, 1, 1, 1, 1}));
  double dfdp = 0.0;
  cm.rhs_parameter_jacobian(0.0, &x, nullptr, &dfdp, ws);
  EXPECT_DOUBLE_EQ(dfdp, -4.0);  // −x

  std::vector<double> dx0(4);
  cm.initial_state_jacobian(0.0, nullptr, dx0.data(), ws);
  EXPECT_EQ(dx0, (std::vector<double>{0.0, 3.0, 2.0, 0.0}));  // (∂/∂k, ∂/∂a = b, ∂/∂b = a, ∂/∂c)

  ASSERT_EQ(cm.observable_state_pattern().nonzeros(), 1);
  double dydx = 0.0;
  cm.observable_state_jacobian(0.0, &x, nullptr, &dydx, ws);
  EXPECT_DOUBLE_EQ(dydx, 56.0);  // 2·c·x
  ASSERT_EQ(cm.observable_parameter_pattern().row_index, (std::vector<int>{0}));
  EXPECT_EQ(cm.observable_parameter_pattern().col_ptr, (std::vector<int>{0, 0, 0, 0, 1}));
  double dydc = 0.0;
  cm.observable_parameter_jacobian(0.0, &x, nullptr, &dydc, ws);
  EXPECT_DOUBLE_EQ(dydc, 16.0);  // x²
}

TEST(Derivatives, InitialValuesChainThroughAssignmentsAndStates) {
  // x0 = 2·q with q := k² (an initial assignment, so q's own column is zero); y0 = x + v with
  // the variable v = k·y's neighbour x; z0 = time·k (t0 = 3).
  Model m;
  m.name = "chain";
  m.parameters.push_back({.name = "k", .value = 3.0});
  Parameter q;  // assigned, not designated: GCC 12 -Wmaybe-uninitialized misfires on that
  q.name = "q";
  q.value = 100.0;
  q.initial = parse_expression("k^2");
  m.parameters.push_back(std::move(q));
  m.variables.push_back({.name = "v", .expr = parse_expression("k * x")});
  for (auto [n, init] : {std::pair{"x", "2 * q"}, {"y", "x + v"}, {"z", "time * k"}}) {
    m.states.push_back({.name = n, .initial = parse_expression(init), .non_negative = false});
    m.equations.push_back({.state = n, .rate = parse_expression("0")});
  }
  CompiledModel cm(m);
  Workspace ws = cm.make_workspace();
  std::vector<double> x0(3), d(6);
  cm.initial_state(3.0, nullptr, x0.data(), ws);
  EXPECT_EQ(x0, (std::vector<double>{18.0, 72.0, 9.0}));
  double p[2];
  cm.get_parameters(ws, p);
  EXPECT_EQ(p[1], 9.0);  // the assignment is written back
  cm.initial_state_jacobian(3.0, nullptr, d.data(), ws);
  // dx/dk = 4k = 12; dy/dk = dx/dk + x + k·dx/dk = 12 + 18 + 36 = 66; dz/dk = 3.
  EXPECT_EQ(d, (std::vector<double>{12.0, 66.0, 3.0, 0.0, 0.0, 0.0}));
}

Model two_states(const std::string& x_initial, const std::string& y_initial) {
  Model m;
  m.name = "two";
  for (auto [n, init] : {std::pair{"x", x_initial}, {"y", y_initial}}) {
    m.states.push_back({.name = n, .initial = parse_expression(init), .non_negative = false});
    m.equations.push_back({.state = n, .rate = parse_expression("-x")});
  }
  return m;
}

TEST(Derivatives, CyclicInitialValuesStayAnErrorOfInitialState) {
  // The tape cannot take a cycle; the reference evaluator reports it, as before compiling.
  const CompiledModel cm(two_states("y", "2 * x"));
  Workspace ws = cm.make_workspace();
  std::vector<double> x0(2), d;
  try {
    cm.initial_state(0.0, nullptr, x0.data(), ws);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "error: cycle in initial values through 'x'");
  }
  EXPECT_THROW(cm.initial_state_jacobian(0.0, nullptr, d.data(), ws), InputError);
}

TEST(Derivatives, CycleOnlyThroughAnUnusedBranchStillEvaluates) {
  // The evaluator never reaches the cycle, so the initial state exists (and keeps existing).
  const CompiledModel cm(two_states("piecewise(1, time >= 0, y)", "x + 1"));
  Workspace ws = cm.make_workspace();
  std::vector<double> x0(2);
  cm.initial_state(0.0, nullptr, x0.data(), ws);
  EXPECT_EQ(x0, (std::vector<double>{1.0, 2.0}));
}

// ---- finite differences on real models ------------------------------------------------------

TEST(Derivatives, BuiltInModelMatchesFiniteDifferences) {
  const CompiledModel cm(load_model(fs::path(GUTSKIN_SOURCE_DIR) / "models/gut_skin"));
  const InputSchedule schedule = default_schedule(cm.model());
  for (const auto& p : {patient_parameters(cm.model(), Patient{.phenotype = "healthy_adult"}),
                        default_parameters(cm.model())}) {
    check_all(cm, initial_point(cm, p, schedule), "gut_skin");
    check_all(cm, simulated_point(cm, p, schedule, 3.0), "gut_skin");
  }
  EXPECT_GT(cm.rhs_parameter_pattern().nonzeros(), 0);
  EXPECT_GT(cm.observable_state_pattern().nonzeros(), 0);
}

TEST(Derivatives, YamlModelMatchesFiniteDifferences) {
  const CompiledModel cm(load_model(fs::path(GUTSKIN_SOURCE_DIR) / "tests/data/small_model.yaml"));
  InputSchedule schedule = default_schedule(cm.model());
  const auto p = default_parameters(cm.model());
  Point pt = initial_point(cm, p, schedule);
  pt.x = {0.6}, pt.u = {1.5};  // away from the steady state, with stress
  check_all(cm, pt, "small_model");
  check_all(cm, simulated_point(cm, p, schedule, 2.0), "small_model");
}

TEST(Derivatives, SbmlTestSuiteCasesMatchFiniteDifferences) {
  const fs::path cases = fs::path(GUTSKIN_SHARED_DIR) / "data" / "sbml-test-suite" / "cases";
  if (!fs::is_directory(cases)) GTEST_SKIP() << "SBML Test Suite not found at " << cases;
  // Parameters in rates, assignment rules and initial assignments that depend on parameters.
  std::ptrdiff_t x0_nonzeros = 0;
  int rhs_p_nonzeros = 0;
  for (const char* id : {"00185", "00300", "01217", "00616"}) {
    const CompiledModel cm(load_model(cases / id / (std::string(id) + "-sbml-l3v2.xml")));
    const InputSchedule schedule = default_schedule(cm.model());
    const auto p = default_parameters(cm.model());
    check_all(cm, initial_point(cm, p, schedule), id);
    check_all(cm, simulated_point(cm, p, schedule, 1.0), id);
    Workspace ws = cm.make_workspace();
    std::vector<double> dx0(static_cast<std::size_t>(cm.n_states()) * cm.n_parameters());
    cm.initial_state_jacobian(0.0, nullptr, dx0.data(), ws);
    x0_nonzeros += std::count_if(dx0.begin(), dx0.end(), [](double v) { return v != 0.0; });
    rhs_p_nonzeros += cm.rhs_parameter_pattern().nonzeros();
  }
  EXPECT_GT(x0_nonzeros, 0);  // the cases do exercise initial assignments and rates in p
  EXPECT_GT(rhs_p_nonzeros, 0);
}

// ---- compiled initial values are the reference evaluator's, bit for bit ---------------------

/// The interpreter initial_state used before it was compiled (without delays).
std::vector<double> reference_initial_state(const CompiledModel& cm, const std::vector<double>& p, double t0,
                                            const std::vector<double>& u, std::vector<double>* p_out) {
  const Model& m = cm.model();
  std::map<std::string, double> done;
  std::function<double(const std::string&)> value = [&](const std::string& name) -> double {
    if (name == "time") return t0;
    if (auto it = done.find(name); it != done.end()) return it->second;
    double v;
    if (int i = m.state_index(name); i >= 0) v = evaluate(m.states[i].initial, value);
    else if (int i = m.parameter_index(name); i >= 0)
      v = m.parameters[i].initial ? evaluate(m.parameters[i].initial, value) : p[i];
    else if (int i = m.input_index(name); i >= 0) v = u[i];
    else v = evaluate(m.variables[m.variable_index(name)].expr, value);
    done.emplace(name, v);
    return v;
  };
  *p_out = p;
  for (int i = 0; i < cm.n_parameters(); ++i)
    if (m.parameters[i].initial) (*p_out)[i] = value(m.parameters[i].name);
  std::vector<double> x0;
  for (const auto& s : m.states) x0.push_back(value(s.name));
  return x0;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

void expect_initial_bit_identical(const CompiledModel& cm, const std::vector<double>& p, const std::string& label) {
  const InputSchedule schedule = default_schedule(cm.model());
  std::vector<double> u(cm.n_inputs()), x0(cm.n_states()), p_after(cm.n_parameters()), p_ref;
  schedule.values(0.0, u.data());
  Workspace ws = cm.make_workspace();
  cm.set_parameters(ws, p.data());
  cm.initial_state(0.0, u.data(), x0.data(), ws);
  cm.get_parameters(ws, p_after.data());
  const auto x0_ref = reference_initial_state(cm, p, 0.0, u, &p_ref);
  EXPECT_TRUE(same_bits(x0, x0_ref)) << label << ": initial state differs from the reference evaluator";
  EXPECT_TRUE(same_bits(p_after, p_ref)) << label << ": assigned parameters differ from the reference evaluator";
}

TEST(Derivatives, CompiledInitialValuesAreBitIdenticalToTheEvaluator) {
  const CompiledModel gut(load_model(fs::path(GUTSKIN_SOURCE_DIR) / "models/gut_skin"));
  expect_initial_bit_identical(gut, patient_parameters(gut.model(), Patient{.phenotype = "healthy_adult"}), "gut_skin");
  expect_initial_bit_identical(gut, default_parameters(gut.model()), "gut_skin");

  const fs::path cases = testing::sbml_suite_cases();
  if (cases.empty()) GTEST_SKIP() << "SBML Test Suite not found under " << GUTSKIN_SHARED_DIR;
  // Every case with initial assignments that loads and has no delays.
  int checked = 0;
  testing::for_each_sbml_case(cases, [&](const std::string& id, const CompiledModel& cm) {
    const Model& m = cm.model();
    bool assigned = std::any_of(m.parameters.begin(), m.parameters.end(),
                                [](const Parameter& p) { return p.initial != nullptr; });
    for (const auto& s : m.states) assigned = assigned || !is_constant(s.initial);
    if (!assigned || cm.n_delays() > 0) return;
    try {
      expect_initial_bit_identical(cm, default_parameters(m), id);
    } catch (const std::exception& e) {
      ADD_FAILURE() << id << ": " << e.what();
    }
    ++checked;
  });
  EXPECT_GT(checked, 50);
}

TEST(Derivatives, ReportMaxRelativeError) {
  // Runs last in this file: the largest relative error of the checks above, for the record (the
  // largest are entries at states that are (nearly) zero, where the step is tiny and rounding
  // dominates).
  std::printf("max relative FD error: %.3g (%s)\n", g_max_rel_error, g_max_rel_where.c_str());
  std::printf("max relative FD error where |coordinate| >= 1e-6: %.3g\n", g_max_rel_error_not_tiny);
  EXPECT_LT(g_max_rel_error, 1e-2);
  EXPECT_LT(g_max_rel_error_not_tiny, 1e-4);
}

}  // namespace
}  // namespace gutskin
