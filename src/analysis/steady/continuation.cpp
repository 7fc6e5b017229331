// continue_equilibria: pseudo-arclength continuation of the steady-state system in one parameter
// or input, with folds and Hopf points located by bisection along the branch.
#include "gutskin/continuation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "analysis/steady/system.hpp"
#include "gutskin/errors.hpp"
#include "gutskin/study.hpp"

namespace gutskin {

void ContinuationOptions::validate() const {
  if (parameter.empty()) throw InputError({}, "option 'parameter' is empty: name the parameter or input to vary");
  for (const auto& [name, v] : {std::pair{"from", from}, std::pair{"to", to}}) {
    if (!v) throw InputError({}, fmt::format("option '{}' is missing: give the {} value of the parameter", name,
                                             std::string(name) == "from" ? "start" : "end"));
    if (!std::isfinite(*v)) throw InputError({}, detail::option_message(name, *v, "must be finite"));
  }
  validate_options(*this);
  validate_options(solver);
  if (*from == *to) throw InputError({}, detail::option_message("to", *to, "must differ from 'from'"));
}

namespace {

/// The branch in scaled coordinates z = (x / s, (λ − λ0) / s_λ), so that every state and the
/// parameter move on comparable scales; equations scaled by 1 / s as well.
class Tracer {
 public:
  Tracer(detail::SteadySystem& system, detail::Knob knob, const std::vector<double>& x0, double lambda0, double lambda_scale,
         double tolerance)
      : sys_(system), knob_(std::move(knob)), n_(system.size()), s_(n_), lambda0_(lambda0), ls_(lambda_scale),
        tolerance_(tolerance), x_(n_), fp_(n_) {
    double largest = 0.0;
    for (double v : x0) largest = std::max(largest, std::abs(v));
    for (int i = 0; i < n_; ++i) s_[i] = std::max({std::abs(x0[i]), 1e-6 * largest, system.atol()});
  }

  int n() const { return n_; }
  double lambda(const Eigen::VectorXd& z) const { return lambda0_ + ls_ * z(n_); }
  std::vector<double> state(const Eigen::VectorXd& z) const {
    std::vector<double> x(n_);
    for (int i = 0; i < n_; ++i) x[i] = s_[i] * z(i);
    return x;
  }
  Eigen::VectorXd point(const std::vector<double>& x, double lambda) const {
    Eigen::VectorXd z(n_ + 1);
    for (int i = 0; i < n_; ++i) z(i) = x[i] / s_[i];
    z(n_) = (lambda - lambda0_) / ls_;
    return z;
  }

  void set(double lambda) { detail::set_knob(sys_, knob_, lambda); }

  /// Scaled F at z; false if not finite.
  bool residual(const Eigen::VectorXd& z, Eigen::VectorXd& G) {
    load(z);
    G.resize(n_);
    if (!sys_.residual(x_.data(), G.data())) return false;
    for (int i = 0; i < n_; ++i) G(i) /= s_[i];
    return G.allFinite();
  }

  /// [∂G/∂z_x, ∂G/∂z_λ]: n × (n + 1).
  void jacobian(const Eigen::VectorXd& z, Eigen::MatrixXd& Jz) {
    load(z);
    Eigen::MatrixXd J;
    sys_.jacobian(x_.data(), J);
    Jz.resize(n_, n_ + 1);
    for (int j = 0; j < n_; ++j) Jz.col(j) = J.col(j) * s_[j];
    parameter_derivative(z);
    for (int i = 0; i < n_; ++i) Jz(i, n_) = fp_[i] * ls_;
    for (int i = 0; i < n_; ++i) Jz.row(i) /= s_[i];
  }

  /// The unit tangent at z, oriented along `previous`.
  bool tangent(const Eigen::VectorXd& z, const Eigen::VectorXd& previous, Eigen::VectorXd& t) {
    Eigen::MatrixXd A(n_ + 1, n_ + 1), Jz;
    jacobian(z, Jz);
    A.topRows(n_) = Jz;
    A.row(n_) = previous.transpose();
    Eigen::VectorXd e = Eigen::VectorXd::Zero(n_ + 1);
    e(n_) = 1.0;
    t = A.fullPivLu().solve(e);
    if (!t.allFinite() || t.norm() == 0) return false;
    t.normalize();
    return true;
  }

  /// Newton on G(z) = 0 and tᵀ(z − predicted) = 0, from z = predicted.
  bool correct(Eigen::VectorXd& z, const Eigen::VectorXd& t, int& iterations) {
    const Eigen::VectorXd predicted = z;
    Eigen::VectorXd G;
    Eigen::MatrixXd A(n_ + 1, n_ + 1), Jz;
    for (iterations = 0; iterations < 12; ++iterations) {
      if (!residual(z, G)) return false;
      if (sys_.residual_norm(x_.data()) <= tolerance_ && iterations > 0) return true;
      jacobian(z, Jz);
      A.topRows(n_) = Jz;
      A.row(n_) = t.transpose();
      Eigen::VectorXd rhs(n_ + 1);
      rhs.head(n_) = -G;
      rhs(n_) = -t.dot(z - predicted);
      const Eigen::VectorXd dz = A.partialPivLu().solve(rhs);
      if (!dz.allFinite()) return false;
      z += dz;
    }
    return residual(z, G) && sys_.residual_norm(x_.data()) <= tolerance_;
  }

  /// The point's stability (eigenvalues on the laws' subspace).
  Equilibrium classify(const Eigen::VectorXd& z) {
    set(lambda(z));
    Equilibrium e;
    e.state = state(z);
    detail::classify(sys_, e);
    return e;
  }

 private:
  void load(const Eigen::VectorXd& z) {
    for (int i = 0; i < n_; ++i) x_[i] = s_[i] * z(i);
    set(lambda(z));
  }

  void parameter_derivative(const Eigen::VectorXd& z) { detail::knob_derivative(sys_, knob_, x_.data(), lambda(z), fp_.data()); }

  detail::SteadySystem& sys_;
  detail::Knob knob_;
  int n_;
  std::vector<double> s_;
  double lambda0_, ls_, tolerance_;
  std::vector<double> x_, fp_;
};

/// Max real part of the eigenvalues with an imaginary part (−inf when there are none): its sign
/// change between two points is a Hopf crossing.
double complex_growth(const Equilibrium& e) {
  double g = -INFINITY;
  for (const auto& l : e.eigenvalues)
    if (std::abs(l.imag()) > 1e-9 * std::max(1.0, std::abs(l))) g = std::max(g, l.real());
  return g;
}

/// A branch point; the system holds its parameter value.
ContinuationPoint as_point(double value, const Equilibrium& e, detail::SteadySystem& system) {
  ContinuationPoint p{.value = value, .state = e.state, .stable = e.stable, .max_real_eigenvalue = e.max_real_eigenvalue};
  p.observables.resize(system.model().n_observables());
  system.observables(e.state.data(), p.observables.data());
  return p;
}

/// --second, checked before the branch is traced: the knob, distinct from the first, and its
/// range, which must hold its value at the start.
detail::Knob second_knob(const Model& model, const detail::Knob& first, const detail::SteadyStart& start,
                         const ContinuationOptions& options) {
  const detail::Knob second = detail::resolve_knob(model, options.second, SourceLoc{"--second"});
  const double mu = second.input ? start.u[second.index] : start.parameters[second.index];
  if (second.input == first.input && second.index == first.index)
    throw InputError(SourceLoc{"--second"}, fmt::format("'{}' is the first parameter too: name another", options.second));
  if (!options.from2 || !options.to2)
    throw InputError(SourceLoc{"--second"}, "a second parameter needs its range: --from2 and --to2");
  const double lo = std::min(*options.from2, *options.to2), hi = std::max(*options.from2, *options.to2);
  if (!(mu >= lo && mu <= hi))
    throw InputError(SourceLoc{"--second"}, fmt::format("'{}' is {:g} here, outside --from2 .. --to2 ({:g} .. {:g}): the "
                                                        "fold curve starts at its value", options.second, mu, lo, hi));
  return second;
}

/// --second: the first fold continued in both parameters, both ways from where it was found.
void trace_folds(detail::SteadySystem& system, const detail::Knob& first, const detail::Knob& second,
                 const ContinuationOptions& options, ContinuationResult& result) {
  result.second_label = second.label;
  result.second_unit = second.unit;
  const double mu = detail::knob_value(system, second);
  const double lo = std::min(*options.from2, *options.to2), hi = std::max(*options.from2, *options.to2);
  const auto fold = std::find_if(result.bifurcations.begin(), result.bifurcations.end(),
                                 [](const Bifurcation& b) { return b.kind == "fold"; });
  if (fold == result.bifurcations.end()) {
    result.notes.push_back("no fold on the branch: nothing to continue in " + options.second);
    return;
  }
  const detail::FoldCurveSettings settings{.lambda_lo = std::min(*options.from, *options.to),
                                           .lambda_hi = std::max(*options.from, *options.to),
                                           .mu_lo = lo,
                                           .mu_hi = hi,
                                           .tolerance = options.tolerance,
                                           .step = options.branch_step,
                                           .max_points = options.max_points};
  auto row = [&](const char* kind, const detail::FoldPoint& p) {
    Bifurcation b;
    b.kind = kind;
    b.value = p.lambda;
    b.state = p.x;
    b.second_parameter = second.name;
    b.second_value = p.mu;
    return b;
  };
  for (const double direction : {-1.0, 1.0}) {
    detail::set_knob(system, second, mu);
    const detail::FoldCurve curve = detail::trace_fold_curve(system, first, second, fold->state, fold->value, direction, settings);
    std::vector<Bifurcation> part;
    for (const detail::FoldPoint& p : curve.points) part.push_back(row("fold", p));
    if (direction < 0) std::reverse(part.begin(), part.end());  // one curve, in increasing order along it
    if (direction > 0 && !part.empty()) part.erase(part.begin());  // the start is already there
    result.fold_curve.insert(result.fold_curve.end(), part.begin(), part.end());
    for (const detail::FoldPoint& c : curve.cusps) result.fold_curve.push_back(row("cusp", c));
    result.notes.push_back(fmt::format("fold curve towards {} {}: {}", direction > 0 ? "higher" : "lower", second.label,
                                       curve.end));
  }
  detail::set_knob(system, second, mu);
}

}  // namespace

ContinuationResult continue_equilibria(const Study& study, const ContinuationOptions& options, const RunControl& control) {
  const auto clock = std::chrono::steady_clock::now();
  options.validate();
  const CompiledModel& cm = *study.model;
  const Model& model = cm.model();
  const detail::Knob knob = detail::resolve_knob(model, options.parameter, SourceLoc{"--parameter"});
  detail::SteadyStart start = detail::steady_start(study, options.phenotype, options.set, options.inputs, options.solver);
  if (knob.input) start.u[knob.index] = *options.from;
  else start.parameters[knob.index] = *options.from;
  std::optional<detail::Knob> second;
  if (!options.second.empty()) second = second_knob(model, knob, start, options);

  ContinuationResult result;
  result.study = detail::study_name(study);
  result.model = model.name;
  result.parameter = knob.name;
  result.parameter_label = knob.label;
  result.parameter_unit = knob.unit;
  for (const auto& s : model.states) result.states.push_back(s.name);
  for (const auto& o : model.observables) result.observables.push_back(o.name);
  result.time_unit = model.time_unit.text;
  result.notes = start.notes;

  detail::SteadySystem system(cm, start.parameters, start.u, start.t, options.solver.atol);
  system.find_conservation_laws(start.x);
  const detail::SearchSettings settings = detail::search_settings(options.tolerance, options.max_time, options.solver);
  Simulator simulator(cm);
  std::string why;
  const std::optional<Equilibrium> first = detail::find_equilibrium(system, start.x, settings, &simulator, why);
  if (!first)
    throw SolverError(fmt::format("no equilibrium found at {} = {:g} to start the branch from: {}", knob.label,
                                  *options.from, why));
  for (const ConservationLaw& law : system.laws()) result.notes.push_back("conservation law: " + law.text);

  const double span = std::abs(*options.to - *options.from);
  const double lo = std::min(*options.from, *options.to), hi = std::max(*options.from, *options.to);
  Tracer tracer(system, knob, first->state, *options.from, span, options.tolerance);
  const int n = tracer.n();
  Eigen::VectorXd z = tracer.point(first->state, *options.from), t;
  Eigen::VectorXd towards = Eigen::VectorXd::Zero(n + 1);
  towards(n) = *options.to > *options.from ? 1.0 : -1.0;
  if (!tracer.tangent(z, towards, t)) throw SolverError("the branch has no tangent at its start (a singular point)");
  Equilibrium here = *first;
  result.branch.push_back(as_point(*options.from, here, system));

  // Locates a sign change of phi between the point z (step 0) and the step h along t.
  auto refine = [&](const Eigen::VectorXd& from_z, const Eigen::VectorXd& from_t, double h, auto phi, const char* kind) {
    const bool hopf = std::string(kind) == "hopf";
    double a = 0.0, b = h;
    const double phi_a = phi(from_z, from_t, here);
    Eigen::VectorXd zm, tm;
    Equilibrium em;
    for (int it = 0; it < 80 && b - a > 1e-12; ++it) {
      const double m = 0.5 * (a + b);
      zm = from_z + m * from_t;
      int iters = 0;
      if (!tracer.correct(zm, from_t, iters) || !tracer.tangent(zm, from_t, tm)) break;
      if (hopf) em = tracer.classify(zm);  // a fold's test is the tangent: no eigenvalues needed
      ((phi(zm, tm, em) > 0) == (phi_a > 0) ? a : b) = m;
    }
    zm = from_z + 0.5 * (a + b) * from_t;
    int iters = 0;
    tracer.correct(zm, from_t, iters);
    em = tracer.classify(zm);
    Bifurcation bif;
    bif.kind = kind;
    bif.value = tracer.lambda(zm);
    bif.state = em.state;
    bif.observables.resize(cm.n_observables());
    system.observables(em.state.data(), bif.observables.data());
    bif.point = static_cast<long>(result.branch.size()) - 1;
    if (hopf) {
      double nearest = INFINITY;
      for (const auto& l : em.eigenvalues)
        if (l.imag() != 0 && std::abs(l.real()) < nearest) nearest = std::abs(l.real()), bif.frequency = std::abs(l.imag());
    }
    result.bifurcations.push_back(std::move(bif));
  };
  auto tangent_lambda = [&](const Eigen::VectorXd&, const Eigen::VectorXd& tt, const Equilibrium&) { return tt(n); };
  auto growth = [&](const Eigen::VectorXd&, const Eigen::VectorXd&, const Equilibrium& e) { return complex_growth(e); };

  const double h_max = options.branch_step, h_min = 1e-9;
  double h = 0.25 * h_max;
  result.end = fmt::format("{} points (max_points)", options.max_points);
  while (static_cast<long>(result.branch.size()) < options.max_points) {
    if (control.stop_requested()) {
      result.end = "stopped";
      break;
    }
    Eigen::VectorXd next = z + h * t, t_next;
    int iterations = 0;
    const bool ok = tracer.correct(next, t, iterations) && tracer.tangent(next, t, t_next) && t.dot(t_next) > 0.95;
    if (!ok) {  // too long a step (or a turn too sharp to follow): shorten it
      h *= 0.5;
      if (h < h_min) {
        result.end = fmt::format("the corrector failed at {} = {:.10g}", knob.label, tracer.lambda(z));
        break;
      }
      continue;
    }
    const Equilibrium there = tracer.classify(next);
    const double value = tracer.lambda(next);
    const std::vector<double> x = there.state;
    const auto infeasible = [&] {
      for (int i = 0; i < n; ++i)
        if (options.solver.non_negative && model.states[i].non_negative && x[i] < -system.atol()) return i;
      return -1;
    }();
    if (infeasible >= 0) {
      result.end = fmt::format("{} fell below zero at {} = {:.10g}", model.states[infeasible].name, knob.label, value);
      break;
    }
    if ((t(n) > 0) != (t_next(n) > 0)) refine(z, t, h, tangent_lambda, "fold");
    const double g0 = complex_growth(here), g1 = complex_growth(there);
    if (std::isfinite(g0) && std::isfinite(g1) && (g0 > 0) != (g1 > 0)) refine(z, t, h, growth, "hopf");
    z = next, t = t_next, here = there;
    if (value < lo || value > hi) {
      // Past an end of the range: the last point sits on it (Newton at the end value).
      const double edge = value > hi ? hi : lo;
      std::vector<double> at = x;
      tracer.set(edge);
      const detail::NewtonOutcome o = detail::newton(system, at, settings.newton);
      if (o.converged) {
        Equilibrium e;
        e.state = at;
        detail::classify(system, e);
        result.branch.push_back(as_point(edge, e, system));
      }
      result.end = fmt::format("reached {} = {:g}{}", knob.label, edge,
                               edge == *options.to ? "" : " (the branch turned back)");
      break;
    }
    tracer.set(value);
    result.branch.push_back(as_point(value, there, system));
    h = iterations <= 3 ? std::min(1.3 * h, h_max) : iterations > 6 ? 0.7 * h : h;
  }
  if (second) trace_folds(system, knob, *second, options, result);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock).count();
  return result;
}

}  // namespace gutskin
