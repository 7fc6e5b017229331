// Ctrl-C (SIGINT) and SIGTERM as a stop request: the signal handler only sets a flag (all a
// handler may safely do); a watcher thread turns it into std::stop_source::request_stop, which
// every long library call sees through its RunControl.
#pragma once

#include <atomic>
#include <chrono>
#include <csignal>
#include <stop_token>
#include <thread>

namespace gutskin::cli {

class InterruptStop {
 public:
  InterruptStop() {
    flag().store(false);
    previous_int_ = std::signal(SIGINT, on_signal);
    previous_term_ = std::signal(SIGTERM, on_signal);
    watcher_ = std::jthread([this](std::stop_token done) {
      while (!done.stop_requested()) {
        if (flag().load()) {
          source_.request_stop();
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  ~InterruptStop() {
    watcher_.request_stop();
    watcher_.join();
    std::signal(SIGINT, previous_int_);
    std::signal(SIGTERM, previous_term_);
  }
  InterruptStop(const InterruptStop&) = delete;
  InterruptStop& operator=(const InterruptStop&) = delete;

  std::stop_token token() const { return source_.get_token(); }
  bool interrupted() const { return flag().load(); }

 private:
  static std::atomic<bool>& flag() {
    static std::atomic<bool> f{false};
    return f;
  }
  static void on_signal(int) { flag().store(true); }

  std::stop_source source_;
  std::jthread watcher_;
  void (*previous_int_)(int) = SIG_DFL;
  void (*previous_term_)(int) = SIG_DFL;
};

}  // namespace gutskin::cli
