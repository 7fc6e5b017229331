#include "core/text_files.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "gutskin/errors.hpp"

namespace fs = std::filesystem;

namespace gutskin::detail {

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
