#include "trial/run_files.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "gutskin/errors.hpp"

namespace fs = std::filesystem;

namespace gutskin::detail {

fs::path RunFiles::part_csv(int rank) const {
  return work / fmt::format("part-{}.csv", rank);
}
fs::path RunFiles::part_bands(int rank) const {
  return work / fmt::format("part-{}.bands", rank);
}

std::string file_fingerprint(const fs::path& path) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  std::ifstream in(path, std::ios::binary);
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(buf[i]);
      h *= 0x100000001b3ULL;
    }
  }
  return fmt::format("{:016x}", h);
}

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

void check_manifest(const fs::path& path, const std::string& expected) {
  std::ifstream in(path);
  if (!in)
    throw InputError(SourceLoc{.file = path.parent_path().parent_path().string()},
                     "nothing to resume: no unfinished run in this folder");
  std::ostringstream s;
  s << in.rdbuf();
  const auto have = lines_of(s.str()), want = lines_of(expected);
  for (std::size_t i = 0; i < std::max(have.size(), want.size()); ++i) {
    const std::string a = i < have.size() ? have[i] : "", b = i < want.size() ? want[i] : "";
    if (a == b) continue;
    const auto colon = b.find(": ");
    const std::string key = colon == std::string::npos ? b : b.substr(0, colon);
    const std::string was = a.find(": ") == std::string::npos ? a : a.substr(a.find(": ") + 2);
    const std::string now = colon == std::string::npos ? "" : b.substr(colon + 2);
    throw InputError(SourceLoc{.file = path.parent_path().parent_path().string()},
                     "cannot resume: " + key + " was " + was + ", now " + now +
                         " (--overwrite instead of --resume starts again)");
  }
}

long long recover_part(const fs::path& csv, const fs::path& bands, long long first, int arms,
                       std::size_t band_record_bytes) {
  std::error_code ec;
  if (!fs::exists(csv, ec)) return 0;
  std::ifstream in(csv, std::ios::binary);
  long long complete = 0;        // patients complete so far
  std::uintmax_t good_bytes = 0; // end of the last complete patient
  std::uintmax_t offset = 0;
  int rows_of_patient = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline at the end: torn
    offset += line.size() + 1;
    // The row must start with "<patient>,".
    const auto comma = line.find(',');
    long long p = -1;
    if (comma != std::string::npos && comma > 0) {
      try {
        p = std::stoll(line.substr(0, comma));
      } catch (const std::exception&) {
        p = -1;
      }
    }
    if (p != first + complete) break;
    if (++rows_of_patient == arms) {
      ++complete;
      rows_of_patient = 0;
      good_bytes = offset;
    }
  }
  in.close();
  if (band_record_bytes > 0) {
    const std::uintmax_t have = fs::exists(bands, ec) ? fs::file_size(bands, ec) : 0;
    complete = std::min<long long>(complete, static_cast<long long>(have / band_record_bytes));
    if (complete * band_record_bytes < have) fs::resize_file(bands, complete * band_record_bytes);
    // Cut the CSV back to the same patient count.
    std::ifstream again(csv, std::ios::binary);
    good_bytes = 0;
    for (long long k = 0; k < complete * arms && std::getline(again, line); ++k)
      good_bytes += line.size() + 1;
  }
  if (fs::file_size(csv) != good_bytes) fs::resize_file(csv, good_bytes);
  return complete;
}

}  // namespace gutskin::detail
