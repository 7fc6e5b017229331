// Robustness of the built-in gut_skin model: every phenotype runs 5 simulated years without
// intervention, settles at a baseline of its own (no drift into a multi-disease state), the
// healthy adult sits at a stable steady state, and ±30% random perturbations of all parameters
// never crash the solver (a failing draw comes back as a clean summary with a message).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gutskin/compiled_model.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/model.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/simulate.hpp"

namespace fs = std::filesystem;
using namespace gutskin;

namespace {

const fs::path source_dir = GUTSKIN_SOURCE_DIR;

const CompiledModel& compiled() {
  static const CompiledModel model(load_model(source_dir / "models" / "gut_skin"));
  return model;
}

std::vector<double> grid(double t_end, double step) {
  std::vector<double> t;
  for (double x = 0; x < t_end - 1e-9; x += step) t.push_back(x);
  t.push_back(t_end);
  return t;
}

double value(const Trajectory& tr, const std::string& column, std::size_t row) {
  const int c = tr.column(column);
  EXPECT_GE(c, 0) << column;
  return c < 0 ? NAN : tr.at(row, static_cast<std::size_t>(c));
}

}  // namespace

TEST(ModelRobustness, EveryPhenotypeFiveYearsSettlesWithoutMultiDisease) {
  const CompiledModel& cm = compiled();
  const Model& m = cm.model();
  Simulator sim(cm);
  SimulateOptions opt;
  opt.output_times = grid(5 * 365.0, 5.0);
  ASSERT_GE(m.phenotypes.size(), 8u);
  for (const Phenotype& ph : m.phenotypes) {
    SCOPED_TRACE(ph.name);
    Patient patient;
    patient.phenotype = ph.name;
    const SimulationResult r = sim.run(patient_parameters(m, patient), default_schedule(m), opt);
    ASSERT_TRUE(r.summary.ok()) << r.summary.brief();
    const Trajectory& tr = r.trajectory;
    const std::size_t last = tr.times.size() - 1;
    const std::size_t year4 = last - 73;  // 365 days earlier
    // Settled: the last year changes no main observable by more than 2% (of value + a floor).
    for (const char* obs : {"crp_mg_l", "il6_pg_ml", "lactulose_mannitol", "shannon", "easi",
                            "pasi", "rosacea_iga", "acne_inflammatory_lesions", "cortisol_nmol_l",
                            "tewl"}) {
      const double a = value(tr, obs, year4), b = value(tr, obs, last);
      EXPECT_LE(std::abs(b - a), 0.02 * std::abs(b) + 0.05)
          << obs << " still drifting in year 5: " << a << " -> " << b;
    }
    // No multi-disease state: blood markers in the range of a quiescent chronic disease, and no
    // skin disease the phenotype is not about.
    EXPECT_LT(value(tr, "crp_mg_l", last), 5.0);
    EXPECT_LT(value(tr, "lactulose_mannitol", last), 6.0);
    EXPECT_GT(value(tr, "micronutrient_status", last), 0.5);
    EXPECT_LT(value(tr, "pasi", last), 1.0) << "psoriasis without a trigger";
    if (ph.name != "infant_eczema_risk") {
      EXPECT_LT(value(tr, "easi", last), 3.0);
    } else {
      EXPECT_LT(value(tr, "easi", last), 6.0) << "median at-risk child still moderate at 5 y";
    }
    if (ph.name != "acne_prone_adolescent") {
      EXPECT_LT(value(tr, "acne_inflammatory_lesions", last), 5.0);
    }
    if (ph.name != "rosacea_sibo") {
      EXPECT_LT(value(tr, "rosacea_iga", last), 1.0);
    }
    std::cout << "[ phenotype ] " << ph.name << ": CRP " << value(tr, "crp_mg_l", last)
              << " mg/L, IL-6 " << value(tr, "il6_pg_ml", last) << " pg/mL, L/M "
              << value(tr, "lactulose_mannitol", last) << "%, Shannon "
              << value(tr, "shannon", last) << ", EASI " << value(tr, "easi", last) << ", PASI "
              << value(tr, "pasi", last) << ", rosacea IGA " << value(tr, "rosacea_iga", last)
              << ", inflammatory acne lesions " << value(tr, "acne_inflammatory_lesions", last)
              << ", cortisol " << value(tr, "cortisol_nmol_l", last) << " nmol/L\n";
  }
}

TEST(ModelRobustness, HealthyAdultAtStableSteadyState) {
  const CompiledModel& cm = compiled();
  const Model& m = cm.model();
  const int n = cm.n_states();
  const std::vector<double> p = patient_parameters(m, Patient{});
  const InputSchedule sched = default_schedule(m);
  std::vector<double> u(static_cast<std::size_t>(cm.n_inputs()));
  sched.values(0.0, u.data());
  Workspace ws = cm.make_workspace();
  cm.set_parameters(ws, p.data());
  std::vector<double> x0(static_cast<std::size_t>(n)), f(static_cast<std::size_t>(n));
  cm.initial_state(0.0, u.data(), x0.data(), ws);
  cm.rhs(0.0, x0.data(), u.data(), f.data(), ws);
  // Relative rate of change at the initial values (per day), with a floor for states at zero.
  double worst = 0;
  std::string worst_state;
  for (int i = 0; i < n; ++i) {
    const double rel = std::abs(f[i]) / (std::abs(x0[i]) + 1e-3);
    if (rel > worst) worst = rel, worst_state = m.states[i].name;
  }
  std::cout << "[ steady state ] largest relative |dx/dt| at the initial values: " << worst
            << " /day (" << worst_state << ")\n";
  EXPECT_LT(worst, 1e-3) << worst_state;

  Simulator sim(cm);
  SimulateOptions opt;
  opt.output_times = {0.0, 3.0, 365.0, 730.0, 1095.0};
  // A small, brief push on the whole chain (2 days of a mild stressor, a little less fibre and a
  // low antibiotic level) moves every module off the steady state; it must decay back.
  InputSchedule kick = sched;
  kick.add_piece(m.input_index("stressor"), SchedulePiece{1.0, 3.0, 0.3, 0.0});
  kick.add_piece(m.input_index("fibre"), SchedulePiece{1.0, 3.0, -5.0, 0.0});
  kick.add_piece(m.input_index("antibiotic"), SchedulePiece{1.0, 2.0, 0.1, 0.0});
  const SimulationResult r = sim.run(p, kick, opt);
  ASSERT_TRUE(r.summary.ok()) << r.summary.brief();
  const Trajectory& tr = r.trajectory;
  const std::size_t last = tr.times.size() - 1;
  double moved = 0;  // largest relative excursion at the end of the push
  for (int i = 0; i < n; ++i)
    moved = std::max(moved, std::abs(value(tr, m.states[i].name, 1) - x0[i]) / (std::abs(x0[i]) + 1e-2));
  EXPECT_GT(moved, 0.01) << "the push should move the state";
  std::cout << "[ steady state ] a 2-day push moves states by up to " << moved * 100
            << "%; 3 years later every state is back within 0.5%\n";
  for (int i = 0; i < n; ++i) {
    const double x = value(tr, m.states[i].name, last);
    EXPECT_LE(std::abs(x - x0[i]), 0.005 * std::abs(x0[i]) + 1e-6)
        << m.states[i].name << " did not return: " << x0[i] << " -> " << x;
  }
  // And the unkicked run stays put for 5 years.
  opt.output_times = grid(5 * 365.0, 365.0);
  const SimulationResult still = sim.run(p, sched, opt);
  ASSERT_TRUE(still.summary.ok()) << still.summary.brief();
  for (int i = 0; i < n; ++i) {
    const double x = value(still.trajectory, m.states[i].name, still.trajectory.times.size() - 1);
    EXPECT_LE(std::abs(x - x0[i]), 2e-3 * std::abs(x0[i]) + 1e-6) << m.states[i].name;
  }
}

TEST(ModelRobustness, RandomParameterPerturbationsNeverCrashTheSolver) {
  const CompiledModel& cm = compiled();
  const Model& m = cm.model();
  // A scenario that moves the whole chain: an antibiotic course and a stressor.
  const Scenario sc = load_scenario(source_dir / "scenarios" / "antibiotic_course.yaml");
  InputSchedule sched = build_schedule(sc, m);
  const int stressor = m.input_index("stressor");
  ASSERT_GE(stressor, 0);
  sched.add_piece(stressor, SchedulePiece{60.0, 90.0, 1.0, 0.0});
  SimulateOptions opt;
  opt.output_times = grid(sc.duration, 5.0);
  const std::vector<double> base = default_parameters(m);
  std::mt19937_64 rng(20240611);
  std::uniform_real_distribution<double> factor(0.7, 1.3);
  Simulator sim(cm);
  int failed = 0;
  std::map<std::string, int> reasons;
  for (int draw = 0; draw < 200; ++draw) {
    std::vector<double> p = base;
    for (std::size_t k = 0; k < p.size(); ++k) {
      p[k] *= factor(rng);
      // Declared bounds are part of a parameter's meaning (fractions stay fractions).
      if (m.parameters[k].lower) p[k] = std::max(p[k], *m.parameters[k].lower);
      if (m.parameters[k].upper) p[k] = std::min(p[k], *m.parameters[k].upper);
    }
    SimulationResult r;
    ASSERT_NO_THROW(r = sim.run(p, sched, opt)) << "draw " << draw;
    if (!r.summary.ok()) {
      ++failed;
      EXPECT_FALSE(r.summary.message.empty()) << "draw " << draw << " failed without a message";
      EXPECT_FALSE(r.trajectory.times.empty()) << "draw " << draw << " lost its rows";
      reasons[std::string(to_string(r.summary.termination))]++;
      std::cout << "[ perturbation ] draw " << draw << ": " << r.summary.brief() << "\n";
    } else {
      EXPECT_NEAR(r.summary.t_reached, sc.duration, 1e-6);
    }
  }
  std::cout << "[ perturbation ] " << failed << " of 200 draws (+-30% on all parameters) failed";
  for (const auto& [why, count] : reasons) std::cout << "; " << why << ": " << count;
  std::cout << "\n";
  RecordProperty("failed_draws", failed);
}
