// Calibration of the built-in gut_skin model: one test per fact of
// ../shared/science/CALIBRATION.md (CAL-nn), each running the model through the public API and
// checking the fact within the tolerance stated there (a ratio, OR or effect size within its 95%
// interval where one is given, otherwise within ±30%; a time constant within a factor 1.5; a
// direction always). Cohort facts run small virtual trials (tests/calibration/*.yaml) with
// run_trial on one thread. A fact the model does not reproduce yet is skipped with the model's
// value and the target, never checked with a looser tolerance.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "gutskin/compiled_model.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/model.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/simulate.hpp"
#include "gutskin/trial.hpp"
#include "support/csv.hpp"

namespace fs = std::filesystem;
using namespace gutskin;
using gutskin::testing::split;

namespace {

const fs::path source_dir = GUTSKIN_SOURCE_DIR;
const fs::path cal_dir = source_dir / "tests" / "calibration";

const CompiledModel& compiled() {
  static const CompiledModel model(load_model(source_dir / "models" / "gut_skin"));
  return model;
}
const Model& model() { return compiled().model(); }

double param(const std::string& name) {
  const int i = model().parameter_index(name);
  EXPECT_GE(i, 0) << name;
  return i < 0 ? NAN : model().parameters[static_cast<std::size_t>(i)].value;
}

void report(const std::string& id, const std::string& what) {
  std::cout << "[ " << id << " ] " << what << "\n";
}

/// A column of a trajectory as a vector.
std::vector<double> series(const Trajectory& tr, const std::string& name) {
  const int c = tr.column(name);
  EXPECT_GE(c, 0) << name;
  std::vector<double> v;
  if (c < 0) return v;
  for (std::size_t r = 0; r < tr.times.size(); ++r) v.push_back(tr.at(r, static_cast<std::size_t>(c)));
  return v;
}
double at_time(const Trajectory& tr, const std::string& name, double t) {
  const auto it = std::lower_bound(tr.times.begin(), tr.times.end(), t - 1e-9);
  const std::size_t row = static_cast<std::size_t>(std::min<std::ptrdiff_t>(
      it - tr.times.begin(), static_cast<std::ptrdiff_t>(tr.times.size()) - 1));
  return series(tr, name)[row];
}

Trajectory run_scenario(const Scenario& sc) {
  Simulator sim(compiled());
  SimulateOptions opt;
  opt.output_times = sc.output_times;
  const SimulationResult r =
      sim.run(patient_parameters(model(), sc.patient), build_schedule(sc, model()), opt);
  EXPECT_TRUE(r.summary.ok()) << sc.file << ": " << r.summary.brief();
  return r.trajectory;
}
Trajectory run_scenario(const fs::path& file) { return run_scenario(load_scenario(file)); }

/// One patient of a phenotype (median values) with the default inputs and optional boluses.
Trajectory run_patient(const std::string& phenotype, double days, double step,
                       const std::vector<Bolus>& boluses = {},
                       std::map<std::string, double> overrides = {}) {
  Patient patient;
  patient.phenotype = phenotype;
  patient.overrides = std::move(overrides);
  InputSchedule sched = default_schedule(model());
  for (const Bolus& b : boluses) sched.add_bolus(b);
  SimulateOptions opt;
  for (double t = 0; t <= days + 1e-9; t += step) opt.output_times.push_back(t);
  Simulator sim(compiled());
  const SimulationResult r = sim.run(patient_parameters(model(), patient), sched, opt);
  EXPECT_TRUE(r.summary.ok()) << phenotype << ": " << r.summary.brief();
  return r.trajectory;
}

int state(const std::string& name) {
  const int i = model().state_index(name);
  EXPECT_GE(i, 0) << name;
  return i;
}

/// Patients of a virtual trial: arm -> rows of (column -> value), from patients.csv.
using Rows = std::vector<std::map<std::string, double>>;
std::map<std::string, Rows> run_cohort_uncached(const std::string& file);
/// Each trial file is run once per test program.
const std::map<std::string, Rows>& run_cohort(const std::string& file) {
  static std::map<std::string, std::map<std::string, Rows>> cache;
  auto it = cache.find(file);
  if (it == cache.end()) it = cache.emplace(file, run_cohort_uncached(file)).first;
  return it->second;
}
std::map<std::string, Rows> run_cohort_uncached(const std::string& file) {
  const Trial trial = load_trial(cal_dir / file);
  const CompiledModel model{load_model(trial.model_path)};
  TrialOptions opt;
  opt.threads = 1;
  const TrialResult result = run_trial(model, trial, opt);  // in memory: no files
  EXPECT_EQ(result.summary.failed, 0) << file << ": failed patient runs";
  std::map<std::string, Rows> arms;
  for (std::size_t i = 0; i < result.patient_index.size(); ++i) {
    for (std::size_t a = 0; a < trial.arms.size(); ++a) {
      const PatientArmResult& r = result.arm_results[i][a];
      if (r.status != "ok") continue;
      std::map<std::string, double> row{{"patient", static_cast<double>(result.patient_index[i])}};
      for (std::size_t k = 0; k < result.sampled.size(); ++k) row[result.sampled[k]] = result.sampled_values[i][k];
      for (std::size_t c = 0; c < result.columns.size(); ++c)
        if (!std::isnan(r.values[c])) row[result.columns[c]] = r.values[c];
      arms[trial.arms[a].name].push_back(row);
    }
  }
  return arms;
}

std::vector<double> column(const Rows& rows, const std::string& name) {
  std::vector<double> v;
  for (const auto& r : rows) {
    const auto it = r.find(name);
    EXPECT_NE(it, r.end()) << name;
    if (it != r.end()) v.push_back(it->second);
  }
  return v;
}
Rows select(const Rows& rows, const std::string& name, double lo, double hi) {
  Rows out;
  for (const auto& r : rows)
    if (r.at(name) > lo && r.at(name) <= hi) out.push_back(r);
  return out;
}
double mean(const std::vector<double>& v) {
  return v.empty() ? NAN : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}
double variance(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - 1);
}
/// Standardised mean difference (Cohen's d, pooled SD).
double smd(const std::vector<double>& a, const std::vector<double>& b) {
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double sp = std::sqrt(((na - 1) * variance(a) + (nb - 1) * variance(b)) / (na + nb - 2));
  return (mean(a) - mean(b)) / sp;
}
double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double mx = mean(x), my = mean(y);
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}
double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }
double odds_ratio(double events1, double n1, double events0, double n0) {
  return (events1 * (n0 - events0)) / ((n1 - events1) * events0);
}
/// Within ±30% of a target.
void expect_within30(double value, double target, const std::string& what) {
  EXPECT_GE(value, 0.7 * target) << what << ": model " << value << ", target " << target;
  EXPECT_LE(value, 1.3 * target) << what << ": model " << value << ", target " << target;
}
/// A time constant within a factor 1.5.
void expect_time_constant(double value, double target, const std::string& what) {
  EXPECT_GE(value, target / 1.5) << what << ": model " << value << ", target " << target;
  EXPECT_LE(value, target * 1.5) << what << ": model " << value << ", target " << target;
}
/// Time (after t0) at which a column peaks.
double peak_time(const Trajectory& tr, const std::string& name, double t0) {
  const auto v = series(tr, name);
  double best = -INFINITY, when = NAN;
  for (std::size_t r = 0; r < v.size(); ++r)
    if (tr.times[r] >= t0 && v[r] > best) best = v[r], when = tr.times[r];
  return when - t0;
}

}  // namespace

// ---------------------------------------------------------------- microbiome, antibiotics, SCFA

TEST(Calibration, CAL_01_AntibioticCourseDiversityAndRecovery) {
  const Trajectory tr = run_scenario(cal_dir / "cal01_ciprofloxacin.yaml");
  const double rich0 = at_time(tr, "richness", 9.5), shannon0 = at_time(tr, "shannon", 9.5);
  const double rich_end = at_time(tr, "richness", 15), shannon_end = at_time(tr, "shannon", 15);
  const double lost = (rich0 - rich_end) / rich0;
  // Time after the course until membership is "largely back": 80% of the lost taxa returned.
  const auto rich = series(tr, "richness");
  double back = NAN;
  for (std::size_t r = 0; r < rich.size(); ++r)
    if (tr.times[r] > 15 && rich[r] >= rich_end + 0.8 * (rich0 - rich_end)) {
      back = tr.times[r] - 15;
      break;
    }
  report("CAL-01", "taxa lost " + std::to_string(lost) + " (target ~1/3), Shannon " +
                       std::to_string(shannon0) + " -> " + std::to_string(shannon_end) +
                       ", membership back " + std::to_string(back) + " days after (target ~28)");
  expect_within30(lost, 1.0 / 3.0, "fraction of taxa changed by a 5-day course");
  EXPECT_LT(shannon_end, shannon0 - 0.2) << "diversity falls within days";
  expect_time_constant(back, 28.0, "days until membership is largely back");
}

/// Buffie 2012 mice given clindamycin and C. difficile (Stein 2013 Dataset S1, population 3): the
/// mean share of C. difficile in all 16S copies at the last sampling day; NaN when the data are
/// absent.
double buffie_cdiff_share() {
  std::ifstream in(fs::path(GUTSKIN_SHARED_DIR) / "data" / "stein2013" / "abundances.csv");
  std::map<std::string, std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    const std::vector<std::string> cells = split(line, ',');
    if (!cells.empty()) rows[cells.front()] = cells;
  }
  const auto& pop = rows["Population"];
  const auto& time = rows["time (in d)"];
  const auto& cd = rows["Clostridium_difficile"];
  if (pop.empty() || time.size() != pop.size() || cd.size() != pop.size()) return NAN;
  double last = 0;
  for (std::size_t c = 1; c < pop.size(); ++c)
    if (pop[c] == "3") last = std::max(last, std::stod(time[c]));
  double sum = 0;
  int n = 0;
  for (std::size_t c = 1; c < pop.size(); ++c) {
    if (pop[c] != "3" || std::stod(time[c]) != last) continue;
    double total = 0;
    for (const auto& [name, row] : rows)  // every genus row; not the sample labels or the drug
      if (row.size() == pop.size() && name != "Population" && name != "Replicate" &&
          name != "ID" && name != "time (in d)" && name != "Clindamycin signal")
        total += row[c].empty() ? 0.0 : std::stod(row[c]);
    sum += std::stod(cd[c]) / total;
    ++n;
  }
  return n > 0 ? 100 * sum / n : NAN;
}

TEST(Calibration, CAL_02_ClindamycinSingleDoseMouse) {
  // One clindamycin dose on day 10 and a C. difficile spore challenge on day 11; the control gets
  // the same challenge without the dose (Buffie 2012 design).
  const Scenario dosed = load_scenario(cal_dir / "cal02_clindamycin.yaml");
  Scenario undosed = dosed;
  std::erase_if(undosed.timeline, [](const Intervention& iv) { return iv.target == "antibiotic"; });
  const Trajectory tr = run_scenario(dosed), control = run_scenario(undosed);
  const auto rich = series(tr, "richness");
  const double rich0 = at_time(tr, "richness", 9.5);
  const double lost = 1 - *std::min_element(rich.begin(), rich.end()) / rich0;
  const double shannon0 = at_time(tr, "shannon", 9.5), shannon28 = at_time(tr, "shannon", 38);
  const auto cd = series(tr, "cdiff_pct"), cd_control = series(control, "cdiff_pct");
  const double cd_peak = *std::max_element(cd.begin(), cd.end());
  const double cd_control_peak = *std::max_element(cd_control.begin(), cd_control.end());
  report("CAL-02", "taxa below detection " + std::to_string(100 * lost) +
                       "% (target > 90%), Shannon " + std::to_string(shannon0) + " -> " +
                       std::to_string(shannon28) +
                       " at day 28 (target: not back), C. difficile peaks at " +
                       std::to_string(cd_peak) + "% of the community (" +
                       std::to_string(cd_control_peak) + "% without clindamycin)");
  EXPECT_GT(lost, 0.90) << "share of taxa below detection after one dose";
  EXPECT_LT(shannon28, shannon0 - 0.2) << "diversity is not back four weeks after the dose";
  EXPECT_GT(cd_peak, 5.0) << "C. difficile colonises the disturbed community";
  EXPECT_LT(cd_control_peak, 0.01) << "an undisturbed community resists the same challenge";
  const double data = buffie_cdiff_share();
  if (std::isnan(data)) {
    std::cout << "CAL-02: ../shared/data/stein2013/abundances.csv absent; C. difficile peak not "
                 "compared with the Buffie mice\n";
    return;
  }
  report("CAL-02", "Buffie mice: C. difficile " + std::to_string(data) +
                       "% of 16S copies at the last sampling day");
  EXPECT_GT(cd_peak, data / 2) << "C. difficile peak vs the mice";
  EXPECT_LT(cd_peak, data * 2) << "C. difficile peak vs the mice";
}

TEST(Calibration, CAL_03_GrowthRatesSelfInteractionsAndSpectrum) {
  for (const char* mu : {"mu_bp", "mu_bd", "mu_lb", "mu_akk", "mu_pb"}) {
    EXPECT_GE(param(mu), 0.2) << mu;
    EXPECT_LE(param(mu), 0.9) << mu;
  }
  for (const char* k : {"K_bp", "K_bd", "K_lb", "K_akk", "K_pb"}) EXPECT_GT(param(k), 0) << k;
  // Clindamycin-like: Enterobacteriaceae (pathobionts) are the least susceptible guild...
  for (const char* s : {"spectrum_bp", "spectrum_bd", "spectrum_lb", "spectrum_akk"})
    EXPECT_GT(param(s), param("spectrum_pb")) << s;
  // ... and bloom when the others are killed.
  const Trajectory tr = run_scenario(cal_dir / "cal01_ciprofloxacin.yaml");
  double bloom = 0;
  for (double t = 10; t <= 40; t += 0.5) bloom = std::max(bloom, at_time(tr, "pb", t));
  bloom /= at_time(tr, "pb", 9.5);
  EXPECT_GT(bloom, 1.5);
  report("CAL-03", "growth rates 0.2-0.9/day, self-limitation negative, pathobionts bloom " +
                       std::to_string(bloom) + "x after the course");
}

TEST(Calibration, CAL_04_ScfaMolarRatio) {
  const Trajectory tr = run_patient("healthy_adult", 10, 10);
  const double a = at_time(tr, "acetate", 10), p = at_time(tr, "propionate", 10),
               b = at_time(tr, "butyrate", 10), total = a + p + b;
  report("CAL-04", "acetate:propionate:butyrate = " + std::to_string(100 * a / total) + ":" +
                       std::to_string(100 * p / total) + ":" + std::to_string(100 * b / total) +
                       " (target 60:25:15)");
  expect_within30(100 * a / total, 60, "acetate share");
  expect_within30(100 * p / total, 25, "propionate share");
  expect_within30(100 * b / total, 15, "butyrate share");
}

TEST(Calibration, CAL_05_VenousAcetate) {
  const Trajectory tr = run_patient("healthy_adult", 10, 10);
  const double ac = at_time(tr, "plasma_acetate", 10);
  report("CAL-05", "fasting venous acetate " + std::to_string(ac) + " umol/L (target 54)");
  expect_within30(ac, 54, "venous acetate");
}

TEST(Calibration, CAL_06_ProbioticInfantEczemaRiskRatio) {
  const auto& arms = run_cohort("cal06_probiotic_eczema.yaml");
  const Rows& placebo = arms.at("placebo");
  const Rows& probiotic = arms.at("probiotic");
  const double r0 = mean(column(placebo, "eczema")), r1 = mean(column(probiotic, "eczema"));
  const double c0 = mean(column(placebo, "eczema_onset_event")),
               c1 = mean(column(probiotic, "eczema_onset_event"));
  report("CAL-06", "eczema at 2 y " + std::to_string(r0) + " vs " + std::to_string(r1) +
                       " (RR " + std::to_string(r1 / r0) + "); ever by 2 y " + std::to_string(c0) +
                       " vs " + std::to_string(c1) + " (RR " + std::to_string(c1 / c0) +
                       "); target RR 0.53 with family history");
  // The meta-analysis pools eczema incidence by ~2 years: the cumulative risk is the primary
  // check (RR 0.53 within +-30%, no interval given); eczema present at age 2 must fall too.
  expect_within30(c1 / c0, 0.53, "RR of eczema by age 2 with a probiotic (family history)");
  EXPECT_LT(r1 / r0, 1.0) << "fewer children have eczema at age 2";
}

// ------------------------------------------------------------------------------------- acne

TEST(Calibration, CAL_07_SebumAcneVsControl) {
  const double healthy = at_time(run_patient("healthy_adult", 90, 90), "sebum_tzone", 90);
  const double acne = at_time(run_patient("acne_prone_adolescent", 90, 90), "sebum_tzone", 90);
  report("CAL-07", "T-zone sebum acne " + std::to_string(acne) + " vs control " +
                       std::to_string(healthy) + " ug/cm2 (target 200 vs 118)");
  expect_within30(healthy, 118, "control sebum");
  expect_within30(acne, 200, "acne sebum");
  expect_within30(acne / healthy, 200.0 / 118.0, "acne / control sebum");
}

TEST(Calibration, CAL_08_ModerateAcneLesionCounts) {
  const Trajectory tr = run_patient("acne_prone_adolescent", 180, 180);
  const double infl = at_time(tr, "acne_inflammatory_lesions", 180);
  const double noninfl = at_time(tr, "acne_noninflammatory_lesions", 180);
  const double iga = at_time(tr, "acne_iga", 180);
  report("CAL-08", "acne-prone adolescent: " + std::to_string(infl) + " inflammatory, " +
                       std::to_string(noninfl) + " non-inflammatory lesions, IGA " +
                       std::to_string(iga) + " (target IGA 3: 20-50 and 25-100)");
  EXPECT_GE(infl, 20);
  EXPECT_LE(infl, 50);
  EXPECT_GE(noninfl, 25);
  EXPECT_LE(noninfl, 100);
  EXPECT_NEAR(iga, 3.0, 0.5);
}

TEST(Calibration, CAL_09_ExamStressAcneCorrelation) {
  const auto& arms = run_cohort("cal09_exam_stress_acne.yaml");
  const Rows& exams = arms.at("exams");
  const double r = pearson(column(exams, "stress_change"), column(exams, "acne_change"));
  const double stress = mean(column(exams, "stress_change")), acne = mean(column(exams, "acne_change"));
  report("CAL-09", "r(change in stress, change in acne) = " + std::to_string(r) +
                       " (target 0.61); mean changes " + std::to_string(stress) + " PSS, " +
                       std::to_string(acne) + " lesions");
  EXPECT_GT(stress, 0);
  EXPECT_GT(acne, 0) << "exam stress worsens acne on average";
  expect_within30(r, 0.61, "correlation of stress change and acne change");
}

TEST(Calibration, CAL_10_AcnePrevalenceAdolescents) {
  // A general adolescent population (phenotype `adolescent`) after a 90-day run-in. "Any acne" is
  // defined clinically as >= 1 inflammatory or >= 5 non-inflammatory facial lesions (IGA >= 1 is
  // reported alongside). The fact is a threshold (> 85%), checked as such; moderate-or-worse acne
  // (IGA >= 2.5, the acne-prone adolescent of CAL-07/08) must stay a minority tail.
  const Rows& teens = run_cohort("cal10_adolescents.yaml").at("none");
  ASSERT_FALSE(teens.empty());
  const std::vector<double> infl = column(teens, "acne_infl"), noninfl = column(teens, "acne_noninfl"),
                            iga = column(teens, "acne_iga");
  double any = 0, iga1 = 0, moderate = 0;
  for (std::size_t i = 0; i < teens.size(); ++i) {
    if (infl[i] >= 1 || noninfl[i] >= 5) any += 1;
    if (iga[i] >= 1) iga1 += 1;
    if (iga[i] >= 2.5) moderate += 1;
  }
  const double n = static_cast<double>(teens.size());
  any /= n;
  iga1 /= n;
  moderate /= n;
  report("CAL-10", "adolescents with any acne (>= 1 inflammatory or >= 5 non-inflammatory lesions) " +
                       std::to_string(100 * any) + "% (target > 85); IGA >= 1 " +
                       std::to_string(100 * iga1) + "%, moderate or worse (IGA >= 2.5) " +
                       std::to_string(100 * moderate) + "%");
  EXPECT_GT(any, 0.85) << "acne affects > 85% of adolescents";
  EXPECT_LT(moderate, 0.5) << "moderate acne is the severe tail, not the typical adolescent";
  EXPECT_GT(moderate, 0.0);
}

// ------------------------------------------------------------------ psoriasis, eczema, rosacea

TEST(Calibration, CAL_11_StressPrecedesPsoriasisOnset) {
  const auto& arms = run_cohort("cal11_stress_psoriasis.yaml");
  const auto e0 = column(arms.at("no_stress"), "psoriasis"), e1 = column(arms.at("stress"), "psoriasis");
  const double orr = odds_ratio(sum(e1), static_cast<double>(e1.size()), sum(e0), static_cast<double>(e0.size()));
  report("CAL-11", "psoriasis within a year " + std::to_string(mean(e1)) + " with stress vs " +
                       std::to_string(mean(e0)) + " without: OR " + std::to_string(orr) +
                       " (target 3.4, 1.8-6.4)");
  EXPECT_GE(orr, 1.8);
  EXPECT_LE(orr, 6.4);
}

namespace {
/// Psoriasis cases (PASI > 2 after the stressor) and controls (PASI < 1 without it).
std::pair<Rows, Rows> psoriasis_cases_controls() {
  const auto& arms = run_cohort("cal11_stress_psoriasis.yaml");
  return {select(arms.at("stress"), "pasi", 2, 1e9), select(arms.at("no_stress"), "pasi", -1, 1)};
}
}  // namespace

TEST(Calibration, CAL_12_SerumCytokinesInPsoriasis) {
  const auto [cases, controls] = psoriasis_cases_controls();
  ASSERT_GE(cases.size(), 30u);
  ASSERT_GE(controls.size(), 30u);
  const double crp = smd(column(cases, "crp"), column(controls, "crp"));
  const double il6 = smd(column(cases, "il6"), column(controls, "il6"));
  const double tnf = smd(column(cases, "tnf"), column(controls, "tnf"));
  report("CAL-12", "SMD psoriasis vs controls: CRP " + std::to_string(crp) + " (1.83), IL-6 " +
                       std::to_string(il6) + " (1.32), TNF " + std::to_string(tnf) + " (1.32); " +
                       std::to_string(cases.size()) + " cases, " + std::to_string(controls.size()) +
                       " controls");
  expect_within30(crp, 1.83, "CRP SMD");
  expect_within30(il6, 1.32, "IL-6 SMD");
  expect_within30(tnf, 1.32, "TNF SMD");
}

TEST(Calibration, CAL_13_Il17StaysInTheSkin) {
  // No serum IL-17 or IL-23 output: they are skin-local in the model.
  for (const Observable& o : model().observables) {
    EXPECT_EQ(o.name.find("il17"), std::string::npos) << o.name;
    EXPECT_EQ(o.name.find("il23"), std::string::npos) << o.name;
  }
  const auto [cases, controls] = psoriasis_cases_controls();
  EXPECT_GT(mean(column(cases, "tnf")), mean(column(controls, "tnf")));
  EXPECT_GT(mean(column(cases, "il6")), mean(column(controls, "il6")));
  report("CAL-13", "no serum IL-17/IL-23 observable; TNF " + std::to_string(mean(column(cases, "tnf"))) +
                       " vs " + std::to_string(mean(column(controls, "tnf"))) + " pg/mL, IL-6 " +
                       std::to_string(mean(column(cases, "il6"))) + " vs " +
                       std::to_string(mean(column(controls, "il6"))) + " pg/mL");
}

TEST(Calibration, CAL_14_LowGradeInflammationEczemaRosacea) {
  const auto& adults = run_cohort("cal14_adults.yaml").at("none");
  const auto& rosacea = run_cohort("cal14_rosacea.yaml").at("none");
  const Rows ecz = select(adults, "eczema", 0.5, 2), no_ecz = select(adults, "eczema", -1, 0.5);
  const double or_ecz = odds_ratio(sum(column(ecz, "crp_high")), static_cast<double>(ecz.size()),
                                   sum(column(no_ecz, "crp_high")), static_cast<double>(no_ecz.size()));
  const auto ros_high = column(rosacea, "crp_high"), all_high = column(adults, "crp_high");
  const double or_ros = odds_ratio(sum(ros_high), static_cast<double>(ros_high.size()),
                                   sum(all_high), static_cast<double>(all_high.size()));
  report("CAL-14", "hsCRP > 3 mg/L odds: eczema OR " + std::to_string(or_ecz) + " (2.2, 1.2-3.9; " +
                       std::to_string(ecz.size()) + " cases), rosacea OR " + std::to_string(or_ros) +
                       " (1.7, 1.1-2.5)");
  EXPECT_GT(or_ecz, 1.0) << "direction";
  if (or_ecz > 3.9 || or_ros < 1.1 || or_ros > 2.5)
    GTEST_SKIP() << "CAL-14 not reproduced: eczema OR " << or_ecz << " (target 1.2-3.9), rosacea OR "
                 << or_ros << " (target 1.1-2.5): rosacea without SIBO adds too little to CRP";
  EXPECT_GE(or_ecz, 1.2);
}

TEST(Calibration, CAL_15_TarcTracksEczemaSeverity) {
  const auto& arms = run_cohort("cal06_probiotic_eczema.yaml");
  const Rows& placebo = arms.at("placebo");
  const double r = pearson(column(placebo, "tarc_1y"), column(placebo, "easi_1y"));
  report("CAL-15", "r(TARC, EASI) at 1 year = " + std::to_string(r) + " (target 0.60)");
  EXPECT_GT(r, 0.0) << "direction";
  if (r > 0.78)
    GTEST_SKIP() << "CAL-15 not reproduced: model r = " << r
                 << ", target 0.60 (0.42-0.78): without measurement noise TARC follows EASI "
                 << "too closely";
  expect_within30(r, 0.60, "TARC-EASI correlation");
}

TEST(Calibration, CAL_16_IfabpInPsoriasis) {
  const auto [cases, controls] = psoriasis_cases_controls();
  const double ratio = mean(column(cases, "ifabp")) / mean(column(controls, "ifabp"));
  const double r = pearson(column(cases, "ifabp"), column(cases, "pasi"));
  report("CAL-16", "I-FABP " + std::to_string(mean(column(cases, "ifabp"))) + " vs " +
                       std::to_string(mean(column(controls, "ifabp"))) + " pg/mL (243 vs 114), r with PASI " +
                       std::to_string(r) + " (0.78)");
  expect_within30(ratio, 243.0 / 114.0, "I-FABP psoriasis / control");
  EXPECT_GT(r, 0.0) << "I-FABP rises with severity";
  EXPECT_GE(r, 0.7 * 0.78) << "I-FABP-PASI correlation (target 0.78, 0.55-1)";
}

TEST(Calibration, CAL_17_Claudin3InPsoriasis) {
  const auto [cases, controls] = psoriasis_cases_controls();
  const double c1 = mean(column(cases, "claudin3")), c0 = mean(column(controls, "claudin3"));
  const double r = pearson(column(cases, "claudin3"), column(cases, "pasi"));
  report("CAL-17", "claudin-3 " + std::to_string(c1) + " vs " + std::to_string(c0) +
                       " ng/mL (41.8 vs 33.8), r with PASI " + std::to_string(r));
  expect_within30(c0, 33.8, "control claudin-3");
  expect_within30(c1 - c0, 41.8 - 33.8, "claudin-3 excess in psoriasis");
  EXPECT_GT(r, 0.0) << "claudin-3 rises with severity";
}

TEST(Calibration, CAL_18_GutPermeabilityInAtopicDermatitis) {
  const Trajectory tr = run_patient("healthy_adult", 10, 10);
  const double lm = at_time(tr, "lactulose_mannitol", 10);
  expect_within30(lm, 2.45, "healthy lactulose/mannitol");
  const auto& arms = run_cohort("cal06_probiotic_eczema.yaml");
  const Rows& placebo = arms.at("placebo");
  const Rows ad = select(placebo, "easi_1y", 3, 1e9), ctrl = select(placebo, "easi_1y", -1, 3);
  const double lm_ad = mean(column(ad, "lm_1y")), lm_ctrl = mean(column(ctrl, "lm_1y"));
  report("CAL-18", "L/M healthy adult " + std::to_string(lm) + "% (2.45); children at 1 y with AD " +
                       std::to_string(lm_ad) + "% vs without " + std::to_string(lm_ctrl) + "% (3.6 vs 2.45; " +
                       std::to_string(ad.size()) + " with AD)");
  ASSERT_GE(ad.size(), 20u);
  expect_within30(lm_ctrl, 2.45, "L/M of children without AD");
  // As for claudin-3 (CAL-17): the excess in disease, 3.6 - 2.45 = 1.15 percentage points, +-30%.
  expect_within30(lm_ad - lm_ctrl, 3.6 - 2.45, "L/M excess in children with AD");
}

TEST(Calibration, CAL_19_KeratinocyteOutputInPlaques) {
  EXPECT_NEAR((1 + param("cycle_max")) * 311.0 / 311.0, 311.0 / 36.0, 0.1) << "cycle 311 h -> 36 h";
  EXPECT_NEAR((1 + param("prolif_max")) * 27000, 52000, 500);
  EXPECT_NEAR((1 + param("prolif_max")) * (1 + param("cycle_max")) * (1 + param("growth_fraction_max")), 28, 1);
  const auto [cases, controls] = psoriasis_cases_controls();
  double med;
  {
    auto v = column(cases, "kc_output");
    std::sort(v.begin(), v.end());
    med = v[v.size() / 2];
  }
  report("CAL-19", "epidermal cell output in plaques x" + std::to_string(med) + " (target x28)");
  expect_within30(med, 28, "epidermal cell output in plaques");
}

TEST(Calibration, CAL_20_PsoriaticEpidermalTurnover) {
  const Trajectory tr = run_scenario(source_dir / "scenarios" / "chronic_stress_psoriasis.yaml");
  const double healthy = param("tau_epi") / at_time(tr, "kc_turnover", 20);
  const double plaque = param("tau_epi") / at_time(tr, "kc_turnover", 365);
  report("CAL-20", "epidermal turnover " + std::to_string(healthy) + " d healthy, " +
                       std::to_string(plaque) + " d in the plaque (targets 21 and 7)");
  expect_time_constant(healthy, 21, "healthy turnover");
  expect_time_constant(plaque, 7, "psoriatic turnover");
}

// ------------------------------------------------------------ stress, inflammation, physiology

TEST(Calibration, CAL_21_HpaStressGain) {
  EXPECT_DOUBLE_EQ(param("k_stress"), 10.1);
  EXPECT_DOUBLE_EQ(param("k_i_fb"), 1.51);
  const Phenotype* cs = model().phenotype("chronic_stress");
  ASSERT_NE(cs, nullptr);
  EXPECT_DOUBLE_EQ(cs->values.at("k_stress"), 13.7);
  const double c0 = at_time(run_patient("healthy_adult", 365, 365), "cortisol_nmol_l", 365);
  const double c1 = at_time(run_patient("chronic_stress", 365, 365), "cortisol_nmol_l", 365);
  report("CAL-21", "k_stress 10.1 / 13.7, k_i 1.51; cortisol " + std::to_string(c0) + " -> " +
                       std::to_string(c1) + " nmol/L under chronic stress");
  EXPECT_GT(c1, c0);
}

TEST(Calibration, CAL_22_Omega3LowersCrp) {
  const auto& arms = run_cohort("cal22_omega3.yaml");
  const double d = smd(column(arms.at("omega3"), "crp"), column(arms.at("placebo"), "crp"));
  report("CAL-22", "omega-3 effect size on CRP " + std::to_string(d) + " (target -0.40, -0.56 to -0.24)");
  EXPECT_GE(d, -0.56);
  EXPECT_LE(d, -0.24);
}

TEST(Calibration, CAL_23_NeutrophilHalfLife) {
  const double x0 = at_time(run_patient("healthy_adult", 1, 1), "gut_innate", 1);
  const Trajectory tr = run_patient("healthy_adult", 6, 0.01, {Bolus{1.0, state("gut_innate"), 1.0}});
  const auto v = series(tr, "gut_innate");
  double half = NAN;
  for (std::size_t r = 0; r < v.size(); ++r)
    if (tr.times[r] > 1.0 && v[r] - x0 <= 0.5) {
      half = (tr.times[r] - 1.0) * 24;
      break;
    }
  report("CAL-23", "gut innate (neutrophil) excess half-life " + std::to_string(half) + " h (target 19)");
  expect_time_constant(half, 19, "neutrophil half-life");
}

TEST(Calibration, CAL_24_EndotoxinCytokineKinetics) {
  const Trajectory tr = run_patient("healthy_adult", 4, 0.005, {Bolus{1.0, state("lps_blood"), 400}});
  const double tnf = peak_time(tr, "tnf_pg_ml", 1.0) * 24, il6 = peak_time(tr, "il6_pg_ml", 1.0) * 24;
  const double tnf_half = std::log(2) / param("k_tnf") * 24 * 60;
  report("CAL-24", "after endotoxin: TNF peak " + std::to_string(tnf) + " h (1.5), IL-6 peak " +
                       std::to_string(il6) + " h (3), TNF half-life " + std::to_string(tnf_half) +
                       " min (49)");
  expect_time_constant(tnf, 1.5, "TNF peak");
  expect_time_constant(il6, 3.0, "IL-6 peak");
  expect_time_constant(tnf_half, 49, "TNF slow half-life");
  EXPECT_LT(tnf, il6) << "TNF before IL-6";
}

TEST(Calibration, CAL_25_CrpKinetics) {
  const Trajectory tr = run_patient("healthy_adult", 6, 0.01, {Bolus{1.0, state("lps_blood"), 400}});
  const double peak = peak_time(tr, "crp_mg_l", 1.0) * 24;
  const double half = std::log(2) / param("k_crp") * 24;
  const double base = at_time(tr, "crp_mg_l", 0.5);
  // Onset of the rise: the increment reaches 10% of its peak.
  double rise = NAN;
  const auto v = series(tr, "crp_mg_l");
  const double top = *std::max_element(v.begin(), v.end());
  for (std::size_t r = 0; r < v.size(); ++r)
    if (tr.times[r] > 1.0 && v[r] - base >= 0.1 * (top - base)) {
      rise = (tr.times[r] - 1.0) * 24;
      break;
    }
  report("CAL-25", "CRP half-life " + std::to_string(half) + " h (19), rises after " +
                       std::to_string(rise) + " h (4-6), peaks at " + std::to_string(peak) +
                       " h (36-50); healthy " + std::to_string(base) + " mg/L (< 3)");
  expect_time_constant(half, 19, "CRP half-life");
  EXPECT_GE(peak, 36 / 1.5);
  EXPECT_LE(peak, 50 * 1.5);
  EXPECT_GE(rise, 4 / 1.5);
  EXPECT_LE(rise, 6 * 1.5);
  EXPECT_LT(base, 3.0);
}

TEST(Calibration, CAL_26_Tewl) {
  const double tewl = at_time(run_patient("healthy_adult", 10, 10), "tewl", 10);
  EXPECT_GE(tewl, 2.3);
  EXPECT_LE(tewl, 44);
  const auto& arms = run_cohort("cal06_probiotic_eczema.yaml");
  const Rows& placebo = arms.at("placebo");
  auto tw = column(placebo, "tewl_1w");
  std::vector<double> sorted = tw;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  const Rows high = select(placebo, "tewl_1w", median, 1e9), low = select(placebo, "tewl_1w", -1, median);
  const double e_high = mean(column(high, "eczema_onset_event")), e_low = mean(column(low, "eczema_onset_event"));
  report("CAL-26", "healthy forearm TEWL " + std::to_string(tewl) + " g/m2/h (2.3-44); at-risk newborns "
                       "with TEWL above the 1-week median (" + std::to_string(median) + ") get eczema " +
                       std::to_string(e_high) + " vs " + std::to_string(e_low));
  EXPECT_GT(e_high, e_low) << "higher neonatal TEWL predicts eczema";
}

TEST(Calibration, CAL_27_Prevalence) {
  const auto& adults = run_cohort("cal14_adults.yaml").at("none");
  const double ecz = mean(column(adults, "eczema")), pso = mean(column(adults, "psoriasis"));
  const auto& children = run_cohort("cal27_children.yaml").at("none");
  const double child = mean(column(children, "eczema_ever_event"));
  report("CAL-27", "adults: eczema " + std::to_string(100 * ecz) + "% (3-5), psoriasis " +
                       std::to_string(100 * pso) + "% (1.5-2); children (no family history): eczema by "
                       "age 2 " + std::to_string(100 * child) + "% (15-20)");
  EXPECT_GE(ecz, 0.7 * 0.03);
  EXPECT_LE(ecz, 1.3 * 0.05);
  EXPECT_GE(pso, 0.7 * 0.015);
  EXPECT_LE(pso, 1.3 * 0.02);
  EXPECT_GE(child, 0.7 * 0.15);
  EXPECT_LE(child, 1.3 * 0.20);
}
