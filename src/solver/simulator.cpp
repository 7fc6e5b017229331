// The simulator: CVODES BDF/Newton, integrating segment by segment between schedule breaks
// (stop times, so doses and diet changes are never smeared), with SBML-grade events found by
// root finding.
#include "gutskin/simulate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include "core/limits.hpp"
#include "solver/cvodes_handles.hpp"

namespace gutskin {

using namespace detail;

const char* to_string(Termination t) {
  switch (t) {
    case Termination::completed: return "completed";
    case Termination::max_steps: return "max_steps";
    case Termination::solver_failure: return "solver_failure";
    case Termination::non_finite: return "non_finite";
    case Termination::cancelled: return "cancelled";
  }
  return "?";
}

void SimulateOptions::validate() const {
  validate_options(solver);
  auto bad = [](const std::string& field, double value, const std::string& rule) {
    throw InputError({}, detail::option_message(field, value, rule));
  };
  if (!std::isfinite(t_start)) bad("t_start", t_start, "must be finite");
  if (output_times.empty()) throw InputError({}, "option 'output_times' is empty: give at least one time");
  for (std::size_t k = 0; k < output_times.size(); ++k) {
    const double t = output_times[k];
    if (!std::isfinite(t) || t < t_start) bad(fmt::format("output_times[{}]", k), t, fmt::format("must be finite and ≥ t_start ({})", t_start));
    if (k > 0 && t <= output_times[k - 1]) bad(fmt::format("output_times[{}]", k), t, "must be greater than the previous time");
  }
}

std::string SimulationSummary::brief() const {
  // "d" for days, as before units were kept; an SBML model's own unit otherwise.
  const std::string unit = time_unit == "day" ? " d" : time_unit.empty() ? "" : " " + time_unit;
  return fmt::format("{}: t = {:g}{}, {} steps, {} RHS, {} Jacobians, {} events, {} solver, {:.3g} s{}",
                     to_string(termination), t_reached, unit, steps, rhs_evals, jacobian_evals, events_fired,
                     linear_solver, wall_seconds, message.empty() ? "" : " — " + message);
}

std::string SimulationSummary::full_report() const {
  return fmt::format(
      "termination        {}\n{}"
      "time reached       {:g} {}\n"
      "steps              {}\n"
      "RHS evaluations    {}\n"
      "Jacobians          {}\n"
      "linear setups      {}\n"
      "error-test fails   {}\n"
      "nonlinear fails    {}\n"
      "events fired       {}\n"
      "schedule stops     {}\n"
      "linear solver      {}\n"
      "wall time          {:.6f} s\n",
      to_string(termination), message.empty() ? "" : "message            " + message + "\n", t_reached, time_unit, steps,
      rhs_evals, jacobian_evals, linear_setups, error_test_failures, nonlinear_failures, events_fired, stops,
      linear_solver, wall_seconds);
}

int Trajectory::column(const std::string& name) const {
  auto it = std::find(columns.begin(), columns.end(), name);
  return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
}

std::vector<double> default_parameters(const Model& model) {
  std::vector<double> p;
  for (const auto& par : model.parameters) p.push_back(par.value);
  return p;
}

InputSchedule default_schedule(const Model& model) {
  std::vector<double> d;
  for (const auto& in : model.inputs) d.push_back(in.default_value);
  return InputSchedule(static_cast<int>(d.size()), d);
}

/// The values of each delay(x_k, tau) argument at every accepted step, for x_k(t − tau):
/// cubic through the four nearest points (linear near the ends). After a jump (event) the later
/// value at a time wins. Times before the first point are the simulator's business (see prepare).
class DelayHistory {
 public:
  void clear(std::size_t n) { n_ = n, times_.clear(), values_.clear(); }
  double start() const { return times_.empty() ? INFINITY : times_.front(); }
  void append(double t, const std::vector<double>& v) {
    times_.push_back(t);
    values_.insert(values_.end(), v.begin(), v.end());
  }
  double value(std::size_t k, double t) const {
    const std::size_t m = times_.size();
    if (m == 0) return NAN;
    if (t <= times_.front()) return at(0, k);
    // i: last point with time ≤ t (the later of equal times: the value after a jump).
    std::size_t i = static_cast<std::size_t>(std::upper_bound(times_.begin(), times_.end(), t) - times_.begin()) - 1;
    if (i + 1 >= m) return at(m - 1, k);
    // Four distinct times around t when available, not reaching across a jump.
    std::size_t lo = i > 0 ? i - 1 : i, hi = std::min(i + 2, m - 1);
    if (times_[lo] == times_[lo + 1]) lo = i;
    if (times_[hi] == times_[hi - 1]) hi = i + 1;
    double r = 0.0;
    for (std::size_t a = lo; a <= hi; ++a) {  // Lagrange through times_[lo..hi]
      double w = 1.0;
      for (std::size_t b = lo; b <= hi; ++b)
        if (b != a) w *= (t - times_[b]) / (times_[a] - times_[b]);
      r += w * at(a, k);
    }
    return r;
  }

 private:
  double at(std::size_t row, std::size_t k) const { return values_[row * n_ + k]; }
  std::size_t n_ = 0;
  std::vector<double> times_, values_;
};

struct Simulator::Impl {
  const CompiledModel& model;
  int n;
  ContextPtr ctx;
  VectorPtr y, constraints;
  CvodePtr mem;
  MatrixPtr matrix;
  SolverPtr solver;
  LinearSolver solver_kind = LinearSolver::automatic;
  bool initialised = false;

  // Forward sensitivities: one vector per parameter of `sens_parameters`, registered with CVODES
  // (CVodeSensInit) the first time and re-initialised, or switched off, on later runs.
  VectorArray sens;
  std::vector<int> sens_parameters;
  bool sens_registered = false;
  int last_ns = 0;  // parameters CVODES' sensitivity memory was made for
  std::vector<double> jac_values, dfdp_values, pbar;
  double sens_t = NAN;            // the point jac_values and dfdp_values were evaluated at
  std::vector<double> sens_x;

  // Per run.
  Workspace ws;
  std::vector<double> u_a, u_b, u;   // inputs on the current segment: u = a + b·t
  DelayHistory history;              // past values of the expressions inside delay()
  std::vector<double> taus, delayed; // per delay: tau now, x(t − tau)
  std::vector<double> x_initial;     // the states at t0, for delayed values before t0
  std::string rhs_error;             // first non-finite value seen, by state name and time
  std::string cvode_error;           // last message from CVODES' error handler
  long jacobian_calls = 0;           // counted here: CVODES resets its own count at each re-init

  explicit Impl(const CompiledModel& m) : model(m), n(m.n_states()) {
    SUNContext c = nullptr;
    if (SUNContext_Create(nullptr, &c) != 0) throw SolverError("SUNContext_Create failed");
    ctx.reset(c);
    y.reset(N_VNew_Serial(std::max(n, 1), ctx.get()));
    constraints.reset(N_VNew_Serial(std::max(n, 1), ctx.get()));
    mem.reset(CVodeCreate(CV_BDF, ctx.get()));
    if (!mem) throw SolverError("CVodeCreate failed");
    ws = model.make_workspace();
    u.assign(m.n_inputs(), 0.0), u_a = u, u_b = u;
    taus.assign(m.n_delays(), 0.0), delayed = taus;
  }

  /// "t = 3.5 day" in the model's time unit ("t = 3.5" when it declares none), for messages.
  std::string at(double t) const {
    const std::string& unit = model.model().time_unit.text;
    return fmt::format("t = {:g}{}", t, unit.empty() ? "" : " " + unit);
  }

  const double* inputs_at(double t) {
    for (std::size_t i = 0; i < u.size(); ++i) u[i] = u_a[i] + u_b[i] * t;
    return u.data();
  }

  /// Everything an evaluation at (t, x) reads besides the state: loads the delayed values
  /// x_k(t − tau_k) from the history, and returns the inputs at t.
  const double* prepare(double t, const double* x) {
    const double* in = inputs_at(t);
    if (!taus.empty()) {
      model.delay_times(t, x, in, taus.data(), ws);
      for (std::size_t k = 0; k < taus.size(); ++k) {
        const double past = t - taus[k];
        delayed[k] = past < history.start() ? before_start(k, past) : history.value(k, past);
      }
      model.set_delayed_values(ws, delayed.data());
    }
    return in;
  }

  /// x_k at a time before the run started (SBML): its expression at that time with the states
  /// at their initial values — constant for a state, but a rule of time moves with time.
  double before_start(std::size_t k, double past) {
    std::vector<double> u_past(u.size()), values(taus.size());
    for (std::size_t i = 0; i < u.size(); ++i) u_past[i] = u_a[i] + u_b[i] * past;
    model.delay_arguments(past, x_initial.data(), u_past.data(), values.data(), ws);
    return values[k];
  }

  /// Appends the delayed expressions' values at an accepted point (t, x).
  void record_history(double t, const double* x) {
    if (taus.empty()) return;
    model.delay_arguments(t, x, inputs_at(t), delayed.data(), ws);
    history.append(t, delayed);
  }

  // Inputs are affine on each segment between breaks; sample two inner points for a and b.
  void set_segment(const InputSchedule& schedule, double t0, double t1) {
    const double len = t1 - t0, ta = t0 + 0.25 * len, tb = t0 + 0.75 * len;
    for (int i = 0; i < static_cast<int>(u.size()); ++i) {
      const double va = schedule.value(i, ta), vb = schedule.value(i, tb);
      u_b[i] = (len > 0) ? (vb - va) / (tb - ta) : 0.0;
      u_a[i] = va - u_b[i] * ta;
      if (u_b[i] == 0.0) u_a[i] = va;  // exact for constant inputs
    }
  }

  // --- CVODES callbacks: never let an exception into C -------------------------------------
  static int rhs_cb(realtype t, N_Vector yv, N_Vector ydot, void* data) noexcept {
    auto* self = static_cast<Impl*>(data);
    try {
      double* dx = N_VGetArrayPointer(ydot);
      const double* x = N_VGetArrayPointer(yv);
      self->model.rhs(t, x, self->prepare(t, x), dx, self->ws);
      for (int i = 0; i < self->n; ++i) {
        if (!std::isfinite(dx[i])) {
          if (self->rhs_error.empty())
            self->rhs_error = fmt::format("non-finite derivative of '{}' at {} (value {})",
                                          self->model.model().states[i].name, self->at(t), dx[i]);
          return 1;  // recoverable: CVODES retries with a smaller step
        }
      }
      return 0;
    } catch (const std::exception& e) {
      self->rhs_error = e.what();
      return -1;
    }
  }

  static int jac_dense_cb(realtype t, N_Vector yv, N_Vector, SUNMatrix J, void* data, N_Vector, N_Vector,
                          N_Vector) noexcept {
    auto* self = static_cast<Impl*>(data);
    ++self->jacobian_calls;
    try {
      thread_local std::vector<double> values;
      values.resize(self->model.jacobian_nonzeros());
      const double* x = N_VGetArrayPointer(yv);
      self->model.jacobian(t, x, self->prepare(t, x), values.data(), self->ws);
      SUNMatZero(J);
      const auto& cp = self->model.jacobian_col_ptr();
      const auto& ri = self->model.jacobian_row_index();
      for (int j = 0; j < self->n; ++j) {
        double* col = SUNDenseMatrix_Column(J, j);
        for (int k = cp[j]; k < cp[j + 1]; ++k) col[ri[k]] = values[k];
      }
      return 0;
    } catch (...) {
      return -1;
    }
  }

  static int jac_sparse_cb(realtype t, N_Vector yv, N_Vector, SUNMatrix J, void* data, N_Vector, N_Vector,
                           N_Vector) noexcept {
    auto* self = static_cast<Impl*>(data);
    ++self->jacobian_calls;
    try {
      const auto& cp = self->model.jacobian_col_ptr();
      const auto& ri = self->model.jacobian_row_index();
      sunindextype* colptr = SUNSparseMatrix_IndexPointers(J);
      sunindextype* rows = SUNSparseMatrix_IndexValues(J);
      std::copy(cp.begin(), cp.end(), colptr);
      std::copy(ri.begin(), ri.end(), rows);
      const double* x = N_VGetArrayPointer(yv);
      self->model.jacobian(t, x, self->prepare(t, x), SUNSparseMatrix_Data(J), self->ws);
      return 0;
    } catch (...) {
      return -1;
    }
  }

  /// Sensitivity right-hand sides for all parameters at once: ṡ_k = (∂f/∂x)·s_k + ∂f/∂p_k, from
  /// the sparse Jacobian and ∂f/∂p tapes.
  static int sens_rhs_cb(int ns, realtype t, N_Vector yv, N_Vector, N_Vector* yS, N_Vector* ySdot, void* data,
                         N_Vector, N_Vector) noexcept {
    auto* self = static_cast<Impl*>(data);
    try {
      const CompiledModel& m = self->model;
      const double* x = N_VGetArrayPointer(yv);
      // The staggered corrector may call again at the same (t, x) (12–32% of the calls on the
      // built-in model): the Jacobian and ∂f/∂p tapes are evaluated once per point.
      if (t != self->sens_t || !std::equal(x, x + self->n, self->sens_x.begin())) {
        const double* u = self->prepare(t, x);
        m.jacobian(t, x, u, self->jac_values.data(), self->ws);
        m.rhs_parameter_jacobian(t, x, u, self->dfdp_values.data(), self->ws);
        self->sens_t = t;
        self->sens_x.assign(x, x + self->n);
      }
      const auto& cp = m.jacobian_col_ptr();
      const auto& ri = m.jacobian_row_index();
      const SparsePattern& pp = m.rhs_parameter_pattern();
      for (int k = 0; k < ns; ++k) {
        const double* sk = N_VGetArrayPointer(yS[k]);
        double* out = N_VGetArrayPointer(ySdot[k]);
        std::fill(out, out + self->n, 0.0);
        for (int j = 0; j < self->n; ++j) {
          if (sk[j] == 0.0) continue;
          for (int e = cp[j]; e < cp[j + 1]; ++e) out[ri[e]] += self->jac_values[e] * sk[j];
        }
        const int p = self->sens_parameters[k];
        for (int e = pp.col_ptr[p]; e < pp.col_ptr[p + 1]; ++e) out[pp.row_index[e]] += self->dfdp_values[e];
        for (int i = 0; i < self->n; ++i)
          if (!std::isfinite(out[i])) return 1;  // recoverable: CVODES retries with a smaller step
      }
      return 0;
    } catch (...) {
      return -1;
    }
  }

  /// Starts the sensitivities at s_k = ∂x0/∂p_k (set in `sens`) for this run, or switches them
  /// off when the run asks for none.
  void setup_sensitivities(const std::vector<double>& p, bool error_control) {
    void* cv = mem.get();
    if (sens_parameters.empty()) {
      if (sens_registered) check_flag(CVodeSensToggleOff(cv), "CVodeSensToggleOff");
      return;
    }
    const int ns = static_cast<int>(sens_parameters.size());
    if (sens_registered && ns != last_ns) {
      CVodeSensFree(cv);
      sens_registered = false;
    }
    if (!sens_registered) {
      check_flag(CVodeSensInit(cv, ns, CV_STAGGERED, sens_rhs_cb, sens.get()), "CVodeSensInit");
      sens_registered = true;
      last_ns = ns;
    } else {
      check_flag(CVodeSensReInit(cv, CV_STAGGERED, sens.get()), "CVodeSensReInit");
    }
    // Error control on the sensitivities too, scaled by |p| (CVODES' pbar) so the tolerances
    // act on p·∂x/∂p, which has the units of x.
    pbar.resize(ns);
    for (int k = 0; k < ns; ++k) {
      const double v = std::fabs(p[sens_parameters[k]]);
      pbar[k] = v > 0 ? v : 1.0;
    }
    check_flag(CVodeSetSensParams(cv, nullptr, pbar.data(), nullptr), "CVodeSetSensParams");
    check_flag(CVodeSensEEtolerances(cv), "CVodeSensEEtolerances");
    check_flag(CVodeSetSensErrCon(cv, error_control ? SUNTRUE : SUNFALSE), "CVodeSetSensErrCon");
  }

  static int root_cb(realtype t, N_Vector yv, realtype* g, void* data) noexcept {
    auto* self = static_cast<Impl*>(data);
    try {
      const double* x = N_VGetArrayPointer(yv);
      self->model.roots(t, x, self->prepare(t, x), g, self->ws);
      return 0;
    } catch (...) {
      return -1;
    }
  }

  static void error_cb(int, const char*, const char* function, char* msg, void* data) noexcept {
    auto* self = static_cast<Impl*>(data);
    self->cvode_error = fmt::format("{}: {}", function, msg);
  }

  void setup(const SimulateOptions& opt, double t0) {
    void* cv = mem.get();
    if (!initialised) {
      check_flag(CVodeInit(cv, rhs_cb, t0, y.get()), "CVodeInit");
      check_flag(CVodeSetUserData(cv, this), "CVodeSetUserData");
      check_flag(CVodeSetErrHandlerFn(cv, error_cb, this), "CVodeSetErrHandlerFn");
      if (model.n_roots() > 0) check_flag(CVodeRootInit(cv, model.n_roots(), root_cb), "CVodeRootInit");
      initialised = true;
    } else {
      check_flag(CVodeReInit(cv, t0, y.get()), "CVodeReInit");
    }
    LinearSolver kind = opt.solver.linear_solver;
    if (kind == LinearSolver::automatic) kind = n >= 16 ? LinearSolver::klu : LinearSolver::dense;
    if (kind != solver_kind || !solver) {
      const int m = std::max(n, 1);
      if (kind == LinearSolver::klu) {
        matrix.reset(SUNSparseMatrix(m, m, std::max(model.jacobian_nonzeros(), 1), CSC_MAT, ctx.get()));
        solver.reset(SUNLinSol_KLU(y.get(), matrix.get(), ctx.get()));
        check_flag(SUNLinSol_KLUSetOrdering(solver.get(), 0), "SUNLinSol_KLUSetOrdering");  // AMD
      } else {
        matrix.reset(SUNDenseMatrix(m, m, ctx.get()));
        solver.reset(SUNLinSol_Dense(y.get(), matrix.get(), ctx.get()));
      }
      check_flag(CVodeSetLinearSolver(cv, solver.get(), matrix.get()), "CVodeSetLinearSolver");
      check_flag(CVodeSetJacFn(cv, kind == LinearSolver::klu ? jac_sparse_cb : jac_dense_cb), "CVodeSetJacFn");
      solver_kind = kind;
    } else if (kind == LinearSolver::klu) {
      // KLU's refactorisations keep the pivot order of the first factorisation: start each run
      // afresh, or a patient's numbers would depend on who ran before it on this thread.
      check_flag(SUNLinSol_KLUReInit(solver.get(), matrix.get(), std::max(model.jacobian_nonzeros(), 1),
                                     SUNKLU_REINIT_PARTIAL),
                 "SUNLinSol_KLUReInit");
    }
    check_flag(CVodeSStolerances(cv, opt.solver.rtol, opt.solver.atol), "CVodeSStolerances");
    check_flag(CVodeSetMaxStep(cv, opt.solver.max_step), "CVodeSetMaxStep");
    bool any_constraint = false;
    double* c = N_VGetArrayPointer(constraints.get());
    for (int i = 0; i < n; ++i) {
      c[i] = (opt.solver.non_negative && model.model().states[i].non_negative) ? 1.0 : 0.0;
      any_constraint |= c[i] != 0.0;
    }
    check_flag(CVodeSetConstraints(cv, any_constraint ? constraints.get() : nullptr), "CVodeSetConstraints");
  }
};

Simulator::Simulator(const CompiledModel& model) : impl_(std::make_unique<Impl>(model)) {}
Simulator::~Simulator() = default;
Simulator::Simulator(Simulator&&) noexcept = default;
Simulator& Simulator::operator=(Simulator&&) noexcept = default;

namespace {

struct PendingEvent {
  double time;
  int event;
  long order;                  // for stable ordering among equal priorities
  std::vector<double> values;  // empty: evaluate at execution
};

/// Runs one simulation; the state of the run lives here, CVODES objects in Simulator::Impl.
class Run {
 public:
  Run(Simulator::Impl& s, const std::vector<double>& p, const InputSchedule& schedule, const SimulateOptions& o,
      const RunControl& control)
      : s_(s), m_(s.model), model_(s.model.model()), schedule_(schedule), opt_(o), control_(control), p_(p) {
    if (static_cast<int>(p.size()) != m_.n_parameters())
      throw InputError({}, fmt::format("expected {} parameter values, got {}", m_.n_parameters(), p.size()));
    if (schedule.n_inputs() != m_.n_inputs())
      throw InputError({}, fmt::format("schedule has {} inputs, the model {}", schedule.n_inputs(), m_.n_inputs()));
    if (!opt_.initial_state.empty() && static_cast<int>(opt_.initial_state.size()) != m_.n_states())
      throw InputError({}, fmt::format("initial_state has {} values, the model {} states", opt_.initial_state.size(),
                                       m_.n_states()));
    m_.set_parameters(s_.ws, p.data());
    t_end_ = opt_.output_times.back();
    breaks_ = schedule.breaks(opt_.t_start, t_end_);
    for (const auto& b : schedule.boluses())
      if (b.state < 0 || b.state >= m_.n_states())
        throw InputError({}, fmt::format("bolus at t = {:g} targets state index {}, which does not exist", b.time, b.state));
    for (const auto& ev : model_.events)
      for (const auto& a : ev.assignments)
        targets_.push_back({model_.state_index(a.target), model_.parameter_index(a.target)});
    check_sensitivity_request();
  }

  SimulationResult run() {
    const auto start = std::chrono::steady_clock::now();
    init_trajectory();
    double t = opt_.t_start;
    x_ = N_VGetArrayPointer(s_.y.get());
    s_.rhs_error.clear(), s_.cvode_error.clear();
    set_segment(t);
    m_.initial_state(t, s_.inputs_at(t), x_, s_.ws);
    if (!opt_.initial_state.empty()) std::copy(opt_.initial_state.begin(), opt_.initial_state.end(), x_);
    apply_boluses(t, /*include_start=*/true);
    s_.history.clear(m_.n_delays());
    s_.x_initial.assign(x_, x_ + m_.n_states());
    s_.record_history(t, x_);
    for (const auto& ev : model_.events) prev_trigger_.push_back(ev.initial_value);
    s_.setup(opt_, t);
    start_sensitivities(t, p_);
    limit_step_to_delays(t);
    s_.jacobian_calls = 0;
    bool ok = handle_events(t) && check_initial_state();
    if (ok) reinit(t);
    while (ok) {
      record_outputs_until(t);
      if (next_output_ == opt_.output_times.size()) break;
      if (stop_requested()) {
        ok = finish(Termination::cancelled, fmt::format("cancelled at {}", s_.at(t)));
        break;
      }
      const double t_disc = next_discontinuity(t);
      check_flag(CVodeSetStopTime(s_.mem.get(), t_disc), "CVodeSetStopTime");
      check_flag(CVodeSetMaxNumSteps(s_.mem.get(), std::max(1L, opt_.solver.max_steps - summary_.steps - steps_in_segment())),
                 "CVodeSetMaxNumSteps");
      const double tout = std::min(opt_.output_times[next_output_], t_disc);
      double tret = t;
      const int flag = advance(tout, tret);
      if (flag < 0) {
        ok = false;
        fail(flag, tret);
        break;
      }
      t = tret;
      if (sensitive()) check_flag(CVodeGetSens(s_.mem.get(), &tret, s_.sens.get()), "CVodeGetSens");
      if (flag == CV_ROOT_RETURN) {
        std::vector<int> crossing(m_.n_roots());
        check_flag(CVodeGetRootInfo(s_.mem.get(), crossing.data()), "CVodeGetRootInfo");
        ok = handle_events(t, crossing.data());
        if (ok) reinit(t);
      } else if (t >= t_disc - 1e-14 * std::max(1.0, std::fabs(t_disc))) {
        t = t_disc;
        ++summary_.stops;
        set_segment(t);
        apply_boluses(t, false);
        ok = handle_events(t);
        if (ok && t < t_end_) reinit(t);
      }
    }
    if (ok) summary_.termination = Termination::completed;
    collect_stats();
    summary_.jacobian_evals = s_.jacobian_calls;
    summary_.t_reached = t;  // where the integration got to (outputs may stop earlier)
    summary_.time_unit = model_.time_unit.text;
    summary_.linear_solver = s_.solver_kind == LinearSolver::klu ? "KLU (sparse)" : "dense";
    summary_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result_.summary = summary_;
    return std::move(result_);
  }

 private:
  /// Integrates to tout (or a root or stop time before it). With delay(), one step at a time so
  /// every accepted step enters the history, interpolating to tout as CV_NORMAL would; a root or
  /// stop return beyond tout is held back until the outputs before it are taken.
  int advance(double tout, double& tret) {
    if (m_.n_delays() == 0) return CVode(s_.mem.get(), tout, s_.y.get(), &tret, CV_NORMAL);
    for (;;) {
      if (held_.flag != 0 && tout >= held_.t) {  // the held return is due
        std::copy(held_.y.begin(), held_.y.end(), x_);
        tret = held_.t;
        return std::exchange(held_.flag, 0);
      }
      double tn = 0.0;  // the integrator may already be past tout
      CVodeGetCurrentTime(s_.mem.get(), &tn);
      if (held_.flag != 0 || tn >= tout) {
        check_flag(CVodeGetDky(s_.mem.get(), tout, 0, s_.y.get()), "CVodeGetDky");
        tret = tout;
        return CV_SUCCESS;
      }
      if (summary_.steps + steps_in_segment() >= opt_.solver.max_steps) return CV_TOO_MUCH_WORK;
      const int flag = CVode(s_.mem.get(), tout, s_.y.get(), &tret, CV_ONE_STEP);
      if (flag < 0) return flag;
      s_.record_history(tret, x_);
      if (flag == CV_ROOT_RETURN || flag == CV_TSTOP_RETURN) {
        if (tret <= tout) return flag;
        held_ = {flag, tret, std::vector<double>(x_, x_ + m_.n_states())};
      }
    }
  }

  /// A step no longer than the shortest delay keeps x(t − tau) inside the recorded history.
  void limit_step_to_delays(double t) {
    if (m_.n_delays() == 0) return;
    std::vector<double> taus(m_.n_delays());
    m_.delay_times(t, x_, s_.inputs_at(t), taus.data(), s_.ws);
    double h = opt_.solver.max_step > 0 ? opt_.solver.max_step : std::numeric_limits<double>::infinity();
    for (double tau : taus)
      if (tau > 0) h = std::min(h, tau);
    if (std::isfinite(h)) check_flag(CVodeSetMaxStep(s_.mem.get(), h), "CVodeSetMaxStep");
  }

  /// Checked at every output time: the stop token, and the progress callback (counting output
  /// times) when its interval has passed.
  bool stop_requested() {
    if (control_.stop_requested()) return true;
    if (!control_.progress) return false;
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_progress_).count() < control_.progress_interval) return false;
    last_progress_ = now;
    const auto done = static_cast<long long>(next_output_);
    const Progress p{.unit = "output times",
                     .done = done,
                     .total = static_cast<long long>(opt_.output_times.size()),
                     .done_this_run = done,
                     .failed = 0,
                     .elapsed_seconds = std::chrono::duration<double>(now - started_).count()};
    return control_.progress(p) == CallbackResult::stop;
  }

  long steps_in_segment() const {
    long nst = 0;
    CVodeGetNumSteps(s_.mem.get(), &nst);
    return nst;
  }

  void init_trajectory() {
    auto& tr = result_.trajectory;
    tr.time_unit = model_.time_unit.text;
    for (const auto& o : model_.observables) tr.columns.push_back(o.name), tr.units.push_back(o.unit.text);
    for (const auto& st : model_.states) tr.columns.push_back(st.name), tr.units.push_back(st.unit.text);
    if (opt_.record_variables)
      for (const auto& v : model_.variables) tr.columns.push_back(v.name), tr.units.push_back(v.unit.text);
    detail::check_result_size(static_cast<double>(opt_.output_times.size()) * tr.columns.size(),
                              fmt::format("the output grid ({} times × {} columns)", opt_.output_times.size(),
                                          tr.columns.size()),
                              "fewer output times");
    tr.times.reserve(opt_.output_times.size());
    tr.values.reserve(opt_.output_times.size() * tr.columns.size());
  }

  void set_segment(double t) {
    auto it = std::upper_bound(breaks_.begin(), breaks_.end(), t);
    segment_end_ = it == breaks_.end() ? t_end_ : std::min(*it, t_end_);
    s_.set_segment(schedule_, t, segment_end_ > t ? segment_end_ : t + 1.0);
  }

  double next_discontinuity(double t) const {
    double d = segment_end_ > t ? segment_end_ : t_end_;
    for (const auto& p : pending_)
      if (p.time > t) d = std::min(d, p.time);
    return std::min(d, t_end_);
  }

  void apply_boluses(double t, bool include_start) {
    for (const auto& b : schedule_.boluses()) {
      const bool due = include_start ? b.time <= t : b.time == t;
      if (due) x_[b.state] += b.amount;
    }
  }

  bool check_initial_state() {
    for (int i = 0; i < m_.n_states(); ++i) {
      const auto& st = model_.states[i];
      if (!std::isfinite(x_[i]))
        return finish(Termination::non_finite, fmt::format("initial value of '{}' is {}", st.name, x_[i]));
      if (opt_.solver.non_negative && st.non_negative && x_[i] < 0)
        return finish(Termination::solver_failure,
                      fmt::format("initial value of '{}' is {:g}, but the state is non-negative", st.name, x_[i]));
    }
    return true;
  }

  void record_outputs_until(double t) {
    const double eps = 1e-12 * std::max(1.0, std::fabs(t));
    auto& tr = result_.trajectory;
    const int no = m_.n_observables(), ns = m_.n_states(), nv = opt_.record_variables ? m_.n_variables() : 0;
    while (next_output_ < opt_.output_times.size() && opt_.output_times[next_output_] <= t + eps) {
      const double to = opt_.output_times[next_output_++];
      const double* u = s_.prepare(t, x_);
      const std::size_t row = tr.values.size();
      tr.values.resize(row + no + ns + nv);
      m_.observables(t, x_, u, tr.values.data() + row, s_.ws);
      std::copy(x_, x_ + ns, tr.values.begin() + row + no);
      if (nv > 0) m_.variables(t, x_, u, tr.values.data() + row + no + ns, s_.ws);
      tr.times.push_back(to);
      if (sensitive()) record_sensitivities(t, u);
    }
  }

  bool sensitive() const { return !opt_.sensitivity_parameters.empty(); }

  /// Forward sensitivities need ∂f/∂p to hold for the whole run: no event jumps, no delay
  /// histories, no parameter computed from another at t0.
  void check_sensitivity_request() {
    if (!sensitive()) return;
    const auto& wanted = opt_.sensitivity_parameters;
    auto refuse = [](const std::string& why) {
      throw InputError({}, "option 'sensitivity_parameters': " + why);
    };
    if (!model_.events.empty())
      refuse(fmt::format("the model has {} event(s); forward sensitivities across event jumps are not supported",
                         model_.events.size()));
    if (m_.n_delays() > 0) refuse("the model uses delay(); forward sensitivities with delays are not supported");
    std::set<std::string> in_assignments;
    for (const auto& par : model_.parameters)
      if (par.initial) collect_symbols(par.initial, in_assignments);
    for (std::size_t k = 0; k < wanted.size(); ++k) {
      const int i = wanted[k];
      if (i < 0 || i >= m_.n_parameters())
        refuse(fmt::format("index {} is not a parameter (the model has {})", i, m_.n_parameters()));
      if (std::find(wanted.begin(), wanted.begin() + k, i) != wanted.begin() + k)
        refuse(fmt::format("parameter '{}' is listed twice", model_.parameters[i].name));
      const auto& par = model_.parameters[i];
      if (par.initial) refuse(fmt::format("parameter '{}' is computed by an initial assignment", par.name));
      if (in_assignments.contains(par.name))
        refuse(fmt::format("parameter '{}' is used in a parameter's initial assignment, which ∂f/∂p does not follow",
                           par.name));
    }
  }

  /// s_k(t0) = ∂x0/∂p_k, then CVODES' sensitivity set-up for this run (or switched off).
  void start_sensitivities(double t, const std::vector<double>& p) {
    s_.sens_parameters = opt_.sensitivity_parameters;
    const int ns = static_cast<int>(s_.sens_parameters.size());
    auto& sens = result_.sensitivities;
    sens.parameters = s_.sens_parameters;
    sens.columns = sensitive() ? static_cast<std::size_t>(m_.n_observables() + m_.n_states()) : 0;
    if (ns > 0) {
      if (s_.sens.size() != ns) s_.sens = VectorArray(ns, s_.y.get());
      std::vector<double> dx0dp(static_cast<std::size_t>(m_.n_states()) * m_.n_parameters());
      // A given start state does not move with the parameters.
      if (opt_.initial_state.empty()) m_.initial_state_jacobian(t, s_.inputs_at(t), dx0dp.data(), s_.ws);
      for (int k = 0; k < ns; ++k)
        std::copy_n(dx0dp.begin() + static_cast<std::size_t>(s_.sens_parameters[k]) * m_.n_states(), m_.n_states(),
                    s_.sens.data(k));
      s_.jac_values.resize(m_.jacobian_nonzeros());
      s_.dfdp_values.resize(m_.rhs_parameter_pattern().nonzeros());
      s_.sens_t = NAN;  // new parameters: nothing cached
      obs_x_.resize(m_.observable_state_pattern().nonzeros());
      obs_p_.resize(m_.observable_parameter_pattern().nonzeros());
      detail::check_result_size(static_cast<double>(opt_.output_times.size()) * sens.columns * ns,
                                fmt::format("the sensitivities ({} times × {} columns × {} parameters)",
                                            opt_.output_times.size(), sens.columns, ns),
                                "fewer output times or parameters");
      sens.values.reserve(opt_.output_times.size() * sens.columns * ns);
    }
    s_.setup_sensitivities(p, opt_.sensitivity_error_control);
  }

  /// One row of d(observable)/dp = ∂y/∂x·s + ∂y/∂p, then ds/dp = s, for every parameter.
  void record_sensitivities(double t, const double* u) {
    const int no = m_.n_observables(), ns = m_.n_states();
    const std::size_t np = s_.sens_parameters.size();
    auto& v = result_.sensitivities.values;
    const std::size_t row = v.size();
    v.resize(row + result_.sensitivities.columns * np, 0.0);
    m_.observable_state_jacobian(t, x_, u, obs_x_.data(), s_.ws);
    m_.observable_parameter_jacobian(t, x_, u, obs_p_.data(), s_.ws);
    const SparsePattern& px = m_.observable_state_pattern();
    const SparsePattern& pp = m_.observable_parameter_pattern();
    for (std::size_t k = 0; k < np; ++k) {
      const double* sk = s_.sens.data(static_cast<int>(k));
      for (int j = 0; j < ns; ++j)
        for (int e = px.col_ptr[j]; e < px.col_ptr[j + 1]; ++e) v[row + px.row_index[e] * np + k] += obs_x_[e] * sk[j];
      const int p = s_.sens_parameters[k];
      for (int e = pp.col_ptr[p]; e < pp.col_ptr[p + 1]; ++e) v[row + pp.row_index[e] * np + k] += obs_p_[e];
      for (int i = 0; i < ns; ++i) v[row + (no + i) * np + k] = sk[i];
    }
  }

  // SBML semantics: an event fires when its trigger goes false → true; with a delay it is queued;
  // due events run in priority order, one at a time, re-checking triggers after each.
  // `crossing`: CVODES' root directions at a root return. A crossed root keeps the sign of its
  // direction for as long as its value is unchanged (the returned point may sit a rounding error
  // on the old side); once an event moves it, its value decides.
  bool handle_events(double t, const int* crossing = nullptr) {
    const int ne = static_cast<int>(model_.events.size()), nr = m_.n_roots();
    std::unique_ptr<bool[]> now_all(new bool[std::max(ne, 1)]);
    std::vector<double> g_at_root(nr), g(nr);
    std::vector<int> direction(nr, 0);
    if (crossing) {
      m_.roots(t, x_, s_.prepare(t, x_), g_at_root.data(), s_.ws);
      direction.assign(crossing, crossing + nr);
    }
    for (int guard = 0; guard < 100000; ++guard) {
      const double* u = s_.prepare(t, x_);
      if (crossing && guard > 0) {
        m_.roots(t, x_, u, g.data(), s_.ws);
        for (int k = 0; k < nr; ++k)
          if (g[k] != g_at_root[k]) direction[k] = 0;
      }
      m_.trigger_values(t, x_, u, crossing ? direction.data() : nullptr, now_all.get(), s_.ws);
      for (int e = 0; e < ne; ++e) {
        const bool now = now_all[e];
        if (now && !prev_trigger_[e]) schedule_event(e, t);
        if (!now && prev_trigger_[e] && !model_.events[e].persistent)
          std::erase_if(pending_, [e](const PendingEvent& p) { return p.event == e; });
        prev_trigger_[e] = now;
      }
      const double eps = 1e-12 * std::max(1.0, std::fabs(t));
      int best = -1;
      double best_priority = -std::numeric_limits<double>::infinity();
      for (int k = 0; k < static_cast<int>(pending_.size()); ++k) {
        if (pending_[k].time > t + eps) continue;
        const double pr = m_.event_priority(pending_[k].event, t, x_, u, s_.ws);
        if (best < 0 || pr > best_priority || (pr == best_priority && pending_[k].order < pending_[best].order))
          best = k, best_priority = pr;
      }
      if (best < 0) return true;
      PendingEvent p = std::move(pending_[best]);
      pending_.erase(pending_.begin() + best);
      execute(p, t);
    }
    return finish(Termination::solver_failure, fmt::format("events kept firing at {} without end", s_.at(t)));
  }

  void schedule_event(int e, double t) {
    const auto& ev = model_.events[e];
    const double* u = s_.prepare(t, x_);
    const double delay = m_.event_delay(e, t, x_, u, s_.ws);
    PendingEvent p{t + std::max(0.0, delay), e, order_++, {}};
    if (ev.use_values_from_trigger_time) {
      p.values.resize(ev.assignments.size());
      m_.event_values(e, t, x_, u, p.values.data(), s_.ws);
    }
    pending_.push_back(std::move(p));
  }

  void execute(PendingEvent& p, double t) {
    const auto& ev = model_.events[p.event];
    if (p.values.empty()) {
      p.values.resize(ev.assignments.size());
      m_.event_values(p.event, t, x_, s_.prepare(t, x_), p.values.data(), s_.ws);
    }
    std::size_t first_target = 0;
    for (int e = 0; e < p.event; ++e) first_target += model_.events[e].assignments.size();
    for (std::size_t k = 0; k < p.values.size(); ++k) {
      const auto [state, param] = targets_[first_target + k];
      if (state >= 0) x_[state] = p.values[k];
      else if (param >= 0) m_.set_parameter(s_.ws, param, p.values[k]);
    }
    ++summary_.events_fired;
  }

  void reinit(double t) {
    s_.record_history(t, x_);  // the values after the jump
    collect_stats();
    check_flag(CVodeReInit(s_.mem.get(), t, s_.y.get()), "CVodeReInit");
    if (sensitive()) {
      s_.sens_t = NAN;  // the inputs may have changed at this t
      check_flag(CVodeSensReInit(s_.mem.get(), CV_STAGGERED, s_.sens.get()), "CVodeSensReInit");
    }
  }

  // CVodeReInit resets CVODES' counters: add them up before each re-initialisation.
  void collect_stats() {
    void* cv = s_.mem.get();
    long v = 0;
    CVodeGetNumSteps(cv, &v), summary_.steps += v;
    CVodeGetNumRhsEvals(cv, &v), summary_.rhs_evals += v;
    CVodeGetNumLinSolvSetups(cv, &v), summary_.linear_setups += v;
    CVodeGetNumErrTestFails(cv, &v), summary_.error_test_failures += v;
    CVodeGetNumNonlinSolvConvFails(cv, &v), summary_.nonlinear_failures += v;
  }

  void fail(int flag, double t) {
    if (flag == CV_TOO_MUCH_WORK) {
      finish(Termination::max_steps, fmt::format("reached the limit of {} steps at {}", opt_.solver.max_steps, s_.at(t)));
    } else if (!s_.rhs_error.empty()) {
      finish(Termination::non_finite, s_.rhs_error);
    } else {
      char* name = CVodeGetReturnFlagName(flag);
      finish(Termination::solver_failure,
             fmt::format("CVODES {} at {}{}", name ? name : "?", s_.at(t), s_.cvode_error.empty() ? "" : ": " + s_.cvode_error));
      free(name);
    }
  }

  bool finish(Termination why, std::string message) {
    summary_.termination = why;
    summary_.message = std::move(message);
    return false;
  }

  Simulator::Impl& s_;
  const CompiledModel& m_;
  const Model& model_;
  const InputSchedule& schedule_;
  const SimulateOptions& opt_;
  const RunControl& control_;
  const std::vector<double>& p_;
  std::vector<double> obs_x_, obs_p_;  // ∂(observable)/∂x and /∂p values, for sensitivities
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now(), last_progress_ = started_;
  double* x_ = nullptr;
  double t_end_ = 0.0, segment_end_ = 0.0;
  std::vector<double> breaks_;
  std::vector<std::pair<int, int>> targets_;  // per event assignment: (state, parameter) index
  std::vector<bool> prev_trigger_;
  std::vector<PendingEvent> pending_;
  long order_ = 0;
  struct HeldReturn {
    int flag = 0;  // CV_ROOT_RETURN or CV_TSTOP_RETURN, 0 = none
    double t = 0.0;
    std::vector<double> y;
  } held_;
  std::size_t next_output_ = 0;
  SimulationSummary summary_;
  SimulationResult result_;
};

}  // namespace

SimulationResult Simulator::run(const std::vector<double>& parameters, const InputSchedule& schedule,
                                const SimulateOptions& options, const RunControl& control) {
  options.validate();
  return Run(*impl_, parameters, schedule, options, control).run();
}

SimulationResult simulate(const CompiledModel& model, const std::vector<double>& parameters,
                          const InputSchedule& schedule, const SimulateOptions& options,
                          const RunControl& control) {
  Simulator sim(model);
  return sim.run(parameters, schedule, options, control);
}

}  // namespace gutskin
