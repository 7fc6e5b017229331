// Limits instead of exhaustion (core/limits.hpp): a file too large to read, and every flag or
// file field that would make a call hold more than 1e8 values in memory, is refused before the
// call starts with exit code 2 and the exact message — never an out-of-memory kill later.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace fs = std::filesystem;
using namespace gutskin::testing;

namespace {

const fs::path source_dir = GUTSKIN_SOURCE_DIR;

/// Runs the CLI; expects exit code 2 and returns stderr.
std::string refused(std::vector<std::string> args) {
  args.insert(args.begin(), GUTSKIN_CLI);
  const Outcome r = run_process(args, source_dir);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  return r.err;
}

const std::string limit = "more than the limit of 1e+08 (763 MB)";

TEST(Limits, FilesTooLargeToReadAreRefusedUnread) {
  TempDir dir;
  // Sparse files: the size is checked before a byte is read.
  std::ofstream(dir.path() / "huge.yaml").close();
  fs::resize_file(dir.path() / "huge.yaml", 17u << 20);
  EXPECT_EQ(refused({"check", (dir.path() / "huge.yaml").string()}),
            (dir.path() / "huge.yaml").string() + ": error: the file is 17 MB, more than the 16 MB a YAML file may be\n");
  std::ofstream(dir.path() / "huge.xml").close();
  fs::resize_file(dir.path() / "huge.xml", 300u << 20);
  EXPECT_EQ(refused({"check", (dir.path() / "huge.xml").string()}),
            (dir.path() / "huge.xml").string() + ": error: the file is 300 MB, more than the 256 MB an SBML file may be\n");
}

TEST(Limits, ResultsTooLargeForMemoryAreRefusedBeforeTheRun) {
  TempDir dir;
  const std::string out = (dir.path() / "out").string();
  EXPECT_EQ(refused({"simulate", "gut_skin", "--t-end", "30", "--steps", "100000000", "--out", out + ".csv"}),
            "--steps: error: 100000001 rows × 194 columns would hold 1.95e+10 values in memory, " + limit +
                ": fewer --steps\n");
  EXPECT_EQ(refused({"trial", "low_glycaemic_diet_acne", "--patients", "1000000000", "--out", out, "--quiet"}),
            "--patients: error: 1000000000 patients × 2 arms × (6 endpoint columns + 105 sampled parameters) would "
            "hold 2.26e+11 values in memory, " + limit + ": fewer patients\n");
  EXPECT_EQ(refused({"sensitivity", "antibiotic_course", "--method", "sobol", "--samples", "100000000", "--out", out,
                     "--quiet"}),
            "--samples: error: 1.38e+10 runs × (40 outputs + 136 parameters) would hold 2.43e+12 values in memory, " +
                limit + ": fewer --samples, --parameters or --outputs\n");
  EXPECT_EQ(refused({"steady-state", "gut_skin", "--all", "--starts", "10000000", "--out", out}),
            "--starts: error: 10000000 starts × 64 states would hold 1.3e+09 values in memory, " + limit +
                ": fewer --starts\n");
  EXPECT_EQ(refused({"atlas", "low_glycaemic_diet_acne", "--input", "fibre=2:60", "--patients", "100000000", "--out",
                     out}),
            "--patients: error: 100000000 patients × (105 sampled parameters + 1 knobs) would hold 1.13e+10 values in "
            "memory, " + limit + ": fewer --patients\n");
  EXPECT_EQ(refused({"continue", "gut_skin", "--parameter", "k_recol", "--from", "0.1", "--to", "1", "--max-points",
                     "10000000", "--out", out}),
            "--max-points: error: 10000000 points × (64 states + 40 observables) would hold 1.06e+09 values in memory, " +
                limit + ": fewer --max-points\n");
}

TEST(Limits, AScenarioGridTooLargeIsRefusedByCheckAsByRun) {
  TempDir dir;
  const fs::path file = dir.path() / "grid.yaml";
  std::ofstream(file) << "scenario: fine_grid\nmodel: gut_skin\nduration: 180 days\noutput: {steps: 10000000}\n"
                         "timeline: []\n";
  const std::string message = file.string() +
                              ": error: the output grid (10000001 times × 194 columns) would hold 1.95e+09 values in "
                              "memory, " + limit + ": fewer output times ('output: {every: ...}' larger, or {steps: N} "
                              "smaller)\n";
  EXPECT_EQ(refused({"check", file.string()}), message);
  EXPECT_EQ(refused({"run", file.string(), "--out", (dir.path() / "out").string()}), message);
}

}  // namespace
