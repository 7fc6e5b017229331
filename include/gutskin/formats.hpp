// Files in and out: readers of models, scenarios and trials, and writers for results and
// descriptions (CSV trajectories, JSON summaries, a trial's run files), shared by the CLI, the
// Python module and the web server. JSON comes
// back as strings so no JSON library leaks into this header.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "gutskin/catalog.hpp"
#include "gutskin/model.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/simulate.hpp"
#include "gutskin/trial.hpp"

namespace gutskin {

/// Reads a model: a YAML file, a folder holding `model.yaml`, or an SBML file (.xml/.sbml).
/// Modules listed under `modules:` are read and merged. Validates (see `validate`).
/// Throws InputError with every problem found.
Model load_model(const std::filesystem::path& path);

/// Reads and checks a scenario file (model reference resolved, units converted to the input's
/// unit, times to days). A model named without a path is a built-in of `catalog`. Throws
/// InputError with every problem found.
Scenario load_scenario(const std::filesystem::path& path, const Catalog& catalog = default_catalog());

/// Reads and checks a trial file (units converted, times in days). Throws InputError with every
/// problem found.
Trial load_trial(const std::filesystem::path& path, const Catalog& catalog = default_catalog());

/// Writes `time [unit]` (the trajectory's time unit) then every column as `name [unit]` (just
/// `name` when the unit is empty) in one header row, then one row per output time, values
/// printed with `%.10g`.
/// `columns` selects and orders columns by index; empty means all.
void write_trajectory_csv(const Trajectory& trajectory, std::ostream& out,
                          const std::vector<int>& columns = {});

/// How the run ended, why, counters and wall time, as a JSON object.
std::string summary_to_json(const SimulationSummary& summary);

/// The summary of a scenario run (`summary.json` of `gutskin run`): scenario, model, patient,
/// termination, message, counters, wall time and, for every observable, its unit, its value at
/// the first and last output row and the change between them (null when no rows were produced).
std::string run_summary_to_json(const Scenario& scenario, const Model& model,
                                const SimulationResult& result);

/// Everything `gutskin describe --json` shows: inputs, parameters (value, unit, bounds, spread,
/// source), states, variables, observables, events, phenotypes. Expressions are printed in the
/// model-file grammar.
std::string model_to_json(const Model& model);

/// Parameter tables in Markdown, one per module (the file a parameter was read from, in model
/// order): name, value, unit, bounds, spread, source, description; then the phenotypes. Used to
/// generate the model card (`gutskin describe --markdown`), so the card cannot drift from the
/// model files. Deterministic: the same model always gives the same text.
std::string model_to_markdown(const Model& model);

/// For people: per model module (in model order — gut before skin in the built-in model), the
/// observables that moved most during the run, each as `baseline → extreme (day d) → end unit`.
/// An observable counts as moved when its largest deviation from baseline exceeds 5% of the
/// baseline (or of its range over the run, when the baseline is 0) and 0.01·(1 + |baseline|),
/// so near-zero scores jiggling do not count. At most `per_module` per
/// module, largest first; "" when nothing moved.
std::string change_summary(const Model& model, const Trajectory& trajectory, int per_module = 3);

/// What a YAML file holds, from its top-level keys: `scenario:` → scenario, `trial:` → trial,
/// anything else (including folders and SBML files) → model. Throws InputError for a missing
/// or malformed file.
enum class FileKind { model, scenario, trial };
FileKind detect_file_kind(const std::filesystem::path& path);

// --- trial runs ----------------------------------------------------------------------------------
// A trial's folder: DIR/patients.csv (one row per patient and arm), DIR/summary.json (counts,
// statistics, quantile bands, run), DIR/report.html, and while it runs DIR/work, the checkpoint
// (TrialOptions::checkpoint_dir) that --resume continues from.

std::filesystem::path trial_checkpoint_dir(const std::filesystem::path& out_dir);

/// patients.csv of a result.
void write_patients_csv(const TrialResult& result, std::ostream& out);

/// summary.json of a result.
std::string trial_summary_to_json(const TrialResult& result);

/// Writes DIR/patients.csv, DIR/summary.json and DIR/report.html (each complete or not at all:
/// written aside, then renamed), sets result.summary's paths, and removes the checkpoint once
/// the trial is complete. Throws IoError naming the file that could not be written.
void write_trial_files(TrialResult& result, const std::filesystem::path& out_dir);

}  // namespace gutskin
