// The errors the library throws at its boundary, by what the caller can do about them:
//   InputError   bad input (model, scenario, trial, options): fix the input; every problem is a
//                located Diagnostic. Front ends map it to exit code 2 or a JSON error.
//   SolverError  the numerics could not be set up or failed beyond recording (a SUNDIALS call
//                that returned an error outside a run). A failing *run* is not an error: it is
//                a Termination in the run's summary.
//   IoError      a file could not be read or written; names the path.
// All derive from Error (a std::runtime_error), so a front end can catch everything of ours.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "gutskin/diagnostics.hpp"

namespace gutskin {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Carries every problem found, not just the first, so `gutskin check` can list them all.
class InputError : public Error {
 public:
  explicit InputError(std::vector<Diagnostic> diagnostics);
  InputError(SourceLoc where, std::string message);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

class SolverError : public Error {
 public:
  using Error::Error;
};

class IoError : public Error {
 public:
  /// what(): "<action> <path>[: <reason>]", e.g. "cannot write out/patients.csv: No space left".
  IoError(const std::string& action, const std::filesystem::path& path, const std::string& reason = {});
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace gutskin
