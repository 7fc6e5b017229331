// Virtual patients: parameter vectors drawn from a phenotype's distributions, one independent
// random stream per (seed, patient index) so a patient's values never depend on who else is
// drawn, in which order, or on which thread or process.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gutskin/model.hpp"
#include "gutskin/trial.hpp"

namespace gutskin::detail {

/// SplitMix64 finaliser: a well-mixed 64-bit hash.
std::uint64_t mix64(std::uint64_t x);

/// A uniform in (0, 1), never 0 or 1, from the top 53 of 64 random bits.
double open_unit(std::uint64_t bits);

/// A portable stream of standard normals: std::mt19937_64 (fully specified by the standard)
/// seeded from mix64(seed, index), uniforms from its top 53 bits, Box–Muller by hand
/// (std::normal_distribution differs between standard libraries).
class NormalStream {
 public:
  NormalStream(std::uint64_t seed, std::uint64_t index);
  double uniform();  // in (0, 1)
  double normal();

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

struct VaryingParameter {
  int index = -1;       // in the model
  std::string name;
  double median = 0.0;  // the phenotype's value
  double spread = 0.0;  // SD of log(value), or coefficient of variation when normal
  bool normal = false;
  double lower = -INFINITY, upper = INFINITY;
};

class PopulationSampler {
 public:
  /// Throws InputError for unknown names, a correlation with a parameter that does not vary,
  /// or correlations that do not form a valid (positive definite) matrix.
  PopulationSampler(const Model& model, const Population& population);

  const std::vector<VaryingParameter>& varying() const { return varying_; }
  const std::vector<double>& base() const { return base_; }
  /// All parameter values (model order) of patient `index`. Values outside a parameter's bounds
  /// are drawn again (up to 100 times, then clamped).
  std::vector<double> sample(std::uint64_t seed, std::uint64_t index) const;

 private:
  std::vector<double> base_;
  std::vector<VaryingParameter> varying_;
  std::vector<double> cholesky_;  // lower triangle, row-major n×n; empty: independent
};

}  // namespace gutskin::detail
