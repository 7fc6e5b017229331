// The files of a trial run and how a run survives being stopped or killed.
//
//   DIR/patients.csv  DIR/summary.json  DIR/report.html      the results (written by rank 0)
//   DIR/work/manifest.txt     what the run is: trial and model fingerprints, N, seed, processes
//   DIR/work/part-R.csv       rank R's rows, in patient order, for patients lo_R, lo_R+1, ...
//   DIR/work/part-R.bands     rank R's band values (float32), one fixed-size record per patient
//
// Rank R owns the contiguous patients [N·R/K, N·(R+1)/K) and appends them strictly in order, so
// what is on disk is always a prefix of its range plus perhaps a torn last record. Resuming
// keeps the longest prefix complete in both files, cuts the rest and goes on from there; the
// final patients.csv is the header and the parts in rank order, identical for any K.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gutskin::detail {

/// The checkpoint folder of a run (DIR/work; TrialOptions::checkpoint_dir).
struct RunFiles {
  std::filesystem::path work;
  std::filesystem::path manifest() const { return work / "manifest.txt"; }
  std::filesystem::path part_csv(int rank) const;
  std::filesystem::path part_bands(int rank) const;
};

/// 64-bit FNV-1a of a file's bytes (0 for a missing file), as 16 hex digits.
std::string file_fingerprint(const std::filesystem::path& path);

/// Throws InputError naming the first line that differs ("cannot resume: patients was 100, now
/// 200"), or that there is nothing to resume.
void check_manifest(const std::filesystem::path& path, const std::string& expected);

/// Keeps the complete prefix of a part: patients first, first+1, ... each with `arms` rows in
/// arm order, each row ending in a newline, and a full band record each. Cuts what follows in
/// both files and returns the number of complete patients.
long long recover_part(const std::filesystem::path& csv, const std::filesystem::path& bands,
                       long long first, int arms, std::size_t band_record_bytes);

}  // namespace gutskin::detail
