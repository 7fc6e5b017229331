// run_ensemble: items through a oneTBB pipeline — indices handed out in order, items computed in
// parallel (each worker thread owns a Simulator), finished items passed on in order — inside a
// task arena of the requested size.
#include "gutskin/ensemble.hpp"

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <memory>
#include <stop_token>

#include "gutskin/errors.hpp"

namespace gutskin {

long long range_start(long long items, int rank, int size) {
  return static_cast<long long>(static_cast<__int128>(items) * rank / size);
}

int EnsembleItem::failed() const {
  int n = 0;
  for (const auto& r : runs) n += !r.ok();
  return n;
}

namespace {

using Clock = std::chrono::steady_clock;

/// The default work: every protocol in turn; a run cut short by a stop request cancels the item.
void simulate_protocols(const EnsembleSpec& spec, Simulator& simulator, EnsembleItem& item,
                        const RunControl& control) {
  item.runs.resize(spec.protocols.size());
  for (std::size_t k = 0; k < spec.protocols.size(); ++k) {
    const Protocol& protocol = spec.protocols[k];
    RunRecord& record = item.runs[k];
    try {
      const SimulationResult r = simulator.run(item.parameters, protocol.schedule, protocol.options, control);
      // Stopped in the middle (the simulator may report a run stopped at its last output as
      // completed): not an outcome, the item is simply not done.
      if (r.summary.termination == Termination::cancelled ||
          (control.stop_requested() && r.trajectory.times.size() < protocol.options.output_times.size())) {
        item.cancelled = true;
        return;
      }
      if (r.summary.ok() && r.trajectory.times.size() == protocol.options.output_times.size()) {
        if (spec.extract) spec.extract(k, r, record);
      } else {
        record.status = r.summary.ok() ? "incomplete" : to_string(r.summary.termination);
        record.message = r.summary.message;
      }
    } catch (const std::exception& e) {
      record.status = "error";
      record.message = e.what();
    }
    if (!record.ok()) record.values.clear();
  }
}

}  // namespace

EnsembleResult run_ensemble(const CompiledModel& model, const EnsembleSpec& spec, const EnsembleOptions& options,
                            const RunControl& control, const ProcessGroup& group) {
  validate_options(options);
  if (spec.size < 0) throw InputError(SourceLoc{}, fmt::format("ensemble size {} is negative", spec.size));
  if (!spec.parameters) throw InputError(SourceLoc{}, "ensemble: no parameter source given");
  if (!spec.work && spec.protocols.empty()) throw InputError(SourceLoc{}, "ensemble: no protocol to run");
  for (const auto& p : spec.protocols) p.options.validate();
  const auto started = Clock::now();

  EnsembleResult result;
  result.first = range_start(spec.size, group.rank(), group.size());
  result.last = range_start(spec.size, group.rank() + 1, group.size());
  if (spec.done_before < 0 || spec.done_before > result.last - result.first)
    throw InputError(SourceLoc{}, fmt::format("ensemble: {} items done before, but this process has {}",
                                              spec.done_before, result.last - result.first));
  result.threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();

  // One stop for the workers: the caller's token, or the progress callback's answer.
  std::stop_source stop;
  std::stop_callback forward(control.stop, [&] { stop.request_stop(); });
  const RunControl worker_control{.progress = {}, .progress_interval = control.progress_interval, .stop = stop.get_token()};

  long long next = result.first + spec.done_before;
  bool passing = true;
  auto last_report = Clock::now();
  auto report = [&](bool force) {
    const auto now = Clock::now();
    if (!control.progress || (!force && std::chrono::duration<double>(now - last_report).count() < control.progress_interval))
      return;
    last_report = now;
    const Progress p{.unit = spec.unit,
                     .done = spec.done_before + result.done_this_run,
                     .total = result.last - result.first,
                     .done_this_run = result.done_this_run,
                     .failed = result.failed_runs,
                     .elapsed_seconds = std::chrono::duration<double>(now - started).count()};
    if (control.progress(p) == CallbackResult::stop) stop.request_stop();
  };
  report(true);

  tbb::enumerable_thread_specific<std::unique_ptr<Simulator>> simulators;
  auto compute = [&](long long index) {
    auto item = std::make_shared<EnsembleItem>();
    item->index = index;
    auto& simulator = simulators.local();
    if (!simulator) simulator = std::make_unique<Simulator>(model);
    try {
      item->parameters = spec.parameters(index);
      if (spec.work) spec.work(*simulator, *item, worker_control);
      else simulate_protocols(spec, *simulator, *item, worker_control);
    } catch (const std::exception& e) {
      item->runs.assign(std::max<std::size_t>(1, spec.protocols.size()), RunRecord{.status = "error", .message = e.what(), .values = {}});
    }
    return item;
  };
  auto pass_on = [&](const std::shared_ptr<EnsembleItem>& item) {
    // Only a gap-free prefix is passed on: after a cancelled item, nothing.
    if (!passing || item->cancelled) {
      passing = false;
      return;
    }
    if (spec.on_item) spec.on_item(*item);
    ++result.done_this_run;
    result.failed_runs += item->failed();
    if (spec.keep_items) result.items.push_back(std::move(*item));
    report(false);
  };

  tbb::task_arena arena(result.threads);
  arena.execute([&] {
    const std::size_t tokens = static_cast<std::size_t>(std::max(2, 4 * result.threads));
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, long long>(tbb::filter_mode::serial_in_order,
                                          [&](tbb::flow_control& fc) -> long long {
                                            if (next >= result.last || stop.stop_requested()) {
                                              fc.stop();
                                              return 0;
                                            }
                                            return next++;
                                          }) &
            tbb::make_filter<long long, std::shared_ptr<EnsembleItem>>(tbb::filter_mode::parallel, compute) &
            tbb::make_filter<std::shared_ptr<EnsembleItem>, void>(tbb::filter_mode::serial_in_order, pass_on));
  });
  report(true);
  result.stopped = spec.done_before + result.done_this_run < result.last - result.first;
  result.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

}  // namespace gutskin
