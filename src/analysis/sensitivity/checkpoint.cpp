#include "analysis/sensitivity/checkpoint.hpp"

#include <fmt/format.h>

#include <fstream>

#include "gutskin/errors.hpp"
#include "trial/run_files.hpp"

namespace fs = std::filesystem;

namespace gutskin::detail {

SensitivityCheckpoint::SensitivityCheckpoint(const fs::path& work, const std::string& manifest, bool resume,
                                             long long first, std::size_t outputs, const ProcessGroup& group)
    : part_(work / fmt::format("part-{}.bin", group.rank())), outputs_(outputs) {
  const fs::path manifest_path = work / "manifest.txt";
  if (resume) check_manifest(manifest_path, manifest);  // the same on every rank
  if (group.rank() == 0 && !resume) {
    std::error_code ec;
    fs::remove_all(work, ec);
    fs::create_directories(work, ec);
    if (ec) throw IoError("cannot create", work, ec.message());
    std::ofstream m(manifest_path);
    m << manifest;
    if (!m.flush()) throw IoError("cannot write", manifest_path);
  }
  group.barrier();
  record_.resize(2 + outputs_);
  if (resume && fs::exists(part_)) {
    // Complete records whose indices run on from `first`; a torn or stray tail is cut.
    const std::size_t bytes = record_.size() * sizeof(double);
    std::ifstream in(part_, std::ios::binary);
    while (in.read(reinterpret_cast<char*>(record_.data()), static_cast<std::streamsize>(bytes))) {
      if (record_[0] != static_cast<double>(first + done_)) break;
      failed_ += static_cast<long long>(record_[1]);
      values_.insert(values_.end(), record_.begin() + 2, record_.end());
      ++done_;
    }
    in.close();
    std::error_code ec;
    fs::resize_file(part_, static_cast<std::uintmax_t>(done_) * bytes, ec);
    if (ec) throw IoError("cannot cut", part_, ec.message());
  }
  file_ = std::fopen(part_.c_str(), resume ? "ab" : "wb");
  if (!file_) throw IoError("cannot open", part_, "for writing");
}

SensitivityCheckpoint::~SensitivityCheckpoint() {
  if (file_) std::fclose(file_);
}

void SensitivityCheckpoint::append(long long index, long long failed_runs, const std::vector<double>& outputs) {
  record_[0] = static_cast<double>(index);
  record_[1] = static_cast<double>(failed_runs);
  std::copy(outputs.begin(), outputs.end(), record_.begin() + 2);
  if (std::fwrite(record_.data(), sizeof(double), record_.size(), file_) != record_.size())
    throw IoError("cannot write", part_);
}

void SensitivityCheckpoint::flush() {
  if (file_ && std::fflush(file_) != 0) throw IoError("cannot write", part_);
}

void SensitivityCheckpoint::close() {
  std::FILE* f = std::exchange(file_, nullptr);
  if (f && std::fclose(f) != 0) throw IoError("cannot write", part_);
}

}  // namespace gutskin::detail
