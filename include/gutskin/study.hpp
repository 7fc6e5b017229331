// The facade: the use cases every front end (CLI, Python, web, tests) calls, in memory.
//
//   Study s = open("antibiotic_course", catalog);       // a model, scenario or trial: loaded,
//                                                         // checked and compiled
//   ScenarioRun run = run_scenario(s, {.set = {"k_repair=0.8"}});
//   write_scenario_files(run, "out/abx");                // formats: CSV, JSON, HTML
//
// Files are one way in and out (formats.hpp), never the only way.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gutskin/catalog.hpp"
#include "gutskin/compiled_model.hpp"
#include "gutskin/control.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/options.hpp"
#include "gutskin/report.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/simulate.hpp"
#include "gutskin/trial.hpp"

namespace gutskin {

/// What a file holds, ready to run: its model compiled and, for a scenario or trial, the file
/// read and checked against that model.
struct Study {
  FileKind kind = FileKind::model;
  std::filesystem::path path;
  std::shared_ptr<const CompiledModel> model;  // shared: immutable, safe across threads
  std::optional<Scenario> scenario;
  std::optional<Trial> trial;

  /// One line: "model 'gut_skin' (183 states, ...)", "scenario 'x' (180 days, ...) on model ...".
  std::string headline() const;
  /// The scenario's name, else the trial's, else the model's (default output folder names).
  std::string name() const;
};

/// Opens a model file or folder, SBML file, scenario or trial by path or built-in name (of
/// `kind` when given: a scenario and a trial may share a name). Throws InputError listing every
/// problem (of the file and, for a scenario or trial, against its model).
Study open(const std::string& name_or_path, const Catalog& catalog = default_catalog(),
           std::optional<FileKind> kind = std::nullopt);

/// open() without keeping anything: "ok: <headline>" for `gutskin check`.
std::string check(const std::string& name_or_path, const Catalog& catalog = default_catalog());

/// What `gutskin describe --json` shows, as JSON: for a model, model_to_json (inputs, parameters
/// with unit, bounds, spread and source, states, ...); for a scenario or trial
/// {"kind", "name", "headline", "model": the same of its model}.
std::string describe(const Study& study);

/// "3 states, 5 parameters, 2 inputs, 1 variable, 1 observable, 0 events, 1 phenotype".
std::string model_counts(const Model& model);

/// A patient of `phenotype` ("" = the model's defaults). Throws InputError at `where` for an
/// unknown phenotype, with the closest name.
Patient phenotype_patient(const Model& model, const std::string& phenotype, const SourceLoc& where);

/// `name=value` settings (the CLI's repeatable --set) as parameter overrides of a patient: values
/// in the parameter's unit. Unknown names ("did you mean") and bad numbers throw InputError at
/// `where`; bounds are checked with the patient (check_scenario, check_trial).
void apply_settings(const std::vector<std::string>& settings, const Model& model, Patient& patient,
                    const SourceLoc& where = SourceLoc{"--set"});

/// `name=value` settings of inputs (a repeatable --input): `inputs` (model order) with these
/// values, in the input's unit. Errors as for apply_settings.
void apply_input_settings(const std::vector<std::string>& settings, const Model& model, std::vector<double>& inputs,
                          const SourceLoc& where = SourceLoc{"--input"});

struct ScenarioRunOptions {
  SolverOptions solver;
  std::vector<std::string> set;  // name=value parameter overrides on top of the scenario's patient
};

struct ScenarioRun {
  Scenario scenario;         // as run (overrides from `set` included)
  const Model* model = nullptr;  // the Study's
  SimulationResult result;   // rows up to where the run ended, and how it ended
  bool ok() const { return result.summary.ok(); }
};

/// Runs the scenario of a Study (kind scenario). Never throws for a failing run (see
/// result.summary); throws InputError for bad options or settings.
ScenarioRun run_scenario(const Study& study, const ScenarioRunOptions& options = {}, const RunControl& control = {});

/// DIR/trajectory.csv, DIR/summary.json and the report (DIR/report.html unless `report` names
/// another .html file). Written whatever the outcome: rows computed before a failure are kept.
/// Throws IoError naming the file.
void write_scenario_files(const ScenarioRun& run, const std::filesystem::path& out_dir,
                          const std::filesystem::path& report = {});

struct SimulateRequest {
  double t_end = 0.0;   // in the model's time unit
  int steps = 0;        // output intervals: steps + 1 rows from 0 to t_end
  std::string phenotype;
  std::vector<std::string> set;     // name=value parameter overrides of the patient
  std::vector<std::string> inputs;  // name=value: inputs held at these values (the input's unit)
  SolverOptions solver;
};

template <>
struct OptionsOf<SimulateRequest> {
  static const OptionTable<SimulateRequest>& table() {
    static const OptionTable<SimulateRequest> t{
        option("t_end", &SimulateRequest::t_end, "End time, in the model's time unit (days for YAML models)",
               Bounds{.min = 0, .min_open = true}),
        option("steps", &SimulateRequest::steps, "Number of output intervals (N+1 rows from 0 to T)",
               Bounds{.min = 1, .max = 100000000}),
        option("phenotype", &SimulateRequest::phenotype, "Use this phenotype's parameter values"),
    };
    return t;
  }
};

/// Simulates any model on a uniform grid with its inputs held constant: at their defaults or at
/// `inputs` (`gutskin simulate`).
SimulationResult simulate_model(const Study& study, const SimulateRequest& request, const RunControl& control = {});

/// Runs the trial of a Study (kind trial), with `set` as overrides of the population's patient.
TrialResult run_trial(const Study& study, const TrialOptions& options, const std::vector<std::string>& set = {},
                      const RunControl& control = {}, const ProcessGroup& group = ProcessGroup{});

}  // namespace gutskin
