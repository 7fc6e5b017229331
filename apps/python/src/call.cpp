#include "call.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <thread>
#include <vector>

namespace gutskin::python {

namespace {

// A signal handler may only set a flag; a watcher thread (one for the process, started with
// the first call) turns it into stop requests of the calls under way. Calls from several
// Python threads at once share the handler: the first installs it, the last restores.
std::atomic<bool> interrupt_flag{false};
struct sigaction previous_action {};

void on_sigint(int signal) {
  interrupt_flag.store(true);
  // Python's own handler (async-signal-safe: it only trips flags), so Python raises
  // KeyboardInterrupt as soon as it runs again.
  if (!(previous_action.sa_flags & SA_SIGINFO) && previous_action.sa_handler != SIG_DFL &&
      previous_action.sa_handler != SIG_IGN)
    previous_action.sa_handler(signal);
}

struct Registry {
  std::mutex mutex;
  std::vector<std::stop_source*> active;
  bool watcher_started = false;
};

Registry& registry() {
  static auto* r = new Registry;  // never destroyed: the detached watcher may outlive statics
  return *r;
}

void watch() {
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!interrupt_flag.exchange(false)) continue;
    std::lock_guard lock(registry().mutex);
    for (std::stop_source* s : registry().active) s->request_stop();
  }
}

}  // namespace

InterruptScope::InterruptScope() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (!r.watcher_started) {
    std::thread(watch).detach();
    r.watcher_started = true;
  }
  if (r.active.empty()) {
    interrupt_flag.store(false);
    struct sigaction action {};
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_ONSTACK;
    sigaction(SIGINT, &action, &previous_action);
    // Ctrl-C ignored on purpose (signal.signal(SIGINT, SIG_IGN)): leave it so.
    if (!(previous_action.sa_flags & SA_SIGINFO) && previous_action.sa_handler == SIG_IGN)
      sigaction(SIGINT, &previous_action, nullptr);
  }
  r.active.push_back(&source_);
}

InterruptScope::~InterruptScope() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::erase(r.active, &source_);
  if (r.active.empty()) sigaction(SIGINT, &previous_action, nullptr);
}

CallControl::CallControl(const py::object& progress, double interval) : progress_(progress) {
  control_.stop = interrupt_.token();
  control_.progress_interval = interval;
  if (progress_.is_none()) return;
  // Called from a worker thread, one at a time, while the caller waits without the GIL.
  control_.progress = [this](const Progress& p) {
    py::gil_scoped_acquire gil;
    if (error_) return CallbackResult::stop;
    try {
      py::dict d;
      d["unit"] = p.unit;
      d["done"] = p.done;
      d["total"] = p.total;
      d["done_this_run"] = p.done_this_run;
      d["failed"] = p.failed;
      d["elapsed_seconds"] = p.elapsed_seconds;
      const py::object answer = progress_(d);
      return !answer.is_none() && !answer.cast<bool>() ? CallbackResult::stop : CallbackResult::proceed;
    } catch (py::error_already_set& e) {
      // Ctrl-C while the callback ran on the main thread: Python raised it in there.
      if (e.matches(PyExc_KeyboardInterrupt)) interrupted_in_callback_ = true;
      else error_ = std::make_shared<py::error_already_set>(std::move(e));
      return CallbackResult::stop;
    }
  };
}

void CallControl::rethrow(const std::string& what) {
  if (error_) throw *error_;
  if (!interrupt_.token().stop_requested() && !interrupted_in_callback_) return;
  // Python's handler has tripped its flag: running the handlers raises KeyboardInterrupt (or
  // whatever a handler the user installed raises). Without a Python handler, raise it here.
  if (PyErr_CheckSignals() != 0) {
    if (!what.empty() && PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
      PyErr_Clear();
      PyErr_SetString(PyExc_KeyboardInterrupt, what.c_str());
    }
    throw py::error_already_set();
  }
  PyErr_SetString(PyExc_KeyboardInterrupt, what.c_str());
  throw py::error_already_set();
}

}  // namespace gutskin::python
