// Result files: SHA-256 against the FIPS 180-2 test vectors, and write_results putting every
// file and its manifest in place with nothing left beside them.
#include "core/text_files.hpp"

#include <gtest/gtest.h>

#include "gutskin/errors.hpp"
#include "support/process.hpp"

namespace gutskin::detail {
namespace {

namespace fs = std::filesystem;

TEST(TextFiles, Sha256MatchesTheStandardsTestVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(TextFiles, WriteResultsPutsEveryFileAndTheManifestInPlace) {
  testing::TempDir tmp;
  const fs::path dir = tmp.path() / "r";
  write_results(dir, {{"a.csv", "x\n1\n"}, {"summary.json", "{}\n"}});
  EXPECT_EQ(testing::read_file(dir / "a.csv"), "x\n1\n");
  EXPECT_EQ(testing::read_file(dir / "manifest.sha256"),
            sha256_hex("x\n1\n") + "  a.csv\n" + sha256_hex("{}\n") + "  summary.json\n");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 3);  // no temporary file left beside them
  // Written again: replaced whole.
  write_results(dir, {{"a.csv", "y\n"}, {"summary.json", "{}\n"}});
  EXPECT_EQ(testing::read_file(dir / "a.csv"), "y\n");
}

TEST(TextFiles, AFileThatCannotBeWrittenIsNamedAndTheOthersStayAsTheyWere) {
  testing::TempDir tmp;
  const fs::path dir = tmp.path() / "r";
  write_results(dir, {{"a.csv", "old\n"}, {"b.csv", "old\n"}});
  fs::create_directory(dir / "b.csv.tmp");  // the staging place of b.csv is taken: its write fails
  try {
    write_results(dir, {{"a.csv", "new\n"}, {"b.csv", "new\n"}});
    ADD_FAILURE() << "no error";
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write " + (dir / "b.csv").string() + ": Is a directory");
  }
  EXPECT_EQ(testing::read_file(dir / "a.csv"), "old\n");  // all or nothing
  EXPECT_EQ(testing::read_file(dir / "b.csv"), "old\n");
  EXPECT_FALSE(fs::exists(dir / "a.csv.tmp"));
}

}  // namespace
}  // namespace gutskin::detail
