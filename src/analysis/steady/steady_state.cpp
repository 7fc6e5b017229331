// find_steady_states: the study's patient, inputs and start state; the equilibrium reached from
// it; with --all, multi-start Newton on the ensemble engine, deduplicated.
#include "gutskin/steady_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <chrono>
#include <cmath>

#include "analysis/steady/system.hpp"
#include "core/limits.hpp"
#include "gutskin/errors.hpp"
#include "gutskin/study.hpp"
#include "trial/sampling.hpp"

namespace gutskin {

void SteadyStateOptions::validate() const {
  validate_options(*this);
  validate_options(solver);
}

namespace detail {

SteadyStart steady_start(const Study& study, const std::string& phenotype, const std::vector<std::string>& set,
                         const std::vector<std::string>& inputs, const SolverOptions& solver) {
  if (study.trial)
    throw InputError(SourceLoc{study.path.string()},
                     "steady states take a model or a scenario; a trial has many patients (use its model or a scenario)");
  const CompiledModel& cm = *study.model;
  const Model& model = cm.model();
  Patient patient = study.scenario ? study.scenario->patient : phenotype_patient(model, phenotype, SourceLoc{"--phenotype"});
  apply_settings(set, model, patient);
  if (study.scenario) {
    Scenario sc = *study.scenario;
    sc.patient = patient;
    check_scenario(sc, model);
  }
  SteadyStart s;
  s.parameters = patient_parameters(model, patient);
  s.u.resize(model.inputs.size());
  for (std::size_t k = 0; k < model.inputs.size(); ++k) s.u[k] = model.inputs[k].default_value;
  s.x.resize(model.states.size());
  if (study.scenario) {
    const Scenario& sc = *study.scenario;
    const InputSchedule schedule = build_schedule(sc, model);
    SimulateOptions run;
    run.solver = solver;
    run.record_variables = false;
    run.output_times = {sc.duration};
    const SimulationResult r = simulate(cm, s.parameters, schedule, run);
    if (!r.summary.ok())
      throw SolverError(fmt::format("the scenario '{}' did not reach its end, where the search starts: {}", sc.name,
                                    r.summary.message));
    s.t = sc.duration;
    schedule.values(s.t, s.u.data());
    for (int i = 0; i < cm.n_states(); ++i) s.x[i] = r.trajectory.at(0, cm.n_observables() + i);
  } else {
    Workspace ws = cm.make_workspace();
    cm.set_parameters(ws, s.parameters.data());
    cm.initial_state(0.0, s.u.data(), s.x.data(), ws);
  }
  apply_input_settings(inputs, model, s.u);
  if (!model.events.empty())
    s.notes.push_back(fmt::format("the model's {} event(s) are not part of the flow and were ignored", model.events.size()));
  return s;
}

std::string study_name(const Study& study) {
  if (study.scenario) return study.scenario->name;
  const Model& m = study.model->model();
  return m.name;
}

}  // namespace detail

namespace {

constexpr int max_face_states = 12;       // every zero pattern of up to 12 non-negative states
constexpr int max_sobol_dimensions = 3667;  // Boost's Joe–Kuo table
constexpr std::size_t max_failures_kept = 5;

/// Start k of an --all search: a point of a scrambled Sobol sequence, log-uniform over four
/// decades around the larger of the reference and initial values for a non-negative state (1e-3 to 10 where it is zero), uniform
/// within ±10 of its size for a signed one; some non-negative states set to zero (every zero
/// pattern in turn when there are few of them, else each with probability 1/8 in odd starts).
std::vector<std::vector<double>> starting_states(const std::vector<double>& reference, const std::vector<double>& initial,
                                                 const Model& model, long count, std::uint64_t seed, double atol) {
  const int n = static_cast<int>(model.states.size());
  std::vector<int> nonneg;
  for (int i = 0; i < n; ++i)
    if (model.states[i].non_negative) nonneg.push_back(i);
  auto place = [&](int i, double u) {
    double m = std::max(std::abs(reference[i]), std::abs(initial[i]));
    if (m < atol) m = 0.0;
    if (!model.states[i].non_negative) return reference[i] + 10 * std::max(m, 1.0) * (2 * u - 1);
    return m > 0 ? m * std::pow(10.0, 4 * u - 2) : std::pow(10.0, 4 * u - 3);
  };
  std::vector<double> shift(n);  // Cranley–Patterson rotation: the seed's own Sobol points
  for (int i = 0; i < n; ++i)
    shift[i] = static_cast<double>(detail::mix64(detail::mix64(seed) ^ static_cast<std::uint64_t>(i)) >> 11) * 0x1p-53;
  const bool sobol = n <= max_sobol_dimensions && n > 0;
  std::optional<boost::random::sobol> engine;
  if (sobol) engine.emplace(n);
  const bool every_face = static_cast<int>(nonneg.size()) <= max_face_states;
  std::vector<std::vector<double>> starts(count, std::vector<double>(n));
  for (long k = 0; k < count; ++k) {
    for (int i = 0; i < n; ++i) {
      const double raw = sobol ? static_cast<double>((*engine)() >> 11) * 0x1p-53  // Boost's are 64-bit
                               : static_cast<double>(detail::mix64(detail::mix64(seed + k) ^ i) >> 11) * 0x1p-53;
      const double u = raw + shift[i];
      starts[k][i] = place(i, u - std::floor(u));
    }
    for (std::size_t j = 0; j < nonneg.size(); ++j) {
      const bool zero = every_face ? ((k >> j) & 1) != 0
                                   : (k % 2 == 1 && (detail::mix64(seed ^ detail::mix64(k * 1000003ULL + j)) & 7) == 0);
      if (zero) starts[k][nonneg[j]] = 0.0;
    }
  }
  return starts;
}

}  // namespace

SteadyStateResult find_steady_states(const Study& study, const SteadyStateOptions& options, const RunControl& control) {
  const auto clock = std::chrono::steady_clock::now();
  options.validate();
  const CompiledModel& cm = *study.model;
  const Model& model = cm.model();
  const detail::SteadyStart start = detail::steady_start(study, options.phenotype, options.set, options.inputs, options.solver);
  const std::vector<double>& parameters = start.parameters;
  SteadyStateResult result;
  result.study = detail::study_name(study);
  result.model = model.name;
  for (const auto& s : model.states) result.states.push_back(s.name);
  result.time_unit = model.time_unit.text;
  for (int k = 0; k < cm.n_inputs(); ++k) result.inputs.emplace_back(model.inputs[k].name, start.u[k]);
  result.t = start.t;
  result.notes = start.notes;

  detail::SteadySystem system(cm, parameters, start.u, start.t, options.solver.atol);
  system.find_conservation_laws(start.x);
  const detail::SearchSettings settings = detail::search_settings(options.tolerance, options.max_time, options.solver);
  Simulator simulator(cm);
  std::string why;
  std::optional<Equilibrium> first = detail::find_equilibrium(system, start.x, settings, &simulator, why);
  result.starts = 1;
  result.conservation_laws = system.laws();  // as the search left them (a simulation may add held states)
  if (first) result.equilibria.push_back(std::move(*first));
  else result.failed_starts = 1, result.failures.push_back("from the start state: " + why);

  if (options.all) {
    int nonneg = 0;
    for (const auto& s : model.states) nonneg += s.non_negative;
    const long faces = nonneg <= max_face_states ? 1L << nonneg : 0;
    const long count = options.starts > 0 ? options.starts : std::max(256L, faces);
    detail::check_result_size(static_cast<double>(count) * (2.0 * model.states.size() + 2),
                              fmt::format("{} starts × {} states", count, model.states.size()), "fewer --starts",
                              SourceLoc{"--starts"});
    const std::vector<double>& reference = result.equilibria.empty() ? start.x : result.equilibria[0].state;
    auto starts = starting_states(reference, start.x, model, count, options.seed, options.solver.atol);
    for (auto& x : starts) system.project(x);
    detail::SearchSettings many = settings;
    many.simulate = false;
    many.inside_faces = true;
    EnsembleSpec spec;
    spec.size = count;
    spec.unit = "starts";
    spec.parameters = [&](long long) { return parameters; };
    spec.work = [&](Simulator& worker, EnsembleItem& item, const RunControl&) {
      detail::SteadySystem local = system;
      std::string reason;
      RunRecord record;
      if (auto e = detail::find_equilibrium(local, starts[item.index], many, &worker, reason)) {
        record.values = e->state;
        record.message = e->method;
      } else {
        record.status = "failed";
        record.message = reason;
      }
      item.runs.push_back(std::move(record));
    };
    const EnsembleResult er = run_ensemble(cm, spec, EnsembleOptions{.threads = options.threads}, control);
    for (const EnsembleItem& item : er.items) {
      ++result.starts;
      const RunRecord& r = item.runs.at(0);
      if (!r.ok()) {
        ++result.failed_starts;
        if (result.failures.size() < max_failures_kept)
          result.failures.push_back(fmt::format("from start {}: {}", item.index, r.message));
        continue;
      }
      auto same = std::find_if(result.equilibria.begin(), result.equilibria.end(), [&](const Equilibrium& e) {
        return detail::same_state(e.state, r.values, options.solver.atol);
      });
      if (same != result.equilibria.end()) {
        ++same->found;
        continue;
      }
      Equilibrium e;
      e.state = r.values;
      e.method = r.message;
      detail::classify(system, e);
      result.equilibria.push_back(std::move(e));
    }
    if (er.stopped) result.notes.push_back(fmt::format("stopped after {} of {} starts", er.items.size(), count));
  }
  if (result.equilibria.empty())
    throw SolverError(fmt::format("no steady state found for '{}' ({} start{}): {}", result.study, result.starts,
                                  result.starts == 1 ? "" : "s", result.failures.empty() ? "" : result.failures[0]));
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock).count();
  return result;
}

}  // namespace gutskin
