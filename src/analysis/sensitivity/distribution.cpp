// Parameter distributions of global sensitivity analysis: parsed from "kind(a, b)", sampled by
// their quantile (Boost.Math) at the design's probabilities.
#include <fmt/format.h>

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "gutskin/sensitivity.hpp"

namespace gutskin {

double Distribution::quantile(double u) const {
  double v = NAN;
  switch (kind) {
    case Kind::uniform: v = a + (b - a) * u; break;
    case Kind::loguniform: v = std::exp(std::log(a) + (std::log(b) - std::log(a)) * u); break;
    case Kind::normal: v = boost::math::quantile(boost::math::normal(a, b), u); break;
    case Kind::lognormal: v = a * std::exp(boost::math::quantile(boost::math::normal(0.0, b), u)); break;
  }
  return std::clamp(v, lower, upper);
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool parse_number(std::string_view s, double& out) {
  s = trim(s);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

}  // namespace

Distribution parse_distribution(std::string_view text, const SourceLoc& where) {
  const std::string_view t = trim(text);
  const std::string expected =
      "expected uniform(a, b), loguniform(a, b), normal(mean, sd) or lognormal(median, sd_of_log)";
  const auto open = t.find('('), comma = t.find(',');
  if (open == std::string_view::npos || comma == std::string_view::npos || t.back() != ')' || comma < open)
    throw InputError(where, fmt::format("'{}': {}", t, expected));
  const std::string_view name = trim(t.substr(0, open));
  Distribution d;
  if (name == "uniform") d.kind = Distribution::Kind::uniform;
  else if (name == "loguniform") d.kind = Distribution::Kind::loguniform;
  else if (name == "normal") d.kind = Distribution::Kind::normal;
  else if (name == "lognormal") d.kind = Distribution::Kind::lognormal;
  else throw InputError(where, fmt::format("'{}': unknown distribution '{}'; {}", t, name, expected));
  if (!parse_number(t.substr(open + 1, comma - open - 1), d.a) ||
      !parse_number(t.substr(comma + 1, t.size() - comma - 2), d.b))
    throw InputError(where, fmt::format("'{}': expected two finite numbers, {}", t, expected));
  auto fail = [&](const char* rule) { throw InputError(where, fmt::format("'{}': {}", t, rule)); };
  switch (d.kind) {
    case Distribution::Kind::uniform: if (!(d.a < d.b)) fail("needs a < b"); break;
    case Distribution::Kind::loguniform: if (!(0 < d.a && d.a < d.b)) fail("needs 0 < a < b"); break;
    case Distribution::Kind::normal: if (!(d.b > 0)) fail("needs sd > 0"); break;
    case Distribution::Kind::lognormal: if (!(d.a > 0 && d.b > 0)) fail("needs median > 0 and sd_of_log > 0"); break;
  }
  d.text = std::string(t);
  return d;
}

}  // namespace gutskin
