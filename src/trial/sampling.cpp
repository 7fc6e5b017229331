#include "trial/sampling.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/yaml_reader.hpp"

namespace gutskin::detail {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

NormalStream::NormalStream(std::uint64_t seed, std::uint64_t index)
    : engine_(mix64(mix64(seed) ^ mix64(index + 0x632be59bd9b4e019ULL))) {}

double open_unit(std::uint64_t bits) {
  // (k + ½)·2⁻⁵³ rounds to exactly 1 for the top k (ties to even): keep it inside (0, 1). Every
  // other draw is unchanged, so trials stay byte-identical to earlier releases.
  return std::min((static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53, 1.0 - 0x1.0p-53);
}

double NormalStream::uniform() {
  return open_unit(engine_());
}

double NormalStream::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double u1 = uniform(), u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double a = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(a);
  has_spare_ = true;
  return r * std::cos(a);
}


PopulationSampler::PopulationSampler(const Model& model, const Population& population) {
  base_ = patient_parameters(model, population.patient);
  std::vector<double> spread(model.parameters.size());
  for (std::size_t k = 0; k < model.parameters.size(); ++k) spread[k] = model.parameters[k].spread;
  if (const Phenotype* ph = model.phenotype(population.patient.phenotype)) {
    for (const auto& [name, s] : ph->spreads)
      if (const int k = model.parameter_index(name); k >= 0) spread[k] = s;
  }
  DiagnosticSink sink;
  for (const auto& [name, s] : population.spread) {
    const int k = model.parameter_index(name);
    if (k < 0) {
      const auto w = population.spread_where.find(name);
      sink.error(w == population.spread_where.end() ? population.where : w->second,
                 "unknown parameter '" + name + "' in spread");
      continue;
    }
    spread[k] = s;
  }
  // A fixed override stays fixed.
  for (const auto& [name, v] : population.patient.overrides)
    if (const int k = model.parameter_index(name); k >= 0) spread[k] = 0.0;

  for (double& x : spread) x *= population.spread_scale;
  for (std::size_t k = 0; k < model.parameters.size(); ++k) {
    if (!(spread[k] > 0)) continue;
    const Parameter& p = model.parameters[k];
    VaryingParameter v{.index = static_cast<int>(k),
                       .name = p.name,
                       .median = base_[k],
                       .spread = spread[k],
                       .normal = std::find(population.normal.begin(), population.normal.end(),
                                           p.name) != population.normal.end(),
                       .lower = p.lower.value_or(-INFINITY),
                       .upper = p.upper.value_or(INFINITY)};
    if (!v.normal && !(v.median > 0)) {
      sink.error(p.where, "parameter '" + p.name + "' = " + format_number(v.median) +
                              " cannot vary log-normally (its value must be positive); list it "
                              "under population 'normal' or set its spread to 0");
      continue;
    }
    varying_.push_back(v);
  }
  for (const auto& name : population.normal) {
    if (model.parameter_index(name) < 0)
      sink.error(population.where, "unknown parameter '" + name + "' in normal");
  }
  sink.throw_if_any();

  if (population.correlations.empty()) return;
  const std::size_t n = varying_.size();
  auto position = [&](const std::string& name) -> int {
    for (std::size_t i = 0; i < n; ++i)
      if (varying_[i].name == name) return static_cast<int>(i);
    return -1;
  };
  std::vector<double> c(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) c[i * n + i] = 1.0;
  for (const auto& corr : population.correlations) {
    const int i = position(corr.a), j = position(corr.b);
    for (const auto& [pos, name] : {std::pair{i, corr.a}, std::pair{j, corr.b}})
      if (pos < 0)
        sink.error(corr.where, "correlation with '" + name +
                                   "', which does not vary (its spread is 0)");
    if (i < 0 || j < 0) continue;
    c[i * n + j] = c[j * n + i] = corr.rho;
  }
  sink.throw_if_any();
  // Cholesky: C = L Lᵀ.
  cholesky_.assign(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double s = c[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= cholesky_[i * n + k] * cholesky_[j * n + k];
      if (i == j) {
        if (!(s > 1e-12))
          throw InputError(population.correlations.front().where,
                           "the correlations do not form a valid correlation matrix (not "
                           "positive definite)");
        cholesky_[i * n + i] = std::sqrt(s);
      } else {
        cholesky_[i * n + j] = s / cholesky_[j * n + j];
      }
    }
  }
}

std::vector<double> PopulationSampler::sample(std::uint64_t seed, std::uint64_t index) const {
  std::vector<double> values = base_;
  const std::size_t n = varying_.size();
  if (n == 0) return values;
  NormalStream stream(seed, index);
  std::vector<double> z(n), x(n);
  for (int attempt = 0; attempt < 100; ++attempt) {
    for (auto& zi : z) zi = stream.normal();
    if (!cholesky_.empty()) {
      for (std::size_t i = 0; i < n; ++i) {
        double s = 0.0;
        for (std::size_t k = 0; k <= i; ++k) s += cholesky_[i * n + k] * z[k];
        x[i] = s;
      }
    } else {
      x = z;
    }
    bool inside = true;
    for (std::size_t i = 0; i < n; ++i) {
      const VaryingParameter& v = varying_[i];
      const double value = v.normal ? v.median * (1.0 + v.spread * x[i])
                                    : v.median * std::exp(v.spread * x[i]);
      values[v.index] = value;
      inside = inside && value >= v.lower && value <= v.upper;
    }
    if (inside) return values;
  }
  for (const auto& v : varying_) values[v.index] = std::clamp(values[v.index], v.lower, v.upper);
  return values;
}

}  // namespace gutskin::detail
