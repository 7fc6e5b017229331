// Where in the user's input a problem is: file, line, column, and what was expected. The errors
// that carry these are in errors.hpp.
#pragma once

#include <string>
#include <vector>

namespace gutskin {

/// Where something was written. Lines and columns are 1-based; 0 means unknown.
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;

  /// "file:line:column" (parts that are unknown are left out).
  std::string str() const;
};

struct Diagnostic {
  SourceLoc where;
  std::string message;

  /// "file:line:column: error: message" — the format of `gutskin check`.
  std::string str() const;
};

class InputError;  // errors.hpp

/// Collects problems while reading a file; throws them together at the end.
class DiagnosticSink {
 public:
  void error(SourceLoc where, std::string message);
  /// Records every diagnostic of an error thrown by a parser (units, expressions, ...).
  void absorb(const InputError& e);
  bool empty() const { return diagnostics_.empty(); }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  /// Throws InputError if any error was recorded.
  void throw_if_any() const;

 private:
  std::vector<Diagnostic> diagnostics_;
};

/// Closest candidate by edit distance (for "did you mean 'x'?"), or "" if none is close.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace gutskin
