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

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h) {
  for (const char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

std::string file_fingerprint(const fs::path& path) {
  std::uint64_t h = fnv1a_offset;
  std::ifstream in(path, std::ios::binary);
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    h = fnv1a(std::string_view(buf, static_cast<std::size_t>(in.gcount())), h);
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

namespace {

/// The patient index a part row starts with ("<patient>,..."), or -1.
long long row_patient(const std::string& line) {
  const auto comma = line.find(',');
  if (comma == std::string::npos || comma == 0) return -1;
  long long p = 0;
  for (std::size_t i = 0; i < comma; ++i) {
    if (line[i] < '0' || line[i] > '9' || p > (1LL << 50)) return -1;
    p = 10 * p + (line[i] - '0');
  }
  return p;
}

}  // namespace

std::string band_record_bytes(std::string_view rows, std::string_view band_values) {
  std::string bytes(band_values);
  const std::uint64_t sum = fnv1a(bytes, fnv1a(rows));
  bytes.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  return bytes;
}

PartRecovery recover_part(const fs::path& csv, const fs::path& bands, long long first, int arms, std::size_t floats) {
  PartRecovery found;
  std::error_code ec;
  if (!fs::exists(csv, ec)) return found;
  const std::size_t record_bytes = floats * sizeof(float) + sizeof(std::uint64_t);
  std::ifstream rows_in(csv, std::ios::binary), bands_in(bands, std::ios::binary);
  std::uintmax_t good_csv = 0, good_bands = 0;  // ends of the last intact patient
  std::string rows, line, record(record_bytes, '\0');
  int rows_of_patient = 0;
  while (std::getline(rows_in, line)) {
    if (rows_in.eof()) break;  // no newline at the end: torn
    const long long patient = first + found.patients;
    if (row_patient(line) != patient) {
      found.damaged_at = patient;  // a whole line that is not the next patient's row
      break;
    }
    rows += line + '\n';
    if (++rows_of_patient < arms) continue;
    if (!bands_in.read(record.data(), static_cast<std::streamsize>(record_bytes))) break;  // torn
    if (band_record_bytes(rows, std::string_view(record).substr(0, floats * sizeof(float))) != record) {
      found.damaged_at = patient;
      break;
    }
    ++found.patients;
    good_csv += rows.size();
    good_bands += record_bytes;
    rows.clear();
    rows_of_patient = 0;
  }
  rows_in.close();
  bands_in.close();
  if (fs::file_size(csv, ec) != good_csv) fs::resize_file(csv, good_csv);
  if (fs::exists(bands, ec) && fs::file_size(bands, ec) != good_bands) fs::resize_file(bands, good_bands);
  return found;
}

}  // namespace gutskin::detail
