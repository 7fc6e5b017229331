// run_atlas: per virtual patient, its steady state and the folds of its branch of equilibria in
// each knob, on the ensemble engine; then the population's fractions, distances and their
// predictors.
#include "gutskin/atlas.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "analysis/steady/system.hpp"
#include "core/json_number.hpp"
#include "core/limits.hpp"
#include "gutskin/errors.hpp"
#include "gutskin/study.hpp"
#include "trial/sampling.hpp"

namespace gutskin {

void AtlasOptions::validate() const {
  if (knobs.empty())
    throw InputError(SourceLoc{"--parameter"}, "nothing to vary: give a parameter or input with its range, name=from:to");
  validate_options(*this);
  validate_options(solver);
}

namespace {

constexpr std::size_t max_predictors = 10;
constexpr std::size_t values_per_knob = 5;  // value, fold below, fold above, distance, bistable

struct AtlasKnob {
  detail::Knob knob;
  double lo = 0.0, hi = 0.0;
};

/// "name=from:to" → the knob and its range; InputError at `where` naming what was expected.
AtlasKnob parse_knob(const Model& model, const std::string& text, const SourceLoc& where) {
  const auto eq = text.find('='), colon = text.find(':', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || colon == std::string::npos)
    throw InputError(where, fmt::format("'{}': expected name=from:to (e.g. fibre=2:60)", text));
  AtlasKnob k;
  k.knob = detail::resolve_knob(model, text.substr(0, eq), where);
  auto number = [&](const std::string& part, const char* what) {
    std::size_t used = 0;
    double v = NAN;
    try {
      v = std::stod(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != part.size() || !std::isfinite(v))
      throw InputError(where, fmt::format("'{}': the {} value '{}' is not a number", text, what, part));
    return v;
  };
  const double from = number(text.substr(eq + 1, colon - eq - 1), "from");
  const double to = number(text.substr(colon + 1), "to");
  if (from == to) throw InputError(where, fmt::format("'{}': the range is empty", text));
  k.lo = std::min(from, to), k.hi = std::max(from, to);
  return k;
}

/// The population the atlas draws from: a trial's, else the scenario's or phenotype's patient
/// with the model's spreads; `set` fixed in every patient.
Population atlas_population(const Study& study, const AtlasOptions& options) {
  const Model& model = study.model->model();
  Population p;
  if (study.trial) {
    p = study.trial->population;
  } else {
    p.patient = study.scenario ? study.scenario->patient : phenotype_patient(model, options.phenotype, SourceLoc{"--phenotype"});
    p.patients = 100;
    p.seed = 1;
  }
  if (options.patients) p.patients = *options.patients;
  if (options.seed) p.seed = *options.seed;
  apply_settings(options.set, model, p.patient);
  return p;
}

/// The first fold of a branch traced from `value` (NaN: none), and whether the branch, turned
/// back there, crosses `value` again: then the patient's value has other equilibria than its
/// own (the turned-back one, and the stable one beyond it in an S-shaped branch, or past a
/// kink where it ends): a hysteresis around the patient.
std::pair<double, bool> first_fold(const detail::Branch& branch, double value) {
  const auto fold = std::find_if(branch.events.begin(), branch.events.end(),
                                 [](const detail::BranchEvent& e) { return e.kind == "fold"; });
  if (fold == branch.events.end()) return {NAN, false};
  const bool above = fold->value > value;
  bool crosses = false;
  for (std::size_t i = static_cast<std::size_t>(fold->point) + 1; i < branch.points.size() && !crosses; ++i)
    crosses = above ? branch.points[i].value < value : branch.points[i].value > value;
  return {fold->value, crosses};
}

/// One patient: its steady state from the model's initial state, then each knob's branch up and
/// down from the patient's value. Values: per knob values_per_knob numbers.
void atlas_patient(const CompiledModel& cm, const std::vector<AtlasKnob>& knobs, const std::vector<double>& parameters,
                   const std::vector<double>& inputs, const AtlasOptions& options, Simulator& simulator, RunRecord& record,
                   const RunControl& control) {
  std::vector<double> x(cm.n_states());
  Workspace ws = cm.make_workspace();
  cm.set_parameters(ws, parameters.data());
  cm.initial_state(0.0, inputs.data(), x.data(), ws);
  detail::SteadySystem system(cm, parameters, inputs, 0.0, options.solver.atol);
  system.find_conservation_laws(x);
  detail::SearchSettings search = detail::search_settings(options.tolerance, options.max_time, options.solver);
  std::string why;
  // Where the patient settles: Newton's equilibrium if it is stable, else a simulation towards
  // it (a saddle is not where a patient stays). The laws and held states are found again at the
  // equilibrium: a state frozen there (immune maturity reached) is held, not a zero eigenvalue.
  auto settle = [&]() -> std::optional<Equilibrium> {
    std::optional<Equilibrium> e = detail::find_equilibrium(system, x, search, &simulator, why);
    if (!e) return e;
    system.find_conservation_laws(e->state);
    detail::classify(system, *e);
    if (!e->stable) why += fmt::format("{}: an unstable equilibrium (max Re λ = {:.3g}); ", e->method, e->max_real_eigenvalue);
    return e->stable ? e : std::nullopt;
  };
  std::optional<Equilibrium> start = settle();
  if (!start) {
    search.stable_only = true;
    system.find_conservation_laws(x);
    start = settle();
  }
  if (!start) {
    record.status = "no stable steady state";
    record.message = why;
    return;
  }
  for (const AtlasKnob& k : knobs) {
    const double value = detail::knob_value(system, k.knob);
    AtlasReading r;
    r.value = value;
    for (const double end : {k.hi, k.lo}) {
      if (end > value ? value >= k.hi : value <= k.lo) continue;  // the patient is at or past this end
      detail::BranchSettings b;
      b.from = value, b.to = end, b.lower = k.lo, b.upper = k.hi;
      b.step = options.branch_step, b.max_points = options.max_points, b.tolerance = options.tolerance;
      b.non_negative = options.solver.non_negative;
      b.classify = false;        // folds only: the tangent's sign, no eigenvalues
      b.stop_after_folds = 2;    // the second fold says whether the first is a hysteresis
      b.newton = search.newton;
      detail::Branch branch;
      try {
        branch = detail::trace_branch(system, k.knob, *start, b, control);
      } catch (const SolverError&) {
        continue;  // a singular start: no fold found this way
      }
      detail::set_knob(system, k.knob, value);
      const auto [fold, returns] = first_fold(branch, value);
      (end > value ? r.fold_above : r.fold_below) = fold;
      r.bistable = r.bistable || returns;
    }
    const double up = r.fold_above - value, down = value - r.fold_below;
    r.distance = std::isnan(up) ? down : std::isnan(down) ? up : std::min(up, down);
    for (double v : {r.value, r.fold_below, r.fold_above, r.distance, r.bistable ? 1.0 : 0.0}) record.values.push_back(v);
  }
}

/// Ranks with ties averaged (NaN ranks last, tied).
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  auto key = [&](std::size_t i) { return std::isnan(v[i]) ? INFINITY : v[i]; };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && key(order[j + 1]) == key(order[i])) ++j;
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = 0.5 * static_cast<double>(i + j) + 1.0;
    i = j + 1;
  }
  return r;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : NAN;
}

/// Linear interpolation between order statistics (type 7): the q quantile of sorted v.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return NAN;
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<std::size_t>(std::floor(h));
  return i + 1 < sorted.size() ? sorted[i] + (h - static_cast<double>(i)) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

void summarise(AtlasResult& result, std::size_t k) {
  AtlasKnobSummary& s = result.knobs[k];
  std::vector<double> distances, all;
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    const AtlasPatient& p = result.rows[i];
    if (p.status != "ok") continue;
    const AtlasReading& r = p.readings[k];
    ++s.patients;
    if (!std::isnan(r.distance)) ++s.with_fold, distances.push_back(r.distance);
    if (r.bistable) ++s.bistable;
    all.push_back(r.distance);
    rows.push_back(i);
  }
  if (s.patients == 0) return;
  s.fraction_with_fold = static_cast<double>(s.with_fold) / s.patients;
  s.fraction_bistable = static_cast<double>(s.bistable) / s.patients;
  std::sort(distances.begin(), distances.end());
  s.p05 = quantile(distances, 0.05), s.q25 = quantile(distances, 0.25), s.median = quantile(distances, 0.5);
  s.q75 = quantile(distances, 0.75), s.p95 = quantile(distances, 0.95);
  if (s.with_fold == 0 || rows.size() < 3) return;
  const std::vector<double> distance_ranks = ranks(all);
  for (std::size_t j = 0; j < result.sampled.size(); ++j) {
    std::vector<double> values;
    for (std::size_t i : rows) values.push_back(result.rows[i].sampled[j]);
    const double rho = pearson(ranks(values), distance_ranks);
    if (std::isfinite(rho)) s.predictors.push_back({result.sampled[j], rho});
  }
  std::sort(s.predictors.begin(), s.predictors.end(),
            [](const AtlasPredictor& a, const AtlasPredictor& b) { return std::abs(a.rho) > std::abs(b.rho); });
  if (s.predictors.size() > max_predictors) s.predictors.resize(max_predictors);
}

}  // namespace

AtlasResult run_atlas(const Study& study, const AtlasOptions& options, const RunControl& control,
                      const ProcessGroup& group) {
  const auto clock = std::chrono::steady_clock::now();
  options.validate();
  const CompiledModel& cm = *study.model;
  const Model& model = cm.model();
  std::vector<AtlasKnob> knobs;
  for (const std::string& text : options.knobs) knobs.push_back(parse_knob(model, text, SourceLoc{"--parameter"}));
  const Population population = atlas_population(study, options);
  const detail::PopulationSampler sampler(model, population);
  detail::check_result_size(static_cast<double>(population.patients) * (sampler.varying().size() + 6.0 * knobs.size() + 2),
                            fmt::format("{} patients × ({} sampled parameters + {} knobs)", population.patients,
                                        sampler.varying().size(), knobs.size()),
                            "fewer --patients", SourceLoc{"--patients"});
  std::vector<double> inputs;
  for (const Input& in : model.inputs) inputs.push_back(in.default_value);
  apply_input_settings(options.inputs, model, inputs, SourceLoc{"--hold"});
  detail::SteadySystem(cm, sampler.base(), inputs, 0.0, options.solver.atol);  // refuses delay() before any patient
  for (const AtlasKnob& k : knobs)
    for (const AtlasKnob& other : knobs)
      if (&k != &other && k.knob.input == other.knob.input && k.knob.index == other.knob.index)
        throw InputError(SourceLoc{"--parameter"}, fmt::format("'{}' is named twice", k.knob.label));

  AtlasResult result;
  result.study = study.trial ? study.trial->name : detail::study_name(study);
  result.model = model.name;
  result.patients = population.patients;
  result.seed = population.seed;
  for (const auto& v : sampler.varying()) result.sampled.push_back(v.name);
  result.inputs = options.inputs;
  for (const AtlasKnob& k : knobs)
    result.knobs.push_back(AtlasKnobSummary{.name = k.knob.name, .label = k.knob.label, .unit = k.knob.unit,
                                            .input = k.knob.input, .from = k.lo, .to = k.hi});
  if (!model.events.empty())
    result.notes.push_back(fmt::format("the model's {} event(s) are not part of the flow and were ignored", model.events.size()));
  result.notes.push_back("each patient's stable steady state from the model's initial state with its default inputs"
                         + std::string(options.inputs.empty() ? "" : " (and the held ones)") +
                         "; folds of the branch of equilibria, followed up and down from the patient's value");

  EnsembleSpec spec;
  spec.size = population.patients;
  spec.unit = "patients";
  spec.parameters = [&](long long i) { return sampler.sample(population.seed, static_cast<std::uint64_t>(i)); };
  spec.keep_items = true;
  spec.work = [&](Simulator& simulator, EnsembleItem& item, const RunControl& worker) {
    RunRecord record;
    atlas_patient(cm, knobs, item.parameters, inputs, options, simulator, record, worker);
    item.cancelled = worker.stop_requested() && record.ok();
    item.runs.push_back(std::move(record));
  };
  const EnsembleResult er = run_ensemble(cm, spec, EnsembleOptions{.threads = options.threads}, control, group);
  result.threads = er.threads;
  result.processes = group.size();
  result.stopped = er.stopped;

  // Every process's rows, gathered as numbers: index, ok, sampled, readings.
  const std::size_t width = 2 + result.sampled.size() + values_per_knob * knobs.size();
  std::vector<double> mine;
  std::vector<std::string> reasons;
  for (const EnsembleItem& item : er.items) {
    const RunRecord& r = item.runs.at(0);
    mine.push_back(static_cast<double>(item.index));
    mine.push_back(r.ok() ? 1.0 : 0.0);
    for (const auto& v : sampler.varying()) mine.push_back(item.parameters[v.index]);
    for (std::size_t j = 0; j < values_per_knob * knobs.size(); ++j) mine.push_back(r.ok() ? r.values.at(j) : NAN);
    if (!r.ok() && reasons.size() < 5) reasons.push_back(fmt::format("patient {}: {}", item.index, r.message));
  }
  const std::vector<double> all = group.gather(mine);
  for (std::size_t at = 0; at + width <= all.size(); at += width) {
    AtlasPatient p;
    p.index = static_cast<long long>(all[at]);
    p.status = all[at + 1] != 0 ? "ok" : "no stable steady state";
    p.sampled.assign(all.begin() + static_cast<long>(at + 2), all.begin() + static_cast<long>(at + 2 + result.sampled.size()));
    for (std::size_t k = 0; k < knobs.size(); ++k) {
      const double* v = &all[at + 2 + result.sampled.size() + values_per_knob * k];
      p.readings.push_back(AtlasReading{.value = v[0], .fold_below = v[1], .fold_above = v[2], .distance = v[3],
                                        .bistable = v[4] != 0});
    }
    result.failed += p.status != "ok";
    result.rows.push_back(std::move(p));
  }
  for (const std::string& r : reasons) result.notes.push_back(r);
  for (std::size_t k = 0; k < knobs.size(); ++k) summarise(result, k);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock).count();
  return result;
}

}  // namespace gutskin
