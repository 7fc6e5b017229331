#include "analysis/sensitivity/global.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "support/errors.hpp"

namespace gutskin::detail {
namespace {

using gutskin::testing::error_of;
constexpr double pi = std::numbers::pi;

/// The outputs of `f` (unit-space point → value) at every point of `design`, in design order.
template <class Design, class F>
std::vector<double> run(const Design& design, F f) {
  std::vector<double> y(static_cast<std::size_t>(design.points()));
  std::vector<double> u(static_cast<std::size_t>(design.k()));
  for (long long p = 0; p < design.points(); ++p) {
    design.point(p, u.data());
    y[static_cast<std::size_t>(p)] = f(u.data());
  }
  return y;
}

// Ishigami & Homma 1990: f = sin x1 + a sin² x2 + b x3⁴ sin x1, x_i ~ U(−π, π).
constexpr double ishigami_a = 7.0, ishigami_b = 0.1;

double ishigami(const double* u) {
  const double x1 = -pi + 2 * pi * u[0], x2 = -pi + 2 * pi * u[1], x3 = -pi + 2 * pi * u[2];
  return std::sin(x1) + ishigami_a * std::sin(x2) * std::sin(x2) +
         ishigami_b * std::pow(x3, 4) * std::sin(x1);
}

struct Exact {
  double S1[3], ST[3];
};

// Write f = sin x1 (1 + b x3⁴) + a sin² x2, with E sin x1 = 0, E sin² = 1/2, E sin⁴ = 3/8,
// E x3⁴ = π⁴/5, E x3⁸ = π⁸/9:
//   V1 = Var E[f|x1] = (1 + bπ⁴/5)²/2;  V2 = Var(a sin² x2) = a²(3/8 − 1/4) = a²/8;  V3 = 0;
//   V = E[(1 + b x3⁴)²]/2 + a²/8 = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2;
//   V13 = V − V1 − V2 = b²π⁸(1/18 − 1/50) = 8b²π⁸/225, the only interaction.
// S1 = (V1, V2, 0)/V ≈ (0.3139, 0.4424, 0); ST = (V1 + V13, V2, V13)/V ≈ (0.5576, 0.4424, 0.2437).
Exact ishigami_exact() {
  const double a = ishigami_a, b = ishigami_b, pi4 = std::pow(pi, 4), pi8 = std::pow(pi, 8);
  const double v = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5;
  const double v1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5);
  const double v2 = a * a / 8;
  const double v13 = 8 * b * b * pi8 / 225;
  return {{v1 / v, v2 / v, 0.0}, {(v1 + v13) / v, v2 / v, v13 / v}};
}

double s1_error(const SobolIndices& r, const Exact& e) {
  double sum = 0;
  for (int i = 0; i < 3; ++i) sum += std::abs(r.S1[i] - e.S1[i]);
  return sum;
}

/// An interval that contains `exact`, or misses it by at most `slack`.
void expect_covers(double lo, double hi, double exact, double slack, const char* what, int i) {
  EXPECT_LE(lo, hi) << what << i;
  EXPECT_GE(exact, lo - slack) << what << i << " interval [" << lo << ", " << hi << "]";
  EXPECT_LE(exact, hi + slack) << what << i << " interval [" << lo << ", " << hi << "]";
}

void expect_ishigami(const SobolIndices& r, double tolerance) {
  const Exact e = ishigami_exact();
  ASSERT_EQ(r.S1.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(r.S1[i], e.S1[i], tolerance) << "S1 of x" << i + 1;
    EXPECT_NEAR(r.ST[i], e.ST[i], tolerance) << "ST of x" << i + 1;
  }
}

// ---- SaltelliDesign ----

TEST(SaltelliDesign, SizeAndLayout) {
  const SaltelliDesign d(3, 16);
  EXPECT_EQ(d.k(), 3);
  EXPECT_EQ(d.n(), 16);
  EXPECT_EQ(d.points(), 16 * 5);
  // Boost's Sobol sequence starts at its second point, (0.5, …, 0.5): A_0 and B_0 sit at the
  // midpoint of the 2^-32 cell above 0.5.
  double u[3];
  d.point(0, u);
  for (double x : u) EXPECT_EQ(x, 0.5 + 0x1.0p-33);
  EXPECT_THROW(d.point(-1, u), std::out_of_range);
  EXPECT_THROW(d.point(d.points(), u), std::out_of_range);
}

TEST(SaltelliDesign, DeterministicAndStrictlyInsideTheCube) {
  const int k = 4;
  const SaltelliDesign a(k, 512), b(k, 512);
  std::vector<double> u(k), v(k);
  for (long long p = 0; p < a.points(); ++p) {
    a.point(p, u.data());
    b.point(p, v.data());
    for (int i = 0; i < k; ++i) {
      ASSERT_EQ(u[i], v[i]) << "point " << p;
      ASSERT_GT(u[i], 0.0) << "point " << p;
      ASSERT_LT(u[i], 1.0) << "point " << p;
    }
  }
}

TEST(SaltelliDesign, CrossMatricesTakeOneCoordinateFromB) {
  const int k = 5;
  const SaltelliDesign d(k, 64);
  std::vector<double> a(k), b(k), ab(k);
  for (long long j = 0; j < d.n(); ++j) {
    d.point(j * (k + 2), a.data());
    d.point(j * (k + 2) + 1, b.data());
    for (int i = 0; i < k; ++i) {
      d.point(j * (k + 2) + 2 + i, ab.data());
      for (int c = 0; c < k; ++c)
        ASSERT_EQ(ab[c], c == i ? b[c] : a[c]) << "block " << j << " AB^(" << i << ") coord " << c;
    }
    // A and B are different columns of the sequence, not copies, except in the first point of
    // an unscrambled Sobol sequence, (0.5, …, 0.5) in every dimension: block 0 has A = B.
    if (j == 0)
      EXPECT_EQ(a, b);
    else
      EXPECT_NE(a, b) << "block " << j;
  }
}

TEST(SaltelliDesign, PrefixOfBlocksIsTheSmallerDesign) {
  const SaltelliDesign small(3, 32), large(3, 256);
  double u[3], v[3];
  for (long long p = 0; p < small.points(); ++p) {
    small.point(p, u);
    large.point(p, v);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(u[i], v[i]);
  }
}

TEST(SaltelliDesign, CoordinatesAreEvenlySpread) {
  // In every coordinate the first 2^m Sobol points take each value i/2^m once; with the zero
  // point replaced by the 2^m-th the mean is still 1/2 to within 1/n.
  const int k = 3;
  const long long n = 1024;
  const SaltelliDesign d(k, n);
  std::vector<double> sum(k, 0.0), u(k);
  for (long long j = 0; j < n; ++j) {
    d.point(j * (k + 2), u.data());
    for (int i = 0; i < k; ++i) sum[i] += u[i];
  }
  for (int i = 0; i < k; ++i) EXPECT_NEAR(sum[i] / n, 0.5, 1.0 / n);
}

TEST(SaltelliDesign, RejectsBadArguments) {
  EXPECT_EQ(error_of([] { SaltelliDesign(0, 16); }),
            "error: Saltelli design: k = 0 factors; expected at least 1");
  EXPECT_EQ(error_of([] { SaltelliDesign(3, 1); }),
            "error: Saltelli design: n = 1 blocks; expected at least 2");
  EXPECT_EQ(error_of([] { SaltelliDesign(1834, 2); }),
            "error: Saltelli design: k = 1834 factors needs 3668 Sobol dimensions; Boost's Sobol "
            "sequence has 3667 (at most 1833 factors)");
  EXPECT_EQ(error_of([] { SaltelliDesign(1, 1LL << 32); }),
            "error: Saltelli design: n = 4294967296 blocks; expected fewer than 2^32");
  EXPECT_EQ(error_of([] { SaltelliDesign(1833, 2); }), "(no error)");
}

// ---- SobolIndices ----

TEST(SobolIndices, IshigamiAt8192Blocks) {
  const SaltelliDesign d(3, 8192);
  const SobolIndices r = sobol_indices(run(d, ishigami), 3, 8192, 500, 0.95, 1);
  EXPECT_EQ(r.blocks_used, 8192);
  EXPECT_EQ(r.blocks_failed, 0);
  expect_ishigami(r, 0.02);
  const Exact e = ishigami_exact();
  for (int i = 0; i < 3; ++i) {
    expect_covers(r.S1_low[i], r.S1_high[i], e.S1[i], 0.01, "S1 of x", i + 1);
    expect_covers(r.ST_low[i], r.ST_high[i], e.ST[i], 0.01, "ST of x", i + 1);
    EXPECT_LT(r.S1_high[i] - r.S1_low[i], 0.1) << "x" << i + 1;
  }
  // The mean a/2 = 3.5 and the variance V of the output itself.
  EXPECT_NEAR(r.mean, 3.5, 0.05);
  EXPECT_NEAR(r.variance,
              ishigami_a * ishigami_a / 8 + ishigami_b * std::pow(pi, 4) / 5 +
                  ishigami_b * ishigami_b * std::pow(pi, 8) / 18 + 0.5,
              0.2);
}

TEST(SobolIndices, IshigamiAt1024Blocks) {
  const SaltelliDesign d(3, 1024);
  const SobolIndices r = sobol_indices(run(d, ishigami), 3, 1024, 500, 0.95, 1);
  expect_ishigami(r, 0.06);
}

TEST(SobolIndices, LinearModelSharesVarianceBySquaredCoefficients) {
  // y = Σ a_i x_i, x_i ~ U(0, 1) independent: V_i = a_i²/12, no interactions.
  const std::vector<double> a = {1.0, -2.0, 3.0, 0.5};
  const int k = 4;
  const SaltelliDesign d(k, 4096);
  const auto y = run(d, [&](const double* u) {
    double s = 0;
    for (int i = 0; i < k; ++i) s += a[i] * u[i];
    return s;
  });
  const SobolIndices r = sobol_indices(y, k, 4096, 0, 0.95, 1);
  double total = 0;
  for (double ai : a) total += ai * ai;
  for (int i = 0; i < k; ++i) {
    EXPECT_NEAR(r.S1[i], a[i] * a[i] / total, 0.01) << "x" << i + 1;
    EXPECT_NEAR(r.ST[i], a[i] * a[i] / total, 0.01) << "x" << i + 1;
    // No bootstrap: no intervals.
    EXPECT_TRUE(std::isnan(r.S1_low[i]) && std::isnan(r.ST_high[i]));
  }
}

TEST(SobolIndices, ShiftedOutputGivesTheSameIndices) {
  // The estimators use outputs relative to their mean, so a large offset adds no noise.
  const SaltelliDesign d(3, 1024);
  auto y = run(d, ishigami);
  const SobolIndices r = sobol_indices(y, 3, 1024, 0, 0.95, 1);
  for (double& v : y) v += 1e6;
  const SobolIndices s = sobol_indices(y, 3, 1024, 0, 0.95, 1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(s.S1[i], r.S1[i], 1e-6);
    EXPECT_NEAR(s.ST[i], r.ST[i], 1e-6);
  }
}

TEST(SobolIndices, ErrorShrinksWithBlocks) {
  // One set of runs; the first 256 blocks are themselves a design.
  const SaltelliDesign d(3, 8192);
  const auto y = run(d, ishigami);
  const Exact e = ishigami_exact();
  const double coarse = s1_error(sobol_indices(y, 3, 256, 0, 0.95, 1), e);
  const double fine = s1_error(sobol_indices(y, 3, 8192, 0, 0.95, 1), e);
  EXPECT_LT(fine, coarse);
  EXPECT_LT(fine, 0.03);
}

TEST(SobolIndices, FailedRunsDropTheirBlocks) {
  const int k = 3;
  const SaltelliDesign d(k, 8192);
  auto y = run(d, ishigami);
  // Failures in A, in B, in an AB point, two in one block, and an infinite output: 5 blocks.
  for (const long long p : {10LL * (k + 2), 77LL * (k + 2) + 1, 4000LL * (k + 2) + 3,
                            5000LL * (k + 2) + 2, 5000LL * (k + 2) + 4})
    y[p] = NAN;
  y[200 * (k + 2) + 4] = INFINITY;
  const SobolIndices r = sobol_indices(y, k, 8192, 200, 0.95, 1);
  EXPECT_EQ(r.blocks_failed, 5);
  EXPECT_EQ(r.blocks_used, 8192 - 5);
  expect_ishigami(r, 0.02);
  EXPECT_TRUE(std::isfinite(r.S1_low[0]) && std::isfinite(r.ST_high[2]));
  const SobolIndices first = sobol_indices(y, k, 100, 0, 0.95, 1);
  EXPECT_EQ(first.blocks_failed, 2);
}

TEST(SobolIndices, UndefinedIndicesAreNaN) {
  const SaltelliDesign d(2, 64);
  // Output that does not vary: V = 0.
  const SobolIndices flat = sobol_indices(run(d, [](const double*) { return 0.1; }), 2, 64, 50, 0.95, 1);
  EXPECT_EQ(flat.variance, 0.0);
  EXPECT_EQ(flat.blocks_used, 64);
  for (int i = 0; i < 2; ++i)
    EXPECT_TRUE(std::isnan(flat.S1[i]) && std::isnan(flat.ST[i]) && std::isnan(flat.S1_low[i]));
  // Fewer than 2 usable blocks.
  auto y = run(d, [](const double* u) { return u[0] + u[1]; });
  y[1] = NAN;
  const SobolIndices one = sobol_indices(y, 2, 2, 50, 0.95, 1);
  EXPECT_EQ(one.blocks_used, 1);
  EXPECT_TRUE(std::isnan(one.S1[0]) && std::isnan(one.ST[1]) && std::isnan(one.ST_low[0]));
  const SobolIndices none = sobol_indices(y, 2, 0, 50, 0.95, 1);
  EXPECT_EQ(none.blocks_used, 0);
  EXPECT_TRUE(std::isnan(none.mean) && std::isnan(none.S1[0]));
}

TEST(SobolIndices, BootstrapIsFixedByItsSeed) {
  const SaltelliDesign d(3, 512);
  const auto y = run(d, ishigami);
  const SobolIndices a = sobol_indices(y, 3, 512, 100, 0.9, 7);
  const SobolIndices b = sobol_indices(y, 3, 512, 100, 0.9, 7);
  const SobolIndices c = sobol_indices(y, 3, 512, 100, 0.9, 8);
  EXPECT_EQ(a.S1_low, b.S1_low);
  EXPECT_EQ(a.ST_high, b.ST_high);
  EXPECT_NE(a.S1_low, c.S1_low);
  EXPECT_EQ(a.S1, c.S1);  // the point estimate does not depend on the seed
  // A narrower level gives a narrower interval from the same replicates.
  const SobolIndices narrow = sobol_indices(y, 3, 512, 100, 0.5, 7);
  for (int i = 0; i < 3; ++i) {
    EXPECT_GE(narrow.S1_low[i], a.S1_low[i]);
    EXPECT_LE(narrow.S1_high[i], a.S1_high[i]);
  }
}

TEST(SobolIndices, RejectsBadArguments) {
  const std::vector<double> y(5 * 10, 1.0);
  EXPECT_EQ(error_of([&] { sobol_indices(y, 0, 10, 0, 0.95, 1); }),
            "error: Sobol indices: k = 0 factors; expected at least 1");
  EXPECT_EQ(error_of([&] { sobol_indices(y, 3, 11, 0, 0.95, 1); }),
            "error: Sobol indices: 11 blocks of 3 factors need 55 outputs; got 50");
  EXPECT_EQ(error_of([&] { sobol_indices(y, 3, -1, 0, 0.95, 1); }),
            "error: Sobol indices: blocks = -1; expected 0 or more");
  EXPECT_EQ(error_of([&] { sobol_indices(y, 3, 10, -5, 0.95, 1); }),
            "error: bootstrap = -5 replicates; expected 0 or more");
  EXPECT_EQ(error_of([&] { sobol_indices(y, 3, 10, 10, 95, 1); }),
            "error: confidence = 95; expected a level strictly between 0 and 1");
}

// ---- MorrisDesign ----

TEST(MorrisDesign, TrajectoriesMoveEachFactorOnceOnTheGrid) {
  const int k = 6, levels = 4, trajectories = 50;
  const MorrisDesign d(k, trajectories, levels, 11);
  EXPECT_EQ(d.points(), trajectories * (k + 1));
  std::vector<double> before(k), after(k);
  for (int t = 0; t < trajectories; ++t) {
    std::vector<int> moved(k, 0);
    d.point(t * (k + 1), before.data());
    for (double x : before) {
      const double l = x * levels - 0.5;  // grid index
      EXPECT_NEAR(l, std::round(l), 1e-12);
      EXPECT_GT(x, 0.0);
      EXPECT_LT(x, 1.0);
    }
    for (int s = 1; s <= k; ++s) {
      d.point(t * (k + 1) + s, after.data());
      const int f = d.factor(t, s);
      ASSERT_GE(f, 0);
      ASSERT_LT(f, k);
      ++moved[f];
      EXPECT_EQ(std::abs(d.delta(t, s)), 0.5);
      for (int i = 0; i < k; ++i) {
        if (i == f)
          EXPECT_NEAR(after[i] - before[i], d.delta(t, s), 1e-15) << "t " << t << " step " << s;
        else
          EXPECT_EQ(after[i], before[i]) << "t " << t << " step " << s;
      }
      before = after;
    }
    EXPECT_EQ(moved, std::vector<int>(k, 1)) << "trajectory " << t;
  }
  EXPECT_THROW(d.factor(0, 0), std::out_of_range);
  EXPECT_THROW(d.delta(trajectories, 1), std::out_of_range);
  EXPECT_THROW(d.point(d.points(), before.data()), std::out_of_range);
}

TEST(MorrisDesign, TrajectoryIsFixedBySeedAndIndex) {
  const int k = 4;
  const MorrisDesign a(k, 5, 6, 3), b(k, 20, 6, 3), c(k, 5, 6, 4);
  std::vector<double> u(k), v(k), w(k);
  bool differs = false;
  for (long long p = 0; p < a.points(); ++p) {
    a.point(p, u.data());
    b.point(p, v.data());
    c.point(p, w.data());
    ASSERT_EQ(u, v) << "point " << p;
    differs = differs || u != w;
  }
  EXPECT_TRUE(differs);
  for (int s = 1; s <= k; ++s) EXPECT_EQ(a.factor(2, s), b.factor(2, s));
}

TEST(MorrisDesign, StartsCoverTheGrid) {
  // Two levels: u ∈ {1/4, 3/4}; random starts visit both, random orders move every factor first.
  const int k = 3;
  const MorrisDesign d(k, 200, 2, 5);
  std::vector<int> low(k, 0), first(k, 0);
  std::vector<double> u(k);
  for (int t = 0; t < 200; ++t) {
    d.point(t * (k + 1), u.data());
    for (int i = 0; i < k; ++i) {
      EXPECT_TRUE(u[i] == 0.25 || u[i] == 0.75);
      low[i] += u[i] == 0.25;
    }
    ++first[d.factor(t, 1)];
  }
  for (int i = 0; i < k; ++i) {
    EXPECT_GT(low[i], 60);
    EXPECT_LT(low[i], 140);
    EXPECT_GT(first[i], 30);
  }
}

TEST(MorrisDesign, RejectsBadArguments) {
  EXPECT_EQ(error_of([] { MorrisDesign(0, 10, 4, 1); }),
            "error: Morris design: k = 0 factors; expected at least 1");
  EXPECT_EQ(error_of([] { MorrisDesign(3, 0, 4, 1); }),
            "error: Morris design: trajectories = 0; expected at least 1");
  EXPECT_EQ(error_of([] { MorrisDesign(3, 10, 3, 1); }),
            "error: Morris design: levels = 3; expected an even number, at least 2 (each step "
            "moves a factor by levels/2)");
  EXPECT_EQ(error_of([] { MorrisDesign(3, 10, 0, 1); }),
            "error: Morris design: levels = 0; expected an even number, at least 2 (each step "
            "moves a factor by levels/2)");
}

// ---- MorrisIndices ----

TEST(MorrisIndices, LinearModelHasConstantEffects) {
  // y = Σ a_i x_i with x_i = lo_i + (hi_i − lo_i) u_i: every EE in unit space is a_i (hi_i − lo_i).
  const std::vector<double> a = {1.5, -2.0, 0.25}, lo = {0.0, -1.0, 10.0}, hi = {2.0, 3.0, 10.5};
  const int k = 3;
  const MorrisDesign d(k, 30, 4, 2);
  const auto y = run(d, [&](const double* u) {
    double s = 0;
    for (int i = 0; i < k; ++i) s += a[i] * (lo[i] + (hi[i] - lo[i]) * u[i]);
    return s;
  });
  const MorrisIndices r = morris_indices(y, d, 30, 100, 0.95, 1);
  EXPECT_EQ(r.trajectories_used, 30);
  for (int i = 0; i < k; ++i) {
    const double ee = a[i] * (hi[i] - lo[i]);
    EXPECT_NEAR(r.mu[i], ee, 1e-12) << "x" << i + 1;
    EXPECT_NEAR(r.mu_star[i], std::abs(ee), 1e-12) << "x" << i + 1;
    EXPECT_NEAR(r.sigma[i], 0.0, 1e-12) << "x" << i + 1;
    EXPECT_NEAR(r.mu_star_low[i], std::abs(ee), 1e-12) << "x" << i + 1;
    EXPECT_NEAR(r.mu_star_high[i], std::abs(ee), 1e-12) << "x" << i + 1;
  }
}

TEST(MorrisIndices, IshigamiRanksX1FirstAndShowsTheInteraction) {
  const MorrisDesign d(3, 100, 4, 9);
  const MorrisIndices r = morris_indices(run(d, ishigami), d, 100, 200, 0.95, 1);
  EXPECT_GT(r.mu_star[0], r.mu_star[1]);
  EXPECT_GT(r.mu_star[0], r.mu_star[2]);
  // x3 acts only through its interaction with x1: its effect's sign follows sin x1.
  EXPECT_GT(r.mu_star[2], 1.0);
  EXPECT_GT(r.sigma[2], 0.5 * r.mu_star[2]);
  EXPECT_LT(std::abs(r.mu[2]), r.mu_star[2]);
  // A blind spot of |Δu| = 1/2 (a jump of π in x): sin² x2 has period π, so x2's effects vanish
  // although S1 = 0.44. More levels do not help: a step is always half the range.
  EXPECT_NEAR(r.mu_star[1], 0.0, 1e-9);
  for (int i = 0; i < 3; ++i) {
    // x3's |EE| are all equal (|Δ x3⁴| and |sin x1| take one value each on this grid), so its
    // interval is a point, up to rounding.
    EXPECT_LE(r.mu_star_low[i], r.mu_star[i] + 1e-12);
    EXPECT_GE(r.mu_star_high[i], r.mu_star[i] - 1e-12);
  }
}

TEST(MorrisIndices, FailedTrajectoriesAreDropped) {
  const int k = 2;
  const MorrisDesign d(k, 10, 4, 1);
  auto y = run(d, [](const double* u) { return 3 * u[0] - u[1]; });
  y[0] = NAN;                // trajectory 0
  y[4 * (k + 1) + 2] = NAN;  // trajectory 4
  const MorrisIndices r = morris_indices(y, d, 10, 0, 0.95, 1);
  EXPECT_EQ(r.trajectories_used, 8);
  EXPECT_EQ(r.trajectories_failed, 2);
  EXPECT_NEAR(r.mu[0], 3.0, 1e-12);
  EXPECT_NEAR(r.mu[1], -1.0, 1e-12);
  EXPECT_TRUE(std::isnan(r.mu_star_low[0]));
  // One trajectory: no SD; none: nothing.
  const MorrisIndices one = morris_indices(y, d, 2, 0, 0.95, 1);
  EXPECT_EQ(one.trajectories_used, 1);
  EXPECT_NEAR(one.mu_star[0], 3.0, 1e-12);
  EXPECT_TRUE(std::isnan(one.sigma[0]));
  const MorrisIndices none = morris_indices(y, d, 1, 10, 0.95, 1);
  EXPECT_EQ(none.trajectories_used, 0);
  EXPECT_TRUE(std::isnan(none.mu[0]) && std::isnan(none.mu_star_high[1]));
}

TEST(MorrisIndices, RejectsBadArguments) {
  const MorrisDesign d(2, 5, 4, 1);
  const std::vector<double> y(15, 1.0);
  EXPECT_EQ(error_of([&] { morris_indices(y, d, 6, 0, 0.95, 1); }),
            "error: Morris indices: trajectories = 6; expected 0 to 5 (the design's)");
  EXPECT_EQ(error_of([&] { morris_indices(std::vector<double>(14), d, 5, 0, 0.95, 1); }),
            "error: Morris indices: 5 trajectories of 2 factors need 15 outputs; got 14");
  EXPECT_EQ(error_of([&] { morris_indices(y, d, 5, -1, 0.95, 1); }),
            "error: bootstrap = -1 replicates; expected 0 or more");
  EXPECT_EQ(error_of([&] { morris_indices(y, d, 5, 10, 1.0, 1); }),
            "error: confidence = 1; expected a level strictly between 0 and 1");
}

}  // namespace
}  // namespace gutskin::detail
