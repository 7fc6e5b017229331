// Reading scenario files (format in include/gutskin/scenario.hpp): every problem collected at its
// file:line:column; units converted and the model reference resolved. Checks against the model
// and the schedule live in src/scenario.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <tuple>

#include "core/yaml_reader.hpp"
#include "formats/timeline_yaml.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/units.hpp"

namespace fs = std::filesystem;

namespace gutskin {

namespace {

using detail::did_you_mean;
using detail::format_days;

/// Reads one file, collecting every problem.
using Reader = detail::YamlReader;

const std::vector<std::string> kScenarioKeys = {"scenario", "description", "model", "patient",
                                                "duration", "output",      "timeline", "solver"};
std::vector<double> output_grid(Reader& r, const YAML::Node& out, double duration) {
  const std::vector<std::string> keys = {"every", "steps", "times"};
  if (!out.IsMap()) {
    r.error(out, "expected {every: 1 day}, {steps: N} or {times: [...]}");
    return {};
  }
  if (!r.check_keys(out, keys, "output")) return {};
  if (out.size() != 1) {
    r.error(out, "'output' takes one of 'every', 'steps' or 'times'");
    return {};
  }
  const double tol = 1e-9 * std::max(1.0, duration);
  std::vector<double> times;
  if (out["every"]) {
    const auto dt = r.time(out["every"]);
    if (!dt) return {};
    if (!(*dt > 0)) {
      r.error(out["every"], "'every' must be positive");
      return {};
    }
    if (duration / *dt > 1e7) {
      r.error(out["every"], "too many output times (more than 10 million)");
      return {};
    }
    for (long k = 0;; ++k) {
      const double t = static_cast<double>(k) * *dt;
      if (t >= duration - tol) break;
      times.push_back(t);
    }
    times.push_back(duration);
  } else if (out["steps"]) {
    const auto n = r.number(out["steps"]);
    if (!n) return {};
    if (!(*n >= 1) || *n != std::floor(*n) || *n > 1e7) {
      r.error(out["steps"], "'steps' must be a whole number from 1 to 10 million");
      return {};
    }
    const long steps = static_cast<long>(*n);
    for (long k = 0; k <= steps; ++k)
      times.push_back(k == steps ? duration : duration * static_cast<double>(k) / *n);
  } else {
    const YAML::Node list = out["times"];
    if (!list.IsSequence() || list.size() == 0) {
      r.error(list, "'times' needs a list of times such as [0, 7 days, 30 days]");
      return {};
    }
    for (const auto& item : list) {
      const auto t = r.time(item);
      if (!t) continue;
      if (*t < -tol || *t > duration + tol) {
        r.error(item, "output time " + Reader::written_time(item, *t) +
                          " is outside the simulation (0 to " + format_days(duration) + ")");
        continue;
      }
      times.push_back(std::clamp(*t, 0.0, duration));
    }
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
  }
  return times;
}

void read_patient(Reader& r, const YAML::Node& p, Patient& patient) {
  if (!p.IsMap()) {
    r.error(p, "expected {phenotype: NAME, overrides: {PARAMETER: VALUE}}");
    return;
  }
  r.check_keys(p, {"phenotype", "overrides"}, "patient");
  if (p["phenotype"]) {
    if (auto s = r.text(p["phenotype"], "a phenotype name")) patient.phenotype = *s;
    patient.phenotype_where = r.loc(p["phenotype"]);
  }
  if (p["overrides"]) {
    const YAML::Node o = p["overrides"];
    if (!o.IsMap()) {
      r.error(o, "expected {PARAMETER: VALUE, ...}");
      return;
    }
    for (const auto& kv : o) {
      const std::string name = kv.first.Scalar();
      if (auto v = r.number(kv.second)) {
        patient.overrides[name] = *v;
        patient.override_where[name] = r.loc(kv.first);
      }
    }
  }
}

}  // namespace

Scenario load_scenario(const fs::path& path, const Catalog& catalog) {
  Scenario sc;
  sc.file = path;
  Reader r(path.string());
  const YAML::Node root = r.load();
  if (!root.IsMap()) {
    r.error(root, "expected a scenario: a mapping with 'model', 'duration' and 'timeline'");
    r.sink.throw_if_any();
  }
  sc.where = r.loc(root);
  r.check_keys(root, kScenarioKeys, "scenario");

  sc.name = path.stem().string();
  if (root["scenario"])
    if (auto s = r.text(root["scenario"], "a name")) sc.name = *s;
  if (root["description"])
    if (auto s = r.text(root["description"], "a description")) sc.description = *s;

  if (auto m = r.model_reference(root, path.parent_path(), catalog)) std::tie(sc.model, sc.model_path) = *m;

  if (root["patient"]) read_patient(r, root["patient"], sc.patient);
  if (root["solver"]) r.options(root["solver"], sc.solver);

  std::optional<double> duration;
  if (!root["duration"]) {
    r.error(root, "missing 'duration'");
  } else if ((duration = r.time(root["duration"]))) {
    if (!(*duration > 0)) {
      r.error(root["duration"], "'duration' must be positive");
      duration.reset();
    } else {
      sc.duration = *duration;
    }
  }

  if (duration) {
    if (root["output"]) {
      sc.output_times = output_grid(r, root["output"], *duration);
    } else {
      YAML::Node every;
      every["every"] = "1 day";
      sc.output_times = output_grid(r, every, *duration);
    }
  }

  if (const YAML::Node tl = root["timeline"]) sc.timeline = detail::read_timeline(tl, r.file(), r.sink);

  r.sink.throw_if_any();
  return sc;
}

}  // namespace gutskin
