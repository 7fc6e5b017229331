// The use cases behind every front end: open, check, run a scenario, simulate, run a trial.
#include "gutskin/study.hpp"

#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/limits.hpp"
#include "core/text_files.hpp"

namespace fs = std::filesystem;

namespace gutskin {

namespace {

std::string count(std::size_t n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); }

}  // namespace

std::string model_counts(const Model& m) {
  return fmt::format("{}, {}, {}, {}, {}, {}, {}", count(m.states.size(), "state"),
                     count(m.parameters.size(), "parameter"), count(m.inputs.size(), "input"),
                     count(m.variables.size(), "variable"), count(m.observables.size(), "observable"),
                     count(m.events.size(), "event"), count(m.phenotypes.size(), "phenotype"));
}

std::string Study::name() const {
  return scenario ? scenario->name : trial ? trial->name : model->model().name;
}

std::string Study::headline() const {
  const Model& m = model->model();
  const std::string on_model = fmt::format("model '{}' ({})", m.name, model_counts(m));
  switch (kind) {
    case FileKind::model: return on_model;
    case FileKind::scenario:
      return fmt::format("scenario '{}' ({} days, {}, {}) on {}", scenario->name, scenario->duration,
                         count(scenario->output_times.size(), "output time"),
                         count(scenario->timeline.size(), "intervention"), on_model);
    case FileKind::trial:
      return fmt::format("trial '{}' ({}, {}, {}, {} days) on {}", trial->name, count(trial->arms.size(), "arm"),
                         count(trial->endpoints.size(), "endpoint"),
                         count(static_cast<std::size_t>(trial->population.patients), "patient"), trial->duration, on_model);
  }
  return on_model;
}

Study open(const std::string& name_or_path, const Catalog& catalog, std::optional<FileKind> kind) {
  static const char* const kind_names[] = {"model", "scenario", "trial"};
  Study s;
  s.path = kind ? catalog.resolve(name_or_path, kind_names[static_cast<int>(*kind)]) : catalog.locate(name_or_path);
  s.kind = detect_file_kind(s.path);
  if (kind && s.kind != *kind)
    throw InputError(SourceLoc{s.path.string()},
                     fmt::format("expected a {} file, got a {} file", kind_names[static_cast<int>(*kind)],
                                 kind_names[static_cast<int>(s.kind)]));
  switch (s.kind) {
    case FileKind::model:
      s.model = std::make_shared<const CompiledModel>(load_model(s.path));  // what compiles is what runs
      break;
    case FileKind::scenario: {
      s.scenario = load_scenario(s.path, catalog);
      Model model = load_model(s.scenario->model_path);
      check_scenario(*s.scenario, model);
      s.model = std::make_shared<const CompiledModel>(std::move(model));
      break;
    }
    case FileKind::trial: {
      s.trial = load_trial(s.path, catalog);
      Model model = load_model(s.trial->model_path);
      check_trial(*s.trial, model);
      s.model = std::make_shared<const CompiledModel>(std::move(model));
      break;
    }
  }
  return s;
}

std::string check(const std::string& name_or_path, const Catalog& catalog) {
  return "ok: " + open(name_or_path, catalog).headline();
}

std::string describe(const Study& study) {
  const std::string model = model_to_json(study.model->model());
  if (study.kind == FileKind::model) return model;
  const bool is_scenario = study.kind == FileKind::scenario;
  nlohmann::ordered_json j;
  j["kind"] = is_scenario ? "scenario" : "trial";
  j["name"] = is_scenario ? study.scenario->name : study.trial->name;
  j["headline"] = study.headline();
  j["model"] = nlohmann::ordered_json::parse(model);
  return j.dump(2);
}

Patient phenotype_patient(const Model& model, const std::string& phenotype, const SourceLoc& where) {
  Patient patient;
  patient.phenotype = phenotype;
  if (!phenotype.empty() && !model.phenotype(phenotype)) {
    std::vector<std::string> names;
    for (const Phenotype& p : model.phenotypes) names.push_back(p.name);
    const std::string near = closest_name(phenotype, names);
    throw InputError(where, fmt::format("unknown phenotype '{}'{}", phenotype,
                                        near.empty() ? "" : " (did you mean '" + near + "'?)"));
  }
  return patient;
}

namespace {

/// Reads `name=value` settings of one kind of name ("parameter", "input"; `a_kind` "a parameter"):
/// unknown names get a "did you mean", bad numbers say what was expected; `set` takes each good one.
template <class Set>
void read_settings(const std::vector<std::string>& settings, const char* kind, const char* a_kind,
                   const std::vector<std::string>& names, const SourceLoc& where, Set set) {
  DiagnosticSink sink;
  auto trim = [](std::string t) {
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.erase(t.begin());
    return t;
  };
  for (const std::string& s : settings) {
    const auto eq = s.find('=');
    const std::string name = trim(eq == std::string::npos ? s : s.substr(0, eq));
    const std::string text = eq == std::string::npos ? "" : trim(s.substr(eq + 1));
    if (eq == std::string::npos || name.empty() || text.empty()) {
      sink.error(where, fmt::format("'{}': expected name=value ({} and a number in its unit)", s, a_kind));
      continue;
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      const std::string near = closest_name(name, names);
      sink.error(where, fmt::format("unknown {} '{}'{}", kind, name, near.empty() ? "" : " (did you mean '" + near + "'?)"));
      continue;
    }
    std::size_t used = 0;
    double value = 0;
    try {
      value = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || !std::isfinite(value)) {
      sink.error(where, fmt::format("'{}': expected a finite number for '{}', got '{}'", s, name, text));
      continue;
    }
    set(name, value);
  }
  sink.throw_if_any();
}

}  // namespace

void apply_settings(const std::vector<std::string>& settings, const Model& model, Patient& patient,
                    const SourceLoc& where) {
  std::vector<std::string> names;
  for (const auto& p : model.parameters) names.push_back(p.name);
  read_settings(settings, "parameter", "a parameter", names, where, [&](const std::string& name, double value) {
    patient.overrides[name] = value;
    patient.override_where[name] = where;
  });
}

void apply_input_settings(const std::vector<std::string>& settings, const Model& model, std::vector<double>& inputs,
                          const SourceLoc& where) {
  std::vector<std::string> names;
  for (const auto& in : model.inputs) names.push_back(in.name);
  read_settings(settings, "input", "an input", names, where,
                [&](const std::string& name, double value) { inputs[model.input_index(name)] = value; });
}

namespace {

const Study& expect_kind(const Study& study, FileKind kind, const char* what) {
  if (study.kind != kind || !study.model)
    throw InputError(SourceLoc{study.path.string()}, fmt::format("expected a {} file", what));
  return study;
}

}  // namespace

ScenarioRun run_scenario(const Study& study, const ScenarioRunOptions& options, const RunControl& control) {
  expect_kind(study, FileKind::scenario, "scenario");
  const Model& model = study.model->model();
  ScenarioRun run{.scenario = *study.scenario, .model = &model, .result = {}};
  if (!options.set.empty()) {
    apply_settings(options.set, model, run.scenario.patient);
    check_scenario(run.scenario, model);
  }
  SimulateOptions sim;
  sim.t_start = run.scenario.output_times.empty() ? 0.0 : run.scenario.output_times.front();
  sim.output_times = run.scenario.output_times;
  sim.solver = overlay_options(run.scenario.solver, options.solver);
  sim.validate();
  const std::vector<double> parameters = patient_parameters(model, run.scenario.patient);
  const InputSchedule schedule = build_schedule(run.scenario, model);
  run.result = simulate(*study.model, parameters, schedule, sim, control);
  return run;
}

void write_scenario_files(const ScenarioRun& run, const fs::path& out_dir, const fs::path& report) {
  std::ostringstream csv, html;
  write_trajectory_csv(run.result.trajectory, csv);
  write_html_report(scenario_report(run.scenario, *run.model, run.result.trajectory, run.result.summary), html);
  std::vector<detail::ResultFile> files = {{"trajectory.csv", csv.str()},
                                           {"summary.json", run_summary_to_json(run.scenario, *run.model, run.result) + "\n"}};
  if (report.empty()) files.push_back({"report.html", html.str()});
  detail::write_results(out_dir, files);
  if (report.empty()) return;
  if (!report.parent_path().empty()) detail::create_folder(report.parent_path());
  detail::write_text(report, html.str());  // --report elsewhere: its own file, not in the folder's manifest
}

SimulationResult simulate_model(const Study& study, const SimulateRequest& request, const RunControl& control) {
  validate_options(request);
  const Model& model = study.model->model();
  Patient patient = phenotype_patient(model, request.phenotype, SourceLoc{});
  apply_settings(request.set, model, patient);
  SimulateOptions options;
  options.solver = request.solver;
  const std::size_t columns = model.observables.size() + model.states.size() + model.variables.size();
  detail::check_result_size((request.steps + 1.0) * (columns + 1),
                            fmt::format("{} rows × {} columns", request.steps + 1, columns),
                            "fewer --steps", SourceLoc{"--steps"});
  options.output_times.resize(static_cast<std::size_t>(request.steps) + 1);
  for (int i = 0; i <= request.steps; ++i) options.output_times[i] = request.t_end * i / request.steps;
  options.output_times.back() = request.t_end;
  options.validate();
  std::vector<double> inputs;
  for (const Input& in : model.inputs) inputs.push_back(in.default_value);
  apply_input_settings(request.inputs, model, inputs);
  const std::vector<double> parameters = patient_parameters(model, patient);
  return simulate(*study.model, parameters, InputSchedule(static_cast<int>(inputs.size()), inputs), options, control);
}

TrialResult run_trial(const Study& study, const TrialOptions& options, const std::vector<std::string>& set,
                      const RunControl& control, const ProcessGroup& group) {
  expect_kind(study, FileKind::trial, "trial");
  Trial trial = *study.trial;
  apply_settings(set, study.model->model(), trial.population.patient);
  return run_trial(*study.model, trial, options, control, group);
}

}  // namespace gutskin
