#include "trial/sampling.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "gutskin/formats.hpp"
#include "gutskin/trial.hpp"

namespace gutskin::detail {
namespace {

const std::filesystem::path data = std::filesystem::path(GUTSKIN_SOURCE_DIR) / "src/trial/testdata";

TEST(TrialSampling, StreamIsFixedByItsSeedAndIndex) {
  NormalStream a(7, 12), b(7, 12), c(7, 13);
  const double x = a.normal();
  EXPECT_EQ(x, b.normal());
  EXPECT_NE(x, c.normal());
  // Regression value: the stream must not change across platforms or releases.
  NormalStream d(1, 0);
  EXPECT_NEAR(d.uniform(), NormalStream(1, 0).uniform(), 0.0);
}

TEST(TrialSampling, StandardNormalMoments) {
  double sum = 0, ss = 0;
  const int n = 200000;
  NormalStream s(42, 0);
  for (int i = 0; i < n; ++i) {
    const double z = s.normal();
    sum += z;
    ss += z * z;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(ss / n, 1.0, 0.01);
}

TEST(TrialSampling, LogNormalAroundThePhenotypeWithCorrelation) {
  const Trial trial = load_trial(data / "skin_trial.yaml");
  const Model model = load_model(trial.model_path);
  PopulationSampler sampler(model, trial.population);
  ASSERT_EQ(sampler.varying().size(), 3u);  // k_in, k_out, efficacy (trigger is fixed)
  const int k_in = model.parameter_index("k_in"), k_out = model.parameter_index("k_out");
  const int eff = model.parameter_index("efficacy"), trig = model.parameter_index("trigger");
  const int n = 20000;
  double m1 = 0, m2 = 0, s11 = 0, s22 = 0, s12 = 0, me = 0, se = 0;
  for (int i = 0; i < n; ++i) {
    const auto p = sampler.sample(trial.population.seed, i);
    EXPECT_EQ(p[trig], 2.0);  // the phenotype's value, fixed
    const double a = std::log(p[k_in] / 2), b = std::log(p[k_out] / 0.2), e = std::log(p[eff]);
    m1 += a, m2 += b, s11 += a * a, s22 += b * b, s12 += a * b, me += e, se += e * e;
  }
  m1 /= n, m2 /= n, me /= n;
  const double sd1 = std::sqrt(s11 / n - m1 * m1), sd2 = std::sqrt(s22 / n - m2 * m2);
  EXPECT_NEAR(m1, 0.0, 0.01);
  EXPECT_NEAR(sd1, 0.3, 0.01);
  EXPECT_NEAR(sd2, 0.2, 0.01);
  EXPECT_NEAR((s12 / n - m1 * m2) / (sd1 * sd2), 0.5, 0.02);
  // The phenotype's spread (0.8) replaces the model's (0.5); the bounds [0, 20] cut little.
  EXPECT_NEAR(std::sqrt(se / n - me * me), 0.8, 0.02);
}

TEST(TrialSampling, SamplesStayWithinBounds) {
  Trial trial = load_trial(data / "skin_trial.yaml");
  trial.population.spread["k_out"] = 3.0;  // bounds [0.01, 10] around 0.2: many redraws
  const Model model = load_model(trial.model_path);
  PopulationSampler sampler(model, trial.population);
  const int k_out = model.parameter_index("k_out");
  for (int i = 0; i < 2000; ++i) {
    const double v = sampler.sample(1, i)[k_out];
    EXPECT_GE(v, 0.01);
    EXPECT_LE(v, 10.0);
  }
}

TEST(TrialSampling, InvalidCorrelationMatrixIsAnInputError) {
  Trial trial = load_trial(data / "skin_trial.yaml");
  trial.population.correlations.push_back({.a = "k_in", .b = "efficacy", .rho = 0.9, .where = {}});
  trial.population.correlations.push_back({.a = "k_out", .b = "efficacy", .rho = -0.9, .where = {}});
  const Model model = load_model(trial.model_path);
  try {
    PopulationSampler sampler(model, trial.population);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not positive definite"), std::string::npos) << e.what();
  }
}

// All 64 bits set used to give exactly 1.0 (and log(1 − u) or a quantile at 1 would follow).
TEST(NormalStream, UniformsStayInsideTheOpenInterval) {
  EXPECT_LT(open_unit(~0ULL), 1.0);
  EXPECT_GT(open_unit(0), 0.0);
  EXPECT_EQ(open_unit(0), 0x1.0p-54);
  EXPECT_EQ(open_unit(1ULL << 63), 0.5 + 0x1.0p-54);
}

}  // namespace
}  // namespace gutskin::detail
