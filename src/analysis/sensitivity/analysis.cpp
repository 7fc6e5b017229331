// run_sensitivity: a Study becomes a plan (the patient, the protocols, the outputs and how to
// read them), then either one simulation with forward sensitivities (local) or a design of
// parameter sets on the ensemble engine whose outputs feed the Morris or Sobol estimators.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <cmath>
#include <optional>
#include <set>

#include "analysis/sensitivity/checkpoint.hpp"
#include "analysis/sensitivity/global.hpp"
#include "analysis/sensitivity/outputs.hpp"
#include "core/limits.hpp"
#include "gutskin/diagnostics.hpp"
#include "gutskin/sensitivity.hpp"
#include "gutskin/study.hpp"
#include "trial/endpoints.hpp"
#include "trial/run_files.hpp"
#include "trial/sampling.hpp"

namespace gutskin {

void SensitivityOptions::validate() const {
  validate_options(*this);
  validate_options(solver);
  if (levels % 2 != 0) throw InputError({}, detail::option_message("levels", static_cast<long long>(levels), "must be even"));
}

namespace {

using detail::OutputSpec;

/// "a, uniform(1, 2), b" → {"a", "uniform(1, 2)", "b"}: commas inside parentheses do not split.
std::vector<std::string> split_list(const std::vector<std::string>& entries) {
  std::vector<std::string> out;
  for (const std::string& e : entries) {
    int depth = 0;
    std::string item;
    auto flush = [&] {
      const auto a = item.find_first_not_of(" \t"), b = item.find_last_not_of(" \t");
      if (a != std::string::npos) out.push_back(item.substr(a, b - a + 1));
      item.clear();
    };
    for (char c : e) {
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (c == ',' && depth == 0) flush();
      else item += c;
    }
    flush();
  }
  return out;
}

/// What each run is and how its outputs are read.
class Plan {
 public:
  Plan(const Study& study, const SensitivityOptions& options)
      : study_(study), model_(study.model->model()), options_(options) {
    Patient patient = base_patient();
    apply_settings(options.set, model_, patient);
    if (study.scenario) {
      Scenario sc = *study.scenario;
      sc.patient = patient;
      check_scenario(sc, model_);
    } else if (study.trial) {
      Trial t = *study.trial;
      t.population.patient = patient;
      check_trial(t, model_);
    }
    patient_ = patient;
    base_ = patient_parameters(model_, patient);
    read_outputs();
    make_protocols();
  }

  const Model& model() const { return model_; }
  const Patient& patient() const { return patient_; }
  const std::vector<double>& base() const { return base_; }
  const std::vector<Protocol>& protocols() const { return protocols_; }
  const std::vector<OutputSpec>& outputs() const { return outputs_; }
  const std::vector<int>& columns() const { return columns_; }
  double at() const { return at_; }
  bool trial() const { return study_.trial.has_value(); }

  /// Outputs of one item (NaN for all when a run failed): trajectory outputs for a scenario or
  /// model, arm contrasts of endpoint values for a trial.
  std::vector<double> item_outputs(const EnsembleItem& item) const {
    std::vector<double> y(outputs_.size(), NAN);
    if (item.failed() > 0 || item.runs.size() != protocols_.size()) return y;
    for (std::size_t o = 0; o < outputs_.size(); ++o) {
      if (!trial()) {
        y[o] = item.runs[0].values[o];
        continue;
      }
      const double v = item.runs[arms_[o]].values[columns_[o]];
      y[o] = outputs_[o].kind == OutputSpec::Kind::effect ? v - item.runs[reference_].values[columns_[o]] : v;
    }
    return y;
  }

  /// What a run keeps: the outputs (scenario, model) or every endpoint column (trial).
  void extract(const SimulationResult& r, RunRecord& record) const {
    if (trial()) {
      endpoints_->evaluate(r.trajectory, record.values);
      return;
    }
    record.values.resize(outputs_.size());
    for (std::size_t o = 0; o < outputs_.size(); ++o)
      record.values[o] = detail::evaluate_output(outputs_[o], r.trajectory, columns_[o], at_);
  }

 private:
  Patient base_patient() const {
    if (study_.scenario) return study_.scenario->patient;
    if (study_.trial) return study_.trial->population.patient;
    return phenotype_patient(model_, options_.phenotype, SourceLoc{"--phenotype"});
  }

  void read_outputs() {
    const SourceLoc where{"--outputs"};
    std::vector<std::string> texts = split_list(options_.outputs);
    if (texts.empty()) texts = default_outputs();
    std::vector<std::string> names;  // trajectory columns: observables, states, variables
    for (const auto& o : model_.observables) names.push_back(o.name);
    for (const auto& s : model_.states) names.push_back(s.name);
    for (const auto& v : model_.variables) names.push_back(v.name);
    for (const std::string& text : texts) {
      OutputSpec o = detail::parse_output(text, where);
      if (std::find_if(outputs_.begin(), outputs_.end(), [&](const OutputSpec& p) { return p.text == o.text; }) !=
          outputs_.end())
        throw InputError(where, fmt::format("output '{}' is listed twice", o.text));
      if (trial() != o.of_trial())
        throw InputError(where, trial() ? fmt::format("output '{}': a trial's outputs are its endpoints, as "
                                                      "effect(ENDPOINT[, ARM]) or value(ENDPOINT, ARM)", text)
                                        : fmt::format("output '{}': effect() and value() need a trial", text));
      if (trial()) {
        resolve_trial_output(o, where);
      } else {
        const auto it = std::find(names.begin(), names.end(), o.name);
        if (it == names.end()) {
          const std::string near = closest_name(o.name, names);
          throw InputError(where, fmt::format("output '{}': no observable, state or variable '{}'{}", text, o.name,
                                              near.empty() ? "" : " (did you mean '" + near + "'?)"));
        }
        const int index = static_cast<int>(it - names.begin());
        if (index >= static_cast<int>(model_.observables.size() + model_.states.size())) record_variables_ = true;
        columns_.push_back(index);
      }
      outputs_.push_back(std::move(o));
    }
  }

  std::vector<std::string> default_outputs() const {
    std::vector<std::string> out;
    if (!trial()) {
      for (const auto& o : model_.observables) out.push_back(o.name);
      if (out.empty())
        for (const auto& s : model_.states) out.push_back(s.name);
      return out;
    }
    const detail::EndpointPlan plan(*study_.trial, model_);
    const std::string reference = reference_arm();
    for (const std::string& column : plan.columns())
      for (const auto& arm : study_.trial->arms)
        if (arm.name != reference) out.push_back(fmt::format("effect({},{})", column, arm.name));
    return out;
  }

  std::string reference_arm() const {
    const Trial& t = *study_.trial;
    return t.statistics.reference.empty() ? t.arms.front().name : t.statistics.reference;
  }

  void resolve_trial_output(OutputSpec& o, const SourceLoc& where) {
    const Trial& t = *study_.trial;
    if (!endpoints_) endpoints_.emplace(t, model_);
    const auto& cols = endpoints_->columns();
    const auto col = std::find(cols.begin(), cols.end(), o.name);
    if (col == cols.end()) {
      const std::string near = closest_name(o.name, cols);
      throw InputError(where, fmt::format("output '{}': the trial has no endpoint '{}'{}", o.text, o.name,
                                          near.empty() ? "" : " (did you mean '" + near + "'?)"));
    }
    std::vector<std::string> arm_names;
    for (const auto& a : t.arms) arm_names.push_back(a.name);
    const std::string reference = reference_arm();
    reference_ = static_cast<int>(std::find(arm_names.begin(), arm_names.end(), reference) - arm_names.begin());
    if (o.arm.empty()) {
      const auto other = std::find_if(arm_names.begin(), arm_names.end(), [&](const auto& a) { return a != reference; });
      if (other == arm_names.end())
        throw InputError(where, fmt::format("output '{}': the trial has one arm, nothing to contrast", o.text));
      o.arm = *other;
    }
    const auto arm = std::find(arm_names.begin(), arm_names.end(), o.arm);
    if (arm == arm_names.end()) {
      const std::string near = closest_name(o.arm, arm_names);
      throw InputError(where, fmt::format("output '{}': the trial has no arm '{}'{}", o.text, o.arm,
                                          near.empty() ? "" : " (did you mean '" + near + "'?)"));
    }
    columns_.push_back(static_cast<int>(col - cols.begin()));
    arms_.push_back(static_cast<int>(arm - arm_names.begin()));
  }

  /// Scenario: its grid; model: 200 intervals over the duration. Either way with every time an
  /// output reads added, so values are never interpolated.
  void make_protocols() {
    const SolverOptions scenario_solver = study_.scenario ? study_.scenario->solver
                                          : study_.trial  ? study_.trial->solver
                                                          : SolverOptions{};
    const SolverOptions solver = overlay_options(scenario_solver, options_.solver);
    if (trial()) {
      protocols_ = detail::arm_protocols(*study_.trial, model_, *endpoints_, solver);
      return;
    }
    SimulateOptions sim;
    sim.solver = solver;
    sim.record_variables = record_variables_;
    InputSchedule schedule = default_schedule(model_);
    double end = 0;
    if (study_.scenario) {
      Scenario sc = *study_.scenario;
      sc.patient = patient_;
      schedule = build_schedule(sc, model_);
      sim.output_times = sc.output_times;
      end = sc.output_times.back();
    } else {
      if (!options_.duration && !options_.at)
        throw InputError(SourceLoc{"--duration"},
                         fmt::format("model '{}' has no scenario: give --duration (days to simulate) or --at", model_.name));
      end = options_.duration.value_or(*options_.at);
      for (int i = 0; i <= 200; ++i) sim.output_times.push_back(end * i / 200);
    }
    sim.t_start = sim.output_times.front();
    at_ = options_.at.value_or(end);
    std::vector<double> needed{at_};
    bool summaries = false;  // they read the whole grid; values at times need only those times
    for (const auto& o : outputs_) {
      if (o.kind == OutputSpec::Kind::at && o.time >= 0) needed.push_back(o.time);
      summaries |= o.kind != OutputSpec::Kind::at;
    }
    if (!summaries && options_.method != SensitivityMethod::local) sim.output_times = {sim.t_start};
    for (double t : needed) {
      if (t < sim.t_start || t > end)
        throw InputError(SourceLoc{"--outputs"}, fmt::format("time {:g} days is outside the run ({:g} to {:g} days)", t,
                                                             sim.t_start, end));
      sim.output_times.push_back(t);
    }
    std::sort(sim.output_times.begin(), sim.output_times.end());
    sim.output_times.erase(std::unique(sim.output_times.begin(), sim.output_times.end()), sim.output_times.end());
    protocols_.push_back({.name = study_.scenario ? study_.scenario->name : model_.name,
                          .schedule = std::move(schedule),
                          .options = std::move(sim)});
  }

  const Study& study_;
  const Model& model_;
  const SensitivityOptions& options_;
  Patient patient_;
  std::vector<double> base_;
  std::vector<OutputSpec> outputs_;
  std::vector<int> columns_;  // trajectory column, or endpoint column (trial)
  std::vector<int> arms_;     // trial: the arm each output reads
  int reference_ = 0;
  std::optional<detail::EndpointPlan> endpoints_;
  std::vector<Protocol> protocols_;
  bool record_variables_ = false;
  double at_ = NAN;
};

std::string bounds_text(const Parameter& p) {
  return fmt::format("[{:g}, {:g}]", p.lower.value_or(-INFINITY), p.upper.value_or(INFINITY));
}

/// The parameters a global analysis varies, with their distributions.
std::vector<SensitivityParameter> global_parameters(const Plan& plan, const Study& study,
                                                    const std::vector<std::string>& entries) {
  const std::vector<std::string> specs = split_list(entries);
  const Model& model = plan.model();
  Population population = study.trial ? study.trial->population : Population{};
  population.patient = plan.patient();
  const detail::PopulationSampler sampler(model, population);
  // The model's own distribution of parameter k, if it has one.
  auto model_distribution = [&](int k) -> std::optional<Distribution> {
    const Parameter& p = model.parameters[k];
    Distribution d;
    d.lower = p.lower.value_or(-INFINITY), d.upper = p.upper.value_or(INFINITY);
    for (const auto& v : sampler.varying()) {
      if (v.index != k) continue;
      d.kind = v.normal ? Distribution::Kind::normal : Distribution::Kind::lognormal;
      d.a = v.median, d.b = v.normal ? v.spread * v.median : v.spread;
      d.text = fmt::format("{}({:g}, {:g}) (population spread)", v.normal ? "normal" : "lognormal", d.a, d.b);
      return d;
    }
    if (study.trial || !p.lower || !p.upper || !(*p.lower < *p.upper)) return std::nullopt;
    d.kind = Distribution::Kind::uniform;
    d.a = *p.lower, d.b = *p.upper;
    d.text = fmt::format("uniform({:g}, {:g}) (model bounds)", d.a, d.b);
    return d;
  };
  auto make = [&](int k, Distribution d) {
    return SensitivityParameter{.name = model.parameters[k].name, .index = k, .value = plan.base()[k],
                                .distribution = std::move(d)};
  };
  std::vector<SensitivityParameter> out;
  const bool all = specs.empty() || (specs.size() == 1 && specs[0] == "all");
  if (all) {
    for (int k = 0; k < static_cast<int>(model.parameters.size()); ++k)
      if (!model.parameters[k].initial)
        if (auto d = model_distribution(k)) out.push_back(make(k, *d));
    if (out.empty())
      throw InputError(SourceLoc{"--parameters"},
                       study.trial ? "no parameter varies in this trial's population: name them with distributions, "
                                     "name=uniform(a,b)"
                                   : "no parameter has a spread or bounds in the model: name them with distributions, "
                                     "name=uniform(a,b)");
    return out;
  }
  std::vector<std::string> names;
  for (const auto& p : model.parameters) names.push_back(p.name);
  for (const std::string& spec : specs) {
    const SourceLoc where{"--parameters"};
    const auto eq = spec.find('=');
    const std::string name = spec.substr(0, eq);
    const int k = model.parameter_index(name);
    if (k < 0) {
      const std::string near = closest_name(name, names);
      throw InputError(where, fmt::format("unknown parameter '{}'{}", name, near.empty() ? "" : " (did you mean '" + near + "'?)"));
    }
    const Parameter& p = model.parameters[k];
    if (p.initial) throw InputError(where, fmt::format("parameter '{}' is computed by an initial assignment: vary what it is computed from", name));
    if (std::any_of(out.begin(), out.end(), [&](const auto& q) { return q.index == k; }))
      throw InputError(where, fmt::format("parameter '{}' is listed twice", name));
    if (eq == std::string::npos) {
      auto d = model_distribution(k);
      if (!d)
        throw InputError(where, fmt::format("parameter '{}' has no spread{} in the model: give one, {}=uniform(a,b)", name,
                                            study.trial ? " in this population" : " or bounds", name));
      out.push_back(make(k, *d));
      continue;
    }
    Distribution d = parse_distribution(spec.substr(eq + 1), where);
    d.lower = p.lower.value_or(-INFINITY), d.upper = p.upper.value_or(INFINITY);
    const bool bounded = d.kind == Distribution::Kind::uniform || d.kind == Distribution::Kind::loguniform;
    if (bounded && (d.a < d.lower || d.b > d.upper))
      throw InputError(where, fmt::format("'{}': reaches outside the bounds of '{}' {}", spec, name, bounds_text(p)));
    out.push_back(make(k, std::move(d)));
  }
  return out;
}

/// Local: the named parameters, or every free one that acts on something.
std::vector<SensitivityParameter> local_parameters(const Plan& plan, const CompiledModel& cm,
                                                   const std::vector<std::string>& entries,
                                                   std::vector<std::string>& notes) {
  const std::vector<std::string> specs = split_list(entries);
  const Model& model = plan.model();
  std::set<std::string> in_assignments;
  for (const auto& p : model.parameters)
    if (p.initial) collect_symbols(p.initial, in_assignments);
  std::vector<SensitivityParameter> out;
  auto add = [&](int k) {
    out.push_back({.name = model.parameters[k].name, .index = k, .value = plan.base()[k], .distribution = {}});
  };
  const bool all = specs.empty() || (specs.size() == 1 && specs[0] == "all");
  if (!all) {
    std::vector<std::string> names;
    for (const auto& p : model.parameters) names.push_back(p.name);
    for (const std::string& name : specs) {
      if (name.find('=') != std::string::npos)
        throw InputError(SourceLoc{"--parameters"},
                         fmt::format("'{}': local sensitivities take parameter names; distributions are for morris and sobol", name));
      const int k = model.parameter_index(name);
      if (k < 0) {
        const std::string near = closest_name(name, names);
        throw InputError(SourceLoc{"--parameters"},
                         fmt::format("unknown parameter '{}'{}", name, near.empty() ? "" : " (did you mean '" + near + "'?)"));
      }
      add(k);  // the simulator refuses initial-assignment parameters, with the reason
    }
    return out;
  }
  // Structurally inert parameters (no entry in ∂f/∂p, ∂y/∂p or ∂x0/∂p) are left out.
  Workspace ws = cm.make_workspace();
  cm.set_parameters(ws, plan.base().data());
  std::vector<double> x0(cm.n_states()), dx0dp(static_cast<std::size_t>(cm.n_states()) * cm.n_parameters());
  const std::vector<double> u0(cm.n_inputs(), 0.0);
  cm.initial_state(0.0, u0.data(), x0.data(), ws);
  cm.initial_state_jacobian(0.0, u0.data(), dx0dp.data(), ws);
  const SparsePattern &fp = cm.rhs_parameter_pattern(), &yp = cm.observable_parameter_pattern();
  int inert = 0;
  for (int k = 0; k < cm.n_parameters(); ++k) {
    const Parameter& p = model.parameters[k];
    if (p.initial || in_assignments.contains(p.name)) continue;
    const bool acts = fp.col_ptr[k + 1] > fp.col_ptr[k] || yp.col_ptr[k + 1] > yp.col_ptr[k] ||
                      std::any_of(dx0dp.begin() + static_cast<std::size_t>(k) * cm.n_states(),
                                  dx0dp.begin() + static_cast<std::size_t>(k + 1) * cm.n_states(),
                                  [](double v) { return v != 0.0; });
    if (acts) add(k);
    else ++inert;
  }
  if (inert > 0) notes.push_back(fmt::format("{} parameter(s) act on no state or observable and were left out", inert));
  if (!in_assignments.empty() || std::any_of(model.parameters.begin(), model.parameters.end(), [](const auto& p) { return bool(p.initial); }))
    notes.push_back("parameters computed by, or used in, initial assignments are left out (∂f/∂p does not follow them)");
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void run_local(const Study& study, const Plan& plan, const SensitivityOptions& options, const RunControl& control,
               SensitivityResult& result) {
  if (plan.trial())
    throw InputError(SourceLoc{"--method"}, "local sensitivities run on a model or scenario; for a trial use morris or sobol");
  const int trajectory_columns = static_cast<int>(plan.model().observables.size() + plan.model().states.size());
  for (std::size_t o = 0; o < plan.outputs().size(); ++o)
    if (plan.outputs()[o].kind != OutputSpec::Kind::at || plan.columns()[o] >= trajectory_columns)
      throw InputError(SourceLoc{"--outputs"},
                       fmt::format("output '{}': local sensitivities are of observables and states over time; "
                                   "summaries and variables need morris or sobol", plan.outputs()[o].text));
  if (!plan.model().events.empty() || study.model->n_delays() > 0)
    throw InputError(SourceLoc{"--method"}, fmt::format("local sensitivities do not follow event jumps or delays, which "
                                                        "model '{}' has; use morris or sobol", plan.model().name));
  const CompiledModel& cm = *study.model;
  result.parameters = local_parameters(plan, cm, options.parameters, result.notes);
  const Protocol& protocol = plan.protocols().front();
  SimulateOptions sim = protocol.options;
  sim.record_variables = false;
  Simulator simulator(cm);
  auto start = std::chrono::steady_clock::now();
  simulator.run(plan.base(), protocol.schedule, sim, control);  // timed: the cost to compare with
  result.seconds_per_run = seconds_since(start);
  for (const auto& p : result.parameters) sim.sensitivity_parameters.push_back(p.index);
  sim.sensitivity_error_control = options.error_control;
  start = std::chrono::steady_clock::now();
  const SimulationResult r = simulator.run(plan.base(), protocol.schedule, sim, control);
  result.wall_seconds = seconds_since(start);
  result.runs = 2;
  result.stopped = r.summary.termination == Termination::cancelled;
  if (!r.summary.ok() && !result.stopped) {  // the rows before the failure are kept
    result.failed_runs = 1;
    result.failures.push_back(r.summary.brief());
  }
  result.times = r.trajectory.times;
  const std::size_t np = result.parameters.size();
  for (std::size_t o = 0; o < plan.outputs().size(); ++o) {
    const int col = plan.columns()[o];
    LocalOutput out;
    out.output = plan.outputs()[o].text;
    for (std::size_t row = 0; row < r.trajectory.times.size(); ++row) {
      const double y = r.trajectory.at(row, col);
      out.value.push_back(y);
      for (std::size_t k = 0; k < np; ++k) {
        const double d = r.sensitivities.at(row, col, k);
        out.raw.push_back(d);
        out.normalised.push_back(y != 0 ? d * result.parameters[k].value / y : NAN);
      }
    }
    result.local.push_back(std::move(out));
  }
}

std::vector<long long> convergence_steps(long long n, long long smallest) {
  std::vector<long long> steps;
  for (long long d : {8, 4, 2, 1})
    if (n / d >= smallest && (steps.empty() || steps.back() != n / d)) steps.push_back(n / d);
  return steps;
}

/// What a resumed run must share with the one it continues.
std::string manifest_text(const Study& study, const Plan& plan, const SensitivityOptions& options,
                          const SensitivityResult& result, int processes) {
  std::string s = "format: gutskin-sensitivity-run 2\n";  // 2: records carry a checksum
  s += "study file: " + detail::file_fingerprint(study.path) + "\n";
  for (const auto& f : plan.model().files) s += "model file " + f.filename().string() + ": " + detail::file_fingerprint(f) + "\n";
  s += fmt::format("method: {}\nsamples: {}\nlevels: {}\nseed: {}\nprocesses: {}\n",
                   options.method == SensitivityMethod::sobol ? "sobol" : "morris", result.samples, options.levels,
                   options.seed, processes);
  for (const auto& p : result.parameters) s += fmt::format("parameter {}: {:.17g}, {}\n", p.name, p.value, p.distribution.text);
  for (const auto& o : plan.outputs()) s += "output: " + o.text + "\n";
  s += fmt::format("at: {:.17g}\n", plan.at());
  std::string solver;
  for (const auto& o : non_default_options(plan.protocols().front().options.solver)) solver += (solver.empty() ? "" : " ") + o;
  s += "solver: " + (solver.empty() ? std::string("defaults") : solver) + "\n";
  return s;
}

void run_global(const Study& study, const Plan& plan, const SensitivityOptions& options, const RunControl& control,
                const ProcessGroup& group, SensitivityResult& result) {
  result.parameters = global_parameters(plan, study, options.parameters);
  const int k = static_cast<int>(result.parameters.size());
  const bool sobol = options.method == SensitivityMethod::sobol;
  const long long n = options.samples > 0 ? options.samples : sobol ? 512 : 20;
  result.samples = n;
  const double runs = static_cast<double>(n) * (sobol ? k + 2 : k + 1);  // before the design is built
  detail::check_result_size(runs * (static_cast<double>(plan.outputs().size()) + k),
                            fmt::format("{:.3g} runs × ({} outputs + {} parameters)", runs, plan.outputs().size(), k),
                            "fewer --samples, --parameters or --outputs", SourceLoc{"--samples"});
  std::optional<detail::SaltelliDesign> saltelli;
  std::optional<detail::MorrisDesign> morris;
  if (sobol) saltelli.emplace(k, n);
  else morris.emplace(k, static_cast<int>(n), options.levels, options.seed);
  const long long points = sobol ? saltelli->points() : morris->points();
  if (sobol && (n & (n - 1)) != 0)
    result.notes.push_back(fmt::format("N = {} is not a power of 2: the Sobol sequence is balanced only at powers of 2", n));
  if (study.trial && !study.trial->population.correlations.empty())
    result.notes.push_back("the population's correlations are not used: the indices assume independent parameters");

  const std::size_t n_out = plan.outputs().size();
  EnsembleSpec spec;
  spec.size = points;
  spec.unit = "samples";
  spec.protocols = plan.protocols();
  spec.parameters = [&](long long i) {
    std::vector<double> p = plan.base(), u(k);
    if (sobol) saltelli->point(i, u.data());
    else morris->point(i, u.data());
    for (int j = 0; j < k; ++j) p[result.parameters[j].index] = result.parameters[j].distribution.quantile(u[j]);
    return p;
  };
  spec.extract = [&](std::size_t, const SimulationResult& r, RunRecord& record) { plan.extract(r, record); };
  spec.keep_items = false;
  const long long first = range_start(points, group.rank(), group.size());
  const long long last = range_start(points, group.rank() + 1, group.size());
  std::vector<double> mine(static_cast<std::size_t>(last - first) * n_out, NAN);  // NaN: failed or not run
  long long failed_runs = 0;
  std::unique_ptr<detail::SensitivityCheckpoint> checkpoint;
  if (!options.checkpoint_dir.empty()) {
    checkpoint = std::make_unique<detail::SensitivityCheckpoint>(
        options.checkpoint_dir, manifest_text(study, plan, options, result, group.size()), options.resume, first, n_out,
        group);
    spec.done_before = checkpoint->done();
    failed_runs = checkpoint->failed_runs();
    if (checkpoint->damaged_at() >= 0)
      result.notes.push_back(fmt::format("the checkpoint in {} is damaged at design point {} (its record fails its "
                                         "checksum): kept the {} intact points before it, ran it and the rest again",
                                         options.checkpoint_dir.string(), checkpoint->damaged_at(), checkpoint->done()));
    std::copy(checkpoint->values().begin(), checkpoint->values().end(), mine.begin());
  } else if (options.resume) {
    throw InputError(SourceLoc{}, "option 'resume': needs a checkpoint folder to resume from");
  }
  spec.on_item = [&](const EnsembleItem& item) {
    const std::vector<double> y = plan.item_outputs(item);
    std::copy(y.begin(), y.end(), mine.begin() + (item.index - first) * static_cast<long long>(n_out));
    long long failed = 0;
    for (std::size_t a = 0; a < item.runs.size(); ++a) {
      if (item.runs[a].ok()) continue;
      ++failed;
      if (result.failures.size() < 5)
        result.failures.push_back(fmt::format("sample {}{}: {}: {}", item.index,
                                              spec.protocols.size() > 1 ? " (" + spec.protocols[a].name + ")" : "",
                                              item.runs[a].status, item.runs[a].message));
    }
    failed_runs += failed;
    if (checkpoint) checkpoint->append(item.index, failed, y);
  };
  RunControl ensemble_control = control;
  if (checkpoint) {  // flush at every progress report: a kill loses at most an interval
    ensemble_control.progress = [&](const Progress& p) {
      checkpoint->flush();
      return control.progress ? control.progress(p) : CallbackResult::proceed;
    };
  }
  const EnsembleResult er =
      run_ensemble(*study.model, spec, EnsembleOptions{.threads = options.threads}, ensemble_control, group);
  if (checkpoint) checkpoint->close();
  result.threads = er.threads;
  result.processes = group.size();
  result.wall_seconds = er.wall_seconds;
  result.resumed = group.sum(spec.done_before);
  result.runs = group.sum(spec.done_before + er.done_this_run) * static_cast<long long>(spec.protocols.size());
  result.failed_runs = group.sum(failed_runs);
  result.stopped = group.sum(er.stopped ? 1 : 0) > 0;
  const std::vector<double> all = group.gather(mine);

  for (std::size_t o = 0; o < n_out; ++o) {
    std::vector<double> y(static_cast<std::size_t>(points));
    for (long long i = 0; i < points; ++i) y[i] = all[i * n_out + o];
    OutputIndices out;
    out.output = plan.outputs()[o].text;
    out.parameters.resize(k);
    if (sobol) {
      const auto s = detail::sobol_indices(y, k, n, options.bootstrap, options.confidence, options.seed);
      out.mean = s.mean, out.variance = s.variance, out.used = s.blocks_used, out.failed = s.blocks_failed;
      for (int j = 0; j < k; ++j)
        out.parameters[j] = {.S1 = s.S1[j], .S1_low = s.S1_low[j], .S1_high = s.S1_high[j],
                             .ST = s.ST[j], .ST_low = s.ST_low[j], .ST_high = s.ST_high[j]};
      for (long long m : convergence_steps(n, 4)) {
        const auto c = detail::sobol_indices(y, k, m, 0, options.confidence, options.seed);
        out.convergence.push_back({.samples = m, .S1 = c.S1, .ST = c.ST});
      }
    } else {
      const auto m = detail::morris_indices(y, *morris, n, options.bootstrap, options.confidence, options.seed);
      out.used = m.trajectories_used, out.failed = m.trajectories_failed;
      double sum = 0, sq = 0;
      long long finite = 0;
      for (double v : y)
        if (std::isfinite(v)) sum += v, sq += v * v, ++finite;
      if (finite > 1) out.mean = sum / finite, out.variance = (sq - sum * sum / finite) / (finite - 1);
      for (int j = 0; j < k; ++j)
        out.parameters[j] = {.mu = m.mu[j], .mu_star = m.mu_star[j], .mu_star_low = m.mu_star_low[j],
                             .mu_star_high = m.mu_star_high[j], .sigma = m.sigma[j]};
      for (long long r : convergence_steps(n, 2)) {
        const auto c = detail::morris_indices(y, *morris, r, 0, options.confidence, options.seed);
        out.convergence.push_back({.samples = r, .S1 = c.mu_star, .ST = {}});
      }
    }
    result.indices.push_back(std::move(out));
  }
}

}  // namespace

SensitivityResult run_sensitivity(const Study& study, const SensitivityOptions& options, const RunControl& control,
                                  const ProcessGroup& group) {
  options.validate();
  if (!study.model) throw InputError(SourceLoc{study.path.string()}, "nothing to analyse: no model");
  const Plan plan(study, options);
  SensitivityResult result;
  result.method = options.method;
  result.model = plan.model().name;
  result.study = study.scenario ? study.scenario->name : study.trial ? study.trial->name : plan.model().name;
  for (const auto& o : plan.outputs()) result.outputs.push_back(o.text);
  result.at = plan.trial() ? NAN : plan.at();
  result.time_unit = plan.model().time_unit.text;
  if (options.method == SensitivityMethod::local) run_local(study, plan, options, control, result);
  else run_global(study, plan, options, control, group, result);
  return result;
}

}  // namespace gutskin
