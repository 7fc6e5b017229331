#include "analysis/sensitivity/global.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <numeric>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "gutskin/errors.hpp"
#include "trial/sampling.hpp"
#include "trial/statistics.hpp"

namespace gutskin::detail {

namespace {

// Boost's Joe–Kuo table (boost/random/detail/sobol_table.hpp, BOOST_RANDOM_SOBOL_MAX_DIMENSION).
constexpr int max_sobol_dimensions = 3667;

// Salts so that bootstrap replicates and Morris trajectories drawn from the same seed (and the
// trial's patients, trial/sampling.cpp) are independent streams.
constexpr std::uint64_t sobol_bootstrap_salt = 0x5b0b01b007570a11ULL;
constexpr std::uint64_t morris_bootstrap_salt = 0x3c6ef372fe94f82bULL;
constexpr std::uint64_t morris_design_salt = 0xa54ff53a5f1d36f1ULL;

void input_error(const std::string& message) { throw InputError(SourceLoc{}, message); }

/// One stream per (seed, salt, index): what it draws never depends on the order or thread in
/// which the others are drawn.
std::mt19937_64 stream(std::uint64_t seed, std::uint64_t salt, std::uint64_t index) {
  return std::mt19937_64(mix64(mix64(seed) ^ mix64(index + salt)));
}

/// Uniform in 0..n−1 from the top 53 bits: portable, unlike std::uniform_int_distribution and
/// std::shuffle, whose algorithms are the standard library's choice. Bias < n·2^-53.
std::size_t below(std::mt19937_64& engine, std::size_t n) {
  const double u = static_cast<double>(engine() >> 11) * 0x1.0p-53;
  return std::min(n - 1, static_cast<std::size_t>(u * static_cast<double>(n)));
}

void check_bootstrap(int bootstrap, double confidence) {
  if (bootstrap < 0) input_error(fmt::format("bootstrap = {} replicates; expected 0 or more", bootstrap));
  if (!(confidence > 0 && confidence < 1))
    input_error(fmt::format("confidence = {}; expected a level strictly between 0 and 1", confidence));
}

/// The percentile interval of the replicates (non-finite ones left out; none left: NaN).
std::pair<double, double> percentile_interval(std::span<const double> replicates, double confidence) {
  std::vector<double> v;
  v.reserve(replicates.size());
  for (double x : replicates)
    if (std::isfinite(x)) v.push_back(x);
  if (v.empty()) return {NAN, NAN};
  std::sort(v.begin(), v.end());
  const double tail = (1 - confidence) / 2;
  return {quantile_sorted(v, tail), quantile_sorted(v, 1 - tail)};
}

// ---- Sobol indices ----

struct Moments {
  double mean = NAN, variance = NAN;
};

/// S1 and ST (k each) from the blocks `which` of y (repeats allowed: a bootstrap replicate).
/// NaN when fewer than 2 blocks or the pooled f(A), f(B) do not vary.
Moments sobol_estimate(const std::vector<double>& y, int k, std::span<const long long> which,
                       std::span<double> s1, std::span<double> st) {
  std::fill(s1.begin(), s1.end(), NAN);
  std::fill(st.begin(), st.end(), NAN);
  Moments m;
  const auto n = static_cast<double>(which.size());
  const std::size_t width = static_cast<std::size_t>(k) + 2;
  if (which.empty()) return m;
  double sum = 0.0, lo = INFINITY, hi = -INFINITY;
  for (const long long j : which) {
    const double* b = &y[static_cast<std::size_t>(j) * width];
    sum += b[0] + b[1];
    lo = std::min({lo, b[0], b[1]});
    hi = std::max({hi, b[0], b[1]});
  }
  m.mean = sum / (2 * n);
  // Constant outputs: V is 0 exactly, whatever the rounding of the mean.
  if (lo == hi) {
    m.variance = 0.0;
    return m;
  }
  std::fill(s1.begin(), s1.end(), 0.0);
  std::fill(st.begin(), st.end(), 0.0);
  double ss = 0.0;
  for (const long long j : which) {
    const double* b = &y[static_cast<std::size_t>(j) * width];
    const double fa = b[0], fb = b[1];
    ss += (fa - m.mean) * (fa - m.mean) + (fb - m.mean) * (fb - m.mean);
    for (int i = 0; i < k; ++i) {
      const double fab = b[2 + i];
      // f(B) centred: the estimator's expectation is unchanged, but a large mean no longer
      // multiplies the noise of f(AB) − f(A).
      s1[i] += (fb - m.mean) * (fab - fa);
      st[i] += (fa - fab) * (fa - fab);
    }
  }
  // Sample variance of the 2n pooled values.
  m.variance = ss / (2 * n - 1);
  if (which.size() < 2) {
    std::fill(s1.begin(), s1.end(), NAN);
    std::fill(st.begin(), st.end(), NAN);
    return m;
  }
  for (int i = 0; i < k; ++i) {
    s1[i] /= n * m.variance;
    st[i] /= 2 * n * m.variance;
  }
  return m;
}

// ---- Morris ----

/// Mean |EE| per factor over the trajectories `which` (rows of `abs_ee`, k wide).
void mean_abs_effects(const std::vector<double>& abs_ee, int k, std::span<const long long> which,
                      std::span<double> out) {
  std::fill(out.begin(), out.end(), 0.0);
  for (const long long t : which)
    for (int i = 0; i < k; ++i) out[i] += abs_ee[static_cast<std::size_t>(t) * k + i];
  for (double& x : out) x /= static_cast<double>(which.size());
}

}  // namespace

// ---- SaltelliDesign ----

SaltelliDesign::SaltelliDesign(int k, long long n) : k_(k), n_(n) {
  if (k < 1) input_error(fmt::format("Saltelli design: k = {} factors; expected at least 1", k));
  if (2 * static_cast<long long>(k) > max_sobol_dimensions)
    input_error(fmt::format("Saltelli design: k = {} factors needs {} Sobol dimensions; Boost's "
                            "Sobol sequence has {} (at most {} factors)",
                            k, 2 * static_cast<long long>(k), max_sobol_dimensions,
                            max_sobol_dimensions / 2));
  if (n < 2) input_error(fmt::format("Saltelli design: n = {} blocks; expected at least 2", n));
  if (n >= (1LL << 32))
    input_error(fmt::format("Saltelli design: n = {} blocks; expected fewer than 2^32", n));
  const std::size_t dims = 2 * static_cast<std::size_t>(k);
  // Boost's sequence already starts at its second point (0.5, …, 0.5): the all-zero first point
  // of the Sobol sequence is never produced, so nothing is skipped here.
  boost::random::sobol sequence(dims);
  bits_.resize(static_cast<std::size_t>(n) * dims);
  // Indices below 2^32 set only the top 32 of Boost's 64 bits, so nothing is lost.
  for (auto& b : bits_) b = static_cast<std::uint32_t>(sequence() >> 32);
}

void SaltelliDesign::point(long long index, double* u) const {
  if (index < 0 || index >= points())
    throw std::out_of_range(fmt::format("Saltelli design point {} of {}", index, points()));
  const long long block = index / (k_ + 2);
  const int role = static_cast<int>(index % (k_ + 2));  // 0: A, 1: B, 2 + i: AB^(i)
  const std::uint32_t* a = &bits_[static_cast<std::size_t>(block) * 2 * k_];
  const std::uint32_t* b = a + k_;
  // The midpoint of the 2^-32 cell: strictly inside (0, 1), and exact in a double.
  auto unit = [](std::uint32_t v) { return (static_cast<double>(v) + 0.5) * 0x1.0p-32; };
  for (int i = 0; i < k_; ++i) u[i] = unit(role == 1 || role == 2 + i ? b[i] : a[i]);
}

// ---- sobol_indices ----

SobolIndices sobol_indices(const std::vector<double>& y, int k, long long blocks, int bootstrap,
                           double confidence, std::uint64_t seed) {
  if (k < 1) input_error(fmt::format("Sobol indices: k = {} factors; expected at least 1", k));
  if (blocks < 0) input_error(fmt::format("Sobol indices: blocks = {}; expected 0 or more", blocks));
  const std::size_t width = static_cast<std::size_t>(k) + 2;
  if (static_cast<std::size_t>(blocks) > y.size() / width)
    input_error(fmt::format("Sobol indices: {} blocks of {} factors need {} outputs; got {}", blocks,
                            k, static_cast<std::size_t>(blocks) * width, y.size()));
  check_bootstrap(bootstrap, confidence);

  std::vector<long long> used;
  used.reserve(static_cast<std::size_t>(blocks));
  for (long long j = 0; j < blocks; ++j) {
    const auto first = y.begin() + static_cast<std::ptrdiff_t>(j * width);
    if (std::all_of(first, first + static_cast<std::ptrdiff_t>(width),
                    [](double v) { return std::isfinite(v); }))
      used.push_back(j);
  }
  SobolIndices r;
  r.blocks_used = static_cast<long long>(used.size());
  r.blocks_failed = blocks - r.blocks_used;
  r.S1.assign(k, NAN);
  r.ST.assign(k, NAN);
  r.S1_low = r.S1_high = r.ST_low = r.ST_high = r.S1;
  const Moments m = sobol_estimate(y, k, used, r.S1, r.ST);
  r.mean = m.mean;
  r.variance = m.variance;
  if (bootstrap == 0 || !std::isfinite(r.S1[0])) return r;

  // Replicates factor-major (row i: S1_i of every replicate) so each row is one interval.
  const auto reps = static_cast<std::size_t>(bootstrap);
  std::vector<double> s1_reps(k * reps), st_reps(k * reps), s1(k), st(k);
  std::vector<long long> which(used.size());
  for (std::size_t b = 0; b < reps; ++b) {
    auto engine = stream(seed, sobol_bootstrap_salt, b);
    for (auto& w : which) w = used[below(engine, used.size())];
    sobol_estimate(y, k, which, s1, st);
    for (int i = 0; i < k; ++i) {
      s1_reps[i * reps + b] = s1[i];
      st_reps[i * reps + b] = st[i];
    }
  }
  for (int i = 0; i < k; ++i) {
    std::tie(r.S1_low[i], r.S1_high[i]) =
        percentile_interval(std::span(s1_reps).subspan(i * reps, reps), confidence);
    std::tie(r.ST_low[i], r.ST_high[i]) =
        percentile_interval(std::span(st_reps).subspan(i * reps, reps), confidence);
  }
  return r;
}

// ---- MorrisDesign ----

MorrisDesign::MorrisDesign(int k, int trajectories, int levels, std::uint64_t seed)
    : k_(k), trajectories_(trajectories), levels_(levels) {
  if (k < 1) input_error(fmt::format("Morris design: k = {} factors; expected at least 1", k));
  if (trajectories < 1)
    input_error(fmt::format("Morris design: trajectories = {}; expected at least 1", trajectories));
  if (levels < 2 || levels % 2 != 0)
    input_error(fmt::format("Morris design: levels = {}; expected an even number, at least 2 "
                            "(each step moves a factor by levels/2)",
                            levels));
  const auto width = static_cast<std::size_t>(k);
  points_.resize(static_cast<std::size_t>(points()) * width);
  factors_.resize(static_cast<std::size_t>(trajectories) * width);
  deltas_.resize(factors_.size());
  const int jump = levels / 2;
  std::vector<int> level(width), order(width);
  for (int t = 0; t < trajectories; ++t) {
    auto engine = stream(seed, morris_design_salt, static_cast<std::uint64_t>(t));
    for (auto& l : level) l = static_cast<int>(below(engine, static_cast<std::size_t>(levels)));
    // Fisher–Yates by hand: std::shuffle's draws are the library's choice.
    std::iota(order.begin(), order.end(), 0);
    for (std::size_t i = width - 1; i > 0; --i) std::swap(order[i], order[below(engine, i + 1)]);
    double* p = &points_[static_cast<std::size_t>(t) * (width + 1) * width];
    auto write = [&](double* row) {
      for (std::size_t i = 0; i < width; ++i) row[i] = (level[i] + 0.5) / levels;
    };
    write(p);
    for (int s = 1; s <= k; ++s) {
      const int i = order[s - 1];
      // From the lower half of the grid only up is possible, from the upper half only down.
      const bool up = level[i] < jump;
      level[i] += up ? jump : -jump;
      factors_[step_at(t, s)] = i;
      deltas_[step_at(t, s)] = up ? 0.5 : -0.5;
      write(p + s * width);
    }
  }
}

std::size_t MorrisDesign::step_at(long long trajectory, int step) const {
  if (trajectory < 0 || trajectory >= trajectories_ || step < 1 || step > k_)
    throw std::out_of_range(fmt::format("Morris design: trajectory {} step {} (of {} trajectories, "
                                        "steps 1..{})",
                                        trajectory, step, trajectories_, k_));
  return static_cast<std::size_t>(trajectory) * k_ + (step - 1);
}

void MorrisDesign::point(long long index, double* u) const {
  if (index < 0 || index >= points())
    throw std::out_of_range(fmt::format("Morris design point {} of {}", index, points()));
  const double* row = &points_[static_cast<std::size_t>(index) * k_];
  std::copy(row, row + k_, u);
}

int MorrisDesign::factor(long long trajectory, int step) const {
  return factors_[step_at(trajectory, step)];
}

double MorrisDesign::delta(long long trajectory, int step) const {
  return deltas_[step_at(trajectory, step)];
}

// ---- morris_indices ----

MorrisIndices morris_indices(const std::vector<double>& y, const MorrisDesign& design,
                             long long trajectories, int bootstrap, double confidence,
                             std::uint64_t seed) {
  const int k = design.k();
  if (trajectories < 0 || trajectories > design.trajectories())
    input_error(fmt::format("Morris indices: trajectories = {}; expected 0 to {} (the design's)",
                            trajectories, design.trajectories()));
  const std::size_t width = static_cast<std::size_t>(k) + 1;
  if (static_cast<std::size_t>(trajectories) * width > y.size())
    input_error(fmt::format("Morris indices: {} trajectories of {} factors need {} outputs; got {}",
                            trajectories, k, static_cast<std::size_t>(trajectories) * width,
                            y.size()));
  check_bootstrap(bootstrap, confidence);

  // Elementary effects of the usable trajectories, one row of k each (factor order).
  std::vector<double> ee;
  ee.reserve(static_cast<std::size_t>(trajectories) * k);
  MorrisIndices r;
  for (long long t = 0; t < trajectories; ++t) {
    const double* f = &y[static_cast<std::size_t>(t) * width];
    if (!std::all_of(f, f + width, [](double v) { return std::isfinite(v); })) {
      ++r.trajectories_failed;
      continue;
    }
    const std::size_t row = ee.size();
    ee.resize(row + k);
    for (int s = 1; s <= k; ++s)
      ee[row + design.factor(t, s)] = (f[s] - f[s - 1]) / design.delta(t, s);
    ++r.trajectories_used;
  }
  const auto used = static_cast<std::size_t>(r.trajectories_used);
  r.mu.assign(k, NAN);
  r.mu_star = r.sigma = r.mu_star_low = r.mu_star_high = r.mu;
  if (used == 0) return r;
  for (int i = 0; i < k; ++i) {
    double sum = 0.0, sum_abs = 0.0;
    for (std::size_t t = 0; t < used; ++t) {
      sum += ee[t * k + i];
      sum_abs += std::abs(ee[t * k + i]);
    }
    r.mu[i] = sum / static_cast<double>(used);
    r.mu_star[i] = sum_abs / static_cast<double>(used);
    if (used < 2) continue;
    double ss = 0.0;
    for (std::size_t t = 0; t < used; ++t) ss += (ee[t * k + i] - r.mu[i]) * (ee[t * k + i] - r.mu[i]);
    r.sigma[i] = std::sqrt(ss / static_cast<double>(used - 1));
  }
  if (bootstrap == 0) return r;

  for (double& e : ee) e = std::abs(e);
  const auto reps = static_cast<std::size_t>(bootstrap);
  std::vector<double> mu_star_reps(k * reps), mu_star(k);
  std::vector<long long> which(used);
  for (std::size_t b = 0; b < reps; ++b) {
    auto engine = stream(seed, morris_bootstrap_salt, b);
    for (auto& w : which) w = static_cast<long long>(below(engine, used));
    mean_abs_effects(ee, k, which, mu_star);
    for (int i = 0; i < k; ++i) mu_star_reps[i * reps + b] = mu_star[i];
  }
  for (int i = 0; i < k; ++i)
    std::tie(r.mu_star_low[i], r.mu_star_high[i]) =
        percentile_interval(std::span(mu_star_reps).subspan(i * reps, reps), confidence);
  return r;
}

}  // namespace gutskin::detail
