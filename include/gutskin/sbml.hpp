// SBML: export of a model as SBML Level 3 Version 2, and the SBML Test Suite runner.
// (Import goes through `load_model`, which reads .xml/.sbml files with libSBML.)
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gutskin/control.hpp"
#include "gutskin/model.hpp"
#include "gutskin/options.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {

// --- export -------------------------------------------------------------------------------------

/// What export_sbml wrote and what libSBML's consistency checks said about it.
struct SbmlExportSummary {
  std::filesystem::path file;
  /// Problems reported by libSBML's checkConsistency (unit checks excluded: gutskin units are
  /// carried as annotations), "line:col: severity: message". Empty when the document is clean.
  std::vector<std::string> problems;
  int n_errors = 0;    // problems of severity error or fatal
  int n_warnings = 0;  // problems of severity warning

  bool ok() const { return n_errors == 0; }
  std::string brief() const;
};

/// Writes `model` as SBML L3V2: states in reactions become species (amounts, in one compartment
/// of size 1), other states parameters with rate rules; variables and observables assignment
/// rules; inputs constant parameters at their default; events one to one. Units, sources,
/// descriptions, bounds and the kind of each element are kept in `gutskin:` annotations, which
/// the importer reads back. Throws InputError if the model cannot be represented (or written).
SbmlExportSummary export_sbml(const Model& model, const std::filesystem::path& out);

/// The same document as a string (for tests and the web API).
std::string to_sbml_string(const Model& model, SbmlExportSummary* summary = nullptr);

// --- SBML Test Suite ----------------------------------------------------------------------------

struct SbmlCaseResult;

/// Runs semantic cases of the SBML Test Suite (cases/NNNNN/NNNNN-{settings.txt,model.m,
/// results.csv,sbml-lXvY.xml}): each at the highest SBML level present, compared point by point
/// with |C − U| ≤ absolute + relative·|C| (C expected, U simulated).
struct SbmlSuiteOptions {
  std::filesystem::path cases_dir;  // the folder holding NNNNN/ folders; required
  std::vector<int> cases;           // case numbers to run; empty = every case found
  /// Solver tolerances: much tighter than the suite's so solver error stays well inside them.
  /// rtol applies as is; the absolute tolerance is atol_factor × (largest |expected| value),
  /// capped at 1e-3 × the case's own absolute tolerance.
  double rtol = 1e-10;
  double atol_factor = 1e-12;
  long max_steps = 1000000;
  /// Export each imported model to SBML L3V2 and import it again before simulating (checks
  /// that export keeps trajectories; a document libSBML finds inconsistent fails the case).
  bool round_trip = false;
  /// Called after each case with its result (to print it as it comes).
  std::function<void(const SbmlCaseResult&)> on_case;

  /// Throws InputError naming the field, its value and the rule it broke.
  void validate() const;
};

template <>
struct OptionsOf<SbmlSuiteOptions> {
  static const OptionTable<SbmlSuiteOptions>& table() {
    static const OptionTable<SbmlSuiteOptions> t{
        option("rtol", &SbmlSuiteOptions::rtol, "Relative tolerance (much tighter than the suite's)",
               Bounds{.min = 0, .max = 1, .min_open = true, .max_open = true}),
        option("atol_factor", &SbmlSuiteOptions::atol_factor,
               "Absolute tolerance as a fraction of the largest expected value", Bounds{.min = 0, .min_open = true}),
        option("max_steps", &SbmlSuiteOptions::max_steps, "Most solver steps per case", Bounds{.min = 1}),
        option("round_trip", &SbmlSuiteOptions::round_trip,
               "Export each model to SBML L3V2 and import it again before running it"),
    };
    return t;
  }
};

enum class SbmlCaseOutcome { pass, fail, unsupported };
const char* to_string(SbmlCaseOutcome o);

struct SbmlCaseResult {
  int number = 0;
  SbmlCaseOutcome outcome = SbmlCaseOutcome::fail;
  std::string reason;  // empty for a pass; the refusal message or the first mismatch otherwise
  std::string sbml_file;  // the file run (e.g. 00001-sbml-l3v2.xml)
  std::vector<std::string> component_tags, test_tags;
  double worst_ratio = 0.0;  // max over points of |C − U| / (absolute + relative·|C|); ≤ 1 passes
  double seconds = 0.0;
};

struct SbmlTagCounts {
  int pass = 0, fail = 0, unsupported = 0;
  int total() const { return pass + fail + unsupported; }
};

struct SbmlSuiteSummary {
  std::vector<SbmlCaseResult> results;  // in case order
  SbmlTagCounts overall;
  /// Cases that use none of delay(), algebraic rules, fast reactions or random event order.
  SbmlTagCounts core;
  std::map<std::string, SbmlTagCounts> by_component_tag, by_test_tag;
  int n_not_found = 0;  // listed case numbers with no folder (skipped)
  bool cancelled = false;
  double wall_seconds = 0.0;

  std::string brief() const;        // one line
  std::string full_report() const;  // counts overall, by tag, and the cases that did not pass
  std::string to_json() const;      // the whole summary, for --out report.json
};

/// Runs the cases. Throws InputError for bad options (missing folder, no listed case found); a case
/// that fails or is refused is a recorded result, not an exception.
/// `control` counts cases; a stop request ends the run after the current case (cancelled).
SbmlSuiteSummary run_sbml_suite(const SbmlSuiteOptions& options, const RunControl& control = {});

/// Runs one case folder (cases_dir/NNNNN).
SbmlCaseResult run_sbml_case(const SbmlSuiteOptions& options, int number);

/// Parses a case list like "1-100,250" (ranges inclusive). Throws InputError on bad syntax.
std::vector<int> parse_case_list(std::string_view text);

}  // namespace gutskin
