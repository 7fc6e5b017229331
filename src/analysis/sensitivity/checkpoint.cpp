#include "analysis/sensitivity/checkpoint.hpp"

#include <fmt/format.h>

#include <cstring>
#include <fstream>

#include "gutskin/errors.hpp"
#include "trial/run_files.hpp"

namespace fs = std::filesystem;

namespace gutskin::detail {

SensitivityCheckpoint::SensitivityCheckpoint(const fs::path& work, const std::string& manifest, bool resume,
                                             long long first, std::size_t outputs, const ProcessGroup& group)
    : outputs_(outputs) {
  const fs::path part = work / fmt::format("part-{}.bin", group.rank());
  const fs::path manifest_path = work / "manifest.txt";
  if (resume) check_manifest(manifest_path, manifest);  // the same on every rank
  if (group.rank() == 0 && !resume) {
    std::error_code ec;
    fs::remove_all(work, ec);
    create_folder(work);
    write_text(manifest_path, manifest);
  }
  group.barrier();
  record_.resize(3 + outputs_);  // index, failed runs, outputs, checksum
  if (resume && fs::exists(part)) {
    // Whole, intact records whose indices run on from `first`; a torn tail or a damaged record
    // ends them, and what follows is cut.
    const std::size_t bytes = record_.size() * sizeof(double);
    std::ifstream in(part, std::ios::binary);
    while (in.read(reinterpret_cast<char*>(record_.data()), static_cast<std::streamsize>(bytes))) {
      if (record_[0] != static_cast<double>(first + done_) || checksum() != stored_checksum()) {
        damaged_at_ = first + done_;
        break;
      }
      failed_ += static_cast<long long>(record_[1]);
      values_.insert(values_.end(), record_.begin() + 2, record_.end() - 1);
      ++done_;
    }
    in.close();
    std::error_code ec;
    fs::resize_file(part, static_cast<std::uintmax_t>(done_) * bytes, ec);
    if (ec) throw IoError("cannot cut", part, ec.message());
  }
  file_.emplace(part, resume ? "ab" : "wb");
}

void SensitivityCheckpoint::append(long long index, long long failed_runs, const std::vector<double>& outputs) {
  record_[0] = static_cast<double>(index);
  record_[1] = static_cast<double>(failed_runs);
  std::copy(outputs.begin(), outputs.end(), record_.begin() + 2);
  const std::uint64_t sum = checksum();
  std::memcpy(&record_.back(), &sum, sizeof sum);  // bit for bit in the record's last double
  file_->write(record_.data(), record_.size() * sizeof(double));
}

std::uint64_t SensitivityCheckpoint::checksum() const {
  return fnv1a(std::string_view(reinterpret_cast<const char*>(record_.data()), (record_.size() - 1) * sizeof(double)));
}

std::uint64_t SensitivityCheckpoint::stored_checksum() const {
  std::uint64_t sum;
  std::memcpy(&sum, &record_.back(), sizeof sum);
  return sum;
}

void SensitivityCheckpoint::flush() { file_->flush(); }

void SensitivityCheckpoint::close() { file_->close(); }

}  // namespace gutskin::detail
