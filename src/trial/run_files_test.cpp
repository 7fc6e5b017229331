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

/// A patient's rows (one per arm) and its band record with `value` as its one band value.
struct Patient {
  std::string rows, record;
};
Patient patient(long long p, int arms, float value) {
  Patient x;
  for (int a = 0; a < arms; ++a) x.rows += std::to_string(p) + "," + std::string(1, char('a' + a)) + ",ok,1.5,\n";
  x.record = band_record_bytes(x.rows, std::string_view(reinterpret_cast<const char*>(&value), sizeof value));
  return x;
}

TEST_F(RecoverPart, KeepsTheIntactPrefixAndCutsATornRecord) {
  const fs::path csv = dir_ / "p.csv", bands = dir_ / "p.bands";
  const Patient p10 = patient(10, 2, 1), p11 = patient(11, 2, 2), p12 = patient(12, 2, 3);
  EXPECT_EQ(p10.record.size(), 4u + 8u);  // the band value, then the checksum
  // Patients 10, 11 whole; 12 has its rows but a torn band record, then a torn line.
  write(csv, p10.rows + p11.rows + p12.rows + "13,a,o");
  write(bands, p10.record + p11.record + p12.record.substr(0, 5));
  const PartRecovery r = recover_part(csv, bands, 10, 2, 1);
  EXPECT_EQ(r.patients, 2);
  EXPECT_EQ(r.damaged_at, -1);  // torn by a kill, not damaged
  EXPECT_EQ(read(csv), p10.rows + p11.rows);
  EXPECT_EQ(read(bands), p10.record + p11.record);
}

TEST_F(RecoverPart, BandsBehindTheCsvWin) {
  const fs::path csv = dir_ / "p.csv", bands = dir_ / "p.bands";
  const Patient p0 = patient(0, 1, 1), p1 = patient(1, 1, 2);
  write(csv, p0.rows + p1.rows + patient(2, 1, 3).rows);
  write(bands, p0.record + p1.record.substr(0, 10));
  const PartRecovery r = recover_part(csv, bands, 0, 1, 1);
  EXPECT_EQ(r.patients, 1);
  EXPECT_EQ(r.damaged_at, -1);
  EXPECT_EQ(read(csv), p0.rows);
  EXPECT_EQ(fs::file_size(bands), p0.record.size());
}

TEST_F(RecoverPart, ADamagedRecordEndsThePrefixAndIsNamed) {
  const fs::path csv = dir_ / "p.csv", bands = dir_ / "p.bands";
  const Patient p0 = patient(0, 2, 1), p1 = patient(1, 2, 2), p2 = patient(2, 2, 3);
  std::string rows = p0.rows + p1.rows + p2.rows;
  rows[p0.rows.size() + 7] = '7';  // one digit of patient 1's first row: 1.5 -> 7.5
  write(csv, rows);
  write(bands, p0.record + p1.record + p2.record);
  PartRecovery r = recover_part(csv, bands, 0, 2, 1);
  EXPECT_EQ(r.patients, 1);
  EXPECT_EQ(r.damaged_at, 1);
  EXPECT_EQ(read(csv), p0.rows);
  EXPECT_EQ(read(bands), p0.record);
  // A damaged band value is found the same way.
  std::string record = p1.record;
  record[0] ^= 0x10;
  write(csv, p0.rows + p1.rows);
  write(bands, p0.record + record);
  r = recover_part(csv, bands, 0, 2, 1);
  EXPECT_EQ(r.patients, 1);
  EXPECT_EQ(r.damaged_at, 1);
}

TEST_F(RecoverPart, WrongPatientOrderStopsThePrefix) {
  const fs::path csv = dir_ / "p.csv", bands = dir_ / "p.bands";
  const Patient p5 = patient(5, 1, 1), p7 = patient(7, 1, 2);
  write(csv, p5.rows + p7.rows);
  write(bands, p5.record + p7.record);
  const PartRecovery r = recover_part(csv, bands, 5, 1, 1);
  EXPECT_EQ(r.patients, 1);
  EXPECT_EQ(r.damaged_at, 6);
  EXPECT_EQ(read(csv), p5.rows);
  EXPECT_EQ(recover_part(dir_ / "missing.csv", dir_ / "none", 0, 1, 0).patients, 0);
}

TEST(RunFiles, RangesCoverEveryPatientOnce) {
  EXPECT_EQ(range_start(101, 0, 2), 0);
  EXPECT_EQ(range_start(101, 1, 2), 50);
  EXPECT_EQ(range_start(101, 2, 2), 101);
  EXPECT_EQ(range_start(1000000000, 3, 7), 428571428);
}

}  // namespace
}  // namespace gutskin::detail
