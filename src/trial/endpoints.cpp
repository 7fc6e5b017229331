#include "trial/endpoints.hpp"

#include <algorithm>
#include <cmath>

namespace gutskin::detail {

bool meets(const Criterion& c, double value, double baseline) {
  if (!std::isfinite(value)) return false;
  if (c.above && !(value > *c.above)) return false;
  if (c.below && !(value < *c.below)) return false;
  if (c.reduction && !(baseline > 0 && (baseline - value) / baseline * 100.0 >= *c.reduction))
    return false;
  if (c.drop && !(baseline - value >= *c.drop)) return false;
  if (c.rise && !(value - baseline >= *c.rise)) return false;
  return true;
}

EndpointPlan::EndpointPlan(const Trial& trial, const Model& model) : duration_(trial.duration) {
  const double d = trial.duration;
  std::vector<double> t = {0.0, d};
  bool any_event = false;
  for (const auto& ep : trial.endpoints) {
    t.push_back(ep.at);
    t.push_back(ep.baseline);
    t.push_back(ep.from);
    any_event = any_event || ep.kind == EndpointKind::time_to_event;
  }
  if (any_event) {
    const long steps = std::max(1L, static_cast<long>(std::ceil(d / trial.resolution - 1e-9)));
    for (long k = 0; k <= steps; ++k) t.push_back(std::min(d, k * trial.resolution));
  }
  const int n_band = trial.band_observables.empty() ? 0 : trial.band_points;
  for (int k = 0; k < n_band; ++k) {
    const double bt = k == n_band - 1 ? d : d * k / (n_band - 1);
    band_times_.push_back(bt);
    t.push_back(bt);
  }
  for (double& x : t) x = std::clamp(x, 0.0, d);
  std::sort(t.begin(), t.end());
  // Merge times closer than round-off.
  for (double x : t)
    if (times_.empty() || x - times_.back() > 1e-9 * std::max(1.0, d)) times_.push_back(x);

  for (const auto& ep : trial.endpoints) {
    Item item{.endpoint = &ep, .column = model.observable_index(ep.observable)};
    item.row_at = row(ep.at);
    item.row_baseline = row(ep.baseline);
    item.row_from = row(ep.from);
    items_.push_back(item);
    if (ep.kind == EndpointKind::time_to_event) {
      columns_.push_back(ep.name + "_days");
      columns_.push_back(ep.name + "_event");
    } else {
      columns_.push_back(ep.name);
    }
  }
  for (double bt : band_times_) band_rows_.push_back(row(bt));
  for (const auto& name : trial.band_observables)
    band_columns_.push_back(model.observable_index(name));
}

int EndpointPlan::row(double t) const {
  const auto it = std::lower_bound(times_.begin(), times_.end(), t - 1e-9 * std::max(1.0, duration_));
  return static_cast<int>(std::min<std::ptrdiff_t>(it - times_.begin(),
                                                   static_cast<std::ptrdiff_t>(times_.size()) - 1));
}

void EndpointPlan::evaluate(const Trajectory& tr, std::vector<double>& out) const {
  const std::size_t rows = tr.times.size();
  auto value = [&](int r, int col) {
    return static_cast<std::size_t>(r) < rows ? tr.at(r, col) : NAN;
  };
  for (const auto& item : items_) {
    const Endpoint& ep = *item.endpoint;
    const double b = value(item.row_baseline, item.column);
    const double v = value(item.row_at, item.column);
    switch (ep.kind) {
      case EndpointKind::value: out.push_back(v); break;
      case EndpointKind::change: out.push_back(v - b); break;
      case EndpointKind::percent_change:
        out.push_back(b != 0.0 ? (v - b) / std::abs(b) * 100.0 : NAN);
        break;
      case EndpointKind::responder:
        out.push_back(std::isfinite(v) && std::isfinite(b) ? (meets(ep.criterion, v, b) ? 1 : 0)
                                                           : NAN);
        break;
      case EndpointKind::time_to_event: {
        double when = duration_;
        int event = 0;
        for (std::size_t r = static_cast<std::size_t>(item.row_from); r < rows; ++r)
          if (meets(ep.criterion, tr.at(r, item.column), b)) {
            when = times_[r] - ep.from;
            event = 1;
            break;
          }
        if (!event) when = duration_ - ep.from;
        out.push_back(when);
        out.push_back(event);
        break;
      }
    }
  }
}

void EndpointPlan::band_values(const Trajectory& tr, float* out) const {
  for (int col : band_columns_)
    for (int r : band_rows_)
      *out++ = static_cast<std::size_t>(r) < tr.times.size() ? static_cast<float>(tr.at(r, col))
                                                             : NAN;
}

std::vector<Protocol> arm_protocols(const Trial& trial, const Model& model, const EndpointPlan& plan,
                                    const SolverOptions& solver) {
  SimulateOptions sim;
  sim.t_start = 0.0;
  for (double t : plan.times()) sim.output_times.push_back(trial.run_in + t);
  sim.solver = solver;
  std::vector<Protocol> protocols;
  for (const auto& arm : trial.arms) {
    Scenario sc;
    sc.name = arm.name;
    sc.duration = trial.run_in + trial.duration;
    sc.timeline = trial.background;
    sc.timeline.insert(sc.timeline.end(), arm.timeline.begin(), arm.timeline.end());
    for (auto& iv : sc.timeline) {
      iv.start += trial.run_in;
      iv.end += trial.run_in;
    }
    protocols.push_back({.name = arm.name, .schedule = build_schedule(sc, model), .options = sim});
  }
  return protocols;
}

}  // namespace gutskin::detail
