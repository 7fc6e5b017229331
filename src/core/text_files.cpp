#include "core/text_files.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <utility>

#include "gutskin/errors.hpp"

namespace fs = std::filesystem;

namespace gutskin::detail {

void create_folder(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError("cannot create", dir, ec.message());
}

void write_text(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) throw IoError("cannot open", tmp, "for writing");
    f << text;
    if (!f.flush()) throw IoError("cannot write", tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw IoError("cannot replace", path, ec.message());
}

OutputFile::OutputFile(const fs::path& path, const char* mode) : f_(std::fopen(path.c_str(), mode)), path_(path) {
  if (!f_) throw IoError("cannot open", path, "for writing");
}

OutputFile::~OutputFile() {
  if (f_) std::fclose(f_);
}

void OutputFile::write(const void* data, std::size_t bytes) {
  if (bytes && std::fwrite(data, 1, bytes, f_) != bytes) throw IoError("cannot write", path_);
}

void OutputFile::flush() {
  if (f_ && std::fflush(f_) != 0) throw IoError("cannot write", path_);
}

void OutputFile::close() {
  std::FILE* f = std::exchange(f_, nullptr);
  if (f && std::fclose(f) != 0) throw IoError("cannot write", path_);
}

std::string csv_number(double v) {
  if (std::isnan(v)) return "";
  return fmt::format("{:.10g}", v);
}

std::string csv_field(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  if (s.find_first_of(",\"") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace gutskin::detail
