#include "core/limits.hpp"

#include <fmt/format.h>

#include "gutskin/errors.hpp"

namespace gutskin::detail {

namespace {

std::string megabytes(double bytes) { return fmt::format("{:.3g} MB", bytes / (1 << 20)); }

}  // namespace

std::string file_too_large(const std::filesystem::path& file, std::uintmax_t max_bytes, const std::string& kind) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec || size <= max_bytes) return "";
  return fmt::format("the file is {}, more than the {} {} may be", megabytes(static_cast<double>(size)),
                     megabytes(static_cast<double>(max_bytes)), kind);
}

void check_result_size(double values, const std::string& what, const std::string& remedy, const SourceLoc& where) {
  if (values <= kMaxResultValues) return;
  throw InputError(where, fmt::format("{} would hold {:.3g} values in memory, more than the limit of {:.3g} ({}): {}",
                                      what, values, kMaxResultValues, megabytes(kMaxResultValues * sizeof(double)),
                                      remedy));
}

}  // namespace gutskin::detail
