// Ensembles: many runs of one CompiledModel — N parameter sets × protocols — on oneTBB worker
// threads, each worker owning its Simulator, the items partitioned across the processes of a
// ProcessGroup. Trials, sensitivity samples, multi-start fits and the tipping-point atlas all
// run on this one engine.
//
//   * Deterministic: item i's parameters come from `parameters(i)` (derive them from
//     (seed, i), never from a shared generator), and items reach `on_item` in index order, so
//     results never depend on the thread or process count.
//   * Failures are data: a run that fails or throws becomes that item's recorded outcome.
//   * Threads live in a task arena of this call; the process-wide TBB limit is never touched.
//   * A stop request (RunControl) ends the call cleanly after a gap-free prefix of items.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gutskin/compiled_model.hpp"
#include "gutskin/control.hpp"
#include "gutskin/options.hpp"
#include "gutskin/schedule.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {

/// Processes sharing an ensemble. The library never starts MPI itself: a front end that was
/// launched by mpirun implements this over MPI (the CLI does); the default is one process.
class ProcessGroup {
 public:
  virtual ~ProcessGroup() = default;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }
  virtual void barrier() const {}
  /// Sum of `value` over all processes (every process gets it).
  virtual long long sum(long long value) const { return value; }
  /// Every process's `values`, concatenated in rank order (every process gets it): with items
  /// in contiguous ranges per rank, per-item values come back in index order.
  virtual std::vector<double> gather(const std::vector<double>& values) const { return values; }
};

/// First item of `rank` among `size` processes: rank R owns [N·R/K, N·(R+1)/K).
long long range_start(long long items, int rank, int size);

/// One protocol an item is run under: inputs over time and where to output.
struct Protocol {
  std::string name;
  InputSchedule schedule;
  SimulateOptions options;
};

/// What one run of an item left: how it ended and the values taken from its trajectory.
struct RunRecord {
  std::string status = "ok";   // "ok", a Termination's name, "incomplete" or "error"
  std::string message;         // why it failed (empty when ok)
  std::vector<double> values;  // what `extract` took from the trajectory
  bool ok() const { return status == "ok"; }
};

struct EnsembleItem {
  long long index = 0;
  std::vector<double> parameters;
  std::vector<RunRecord> runs;  // one per protocol, in protocol order
  bool cancelled = false;       // stopped before it finished: not an outcome, not passed on
  int failed() const;           // runs that are not ok
};

struct EnsembleSpec {
  long long size = 0;  // items [0, size), shared among the group's processes
  /// Items at the start of this process's range that are already done (a resumed run).
  long long done_before = 0;
  /// Parameter values of item i, deterministic in i.
  std::function<std::vector<double>(long long index)> parameters;
  std::vector<Protocol> protocols;
  /// Takes what is kept from a completed run (default: nothing). Called on worker threads.
  std::function<void(std::size_t protocol, const SimulationResult& result, RunRecord& record)> extract;
  /// Replaces the default work (run every protocol, then `extract`) for items that are not
  /// simulations (a steady-state search, a fit from one start). Called on worker threads with
  /// the worker's own Simulator; an exception becomes the item's "error" record.
  std::function<void(Simulator& simulator, EnsembleItem& item, const RunControl& control)> work;
  /// Every finished item, in index order, on one thread at a time (stream to files here).
  std::function<void(const EnsembleItem& item)> on_item;
  /// Keep the items in the result (false when on_item consumes them: large ensembles).
  bool keep_items = true;
  std::string unit = "items";  // what Progress counts
};

struct EnsembleOptions {
  int threads = 0;  // worker threads in this process; 0 = all cores
};

template <>
struct OptionsOf<EnsembleOptions> {
  static const OptionTable<EnsembleOptions>& table() {
    static const OptionTable<EnsembleOptions> t{
        option("threads", &EnsembleOptions::threads, "Worker threads per process (0: all cores)", Bounds{.min = 0, .max = 4096}),
    };
    return t;
  }
};

struct EnsembleResult {
  bool stopped = false;        // a stop request ended it before every item was done
  long long first = 0;         // this process's range [first, last)
  long long last = 0;
  long long done_this_run = 0; // items finished by this call in this process
  long long failed_runs = 0;   // of their runs, not ok
  int threads = 1;
  double wall_seconds = 0.0;
  std::vector<EnsembleItem> items;  // this call's items in index order (if keep_items)
};

/// Runs the items of this process (all of them without a group). Throws InputError for a bad
/// spec or options; never for a failing run.
EnsembleResult run_ensemble(const CompiledModel& model, const EnsembleSpec& spec,
                            const EnsembleOptions& options = {}, const RunControl& control = {},
                            const ProcessGroup& group = ProcessGroup{});

}  // namespace gutskin
