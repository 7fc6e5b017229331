// gutskin trial: a virtual cohort through every arm of a trial file. Writes DIR/patients.csv,
// DIR/summary.json and DIR/report.html; shows progress; Ctrl-C stops cleanly (--resume goes on).
// Under `mpirun -n K` the processes share the patients and rank 0 writes the results.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/bind_options.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/mpi_group.hpp"
#include "cli/progress.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/study.hpp"
#include "gutskin/trial.hpp"

namespace gutskin::cli {

namespace {

struct TrialArgs {
  std::string trial;
  std::string out_dir;  // default out/<trial name>
  bool overwrite = false;
  bool quiet = false;
  TrialOptions options;
  std::vector<std::string> set;
};

void run(const TrialArgs& a, int& exit_code) {
  MpiGroup group;  // MPI only when started by mpirun
  const Study study = open(a.trial, catalog(), FileKind::trial);
  const Trial& trial = *study.trial;

  TrialOptions o = a.options;
  const auto folder = claim_out(group, a.out_dir, trial.name, a.overwrite, o.resume, true);
  const std::filesystem::path out_dir = out_path(a.out_dir, trial.name);
  o.checkpoint_dir = trial_checkpoint_dir(out_dir);
  auto printer = std::make_shared<ProgressPrinter>(a.quiet, group.rank(), group.size());
  InterruptStop interrupt;
  const RunControl control{.progress = [printer](const Progress& p) { return (*printer)(p); },
                           .progress_interval = 0.5,
                           .stop = interrupt.token()};
  TrialResult result = run_trial(study, o, a.set, control, group);
  printer->finish();
  if (group.rank() == 0) write_trial_files(result, out_dir);
  group.barrier();
  const TrialSummary& s = result.summary;

  if (group.rank() == 0) {
    fmt::print("trial '{}': {} arm{}, {} endpoint{}\n", trial.name, trial.arms.size(),
               trial.arms.size() == 1 ? "" : "s", trial.endpoints.size(),
               trial.endpoints.size() == 1 ? "" : "s");
    fmt::print("{}", s.full_report());
    if (s.status == TrialStatus::stopped)
      fmt::print("stopped: continue with `gutskin trial {} --out {}{}{} --resume`\n", a.trial,
                 out_dir.string(), o.patients ? fmt::format(" --patients {}", *o.patients) : "",
                 o.seed ? fmt::format(" --seed {}", *o.seed) : "");
  }
  // Interrupted: 130 like a shell; failed patients are data, not a failed command.
  exit_code = s.status == TrialStatus::completed ? exit_ok : 130;
}

}  // namespace

void register_trial(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TrialArgs>();
  CLI::App* cmd = app.add_subcommand(
      "trial", "Run an in-silico trial; write DIR/patients.csv, DIR/summary.json, DIR/report.html");
  cmd->footer(
      "Every virtual patient runs in every arm. patients.csv has one row per patient and arm: "
      "the sampled parameters, the endpoints and the status (failed runs are kept with their "
      "reason and left out of the statistics). The same trial, --patients and --seed give the "
      "same patients.csv whatever --threads, under `mpirun -n K` or after --resume. Ctrl-C "
      "stops cleanly (exit code 130); --resume continues. Exit code 2 for bad input.");
  cmd->add_option("TRIAL", args->trial, "Trial file or built-in trial name")->required();
  add_out_options(cmd, args->out_dir, args->overwrite, "out/<trial name>");
  bind_options(cmd, args->options);
  add_set_option(cmd, args->set, "every patient");
  cmd->add_flag("--quiet", args->quiet, "No progress output");
  bind_options(cmd, args->options.solver);
  cmd->callback([args, &exit_code] { run(*args, exit_code); });
}

}  // namespace gutskin::cli
