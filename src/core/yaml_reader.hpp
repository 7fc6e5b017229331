// Reading hand-written YAML (scenario, timeline and trial files) with every problem collected at
// its file:line:column, so `gutskin check` can list them all.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "gutskin/catalog.hpp"
#include "gutskin/errors.hpp"
#include "gutskin/options.hpp"
#include "gutskin/units.hpp"

namespace gutskin::detail {

/// " (did you mean 'x'?)" when a candidate is close, else "".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

/// "1 day", "2.5 days".
std::string format_days(double days);

/// A number in messages: "%g" (0.8, 1e+10).
std::string format_number(double v);

/// The names of model items (parameters, observables, ...), for did_you_mean.
template <class Items>
std::vector<std::string> names_of(const Items& items) {
  std::vector<std::string> out;
  for (const auto& x : items) out.push_back(x.name);
  return out;
}

/// The deepest nesting of mappings and sequences a file may have (the top-level mapping is level
/// 1; the built-in files use 6 at most). Deeper files are refused with a located InputError
/// before any reader walks them; yaml-cpp's own recursion guard is reported the same way.
inline constexpr int kMaxYamlDepth = 100;

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  /// Parses the file; an unreadable file or malformed YAML throws InputError with its position.
  YAML::Node load() const;
  /// Parses YAML text read from `file`: the one place every file kind (models, scenarios,
  /// trials) turns text into nodes, so malformed YAML (and nesting beyond kMaxYamlDepth) reads
  /// the same everywhere.
  static YAML::Node parse(const std::string& text, const std::string& file);

  DiagnosticSink sink;
  const std::string& file() const { return file_; }

  SourceLoc loc(const YAML::Node& n) const;
  void error(const YAML::Node& n, std::string message) { sink.error(loc(n), std::move(message)); }
  void absorb(const InputError& e) { sink.absorb(e); }

  std::optional<std::string> text(const YAML::Node& n, const std::string& what);
  std::optional<Quantity> quantity(const YAML::Node& n);
  /// A time, in days (a bare number is in days).
  std::optional<double> time(const YAML::Node& n);
  /// How a time was written, for messages ("2 weeks"; a bare number gets "days").
  static std::string written_time(const YAML::Node& n, double days);
  /// A plain number (also "1e10", "10^10"); with `percent`, "75%" reads as 75.
  std::optional<double> number(const YAML::Node& n, bool percent = false);
  /// Reports keys not in `known` ("unknown key 'x' in <where> (did you mean ...)"); false if any.
  bool check_keys(const YAML::Node& map, const std::vector<std::string>& known, const std::string& where);
  /// A list of names.
  std::vector<std::string> names(const YAML::Node& n, const std::string& what);
  /// The required `model:` entry of a scenario or trial file: as written, and resolved (a built-in
  /// name or a path relative to `dir`); nothing when it is missing or unknown (reported).
  std::optional<std::pair<std::string, std::filesystem::path>> model_reference(
      const YAML::Node& root, const std::filesystem::path& dir, const Catalog& catalog);

  /// A block of options (`solver: {rtol: 1e-8, linear_solver: klu}`) read through T's descriptor
  /// table; every unknown key or bad value is reported at its place.
  template <class T>
  void options(const YAML::Node& block, T& out) {
    if (!block.IsMap()) {
      error(block, "expected a mapping of option names to values");
      return;
    }
    for (const auto& kv : block) {
      const auto key = text(kv.first, "an option name");
      if (!key) continue;
      if (!kv.second.IsScalar()) {
        error(kv.second, "option '" + *key + "': expected a single value");
        continue;
      }
      if (const std::string problem = set_option(out, *key, kv.second.Scalar()); !problem.empty())
        error(problem.rfind("unknown option", 0) == 0 ? kv.first : kv.second, problem);
    }
  }

 private:
  std::string file_;
};

}  // namespace gutskin::detail
