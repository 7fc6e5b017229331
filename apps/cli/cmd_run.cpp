// gutskin run: one scenario, one patient. Writes trajectory.csv and summary.json and prints a
// short summary for people.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "cli/bind_options.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "gutskin/study.hpp"

namespace gutskin::cli {

namespace {

struct RunArgs {
  std::string scenario;
  std::string out_dir;  // default out/<scenario name>
  bool overwrite = false;
  std::string report;   // HTML report path, optional
  ScenarioRunOptions options;
};

/// The report is one .html file (checked before the run, not after: `--report out` is a slip).
void check_report_path(const std::string& report) {
  if (report.empty()) return;
  std::string ext = std::filesystem::path(report).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext != ".html" && ext != ".htm")
    throw InputError(SourceLoc{}, "--report: '" + report + "' should end in .html");
}

void print_summary(const Scenario& scenario, const Model& model, const SimulationResult& result,
                   const std::filesystem::path& out_dir, const std::filesystem::path& report) {
  fmt::print("scenario '{}' on model '{}'{}\n", scenario.name, model.name,
             scenario.patient.phenotype.empty() ? "" : ", patient " + scenario.patient.phenotype);
  if (!scenario.description.empty()) fmt::print("  {}\n", scenario.description);
  fmt::print("{}\n", result.summary.brief());
  const std::string changes = change_summary(model, result.trajectory);
  if (!changes.empty())
    fmt::print("\nWhat changed, module by module (baseline → largest change (day) → end):\n{}\n", changes);
  fmt::print("wrote {}, {}\n", (out_dir / "trajectory.csv").string(), (out_dir / "summary.json").string());
  fmt::print("report: {}\n", std::filesystem::absolute(report).lexically_normal().string());
}

void run(const RunArgs& a, int& exit_code) {
  check_report_path(a.report);
  const Study study = open(a.scenario, catalog(), FileKind::scenario);
  const OutputFolder folder = claim_out(a.out_dir, study.name(), a.overwrite);
  const std::filesystem::path& out_dir = folder.path();
  InterruptStop interrupt;
  const ScenarioRun run = run_scenario(study, a.options, RunControl{.progress = {}, .progress_interval = 0.5, .stop = interrupt.token()});
  const std::filesystem::path report = a.report.empty() ? out_dir / "report.html" : std::filesystem::path(a.report);
  write_scenario_files(run, out_dir, report);
  print_summary(run.scenario, *run.model, run.result, out_dir, report);
  exit_code = run.ok() ? exit_ok : exit_run_failed;
}

}  // namespace

void register_run(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Run a scenario; write DIR/trajectory.csv, DIR/summary.json and DIR/report.html");
  cmd->footer(
      "trajectory.csv holds observables, states and variables at the scenario's output times, "
      "one `name [unit]` header row. summary.json says how the run ended, with counters and "
      "each observable at start and end. report.html is one self-contained file with "
      "interactive plots. Exit code 1 if the run failed (rows computed before "
      "the failure are still written), 2 for bad input.");
  cmd->add_option("SCENARIO", args->scenario, "Scenario file or built-in scenario name")
      ->required();
  add_out_options(cmd, args->out_dir, args->overwrite, "out/<scenario name>");
  cmd->add_option("--report", args->report,
                  "Write the HTML report here instead of DIR/report.html");
  add_set_option(cmd, args->options.set, "the patient");
  bind_options(cmd, args->options.solver);
  cmd->callback([args, &exit_code] { run(*args, exit_code); });
}

}  // namespace gutskin::cli
