// continue_equilibria: pseudo-arclength continuation of the steady-state system in one parameter
// or input, with folds and Hopf points located by bisection along the branch.
#include "gutskin/continuation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "analysis/steady/system.hpp"
#include "core/limits.hpp"
#include "gutskin/errors.hpp"
#include "gutskin/study.hpp"

namespace gutskin {

void ContinuationOptions::validate() const {
  if (parameter.empty()) throw InputError({}, "option 'parameter' is empty: name the parameter or input to vary");
  for (const auto& [name, v] : {std::pair{"from", from}, std::pair{"to", to}}) {
    if (!v) throw InputError({}, fmt::format("option '{}' is missing: give the {} value of the parameter", name,
                                             std::string(name) == "from" ? "start" : "end"));
    if (!std::isfinite(*v)) throw InputError({}, detail::option_message(name, *v, "must be finite"));
  }
  validate_options(*this);
  validate_options(solver);
  if (*from == *to) throw InputError({}, detail::option_message("to", *to, "must differ from 'from'"));
}

namespace {

/// A branch point; the system holds its parameter value.
ContinuationPoint as_point(double value, const Equilibrium& e, detail::SteadySystem& system) {
  ContinuationPoint p{.value = value, .state = e.state, .stable = e.stable, .max_real_eigenvalue = e.max_real_eigenvalue};
  p.observables.resize(system.model().n_observables());
  system.observables(e.state.data(), p.observables.data());
  return p;
}

/// --second, checked before the branch is traced: the knob, distinct from the first, and its
/// range, which must hold its value at the start.
detail::Knob second_knob(const Model& model, const detail::Knob& first, const detail::SteadyStart& start,
                         const ContinuationOptions& options) {
  const detail::Knob second = detail::resolve_knob(model, options.second, SourceLoc{"--second"});
  const double mu = second.input ? start.u[second.index] : start.parameters[second.index];
  if (second.input == first.input && second.index == first.index)
    throw InputError(SourceLoc{"--second"}, fmt::format("'{}' is the first parameter too: name another", options.second));
  if (!options.from2 || !options.to2)
    throw InputError(SourceLoc{"--second"}, "a second parameter needs its range: --from2 and --to2");
  const double lo = std::min(*options.from2, *options.to2), hi = std::max(*options.from2, *options.to2);
  if (!(mu >= lo && mu <= hi))
    throw InputError(SourceLoc{"--second"}, fmt::format("'{}' is {:g} here, outside --from2 .. --to2 ({:g} .. {:g}): the "
                                                        "fold curve starts at its value", options.second, mu, lo, hi));
  return second;
}

/// --second: every fold continued in both parameters, both ways from where it was found, unless
/// an earlier fold's curve already passed through it.
void trace_folds(detail::SteadySystem& system, const detail::Knob& first, const detail::Knob& second,
                 const ContinuationOptions& options, ContinuationResult& result) {
  result.second_label = second.label;
  result.second_unit = second.unit;
  const double mu = detail::knob_value(system, second);
  const double lo = std::min(*options.from2, *options.to2), hi = std::max(*options.from2, *options.to2);
  std::vector<const Bifurcation*> folds;
  for (const Bifurcation& b : result.bifurcations)
    if (b.kind == "fold") folds.push_back(&b);
  if (folds.empty()) {
    result.notes.push_back("no fold on the branch: nothing to continue in " + options.second);
    return;
  }
  const detail::FoldCurveSettings settings{.lambda_lo = std::min(*options.from, *options.to),
                                           .lambda_hi = std::max(*options.from, *options.to),
                                           .mu_lo = lo,
                                           .mu_hi = hi,
                                           .tolerance = options.tolerance,
                                           .step = options.branch_step,
                                           .max_points = options.max_points};
  int curve_index = 0;
  auto row = [&](const char* kind, const detail::FoldPoint& p) {
    Bifurcation b;
    b.kind = kind;
    b.value = p.lambda;
    b.state = p.x;
    b.second_parameter = second.name;
    b.second_value = p.mu;
    b.curve = curve_index;
    return b;
  };
  // A fold is on a curve already traced when a segment of that curve crosses the second
  // parameter's value within the box of its two ends (widened by a tenth, and by the corrector's
  // accuracy) in the first parameter and every state: two distinct folds are that close only if
  // the curve's steps are as long as the gap between them.
  auto within = [](double v, double a, double b) {
    const double margin = 0.1 * std::abs(b - a) + 1e-6 * std::max({1.0, std::abs(a), std::abs(b)});
    return v >= std::min(a, b) - margin && v <= std::max(a, b) + margin;
  };
  auto traced = [&](const Bifurcation& fold) {
    for (std::size_t k = 0; k + 1 < result.fold_curve.size(); ++k) {
      const Bifurcation &a = result.fold_curve[k], &b = result.fold_curve[k + 1];
      if (a.kind != "fold" || b.kind != "fold" || a.curve != b.curve) continue;
      if ((a.second_value - mu) * (b.second_value - mu) > 0) continue;  // the segment does not span mu
      bool inside = within(fold.value, a.value, b.value);
      for (std::size_t i = 0; inside && i < fold.state.size(); ++i) inside = within(fold.state[i], a.state[i], b.state[i]);
      if (inside) return true;
    }
    return false;
  };
  for (const Bifurcation* fold : folds) {
    if (traced(*fold)) {
      result.notes.push_back(fmt::format("the fold at {} = {:.10g} lies on an earlier fold curve", first.label, fold->value));
      continue;
    }
    for (const double direction : {-1.0, 1.0}) {
      detail::set_knob(system, second, mu);
      const detail::FoldCurve curve = detail::trace_fold_curve(system, first, second, fold->state, fold->value, direction, settings);
      std::vector<Bifurcation> part;
      for (const detail::FoldPoint& p : curve.points) part.push_back(row("fold", p));
      if (direction < 0) std::reverse(part.begin(), part.end());  // one curve, in increasing order along it
      if (direction > 0 && !part.empty()) part.erase(part.begin());  // the start is already there
      result.fold_curve.insert(result.fold_curve.end(), part.begin(), part.end());
      for (const detail::FoldPoint& c : curve.cusps) result.fold_curve.push_back(row("cusp", c));
      result.notes.push_back(fmt::format("fold curve from {} = {:.10g} towards {} {}: {}", first.label, fold->value,
                                         direction > 0 ? "higher" : "lower", second.label, curve.end));
    }
    ++curve_index;
  }
  detail::set_knob(system, second, mu);
}

}  // namespace

ContinuationResult continue_equilibria(const Study& study, const ContinuationOptions& options, const RunControl& control) {
  const auto clock = std::chrono::steady_clock::now();
  options.validate();
  const CompiledModel& cm = *study.model;
  const Model& model = cm.model();
  const detail::Knob knob = detail::resolve_knob(model, options.parameter, SourceLoc{"--parameter"});
  detail::SteadyStart start = detail::steady_start(study, options.phenotype, options.set, options.inputs, options.solver);
  if (knob.input) start.u[knob.index] = *options.from;
  else start.parameters[knob.index] = *options.from;
  std::optional<detail::Knob> second;
  if (!options.second.empty()) second = second_knob(model, knob, start, options);

  ContinuationResult result;
  result.study = detail::study_name(study);
  result.model = model.name;
  result.parameter = knob.name;
  result.parameter_label = knob.label;
  result.parameter_unit = knob.unit;
  for (const auto& s : model.states) result.states.push_back(s.name);
  for (const auto& o : model.observables) result.observables.push_back(o.name);
  result.time_unit = model.time_unit.text;
  result.notes = start.notes;

  detail::SteadySystem system(cm, start.parameters, start.u, start.t, options.solver.atol);
  system.find_conservation_laws(start.x);
  const detail::SearchSettings settings = detail::search_settings(options.tolerance, options.max_time, options.solver);
  Simulator simulator(cm);
  std::string why;
  const std::optional<Equilibrium> first = detail::find_equilibrium(system, start.x, settings, &simulator, why);
  if (!first)
    throw SolverError(fmt::format("no equilibrium found at {} = {:g} to start the branch from: {}", knob.label,
                                  *options.from, why));
  for (const ConservationLaw& law : system.laws()) result.notes.push_back("conservation law: " + law.text);

  detail::BranchSettings branch_settings;
  branch_settings.from = *options.from;
  branch_settings.to = *options.to;
  branch_settings.lower = *options.from;
  branch_settings.upper = *options.to;
  branch_settings.step = options.branch_step;
  branch_settings.max_points = options.max_points;
  detail::check_result_size(static_cast<double>(options.max_points) * (model.states.size() + model.observables.size() + 2),
                            fmt::format("{} points × ({} states + {} observables)", options.max_points,
                                        model.states.size(), model.observables.size()),
                            "fewer --max-points", SourceLoc{"--max-points"});
  branch_settings.tolerance = options.tolerance;
  branch_settings.non_negative = options.solver.non_negative;
  branch_settings.newton = settings.newton;
  const detail::Branch branch = detail::trace_branch(system, knob, *first, branch_settings, control);
  for (const detail::BranchPoint& p : branch.points) {
    detail::set_knob(system, knob, p.value);
    result.branch.push_back(as_point(p.value, p.equilibrium, system));
  }
  for (const detail::BranchEvent& e : branch.events) {
    Bifurcation b;
    b.kind = e.kind;
    b.value = e.value;
    b.state = e.equilibrium.state;
    b.observables.resize(cm.n_observables());
    detail::set_knob(system, knob, e.value);
    system.observables(b.state.data(), b.observables.data());
    b.frequency = e.frequency;
    b.point = e.point;
    result.bifurcations.push_back(std::move(b));
  }
  result.end = branch.end;
  if (second) trace_folds(system, knob, *second, options, result);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock).count();
  return result;
}

}  // namespace gutskin
