// Global sensitivity analysis in the unit hypercube. A design gives points u in (0,1)^k; the
// caller maps each coordinate through its factor's quantile and runs the model; an estimator
// takes back one output per design point, in design order (NaN: that run failed). Nothing here
// knows about models, so designs and estimators are pure, deterministic and thread-safe.
//   Sobol indices: Saltelli's A, B, AB design on a Sobol sequence; first-order indices by
//     Saltelli et al. 2010 (Comput. Phys. Commun. 181:259, table 2 (b)), total indices by
//     Jansen 1999; percentile-bootstrap intervals over blocks.
//   Morris elementary effects (Morris 1991, Technometrics 33:161): one-at-a-time trajectories
//     on a p-level grid; μ, μ* (Campolongo et al. 2007, Environ. Model. Softw. 22:1509) and σ.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace gutskin::detail {

/// n blocks of k + 2 points: block j holds A_j, B_j, then AB_j^(i) for i = 0..k−1 (A_j with
/// coordinate i taken from B_j). Any prefix of blocks is itself a design, so convergence can be
/// followed on the first n/8, n/4, n/2 blocks of one set of runs.
class SaltelliDesign {
 public:
  /// Throws InputError for k < 1, k > 1833 (A and B need 2k Sobol dimensions; Boost's table has
  /// 3667), n < 2, or n ≥ 2^32 (coordinates keep 32 bits of the sequence).
  SaltelliDesign(int k, long long n);

  int k() const { return k_; }
  long long n() const { return n_; }
  long long points() const { return n_ * (k_ + 2); }
  /// Writes the k coordinates of design point `index` (0 ≤ index < points(); else
  /// std::out_of_range) to u[0..k−1], each strictly inside (0, 1).
  void point(long long index, double* u) const;

 private:
  int k_ = 0;
  long long n_ = 0;
  std::vector<std::uint32_t> bits_;  // row j: A_j then B_j, the top 32 bits of each coordinate
};

struct SobolIndices {
  std::vector<double> S1, S1_low, S1_high, ST, ST_low, ST_high;  // k each
  double mean = NAN, variance = NAN;  // of the pooled f(A), f(B)
  long long blocks_used = 0, blocks_failed = 0;
};

/// First-order and total Sobol indices from the outputs `y` of a SaltelliDesign(k, ·), in design
/// order, using its first `blocks` blocks. A block with any non-finite output is left out (and
/// counted in blocks_failed). With fewer than 2 blocks left, or outputs that do not vary, the
/// indices are NaN. Intervals: percentile bootstrap over blocks at `confidence` (0.95: 2.5% and
/// 97.5%), `bootstrap` replicates drawn from `seed` (0: NaN intervals). Throws InputError for
/// k < 1, blocks < 0, y shorter than blocks·(k + 2), bootstrap < 0, confidence outside (0, 1).
SobolIndices sobol_indices(const std::vector<double>& y, int k, long long blocks, int bootstrap,
                           double confidence, std::uint64_t seed);

/// `trajectories` trajectories of k + 1 points on the grid u = (l + 0.5)/levels, l = 0..levels−1
/// (never 0 or 1, so unbounded quantiles stay finite). Each starts at a random grid point and
/// moves every factor once, in random order, by levels/2 levels (|Δu| = 0.5), up or down as the
/// grid allows. Trajectory t is drawn from (seed, t) alone.
class MorrisDesign {
 public:
  /// Throws InputError for k < 1, trajectories < 1, or levels odd or < 2.
  MorrisDesign(int k, int trajectories, int levels, std::uint64_t seed);

  int k() const { return k_; }
  int trajectories() const { return trajectories_; }
  int levels() const { return levels_; }
  long long points() const { return static_cast<long long>(trajectories_) * (k_ + 1); }
  /// Point `index` = trajectory·(k + 1) + step (step 0 is the start); std::out_of_range outside.
  void point(long long index, double* u) const;
  /// The factor that moved between steps step − 1 and step (1 ≤ step ≤ k), and its signed Δu.
  int factor(long long trajectory, int step) const;
  double delta(long long trajectory, int step) const;

 private:
  std::size_t step_at(long long trajectory, int step) const;

  int k_ = 0, trajectories_ = 0, levels_ = 0;
  std::vector<double> points_;   // points() rows of k
  std::vector<int> factors_;     // trajectories rows of k: factor moved at step s in column s−1
  std::vector<double> deltas_;   // same layout: its Δu, ±0.5
};

struct MorrisIndices {
  std::vector<double> mu, mu_star, sigma, mu_star_low, mu_star_high;  // k each
  long long trajectories_used = 0, trajectories_failed = 0;
};

/// Elementary effects EE = (y_after − y_before)/Δu (unit-space Δu) from the outputs `y` of
/// `design`, using its first `trajectories` trajectories; a trajectory with any non-finite output
/// is left out. mu = mean EE, mu_star = mean |EE|, sigma = sample SD of EE (NaN with fewer than 2
/// trajectories); percentile-bootstrap interval of mu_star over trajectories as in
/// sobol_indices. Throws InputError for trajectories outside [0, design.trajectories()], y
/// shorter than trajectories·(k + 1), bootstrap < 0, confidence outside (0, 1).
MorrisIndices morris_indices(const std::vector<double>& y, const MorrisDesign& design,
                             long long trajectories, int bootstrap, double confidence,
                             std::uint64_t seed);

}  // namespace gutskin::detail
