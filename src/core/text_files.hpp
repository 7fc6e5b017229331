// Writing result files: whole files replaced atomically, CSV fields and numbers written one way.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

namespace gutskin::detail {

/// Creates the output folder (and its parents) if missing. Throws IoError naming it.
void create_folder(const std::filesystem::path& dir);

/// Writes `text` beside `path` and renames it into place, so a reader (or a crash) never sees
/// half a file. Throws IoError naming the file.
void write_text(const std::filesystem::path& path, const std::string& text);

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
