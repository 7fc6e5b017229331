// Newton's method on the steady-state system with SUNDIALS KINSOL (dense LU of the analytic
// ∂F/∂x, exact Newton: a new Jacobian every iteration), and the search with its fallbacks.
#include <kinsol/kinsol.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "analysis/steady/system.hpp"
#include "solver/cvodes_handles.hpp"

namespace gutskin::detail {

namespace {

struct KinsolDeleter { void operator()(void* m) const { KINFree(&m); } };
using KinsolPtr = std::unique_ptr<void, KinsolDeleter>;

struct Callbacks {
  SteadySystem* system;
  std::vector<char> divided;  // per state: the equation is f_i/x_i (NewtonSettings::inside_face)
  Eigen::MatrixXd J;
  std::string error;  // KINSOL's last message
};

int residual_fn(N_Vector u, N_Vector F, void* data) {
  auto* c = static_cast<Callbacks*>(data);
  const double* x = N_VGetArrayPointer(u);
  double* f = N_VGetArrayPointer(F);
  // Not finite: recoverable, so the line search steps back.
  if (!c->system->residual(x, f)) return 1;
  for (std::size_t i = 0; i < c->divided.size(); ++i)
    if (c->divided[i]) f[i] /= x[i];
  return 0;
}

int jacobian_fn(N_Vector u, N_Vector fu, SUNMatrix J, void* data, N_Vector, N_Vector) {
  auto* c = static_cast<Callbacks*>(data);
  const int n = c->system->size();
  const double* x = N_VGetArrayPointer(u);
  c->system->jacobian(x, c->J);
  // d(f_i/x_i)/dx_j = (J_ij − δ_ij f_i/x_i)/x_i; fu holds f_i/x_i.
  const double* g = N_VGetArrayPointer(fu);
  for (int i = 0; i < n; ++i)
    if (c->divided[i]) {
      c->J(i, i) -= g[i];
      c->J.row(i) /= x[i];
    }
  if (!c->J.allFinite()) return 1;
  for (int j = 0; j < n; ++j) std::copy_n(c->J.col(j).data(), n, SM_COLUMN_D(J, j));
  return 0;
}

void error_handler(int, const char*, const char*, char* msg, void* data) {
  static_cast<Callbacks*>(data)->error = msg ? msg : "";
}

}  // namespace

NewtonOutcome newton(SteadySystem& system, std::vector<double>& x, const NewtonSettings& settings) {
  NewtonOutcome out;
  const int n = system.size();
  const Model& model = system.model().model();
  if (n == 0) {
    out.converged = true;
    return out;
  }
  SUNContext raw_ctx = nullptr;
  check_flag(SUNContext_Create(nullptr, &raw_ctx), "SUNContext_Create");
  ContextPtr ctx(raw_ctx);
  VectorPtr u(N_VNew_Serial(n, ctx.get())), uscale(N_VClone(u.get())), fscale(N_VClone(u.get())),
      constraints(N_VClone(u.get()));
  double* uu = N_VGetArrayPointer(u.get());
  double* us = N_VGetArrayPointer(uscale.get());
  double* fs = N_VGetArrayPointer(fscale.get());
  double* cs = N_VGetArrayPointer(constraints.get());
  Callbacks callbacks{&system, settings.inside_face, {}, {}};
  callbacks.divided.resize(n, 0);
  bool any_constraint = false;
  for (int i = 0; i < n; ++i) {
    const bool keep = settings.constrained && settings.non_negative && model.states[i].non_negative;
    cs[i] = keep ? 1.0 : 0.0;  // 1: ≥ 0
    any_constraint |= keep;
    uu[i] = keep ? std::max(x[i], 0.0) : x[i];
  }
  KinsolPtr mem(KINCreate(ctx.get()));
  check_flag(KINInit(mem.get(), residual_fn, u.get()), "KINInit");
  check_flag(KINSetUserData(mem.get(), &callbacks), "KINSetUserData");
  check_flag(KINSetErrHandlerFn(mem.get(), error_handler, &callbacks), "KINSetErrHandlerFn");
  if (any_constraint) check_flag(KINSetConstraints(mem.get(), constraints.get()), "KINSetConstraints");
  check_flag(KINSetNumMaxIters(mem.get(), settings.max_iterations), "KINSetNumMaxIters");
  check_flag(KINSetMaxSetupCalls(mem.get(), 1), "KINSetMaxSetupCalls");  // exact Newton
  check_flag(KINSetScaledStepTol(mem.get(), 1e-15), "KINSetScaledStepTol");
  // Inside a face the equations are often (for gLV exactly) linear: let the first step go all
  // the way, however far it is from the start's scale.
  if (std::find(callbacks.divided.begin(), callbacks.divided.end(), 1) != callbacks.divided.end())
    check_flag(KINSetMaxNewtonStep(mem.get(), 1e15), "KINSetMaxNewtonStep");
  MatrixPtr J(SUNDenseMatrix(n, n, ctx.get()));
  SolverPtr ls(SUNLinSol_Dense(u.get(), J.get(), ctx.get()));
  check_flag(KINSetLinearSolver(mem.get(), ls.get(), J.get()), "KINSetLinearSolver");
  check_flag(KINSetJacFn(mem.get(), jacobian_fn), "KINSetJacFn");

  // KINSOL stops on the scaled max-norm of F; its scales are fixed per call, so it runs again
  // with scales from where it got to until the unscaled test (residual_norm) passes.
  int flag = 0;
  for (int pass = 0; pass < 4; ++pass) {
    for (int i = 0; i < n; ++i) {
      us[i] = 1.0 / std::max(std::abs(uu[i]), system.atol());
      fs[i] = callbacks.divided[i] ? 1.0 : us[i];  // f/x is already a rate per time unit
    }
    for (const ConservationLaw& law : system.laws()) fs[law.state] = 1.0 / std::max(std::abs(law.total), system.atol());
    check_flag(KINSetFuncNormTol(mem.get(), settings.tolerance * 0.01), "KINSetFuncNormTol");
    flag = KINSol(mem.get(), u.get(), settings.damped ? KIN_LINESEARCH : KIN_NONE, uscale.get(), fscale.get());
    long iters = 0;
    KINGetNumNonlinSolvIters(mem.get(), &iters);
    out.iterations += iters;
    out.residual = system.residual_norm(uu);
    if (out.residual <= settings.tolerance) {  // whatever KINSOL's flag: the test is ours
      out.converged = true;
      break;
    }
    if (flag < 0) break;
  }
  x.assign(uu, uu + n);
  for (int i = 0; i < n && out.converged && settings.non_negative; ++i)
    if (model.states[i].non_negative && x[i] < -system.atol()) {
      out.converged = false;
      out.message = fmt::format("reached {} = {:.6g}, below zero", model.states[i].name, x[i]);
      return out;
    }
  if (!out.converged) {
    char* name = KINGetReturnFlagName(flag);
    out.message = flag < 0 ? fmt::format("{} after {} iterations (residual {:.3g}, worst {}){}",
                                         name ? name : "KINSOL failed", out.iterations, out.residual,
                                         system.worst_state(uu), callbacks.error.empty() ? "" : ": " + callbacks.error)
                           : fmt::format("stalled at residual {:.3g} after {} iterations (worst {})", out.residual,
                                         out.iterations, system.worst_state(uu));
    free(name);
  }
  return out;
}

namespace {

/// Simulates from x with the inputs held, on a geometric output grid up to max_time, and returns
/// the output state closest to steady (the first within 10 × tolerance), for Newton to polish.
std::vector<double> simulate_towards(SteadySystem& system, const std::vector<double>& x, const SearchSettings& settings,
                                     Simulator& simulator, std::string& why) {
  SimulateOptions options;
  options.t_start = system.t();
  options.solver = settings.solver;
  options.record_variables = false;
  options.initial_state = x;
  for (double dt = 1.0; dt <= settings.max_time * (1 + 1e-12); dt *= 2) options.output_times.push_back(system.t() + dt);
  if (options.output_times.empty()) options.output_times.push_back(system.t() + settings.max_time);
  const InputSchedule schedule(system.model().n_inputs(), system.inputs());
  const SimulationResult r = simulator.run(system.parameters(), schedule, options);
  const Trajectory& tr = r.trajectory;
  const int first_state = system.model().n_observables();
  std::vector<double> state(system.size()), best = x;
  double best_residual = system.residual_norm(x.data());
  for (std::size_t row = 0; row < tr.times.size() && best_residual > 10 * settings.newton.tolerance; ++row) {
    for (int i = 0; i < system.size(); ++i) state[i] = tr.at(row, first_state + i);
    const double residual = system.residual_norm(state.data());
    if (residual < best_residual) best_residual = residual, best = state;
  }
  if (!r.summary.ok()) why += fmt::format("; the simulation ended: {}", r.summary.message);
  return best;
}

/// Pseudo-transient continuation (Kelley & Keyes 1998): implicit Euler steps towards the steady
/// state, (D/Δt − ∂F/∂x) δ = F with D = 1 on the rate rows and 0 on the laws' rows (kept exact),
/// Δt growing as the residual falls (switched evolution relaxation) until the steps are Newton's.
/// Follows the flow like a simulation but never lets a held state move.
NewtonOutcome pseudo_transient(SteadySystem& system, std::vector<double>& x, const NewtonSettings& settings) {
  NewtonOutcome out;
  const int n = system.size();
  const Model& model = system.model().model();
  Eigen::VectorXd F(n), mass = Eigen::VectorXd::Ones(n);
  for (const ConservationLaw& law : system.laws()) mass(law.state) = 0.0;
  Eigen::MatrixXd J;
  double dt = 1e-3, norm = system.residual_norm(x.data());
  for (int it = 0; it < 20 * settings.max_iterations && std::isfinite(norm); ++it) {
    if (norm <= settings.tolerance) {
      out.converged = true;
      break;
    }
    system.residual(x.data(), F.data());
    system.jacobian(x.data(), J);
    Eigen::MatrixXd A = -J;
    A.diagonal() += mass / dt;
    const Eigen::VectorXd delta = A.partialPivLu().solve(F);
    std::vector<double> next(x);
    for (int i = 0; i < n; ++i) {
      next[i] += delta(i);
      if (settings.non_negative && model.states[i].non_negative) next[i] = std::max(next[i], 0.0);
    }
    const double next_norm = system.residual_norm(next.data());
    out.iterations = it + 1;
    if (!std::isfinite(next_norm) || !delta.allFinite()) {
      dt *= 0.1;  // too long a step: shorten it and try again
      if (dt < 1e-12) break;
      continue;
    }
    dt = std::min(dt * std::clamp(norm / next_norm, 0.5, 10.0), 1e15);
    x = std::move(next);
    norm = next_norm;
  }
  out.residual = norm;
  if (!out.converged)
    out.message = fmt::format("residual {:.3g} after {} steps (worst {})", norm, out.iterations, system.worst_state(x.data()));
  return out;
}

}  // namespace

std::optional<Equilibrium> find_equilibrium(SteadySystem& system, std::vector<double> x, const SearchSettings& settings,
                                            Simulator* simulator, std::string& why) {
  const std::vector<double> start = x;
  auto accept = [&](std::vector<double> state, const char* method) {
    // Dust of non-negative states (|x| < 1e-3 atol, e.g. 1e-30 on the way to an edge) is zero
    // where the residual allows: the equilibrium lies on that face.
    const Model& model = system.model().model();
    for (int i = 0; i < system.size(); ++i) {
      if (!model.states[i].non_negative || state[i] == 0.0 || std::abs(state[i]) >= 1e-3 * system.atol()) continue;
      const double kept = state[i];
      state[i] = 0.0;
      if (system.residual_norm(state.data()) > settings.newton.tolerance) state[i] = kept;
    }
    Equilibrium e;
    e.state = std::move(state);
    e.method = method;
    classify(system, e);
    if (settings.stable_only && !e.stable) {
      why += fmt::format("{}: an unstable equilibrium (max Re λ = {:.3g}); ", method, e.max_real_eigenvalue);
      return std::optional<Equilibrium>();
    }
    return std::optional<Equilibrium>(std::move(e));
  };
  NewtonSettings plain = settings.newton;
  plain.damped = plain.constrained = false;
  NewtonSettings damped = settings.newton;
  damped.damped = damped.constrained = true;
  NewtonOutcome o;
  if (settings.inside_faces) {
    NewtonSettings inside = plain;
    inside.inside_face = system.positive_on_invariant_face(x);
    if (std::find(inside.inside_face.begin(), inside.inside_face.end(), 1) != inside.inside_face.end()) {
      o = newton(system, x, inside);
      if (o.converged)
        if (auto e = accept(x, "newton inside the face")) return e;
      why = "newton inside the face: " + o.message + "; ";
      x = start;
    }
  }
  o = newton(system, x, plain);
  if (o.converged)
    if (auto e = accept(x, "newton")) return e;
  why += "newton: " + o.message;
  x = start;
  o = newton(system, x, damped);
  if (o.converged)
    if (auto e = accept(x, "damped newton")) return e;
  why += "; damped newton: " + o.message;
  x = start;
  o = pseudo_transient(system, x, settings.newton);
  if (o.converged)
    if (auto e = accept(x, "pseudo-transient newton")) return e;
  why += "; pseudo-transient newton: " + o.message;
  if (!settings.simulate || simulator == nullptr) return std::nullopt;
  const std::vector<double> settled = simulate_towards(system, start, settings, *simulator, why);
  // Where it settled, other states may have frozen (a window closed on the way): find the laws
  // again there (the model's own laws keep their totals along the way).
  system.find_conservation_laws(settled);
  for (const NewtonSettings* s : {&plain, &damped}) {
    x = settled;
    o = newton(system, x, *s);
    if (o.converged)
      if (auto e = accept(x, "simulation + newton")) return e;
  }
  why += fmt::format("; simulation for up to {:g} time units, then newton: {}", settings.max_time, o.message);
  return std::nullopt;
}

}  // namespace gutskin::detail
