// gutskin simulate: one run of any model with its default inputs on a uniform output grid.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/commands.hpp"
#include "gutskin/builtin.hpp"
#include "gutskin/compiled_model.hpp"
#include "gutskin/io.hpp"
#include "gutskin/model.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin::cli {

namespace {

struct SimulateArgs {
  std::string model;
  double t_end = 0.0;
  int steps = 0;
  std::vector<std::string> vars;
  std::string out;
  std::string phenotype;
  SimulateOptions options;  // rtol, atol, linear solver: defaults from the library
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
  const Model model = load_model(resolve(a.model, "model"));
  if (!a.phenotype.empty() && !model.phenotype(a.phenotype)) {
    std::vector<std::string> names;
    for (const Phenotype& p : model.phenotypes) names.push_back(p.name);
    const std::string near = closest_name(a.phenotype, names);
    throw InputError(SourceLoc{}, fmt::format("unknown phenotype '{}'{}", a.phenotype,
                                              near.empty() ? "" : " (did you mean '" + near + "'?)"));
  }
  {  // fail on a misspelt --vars name before running: trajectory columns are these names
    std::vector<std::string> names;
    for (const Observable& x : model.observables) names.push_back(x.name);
    for (const State& x : model.states) names.push_back(x.name);
    for (const Variable& x : model.variables) names.push_back(x.name);
    select_columns(names, a.vars);
  }
  SimulateOptions options = a.options;
  options.output_times.resize(static_cast<std::size_t>(a.steps) + 1);
  for (int i = 0; i <= a.steps; ++i) options.output_times[i] = a.t_end * i / a.steps;
  options.output_times.back() = a.t_end;
  options.validate();

  const CompiledModel compiled{model};
  Patient patient;
  patient.phenotype = a.phenotype;
  const std::vector<double> parameters = patient_parameters(model, patient);
  Simulator simulator{compiled};
  const SimulationResult result = simulator.run(parameters, default_schedule(model), options);

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
    if (!file.flush()) throw std::runtime_error("writing " + a.out + " failed");
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
  SimulateOptions& o = args->options;
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Simulate a model with its default inputs; print or write CSV");
  cmd->footer("Output: N+1 rows from time 0 to T; columns `time [unit]` (the model's time unit: "
              "day for YAML models, an SBML model's own), then observables, states and variables "
              "as `name [unit]`.");
  cmd->add_option("MODEL", args->model, "Model file, folder, SBML file or built-in model name")
      ->required();
  cmd->add_option("--t-end", args->t_end,
                  "End time, in the model's time unit (days for YAML models)")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--steps", args->steps, "Number of output intervals (N+1 rows from 0 to T)")
      ->required()
      ->check(CLI::Range(1, 100000000));
  cmd->add_option("--rtol", o.rtol, "Relative tolerance")->capture_default_str();
  cmd->add_option("--atol", o.atol, "Absolute tolerance (all states)")->capture_default_str();
  cmd->add_option("--vars", args->vars, "Columns to output, comma-separated (default: all)")
      ->delimiter(',');
  cmd->add_option("--out", args->out, "Write the CSV to this file instead of stdout");
  cmd->add_option("--phenotype", args->phenotype, "Use this phenotype's parameter values");
  const std::map<std::string, LinearSolver> solvers{{"auto", LinearSolver::automatic},
                                                    {"dense", LinearSolver::dense},
                                                    {"klu", LinearSolver::klu}};
  cmd->add_option("--linear-solver", o.linear_solver, "Linear solver: auto, dense or klu")
      ->transform(CLI::CheckedTransformer(solvers, CLI::ignore_case))
      ->default_str("auto");
  cmd->callback([args, &exit_code] { run_simulate(*args, exit_code); });
}

}  // namespace gutskin::cli
