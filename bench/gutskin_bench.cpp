// gutskin_bench: times gutskin on the peer harness's problem (../shared/bench), the same way the
// harness times its peers, and writes results in the harness's res_*.csv format so its
// summarize.py can compare them with the CVODE reference.
//
// Per parameter set: one simulation t = 0..365 d with outputs at days 1..365, rtol 1e-6,
// atol 1e-9 (defaults). The timed span is Simulator::run: re-initialising CVODES plus the
// integration with all daily outputs (observables, states and variables recorded each day).
// One untimed warm-up run on the first set comes first; the Simulator (CVODES memory, linear
// solver) is created once and reused, as the harness reuses its CVODE memory.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <numeric>

#include "ensemble.hpp"
#include "gutskin/compiled_model.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/simulate.hpp"

namespace {

using namespace gutskin;

constexpr int kCheckDays[] = {17, 30, 90, 365};  // the harness's checkpoints

/// Seconds on the wall clock (the harness's measure) or of this process's CPU time (robust when
/// other processes compete for the cores: time spent preempted is not counted).
double now_seconds(bool cpu) {
  if (cpu) {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct BenchOptions {
  std::string model, ensemble, out, stats, states;
  std::string linear_solver = "dense";
  std::string clock = "wall";
  double rtol = 1e-6, atol = 1e-9, t_end = 365.0, budget = 1e30;
  bool non_negative = true;
  int sets = 0;    // 0 = all
  int repeat = 1;  // runs of the whole ensemble (for profiling); only the last is written
};

LinearSolver parse_solver(const std::string& s) {
  if (s == "dense") return LinearSolver::dense;
  if (s == "klu") return LinearSolver::klu;
  return LinearSolver::automatic;
}

int run(const BenchOptions& o) {
  const auto t_load = std::chrono::steady_clock::now();
  Model model = load_model(o.model);
  const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();
  const auto t_compile = std::chrono::steady_clock::now();
  CompiledModel compiled(std::move(model));
  const double compile_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_compile).count();
  const Model& m = compiled.model();

  auto sets = bench::read_ensemble(o.ensemble, m);
  if (o.sets > 0 && static_cast<std::size_t>(o.sets) < sets.size()) sets.resize(o.sets);

  // Checkpoint columns in the harness's state order (or the model's).
  std::vector<std::string> names;
  if (!o.states.empty()) names = bench::read_state_order(o.states);
  else for (const auto& s : m.states) names.push_back(s.name);
  std::vector<int> state_col;
  for (const auto& name : names) {
    const int i = m.state_index(name);
    if (i < 0) throw InputError({o.states, 0, 0}, fmt::format("the model has no state '{}'", name));
    state_col.push_back(compiled.n_observables() + i);
  }

  SimulateOptions opt;
  opt.solver.rtol = o.rtol, opt.solver.atol = o.atol;
  opt.solver.linear_solver = parse_solver(o.linear_solver);
  opt.solver.non_negative = o.non_negative;
  opt.record_variables = false;  // like the peers: states at every output, nothing else
  for (int d = 1; d <= static_cast<int>(o.t_end); ++d) opt.output_times.push_back(d);
  const InputSchedule schedule = default_schedule(m);

  Simulator sim(compiled);
  std::vector<double> wall, rhs, steps, jacs, setups;
  std::vector<std::string> rows, stat_rows;
  int failed = 0;
  std::string solver_name;
  sim.run(sets.at(0), schedule, opt);  // warm-up, untimed
  for (int rep = 0; rep < o.repeat; ++rep) {
    wall.clear(), rhs.clear(), steps.clear(), jacs.clear(), setups.clear(), rows.clear(), stat_rows.clear();
    failed = 0;
    double spent = 0.0;
    for (std::size_t k = 0; k < sets.size() && spent < o.budget; ++k) {
      const bool cpu = o.clock == "cpu";
      const double t0 = now_seconds(cpu);
      SimulationResult r = sim.run(sets[k], schedule, opt);
      const double w = now_seconds(cpu) - t0;
      spent += w;
      const auto& s = r.summary;
      solver_name = s.linear_solver;
      failed += !s.ok();
      wall.push_back(w), rhs.push_back(s.rhs_evals), steps.push_back(s.steps);
      jacs.push_back(s.jacobian_evals), setups.push_back(s.linear_setups);
      std::string row = fmt::format("{},{:.9g},{},{}", k, w, s.rhs_evals, s.ok() ? 1 : 0);
      const auto& tr = r.trajectory;
      for (int day : kCheckDays) {
        std::size_t rr = 0;
        while (rr < tr.times.size() && tr.times[rr] < day) ++rr;
        for (int c : state_col) row += rr < tr.times.size() && s.ok() ? fmt::format(",{:.17g}", tr.at(rr, c)) : ",nan";
      }
      rows.push_back(std::move(row));
      stat_rows.push_back(fmt::format("{},{:.9g},{},{},{},{},{},{},{}", k, w, s.steps, s.rhs_evals, s.jacobian_evals,
                                      s.linear_setups, s.error_test_failures, s.nonlinear_failures, s.stops));
      if (!s.ok()) std::fprintf(stderr, "set %zu: %s\n", k, s.brief().c_str());
    }
  }

  if (!o.out.empty()) {
    std::ofstream out(o.out);
    out << "set,wall_s,nrhs,ok";
    for (int day : kCheckDays)
      for (const auto& name : names) out << fmt::format(",d{}_{}", day, name);
    out << "\n";
    for (const auto& r : rows) out << r << "\n";
  }
  if (!o.stats.empty()) {
    std::ofstream out(o.stats);
    out << "set,wall_s,steps,rhs_evals,jacobian_evals,linear_setups,error_test_failures,nonlinear_failures,stops\n";
    for (const auto& r : stat_rows) out << r << "\n";
  }
  const double total = std::accumulate(wall.begin(), wall.end(), 0.0);
  fmt::print("gutskin ({}, non_negative {}, {} clock): {} states, {} parameters, {} variables, Jacobian nnz {}, tape {} instr\n",
             solver_name, o.non_negative ? "on" : "off", o.clock, compiled.n_states(), compiled.n_parameters(),
             compiled.n_variables(), compiled.jacobian_nonzeros(), compiled.tape_size());
  fmt::print("  load {:.1f} ms, compile {:.1f} ms (not timed below)\n", 1e3 * load_s, 1e3 * compile_s);
  fmt::print("  sims {}  median {:.4g} ms/sim  {:.4g} sims/s  median RHS {:.0f}  steps {:.0f}  Jacobians {:.0f}  "
             "linear setups {:.0f}  failed {}\n",
             wall.size(), 1e3 * bench::median(wall), wall.size() / total, bench::median(rhs), bench::median(steps),
             bench::median(jacs), bench::median(setups), failed);
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions o;
  CLI::App app{"Times gutskin simulations over the peer harness's parameter sets (ensemble.csv)"};
  app.add_option("model", o.model, "Model: SBML (.xml) or YAML")->required()->check(CLI::ExistingPath);
  app.add_option("ensemble", o.ensemble, "ensemble.csv from the harness's make_ensemble.py")
      ->required()->check(CLI::ExistingFile);
  app.add_option("out", o.out, "Results in the harness's res_*.csv format (for summarize.py)");
  app.add_option("--stats", o.stats, "Per-set solver counters (steps, RHS, Jacobians, setups) as CSV");
  app.add_option("--states", o.states, "Harness states.csv: checkpoint columns in its state order")
      ->check(CLI::ExistingFile);
  app.add_option("--linear-solver", o.linear_solver, "dense, klu or automatic")
      ->check(CLI::IsMember({"dense", "klu", "automatic"}))->capture_default_str();
  app.add_option("--clock", o.clock, "Time per simulation: wall (as the harness) or cpu (process CPU time)")
      ->check(CLI::IsMember({"wall", "cpu"}))->capture_default_str();
  app.add_option("--rtol", o.rtol, "Relative tolerance")->capture_default_str();
  app.add_option("--atol", o.atol, "Absolute tolerance")->capture_default_str();
  app.add_option("--t-end", o.t_end, "Last output day")->capture_default_str();
  app.add_option("--budget", o.budget, "Stop starting new sets after this many seconds");
  app.add_option("--sets", o.sets, "Run only the first K sets (0 = all)")->capture_default_str();
  app.add_option("--repeat", o.repeat, "Run the ensemble this many times (profiling)")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.add_flag("!--no-non-negative", o.non_negative,
               "Do not enforce non-negative states (the harness's peers do not)");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const InputError& e) {
    for (const auto& d : e.diagnostics()) std::fprintf(stderr, "%s\n", d.str().c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 3;
  }
}
