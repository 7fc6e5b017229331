// Two-parameter continuation of a fold: F(x, λ, μ) = 0 and g(x, λ, μ) = 0, where g is the last
// entry of the bordered system [J b; cᵀ 0][v; g] = [0; 1] and vanishes exactly where ∂F/∂x is
// singular (Govaerts 2000, minimally augmented systems).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/steady/system.hpp"

namespace gutskin::detail {

namespace {

class FoldTracer {
 public:
  FoldTracer(SteadySystem& system, Knob first, Knob second, const std::vector<double>& x0, double lambda0, double mu0,
             const FoldCurveSettings& settings)
      : sys_(system), a_(std::move(first)), b_(std::move(second)), n_(system.size()), s_(n_), l0_(lambda0), m0_(mu0),
        ls_(std::max(settings.lambda_hi - settings.lambda_lo, 1e-300)),
        ms_(std::max(settings.mu_hi - settings.mu_lo, 1e-300)), tolerance_(settings.tolerance) {
    double largest = 0.0;
    for (double v : x0) largest = std::max(largest, std::abs(v));
    for (int i = 0; i < n_; ++i) s_[i] = std::max({std::abs(x0[i]), 1e-6 * largest, system.atol()});
    // Borders from the singular vectors of ∂F/∂x at the fold.
    load(point(x0, lambda0, mu0));
    Eigen::MatrixXd J;
    sys_.jacobian(x_.data(), J);
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(J, Eigen::ComputeFullU | Eigen::ComputeFullV);
    border_c_ = svd.matrixV().col(n_ - 1);
    border_b_ = svd.matrixU().col(n_ - 1);
  }

  int n() const { return n_; }
  double lambda(const Eigen::VectorXd& z) const { return l0_ + ls_ * z(n_); }
  double mu(const Eigen::VectorXd& z) const { return m0_ + ms_ * z(n_ + 1); }
  std::vector<double> state(const Eigen::VectorXd& z) const {
    std::vector<double> x(n_);
    for (int i = 0; i < n_; ++i) x[i] = s_[i] * z(i);
    return x;
  }
  Eigen::VectorXd point(const std::vector<double>& x, double lambda, double mu) const {
    Eigen::VectorXd z(n_ + 2);
    for (int i = 0; i < n_; ++i) z(i) = x[i] / s_[i];
    z(n_) = (lambda - l0_) / ls_;
    z(n_ + 1) = (mu - m0_) / ms_;
    return z;
  }

  /// G = [F / s; g] and, when J is given, ∂G/∂z ((n + 1) × (n + 2)).
  bool equations(const Eigen::VectorXd& z, Eigen::VectorXd& G, Eigen::MatrixXd* Jz) {
    load(z);
    G.resize(n_ + 1);
    if (!sys_.residual(x_.data(), G.data())) return false;
    for (int i = 0; i < n_; ++i) G(i) /= s_[i];
    Eigen::MatrixXd J;
    sys_.jacobian(x_.data(), J);
    Eigen::VectorXd v, w;
    double g = 0.0;
    if (!bordered(J, v, w, g)) return false;
    G(n_) = g;
    if (Jz) {
      Jz->resize(n_ + 1, n_ + 2);
      for (int j = 0; j < n_; ++j) Jz->block(0, j, n_, 1) = J.col(j) * s_[j];
      std::vector<double> d(n_);
      knob_derivative(sys_, a_, x_.data(), lambda(z), d.data());
      for (int i = 0; i < n_; ++i) (*Jz)(i, n_) = d[i] * ls_;
      knob_derivative(sys_, b_, x_.data(), mu(z), d.data());
      for (int i = 0; i < n_; ++i) (*Jz)(i, n_ + 1) = d[i] * ms_;
      for (int i = 0; i < n_; ++i) Jz->row(i) /= s_[i];
      // g's gradient: −wᵀ (∂J/∂z) v; along x by symmetry of second derivatives the columns of
      // (J(x + εv) − J(x − εv)) / 2ε, along the knobs differences of J·v.
      const double vn = v.lpNorm<Eigen::Infinity>();
      const double eps = 1e-6 / std::max(vn, 1e-300);
      Eigen::MatrixXd Jp, Jm;
      std::vector<double> xp(x_), xm(x_);
      for (int i = 0; i < n_; ++i) xp[i] = x_[i] + eps * v(i), xm[i] = x_[i] - eps * v(i);
      sys_.jacobian(xp.data(), Jp);
      sys_.jacobian(xm.data(), Jm);
      const Eigen::RowVectorXd gx = -w.transpose() * (Jp - Jm) / (2 * eps);
      for (int j = 0; j < n_; ++j) (*Jz)(n_, j) = gx(j) * s_[j];
      (*Jz)(n_, n_) = -w.dot(knob_jacobian_times(a_, lambda(z), v)) * ls_;
      (*Jz)(n_, n_ + 1) = -w.dot(knob_jacobian_times(b_, mu(z), v)) * ms_;
      load(z);
    }
    return G.allFinite() && (!Jz || Jz->allFinite());
  }

  bool tangent(const Eigen::VectorXd& z, const Eigen::VectorXd& previous, Eigen::VectorXd& t) {
    Eigen::VectorXd G;
    Eigen::MatrixXd Jz;
    if (!equations(z, G, &Jz)) return false;
    Eigen::MatrixXd A(n_ + 2, n_ + 2);
    A.topRows(n_ + 1) = Jz;
    A.row(n_ + 1) = previous.transpose();
    Eigen::VectorXd e = Eigen::VectorXd::Zero(n_ + 2);
    e(n_ + 1) = 1.0;
    t = A.fullPivLu().solve(e);
    if (!t.allFinite() || t.norm() == 0) return false;
    t.normalize();
    return true;
  }

  bool correct(Eigen::VectorXd& z, const Eigen::VectorXd& t) {
    const Eigen::VectorXd predicted = z;
    Eigen::VectorXd G;
    Eigen::MatrixXd Jz, A(n_ + 2, n_ + 2);
    for (int it = 0; it < 15; ++it) {
      if (!equations(z, G, &Jz)) return false;
      if (it > 0 && sys_.residual_norm(x_.data()) <= tolerance_ && std::abs(G(n_)) < 1e-9) return true;
      A.topRows(n_ + 1) = Jz;
      A.row(n_ + 1) = t.transpose();
      Eigen::VectorXd rhs(n_ + 2);
      rhs.head(n_ + 1) = -G;
      rhs(n_ + 1) = -t.dot(z - predicted);
      const Eigen::VectorXd dz = A.partialPivLu().solve(rhs);
      if (!dz.allFinite()) return false;
      z += dz;
    }
    return false;
  }

  /// wᵀ F_xx[v, v] (v, w of unit length): its sign change along the curve is a cusp.
  double cusp_test(const Eigen::VectorXd& z) {
    Eigen::VectorXd v, w;
    if (!null_vectors(z, v, w)) return NAN;
    double scale = 0.0;
    for (int i = 0; i < n_; ++i) scale = std::max(scale, std::abs(x_[i]));
    const double eps = 1e-4 * std::max(scale, 1e-3);
    std::vector<double> xp(x_), xm(x_), f0(n_), fp(n_), fm(n_);
    for (int i = 0; i < n_; ++i) xp[i] += eps * v(i), xm[i] -= eps * v(i);
    sys_.residual(x_.data(), f0.data());
    sys_.residual(xp.data(), fp.data());
    sys_.residual(xm.data(), fm.data());
    double a = 0.0;
    for (int i = 0; i < n_; ++i) a += w(i) * (fp[i] - 2 * f0[i] + fm[i]) / (eps * eps);
    return a;
  }

  /// After an accepted point: the borders follow the null vectors, so the bordered system stays
  /// well conditioned along the curve.
  void update_borders(const Eigen::VectorXd& z) {
    Eigen::VectorXd v, w;
    if (!null_vectors(z, v, w)) return;
    border_c_ = v;
    border_b_ = w;
  }

  double residual_norm(const Eigen::VectorXd& z) {
    load(z);
    return sys_.residual_norm(x_.data());
  }

 private:
  void load(const Eigen::VectorXd& z) {
    x_.resize(n_);
    for (int i = 0; i < n_; ++i) x_[i] = s_[i] * z(i);
    set_knob(sys_, a_, lambda(z));
    set_knob(sys_, b_, mu(z));
  }

  /// The right and left null vectors of ∂F/∂x at z (from the bordered systems), of unit length;
  /// the point stays loaded.
  bool null_vectors(const Eigen::VectorXd& z, Eigen::VectorXd& v, Eigen::VectorXd& w) {
    load(z);
    Eigen::MatrixXd J;
    sys_.jacobian(x_.data(), J);
    double g = 0.0;
    if (!bordered(J, v, w, g)) return false;
    v.normalize(), w.normalize();
    return true;
  }

  /// [J b; cᵀ 0][v; g] = [0; 1] and [Jᵀ c; bᵀ 0][w; h] = [0; 1].
  bool bordered(const Eigen::MatrixXd& J, Eigen::VectorXd& v, Eigen::VectorXd& w, double& g) const {
    Eigen::MatrixXd M(n_ + 1, n_ + 1);
    M.topLeftCorner(n_, n_) = J;
    M.block(0, n_, n_, 1) = border_b_;
    M.block(n_, 0, 1, n_) = border_c_.transpose();
    M(n_, n_) = 0.0;
    Eigen::VectorXd e = Eigen::VectorXd::Zero(n_ + 1);
    e(n_) = 1.0;
    const Eigen::PartialPivLU<Eigen::MatrixXd> lu(M);
    const Eigen::VectorXd vg = lu.solve(e);
    const Eigen::VectorXd wh = lu.transpose().solve(e);
    if (!vg.allFinite() || !wh.allFinite()) return false;
    v = vg.head(n_), g = vg(n_), w = wh.head(n_);
    return true;
  }

  /// (∂J/∂knob)·v by central differences.
  Eigen::VectorXd knob_jacobian_times(const Knob& knob, double value, const Eigen::VectorXd& v) {
    const double h = 1e-6 * std::max(std::abs(value), 1.0);
    Eigen::MatrixXd Jp, Jm;
    set_knob(sys_, knob, value + h);
    sys_.jacobian(x_.data(), Jp);
    set_knob(sys_, knob, value - h);
    sys_.jacobian(x_.data(), Jm);
    set_knob(sys_, knob, value);
    return (Jp - Jm) * v / (2 * h);
  }

  SteadySystem& sys_;
  Knob a_, b_;
  int n_;
  std::vector<double> s_, x_;
  double l0_, m0_, ls_, ms_, tolerance_;
  Eigen::VectorXd border_b_, border_c_;
};

}  // namespace

FoldCurve trace_fold_curve(SteadySystem& system, const Knob& first, const Knob& second, const std::vector<double>& x,
                           double lambda, double direction, const FoldCurveSettings& settings) {
  FoldCurve curve;
  const double mu0 = knob_value(system, second);
  FoldTracer tracer(system, first, second, x, lambda, mu0, settings);
  const int n = tracer.n();
  Eigen::VectorXd z = tracer.point(x, lambda, mu0), t;
  Eigen::VectorXd towards = Eigen::VectorXd::Zero(n + 2);
  towards(n + 1) = direction > 0 ? 1.0 : -1.0;
  if (!tracer.tangent(z, towards, t)) {
    curve.end = "the fold curve has no tangent at its start";
    return curve;
  }
  curve.points.push_back({lambda, mu0, x});
  double h = 0.25 * settings.step, cusp_here = tracer.cusp_test(z);
  curve.end = fmt::format("{} points (max_points)", settings.max_points);
  while (static_cast<long>(curve.points.size()) < settings.max_points) {
    Eigen::VectorXd next = z + h * t, t_next;
    if (!tracer.correct(next, t) || !tracer.tangent(next, t, t_next) || t.dot(t_next) < 0.95) {
      h *= 0.5;
      if (h < 1e-9) {
        curve.end = fmt::format("the corrector failed at {} = {:.10g}, {} = {:.10g}", first.label, tracer.lambda(z),
                                second.label, tracer.mu(z));
        break;
      }
      continue;
    }
    const double cusp_next = tracer.cusp_test(next);
    if (std::isfinite(cusp_here) && std::isfinite(cusp_next) && (cusp_here > 0) != (cusp_next > 0)) {
      double lo = 0.0, hi = h;  // bisection on the step from z along t
      for (int it = 0; it < 60 && hi - lo > 1e-12; ++it) {
        const double mid = 0.5 * (lo + hi);
        Eigen::VectorXd zm = z + mid * t;
        if (!tracer.correct(zm, t)) break;
        ((tracer.cusp_test(zm) > 0) == (cusp_here > 0) ? lo : hi) = mid;
      }
      Eigen::VectorXd zc = z + 0.5 * (lo + hi) * t;
      if (tracer.correct(zc, t)) curve.cusps.push_back({tracer.lambda(zc), tracer.mu(zc), tracer.state(zc)});
    }
    z = next, t = t_next, cusp_here = cusp_next;
    tracer.update_borders(z);
    const double l = tracer.lambda(z), m = tracer.mu(z);
    if (l < settings.lambda_lo || l > settings.lambda_hi || m < settings.mu_lo || m > settings.mu_hi) {
      curve.end = fmt::format("left the ranges at {} = {:.6g}, {} = {:.6g}", first.label, l, second.label, m);
      break;
    }
    curve.points.push_back({l, m, tracer.state(z)});
    h = std::min(1.3 * h, settings.step);
  }
  return curve;
}

}  // namespace gutskin::detail
