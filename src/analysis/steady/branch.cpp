// trace_branch: pseudo-arclength continuation of equilibria in one knob (a parameter or an
// input), with folds and Hopf points located by bisection along the way. Continuation and the
// tipping-point atlas both trace their branches here.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/steady/system.hpp"
#include "gutskin/errors.hpp"

namespace gutskin::detail {

namespace {

/// The branch in scaled coordinates z = (x / s, (λ − λ0) / s_λ), so that every state and the
/// parameter move on comparable scales; equations scaled by 1 / s as well.
class Tracer {
 public:
  Tracer(SteadySystem& system, Knob knob, const std::vector<double>& x0, double lambda0, double lambda_scale,
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

  void set(double lambda) { set_knob(sys_, knob_, lambda); }

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
    t = A.partialPivLu().solve(e);
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

  void parameter_derivative(const Eigen::VectorXd& z) { knob_derivative(sys_, knob_, x_.data(), lambda(z), fp_.data()); }

  SteadySystem& sys_;
  Knob knob_;
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

}  // namespace

Branch trace_branch(SteadySystem& system, const Knob& knob, const Equilibrium& first, const BranchSettings& s,
                    const RunControl& control) {
  const Model& model = system.model().model();
  const double span = std::abs(s.to - s.from);
  const double lo = std::min(s.lower, s.upper), hi = std::max(s.lower, s.upper);
  Tracer tracer(system, knob, first.state, s.from, span, s.tolerance);
  const int n = tracer.n();
  Eigen::VectorXd z = tracer.point(first.state, s.from), t;
  Eigen::VectorXd towards = Eigen::VectorXd::Zero(n + 1);
  towards(n) = s.to > s.from ? 1.0 : -1.0;
  Branch branch;
  set_knob(system, knob, s.from);
  if (!tracer.tangent(z, towards, t)) throw SolverError("the branch has no tangent at its start (a singular point)");
  Equilibrium here = first;
  branch.points.push_back(BranchPoint{s.from, here});

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
    BranchEvent event{.kind = kind, .value = tracer.lambda(zm), .equilibrium = tracer.classify(zm),
                      .point = static_cast<long>(branch.points.size()) - 1};
    if (hopf) {
      double nearest = INFINITY;
      for (const auto& l : event.equilibrium.eigenvalues)
        if (l.imag() != 0 && std::abs(l.real()) < nearest) nearest = std::abs(l.real()), event.frequency = std::abs(l.imag());
    }
    branch.events.push_back(std::move(event));
  };
  auto tangent_lambda = [&](const Eigen::VectorXd&, const Eigen::VectorXd& tt, const Equilibrium&) { return tt(n); };
  auto growth = [&](const Eigen::VectorXd&, const Eigen::VectorXd&, const Equilibrium& e) { return complex_growth(e); };

  const double h_max = s.step, h_min = 1e-9;
  double h = 0.25 * h_max;
  int folds = 0;
  branch.end = fmt::format("{} points (max_points)", s.max_points);
  while (static_cast<long>(branch.points.size()) < s.max_points) {
    if (control.stop_requested()) {
      branch.end = "stopped";
      break;
    }
    Eigen::VectorXd next = z + h * t, t_next;
    int iterations = 0;
    const bool ok = tracer.correct(next, t, iterations) && tracer.tangent(next, t, t_next) && t.dot(t_next) > 0.95;
    if (!ok) {  // too long a step (or a turn too sharp to follow): shorten it
      h *= 0.5;
      if (h < h_min) {
        branch.end = fmt::format("the corrector failed at {} = {:.10g}", knob.label, tracer.lambda(z));
        break;
      }
      continue;
    }
    const double value = tracer.lambda(next);
    Equilibrium there;
    if (s.classify) there = tracer.classify(next);
    else there.state = tracer.state(next);
    const std::vector<double>& x = there.state;
    const auto infeasible = [&] {
      for (int i = 0; i < n; ++i)
        if (s.non_negative && model.states[i].non_negative && x[i] < -system.atol()) return i;
      return -1;
    }();
    if (infeasible >= 0) {
      branch.end = fmt::format("{} fell below zero at {} = {:.10g}", model.states[infeasible].name, knob.label, value);
      break;
    }
    const bool fold = (t(n) > 0) != (t_next(n) > 0);
    if (fold) refine(z, t, h, tangent_lambda, "fold"), ++folds;
    if (s.classify) {
      const double g0 = complex_growth(here), g1 = complex_growth(there);
      if (std::isfinite(g0) && std::isfinite(g1) && (g0 > 0) != (g1 > 0)) refine(z, t, h, growth, "hopf");
    }
    z = next, t = t_next, here = there;
    if (value < lo || value > hi) {
      // Past an end of the range: the last point sits on it (Newton at the end value).
      const double edge = value > hi ? hi : lo;
      std::vector<double> at = x;
      tracer.set(edge);
      if (newton(system, at, s.newton).converged) {
        Equilibrium e;
        e.state = at;
        if (s.classify) classify(system, e);
        branch.points.push_back(BranchPoint{edge, std::move(e)});
      }
      branch.end = fmt::format("reached {} = {:g}{}", knob.label, edge, edge == s.to ? "" : " (the branch turned back)");
      break;
    }
    tracer.set(value);
    branch.points.push_back(BranchPoint{value, there});
    if (s.stop_after_folds > 0 && folds >= s.stop_after_folds) {
      branch.end = fmt::format("stopped after {} fold{}", folds, folds == 1 ? "" : "s");
      break;
    }
    h = iterations <= 3 ? std::min(1.3 * h, h_max) : iterations > 6 ? 0.7 * h : h;
  }
  return branch;
}

}  // namespace gutskin::detail
