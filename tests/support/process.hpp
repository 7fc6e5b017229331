// Test support: run a program (usually the gutskin CLI) in a child process and capture its exit
// code, stdout and stderr; temporary folders that clean up after themselves.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace gutskin::testing {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A fresh temporary folder, removed with everything in it when it goes out of scope.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "gutskin_test_XXXXXX").string();
    path_ = mkdtemp(pattern.data()) ? fs::path(pattern) : fs::path();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct Outcome {
  int code = -1;  // exit code, or 128 + signal
  std::string out, err;
};

/// Starts `args` (args[0] is the program, looked up on PATH) in `cwd` with stdout and stderr
/// going to files; returns the child's pid.
inline pid_t start_process(std::vector<std::string> args, const fs::path& cwd, const fs::path& out,
                           const fs::path& err) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(127);
    if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr)) _exit(127);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

inline int wait_for_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// Runs `args` in `cwd` to the end and returns what it said.
inline Outcome run_process(std::vector<std::string> args, const fs::path& cwd) {
  TempDir io;
  const fs::path out = io.path() / "stdout", err = io.path() / "stderr";
  Outcome o;
  o.code = wait_for_exit(start_process(std::move(args), cwd, out, err));
  o.out = read_file(out);
  o.err = read_file(err);
  return o;
}

}  // namespace gutskin::testing
