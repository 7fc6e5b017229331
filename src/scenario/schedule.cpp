// InputSchedule keeps, per input, the sum of all added pieces as a sorted list of
// non-overlapping segments. Adding a piece splits the segments it overlaps and adds its
// contribution to each, so value() is one binary search and one multiply-add, and the value
// after a piece ends is the untouched earlier segment (no round-off from adding and removing).
#include "gutskin/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gutskin {

namespace {

void check_input(int input, std::size_t n, const char* what) {
  if (input < 0 || static_cast<std::size_t>(input) >= n)
    throw std::out_of_range(std::string("InputSchedule::") + what + ": input " +
                            std::to_string(input) + " is not in [0, " + std::to_string(n) + ")");
}

/// Splits the segment strictly containing x (start < x < end) into two at x.
void split_at(std::vector<SchedulePiece>& segs, double x) {
  auto it = std::partition_point(segs.begin(), segs.end(),
                                 [x](const SchedulePiece& s) { return s.end <= x; });
  if (it == segs.end() || !(it->start < x && x < it->end)) return;
  SchedulePiece right = *it;
  right.start = x;
  if (it->slope != 0.0) right.level = it->level + it->slope * (x - it->start);
  it->end = x;
  segs.insert(it + 1, right);
}

double segment_value(const SchedulePiece& s, double t) {
  return s.slope == 0.0 ? s.level : s.level + s.slope * (t - s.start);
}

}  // namespace

InputSchedule::InputSchedule(int n_inputs, std::vector<double> defaults)
    : baseline_(std::move(defaults)), pieces_(static_cast<std::size_t>(std::max(n_inputs, 0))) {
  if (n_inputs < 0) throw std::invalid_argument("InputSchedule: negative number of inputs");
  baseline_.resize(static_cast<std::size_t>(n_inputs), 0.0);
}

void InputSchedule::set_baseline(int input, double value) {
  check_input(input, baseline_.size(), "set_baseline");
  baseline_[static_cast<std::size_t>(input)] = value;
}

void InputSchedule::add_piece(int input, SchedulePiece p) {
  check_input(input, baseline_.size(), "add_piece");
  if (!(p.start < p.end)) return;  // empty (or NaN) interval: contributes nothing
  if (!std::isfinite(p.start))
    throw std::invalid_argument("InputSchedule::add_piece: start must be finite");
  auto& segs = pieces_[static_cast<std::size_t>(input)];
  split_at(segs, p.start);
  if (std::isfinite(p.end)) split_at(segs, p.end);

  // Segments now lie either wholly inside [p.start, p.end) or wholly outside it.
  const auto lo = std::partition_point(segs.begin(), segs.end(),
                                       [&](const SchedulePiece& s) { return s.end <= p.start; });
  const auto hi = std::partition_point(lo, segs.end(),
                                       [&](const SchedulePiece& s) { return s.start < p.end; });
  std::vector<SchedulePiece> mid;
  mid.reserve(static_cast<std::size_t>(hi - lo) * 2 + 1);
  double cursor = p.start;
  for (auto it = lo; it != hi; ++it) {
    if (it->start > cursor) mid.push_back({.start = cursor, .end = it->start});
    mid.push_back(*it);
    cursor = it->end;
  }
  if (cursor < p.end) mid.push_back({.start = cursor, .end = p.end});
  for (auto& s : mid) {
    s.level += p.slope == 0.0 ? p.level : p.level + p.slope * (s.start - p.start);
    s.slope += p.slope;
  }
  const auto pos = segs.erase(lo, hi);
  segs.insert(pos, mid.begin(), mid.end());
}

void InputSchedule::add_bolus(Bolus bolus) {
  const auto pos = std::upper_bound(
      boluses_.begin(), boluses_.end(), bolus.time,
      [](double t, const Bolus& b) { return t < b.time; });
  boluses_.insert(pos, bolus);
}

double InputSchedule::value(int input, double t) const {
  check_input(input, baseline_.size(), "value");
  const auto i = static_cast<std::size_t>(input);
  const auto& segs = pieces_[i];
  if (segs.empty()) return baseline_[i];
  // Last segment starting at or before t.
  auto it = std::upper_bound(segs.begin(), segs.end(), t,
                             [](double x, const SchedulePiece& s) { return x < s.start; });
  if (it == segs.begin()) return baseline_[i];
  --it;
  return t < it->end ? baseline_[i] + segment_value(*it, t) : baseline_[i];
}

void InputSchedule::values(double t, double* out) const {
  for (int i = 0; i < n_inputs(); ++i) out[i] = value(i, t);
}

std::vector<double> InputSchedule::breaks(double t0, double t1) const {
  std::vector<double> out;
  auto keep = [&](double x) {
    if (t0 < x && x < t1) out.push_back(x);
  };
  for (const auto& segs : pieces_) {
    auto it = std::partition_point(segs.begin(), segs.end(),
                                   [&](const SchedulePiece& s) { return s.end <= t0; });
    for (; it != segs.end() && it->start < t1; ++it) {
      keep(it->start);
      keep(it->end);
    }
  }
  for (const auto& b : boluses_) keep(b.time);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace gutskin
