// gutskin steady-state: the equilibria of a model or of where a scenario leaves its patient, with
// their stability. Writes DIR/steady_states.csv, DIR/eigenvalues.csv and DIR/summary.json.
#include <fmt/format.h>

#include <memory>

#include "cli/bind_options.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/progress.hpp"
#include "gutskin/steady_state.hpp"
#include "gutskin/study.hpp"

namespace gutskin::cli {

namespace {

struct SteadyStateArgs {
  std::string study;
  std::string out_dir;  // default out/<name>_steady_state
  bool overwrite = false;
  bool quiet = false;
  SteadyStateOptions options;
};

/// "stable, slowest time constant 12.3 day" / "unstable (max Re λ 0.042 /day)".
std::string describe(const Equilibrium& e, const std::string& unit) {
  const std::string u = unit.empty() ? "" : " " + unit;
  if (e.stable) return fmt::format("stable, slowest time constant {:.4g}{}", e.slowest_time_constant, u);
  return fmt::format("unstable, max Re(eigenvalue) {:.4g} per{}", e.max_real_eigenvalue, u.empty() ? " time unit" : u);
}

void run(const SteadyStateArgs& a, int& exit_code) {
  const Study study = open(a.study, catalog());
  const OutputFolder folder = claim_out(a.out_dir, study.name() + "_steady_state", a.overwrite);
  const std::filesystem::path& out_dir = folder.path();
  auto printer = std::make_shared<ProgressPrinter>(a.quiet || !a.options.all, 0, 1);
  InterruptStop interrupt;
  const RunControl control{.progress = [printer](const Progress& p) { return (*printer)(p); },
                           .progress_interval = 0.5,
                           .stop = interrupt.token()};
  const SteadyStateResult r = find_steady_states(study, a.options, control);
  printer->finish();
  write_steady_state_files(r, out_dir);
  fmt::print("steady states of '{}': {} found from {} start{} ({} failed), {:.2f} s\n", r.study, r.equilibria.size(),
             r.starts, r.starts == 1 ? "" : "s", r.failed_starts, r.wall_seconds);
  for (const ConservationLaw& law : r.conservation_laws)
    fmt::print("{}: {}\n", law.held ? "held" : "conservation law", law.text);
  for (std::size_t k = 0; k < r.equilibria.size(); ++k)
    fmt::print("  {}: {} ({}, residual {:.2g}{})\n", k + 1, describe(r.equilibria[k], r.time_unit),
               r.equilibria[k].method, r.equilibria[k].residual,
               a.options.all ? fmt::format(", reached from {} start{}", r.equilibria[k].found,
                                           r.equilibria[k].found == 1 ? "" : "s")
                             : "");
  for (const std::string& f : r.failures) fmt::print("failed: {}\n", f);
  for (const std::string& n : r.notes) fmt::print("note: {}\n", n);
  fmt::print("wrote {}, {}, {}\n", (out_dir / "steady_states.csv").string(), (out_dir / "eigenvalues.csv").string(),
             (out_dir / "summary.json").string());
  exit_code = exit_ok;
}

}  // namespace

void register_steady_state(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SteadyStateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "steady-state", "Equilibria and their stability: write DIR/steady_states.csv, DIR/eigenvalues.csv, "
                      "DIR/summary.json");
  cmd->footer(
      "Newton (KINSOL, analytic Jacobian) from the model's initial state, or from where a scenario "
      "ends with its inputs as they are then; damped Newton and a simulation towards the steady "
      "state are the fallbacks. Conservation laws are found and kept at the start's totals. "
      "Stability from the eigenvalues of the Jacobian. --all searches for every equilibrium from "
      "space-filling starts. Exit code 1 when none is found, 2 for bad input.");
  cmd->add_option("STUDY", args->study, "Model or scenario: file or built-in name")->required();
  add_out_options(cmd, args->out_dir, args->overwrite, "out/<name>_steady_state");
  add_set_option(cmd, args->options.set, "the patient");
  cmd->add_option("--input", args->options.inputs, "Hold an input at a value: name=value (repeatable)");
  bind_options(cmd, args->options);
  cmd->add_flag("--quiet", args->quiet, "No progress output");
  bind_options(cmd, args->options.solver);
  cmd->callback([args, &exit_code] { run(*args, exit_code); });
}

}  // namespace gutskin::cli
