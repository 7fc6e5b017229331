// End-to-end tests of `gutskin trial`: the same patients.csv whatever the thread count, under
// mpirun with 2 processes, and after a kill -9 or Ctrl-C and --resume; failures as data; exact
// error lines for bad trial files.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace fs = std::filesystem;
using namespace gutskin::testing;

namespace {

const fs::path source_dir = GUTSKIN_SOURCE_DIR;
const std::string fixture = "src/trial/testdata/skin_trial.yaml";

/// Starts `args` in the source tree with stdout/stderr to files; returns the pid.
pid_t start(std::vector<std::string> args, const fs::path& out, const fs::path& err) {
  return start_process(std::move(args), source_dir, out, err);
}
int wait_code(pid_t pid) { return wait_for_exit(pid); }
Outcome run(std::vector<std::string> args) { return run_process(std::move(args), source_dir); }

std::vector<std::string> trial_args(const fs::path& out_dir, std::vector<std::string> extra) {
  std::vector<std::string> a = {GUTSKIN_CLI, "trial", fixture, "--out", out_dir.string(), "--quiet"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

TEST(TrialCli, BuiltinTrialSameResultWhateverTheThreadCount) {
  // The built-in model is large enough for the sparse (KLU) solver, whose state must not carry
  // over from one patient to the next on a thread.
  TempDir dir;
  auto args = [&](const std::string& out, const std::string& threads) {
    return std::vector<std::string>{GUTSKIN_CLI, "trial", "low_glycaemic_diet_acne", "--out", (dir.path() / out).string(),
                                    "--quiet", "--patients", "60", "--threads", threads};
  };
  const auto a = run(args("one", "1"));
  ASSERT_EQ(a.code, 0) << a.err;
  const auto b = run(args("two", "2"));
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(read_file(dir.path() / "one/patients.csv"), read_file(dir.path() / "two/patients.csv"));
}

TEST(TrialCli, SameResultWhateverTheThreadCount) {
  TempDir dir;
  const auto a = run(trial_args(dir.path() / "one", {"--threads", "1", "--patients", "300"}));
  ASSERT_EQ(a.code, 0) << a.err;
  const auto b = run(trial_args(dir.path() / "two", {"--threads", "2", "--patients", "300"}));
  ASSERT_EQ(b.code, 0) << b.err;
  const std::string csv = read_file(dir.path() / "one/patients.csv");
  EXPECT_EQ(csv, read_file(dir.path() / "two/patients.csv"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 300);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "patient,arm,status,k_in,k_out,efficacy,score_w12,score_change,score_pct,score50,"
            "clear_days,clear_event,message");
  EXPECT_TRUE(fs::exists(dir.path() / "one/report.html"));
  EXPECT_FALSE(fs::exists(dir.path() / "one/work"));  // removed once complete
  EXPECT_NE(a.out.find("completed: 300 of 300 patients, 600 simulations, 0 failed"),
            std::string::npos)
      << a.out;
}

TEST(TrialCli, SummaryHoldsTheStatistics) {
  TempDir dir;
  const auto r = run(trial_args(dir.path(), {}));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto s = nlohmann::json::parse(read_file(dir.path() / "summary.json"));
  EXPECT_EQ(s["status"], "completed");
  EXPECT_EQ(s["patients"], 40);
  EXPECT_EQ(s["reference"], "control");
  const auto& ep = s["endpoints"];
  ASSERT_EQ(ep.size(), 5u);
  // Untreated patients stay at their baseline: a change of exactly 0.
  EXPECT_NEAR(ep[1]["arms"][0]["mean"].get<double>(), 0.0, 1e-9);
  // Treated: inflammation falls to 1/(1 + efficacy) of baseline.
  EXPECT_LT(ep[2]["arms"][1]["mean"].get<double>(), -30.0);
  EXPECT_EQ(ep[3]["arms"][0]["events"], 0);
  EXPECT_GT(ep[3]["comparisons"][0]["risk_difference"].get<double>(), 0.2);
  EXPECT_TRUE(ep[3]["comparisons"][0]["nnt"].is_number());
  EXPECT_EQ(ep[4]["kind"], "time_to_event");
  ASSERT_EQ(s["bands"]["times_days"].size(), 13u);
  const auto& band = s["bands"]["observables"][0]["arms"][0];
  EXPECT_LE(band["q25"][0].get<double>(), band["median"][0].get<double>());
  EXPECT_LE(band["median"][0].get<double>(), band["q75"][0].get<double>());
}

TEST(TrialCli, TwoMpiProcessesWriteTheSingleProcessResult) {
  if (std::system("command -v mpirun >/dev/null 2>&1") != 0) GTEST_SKIP() << "no mpirun";
  TempDir dir;
  const auto one = run(trial_args(dir.path() / "one", {"--threads", "1", "--patients", "101"}));
  ASSERT_EQ(one.code, 0) << one.err;
  const auto two = run({"mpirun", "--allow-run-as-root", "--oversubscribe", "-n", "2", GUTSKIN_CLI,
                        "trial", fixture, "--out", (dir.path() / "two").string(), "--quiet",
                        "--threads", "1", "--patients", "101"});
  ASSERT_EQ(two.code, 0) << two.out << two.err;
  EXPECT_NE(two.out.find("(1 thread, 2 processes)"), std::string::npos) << two.out;
  EXPECT_EQ(read_file(dir.path() / "one/patients.csv"), read_file(dir.path() / "two/patients.csv"));
}

/// Waits until the run has written some patients, then sends `sig`.
void interrupt_when_started(pid_t pid, const fs::path& part, int sig) {
  for (int i = 0; i < 3000; ++i) {
    std::error_code ec;
    if (fs::exists(part, ec) && fs::file_size(part, ec) > 20000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(pid, sig);
}

TEST(TrialCli, ResumeAfterKillMinus9LosesAndRepeatsNoPatient) {
  TempDir dir;
  const std::vector<std::string> n = {"--patients", "6000", "--threads", "2"};
  ASSERT_EQ(run(trial_args(dir.path() / "whole", n)).code, 0);
  const fs::path cut = dir.path() / "cut";
  const pid_t pid = start(trial_args(cut, n), dir.path() / "o", dir.path() / "e");
  interrupt_when_started(pid, cut / "work/part-0.csv", SIGKILL);
  EXPECT_EQ(wait_code(pid), 128 + SIGKILL);
  ASSERT_TRUE(fs::exists(cut / "work/manifest.txt"));
  auto resume = trial_args(cut, n);
  resume.push_back("--resume");
  const auto r = run(resume);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("resumed: "), std::string::npos) << r.out;
  EXPECT_EQ(read_file(dir.path() / "whole/patients.csv"), read_file(cut / "patients.csv"));
}

TEST(TrialCli, CtrlCStopsCleanlyAndResumes) {
  TempDir dir;
  const std::vector<std::string> n = {"--patients", "6000", "--threads", "2"};
  ASSERT_EQ(run(trial_args(dir.path() / "whole", n)).code, 0);
  const fs::path cut = dir.path() / "cut";
  const pid_t pid = start(trial_args(cut, n), dir.path() / "o", dir.path() / "e");
  interrupt_when_started(pid, cut / "work/part-0.csv", SIGINT);
  EXPECT_EQ(wait_code(pid), 130);
  const auto s = nlohmann::json::parse(read_file(cut / "summary.json"));
  EXPECT_EQ(s["status"], "stopped");
  EXPECT_EQ(s["failed"], 0);  // patients cut short are not failures
  EXPECT_NE(read_file(dir.path() / "o").find("--resume"), std::string::npos);
  auto resume = trial_args(cut, n);
  resume.push_back("--resume");
  ASSERT_EQ(run(resume).code, 0);
  EXPECT_EQ(read_file(dir.path() / "whole/patients.csv"), read_file(cut / "patients.csv"));
}

TEST(TrialCli, ResumeRefusesADifferentRun) {
  TempDir dir;
  const fs::path out = dir.path() / "r";
  const pid_t pid = start(trial_args(out, {"--patients", "6000", "--threads", "1"}),
                          dir.path() / "o", dir.path() / "e");
  interrupt_when_started(pid, out / "work/part-0.csv", SIGKILL);
  wait_code(pid);
  const auto r = run(trial_args(out, {"--patients", "5000", "--resume"}));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, out.string() +
                       ": error: cannot resume: patients was 6000, now 5000 (--overwrite instead of "
                       "--resume starts again)\n");
  const auto none = run(trial_args(dir.path() / "none", {"--resume"}));
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("nothing to resume"), std::string::npos) << none.err;
}

TEST(TrialCli, AFolderWithResultsIsRefusedUnlessOverwrittenAndLosesNothing) {
  TempDir dir;
  const fs::path out = dir.path() / "a";
  ASSERT_EQ(run(trial_args(out, {"--patients", "40"})).code, 0);
  const std::string before = read_file(out / "patients.csv");
  const auto again = run(trial_args(out, {"--patients", "40", "--seed", "8"}));
  EXPECT_EQ(again.code, 2);
  EXPECT_EQ(again.err, out.string() +
                           ": error: holds the results of an earlier run (manifest.sha256, patients.csv, report.html, "
                           "summary.json): --overwrite replaces them, --resume goes on with an unfinished run, another "
                           "--out keeps them\n");
  EXPECT_EQ(read_file(out / "patients.csv"), before);
  const auto over = run(trial_args(out, {"--patients", "40", "--seed", "8", "--overwrite"}));
  ASSERT_EQ(over.code, 0) << over.err;
  EXPECT_NE(read_file(out / "patients.csv"), before);
}

TEST(TrialCli, ASecondRunIntoAFolderInUseIsRefusedAndAKilledRunLeavesNoLock) {
  TempDir dir;
  const fs::path out = dir.path() / "busy";
  const std::vector<std::string> n = {"--patients", "6000", "--threads", "1"};
  const pid_t first = start(trial_args(out, n), dir.path() / "o", dir.path() / "e");
  for (int i = 0; i < 3000 && !fs::exists(out / "work/part-0.csv"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const auto second = run(trial_args(out, {"--patients", "40", "--overwrite"}));
  EXPECT_EQ(second.code, 2);
  EXPECT_EQ(second.err, out.string() + ": error: another gutskin run is writing into this folder (it holds " +
                            (out / ".gutskin.lock").string() + "): wait for it to end or use another --out\n");
  interrupt_when_started(first, out / "work/part-0.csv", SIGKILL);
  EXPECT_EQ(wait_code(first), 128 + SIGKILL);
  auto resume = trial_args(out, {"--patients", "200", "--threads", "1"});
  resume.push_back("--overwrite");  // the lock died with the killed run
  const auto r = run(resume);
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(TrialCli, FailedPatientsAreRecordedAndLeftOutOfTheStatistics) {
  TempDir dir;
  const auto r = run({GUTSKIN_CLI, "trial", "src/trial/testdata/blowup_trial.yaml", "--out",
                      dir.path().string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto s = nlohmann::json::parse(read_file(dir.path() / "summary.json"));
  const long long failed = s["failed"];
  EXPECT_GT(failed, 0);
  EXPECT_LT(failed, 30);
  EXPECT_EQ(s["endpoints"][0]["arms"][0]["n"].get<long long>(), 30 - failed);
  EXPECT_NE(s["failure_reasons"][0]["reason"].get<std::string>().find("non_finite: "),
            std::string::npos);
  const std::string csv = read_file(dir.path() / "patients.csv");
  EXPECT_NE(csv.find(",only,non_finite,"), std::string::npos);
  EXPECT_NE(r.out.find("\nfailed: "), std::string::npos) << r.out;
}

TEST(TrialCli, BadTrialFilesListEveryProblem) {
  TempDir dir;
  auto r = run({GUTSKIN_CLI, "trial", "src/trial/testdata/bad_trial.yaml", "--out", dir.path().string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "src/trial/testdata/bad_trial.yaml:6:13: error: 'patients' must be a whole number from 1 to 10^9\n"
            "src/trial/testdata/bad_trial.yaml:12:11: error: duplicate arm 'a'\n"
            "src/trial/testdata/bad_trial.yaml:15:5: error: endpoint 'e2' reads a time outside the trial (0 to 84 days)\n"
            "src/trial/testdata/bad_trial.yaml:16:57: error: unknown measure 'changes': expected value, change or percent_change (did you mean 'change'?)\n"
            "src/trial/testdata/bad_trial.yaml:17:25: error: unknown arm 'b' (did you mean 'a'?)\n");
  r = run({GUTSKIN_CLI, "trial", "src/trial/testdata/bad_against_model.yaml", "--out", dir.path().string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "src/trial/testdata/bad_against_model.yaml:10:17: error: unknown input 'treatmnt' (did you mean 'treatment'?)\n"
            "src/trial/testdata/bad_against_model.yaml:5:14: error: unknown phenotype 'sever' (did you mean 'severe'?)\n"
            "src/trial/testdata/bad_against_model.yaml:6:12: error: unknown parameter 'k_inn' in spread (did you mean 'k_in'?)\n"
            "src/trial/testdata/bad_against_model.yaml:12:12: error: unknown observable 'scor' in endpoint 'e1' (did you mean 'score'?)\n");
}

// Arm and endpoint names become CSV fields and columns: one with a newline or a space used to
// be written changed and then dropped from the statistics. They must be identifiers.
TEST(TrialCli, ArmAndEndpointNamesMustBeIdentifiers) {
  TempDir dir;
  const auto r = run({GUTSKIN_CLI, "trial", "src/trial/testdata/bad_names_trial.yaml", "--out", dir.path().string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "src/trial/testdata/bad_names_trial.yaml:8:11: error: name 'treated\\nfull' (an arm): expected a letter or "
            "_, then letters, digits or _\n"
            "src/trial/testdata/bad_names_trial.yaml:11:12: error: name 'score w12' (an endpoint): expected a letter or "
            "_, then letters, digits or _\n");
}

TEST(TrialCli, BuiltInTrialsRun) {
  for (const char* name : {"probiotic_infant_eczema", "low_glycaemic_diet_acne",
                           "stress_management_psoriasis", "antibiotic_probiotic_acne"}) {
    TempDir dir;
    const auto r = run({GUTSKIN_CLI, "trial", name, "--out", dir.path().string(), "--patients", "4",
                        "--quiet"});
    ASSERT_EQ(r.code, 0) << name << ": " << r.err;
    const std::string html = read_file(dir.path() / "report.html");
    EXPECT_NE(html.find("</html>"), std::string::npos) << name;
  }
}

}  // namespace
