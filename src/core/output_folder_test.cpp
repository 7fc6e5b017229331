// An output folder is held by one run: a second claim while it is held, or a claim of a folder
// with results without overwrite or resume, is a located error that leaves the files alone.
#include "gutskin/output_folder.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/errors.hpp"
#include "support/process.hpp"

namespace gutskin {
namespace {

namespace fs = std::filesystem;
using testing::error_of;
using testing::TempDir;

TEST(OutputFolder, IsCreatedAndHeldByOneClaimAtATime) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "a" / "b";
  {
    OutputFolder held(dir, ExistingResults::refuse);
    EXPECT_TRUE(fs::is_directory(dir));
    EXPECT_EQ(error_of([&] { OutputFolder f(dir, ExistingResults::overwrite); }),
              dir.string() + ": error: another gutskin run is writing into this folder (it holds " +
                  (dir / ".gutskin.lock").string() + "): wait for it to end or use another --out");
    const OutputFolder moved = std::move(held);  // still held once moved
    EXPECT_NE(error_of([&] { OutputFolder f(dir, ExistingResults::resume); }), "(no error)");
  }
  // released: an empty folder (but for the lock) is claimed again without overwrite
  EXPECT_EQ(error_of([&] { OutputFolder f(dir, ExistingResults::refuse); }), "(no error)");
}

TEST(OutputFolder, AFolderWithResultsNeedsOverwriteOrResume) {
  TempDir tmp;
  const fs::path dir = tmp.path();
  std::ofstream(dir / "summary.json") << "{}";
  fs::create_directories(dir / "work");
  EXPECT_EQ(error_of([&] { OutputFolder f(dir, ExistingResults::refuse, true); }),
            dir.string() + ": error: holds the results of an earlier run (summary.json, work/): --overwrite replaces "
                           "them, --resume goes on with an unfinished run, another --out keeps them");
  EXPECT_EQ(error_of([&] { OutputFolder f(dir, ExistingResults::refuse); }),
            dir.string() + ": error: holds the results of an earlier run (summary.json, work/): --overwrite replaces "
                           "them, another --out keeps them");
  EXPECT_EQ(error_of([&] { OutputFolder f(dir, ExistingResults::overwrite); }), "(no error)");
  EXPECT_EQ(error_of([&] { OutputFolder f(dir, ExistingResults::resume); }), "(no error)");
  EXPECT_TRUE(fs::exists(dir / "summary.json"));  // a claim removes nothing
}

}  // namespace
}  // namespace gutskin
