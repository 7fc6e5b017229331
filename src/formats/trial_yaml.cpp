// Reading trial files (format in include/gutskin/trial.hpp): every problem collected at its
// file:line:column; units converted, times in days. Checks against the model live in src/trial.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include "core/names.hpp"
#include "core/yaml_reader.hpp"
#include "formats/timeline_yaml.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/units.hpp"
#include "trial/sampling.hpp"

namespace fs = std::filesystem;

namespace gutskin {

namespace {

using detail::did_you_mean;
using detail::format_days;
using detail::format_number;
using detail::names_of;

using Reader = detail::YamlReader;

void read_population(Reader& r, const YAML::Node& p, Population& pop) {
  pop.where = r.loc(p);
  if (!p.IsMap()) {
    r.error(p, "expected {phenotype: NAME, patients: N, seed: S, spread: {...}}");
    return;
  }
  r.check_keys(p, {"phenotype", "overrides", "patients", "seed", "spread", "spread_scale", "normal",
                  "correlations"},
               "population");
  if (p["phenotype"]) {
    if (auto s = r.text(p["phenotype"], "a phenotype name")) pop.patient.phenotype = *s;
    pop.patient.phenotype_where = r.loc(p["phenotype"]);
  }
  if (const YAML::Node o = p["overrides"]) {
    if (!o.IsMap()) {
      r.error(o, "expected {PARAMETER: VALUE, ...}");
    } else {
      for (const auto& kv : o)
        if (auto v = r.number(kv.second)) {
          pop.patient.overrides[kv.first.Scalar()] = *v;
          pop.patient.override_where[kv.first.Scalar()] = r.loc(kv.first);
        }
    }
  }
  if (p["patients"]) {
    if (auto n = r.number(p["patients"])) {
      if (*n >= 1 && *n <= 1e9 && *n == std::floor(*n)) pop.patients = static_cast<long>(*n);
      else r.error(p["patients"], "'patients' must be a whole number from 1 to 10^9");
    }
  }
  if (p["seed"]) {
    if (auto n = r.number(p["seed"])) {
      if (*n >= 0 && *n <= 9007199254740992.0 && *n == std::floor(*n))
        pop.seed = static_cast<std::uint64_t>(*n);
      else r.error(p["seed"], "'seed' must be a whole number from 0 to 2^53");
    }
  }
  if (const YAML::Node s = p["spread"]) {
    if (!s.IsMap()) {
      r.error(s, "expected {PARAMETER: SD of log(value), ...}");
    } else {
      for (const auto& kv : s)
        if (auto v = r.number(kv.second)) {
          if (*v < 0 || *v > 5) {
            r.error(kv.second, "spread of '" + kv.first.Scalar() + "' must be from 0 to 5");
            continue;
          }
          pop.spread[kv.first.Scalar()] = *v;
          pop.spread_where[kv.first.Scalar()] = r.loc(kv.first);
        }
    }
  }
  if (p["spread_scale"]) {
    if (auto v = r.number(p["spread_scale"])) {
      if (*v >= 0 && *v <= 10) pop.spread_scale = *v;
      else r.error(p["spread_scale"], "'spread_scale' must be from 0 to 10");
    }
  }
  if (p["normal"]) pop.normal = r.names(p["normal"], "parameter names");
  if (const YAML::Node c = p["correlations"]) {
    if (!c.IsSequence()) {
      r.error(c, "expected a list of {between: [a, b], rho: r}");
    } else {
      for (const auto& e : c) {
        if (!e.IsMap()) {
          r.error(e, "expected {between: [a, b], rho: r}");
          continue;
        }
        r.check_keys(e, {"between", "rho"}, "correlation");
        Correlation corr;
        corr.where = r.loc(e);
        const YAML::Node b = e["between"];
        if (!b || !b.IsSequence() || b.size() != 2) {
          r.error(b ? b : e, "'between' needs two parameter names: [a, b]");
          continue;
        }
        auto a = r.text(b[0], "a parameter name"), bb = r.text(b[1], "a parameter name");
        if (!e["rho"]) {
          r.error(e, "missing 'rho'");
          continue;
        }
        auto rho = r.number(e["rho"]);
        if (!a || !bb || !rho) continue;
        if (!(*rho > -1 && *rho < 1)) {
          r.error(e["rho"], "'rho' must be between -1 and 1 (exclusive)");
          continue;
        }
        if (*a == *bb) {
          r.error(b, "a correlation needs two different parameters");
          continue;
        }
        corr.a = *a;
        corr.b = *bb;
        corr.rho = *rho;
        pop.correlations.push_back(corr);
      }
    }
  }
}

std::optional<Criterion> read_criterion(Reader& r, const YAML::Node& c, bool for_event) {
  if (!c.IsMap() || c.size() == 0) {
    r.error(c, "expected conditions such as {reduction: 75%}, {below: 1.5, drop: 2} or "
               "{above: 6}");
    return std::nullopt;
  }
  if (!r.check_keys(c, {"above", "below", "reduction", "drop", "rise"},
                    for_event ? "time_to" : "responder"))
    return std::nullopt;
  Criterion k;
  std::vector<std::string> parts;
  bool ok = true;
  auto get = [&](const char* key, std::optional<double>& slot, bool percent, const char* shown,
                 const char* suffix) {
    if (!c[key]) return;
    if (auto v = r.number(c[key], percent)) {
      slot = *v;
      parts.push_back(std::string(shown) + format_number(*v) + suffix);
    } else {
      ok = false;
    }
  };
  get("above", k.above, false, "> ", "");
  get("below", k.below, false, "< ", "");
  get("reduction", k.reduction, true, "reduction >= ", "%");
  get("drop", k.drop, false, "drop >= ", "");
  get("rise", k.rise, false, "rise >= ", "");
  if (!ok) return std::nullopt;
  for (std::size_t i = 0; i < parts.size(); ++i) k.text += (i ? " and " : "") + parts[i];
  return k;
}

std::optional<Endpoint> read_endpoint(Reader& r, const YAML::Node& e) {
  if (!e.IsMap()) {
    r.error(e, "expected an endpoint such as {name: easi75, observable: easi, at: 12 weeks, "
               "responder: {reduction: 75%}}");
    return std::nullopt;
  }
  r.check_keys(e, {"name", "observable", "at", "measure", "baseline", "responder", "time_to",
                   "from", "description"},
               "endpoint");
  Endpoint ep;
  ep.where = r.loc(e);
  bool ok = true;
  for (const char* key : {"name", "observable"}) {
    if (!e[key]) {
      r.error(e, std::string("missing '") + key + "'");
      ok = false;
      continue;
    }
    auto s = r.text(e[key], key == std::string("name") ? "a name" : "an observable name");
    if (s && key == std::string("name") && !detail::is_identifier(*s)) {
      r.error(e[key], detail::not_an_identifier(*s, "an endpoint"));  // it becomes a CSV column
      s.reset();
    }
    if (s) (key == std::string("name") ? ep.name : ep.observable) = *s;
    else ok = false;
  }
  if (e["name"] && ok) ep.where = r.loc(e["name"]);
  if (e["description"])
    if (auto s = r.text(e["description"], "a description")) ep.description = *s;
  if (e["responder"] && e["time_to"]) {
    r.error(e["time_to"], "give 'responder' or 'time_to', not both");
    return std::nullopt;
  }
  if (e["time_to"]) {
    ep.kind = EndpointKind::time_to_event;
    for (const char* key : {"at", "measure"})
      if (e[key]) r.error(e[key], std::string("'") + key + "' is not used with 'time_to'"), ok = false;
    if (auto c = read_criterion(r, e["time_to"], true)) ep.criterion = *c;
    else ok = false;
    if (e["from"]) {
      if (auto t = r.time(e["from"])) ep.from = *t;
      else ok = false;
    }
  } else {
    if (e["from"]) r.error(e["from"], "'from' is only used with 'time_to'"), ok = false;
    if (!e["at"]) {
      r.error(e, "missing 'at' (the time the endpoint is read, such as 12 weeks)");
      ok = false;
    } else if (auto t = r.time(e["at"])) {
      ep.at = *t;
    } else {
      ok = false;
    }
    if (e["responder"]) {
      ep.kind = EndpointKind::responder;
      if (e["measure"]) r.error(e["measure"], "'measure' is not used with 'responder'"), ok = false;
      if (auto c = read_criterion(r, e["responder"], false)) ep.criterion = *c;
      else ok = false;
    } else if (e["measure"]) {
      const auto m = r.text(e["measure"], "value, change or percent_change");
      if (m == "value") ep.kind = EndpointKind::value;
      else if (m == "change") ep.kind = EndpointKind::change;
      else if (m == "percent_change") ep.kind = EndpointKind::percent_change;
      else if (m) {
        r.error(e["measure"], "unknown measure '" + *m + "': expected value, change or "
                              "percent_change" +
                                  did_you_mean(*m, {"value", "change", "percent_change"}));
        ok = false;
      }
    }
  }
  if (e["baseline"]) {
    if (auto t = r.time(e["baseline"])) ep.baseline = *t;
    else ok = false;
  }
  if (!ok) return std::nullopt;
  return ep;
}

}  // namespace

Trial load_trial(const fs::path& path, const Catalog& catalog) {
  Trial t;
  t.file = path;
  Reader r(path.string());
  const YAML::Node root = r.load();
  if (!root.IsMap()) {
    r.error(root, "expected a trial: a mapping with 'model', 'duration', 'population', 'arms' "
                  "and 'endpoints'");
    r.sink.throw_if_any();
  }
  t.where = r.loc(root);
  r.check_keys(root, {"trial", "description", "model", "duration", "run_in", "resolution",
                      "population", "background", "arms", "endpoints", "statistics", "report", "solver"},
               "trial");
  t.name = path.stem().string();
  if (root["trial"])
    if (auto s = r.text(root["trial"], "a name")) t.name = *s;
  if (root["description"])
    if (auto s = r.text(root["description"], "a description")) t.description = *s;

  if (auto m = r.model_reference(root, path.parent_path(), catalog)) std::tie(t.model, t.model_path) = *m;
  if (root["solver"]) r.options(root["solver"], t.solver);

  if (!root["duration"]) {
    r.error(root, "missing 'duration'");
  } else if (auto d = r.time(root["duration"])) {
    if (*d > 0) t.duration = *d;
    else r.error(root["duration"], "'duration' must be positive");
  }
  if (root["run_in"]) {
    if (auto d = r.time(root["run_in"])) {
      if (*d >= 0) t.run_in = *d;
      else r.error(root["run_in"], "'run_in' must not be negative");
    }
  }
  if (root["resolution"]) {
    if (auto d = r.time(root["resolution"])) {
      if (*d > 0) t.resolution = *d;
      else r.error(root["resolution"], "'resolution' must be positive");
    }
  }
  if (t.duration > 0 && t.duration / t.resolution > 1e6)
    r.error(root["resolution"] ? root["resolution"] : root["duration"],
            "too many output times (duration / resolution is more than 10^6)");

  if (!root["population"]) r.error(root, "missing 'population'");
  else read_population(r, root["population"], t.population);

  // Timelines may reach back into the run-in, not before it.
  auto check_times = [&](const std::vector<Intervention>& timeline) {
    for (const auto& iv : timeline)
      if (iv.start < -t.run_in - 1e-9)
        r.sink.error(iv.where, "'" + iv.target + "' starts at day " + format_number(iv.start) +
                                   ", before the run-in (day " + format_number(-t.run_in) + ")");
  };
  if (root["background"]) {
    t.background = detail::read_timeline(root["background"], r.file(), r.sink);
    check_times(t.background);
  }
  if (!root["arms"]) {
    r.error(root, "missing 'arms'");
  } else if (const YAML::Node arms = root["arms"]; !arms.IsSequence() || arms.size() == 0) {
    r.error(arms, "expected a list of arms, each {name: NAME, timeline: [...]}");
  } else {
    std::set<std::string> seen;
    for (const auto& a : arms) {
      if (!a.IsMap()) {
        r.error(a, "expected an arm: {name: NAME, timeline: [...]}");
        continue;
      }
      r.check_keys(a, {"name", "description", "timeline"}, "arm");
      TrialArm arm;
      arm.where = r.loc(a);
      if (!a["name"]) {
        r.error(a, "missing 'name'");
      } else if (auto s = r.text(a["name"], "a name"); s && !detail::is_identifier(*s)) {
        r.error(a["name"], detail::not_an_identifier(*s, "an arm"));
      } else if (s) {
        arm.name = *s;
        arm.where = r.loc(a["name"]);
        if (!seen.insert(*s).second) r.error(a["name"], "duplicate arm '" + *s + "'");
      }
      if (a["description"])
        if (auto s = r.text(a["description"], "a description")) arm.description = *s;
      if (a["timeline"]) arm.timeline = detail::read_timeline(a["timeline"], r.file(), r.sink);
      check_times(arm.timeline);
      t.arms.push_back(std::move(arm));
    }
  }

  if (!root["endpoints"]) {
    r.error(root, "missing 'endpoints'");
  } else if (const YAML::Node eps = root["endpoints"]; !eps.IsSequence() || eps.size() == 0) {
    r.error(eps, "expected a list of endpoints");
  } else {
    std::set<std::string> seen;
    for (const auto& e : eps) {
      auto ep = read_endpoint(r, e);
      if (!ep) continue;
      if (!seen.insert(ep->name).second) {
        r.error(e["name"], "duplicate endpoint '" + ep->name + "'");
        continue;
      }
      for (const double tt : {ep->at, ep->baseline, ep->from})
        if (t.duration > 0 && (tt < 0 || tt > t.duration * (1 + 1e-12))) {
          r.error(e, "endpoint '" + ep->name + "' reads a time outside the trial (0 to " +
                         format_number(t.duration) + " days)");
          break;
        }
      t.endpoints.push_back(std::move(*ep));
    }
  }

  if (const YAML::Node s = root["statistics"]) {
    if (!s.IsMap()) {
      r.error(s, "expected {reference: ARM, confidence: 0.95}");
    } else {
      r.check_keys(s, {"reference", "confidence"}, "statistics");
      if (s["reference"])
        if (auto a = r.text(s["reference"], "an arm name")) {
          t.statistics.reference = *a;
          const auto names = names_of(t.arms);
          if (!t.arms.empty() && std::find(names.begin(), names.end(), *a) == names.end())
            r.error(s["reference"], "unknown arm '" + *a + "'" + did_you_mean(*a, names));
        }
      if (s["confidence"])
        if (auto c = r.number(s["confidence"])) {
          if (*c > 0.5 && *c < 1) t.statistics.confidence = *c;
          else r.error(s["confidence"], "'confidence' must be between 0.5 and 1 (exclusive)");
        }
    }
  }
  if (t.statistics.reference.empty() && !t.arms.empty()) t.statistics.reference = t.arms[0].name;

  if (const YAML::Node rep = root["report"]) {
    if (!rep.IsMap()) {
      r.error(rep, "expected {trajectories: [observables], points: N}");
    } else {
      r.check_keys(rep, {"trajectories", "points"}, "report");
      if (rep["trajectories"]) t.band_observables = r.names(rep["trajectories"], "observables");
      if (rep["points"])
        if (auto n = r.number(rep["points"])) {
          if (*n >= 2 && *n <= 1000 && *n == std::floor(*n)) t.band_points = static_cast<int>(*n);
          else r.error(rep["points"], "'points' must be a whole number from 2 to 1000");
        }
    }
  }
  if (t.band_observables.empty() && !root["report"]) {
    for (const auto& ep : t.endpoints)
      if (std::find(t.band_observables.begin(), t.band_observables.end(), ep.observable) ==
          t.band_observables.end())
        t.band_observables.push_back(ep.observable);
  }

  r.sink.throw_if_any();
  return t;
}

}  // namespace gutskin
