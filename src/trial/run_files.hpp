// The files of a trial run and how a run survives being stopped or killed.
//
//   DIR/patients.csv  DIR/summary.json  DIR/report.html      the results (written by rank 0)
//   DIR/work/manifest.txt     what the run is: trial and model fingerprints, N, seed, processes
//   DIR/work/part-R.csv       rank R's rows, in patient order, for patients lo_R, lo_R+1, ...
//   DIR/work/part-R.bands     rank R's band values (float32) and a checksum, one fixed-size record per patient
//
// Rank R owns the contiguous patients [N·R/K, N·(R+1)/K) and appends them strictly in order, so
// what is on disk is always a prefix of its range plus perhaps a torn last record. Resuming
// keeps the longest prefix complete and intact in both files (a damaged record ends it as a
// torn one does), cuts the rest and goes on from there; the
// final patients.csv is the header and the parts in rank order, identical for any K.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
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

/// 64-bit FNV-1a of `bytes`, continued from `h`: the checksum of checkpoint records (it finds
/// damage, not tampering).
inline constexpr std::uint64_t fnv1a_offset = 0xcbf29ce484222325ULL;
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = fnv1a_offset);

/// A patient's record in part-R.bands: the bytes of its band values (float32) and then a
/// 64-bit checksum (FNV-1a) of its rows in part-R.csv and those bytes, so that a resumed run
/// tells an intact patient from a damaged one.
std::string band_record_bytes(std::string_view rows, std::string_view band_values);

/// What resuming found in a part: the intact patients first, first+1, ... and, when a whole
/// record failed its check (a damaged checkpoint, not a record torn by a kill), the patient
/// where that stopped the prefix (-1 otherwise).
struct PartRecovery {
  long long patients = 0;
  long long damaged_at = -1;
};

/// Keeps the longest prefix of intact patients: `arms` rows each, in patient order, each row
/// ending in a newline, and a whole band record (`floats` values and the checksum) that
/// matches them. Cuts what follows in both files, to be run again.
PartRecovery recover_part(const std::filesystem::path& csv, const std::filesystem::path& bands, long long first,
                          int arms, std::size_t floats);

}  // namespace gutskin::detail
