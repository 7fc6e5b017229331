// Trial files (format in include/gutskin/trial.hpp): reading with located errors, and checks
// against the model.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include "gutskin/trial.hpp"
#include "gutskin/units.hpp"
#include "trial/sampling.hpp"
#include "core/yaml_reader.hpp"

namespace fs = std::filesystem;

namespace gutskin {

using detail::did_you_mean;
using detail::names_of;

const char* to_string(EndpointKind kind) {
  switch (kind) {
    case EndpointKind::value: return "value";
    case EndpointKind::change: return "change";
    case EndpointKind::percent_change: return "percent_change";
    case EndpointKind::responder: return "responder";
    case EndpointKind::time_to_event: return "time_to_event";
  }
  return "?";
}


void check_trial(const Trial& trial, const Model& model) {
  DiagnosticSink sink;
  check_time_unit(model, trial.where, sink);
  sink.throw_if_any();  // otherwise every timeline below would report it again
  // Arms: the same checks as a scenario's timeline.
  std::vector<std::vector<Intervention>> timelines = {trial.background};
  for (const auto& arm : trial.arms) timelines.push_back(arm.timeline);
  for (const auto& timeline : timelines) {
    Scenario sc;
    sc.timeline = timeline;
    sc.duration = trial.duration;
    try {
      check_scenario(sc, model);
    } catch (const InputError& e) {
      for (const auto& d : e.diagnostics()) sink.error(d.where, d.message);
    }
  }
  {
    Scenario sc;
    sc.patient = trial.population.patient;
    sc.where = trial.population.where;
    try {
      check_scenario(sc, model);
    } catch (const InputError& e) {
      for (const auto& d : e.diagnostics()) sink.error(d.where, d.message);
    }
  }
  const auto params = names_of(model.parameters);
  auto check_param = [&](const std::string& name, const SourceLoc& where, const char* what) {
    if (model.parameter_index(name) >= 0) return true;
    sink.error(where, "unknown parameter '" + name + "' in " + what + did_you_mean(name, params));
    return false;
  };
  const Population& pop = trial.population;
  for (const auto& [name, v] : pop.spread) {
    const auto w = pop.spread_where.find(name);
    check_param(name, w == pop.spread_where.end() ? pop.where : w->second, "spread");
  }
  for (const auto& name : pop.normal) check_param(name, pop.where, "normal");
  for (const auto& c : pop.correlations) {
    check_param(c.a, c.where, "correlations");
    check_param(c.b, c.where, "correlations");
  }
  const auto observables = names_of(model.observables);
  for (const auto& ep : trial.endpoints)
    if (model.observable_index(ep.observable) < 0)
      sink.error(ep.where, "unknown observable '" + ep.observable + "' in endpoint '" + ep.name +
                               "'" + did_you_mean(ep.observable, observables));
  for (const auto& name : trial.band_observables)
    if (model.observable_index(name) < 0 &&
        std::none_of(trial.endpoints.begin(), trial.endpoints.end(),
                     [&](const Endpoint& ep) { return ep.observable == name; }))  // said above
      sink.error(trial.where, "unknown observable '" + name + "' in report trajectories" +
                                  did_you_mean(name, observables));
  sink.throw_if_any();
  // The correlation matrix (needs the parameters to exist).
  detail::PopulationSampler sampler(model, pop);
}

}  // namespace gutskin
