// Every call from Python that runs the model goes through a CallControl: the GIL released while
// C++ runs, Ctrl-C turned into the call's stop request (the library then ends cleanly, keeping
// what is done), progress handed to a Python callable, and afterwards — once the result is
// kept or written — the KeyboardInterrupt (or the callback's own exception) raised in Python.
// One mechanism for every call, so a notebook's interrupt button works the same on a
// simulation, a trial or a sensitivity design.
//
//   CallControl cc(progress, 0.5);
//   TrialResult r = released([&] { return run_trial(study, options, set, cc.control()); });
//   if (!out.empty()) write_trial_files(r, out);   // a stopped trial stays resumable
//   cc.rethrow();
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <stop_token>
#include <string>
#include <utility>

#include "gutskin/control.hpp"

namespace gutskin::python {

namespace py = pybind11;

/// While alive, SIGINT also requests a stop of this call (the process's earlier handler —
/// Python's — still runs, so Python sees the KeyboardInterrupt once the call returns).
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  std::stop_token token() const { return source_.get_token(); }

 private:
  std::stop_source source_;
};

/// A RunControl for one call: stop on Ctrl-C or when `progress` (None, or a callable taking a
/// dict and returning False to stop) says so; a Python exception in `progress` stops the call
/// and is kept for `rethrow`.
class CallControl {
 public:
  CallControl(const py::object& progress, double interval);
  const RunControl& control() const { return control_; }
  /// With the GIL held: raises the callback's exception, or KeyboardInterrupt after Ctrl-C
  /// (`what` is added to its message: how to go on).
  void rethrow(const std::string& what = {});

 private:
  InterruptScope interrupt_;
  py::object progress_;
  std::shared_ptr<py::error_already_set> error_;
  bool interrupted_in_callback_ = false;
  RunControl control_;
};

/// Runs `f()` with the GIL released (the C++ part of a call; no Python objects inside).
template <class F>
auto released(F&& f) {
  py::gil_scoped_release release;
  return f();
}

}  // namespace gutskin::python
