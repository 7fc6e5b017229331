// End-to-end tests of the `gutskin` command-line tool: exit codes, exact error lines, help, and
// golden files for output people and scripts read. Regenerate the golden files with
//   GUTSKIN_UPDATE_GOLDEN=1 ./gutskin_tests --gtest_filter='Cli*'
// and review the diff before committing.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/csv.hpp"
#include "gutskin/simulate.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using namespace gutskin::testing;

namespace {

const fs::path source_dir = GUTSKIN_SOURCE_DIR;
const fs::path golden_dir = source_dir / "tests" / "golden";

/// Runs the CLI with `args` in `cwd` (default: the source tree, so fixture paths are relative
/// and error lines read `tests/data/...`), capturing stdout, stderr and the exit code.
Outcome run_cli(const std::vector<std::string>& args, const fs::path& cwd = source_dir) {
  std::vector<std::string> argv = {GUTSKIN_CLI};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(std::move(argv), cwd);
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

/// Volatile parts replaced by placeholders: wall time, temporary and source paths.
std::string scrub(std::string s, const fs::path& tmp = {}) {
  replace_all(s, tmp.string(), "<tmp>");
  replace_all(s, source_dir.string(), "<src>");
  s = std::regex_replace(s, std::regex(R"([0-9.]+(e[-+]?[0-9]+)? s\b)"), "<wall> s");
  s = std::regex_replace(s, std::regex(R"("wall_seconds": [-+0-9.eE]+)"), "\"wall_seconds\": 0");
  return s;
}

bool update_golden() {
  const char* v = std::getenv("GUTSKIN_UPDATE_GOLDEN");
  return v && std::string(v) == "1";
}

/// Compares text with tests/golden/<name> exactly (or rewrites it when updating).
void expect_golden(const std::string& name, const std::string& actual) {
  const fs::path path = golden_dir / name;
  if (update_golden()) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(path)) << path << " is missing; run with GUTSKIN_UPDATE_GOLDEN=1";
  EXPECT_EQ(read_file(path), actual) << "differs from " << path
                                     << " (GUTSKIN_UPDATE_GOLDEN=1 regenerates it)";
}

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
};

Csv parse_csv(const std::string& text) {
  Csv csv;
  std::vector<std::string> lines = split(text, '\n');
  if (lines.empty()) return csv;
  csv.header = split(lines[0], ',');
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    std::vector<double> row;
    for (const std::string& cell : split(lines[i], ',')) row.push_back(std::stod(cell));
    csv.rows.push_back(row);
  }
  return csv;
}

/// CSV golden: same header and shape, numbers equal within a relative tolerance (floats are
/// never compared with ==; the last printed digit may move with the compiler or SUNDIALS).
void expect_golden_csv(const std::string& name, const std::string& actual, double rtol) {
  const fs::path path = golden_dir / name;
  if (update_golden()) return expect_golden(name, actual);
  ASSERT_TRUE(fs::exists(path)) << path << " is missing; run with GUTSKIN_UPDATE_GOLDEN=1";
  const Csv want = parse_csv(read_file(path)), got = parse_csv(actual);
  EXPECT_EQ(want.header, got.header);
  ASSERT_EQ(want.rows.size(), got.rows.size());
  for (std::size_t r = 0; r < want.rows.size(); ++r) {
    ASSERT_EQ(want.rows[r].size(), got.rows[r].size()) << "row " << r;
    for (std::size_t c = 0; c < want.rows[r].size(); ++c)
      EXPECT_NEAR(got.rows[r][c], want.rows[r][c], rtol * std::abs(want.rows[r][c]) + 1e-14)
          << "row " << r << ", column " << want.header[c];
  }
}

}  // namespace

// --- exit codes, version, help -----------------------------------------------------------------

TEST(Cli, NoSubcommandIsBadInput) {
  const Outcome o = run_cli({});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("A subcommand is required"), std::string::npos) << o.err;
}

TEST(Cli, UnknownOptionIsBadInput) {
  const Outcome o = run_cli({"simulate", "tests/data/decay.yaml", "--t-end", "1", "--steps", "2",
                             "--no-such-option"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("--no-such-option"), std::string::npos) << o.err;
}

TEST(Cli, InvalidOptionValueIsBadInput) {
  EXPECT_EQ(run_cli({"simulate", "tests/data/decay.yaml", "--t-end", "-1", "--steps", "2"}).code,
            2);
  EXPECT_EQ(run_cli({"simulate", "tests/data/decay.yaml", "--t-end", "1", "--steps", "2",
                     "--linear-solver", "lu"})
                .code,
            2);
}

TEST(Cli, Version) {
  const Outcome o = run_cli({"--version"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out.rfind("gutskin ", 0), 0u) << o.out;
}

TEST(Cli, HelpOfEveryCommandMatchesItsGoldenFile) {
  // The flags come from the option descriptors (gutskin/options.hpp): a field added to a struct
  // shows here, and a help text that drifts fails the comparison.
  const std::vector<std::string> commands = {"run", "simulate", "check", "describe", "list",
                                             "trial", "sensitivity", "steady-state", "continue",
                                             "atlas", "export-sbml", "sbml-suite"};
  for (const auto& command : commands) {
    const Outcome o = run_cli({command, "--help"});
    EXPECT_EQ(o.code, 0) << command;
    expect_golden("help/" + command + ".txt", o.out);
  }
  const Outcome top = run_cli({"--help"});
  EXPECT_EQ(top.code, 0);
  expect_golden("help/gutskin.txt", top.out);
}

TEST(Cli, EverySolverOptionIsAFlagOfEveryCommandThatRuns) {
  for (const char* command : {"run", "simulate", "trial", "sensitivity", "steady-state", "continue", "atlas"}) {
    const Outcome o = run_cli({command, "--help"});
    for (const auto& field : gutskin::OptionsOf<gutskin::SolverOptions>::table()) {
      std::string flag = "--" + field.name;
      std::replace(flag.begin(), flag.end(), '_', '-');
      EXPECT_NE(o.out.find(flag + " "), std::string::npos) << command << ": " << flag;
    }
  }
}

// --- check: diagnostics are the contract -------------------------------------------------------

TEST(Cli, CheckModel) {
  const Outcome o = run_cli({"check", "tests/data/decay.yaml"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  expect_golden("check_decay.txt", o.out);
}

TEST(Cli, CheckScenario) {
  const Outcome o = run_cli({"check", "tests/data/decay_scenario.yaml"});
  EXPECT_EQ(o.code, 0) << o.err;
  expect_golden("check_decay_scenario.txt", o.out);
}

TEST(Cli, CheckBadModelPrintsEachDiagnostic) {
  const Outcome o = run_cli({"check", "tests/data/bad_model.yaml"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "tests/data/bad_model.yaml:7:3: error: undefined name 'kk' (did you mean 'k'?)\n");
}

TEST(Cli, CheckBadScenarioPrintsEachDiagnostic) {
  const Outcome o = run_cli({"check", "tests/data/bad_scenario.yaml"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err,
            "tests/data/bad_scenario.yaml:4:15: error: unknown parameter 'kk' in overrides "
            "(did you mean 'k'?)\n");
}

TEST(Cli, CheckMissingFile) {
  const Outcome o = run_cli({"check", "tests/data/no_such_file.yaml"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("no_such_file"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("error: "), std::string::npos) << o.err;
}

// --- describe ----------------------------------------------------------------------------------

TEST(Cli, DescribeTables) {
  const Outcome o = run_cli({"describe", "tests/data/small_model.yaml"});
  EXPECT_EQ(o.code, 0) << o.err;
  expect_golden("describe_small_model.txt", o.out);
}

TEST(Cli, DescribeJson) {
  const Outcome o = run_cli({"describe", "tests/data/small_model.yaml", "--json"});
  EXPECT_EQ(o.code, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);  // valid JSON
  EXPECT_EQ(j["name"], "small");
  EXPECT_EQ(j["parameters"][0]["source"], "assumed: repair within about a day");
  expect_golden("describe_small_model.json", o.out);
}

// --- simulate ----------------------------------------------------------------------------------

TEST(Cli, SimulateExponentialDecay) {
  const Outcome o = run_cli({"simulate", "tests/data/decay.yaml", "--t-end", "10", "--steps", "20",
                             "--rtol", "1e-10", "--atol", "1e-12"});
  ASSERT_EQ(o.code, 0) << o.err;
  expect_golden_csv("simulate_decay.csv", o.out, 1e-8);

  const Csv csv = parse_csv(o.out);
  ASSERT_EQ(csv.header, (std::vector<std::string>{"time [day]", "level [mg/L]", "x [mg/L]"}));
  ASSERT_EQ(csv.rows.size(), 21u);
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    const double t = csv.rows[r][0];
    EXPECT_NEAR(t, 0.5 * r, 1e-12);
    const double exact = 2.0 * std::exp(-0.5 * t);  // x0 = 2, k = 0.5 per day
    EXPECT_NEAR(csv.rows[r][2], exact, 1e-6 * exact) << "t = " << t;
  }
}

TEST(Cli, SimulateSelectsColumnsAndWritesFile) {
  TempDir tmp;
  const fs::path file = tmp.path() / "x.csv";
  const Outcome o = run_cli({"simulate", "tests/data/decay.yaml", "--t-end", "1", "--steps", "2",
                             "--vars", "x", "--out", file.string()});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "");
  const Csv csv = parse_csv(read_file(file));
  EXPECT_EQ(csv.header, (std::vector<std::string>{"time [day]", "x [mg/L]"}));
  EXPECT_EQ(csv.rows.size(), 3u);
}

TEST(Cli, SimulateHoldsInputsAtTheValuesGiven) {
  // barrier' = k_repair (1 − barrier) − k_leak · stress · barrier, barrier(0) = 1: with stress
  // held at 2, barrier(t) = b* + (1 − b*) e^{−(k_repair + 2 k_leak) t}, b* = 0.8 / 1.4.
  const Outcome o = run_cli({"simulate", "tests/data/small_model.yaml", "--t-end", "2", "--steps", "2",
                             "--vars", "barrier", "--input", "stress=2", "--rtol", "1e-10", "--atol", "1e-12"});
  ASSERT_EQ(o.code, 0) << o.err;
  const Csv csv = parse_csv(o.out);
  ASSERT_EQ(csv.rows.size(), 3u);
  const double b = 0.8 / 1.4;
  for (const auto& row : csv.rows) EXPECT_NEAR(row[1], b + (1 - b) * std::exp(-1.4 * row[0]), 1e-8) << row[0];

  const Outcome bad = run_cli({"simulate", "tests/data/small_model.yaml", "--t-end", "1", "--steps", "1",
                               "--input", "stres=2"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "--input: error: unknown input 'stres' (did you mean 'stress'?)\n");
}

TEST(Cli, SimulateUnknownVariable) {
  const Outcome o = run_cli({"simulate", "tests/data/decay.yaml", "--t-end", "1", "--steps", "2",
                             "--vars", "x,levl"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "error: unknown variable 'levl' (did you mean 'level'?)\n");
}

TEST(Cli, SimulateFailureKeepsRowsAndExitsOne) {
  // x' = x^2, x(0) = 1 blows up at t = 1: rows before that are printed, the run failed.
  const Outcome o = run_cli({"simulate", "tests/data/blowup.yaml", "--t-end", "2", "--steps", "4"});
  EXPECT_EQ(o.code, 1);
  const Csv csv = parse_csv(o.out);
  ASSERT_GE(csv.rows.size(), 2u);
  EXPECT_NEAR(csv.rows[1][1], 2.0, 1e-3);  // x(0.5) = 1 / (1 - 0.5)
  EXPECT_EQ(o.err.rfind("error: ", 0), 0u) << o.err;
}

// --- run ---------------------------------------------------------------------------------------

TEST(Cli, RunWritesTrajectoryAndSummary) {
  TempDir tmp;
  const Outcome o = run_cli(
      {"run", (source_dir / "tests/data/decay_scenario.yaml").string(), "--out", "result"},
      tmp.path());
  ASSERT_EQ(o.code, 0) << o.err;
  expect_golden("run_decay.txt", scrub(o.out, tmp.path()));
  EXPECT_TRUE(fs::exists(tmp.path() / "result" / "report.html"));

  const Csv csv = parse_csv(read_file(tmp.path() / "result" / "trajectory.csv"));
  EXPECT_EQ(csv.header, (std::vector<std::string>{"time [day]", "level [mg/L]", "x [mg/L]"}));
  EXPECT_EQ(csv.rows.size(), 11u);  // every day from 0 to 10

  const std::string summary = read_file(tmp.path() / "result" / "summary.json");
  const auto j = nlohmann::json::parse(summary);
  EXPECT_EQ(j["termination"], "completed");
  EXPECT_EQ(j["scenario"]["name"], "decay_run");
  EXPECT_EQ(j["model"]["name"], "decay");
  EXPECT_DOUBLE_EQ(j["observables"]["level"]["start"].get<double>(), 2.0);
  EXPECT_NEAR(j["observables"]["level"]["end"].get<double>(), 2.0 * std::exp(-5.0), 1e-4);
  EXPECT_GT(j["counters"]["steps"].get<long>(), 0);
  EXPECT_TRUE(j.contains("wall_seconds"));
}

TEST(Cli, RunDefaultOutputFolderIsNamedAfterTheScenario) {
  TempDir tmp;
  const Outcome o =
      run_cli({"run", (source_dir / "tests/data/decay_scenario.yaml").string()}, tmp.path());
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_TRUE(fs::exists(tmp.path() / "out" / "decay_run" / "trajectory.csv"));
  EXPECT_TRUE(fs::exists(tmp.path() / "out" / "decay_run" / "summary.json"));
}

TEST(Cli, RunBadScenario) {
  const Outcome o = run_cli({"run", "tests/data/bad_scenario.yaml"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err,
            "tests/data/bad_scenario.yaml:4:15: error: unknown parameter 'kk' in overrides "
            "(did you mean 'k'?)\n");
}

TEST(Cli, RunBadTolerance) {
  const Outcome o = run_cli({"run", "tests/data/decay_scenario.yaml", "--rtol", "-1"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("rtol"), std::string::npos) << o.err;
}

TEST(Cli, RunReportMustBeHtml) {
  const Outcome o = run_cli({"run", "tests/data/decay_scenario.yaml", "--report", "r.txt"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err, "error: --report: 'r.txt' should end in .html\n");
}

TEST(Cli, RunUnknownBuiltin) {
  const Outcome o = run_cli({"run", "no_such_scenario"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("no_such_scenario"), std::string::npos) << o.err;
}

// --- list --------------------------------------------------------------------------------------

TEST(Cli, List) {
  const Outcome o = run_cli({"list"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("data folder: "), std::string::npos) << o.out;
}
