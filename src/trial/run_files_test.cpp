#include "gutskin/ensemble.hpp"
#include "trial/run_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace gutskin::detail {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class RecoverPart : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "gutskin_parts_XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
  }
  fs::path dir_;
};

TEST_F(RecoverPart, KeepsTheCompletePrefixAndCutsATornRecord) {
  const fs::path csv = dir_ / "p.csv", bands = dir_ / "p.bands";
  // Patients 10, 11 complete (2 arms each), 12 has one row, then a torn line.
  write(csv, "10,a,ok,1,\n10,b,ok,2,\n11,a,ok,3,\n11,b,ok,4,\n12,a,ok,5,\n12,b,o");
  write(bands, std::string(3 * 8, 'x') + "yyy");  // 3 records of 8 bytes and a torn one
  EXPECT_EQ(recover_part(csv, bands, 10, 2, 8), 2);
  EXPECT_EQ(read(csv), "10,a,ok,1,\n10,b,ok,2,\n11,a,ok,3,\n11,b,ok,4,\n");
  EXPECT_EQ(fs::file_size(bands), 16u);
}

TEST_F(RecoverPart, BandsBehindTheCsvWin) {
  const fs::path csv = dir_ / "p.csv", bands = dir_ / "p.bands";
  write(csv, "0,a,ok,\n1,a,ok,\n2,a,ok,\n");
  write(bands, std::string(4 + 2, 'x'));  // one whole record of 4 bytes
  EXPECT_EQ(recover_part(csv, bands, 0, 1, 4), 1);
  EXPECT_EQ(read(csv), "0,a,ok,\n");
  EXPECT_EQ(fs::file_size(bands), 4u);
}

TEST_F(RecoverPart, WrongPatientOrderStopsThePrefix) {
  const fs::path csv = dir_ / "p.csv";
  write(csv, "5,a,ok,\n7,a,ok,\n");
  EXPECT_EQ(recover_part(csv, dir_ / "none", 5, 1, 0), 1);
  EXPECT_EQ(read(csv), "5,a,ok,\n");
  EXPECT_EQ(recover_part(dir_ / "missing.csv", dir_ / "none", 0, 1, 0), 0);
}

TEST(RunFiles, RangesCoverEveryPatientOnce) {
  EXPECT_EQ(range_start(101, 0, 2), 0);
  EXPECT_EQ(range_start(101, 1, 2), 50);
  EXPECT_EQ(range_start(101, 2, 2), 101);
  EXPECT_EQ(range_start(1000000000, 3, 7), 428571428);
}

}  // namespace
}  // namespace gutskin::detail
