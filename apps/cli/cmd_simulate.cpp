// gutskin simulate: one run of any model, its inputs held constant, on a uniform output grid.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/bind_options.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "gutskin/catalog.hpp"
#include "gutskin/compiled_model.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/model.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/simulate.hpp"
#include "gutskin/study.hpp"

namespace gutskin::cli {

namespace {

struct SimulateArgs {
  std::string model;
  std::vector<std::string> vars;
  std::string out;
  SimulateRequest request;
};

/// Indices of `names` among `columns`; unknown names are bad input.
std::vector<int> select_columns(const std::vector<std::string>& columns,
                                const std::vector<std::string>& names) {
  std::vector<int> cols;
  std::vector<Diagnostic> problems;
  for (const std::string& name : names) {
    const auto it = std::find(columns.begin(), columns.end(), name);
    if (it != columns.end()) {
      cols.push_back(static_cast<int>(it - columns.begin()));
      continue;
    }
    const std::string near = closest_name(name, columns);
    Diagnostic problem;  // not a braced temporary: GCC 12 -Wmaybe-uninitialized misfires on that
    problem.message = fmt::format("unknown variable '{}'{}", name,
                                  near.empty() ? "" : " (did you mean '" + near + "'?)");
    problems.push_back(std::move(problem));
  }
  if (!problems.empty()) throw InputError(problems);
  return cols;
}

void run_simulate(const SimulateArgs& a, int& exit_code) {
  const Study study = open(a.model, catalog(), FileKind::model);
  const Model& model = study.model->model();
  {  // fail on a misspelt --vars name before running: trajectory columns are these names
    std::vector<std::string> names;
    for (const Observable& x : model.observables) names.push_back(x.name);
    for (const State& x : model.states) names.push_back(x.name);
    for (const Variable& x : model.variables) names.push_back(x.name);
    select_columns(names, a.vars);
  }
  InterruptStop interrupt;
  const SimulationResult result =
      simulate_model(study, a.request, RunControl{.progress = {}, .progress_interval = 0.5, .stop = interrupt.token()});

  const std::vector<int> columns =
      a.vars.empty() ? std::vector<int>{} : select_columns(result.trajectory.columns, a.vars);
  if (a.out.empty()) {
    std::ostringstream csv;
    write_trajectory_csv(result.trajectory, csv, columns);
    std::cout << csv.str();
  } else {
    std::ofstream file(a.out);
    if (!file) throw InputError(SourceLoc{a.out}, "cannot open for writing");
    write_trajectory_csv(result.trajectory, file, columns);
    if (!file.flush()) throw IoError("cannot write", a.out);
    fmt::print(stderr, "wrote {} ({} rows)\n", a.out, result.trajectory.times.size());
  }
  if (!result.summary.ok()) {
    fmt::print(stderr, "error: {}\n", result.summary.brief());
    exit_code = exit_run_failed;
    return;
  }
  exit_code = exit_ok;
}

}  // namespace

void register_simulate(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Simulate a model, inputs held at their defaults or --input values; print or write CSV");
  cmd->footer("Output: N+1 rows from time 0 to T; columns `time [unit]` (the model's time unit: "
              "day for YAML models, an SBML model's own), then observables, states and variables "
              "as `name [unit]`.");
  cmd->add_option("MODEL", args->model, "Model file, folder, SBML file or built-in model name")
      ->required();
  bind_options(cmd, args->request, {"t_end", "steps"});
  for (const char* required : {"--t-end", "--steps"}) cmd->get_option(required)->required()->default_str("");
  cmd->add_option("--vars", args->vars, "Columns to output, comma-separated (default: all)")
      ->delimiter(',');
  cmd->add_option("--out", args->out, "Write the CSV to this file instead of stdout");
  bind_options(cmd, args->request, {"phenotype"});
  add_set_option(cmd, args->request.set, "the model");
  cmd->add_option("--input", args->request.inputs, "Hold an input at a value: name=value (repeatable)");
  bind_options(cmd, args->request.solver);
  cmd->callback([args, &exit_code] { run_simulate(*args, exit_code); });
}

}  // namespace gutskin::cli
