// Writing result files: whole files replaced atomically, CSV fields and numbers written one way.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gutskin::detail {

/// Creates the output folder (and its parents) if missing. Throws IoError naming it.
void create_folder(const std::filesystem::path& dir);

/// Writes `text` beside `path`, flushes it to disk and renames it into place, so a reader (or a
/// crash, or a full disk) never sees half a file and the file before stays whole until then.
/// Throws IoError naming `path` and the system's reason; leaves no temporary file behind.
void write_text(const std::filesystem::path& path, const std::string& text);

/// One result file: its name in the output folder and its whole content.
struct ResultFile {
  std::string name;
  std::string text;
};

/// The result files of one run, written into `dir` all or nothing: every file (and
/// DIR/manifest.sha256, their SHA-256 sums as `sha256sum -c manifest.sha256` checks them) goes
/// to disk beside its place first and only then are they renamed into place, so a failure
/// (a full disk, a read-only folder) leaves the results of an earlier run untouched.
void write_results(const std::filesystem::path& dir, const std::vector<ResultFile>& files);

/// SHA-256 of `bytes` as 64 hex digits (OpenSSL).
std::string sha256_hex(std::string_view bytes);

/// A file written as a run goes (checkpoint parts): every failure throws IoError naming it.
class OutputFile {
 public:
  /// `mode` as fopen's: "wb" to start, "ab" to append to a resumed part.
  OutputFile(const std::filesystem::path& path, const char* mode);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  void write(const void* data, std::size_t bytes);
  void flush();
  void close();

 private:
  std::FILE* f_;
  std::filesystem::path path_;
};

/// A number as result CSVs write it (10 significant digits; NaN as "").
std::string csv_number(double v);

/// A CSV field: quoted when it holds a comma or a quote; newlines become spaces.
std::string csv_field(std::string s);

}  // namespace gutskin::detail
