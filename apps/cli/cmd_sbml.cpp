// gutskin export-sbml / sbml-suite: thin wrappers over export_sbml and run_sbml_suite.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "cli/bind_options.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "gutskin/catalog.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/model.hpp"
#include "gutskin/sbml.hpp"

namespace gutskin::cli {

namespace {

struct ExportArgs {
  std::string model;
  std::string out;
};

struct SuiteArgs {
  std::string cases_dir;
  std::string cases;
  std::string out;
  bool quiet = false;
  SbmlSuiteOptions options;
};


}  // namespace

void register_sbml(CLI::App& app, int& exit_code) {
  auto ex = std::make_shared<ExportArgs>();
  CLI::App* exp = app.add_subcommand(
      "export-sbml", "Write a model as SBML Level 3 Version 2 (checked with libSBML's "
                     "consistency checks; units and parameter sources kept as annotations)");
  exp->add_option("MODEL", ex->model, "Model file or folder, SBML file, or a built-in name")
      ->required();
  exp->add_option("--out,-o", ex->out, "SBML file to write")->required();
  exp->callback([ex, &exit_code] {
    const Model model = load_model(catalog().locate(ex->model));
    const SbmlExportSummary s = export_sbml(model, ex->out);
    for (const std::string& p : s.problems) fmt::print(stderr, "{}: {}\n", s.file.string(), p);
    fmt::print("{}\n", s.brief());
    exit_code = s.ok() ? exit_ok : exit_run_failed;
  });

  auto su = std::make_shared<SuiteArgs>();
  CLI::App* suite = app.add_subcommand(
      "sbml-suite", "Run SBML Test Suite semantic cases and print pass / fail / unsupported "
                    "counts, overall and by component and test tag");
  suite->add_option("CASES_DIR", su->cases_dir, "Folder holding the NNNNN/ case folders")
      ->required()
      ->check(CLI::ExistingDirectory);
  suite->add_option("--cases", su->cases, "Cases to run, e.g. 1-100,250 (default: all)");
  suite->add_option("--out", su->out, "Write the full report as JSON to this file");
  suite->add_flag("--quiet,-q", su->quiet, "Do not print a line per case that does not pass");
  bind_options(suite, su->options);
  suite->callback([su, &exit_code] {
    SbmlSuiteOptions opt = su->options;
    opt.cases_dir = su->cases_dir;
    if (!su->cases.empty()) opt.cases = parse_case_list(su->cases);
    const bool quiet = su->quiet;
    opt.on_case = [quiet](const SbmlCaseResult& r) {
      if (!quiet && r.outcome != SbmlCaseOutcome::pass) {
        fmt::print("{:05d} {}: {}\n", r.number, to_string(r.outcome), r.reason);
        std::fflush(stdout);
      }
    };
    InterruptStop interrupt;
    const SbmlSuiteSummary s = run_sbml_suite(opt, RunControl{.progress = {}, .progress_interval = 0.5, .stop = interrupt.token()});
    fmt::print("{}", s.full_report());
    if (!su->out.empty()) {
      std::ofstream f(su->out);
      if (!f) throw IoError("cannot open", su->out, "for writing");
      f << s.to_json() << '\n';
      fmt::print("report written to {}\n", su->out);
    }
    exit_code = s.cancelled ? exit_run_failed : exit_ok;  // failing cases are results, not errors
  });
}

}  // namespace gutskin::cli
