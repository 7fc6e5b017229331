#include "analysis/sensitivity/outputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/names.hpp"

namespace gutskin::detail {

namespace {

const char* const forms =
    "expected NAME, NAME@T, max(NAME), min(NAME), mean(NAME), auc(NAME), time_above(NAME, X), "
    "effect(ENDPOINT[, ARM]) or value(ENDPOINT, ARM)";

bool number(const std::string& s, double& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

/// Row of output time t (exact, as the analysis put it on the grid); −1 if not reached.
int row_at(const Trajectory& tr, double t) {
  const auto it = std::lower_bound(tr.times.begin(), tr.times.end(), t - 1e-9 * std::max(1.0, std::fabs(t)));
  if (it == tr.times.end() || std::fabs(*it - t) > 1e-9 * std::max(1.0, std::fabs(t))) return -1;
  return static_cast<int>(it - tr.times.begin());
}

}  // namespace

OutputSpec parse_output(const std::string& written, const SourceLoc& where) {
  std::string s;
  for (char c : written)
    if (!std::isspace(static_cast<unsigned char>(c))) s += c;
  auto fail = [&](const std::string& why) {
    throw InputError(where, fmt::format("output '{}': {}", written, why.empty() ? forms : why + "; " + forms));
  };
  OutputSpec o;
  o.text = s;
  const auto open = s.find('(');
  if (open == std::string::npos) {
    const auto at = s.find('@');
    o.name = s.substr(0, at);
    if (at != std::string::npos && (!number(s.substr(at + 1), o.time) || o.time < 0))
      fail(fmt::format("'{}' is not a time in days ≥ 0", s.substr(at + 1)));
    if (!is_identifier(o.name)) fail("");
    return o;
  }
  if (s.back() != ')') fail("");
  const std::string fn = s.substr(0, open);
  std::vector<std::string> args;
  std::string inner = s.substr(open + 1, s.size() - open - 2);
  for (std::size_t start = 0;;) {
    const auto comma = inner.find(',', start);
    args.push_back(inner.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  using K = OutputSpec::Kind;
  if (fn == "max" || fn == "min" || fn == "mean" || fn == "auc") {
    o.kind = fn == "max" ? K::max : fn == "min" ? K::min : fn == "mean" ? K::mean : K::auc;
    if (args.size() != 1) fail(fn + "() takes one name");
  } else if (fn == "time_above") {
    o.kind = K::time_above;
    if (args.size() != 2 || !number(args[1], o.threshold)) fail("time_above() takes a name and a number");
  } else if (fn == "effect") {
    o.kind = K::effect;
    if (args.size() > 2) fail("effect() takes an endpoint and optionally an arm");
    if (args.size() == 2) o.arm = args[1];
  } else if (fn == "value") {
    o.kind = K::value;
    if (args.size() != 2) fail("value() takes an endpoint and an arm");
    o.arm = args[1];
  } else {
    fail(fmt::format("unknown summary '{}'", fn));
  }
  o.name = args[0];
  if (!is_identifier(o.name) || (!o.arm.empty() && !is_identifier(o.arm))) fail("");
  return o;
}

double evaluate_output(const OutputSpec& spec, const Trajectory& tr, int column, double at) {
  using K = OutputSpec::Kind;
  const std::size_t rows = tr.times.size();
  if (spec.kind == K::at) {
    const int row = row_at(tr, spec.time >= 0 ? spec.time : at);
    return row < 0 ? NAN : tr.at(row, column);
  }
  if (rows == 0) return NAN;
  double max = -INFINITY, min = INFINITY, auc = 0, above = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    const double y = tr.at(i, column);
    max = std::max(max, y), min = std::min(min, y);
    if (i == 0) continue;
    const double y0 = tr.at(i - 1, column), dt = tr.times[i] - tr.times[i - 1];
    auc += 0.5 * (y0 + y) * dt;
    // Time above X on this interval, with the crossing placed by linear interpolation.
    const double x = spec.threshold;
    if (y0 > x && y > x) above += dt;
    else if (y0 > x || y > x) above += dt * (std::max(y0, y) - x) / std::fabs(y - y0);
  }
  const double span = tr.times.back() - tr.times.front();
  switch (spec.kind) {
    case K::max: return max;
    case K::min: return min;
    case K::auc: return auc;
    case K::mean: return span > 0 ? auc / span : tr.at(0, column);
    case K::time_above: return above;
    default: return NAN;
  }
}

}  // namespace gutskin::detail
