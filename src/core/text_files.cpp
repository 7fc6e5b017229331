#include "core/text_files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "gutskin/errors.hpp"

namespace fs = std::filesystem;

namespace gutskin::detail {

void create_folder(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError("cannot create", dir, ec.message());
}

namespace {

/// Writes `text` to `tmp` and flushes it to disk; on failure removes `tmp` and throws IoError
/// naming `target` (the file the user asked for, not the temporary beside it).
void stage(const fs::path& tmp, const fs::path& target, std::string_view text) {
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw IoError("cannot write", target, std::strerror(errno));
  std::size_t done = 0;
  int err = 0;
  while (done < text.size() && err == 0) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    throw IoError("cannot write", target, std::strerror(err));
  }
}

fs::path staged_name(const fs::path& path) { return path.string() + ".tmp"; }

void commit(const fs::path& path) {
  std::error_code ec;
  fs::rename(staged_name(path), path, ec);
  if (ec) {
    fs::remove(staged_name(path), ec);
    throw IoError("cannot replace", path, ec.message());
  }
}

/// Makes the renames in `dir` durable (best effort: some file systems cannot sync a folder).
void sync_folder(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_text(const fs::path& path, const std::string& text) {
  stage(staged_name(path), path, text);
  commit(path);
  sync_folder(path.parent_path());
}

void write_results(const fs::path& dir, const std::vector<ResultFile>& files) {
  create_folder(dir);
  std::string manifest;
  for (const ResultFile& f : files) manifest += sha256_hex(f.text) + "  " + f.name + "\n";
  std::vector<fs::path> staged;
  try {
    for (const ResultFile& f : files) {
      stage(staged_name(dir / f.name), dir / f.name, f.text);
      staged.push_back(dir / f.name);
    }
    stage(staged_name(dir / "manifest.sha256"), dir / "manifest.sha256", manifest);
  } catch (...) {
    std::error_code ec;
    for (const fs::path& p : staged) fs::remove(staged_name(p), ec);
    throw;
  }
  for (const fs::path& p : staged) commit(p);  // renames need no space: they do not fail for it
  commit(dir / "manifest.sha256");              // last: a listed file is a finished one
  sync_folder(dir);
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed (OpenSSL)");
  std::string hex;
  hex.reserve(2 * n);
  for (unsigned int i = 0; i < n; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

OutputFile::OutputFile(const fs::path& path, const char* mode) : f_(std::fopen(path.c_str(), mode)), path_(path) {
  if (!f_) throw IoError("cannot write", path, std::strerror(errno));
}

OutputFile::~OutputFile() {
  if (f_) std::fclose(f_);
}

void OutputFile::write(const void* data, std::size_t bytes) {
  if (bytes && std::fwrite(data, 1, bytes, f_) != bytes) throw IoError("cannot write", path_, std::strerror(errno));
}

void OutputFile::flush() {
  if (f_ && std::fflush(f_) != 0) throw IoError("cannot write", path_, std::strerror(errno));
}

void OutputFile::close() {
  std::FILE* f = std::exchange(f_, nullptr);
  if (f && std::fclose(f) != 0) throw IoError("cannot write", path_, std::strerror(errno));
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
