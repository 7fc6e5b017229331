// gutskin run: one scenario, one patient. Writes trajectory.csv and summary.json and prints a
// short summary for people.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "cli/commands.hpp"
#include "gutskin/builtin.hpp"
#include "gutskin/compiled_model.hpp"
#include "gutskin/io.hpp"
#include "gutskin/model.hpp"
#include "gutskin/report.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin::cli {

namespace {

struct RunArgs {
  std::string scenario;
  std::string out_dir;  // default out/<scenario name>
  std::string report;   // HTML report path, optional
  SimulateOptions options;
};

/// The report is one .html file (checked before the run, not after: `--report out` is a slip).
void check_report_path(const std::string& report) {
  if (report.empty()) return;
  std::string ext = std::filesystem::path(report).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext != ".html" && ext != ".htm")
    throw InputError(SourceLoc{}, "--report: '" + report + "' should end in .html");
}

template <class Write>
void write_file(const std::filesystem::path& path, Write&& write) {
  std::ofstream file(path);
  if (!file) throw std::runtime_error("cannot open " + path.string() + " for writing");
  write(file);
  if (!file.flush()) throw std::runtime_error("writing " + path.string() + " failed");
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

void run_scenario(const RunArgs& a, int& exit_code) {
  check_report_path(a.report);
  const Scenario scenario = load_scenario(resolve(a.scenario, "scenario"));
  const Model model = load_model(scenario.model_path);
  check_scenario(scenario, model);

  SimulateOptions options = a.options;
  options.t_start = scenario.output_times.empty() ? 0.0 : scenario.output_times.front();
  options.output_times = scenario.output_times;
  options.validate();

  const CompiledModel compiled{model};
  const std::vector<double> parameters = patient_parameters(model, scenario.patient);
  const InputSchedule schedule = build_schedule(scenario, model);

  const std::filesystem::path out_dir =
      a.out_dir.empty() ? std::filesystem::path("out") / scenario.name
                        : std::filesystem::path(a.out_dir);
  std::filesystem::create_directories(out_dir);

  Simulator simulator{compiled};
  const SimulationResult result = simulator.run(parameters, schedule, options);

  // Written whatever the outcome: rows computed before a failure are kept.
  write_file(out_dir / "trajectory.csv",
             [&](std::ostream& f) { write_trajectory_csv(result.trajectory, f); });
  write_file(out_dir / "summary.json",
             [&](std::ostream& f) { f << run_summary_to_json(scenario, model, result) << '\n'; });
  const std::filesystem::path report = a.report.empty() ? out_dir / "report.html" : std::filesystem::path(a.report);
  if (!report.parent_path().empty()) std::filesystem::create_directories(report.parent_path());
  write_html_report(scenario_report(scenario, model, result.trajectory, result.summary), report);
  print_summary(scenario, model, result, out_dir, report);
  exit_code = result.summary.ok() ? exit_ok : exit_run_failed;
}

}  // namespace

void register_run(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  SimulateOptions& o = args->options;
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
  cmd->add_option("--out", args->out_dir, "Output folder (default: out/<scenario name>)");
  cmd->add_option("--report", args->report,
                  "Write the HTML report here instead of DIR/report.html");
  cmd->add_option("--rtol", o.rtol, "Relative tolerance")->capture_default_str();
  cmd->add_option("--atol", o.atol, "Absolute tolerance (all states)")->capture_default_str();
  cmd->callback([args, &exit_code] { run_scenario(*args, exit_code); });
}

}  // namespace gutskin::cli
