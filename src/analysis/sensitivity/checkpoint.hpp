// The checkpoint of a global sensitivity run, so a stopped or killed run goes on with --resume:
//
//   DIR/work/manifest.txt   what the run is: study and model fingerprints, method, design, outputs
//   DIR/work/part-R.bin     rank R's finished design points in index order, one fixed-size record
//                           each: index, failed runs, every output (doubles, bit-exact), then a
//                           64-bit checksum of them
//
// Rank R owns the contiguous points [P·R/K, P·(R+1)/K) and appends strictly in order, so what is
// on disk is a prefix of its range plus perhaps a torn last record, which resuming cuts; a
// damaged record (failing its checksum) ends the prefix too, and the points from it run again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/text_files.hpp"
#include "gutskin/ensemble.hpp"

namespace gutskin::detail {

class SensitivityCheckpoint {
 public:
  /// Starts afresh (rank 0 clears `work`) or resumes: checks the manifest (InputError naming
  /// what changed) and keeps this rank's complete records from `first` on.
  SensitivityCheckpoint(const std::filesystem::path& work, const std::string& manifest, bool resume, long long first,
                        std::size_t outputs, const ProcessGroup& group);

  long long done() const { return done_; }             // points recovered
  long long failed_runs() const { return failed_; }    // among them
  long long damaged_at() const { return damaged_at_; } // the point a damaged record stopped recovery at, or -1
  /// Outputs of the recovered points, point-major (done() × outputs).
  const std::vector<double>& values() const { return values_; }

  void append(long long index, long long failed_runs, const std::vector<double>& outputs);
  void flush();   // throws IoError
  void close();   // throws IoError

 private:
  std::uint64_t checksum() const;         // of record_ but its last slot
  std::uint64_t stored_checksum() const;  // the bits of its last slot

  std::optional<OutputFile> file_;
  std::size_t outputs_ = 0;
  long long done_ = 0, failed_ = 0, damaged_at_ = -1;
  std::vector<double> values_, record_;
};

}  // namespace gutskin::detail
