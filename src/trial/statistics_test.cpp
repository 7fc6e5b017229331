#include "trial/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace gutskin::detail {
namespace {

TEST(TrialStatistics, NormalQuantile) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-15);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167813, 1e-11);
  EXPECT_NEAR(z_for(0.90), 1.644853626951472, 1e-12);
}

TEST(TrialStatistics, DescribeMeanMedianAndIntervals) {
  const Continuous c = describe({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NAN}, 0.95);
  EXPECT_EQ(c.n, 10);
  EXPECT_DOUBLE_EQ(c.mean, 5.5);
  EXPECT_NEAR(c.sd, 3.0276503540974917, 1e-12);
  EXPECT_NEAR(c.mean_ci.lo, 5.5 - 1.959963984540054 * c.sd / std::sqrt(10.0), 1e-12);
  EXPECT_DOUBLE_EQ(c.median, 5.5);
  // Ranks 10/2 ∓ 1.96·√10/2 = 1.9, 8.1 → 1st and 9th smallest.
  EXPECT_DOUBLE_EQ(c.median_ci.lo, 1);
  EXPECT_DOUBLE_EQ(c.median_ci.hi, 9);
  EXPECT_DOUBLE_EQ(c.q25, 3.25);
}

TEST(TrialStatistics, WilsonInterval) {
  // 10 of 20 at 95%: 0.299298 to 0.700702 (Wilson 1927; Newcombe 1998 table I).
  const Proportion p = proportion(10, 20, 0.95);
  EXPECT_NEAR(p.ci.lo, 0.299298, 1e-6);
  EXPECT_NEAR(p.ci.hi, 0.700702, 1e-6);
  const Proportion zero = proportion(0, 40, 0.95);
  EXPECT_EQ(zero.ci.lo, 0.0);
  EXPECT_NEAR(zero.ci.hi, 0.0876216, 1e-6);
}

TEST(TrialStatistics, RiskRatioOddsRatioAndNnt) {
  // 15/100 vs 30/100, by hand: RR 0.5, SE(log RR) = √(1/15 − 1/100 + 1/30 − 1/100) = √0.08;
  // OR = 15·70/(85·30), SE(log OR) = √(1/15 + 1/85 + 1/30 + 1/70); RD −0.15 with
  // SE √(0.15·0.85/100 + 0.3·0.7/100); NNT 1/0.15 and its CI from the RD's ends.
  const double z = 1.959963984540054;
  const BinaryComparison b = compare_binary(15, 100, 30, 100, 0.95);
  EXPECT_NEAR(b.risk_ratio, 0.5, 1e-12);
  EXPECT_NEAR(b.rr_ci.lo, 0.5 * std::exp(-z * std::sqrt(0.08)), 1e-12);
  EXPECT_NEAR(b.rr_ci.hi, 0.5 * std::exp(z * std::sqrt(0.08)), 1e-12);
  EXPECT_NEAR(b.rr_ci.lo, 0.28722, 1e-5);  // as a table would print it
  const double log_or_se = std::sqrt(1.0 / 15 + 1.0 / 85 + 1.0 / 30 + 1.0 / 70);
  EXPECT_NEAR(b.odds_ratio, 1050.0 / 2550.0, 1e-12);
  EXPECT_NEAR(b.or_ci.lo, 1050.0 / 2550.0 * std::exp(-z * log_or_se), 1e-12);
  EXPECT_NEAR(b.or_ci.hi, 1050.0 / 2550.0 * std::exp(z * log_or_se), 1e-12);
  EXPECT_NEAR(b.risk_difference, -0.15, 1e-12);
  const double rd_se = std::sqrt(0.15 * 0.85 / 100 + 0.3 * 0.7 / 100);
  EXPECT_NEAR(b.rd_ci.lo, -0.15 - z * rd_se, 1e-12);
  ASSERT_TRUE(b.nnt);
  EXPECT_NEAR(*b.nnt, 1 / 0.15, 1e-12);
  ASSERT_TRUE(b.nnt_ci);  // the RD interval (−0.264, −0.036) excludes 0
  EXPECT_NEAR(b.nnt_ci->lo, 1 / (0.15 + z * rd_se), 1e-12);
  EXPECT_NEAR(b.nnt_ci->hi, 1 / (0.15 - z * rd_se), 1e-12);
}

TEST(TrialStatistics, EmptyCellsUseTheHalfCorrectionAndNntWithoutEffect) {
  const BinaryComparison b = compare_binary(0, 50, 5, 50, 0.95);
  EXPECT_NEAR(b.risk_ratio, (0.5 / 51) / (5.5 / 51), 1e-12);
  EXPECT_TRUE(std::isfinite(b.or_ci.hi));
  const BinaryComparison same = compare_binary(10, 50, 10, 50, 0.95);
  EXPECT_FALSE(same.nnt);
  EXPECT_FALSE(same.nnt_ci);
}

TEST(TrialStatistics, PairedDifferenceSkipsIncompletePairs) {
  const PairedDifference d = paired_difference({2, 4, NAN, 8}, {1, 1, 1, NAN}, 0.95);
  EXPECT_EQ(d.n, 2);
  EXPECT_DOUBLE_EQ(d.mean, 2.0);
}

}  // namespace
}  // namespace gutskin::detail
