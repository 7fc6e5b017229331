// Results that survive faults, done for real with `gutskin trial`: the manifest checked by
// coreutils' sha256sum, a damaged checkpoint found on --resume, kill -9 at random moments, a
// full disk and a read-only folder. The last two run in a small tmpfs mounted in a private
// mount namespace (`unshare -rm`, no root needed); they skip where the system forbids that.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace fs = std::filesystem;
using namespace gutskin::testing;

namespace {

const fs::path source_dir = GUTSKIN_SOURCE_DIR;
const std::string fixture = "src/trial/testdata/skin_trial.yaml";

std::vector<std::string> trial_args(const fs::path& out, const std::string& patients, std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {GUTSKIN_CLI, "trial", fixture, "--out", out.string(), "--quiet", "--patients", patients};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}
Outcome run(std::vector<std::string> args) { return run_process(std::move(args), source_dir); }

/// Runs `script` with sh in a private user and mount namespace (it may mount a tmpfs).
Outcome in_namespace(const std::string& script) {
  return run({"unshare", "-rm", "sh", "-c", script});
}
bool can_mount_tmpfs() {
  TempDir d;
  return in_namespace("mount -t tmpfs -o size=64k tmpfs " + d.path().string()).code == 0;
}

TEST(ResultFaults, TheManifestIsCheckedBySha256sumAndCatchesAChangedFile) {
  if (std::system("command -v sha256sum >/dev/null 2>&1") != 0) GTEST_SKIP() << "no sha256sum";
  TempDir dir;
  const fs::path out = dir.path() / "r";
  ASSERT_EQ(run(trial_args(out, "40")).code, 0);
  const auto ok = run_process({"sha256sum", "-c", "manifest.sha256"}, out);
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(ok.out, "patients.csv: OK\nsummary.json: OK\nreport.html: OK\n");
  std::ofstream(out / "summary.json", std::ios::app) << " ";
  const auto changed = run_process({"sha256sum", "-c", "--quiet", "manifest.sha256"}, out);
  EXPECT_EQ(changed.code, 1);
  EXPECT_EQ(changed.out, "summary.json: FAILED\n");
}

/// Kills (SIGKILL) the run once its part holds some patients.
void kill_when_started(pid_t pid, const fs::path& part) {
  for (int i = 0; i < 3000; ++i) {
    std::error_code ec;
    if (fs::exists(part, ec) && fs::file_size(part, ec) > 40000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(pid, SIGKILL);
  wait_for_exit(pid);
}

TEST(ResultFaults, ADamagedCheckpointIsFoundOnResumeAndThePatientsFromItRunAgain) {
  TempDir dir;
  ASSERT_EQ(run(trial_args(dir.path() / "whole", "6000", {"--threads", "2"})).code, 0);
  const fs::path cut = dir.path() / "cut", part = cut / "work/part-0.csv";
  kill_when_started(start_process(trial_args(cut, "6000", {"--threads", "2"}), source_dir, dir.path() / "o",
                                  dir.path() / "e"),
                    part);
  // One digit in the middle of the part changed, as a bad disk or a stray write would.
  std::string bytes = read_file(part);
  std::size_t at = bytes.size() / 2;
  while (at < bytes.size() && (bytes[at] < '0' || bytes[at] > '8')) ++at;
  ASSERT_LT(at, bytes.size());
  ++bytes[at];
  std::ofstream(part, std::ios::binary | std::ios::trunc) << bytes;
  const auto r = run(trial_args(cut, "6000", {"--threads", "2", "--resume"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("note: the checkpoint " + part.string() + " is damaged at patient "), std::string::npos) << r.out;
  EXPECT_EQ(read_file(dir.path() / "whole/patients.csv"), read_file(cut / "patients.csv"));
}

TEST(ResultFaults, KillsAtRandomMomentsThenResumeGiveTheOneGoResult) {
  TempDir dir;
  ASSERT_EQ(run(trial_args(dir.path() / "whole", "3000", {"--threads", "2"})).code, 0);
  const fs::path cut = dir.path() / "cut";
  std::mt19937 pick(std::random_device{}());
  for (int k = 0; k < 5; ++k) {
    const int ms = std::uniform_int_distribution<int>(0, 400)(pick);
    SCOPED_TRACE("kill " + std::to_string(k) + " after " + std::to_string(ms) + " ms");
    // Where a killed run left a checkpoint, go on with it; where it had not written one yet
    // (or had finished), start again.
    const bool resumable = fs::exists(cut / "work/manifest.txt");
    const pid_t pid = start_process(trial_args(cut, "3000", {"--threads", "2", resumable ? "--resume" : "--overwrite"}),
                                    source_dir, dir.path() / "o", dir.path() / "e");
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    kill(pid, SIGKILL);
    const int code = wait_for_exit(pid);
    EXPECT_TRUE(code == 128 + SIGKILL || code == 0) << code << ": " << read_file(dir.path() / "e");
  }
  const bool resumable = fs::exists(cut / "work/manifest.txt");
  const auto last = run(trial_args(cut, "3000", {"--threads", "2", resumable ? "--resume" : "--overwrite"}));
  ASSERT_EQ(last.code, 0) << last.err;
  EXPECT_EQ(read_file(dir.path() / "whole/patients.csv"), read_file(cut / "patients.csv"));
  EXPECT_FALSE(fs::exists(cut / "work"));
}

TEST(ResultFaults, AFullDiskAtTheEndNamesTheFileKeepsTheEarlierResultsAndTheCheckpoint) {
  if (!can_mount_tmpfs()) GTEST_SKIP() << "cannot mount a tmpfs in a user namespace here (unshare -rm)";
  TempDir dir;
  ASSERT_EQ(run(trial_args(dir.path() / "whole", "2000", {"--threads", "2"})).code, 0);
  const fs::path disk = dir.path() / "disk", keep = dir.path() / "keep", out = disk / "r";
  fs::create_directories(disk);
  fs::create_directories(keep);
  // The earlier results (40 patients) fit; 2000 patients' checkpoint fits, but not the final
  // files beside it. Then the disk grows and --resume finishes the run from its checkpoint.
  const auto t = [&](const std::string& patients, std::vector<std::string> extra) {
    std::string s;
    extra.insert(extra.end(), {"--threads", "2"});
    for (const auto& a : trial_args(out, patients, extra)) s += "'" + a + "' ";
    return s;
  };
  const std::string script =
      "cd '" + source_dir.string() + "' && mount -t tmpfs -o size=800k tmpfs '" + disk.string() + "' && " +
      t("40", {}) + " > /dev/null && cp '" + out.string() + "/patients.csv' '" + keep.string() + "/before.csv' && " +
      "{ " + t("2000", {"--overwrite"}) + " 2> '" + keep.string() + "/err'; echo $? > '" + keep.string() + "/code'; } && " +
      "cp '" + out.string() + "/patients.csv' '" + keep.string() + "/after.csv' && " +
      "(cd '" + out.string() + "' && sha256sum -c --quiet manifest.sha256) && " +
      "ls '" + out.string() + "' > '" + keep.string() + "/ls' && " +
      "mount -o remount,size=8m '" + disk.string() + "' && " + t("2000", {"--resume"}) + " > /dev/null && " +
      "cp '" + out.string() + "/patients.csv' '" + keep.string() + "/resumed.csv'";
  const auto r = in_namespace(script);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(read_file(keep / "code"), "1\n");
  EXPECT_EQ(read_file(keep / "err"),
            "error: cannot write " + (out / "patients.csv").string() + ": No space left on device\n");
  EXPECT_EQ(read_file(keep / "after.csv"), read_file(keep / "before.csv"));  // and sha256sum agreed
  EXPECT_EQ(read_file(keep / "ls"), "manifest.sha256\npatients.csv\nreport.html\nsummary.json\nwork\n");
  EXPECT_EQ(read_file(keep / "resumed.csv"), read_file(dir.path() / "whole/patients.csv"));
}

TEST(ResultFaults, AReadOnlyFolderIsNamedAndItsResultsStay) {
  if (!can_mount_tmpfs()) GTEST_SKIP() << "cannot mount a tmpfs in a user namespace here (unshare -rm)";
  TempDir dir;
  const fs::path disk = dir.path() / "disk", keep = dir.path() / "keep", out = disk / "r";
  fs::create_directories(disk);
  fs::create_directories(keep);
  std::string again;
  for (const auto& a : trial_args(out, "60", {"--overwrite"})) again += "'" + a + "' ";
  std::string first;
  for (const auto& a : trial_args(out, "40")) first += "'" + a + "' ";
  const std::string script = "cd '" + source_dir.string() + "' && mount -t tmpfs -o size=4m tmpfs '" + disk.string() +
                             "' && " + first + " > /dev/null && mount -o remount,ro '" + disk.string() + "' && { " +
                             again + " 2> '" + keep.string() + "/err'; echo $? > '" + keep.string() + "/code'; } && " +
                             "(cd '" + out.string() + "' && sha256sum -c --quiet manifest.sha256)";
  const auto r = in_namespace(script);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(read_file(keep / "code"), "1\n");
  EXPECT_EQ(read_file(keep / "err"),
            "error: cannot create " + (out / ".gutskin.lock").string() + ": Read-only file system\n");
}

}  // namespace
