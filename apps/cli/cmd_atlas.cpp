// gutskin atlas: across a virtual population, each patient's distance to a tipping point (a fold
// of its branch of equilibria) in chosen parameters or inputs. Writes DIR/atlas.csv,
// DIR/summary.json and DIR/report.html; shows progress; Ctrl-C stops cleanly.
#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "cli/bind_options.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/mpi_group.hpp"
#include "cli/progress.hpp"
#include "gutskin/atlas.hpp"
#include "gutskin/study.hpp"

namespace gutskin::cli {

namespace {

struct AtlasArgs {
  std::string study;
  std::string out_dir;  // default out/<name>_atlas
  bool overwrite = false;
  bool quiet = false;
  std::vector<std::string> parameters, inputs;
  AtlasOptions options;
};

void run(const AtlasArgs& a, int& exit_code) {
  MpiGroup group;  // MPI only when started by mpirun
  const Study study = open(a.study, catalog());
  const auto folder = claim_out(group, a.out_dir, study.name() + "_atlas", a.overwrite, false, false);
  AtlasOptions options = a.options;
  options.knobs = a.parameters;
  options.knobs.insert(options.knobs.end(), a.inputs.begin(), a.inputs.end());
  auto printer = std::make_shared<ProgressPrinter>(a.quiet, group.rank(), group.size());
  InterruptStop interrupt;
  const RunControl control{.progress = [printer](const Progress& p) { return (*printer)(p); },
                           .progress_interval = 0.5,
                           .stop = interrupt.token()};
  const AtlasResult r = run_atlas(study, options, control, group);
  printer->finish();
  exit_code = r.stopped ? 130 : exit_ok;
  if (group.rank() != 0) return;
  const std::filesystem::path& out_dir = folder->path();
  write_atlas_files(r, out_dir);
  fmt::print("atlas of '{}': {} patients, {} without a stable steady state; {:.1f} s on {} thread{}{}\n", r.study, r.rows.size(),
             r.failed, r.wall_seconds, r.threads, r.threads == 1 ? "" : "s",
             r.processes > 1 ? fmt::format(", {} processes", r.processes) : "");
  for (const AtlasKnobSummary& k : r.knobs) {
    fmt::print("  {} in {:g}..{:g}: a fold within range for {} of {} patients, bistable {}", k.label, k.from, k.to,
               k.with_fold, k.patients, k.bistable);
    if (!std::isnan(k.median)) fmt::print("; distance median {:.4g} (5-95%: {:.4g} to {:.4g}) {}", k.median, k.p05, k.p95, k.unit);
    fmt::print("\n");
    for (std::size_t i = 0; i < std::min<std::size_t>(3, k.predictors.size()); ++i)
      fmt::print("    predictor: {} (Spearman rho {:+.2f})\n", k.predictors[i].parameter, k.predictors[i].rho);
  }
  for (const std::string& n : r.notes) fmt::print("note: {}\n", n);
  fmt::print("wrote {}, {}, {}\n", (out_dir / "atlas.csv").string(), (out_dir / "summary.json").string(),
             (out_dir / "report.html").string());
}

}  // namespace

void register_atlas(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<AtlasArgs>();
  CLI::App* cmd = app.add_subcommand(
      "atlas", "Tipping points across a virtual population: each patient's distance to a fold in parameters or "
               "inputs; write DIR/atlas.csv, DIR/summary.json, DIR/report.html");
  cmd->footer(
      "Patients are drawn as the trial draws them (a scenario's or the model's patient with the "
      "model's spreads otherwise). Each settles at its stable steady state from the model's initial state "
      "with the default inputs (--hold changes them); then, for every --parameter and --input, "
      "its branch of equilibria is followed up and down from the patient's value within the "
      "range: the nearest fold is the tipping point; a branch that turns back across the patient's "
      "value there means other equilibria coexist with the patient's (bistable). "
      "Predictors are the sampled parameters' Spearman correlations with the distance. Ctrl-C "
      "stops cleanly (exit code 130); exit code 2 for bad input.");
  cmd->add_option("STUDY", args->study, "Trial, scenario or model: file or built-in name")->required();
  cmd->add_option("--parameter", args->parameters, "A parameter to vary and its range: name=from:to (repeatable)");
  cmd->add_option("--input", args->inputs, "An input to vary and its range: name=from:to (repeatable)");
  cmd->add_option("--hold", args->options.inputs, "Hold an input at a value: name=value (repeatable)");
  add_out_options(cmd, args->out_dir, args->overwrite, "out/<name>_atlas");
  add_set_option(cmd, args->options.set, "every patient");
  cmd->add_flag("--quiet", args->quiet, "No progress output");
  bind_options(cmd, args->options);
  bind_options(cmd, args->options.solver);
  cmd->callback([args, &exit_code] { run(*args, exit_code); });
}

}  // namespace gutskin::cli
