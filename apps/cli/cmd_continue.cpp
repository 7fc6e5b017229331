// gutskin continue: the branch of equilibria as a parameter or input moves, its folds (tipping
// points) and Hopf points. Writes DIR/branch.csv, DIR/bifurcations.csv, DIR/summary.json and
// DIR/report.html.
#include <fmt/format.h>

#include <memory>

#include "cli/bind_options.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "gutskin/continuation.hpp"
#include "gutskin/study.hpp"

namespace gutskin::cli {

namespace {

struct ContinueArgs {
  std::string study;
  std::string out_dir;  // default out/<name>_<parameter>
  bool overwrite = false;
  ContinuationOptions options;
};

void run(const ContinueArgs& a, int& exit_code) {
  const Study study = open(a.study, catalog());
  const OutputFolder folder = claim_out(a.out_dir, study.name() + "_" + a.options.parameter, a.overwrite);
  const std::filesystem::path& out_dir = folder.path();
  InterruptStop interrupt;
  const RunControl control{.stop = interrupt.token()};
  const ContinuationResult r = continue_equilibria(study, a.options, control);
  write_continuation_files(r, out_dir);
  fmt::print("branch of '{}' in {} from {:g} to {:g}: {} points, {}, {:.2f} s\n", r.study, r.parameter_label,
             *a.options.from, *a.options.to, r.branch.size(), r.end, r.wall_seconds);
  for (const Bifurcation& b : r.bifurcations)
    fmt::print("  {} at {} = {:.10g}{}\n", b.kind, r.parameter_label, b.value,
               std::isfinite(b.frequency) ? fmt::format(" (frequency {:.4g})", b.frequency) : "");
  if (r.bifurcations.empty()) fmt::print("  no fold or Hopf point on the branch\n");
  std::size_t fold_points = 0;
  for (const Bifurcation& b : r.fold_curve) {
    if (b.kind == "cusp")
      fmt::print("  cusp at {} = {:.10g}, {} = {:.10g}\n", r.parameter_label, b.value, r.second_label, b.second_value);
    fold_points += b.kind == "fold";
  }
  if (fold_points > 0) fmt::print("  fold curve in {} and {}: {} points\n", r.parameter_label, r.second_label, fold_points);
  for (const std::string& n : r.notes) fmt::print("note: {}\n", n);
  fmt::print("wrote {}, {}, {}, {}\n", (out_dir / "branch.csv").string(), (out_dir / "bifurcations.csv").string(),
             (out_dir / "summary.json").string(), (out_dir / "report.html").string());
  exit_code = r.end == "stopped" ? 130 : exit_ok;
}

}  // namespace

void register_continue(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ContinueArgs>();
  CLI::App* cmd = app.add_subcommand(
      "continue", "Follow the equilibria as a parameter or input changes; find folds and Hopf points; write "
                  "DIR/branch.csv, DIR/bifurcations.csv, DIR/summary.json, DIR/report.html");
  cmd->footer(
      "Pseudo-arclength continuation from the equilibrium at --from (found as `gutskin steady-state` "
      "finds it) towards --to; the branch turns at folds, so an S-shaped branch is traced through "
      "both. Folds and Hopf points are refined to 1e-10 relative. The parameter is a model "
      "parameter (by id or, for SBML, by name) or an input. Exit code 1 when no equilibrium is "
      "found at --from, 2 for bad input.");
  cmd->add_option("STUDY", args->study, "Model or scenario: file or built-in name")->required();
  cmd->add_option("--parameter", args->options.parameter, "Parameter or input to vary")->required();
  cmd->add_option("--second", args->options.second,
                  "A second parameter or input: continue every fold in both, within --from2 .. --to2");
  add_out_options(cmd, args->out_dir, args->overwrite, "out/<name>_<parameter>");
  add_set_option(cmd, args->options.set, "the patient");
  cmd->add_option("--input", args->options.inputs, "Hold an input at a value: name=value (repeatable)");
  bind_options(cmd, args->options);
  bind_options(cmd, args->options.solver);
  cmd->callback([args, &exit_code] { run(*args, exit_code); });
}

}  // namespace gutskin::cli
