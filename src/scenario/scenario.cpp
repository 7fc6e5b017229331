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

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <tuple>

#include "core/limits.hpp"
#include "core/yaml_reader.hpp"
#include "gutskin/units.hpp"

namespace fs = std::filesystem;

namespace gutskin {

namespace {

using detail::did_you_mean;
using detail::format_days;
using detail::format_number;
using detail::names_of;

/// A bare number ("1") or a dimensionless "1" is taken to be in the target unit already.
double to_unit(double value, const Unit& from, const Unit& to, const SourceLoc& where) {
  if (from.text.empty() || from.text == "1") return value;
  return convert(value, from, to, where);
}

}  // namespace

void check_scenario(const Scenario& scenario, const Model& model) {
  const std::size_t columns = model.observables.size() + model.states.size() + model.variables.size();
  detail::check_result_size(static_cast<double>(scenario.output_times.size()) * (columns + 1),
                            fmt::format("the output grid ({} times × {} columns)", scenario.output_times.size(), columns),
                            "fewer output times ('output: {every: ...}' larger, or {steps: N} smaller)",
                            SourceLoc{scenario.file.string()});
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
