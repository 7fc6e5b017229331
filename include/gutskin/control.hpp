// Following and stopping long calls. Every call that can take long (a simulation, a trial, an
// ensemble, a suite) takes one RunControl: a progress callback, how often to call it, and a
// stop token. The CLI's progress bar and Ctrl-C, Python's KeyboardInterrupt and the web server's
// cancel button all go through it. (The idea of ceres' IterationCallback, with std::stop_token
// instead of a shared flag.)
#pragma once

#include <functional>
#include <stop_token>
#include <string>

namespace gutskin {

/// A progress callback's answer: go on, or stop cleanly (what is done is kept).
enum class CallbackResult { proceed, stop };

/// Where a long call is. One shape for every call; `unit` says what is counted.
struct Progress {
  std::string unit;               // "patients", "cases", "output times", ...
  long long done = 0;             // finished so far (resumed work included)
  long long total = 0;            // to do in all
  long long done_this_run = 0;    // finished by this call (for rates after a resume)
  long long failed = 0;           // finished but failed (recorded, not thrown)
  double elapsed_seconds = 0.0;   // since the call started
};

struct RunControl {
  /// Called about every `progress_interval` seconds and once at the end; may return stop.
  /// Called from one thread at a time, never concurrently.
  std::function<CallbackResult(const Progress&)> progress;
  double progress_interval = 0.5;  // seconds
  /// A stop request ends the call cleanly: finished work is kept and returned (and, for a trial
  /// writing files, can be resumed).
  std::stop_token stop;

  bool stop_requested() const { return stop.stop_requested(); }
};

}  // namespace gutskin
