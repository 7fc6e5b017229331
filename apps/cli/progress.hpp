// Progress of a long run (trials, sensitivity designs) on stderr, so stdout stays the summary:
// a bar redrawn in place on a terminal, plain lines every 10% otherwise; only rank 0 prints.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "gutskin/control.hpp"

namespace gutskin::cli {

inline std::string clock_text(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "--";
  const long s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

/// Counts Progress in its own unit (patients, samples).
class ProgressPrinter {
 public:
  ProgressPrinter(bool quiet, int rank, int processes)
      : quiet_(quiet || rank != 0), tty_(isatty(STDERR_FILENO) != 0), processes_(processes) {}

  CallbackResult operator()(const Progress& p) {
    if (quiet_ || p.total == 0) return CallbackResult::proceed;
    const double frac = static_cast<double>(p.done) / p.total;
    const double rate = p.done_this_run / std::max(p.elapsed_seconds, 1e-9);
    const double left = rate > 0 ? (p.total - p.done) / rate : -1;
    const std::string who = processes_ > 1 ? fmt::format(" (rank 0 of {})", processes_) : "";
    if (tty_) {
      const int width = 30, filled = static_cast<int>(frac * width);
      fmt::print(stderr, "\r[{}{}] {}/{} {}{}  {:.1f}/s  {} left{}   ", std::string(filled, '#'),
                 std::string(width - filled, '.'), p.done, p.total, p.unit, who, rate, clock_text(left),
                 p.failed ? fmt::format("  {} failed", p.failed) : "");
      if (p.done == p.total) fmt::print(stderr, "\n");
      std::fflush(stderr);
    } else {
      const int decile = static_cast<int>(frac * 10);
      if (decile > last_decile_) {
        last_decile_ = decile;
        fmt::print(stderr, "{}/{} {}{} ({:.0f}%), {:.1f}/s, {} left\n", p.done, p.total, p.unit, who,
                   100 * frac, rate, clock_text(left));
      }
    }
    return CallbackResult::proceed;
  }

  void finish() {
    if (!quiet_ && tty_) fmt::print(stderr, "\n");
  }

 private:
  bool quiet_, tty_;
  int processes_;
  int last_decile_ = -1;
};

}  // namespace gutskin::cli
