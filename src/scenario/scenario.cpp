// Scenario files (format in include/gutskin/scenario.hpp) and the schedule they give.
//
// How timeline entries combine on one input (the model default is the baseline):
//  - `value` (constant or window) and `ramp` set the input's level: their piece is the level
//    minus the model default. A constant (and the held end of a ramp) lasts until the next
//    constant or ramp on the same input starts; a window ends at `to`.
//  - `dose` entries add rectangular pulses of height `dose` on top of whatever else is there.
//  - Overlapping level entries on one input add their differences from the default.
//  - `from` may be left out (0 days); repeated doses without `to` run to the end of the scenario.
// Values are kept in the unit they were written in (Intervention::unit) and converted to the
// input's (or state's) unit against the model in check_scenario/build_schedule.
#include "gutskin/scenario.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <tuple>

#include "gutskin/units.hpp"
#include "scenario/timeline.hpp"
#include "core/yaml_reader.hpp"

namespace fs = std::filesystem;

namespace gutskin {

namespace {

using detail::did_you_mean;
using detail::format_days;

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

/// A bare number ("1") or a dimensionless "1" is taken to be in the target unit already.
double to_unit(double value, const Unit& from, const Unit& to, const SourceLoc& where) {
  if (from.text.empty() || from.text == "1") return value;
  return convert(value, from, to, where);
}

template <class Items>
std::vector<std::string> names_of(const Items& items) {
  std::vector<std::string> out;
  for (const auto& x : items) out.push_back(x.name);
  return out;
}

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

void check_scenario(const Scenario& scenario, const Model& model) {
  DiagnosticSink sink;
  for (const auto& iv : scenario.timeline) {
    if (iv.kind == Intervention::Kind::bolus) {
      const int s = model.state_index(iv.target);
      if (s < 0) {
        sink.error(iv.where, "unknown state '" + iv.target + "'" +
                                 did_you_mean(iv.target, names_of(model.states)));
        continue;
      }
      try {
        to_unit(iv.value, iv.unit, model.states[s].unit, iv.value_where);
      } catch (const InputError& e) {
        sink.absorb(e);
      }
      continue;
    }
    const int i = model.input_index(iv.target);
    if (i < 0) {
      sink.error(iv.where, "unknown input '" + iv.target + "'" +
                               did_you_mean(iv.target, names_of(model.inputs)));
      continue;
    }
    try {
      to_unit(iv.value, iv.unit, model.inputs[i].unit, iv.value_where);
    } catch (const InputError& e) {
      sink.absorb(e);
    }
  }

  check_time_unit(model, scenario.where, sink);
  const Patient& p = scenario.patient;
  if (!p.phenotype.empty() && model.phenotype(p.phenotype) == nullptr)
    sink.error(p.phenotype_where, "unknown phenotype '" + p.phenotype + "'" +
                                      did_you_mean(p.phenotype, names_of(model.phenotypes)));
  for (const auto& [name, value] : p.overrides) {
    const auto w = p.override_where.find(name);
    const SourceLoc where = w == p.override_where.end() ? scenario.where : w->second;
    const int k = model.parameter_index(name);
    if (k < 0) {
      sink.error(where, "unknown parameter '" + name + "' in overrides" +
                            did_you_mean(name, names_of(model.parameters)));
      continue;
    }
    const Parameter& par = model.parameters[k];
    const double lo = par.lower.value_or(-INFINITY), hi = par.upper.value_or(INFINITY);
    if (!(value >= lo && value <= hi))
      sink.error(where, "override '" + name + "' = " + format_number(value) +
                            " is outside its bounds [" + format_number(lo) + ", " +
                            format_number(hi) + "]");
  }
  sink.throw_if_any();
}

void check_time_unit(const Model& model, const SourceLoc& where, DiagnosticSink& sink) {
  const Unit& time = model.time_unit;
  if (!time.text.empty() && !(time.same_dimension(day_unit()) && time.factor == 1.0))
    sink.error(where, "model '" + model.name + "' runs in time unit '" + time.text +
                          "', but scenario and trial times are in days; only models whose time "
                          "unit is the day (or undeclared) can run them");
}

InputSchedule build_schedule(const Scenario& scenario, const Model& model) {
  using K = Intervention::Kind;
  check_scenario(scenario, model);

  std::vector<double> defaults;
  for (const auto& in : model.inputs) defaults.push_back(in.default_value);
  InputSchedule schedule(static_cast<int>(model.inputs.size()), defaults);

  // A constant (or a ramp's held end) lasts until the next constant or ramp on its input.
  auto next_level_start = [&](const Intervention& iv) {
    double next = INFINITY;
    for (const auto& o : scenario.timeline)
      if ((o.kind == K::constant || o.kind == K::ramp) && o.target == iv.target &&
          o.start > iv.start)
        next = std::min(next, o.start);
    return next;
  };

  for (const auto& iv : scenario.timeline) {
    if (iv.kind == K::bolus) {
      const int s = model.state_index(iv.target);
      schedule.add_bolus({.time = iv.start,
                          .state = s,
                          .amount = to_unit(iv.value, iv.unit, model.states[s].unit, iv.value_where)});
      continue;
    }
    const int i = model.input_index(iv.target);
    const Input& input = model.inputs[i];
    const double v = to_unit(iv.value, iv.unit, input.unit, iv.value_where);
    const double base = input.default_value;
    switch (iv.kind) {
      case K::constant:
        schedule.add_piece(i, {.start = iv.start, .end = next_level_start(iv), .level = v - base});
        break;
      case K::window:
        schedule.add_piece(i, {.start = iv.start, .end = iv.end, .level = v - base});
        break;
      case K::ramp: {
        const double a = to_unit(iv.ramp_from, iv.unit, input.unit, iv.value_where);
        schedule.add_piece(i, {.start = iv.start,
                               .end = iv.end,
                               .level = a - base,
                               .slope = (v - a) / (iv.end - iv.start)});
        schedule.add_piece(i, {.start = iv.end, .end = next_level_start(iv), .level = v - base});
        break;
      }
      case K::doses: {
        const double until = std::isfinite(iv.end) ? iv.end : scenario.duration;
        if (!(iv.period > 0) || !(iv.dose_duration > 0))
          throw InputError(iv.where, "repeated doses need a positive 'duration' and period");
        if ((until - iv.start) / iv.period > 1e7)
          throw InputError(iv.where, "too many doses (more than 10 million)");
        for (long k = 0;; ++k) {
          const double s = iv.start + static_cast<double>(k) * iv.period;
          if (s >= until) break;
          schedule.add_piece(
              i, {.start = s, .end = std::min(s + iv.dose_duration, until), .level = v});
        }
        break;
      }
      case K::bolus:
        break;
    }
  }
  return schedule;
}

std::vector<double> patient_parameters(const Model& model, const Patient& patient) {
  std::vector<double> values;
  values.reserve(model.parameters.size());
  for (const auto& p : model.parameters) values.push_back(p.value);
  if (!patient.phenotype.empty()) {
    const Phenotype* ph = model.phenotype(patient.phenotype);
    if (ph == nullptr)
      throw InputError(patient.phenotype_where,
                       "unknown phenotype '" + patient.phenotype + "'" +
                           did_you_mean(patient.phenotype, names_of(model.phenotypes)));
    for (const auto& [name, v] : ph->values) {
      const int k = model.parameter_index(name);
      if (k < 0)
        throw InputError(ph->where, "unknown parameter '" + name + "' in phenotype '" +
                                        ph->name + "'" +
                                        did_you_mean(name, names_of(model.parameters)));
      values[k] = v;
    }
  }
  DiagnosticSink sink;
  for (const auto& [name, v] : patient.overrides) {
    const int k = model.parameter_index(name);
    if (k < 0) {
      const auto w = patient.override_where.find(name);
      sink.error(w == patient.override_where.end() ? SourceLoc{} : w->second,
                 "unknown parameter '" + name + "' in overrides" +
                     did_you_mean(name, names_of(model.parameters)));
      continue;
    }
    values[k] = v;
  }
  sink.throw_if_any();
  return values;
}

}  // namespace gutskin
