// The steady-state system: right-hand side, conservation laws, ∂F/∂x, and the eigenvalues of an
// equilibrium.
#include "analysis/steady/system.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "gutskin/errors.hpp"

namespace gutskin::detail {

SteadySystem::SteadySystem(const CompiledModel& model, std::vector<double> parameters, std::vector<double> inputs,
                           double t, double atol)
    : model_(model), parameters_(std::move(parameters)), inputs_(std::move(inputs)), t_(t), atol_(atol),
      ws_(model.make_workspace()), jac_values_(model.jacobian_nonzeros()), f_(model.n_states()) {
  if (model.n_delays() > 0)
    throw InputError(SourceLoc{model.model().name},
                     "steady states of models with delay() are not supported (the history would be part of the state)");
  model_.set_parameters(ws_, parameters_.data());
  subspace_ = Eigen::MatrixXd::Identity(size(), size());
}

void SteadySystem::set_parameter(int index, double value) {
  parameters_[index] = value;
  model_.set_parameter(ws_, index, value);
}

bool SteadySystem::rhs(const double* x, double* f) {
  model_.rhs(t_, x, inputs_.data(), f, ws_);
  for (int i = 0; i < size(); ++i)
    if (!std::isfinite(f[i])) return false;
  return true;
}

bool SteadySystem::residual(const double* x, double* F) {
  const bool finite = rhs(x, F);
  for (const ConservationLaw& law : laws_) {
    double s = -law.total;
    for (int i = 0; i < size(); ++i) s += law.weights[i] * x[i];
    F[law.state] = s;
  }
  return finite;
}

void SteadySystem::rhs_jacobian(const double* x, Eigen::MatrixXd& J) {
  model_.jacobian(t_, x, inputs_.data(), jac_values_.data(), ws_);
  J.setZero(size(), size());
  const auto& cp = model_.jacobian_col_ptr();
  const auto& ri = model_.jacobian_row_index();
  for (int j = 0; j < size(); ++j)
    for (int k = cp[j]; k < cp[j + 1]; ++k) J(ri[k], j) = jac_values_[k];
}

void SteadySystem::jacobian(const double* x, Eigen::MatrixXd& J) {
  rhs_jacobian(x, J);
  for (const ConservationLaw& law : laws_)
    for (int i = 0; i < size(); ++i) J(law.state, i) = law.weights[i];
}

void SteadySystem::parameter_derivative(const double* x, int k, double* dF) {
  const SparsePattern& p = model_.rhs_parameter_pattern();
  dfdp_values_.resize(p.nonzeros());
  model_.rhs_parameter_jacobian(t_, x, inputs_.data(), dfdp_values_.data(), ws_);
  std::fill(dF, dF + size(), 0.0);
  for (int e = p.col_ptr[k]; e < p.col_ptr[k + 1]; ++e) dF[p.row_index[e]] = dfdp_values_[e];
  for (const ConservationLaw& law : laws_) dF[law.state] = 0.0;
}

double SteadySystem::residual_norm(const double* x) {
  if (!rhs(x, f_.data())) return std::numeric_limits<double>::infinity();
  double r = 0.0;
  for (int i = 0; i < size(); ++i) r = std::max(r, std::abs(f_[i]) / std::max(std::abs(x[i]), atol_));
  return r;
}

std::string SteadySystem::worst_state(const double* x) {
  if (!rhs(x, f_.data())) {
    for (int i = 0; i < size(); ++i)
      if (!std::isfinite(f_[i])) return fmt::format("{} (dx/dt not finite)", model_.model().states[i].name);
  }
  int worst = 0;
  double r = -1.0;
  for (int i = 0; i < size(); ++i) {
    const double ri = std::abs(f_[i]) / std::max(std::abs(x[i]), atol_);
    if (ri > r) r = ri, worst = i;
  }
  return fmt::format("{} (dx/dt = {:.3g} at {:.6g})", model_.model().states[worst].name, f_[worst], x[worst]);
}

void SteadySystem::set_totals(const double* x) {
  for (ConservationLaw& law : laws_) {
    law.total = 0.0;
    for (int i = 0; i < size(); ++i) law.total += law.weights[i] * x[i];
  }
}

std::vector<char> SteadySystem::positive_on_invariant_face(const std::vector<double>& x) {
  std::vector<char> out(size(), 0);
  std::vector<double> y = x;
  for (int i = 0; i < size(); ++i) {
    if (!model_.model().states[i].non_negative || !(x[i] > 0)) continue;
    y[i] = 0.0;
    out[i] = rhs(y.data(), f_.data()) && f_[i] == 0.0;
    y[i] = x[i];
  }
  for (const ConservationLaw& law : laws_) out[law.state] = 0;  // its row is the law's
  return out;
}

void SteadySystem::project(std::vector<double>& x) const {
  const int n = size(), m = static_cast<int>(laws_.size());
  if (m == 0) return;
  Eigen::MatrixXd W(m, n);
  Eigen::VectorXd c(m);
  for (int r = 0; r < m; ++r) {
    for (int j = 0; j < n; ++j) W(r, j) = laws_[r].weights[j];
    c(r) = laws_[r].total;
  }
  const Eigen::LDLT<Eigen::MatrixXd> normal(W * W.transpose());
  Eigen::Map<Eigen::VectorXd> v(x.data(), n);
  for (int pass = 0; pass < 3; ++pass) {
    v -= W.transpose() * normal.solve(W * v - c);
    for (int i = 0; i < n; ++i)
      if (model_.model().states[i].non_negative) x[i] = std::max(x[i], 0.0);
  }
  for (const ConservationLaw& law : laws_)
    if (law.held) x[law.state] = law.total;
}

namespace {

constexpr double frozen_rate = 1e-12;  // per time unit: a state this slow is held

/// A point near x, reproducibly: each state moved by up to ±20% and a little off zero (kept ≥ 0
/// where x is), so that a law holding only at x by accident does not pass.
std::vector<double> nearby(const std::vector<double>& x, int salt) {
  std::vector<double> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double r = std::fmod(0.6180339887498949 * static_cast<double>(i + 1) * (salt + 1) + 0.31 * salt, 1.0);
    const double scale = std::max(std::abs(x[i]), 1e-3);
    y[i] = x[i] * (0.8 + 0.4 * r) + 0.05 * scale * r;
  }
  return y;
}

/// "A + B − 2 C = 3".
std::string law_text(const ConservationLaw& law, const Model& model) {
  std::string s;
  for (std::size_t i = 0; i < law.weights.size(); ++i) {
    const double w = law.weights[i];
    if (w == 0.0) continue;
    const std::string coefficient = std::abs(w) == 1.0 ? "" : fmt::format("{:g} ", std::abs(w));
    if (s.empty()) s = (w < 0 ? "-" : "") + coefficient + model.states[i].name;
    else s += fmt::format(" {} {}{}", w < 0 ? "-" : "+", coefficient, model.states[i].name);
  }
  return s + fmt::format(" = {:g}", law.total);
}

}  // namespace

void SteadySystem::find_conservation_laws(const std::vector<double>& x) {
  laws_.clear();
  const int n = size();
  // w is a law when wᵀ∂f/∂x = 0 everywhere: stack the columns of ∂f/∂x at three points as rows
  // (each scaled to unit length, which leaves the null space alone) and take the null space.
  std::vector<std::vector<double>> points{x, nearby(x, 1), nearby(x, 2)};
  Eigen::MatrixXd B(3 * n, n), J;
  int rows = 0;
  for (const auto& point : points) {
    rhs_jacobian(point.data(), J);
    for (int j = 0; j < n; ++j) {
      const double norm = J.col(j).norm();
      if (norm > 0 && std::isfinite(norm)) B.row(rows++) = J.col(j).transpose() / norm;
    }
  }
  Eigen::MatrixXd W;  // laws as rows
  if (rows == 0) {
    W = Eigen::MatrixXd::Identity(n, n);  // nothing moves
  } else {
    Eigen::BDCSVD<Eigen::MatrixXd> svd(B.topRows(rows), Eigen::ComputeFullV);
    const auto& sigma = svd.singularValues();
    const double cut = 1e-10 * std::max(1.0, sigma.size() > 0 ? sigma(0) : 0.0) * std::sqrt(static_cast<double>(n));
    int rank = 0;
    while (rank < sigma.size() && sigma(rank) > cut) ++rank;
    W = svd.matrixV().rightCols(n - rank).transpose();
  }
  // Reduced row echelon form: each law gets a state of its own (weight 1, absent from the other
  // laws), whose equation it replaces; tiny entries are rounding and become zero.
  std::vector<bool> used(n, false);
  std::vector<int> pivot;
  for (int r = 0; r < W.rows(); ++r) {
    int best_row = -1, best_col = -1;
    double best = 1e-8;
    for (int i = r; i < W.rows(); ++i)
      for (int j = 0; j < n; ++j)
        if (!used[j] && std::abs(W(i, j)) > best) best = std::abs(W(i, j)), best_row = i, best_col = j;
    if (best_row < 0) {
      W.conservativeResize(r, n);
      break;
    }
    W.row(r).swap(W.row(best_row));
    W.row(r) /= W(r, best_col);
    for (int i = 0; i < W.rows(); ++i)
      if (i != r) W.row(i) -= W(i, best_col) * W.row(r);
    used[best_col] = true;
    pivot.push_back(best_col);
  }
  std::vector<double> f0(n);
  for (int r = 0; r < W.rows(); ++r) {
    ConservationLaw law;
    law.state = pivot[r];
    law.weights.resize(n);
    for (int j = 0; j < n; ++j) {
      const double w = W(r, j);
      const double rounded = std::round(w);
      law.weights[j] = std::abs(w) < 1e-10 ? 0.0 : std::abs(w - rounded) < 1e-9 ? rounded : w;
    }
    // Checked on f itself, away from x: wᵀf must vanish to rounding.
    bool holds = true;
    for (const auto& point : points) {
      if (!rhs(point.data(), f0.data())) continue;
      double s = 0.0, size_of_terms = 0.0;
      for (int j = 0; j < n; ++j) s += law.weights[j] * f0[j], size_of_terms += std::abs(law.weights[j] * f0[j]);
      if (std::abs(s) > 1e-8 * size_of_terms + 1e-300) holds = false;
    }
    if (holds) laws_.push_back(std::move(law));
  }
  // A state whose rate and whole row of ∂f/∂x vanish at x (a memory frozen once its window has
  // closed, a wound at zero with no macrophages) leaves ∂f/∂x singular there and keeps any value
  // nearby: it is held at its value, a law of this point rather than of the model.
  Eigen::MatrixXd J0;
  rhs_jacobian(x.data(), J0);
  if (rhs(x.data(), f0.data()))
    for (int i = 0; i < n; ++i) {
      const bool in_a_law = std::any_of(laws_.begin(), laws_.end(), [&](const ConservationLaw& l) { return l.weights[i] != 0; });
      // "Vanish": its rate and every term of its row would take 10^12 time units to move it.
      const double scale = std::max(std::abs(x[i]), atol_);
      double row = 0.0;
      for (int j = 0; j < n; ++j) row = std::max(row, std::abs(J0(i, j)) * std::max(std::abs(x[j]), atol_));
      if (in_a_law || std::abs(f0[i]) > frozen_rate * scale || row > frozen_rate * scale) continue;
      ConservationLaw law;
      law.state = i;
      law.weights.assign(n, 0.0);
      law.weights[i] = 1.0;
      law.held = true;
      laws_.push_back(std::move(law));
    }
  set_totals(x.data());
  for (ConservationLaw& law : laws_)
    law.text = law.held ? fmt::format("{} held at {:g} (its rate and Jacobian row vanish there)",
                                      model_.model().states[law.state].name, law.total)
                        : law_text(law, model_.model());
  // Orthonormal basis of {v : Wv = 0}, where the dynamics live.
  if (laws_.empty()) {
    subspace_ = Eigen::MatrixXd::Identity(n, n);
  } else {
    Eigen::MatrixXd Wk(static_cast<int>(laws_.size()), n);
    for (std::size_t r = 0; r < laws_.size(); ++r)
      for (int j = 0; j < n; ++j) Wk(static_cast<int>(r), j) = laws_[r].weights[j];
    Eigen::BDCSVD<Eigen::MatrixXd> svd(Wk, Eigen::ComputeFullV);
    subspace_ = svd.matrixV().rightCols(n - static_cast<int>(laws_.size()));
  }
}

void classify(SteadySystem& system, Equilibrium& e) {
  Eigen::MatrixXd J;
  system.rhs_jacobian(e.state.data(), J);
  const Eigen::MatrixXd& N = system.subspace();
  // ∂f/∂x maps into the subspace (wᵀ∂f/∂x = 0), so Nᵀ J N holds its eigenvalues there.
  const Eigen::MatrixXd reduced = N.transpose() * J * N;
  e.eigenvalues.clear();
  if (reduced.rows() > 0) {
    Eigen::EigenSolver<Eigen::MatrixXd> solver(reduced, false);
    for (int i = 0; i < reduced.rows(); ++i) e.eigenvalues.push_back(solver.eigenvalues()(i));
  }
  std::sort(e.eigenvalues.begin(), e.eigenvalues.end(), [](const auto& a, const auto& b) {
    return a.real() != b.real() ? a.real() > b.real() : a.imag() > b.imag();
  });
  e.max_real_eigenvalue = e.eigenvalues.empty() ? -std::numeric_limits<double>::infinity() : e.eigenvalues[0].real();
  e.stable = e.max_real_eigenvalue < 0;
  double closest = std::numeric_limits<double>::infinity();
  for (const auto& l : e.eigenvalues) closest = std::min(closest, std::abs(l.real()));
  e.slowest_time_constant = closest > 0 ? 1.0 / closest : std::numeric_limits<double>::infinity();
  e.residual = system.residual_norm(e.state.data());
}

bool same_state(const std::vector<double>& a, const std::vector<double>& b, double atol) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::abs(a[i] - b[i]) > 1e-6 * std::max(std::abs(a[i]), std::abs(b[i])) + 10 * atol) return false;
  return true;
}

}  // namespace gutskin::detail
