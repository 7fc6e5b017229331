#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "gutskin/catalog.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/schedule.hpp"

namespace fs = std::filesystem;
using namespace gutskin;

namespace {

fs::path testdata() {
#ifdef GUTSKIN_SOURCE_DIR
  return fs::path(GUTSKIN_SOURCE_DIR) / "src" / "scenario" / "testdata";
#else
  return fs::path(__FILE__).parent_path() / "testdata";
#endif
}

fs::path scenario_file(const std::string& name) { return testdata() / "scenarios" / name; }

/// The built-ins of these tests are the fixtures in testdata/ (models/tiny.yaml, ...).
const Catalog& test_catalog() {
  static const Catalog catalog{testdata()};
  return catalog;
}
class WithTestData : public ::testing::Test {};

/// "line:column: message" for each problem, for exact comparisons.
std::vector<std::string> problems(const InputError& e) {
  std::vector<std::string> out;
  for (const auto& d : e.diagnostics())
    out.push_back(std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + ": " +
                  d.message);
  return out;
}

template <class F>
std::vector<std::string> problems_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return problems(e);
  }
  return {"(no error)"};
}

/// The model in testdata/models/tiny.yaml, built by hand so these tests need no model loader.
Model tiny_model() {
  Model m;
  m.name = "tiny";
  auto input = [&](std::string name, std::string unit, double dflt) {
    m.inputs.push_back({.name = std::move(name),
                        .unit = parse_unit(unit),
                        .default_value = dflt,
                        .description = "",
                        .where = {}});
  };
  input("fibre", "g/day", 20);
  input("antibiotic", "1", 0);
  input("probiotic", "CFU/day", 0);
  input("exercise", "MET*h/week", 0);
  Parameter k_repair;
  k_repair.name = "k_repair";
  k_repair.value = 0.5;
  k_repair.unit = parse_unit("1/day");
  k_repair.lower = 0.0;
  k_repair.upper = 1.0;
  Parameter r_growth;
  r_growth.name = "r_growth";
  r_growth.value = 0.6;
  r_growth.unit = parse_unit("1/day");
  m.parameters = {k_repair, r_growth};
  State bacteria;
  bacteria.name = "bacteria";
  bacteria.unit = parse_unit("AU");
  State gut;
  gut.name = "antibiotic_gut";
  gut.unit = parse_unit("mg");
  m.states = {bacteria, gut};
  Phenotype healthy;
  healthy.name = "healthy_adult";
  healthy.values = {{"k_repair", 0.7}};
  m.phenotypes = {healthy};
  return m;
}

constexpr double hour = 1.0 / 24.0;

}  // namespace

// --- InputSchedule ------------------------------------------------------------------------------

TEST(InputSchedule, BaselineWithoutPieces) {
  InputSchedule s(2, {20.0, 0.0});
  EXPECT_EQ(s.n_inputs(), 2);
  EXPECT_EQ(s.value(0, 5.0), 20.0);
  s.set_baseline(1, 3.0);
  EXPECT_EQ(s.value(1, -1.0), 3.0);
  EXPECT_TRUE(s.breaks(0.0, 100.0).empty());
  double out[2];
  s.values(1.0, out);
  EXPECT_EQ(out[0], 20.0);
  EXPECT_EQ(out[1], 3.0);
}

TEST(InputSchedule, PiecesAreRightContinuousAndAddUp) {
  InputSchedule s(1, {1.0});
  s.add_piece(0, {.start = 2.0, .end = 5.0, .level = 10.0});
  s.add_piece(0, {.start = 4.0, .end = 8.0, .level = 100.0});
  EXPECT_EQ(s.value(0, 1.999), 1.0);
  EXPECT_EQ(s.value(0, 2.0), 11.0);  // a piece starting at t counts at t
  EXPECT_EQ(s.value(0, 4.0), 111.0);
  EXPECT_EQ(s.value(0, 5.0), 101.0);  // ...and one ending at t does not
  EXPECT_EQ(s.value(0, 8.0), 1.0);
  EXPECT_EQ(s.breaks(0.0, 10.0), (std::vector<double>{2.0, 4.0, 5.0, 8.0}));
  EXPECT_EQ(s.breaks(2.0, 8.0), (std::vector<double>{4.0, 5.0}));  // strictly inside
}

TEST(InputSchedule, ValueIsExactlyTheBaselineAfterPiecesEnd) {
  InputSchedule s(1, {0.1});
  s.add_piece(0, {.start = 0.0, .end = INFINITY, .level = 0.3});
  s.add_piece(0, {.start = 1.0, .end = 2.0, .level = 0.7, .slope = 0.013});
  s.add_piece(0, {.start = 1.5, .end = 3.0, .level = 1e-3});
  EXPECT_EQ(s.value(0, 3.0), 0.1 + 0.3);
  EXPECT_EQ(s.value(0, 0.5), 0.1 + 0.3);
}

TEST(InputSchedule, OutOfOrderPiecesAndRamps) {
  InputSchedule s(1);
  s.add_piece(0, {.start = 10.0, .end = 20.0, .level = 1.0, .slope = 0.5});  // 1 → 6
  s.add_piece(0, {.start = 0.0, .end = 15.0, .level = 2.0});
  s.add_piece(0, {.start = 20.0, .level = 6.0});  // holds afterwards
  EXPECT_EQ(s.value(0, 5.0), 2.0);
  EXPECT_DOUBLE_EQ(s.value(0, 10.0), 3.0);
  EXPECT_DOUBLE_EQ(s.value(0, 14.0), 2.0 + 1.0 + 0.5 * 4.0);
  EXPECT_DOUBLE_EQ(s.value(0, 15.0), 1.0 + 0.5 * 5.0);
  EXPECT_DOUBLE_EQ(s.value(0, 19.999), 1.0 + 0.5 * 9.999);
  EXPECT_EQ(s.value(0, 20.0), 6.0);
  EXPECT_EQ(s.value(0, 1e9), 6.0);
  EXPECT_EQ(s.breaks(0.0, 100.0), (std::vector<double>{10.0, 15.0, 20.0}));
}

TEST(InputSchedule, EmptyPiecesAreIgnoredAndBadInputsThrow) {
  InputSchedule s(1);
  s.add_piece(0, {.start = 3.0, .end = 3.0, .level = 1.0});
  s.add_piece(0, {.start = 4.0, .end = 2.0, .level = 1.0});
  EXPECT_TRUE(s.breaks(0.0, 10.0).empty());
  EXPECT_THROW(s.add_piece(1, {.start = 0.0, .level = 1.0}), std::out_of_range);
  EXPECT_THROW(s.set_baseline(-1, 0.0), std::out_of_range);
}

TEST(InputSchedule, BolusesAreSortedAndAreBreaks) {
  InputSchedule s(1);
  s.add_bolus({.time = 5.0, .state = 0, .amount = 1.0});
  s.add_bolus({.time = 2.0, .state = 1, .amount = 2.0});
  s.add_piece(0, {.start = 2.0, .end = 3.0, .level = 1.0});
  ASSERT_EQ(s.boluses().size(), 2u);
  EXPECT_EQ(s.boluses()[0].time, 2.0);
  EXPECT_EQ(s.boluses()[1].time, 5.0);
  EXPECT_EQ(s.breaks(0.0, 10.0), (std::vector<double>{2.0, 3.0, 5.0}));
  EXPECT_EQ(s.breaks(2.0, 5.0), (std::vector<double>{3.0}));
}

TEST(InputSchedule, ManyDosesInOrderStayCheap) {
  InputSchedule s(1);
  const int n = 100000;
  for (int k = 0; k < n; ++k)
    s.add_piece(0, {.start = k * 0.1, .end = k * 0.1 + 0.01, .level = 1.0});
  EXPECT_EQ(s.value(0, 5000.0), 1.0);
  EXPECT_EQ(s.value(0, 5000.05), 0.0);
  EXPECT_EQ(s.breaks(0.0, 1.0).size(), 19u);  // 0.01, 0.1, 0.11, ..., 0.9, 0.91
}

// --- scenario files -----------------------------------------------------------------------------

TEST_F(WithTestData, LoadsEveryKindOfEntryWithUnits) {
  const Scenario sc = load_scenario(scenario_file("full.yaml"), test_catalog());
  EXPECT_EQ(sc.name, "full");
  EXPECT_EQ(sc.description, "Every kind of timeline entry");
  EXPECT_EQ(sc.model, "../models/tiny.yaml");
  EXPECT_EQ(sc.model_path, (testdata() / "models" / "tiny.yaml").lexically_normal());
  EXPECT_EQ(sc.patient.phenotype, "healthy_adult");
  EXPECT_EQ(sc.patient.overrides.at("r_growth"), 0.8);
  EXPECT_DOUBLE_EQ(sc.duration, 28.0);
  EXPECT_EQ(sc.output_times, (std::vector<double>{0, 7, 14, 21, 28}));
  ASSERT_EQ(sc.timeline.size(), 7u);

  using K = Intervention::Kind;
  const auto& fibre = sc.timeline[0];
  EXPECT_EQ(fibre.kind, K::constant);
  EXPECT_EQ(fibre.target, "fibre");
  EXPECT_EQ(fibre.value, 35.0);
  EXPECT_EQ(fibre.unit.text, "g/day");
  EXPECT_EQ(fibre.start, 0.0);
  EXPECT_TRUE(std::isinf(fibre.end));
  EXPECT_EQ(fibre.where.line, 10);
  EXPECT_EQ(fibre.where.column, 13);

  const auto& window = sc.timeline[1];
  EXPECT_EQ(window.kind, K::window);
  EXPECT_EQ(window.start, 14.0);
  EXPECT_EQ(window.end, 21.0);

  const auto& probiotic = sc.timeline[2];
  EXPECT_DOUBLE_EQ(probiotic.value, 1e10);
  EXPECT_EQ(probiotic.start, 7.0);
  EXPECT_EQ(probiotic.end, 14.0);

  const auto& daily = sc.timeline[3];
  EXPECT_EQ(daily.kind, K::doses);
  EXPECT_DOUBLE_EQ(daily.dose_duration, hour);
  EXPECT_DOUBLE_EQ(daily.period, 1.0);

  const auto& weekly = sc.timeline[4];
  EXPECT_DOUBLE_EQ(weekly.period, 7.0 / 3.0);
  EXPECT_DOUBLE_EQ(weekly.dose_duration, 2 * hour);

  const auto& ramp = sc.timeline[5];
  EXPECT_EQ(ramp.kind, K::ramp);
  EXPECT_EQ(ramp.ramp_from, 0.0);
  EXPECT_EQ(ramp.value, 10.0);
  EXPECT_EQ(ramp.unit.text, "MET*h/week");
  EXPECT_DOUBLE_EQ(ramp.end, 56.0);

  const auto& bolus = sc.timeline[6];
  EXPECT_EQ(bolus.kind, K::bolus);
  EXPECT_EQ(bolus.target, "antibiotic_gut");
  EXPECT_EQ(bolus.start, 3.0);
  EXPECT_EQ(bolus.label, "loading dose");
}

TEST_F(WithTestData, ScheduleFollowsTheTimeline) {
  const Scenario sc = load_scenario(scenario_file("full.yaml"), test_catalog());
  const Model m = tiny_model();
  const InputSchedule s = build_schedule(sc, m);
  const int fibre = 0, antibiotic = 1, probiotic = 2, exercise = 3;

  // A constant replaces the model default (20 g/day) from its start.
  EXPECT_EQ(s.value(fibre, -1.0), 20.0);
  EXPECT_EQ(s.value(fibre, 0.0), 35.0);
  EXPECT_EQ(s.value(fibre, 1000.0), 35.0);

  // Daily one-hour doses in the first week, a window in the third, then 3 doses a week.
  EXPECT_EQ(s.value(antibiotic, 0.0), 1.0);
  EXPECT_EQ(s.value(antibiotic, 0.5 * hour), 1.0);
  EXPECT_EQ(s.value(antibiotic, 0.5), 0.0);
  EXPECT_EQ(s.value(antibiotic, 6.0 + 0.5 * hour), 1.0);
  EXPECT_EQ(s.value(antibiotic, 7.0), 0.0);
  EXPECT_EQ(s.value(antibiotic, 14.0), 1.0);
  EXPECT_EQ(s.value(antibiotic, 20.9), 1.0);
  EXPECT_EQ(s.value(antibiotic, 21.0), 2.0);
  EXPECT_EQ(s.value(antibiotic, 21.0 + 3 * hour), 0.0);
  EXPECT_EQ(s.value(antibiotic, 7.0 / 3.0 * 1 + 21.0 + hour), 2.0);
  EXPECT_EQ(s.value(antibiotic, 14.0 / 3.0 + 21.0 + hour), 2.0);
  EXPECT_EQ(s.value(antibiotic, 27.9), 0.0);

  // 10^10 CFU/day in the second week.
  EXPECT_EQ(s.value(probiotic, 6.99), 0.0);
  EXPECT_DOUBLE_EQ(s.value(probiotic, 7.0), 1e10);
  EXPECT_EQ(s.value(probiotic, 14.0), 0.0);

  // Ramp 0 → 10 MET*h/week over 8 weeks, then holds.
  EXPECT_EQ(s.value(exercise, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(s.value(exercise, 28.0), 5.0);
  EXPECT_DOUBLE_EQ(s.value(exercise, 56.0), 10.0);
  EXPECT_DOUBLE_EQ(s.value(exercise, 365.0), 10.0);

  // 2 g into a state kept in mg.
  ASSERT_EQ(s.boluses().size(), 1u);
  EXPECT_EQ(s.boluses()[0].state, 1);
  EXPECT_DOUBLE_EQ(s.boluses()[0].amount, 2000.0);
  EXPECT_EQ(s.boluses()[0].time, 3.0);

  // Breaks: 7 daily doses (6 starts inside, 7 ends; the bolus at day 3 is one of the starts),
  // probiotic window, antibiotic window end, 3 doses from day 21 (2 more starts, 3 ends).
  const std::vector<double> b = s.breaks(0.0, 28.0);
  EXPECT_EQ(b.size(), 6u + 7u + 2u + 1u + 2u + 3u);
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
  EXPECT_NEAR(b.front(), hour, 1e-12);
  EXPECT_NEAR(b.back(), 21.0 + 14.0 / 3.0 + 2 * hour, 1e-9);
}

TEST_F(WithTestData, ConstantsHoldUntilTheNextOneOnTheSameInput) {
  Scenario sc;
  sc.duration = 10;
  Intervention first;
  first.target = "fibre";
  first.value = 30;  // no unit: in the input's unit
  Intervention second = first;
  second.value = 40;
  second.start = 5;
  sc.timeline = {first, second};
  const InputSchedule s = build_schedule(sc, tiny_model());
  EXPECT_EQ(s.value(0, 4.9), 30.0);
  EXPECT_EQ(s.value(0, 5.0), 40.0);
  EXPECT_EQ(s.value(0, 100.0), 40.0);
}

TEST_F(WithTestData, OutputGrids) {
  const fs::path dir = fs::path(::testing::TempDir()) / "gutskin_scenario_output";
  fs::create_directories(dir);
  auto grid = [&](const std::string& output) {
    const fs::path f = dir / "s.yaml";
    std::FILE* out = std::fopen(f.c_str(), "w");
    std::fprintf(out, "model: tiny\nduration: 10 days\noutput: %s\n", output.c_str());
    std::fclose(out);
    return load_scenario(f, test_catalog()).output_times;
  };
  EXPECT_EQ(grid("{every: 3 days}"), (std::vector<double>{0, 3, 6, 9, 10}));
  EXPECT_EQ(grid("{steps: 4}"), (std::vector<double>{0, 2.5, 5, 7.5, 10}));
  EXPECT_EQ(grid("{times: [7 days, 0, 1 week, 2]}"), (std::vector<double>{0, 2, 7}));
  EXPECT_EQ(grid("{every: 1 day}").size(), 11u);
  EXPECT_EQ(problems_of([&] { grid("{times: [11 days]}"); }),
            (std::vector<std::string>{
                "3:18: output time 11 days is outside the simulation (0 to 10 days)"}));
  EXPECT_EQ(problems_of([&] { grid("{evry: 1 day}"); }),
            (std::vector<std::string>{"3:10: unknown key 'evry' in output (did you mean 'every'?)"}));
  fs::remove_all(dir);
}

// --- errors: exact texts and positions -----------------------------------------------------------

TEST_F(WithTestData, TimelineEntryErrors) {
  const auto p = problems_of([] { load_scenario(scenario_file("bad_entries.yaml"), test_catalog()); });
  EXPECT_EQ(p, (std::vector<std::string>{
                   "4:20: unknown key 'valu' in timeline entry (did you mean 'value'?)",
                   "5:54: 'to' (7 days) must be after 'from' (14 days)",
                   "6:5: missing 'duration'",
               }));
}

TEST_F(WithTestData, ErrorsCarryTheFileName) {
  try {
    load_scenario(scenario_file("missing_duration.yaml"), test_catalog());
    FAIL() << "no error";
  } catch (const InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].str(),
              scenario_file("missing_duration.yaml").string() + ":1:1: error: missing 'duration'");
  }
}

TEST_F(WithTestData, UnknownModel) {
  EXPECT_EQ(problems_of([] { load_scenario(scenario_file("bad_model.yaml"), test_catalog()); }),
            (std::vector<std::string>{
                "1:8: no such file or built-in model 'tinny' (did you mean 'tiny'?)"}));
}

TEST_F(WithTestData, MalformedYaml) {
  const auto p = problems_of([] { load_scenario(scenario_file("bad_yaml.yaml"), test_catalog()); });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].substr(0, 2), "3:") << p[0];
}

TEST_F(WithTestData, ErrorsAgainstTheModel) {
  const Scenario sc = load_scenario(scenario_file("bad_against_model.yaml"), test_catalog());
  const Model m = tiny_model();
  const std::vector<std::string> expected = {
      "7:13: unknown input 'fibr' (did you mean 'fibre'?)",
      "8:31: cannot convert 'g/day' to 'CFU/day' (different dimensions)",
      "3:14: unknown phenotype 'healthy_adlt' (did you mean 'healthy_adult'?)",
      "4:30: override 'k_repair' = 5 is outside its bounds [0, 1]",
      "4:15: unknown parameter 'k_repiar' in overrides (did you mean 'k_repair'?)",
  };
  EXPECT_EQ(problems_of([&] { check_scenario(sc, m); }), expected);
  EXPECT_EQ(problems_of([&] { build_schedule(sc, m); }), expected);
}

TEST_F(WithTestData, FixtureModelLoadsAndMatchesTheHandBuiltOne) {
  const Scenario sc = load_scenario(scenario_file("full.yaml"), test_catalog());
  const Model loaded = load_model(sc.model_path);
  const Model hand = tiny_model();
  ASSERT_EQ(loaded.inputs.size(), hand.inputs.size());
  for (std::size_t i = 0; i < hand.inputs.size(); ++i) {
    EXPECT_EQ(loaded.inputs[i].name, hand.inputs[i].name);
    EXPECT_EQ(loaded.inputs[i].default_value, hand.inputs[i].default_value);
  }
  EXPECT_NO_THROW(check_scenario(sc, loaded));
  const InputSchedule s = build_schedule(sc, loaded);
  EXPECT_DOUBLE_EQ(s.value(loaded.input_index("probiotic"), 7.0), 1e10);
  EXPECT_EQ(patient_parameters(loaded, sc.patient)[loaded.parameter_index("k_repair")], 0.7);
  EXPECT_EQ(patient_parameters(loaded, sc.patient)[loaded.parameter_index("r_growth")], 0.8);

  const Scenario bad = load_scenario(scenario_file("bad_against_model.yaml"), test_catalog());
  EXPECT_EQ(problems_of([&] { check_scenario(bad, loaded); }).size(), 5u);
}

// --- patients -------------------------------------------------------------------------------------

TEST(PatientParameters, DefaultsThenPhenotypeThenOverrides) {
  const Model m = tiny_model();
  EXPECT_EQ(patient_parameters(m, {}), (std::vector<double>{0.5, 0.6}));
  Patient p;
  p.phenotype = "healthy_adult";
  EXPECT_EQ(patient_parameters(m, p), (std::vector<double>{0.7, 0.6}));
  p.overrides = {{"k_repair", 0.9}, {"r_growth", 0.1}};
  EXPECT_EQ(patient_parameters(m, p), (std::vector<double>{0.9, 0.1}));
  p.overrides = {{"r_grwth", 0.1}};
  EXPECT_EQ(problems_of([&] { patient_parameters(m, p); }),
            (std::vector<std::string>{
                "0:0: unknown parameter 'r_grwth' in overrides (did you mean 'r_growth'?)"}));
  p.phenotype = "nobody";
  EXPECT_THROW(patient_parameters(m, p), InputError);
}

// --- built-ins ------------------------------------------------------------------------------------

TEST_F(WithTestData, BuiltinRegistry) {
  EXPECT_EQ(test_catalog().data_dir(), testdata());
  const auto all = test_catalog().list();
  std::vector<std::string> names;
  for (const auto& e : all) names.push_back(e.kind + ":" + e.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "model:tiny"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "scenario:full"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "trial:small"), names.end());
  for (const auto& e : all) {
    if (e.name == "tiny") {
      EXPECT_EQ(e.description, "A tiny model for the scenario tests");
    }
    if (e.name == "small") {
      EXPECT_EQ(e.description, "A trial file for the registry test");
    }
  }
  EXPECT_EQ(test_catalog().resolve("tiny", "model"), testdata() / "models" / "tiny.yaml");
  EXPECT_EQ(test_catalog().resolve("full", "scenario"), testdata() / "scenarios" / "full.yaml");
  EXPECT_EQ(test_catalog().resolve("../models/tiny.yaml", "model", testdata() / "scenarios"),
            (testdata() / "models" / "tiny.yaml").lexically_normal());
  EXPECT_EQ(problems_of([] { test_catalog().resolve("tinyy", "model"); }),
            (std::vector<std::string>{
                "0:0: no such file or built-in model 'tinyy' (did you mean 'tiny'?)"}));
  EXPECT_EQ(problems_of([] { test_catalog().resolve("zzzzzzzz", "trial"); }),
            (std::vector<std::string>{"0:0: no such file or built-in trial 'zzzzzzzz'"}));
}
