#include "trial/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gutskin::detail {

double normal_quantile(double p) {
  if (!(p > 0 && p < 1)) return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double plow = 0.02425;
  double x;
  if (p < plow) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - plow) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Halley step on Φ(x) − p.
  const double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
  const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

double z_for(double confidence) { return normal_quantile(0.5 + confidence / 2); }

double quantile_sorted(const std::vector<double>& s, double q) {
  if (s.empty()) return NAN;
  const double h = (static_cast<double>(s.size()) - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, s.size() - 1);
  return s[lo] + (h - static_cast<double>(lo)) * (s[hi] - s[lo]);
}

Continuous describe(std::vector<double> v, double confidence) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  Continuous c;
  c.n = static_cast<long>(v.size());
  if (v.empty()) return c;
  // Two-pass mean and SD, in a fixed order (the caller's: patient order).
  double sum = 0.0;
  for (double x : v) sum += x;
  c.mean = sum / c.n;
  double ss = 0.0;
  for (double x : v) ss += (x - c.mean) * (x - c.mean);
  c.sd = c.n > 1 ? std::sqrt(ss / (c.n - 1)) : 0.0;
  const double z = z_for(confidence);
  const double half = z * c.sd / std::sqrt(static_cast<double>(c.n));
  c.mean_ci = {c.mean - half, c.mean + half};
  std::sort(v.begin(), v.end());
  c.median = quantile_sorted(v, 0.5);
  // Ranks n/2 ∓ z·√n/2 (1-based), clamped.
  const double n = static_cast<double>(c.n);
  const long j = std::clamp(static_cast<long>(std::floor(n / 2 - z * std::sqrt(n) / 2)), 1L, c.n);
  const long k = std::clamp(static_cast<long>(std::ceil(n / 2 + z * std::sqrt(n) / 2)), 1L, c.n);
  c.median_ci = {v[j - 1], v[k - 1]};
  c.p05 = quantile_sorted(v, 0.05);
  c.q25 = quantile_sorted(v, 0.25);
  c.q75 = quantile_sorted(v, 0.75);
  c.p95 = quantile_sorted(v, 0.95);
  return c;
}

Proportion proportion(long events, long n, double confidence) {
  Proportion p;
  p.n = n;
  p.events = events;
  if (n <= 0) return p;
  const double z = z_for(confidence), nn = static_cast<double>(n);
  p.rate = events / nn;
  const double z2 = z * z;
  const double centre = (p.rate + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half =
      z / (1 + z2 / nn) * std::sqrt(p.rate * (1 - p.rate) / nn + z2 / (4 * nn * nn));
  p.ci = {std::max(0.0, centre - half), std::min(1.0, centre + half)};
  return p;
}

BinaryComparison compare_binary(long a, long n1, long c, long n2, double confidence) {
  BinaryComparison r;
  if (n1 <= 0 || n2 <= 0) return r;
  const double z = z_for(confidence);
  const double p1 = static_cast<double>(a) / n1, p2 = static_cast<double>(c) / n2;
  r.risk_difference = p1 - p2;
  const double se_rd = std::sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
  r.rd_ci = {r.risk_difference - z * se_rd, r.risk_difference + z * se_rd};
  // Empty cells: add 0.5 to each (Haldane–Anscombe).
  double A = a, B = n1 - a, C = c, D = n2 - c;
  if (A == 0 || B == 0 || C == 0 || D == 0) A += 0.5, B += 0.5, C += 0.5, D += 0.5;
  r.risk_ratio = (A / (A + B)) / (C / (C + D));
  const double se_rr = std::sqrt(1 / A - 1 / (A + B) + 1 / C - 1 / (C + D));
  r.rr_ci = {r.risk_ratio * std::exp(-z * se_rr), r.risk_ratio * std::exp(z * se_rr)};
  r.odds_ratio = (A * D) / (B * C);
  const double se_or = std::sqrt(1 / A + 1 / B + 1 / C + 1 / D);
  r.or_ci = {r.odds_ratio * std::exp(-z * se_or), r.odds_ratio * std::exp(z * se_or)};
  if (r.risk_difference != 0) r.nnt = 1 / std::abs(r.risk_difference);
  if (r.rd_ci.lo > 0 || r.rd_ci.hi < 0) {
    const double x = 1 / std::abs(r.rd_ci.lo), y = 1 / std::abs(r.rd_ci.hi);
    r.nnt_ci = Interval{std::min(x, y), std::max(x, y)};
  }
  return r;
}

PairedDifference paired_difference(const std::vector<double>& x, const std::vector<double>& y,
                                   double confidence) {
  std::vector<double> d;
  for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i])) d.push_back(x[i] - y[i]);
  PairedDifference r;
  r.n = static_cast<long>(d.size());
  if (d.empty()) return r;
  double sum = 0.0;
  for (double v : d) sum += v;
  r.mean = sum / r.n;
  double ss = 0.0;
  for (double v : d) ss += (v - r.mean) * (v - r.mean);
  const double sd = r.n > 1 ? std::sqrt(ss / (r.n - 1)) : 0.0;
  const double half = z_for(confidence) * sd / std::sqrt(static_cast<double>(r.n));
  r.ci = {r.mean - half, r.mean + half};
  return r;
}

}  // namespace gutskin::detail
