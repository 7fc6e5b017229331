// Every built-in scenario and trial gives byte-identical outputs to those recorded in
// tests/golden/outputs.txt (a digest per file, after scrubbing wall times, rates, thread counts
// and the output folder). Refactors below the API must not move a single digit.
//
// To record the digests anew (only when a change is meant to alter results, and say so in the
// commit): GUTSKIN_RECORD_GOLDEN=1 build/gutskin_tests --gtest_filter='OutputsGolden.*'
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace fs = std::filesystem;
using namespace gutskin::testing;

namespace {

const fs::path source_dir = GUTSKIN_SOURCE_DIR;
const fs::path digests_file = source_dir / "tests/golden/outputs.txt";
constexpr const char* trial_patients = "12";  // small: every arm and endpoint, in seconds

/// Wall times, rates and thread counts vary from run to run; the output folder from test to test
/// and the source folder (scenario paths in summary.json) from checkout to checkout.
std::string scrub(std::string text, const fs::path& dir) {
  static const std::regex volatile_json(
      R"re(("(wall_seconds|patients_per_second|patient_years_per_second|threads)":\s*)[-+0-9.eE]+)re");
  static const std::regex seconds(R"re([0-9]+(\.[0-9]+)?( s\b| patients/s| patient-years/s))re");
  static const std::regex thread_count(R"re(\([0-9]+ threads?,)re");
  text = std::regex_replace(text, volatile_json, "$1#");
  text = std::regex_replace(text, seconds, "#$2");
  text = std::regex_replace(text, thread_count, "(# threads,");
  for (const auto& [from, to] : {std::pair{dir.string(), "DIR"}, std::pair{source_dir.string(), "SRC"}})
    for (std::size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, from.size(), to);
  return text;
}

std::string fnv1a(const std::string& bytes) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ULL;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::vector<std::string> builtin_names(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(source_dir / folder))
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// "kind/name/file" → digest, for every output of every built-in scenario and trial.
std::map<std::string, std::string> compute_digests() {
  std::map<std::string, std::string> digests;
  TempDir tmp;
  auto record = [&](const std::string& key, const fs::path& dir, const std::vector<std::string>& files,
                    const Outcome& o) {
    EXPECT_EQ(o.code, 0) << key << ": " << o.err;
    digests[key + "/stdout"] = fnv1a(scrub(o.out, dir));
    for (const auto& f : files) digests[key + "/" + f] = fnv1a(scrub(read_file(dir / f), dir));
  };
  for (const auto& name : builtin_names("scenarios")) {
    const fs::path dir = tmp.path() / "scenario" / name;
    record("scenario/" + name, dir, {"trajectory.csv", "summary.json", "report.html"},
           run_process({GUTSKIN_CLI, "run", name, "--out", dir.string()}, source_dir));
  }
  for (const auto& name : builtin_names("trials")) {
    const fs::path dir = tmp.path() / "trial" / name;
    record("trial/" + name, dir, {"patients.csv", "summary.json", "report.html"},
           run_process({GUTSKIN_CLI, "trial", name, "--out", dir.string(), "--quiet", "--patients",
                        trial_patients, "--threads", "2"},
                       source_dir));
  }
  return digests;
}

TEST(OutputsGolden, EveryBuiltinScenarioAndTrialMatchesTheRecordedOutputs) {
  const auto digests = compute_digests();
  if (const char* r = std::getenv("GUTSKIN_RECORD_GOLDEN"); r && std::string(r) == "1") {
    std::ofstream out(digests_file);
    out << "# FNV-1a digests of scrubbed outputs (tests/outputs_golden_test.cpp)\n";
    for (const auto& [key, d] : digests) out << key << ' ' << d << '\n';
    GTEST_SKIP() << "recorded " << digests.size() << " digests in " << digests_file;
  }
  std::map<std::string, std::string> expected;
  std::ifstream in(digests_file);
  ASSERT_TRUE(in) << "missing " << digests_file;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::string key, d;
    s >> key >> d;
    expected[key] = d;
  }
  for (const auto& [key, d] : expected) {
    const auto it = digests.find(key);
    if (it == digests.end()) ADD_FAILURE() << key << ": no longer produced";
    else EXPECT_EQ(it->second, d) << key << " changed";
  }
  for (const auto& [key, d] : digests)
    EXPECT_TRUE(expected.count(key)) << key << ": new output, not recorded";
}

}  // namespace
