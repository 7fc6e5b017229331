// Limits instead of exhaustion: how large an input file may be, and how many result values one
// call may hold in memory. Beyond one, the call is refused before it starts, with a located
// InputError that names the limit (exit code 2) — never an out-of-memory kill hours later.
// docs/model-format.md ("Limits") lists them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "gutskin/diagnostics.hpp"

namespace gutskin::detail {

inline constexpr std::uintmax_t kMaxYamlFileBytes = std::uintmax_t{16} << 20;   // model, scenario, trial
inline constexpr std::uintmax_t kMaxSbmlFileBytes = std::uintmax_t{256} << 20;
inline constexpr double kMaxResultValues = 1e8;  // numbers held at once (763 MB as doubles)

/// "" when `file` is at most `max_bytes` long (or cannot be sized: reading it says why), else
/// the message: "the file is 20 MB, more than the 16 MB a YAML file may be".
std::string file_too_large(const std::filesystem::path& file, std::uintmax_t max_bytes, const std::string& kind);

/// Throws InputError at `where` when `values` exceed kMaxResultValues: "<what> would hold 2e+09
/// values in memory, more than the limit of 1e+08 (763 MB): <remedy>".
void check_result_size(double values, const std::string& what, const std::string& remedy, const SourceLoc& where = {});

}  // namespace gutskin::detail
