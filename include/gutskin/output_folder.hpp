// The folder a run writes its results into, held by that run alone.
//
// Two runs writing into one folder would mix or lose each other's files, and a run started again
// without --resume would replace finished results before computing anything. So a front end
// claims its output folder before it runs: the claim creates the folder, takes an exclusive lock
// on DIR/.gutskin.lock (released when the OutputFolder goes, or by the system when the process
// dies, so a killed run leaves no stale lock) and refuses a folder that already holds results
// unless told to replace them or to resume the run in it.
#pragma once

#include <filesystem>
#include <string>

namespace gutskin {

/// What a claim does with a folder that already holds files.
enum class ExistingResults {
  refuse,     // an InputError naming the folder and what is in it (the default)
  overwrite,  // allowed: the new files replace the old ones as they are written
  resume,     // allowed: the run goes on from the checkpoint in it (which it checks itself)
};

/// How a refusal names the ways out, in the front end's own terms (the CLI's by default).
struct ClaimWords {
  std::string overwrite = "--overwrite";
  std::string resume = "--resume";
  std::string elsewhere = "another --out";
};

class OutputFolder {
 public:
  /// Throws InputError if another process holds the folder or (refuse) it holds files, IoError
  /// if it cannot be created or locked. `resumable`: the refusal also offers to resume.
  OutputFolder(std::filesystem::path dir, ExistingResults existing, bool resumable = false,
               const ClaimWords& words = {});
  ~OutputFolder();
  OutputFolder(OutputFolder&& other) noexcept;
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;
  OutputFolder& operator=(OutputFolder&&) = delete;

  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
  int lock_fd_ = -1;
};

}  // namespace gutskin
