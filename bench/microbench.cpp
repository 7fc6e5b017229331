// gutskin_microbench: Google Benchmark timings of the compiled tapes alone (no solver), per model:
// right-hand side, sparse analytic Jacobian, and the per-output variables program, at
// (t = 12 d, initial state, default parameters) — the point the harness's rhs_cost.sh uses.
// Also one whole facade call, simulate_model(t_end = 1, steps = 10): the C++ side of the
// Python module's per-call overhead (bench/python_overhead.py).
//
//   gutskin_microbench [benchmark flags] MODEL...    (SBML .xml or YAML)
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "gutskin/compiled_model.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/simulate.hpp"
#include "gutskin/study.hpp"

namespace {

using namespace gutskin;

struct Point {
  std::shared_ptr<const CompiledModel> model;
  std::vector<double> x, u;
  std::string path;
};

Point make_point(const std::string& path) {
  auto m = std::make_shared<const CompiledModel>(load_model(path));
  Point p{m, std::vector<double>(m->n_states()), std::vector<double>(m->n_inputs()), path};
  for (int i = 0; i < m->n_inputs(); ++i) p.u[i] = m->model().inputs[i].default_value;
  Workspace ws = m->make_workspace();
  m->initial_state(0.0, p.u.data(), p.x.data(), ws);
  return p;
}

void set_counters(benchmark::State& state, const Point& p, std::size_t outputs) {
  state.counters["states"] = p.model->n_states();
  state.counters["outputs"] = static_cast<double>(outputs);
  state.counters["per_output_ns"] = benchmark::Counter(
      static_cast<double>(state.iterations() * outputs), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void bm_rhs(benchmark::State& state, const Point& p) {
  Workspace ws = p.model->make_workspace();
  std::vector<double> dx(p.x.size());
  for (auto _ : state) {
    p.model->rhs(12.0, p.x.data(), p.u.data(), dx.data(), ws);
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, p, dx.size());
}

void bm_jacobian(benchmark::State& state, const Point& p) {
  Workspace ws = p.model->make_workspace();
  std::vector<double> values(p.model->jacobian_nonzeros());
  for (auto _ : state) {
    p.model->jacobian(12.0, p.x.data(), p.u.data(), values.data(), ws);
    benchmark::DoNotOptimize(values.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, p, values.size());
}

void bm_variables(benchmark::State& state, const Point& p) {
  Workspace ws = p.model->make_workspace();
  std::vector<double> out(p.model->n_variables() + 1);
  for (auto _ : state) {
    p.model->variables(12.0, p.x.data(), p.u.data(), out.data(), ws);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, p, p.model->n_variables());
}

void bm_simulate_model(benchmark::State& state, const Point& p) {
  const Study study = open(p.path);
  SimulateRequest request;
  request.t_end = 1;
  request.steps = 10;
  for (auto _ : state) {
    SimulationResult r = simulate_model(study, request);
    benchmark::DoNotOptimize(r.trajectory.values.data());
  }
  state.counters["states"] = p.model->n_states();
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s [benchmark flags] MODEL...\n", argv[0]);
    return 2;
  }
  std::vector<Point> points;
  for (int a = 1; a < argc; ++a) {
    try {
      points.push_back(make_point(argv[a]));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: %s\n", argv[a], e.what());
      return 2;
    }
  }
  for (const auto& p : points) {
    const std::string tag = fmt::format("{}/n={}", p.model->model().name, p.model->n_states());
    benchmark::RegisterBenchmark(("rhs/" + tag).c_str(), bm_rhs, p);
    benchmark::RegisterBenchmark(("jacobian/" + tag).c_str(), bm_jacobian, p);
    benchmark::RegisterBenchmark(("variables/" + tag).c_str(), bm_variables, p);
    benchmark::RegisterBenchmark(("simulate_model/" + tag).c_str(), bm_simulate_model, p);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
