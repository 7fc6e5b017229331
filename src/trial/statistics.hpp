// The statistics of a trial report, by formula: normal quantiles, means and medians with
// confidence intervals, proportions (Wilson), risk difference, risk ratio and odds ratio (log
// scale, with a 0.5 correction for empty cells) and the number needed to treat.
#pragma once

#include <optional>
#include <vector>

namespace gutskin::detail {

/// Φ⁻¹(p): Acklam's rational approximation refined by one Halley step (|error| < 1e-15).
double normal_quantile(double p);
/// z for a two-sided interval of `confidence` (0.95 → 1.959964).
double z_for(double confidence);

struct Interval {
  double lo = 0.0, hi = 0.0;
};

struct Continuous {
  long n = 0;
  double mean = 0.0, sd = 0.0;
  Interval mean_ci;        // mean ± z·sd/√n
  double median = 0.0;
  Interval median_ci;      // distribution-free, from order statistics
  double p05 = 0.0, q25 = 0.0, q75 = 0.0, p95 = 0.0;
};
/// NaNs are left out; n = 0 gives all zeros.
Continuous describe(std::vector<double> values, double confidence);

/// Quantile of sorted values (linear interpolation, type 7).
double quantile_sorted(const std::vector<double>& sorted, double q);

struct Proportion {
  long n = 0, events = 0;
  double rate = 0.0;
  Interval ci;  // Wilson score interval
};
Proportion proportion(long events, long n, double confidence);

struct BinaryComparison {
  double risk_difference = 0.0;
  Interval rd_ci;             // Wald
  double risk_ratio = 0.0;
  Interval rr_ci;             // exp(log RR ± z·SE)
  double odds_ratio = 0.0;
  Interval or_ci;             // exp(log OR ± z·SE)
  std::optional<double> nnt;  // 1/|RD|; none when RD = 0
  std::optional<Interval> nnt_ci;  // only when the RD interval excludes 0
};
/// Arm (a events of n1) against reference (c events of n2).
BinaryComparison compare_binary(long a, long n1, long c, long n2, double confidence);

struct PairedDifference {
  long n = 0;
  double mean = 0.0;
  Interval ci;
};
/// Mean of per-patient differences x[i] − y[i] over the pairs where both are numbers.
PairedDifference paired_difference(const std::vector<double>& x, const std::vector<double>& y,
                                   double confidence);

}  // namespace gutskin::detail
