#include "gutskin/output_folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/text_files.hpp"
#include "gutskin/errors.hpp"

namespace fs = std::filesystem;

namespace gutskin {

namespace {

constexpr const char* lock_name = ".gutskin.lock";

/// The folder's entries but the lock, sorted, as "a, b, c" (at most five, then "...").
std::string contents(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename() != lock_name) names.push_back(e.path().filename().string() + (e.is_directory() ? "/" : ""));
  std::sort(names.begin(), names.end());
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < 5; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > 5) s += ", ...";
  return s;
}

}  // namespace

OutputFolder::OutputFolder(fs::path dir, ExistingResults existing, bool resumable, const ClaimWords& words)
    : dir_(std::move(dir)) {
  detail::create_folder(dir_);
  const fs::path lock = dir_ / lock_name;
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw IoError("cannot create", lock, std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(lock_fd_);
    lock_fd_ = -1;
    if (err == EWOULDBLOCK)
      throw InputError(SourceLoc{.file = dir_.string()},
                       "another gutskin run is writing into this folder (it holds " + lock.string() +
                           "): wait for it to end or use " + words.elsewhere);
    throw IoError("cannot lock", lock, std::strerror(err));
  }
  if (existing != ExistingResults::refuse) return;
  const std::string held = contents(dir_);
  if (held.empty()) return;
  ::close(lock_fd_);
  lock_fd_ = -1;
  throw InputError(SourceLoc{.file = dir_.string()},
                   "holds the results of an earlier run (" + held + "): " + words.overwrite + " replaces them" +
                       (resumable ? ", " + words.resume + " goes on with an unfinished run" : "") + ", " +
                       words.elsewhere + " keeps them");
}

OutputFolder::OutputFolder(OutputFolder&& other) noexcept
    : dir_(std::move(other.dir_)), lock_fd_(std::exchange(other.lock_fd_, -1)) {}

OutputFolder::~OutputFolder() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing the descriptor releases the lock
}

}  // namespace gutskin
