// The ensemble engine: results in index order whatever the thread count, failures as data, a
// stop request leaves a gap-free prefix, processes split the items between them.
#include "gutskin/ensemble.hpp"
#include "gutskin/formats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "gutskin/model.hpp"

namespace gutskin {
namespace {

const std::filesystem::path source_dir = GUTSKIN_SOURCE_DIR;

/// x' = a·x², x(0) = 1: finite until t = 1/a, so items with a ≥ 1/t_end fail.
EnsembleSpec blowup_spec(const CompiledModel& model, long long n) {
  EnsembleSpec spec;
  spec.size = n;
  spec.parameters = [](long long i) { return std::vector<double>{0.05 * static_cast<double>(i + 1)}; };
  Protocol p;
  p.name = "ten days";
  p.schedule = default_schedule(model.model());
  for (int t = 0; t <= 10; ++t) p.options.output_times.push_back(t);
  p.options.solver.max_steps = 2000;  // a blow-up fails fast
  spec.protocols = {p};
  spec.extract = [](std::size_t, const SimulationResult& r, RunRecord& record) {
    record.values = {r.trajectory.at(r.trajectory.times.size() - 1, r.trajectory.column("x"))};
  };
  return spec;
}

TEST(Ensemble, SameResultsInIndexOrderWhateverTheThreads) {
  const CompiledModel model(load_model(source_dir / "tests/data/blowup.yaml"));
  const auto spec = blowup_spec(model, 40);
  const EnsembleResult one = run_ensemble(model, spec, {.threads = 1});
  const EnsembleResult two = run_ensemble(model, spec, {.threads = 2});
  ASSERT_EQ(one.items.size(), 40u);
  ASSERT_EQ(two.items.size(), 40u);
  for (std::size_t i = 0; i < 40; ++i) {
    EXPECT_EQ(one.items[i].index, static_cast<long long>(i));
    EXPECT_EQ(two.items[i].index, static_cast<long long>(i));
    EXPECT_EQ(one.items[i].runs[0].status, two.items[i].runs[0].status);
    EXPECT_EQ(one.items[i].runs[0].values, two.items[i].runs[0].values);
  }
  EXPECT_FALSE(one.stopped);
  EXPECT_EQ(one.threads, 1);
  EXPECT_EQ(two.threads, 2);
}

TEST(Ensemble, FailingRunsAreRecordedNotThrown) {
  const CompiledModel model(load_model(source_dir / "tests/data/blowup.yaml"));
  const EnsembleResult r = run_ensemble(model, blowup_spec(model, 40), {.threads = 2});
  long long failed = 0;
  for (const auto& item : r.items) {
    const double a = item.parameters[0];
    const RunRecord& run = item.runs[0];
    if (a < 0.099) {  // blows up after day 10: completes, x(10) = 1/(1 − 10a)
      ASSERT_TRUE(run.ok()) << a << ": " << run.message;
      EXPECT_NEAR(run.values[0], 1.0 / (1.0 - 10 * a), 1e-4 / (1.0 - 10 * a) / (1.0 - 10 * a));
    } else if (a > 0.101) {
      EXPECT_FALSE(run.ok()) << a;
      EXPECT_FALSE(run.message.empty());
      EXPECT_TRUE(run.values.empty());
      ++failed;
    }
  }
  EXPECT_EQ(r.failed_runs, failed + (r.items[1].runs[0].ok() ? 0 : 1));
}

TEST(Ensemble, StopLeavesAGapFreePrefixAndOnItemSeesItInOrder) {
  const CompiledModel model(load_model(source_dir / "tests/data/decay.yaml"));
  EnsembleSpec spec;
  spec.size = 1000;
  spec.parameters = [](long long) { return std::vector<double>{0.5, 2.0}; };
  Protocol p;
  p.schedule = default_schedule(model.model());
  for (int t = 0; t <= 100; ++t) p.options.output_times.push_back(t);
  spec.protocols = {p};
  std::vector<long long> seen;
  spec.on_item = [&](const EnsembleItem& item) { seen.push_back(item.index); };
  RunControl control;
  control.progress_interval = 0.0;
  control.progress = [](const Progress& pr) { return pr.done >= 25 ? CallbackResult::stop : CallbackResult::proceed; };
  const EnsembleResult r = run_ensemble(model, spec, {.threads = 2}, control);
  EXPECT_TRUE(r.stopped);
  ASSERT_GE(seen.size(), 25u);
  EXPECT_LT(seen.size(), 1000u);
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<long long>(i));
  EXPECT_EQ(r.done_this_run, static_cast<long long>(seen.size()));
}

/// Two "processes" in one: each runs its own range; together they cover every item once.
class FakeGroup : public ProcessGroup {
 public:
  FakeGroup(int rank, int size) : rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }

 private:
  int rank_, size_;
};

TEST(Ensemble, ProcessesSplitTheItems) {
  const CompiledModel model(load_model(source_dir / "tests/data/blowup.yaml"));
  const auto spec = blowup_spec(model, 11);
  const EnsembleResult a = run_ensemble(model, spec, {.threads = 1}, {}, FakeGroup(0, 2));
  const EnsembleResult b = run_ensemble(model, spec, {.threads = 1}, {}, FakeGroup(1, 2));
  EXPECT_EQ(a.first, 0);
  EXPECT_EQ(a.last, 5);
  EXPECT_EQ(b.first, 5);
  EXPECT_EQ(b.last, 11);
  EXPECT_EQ(a.items.size() + b.items.size(), 11u);
  EXPECT_EQ(b.items.front().index, 5);
}

TEST(Ensemble, CustomWorkAndBadSpecs) {
  const CompiledModel model(load_model(source_dir / "tests/data/decay.yaml"));
  EnsembleSpec spec;
  spec.size = 5;
  spec.parameters = [](long long i) { return std::vector<double>{static_cast<double>(i)}; };
  spec.work = [](Simulator&, EnsembleItem& item, const RunControl&) {
    if (item.index == 3) throw std::runtime_error("no root found");
    item.runs = {RunRecord{.status = "ok", .message = {}, .values = {item.parameters[0] * 2}}};
  };
  const EnsembleResult r = run_ensemble(model, spec);
  ASSERT_EQ(r.items.size(), 5u);
  EXPECT_EQ(r.items[2].runs[0].values, std::vector<double>{4.0});
  EXPECT_EQ(r.items[3].runs[0].status, "error");
  EXPECT_EQ(r.items[3].runs[0].message, "no root found");
  EXPECT_EQ(r.failed_runs, 1);
  EnsembleSpec bad;
  bad.size = 3;
  EXPECT_THROW(run_ensemble(model, bad), InputError);
  EXPECT_THROW(run_ensemble(model, spec, {.threads = -1}), InputError);
}

}  // namespace
}  // namespace gutskin
