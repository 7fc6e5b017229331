// gutskin sensitivity: which parameters drive the outputs of a model, scenario or trial —
// local forward sensitivities, Morris elementary effects or Sobol indices. Writes
// DIR/indices.csv, DIR/summary.json and DIR/report.html; shows progress; Ctrl-C stops cleanly
// with the indices of what was run. Under `mpirun -n K` the processes share the design.
#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "cli/bind_options.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/mpi_group.hpp"
#include "cli/progress.hpp"
#include "gutskin/sensitivity.hpp"
#include "gutskin/study.hpp"

namespace gutskin::cli {

namespace {

struct SensitivityArgs {
  std::string study;
  std::string out_dir;  // default out/<name>_<method>
  bool overwrite = false;
  bool quiet = false;
  SensitivityOptions options;
};

/// The three most influential parameters of each output (at most eight outputs), for stdout.
void print_top(const SensitivityResult& r) {
  const char* what = r.method == SensitivityMethod::sobol ? "ST" : r.method == SensitivityMethod::morris ? "mu*" : "|elasticity|";
  for (std::size_t o = 0; o < std::min<std::size_t>(r.outputs.size(), 8); ++o) {
    std::string top;
    const auto order = ranked_parameters(r, o);
    for (std::size_t j = 0; j < std::min<std::size_t>(3, order.size()); ++j) {
      const double v = rank_value(r, o, order[j]);
      if (!std::isfinite(v)) break;  // the rest are not estimable either
      top += fmt::format("{}{} {:.3g}", j == 0 ? "" : ", ", r.parameters[order[j]].name, v);
    }
    fmt::print("  {}: {} {}\n", r.outputs[o], what, top.empty() ? "n/a" : top);
  }
  if (r.outputs.size() > 8) fmt::print("  ... and {} more outputs (summary.json)\n", r.outputs.size() - 8);
}

void run(const SensitivityArgs& a, int& exit_code) {
  MpiGroup group;  // MPI only when started by mpirun
  const Study study = open(a.study, catalog());
  const std::string name = study.name();
  const std::string method = to_string(a.options.method);
  const auto folder = claim_out(group, a.out_dir, name + "_" + method, a.overwrite, a.options.resume, true);
  const std::filesystem::path out_dir = out_path(a.out_dir, name + "_" + method);
  SensitivityOptions options = a.options;
  options.checkpoint_dir = sensitivity_checkpoint_dir(options.method, out_dir);
  auto printer = std::make_shared<ProgressPrinter>(a.quiet, group.rank(), group.size());
  InterruptStop interrupt;
  const RunControl control{.progress = [printer](const Progress& p) { return (*printer)(p); },
                           .progress_interval = 0.5,
                           .stop = interrupt.token()};
  const SensitivityResult r = run_sensitivity(study, options, control, group);
  printer->finish();
  if (group.rank() == 0) {
    write_sensitivity_files(r, out_dir);
    fmt::print("{} sensitivity of '{}': {} parameters, {} outputs, {} runs ({} failed), {:.1f} s, {} thread{}{}\n", method,
               name, r.parameters.size(), r.outputs.size(), r.runs, r.failed_runs, r.wall_seconds, r.threads,
               r.threads == 1 ? "" : "s", group.size() > 1 ? fmt::format(", {} processes", group.size()) : "");
    for (const std::string& f : r.failures) fmt::print("failed: {}\n", f);
    for (const std::string& n : r.notes) fmt::print("note: {}\n", n);
    print_top(r);
    fmt::print("wrote {}, {}, {}\n", (out_dir / "indices.csv").string(), (out_dir / "summary.json").string(),
               (out_dir / "report.html").string());
    if (r.resumed > 0) fmt::print("resumed: {} design points were already done\n", r.resumed);
    if (r.stopped)
      fmt::print("stopped: the indices are from the part of the design that was run; continue with the same "
                 "command and --resume\n");
  }
  group.barrier();
  exit_code = r.stopped ? 130 : exit_ok;
}

}  // namespace

void register_sensitivity(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SensitivityArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sensitivity", "Which parameters drive the outputs: local, Morris or Sobol; write DIR/indices.csv, "
                     "DIR/summary.json, DIR/report.html");
  cmd->footer(
      "Outputs: NAME (at --at, default the end), NAME@T, max(NAME), min(NAME), mean(NAME), auc(NAME), "
      "time_above(NAME,X); for a trial effect(ENDPOINT[,ARM]) (arm minus reference, per patient) or "
      "value(ENDPOINT,ARM). Parameters: NAME (the model's spread or bounds), "
      "NAME=uniform(a,b), loguniform(a,b), normal(mean,sd), lognormal(median,sd_of_log), or all. "
      "Sobol runs N·(k+2) simulations, Morris r·(k+1), local one with k sensitivities. Failed runs "
      "drop their Sobol block or Morris trajectory and are counted. Finished design points are "
      "streamed to DIR/work: Ctrl-C stops cleanly (exit code 130) with indices from what was run, "
      "and the same command with --resume goes on. Under `mpirun -n K` the processes share the "
      "design. Exit code 2 for bad input.");
  cmd->add_option("STUDY", args->study, "Model, scenario or trial: file or built-in name")->required();
  cmd->add_option("--parameters", args->options.parameters,
                  "Parameters to vary, comma-separated, or all (default: all with a spread or bounds)")
      ->expected(1);
  cmd->add_option("--outputs", args->options.outputs, "Outputs, comma-separated (default: every observable)")
      ->expected(1);
  add_out_options(cmd, args->out_dir, args->overwrite, "out/<name>_<method>");
  bind_options(cmd, args->options);
  add_set_option(cmd, args->options.set, "the patient");
  cmd->add_flag("--quiet", args->quiet, "No progress output");
  bind_options(cmd, args->options.solver);
  cmd->callback([args, &exit_code] { run(*args, exit_code); });
}

}  // namespace gutskin::cli
