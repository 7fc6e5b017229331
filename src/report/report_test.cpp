// HTML reports: one self-contained file (no external resources), uPlot and the data inside,
// text escaped; scenario reports group panels by module and shade the timeline. The browser
// test (tests/report_browser_test.cpp) checks the charts really draw.
#include "gutskin/formats.hpp"
#include "gutskin/report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "gutskin/compiled_model.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace gutskin {
namespace {

const fs::path source_dir = GUTSKIN_SOURCE_DIR;

std::string html_of(const Report& r) {
  std::ostringstream out;
  write_html_report(r, out);
  return out.str();
}

/// The JSON the page draws from.
json report_data(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const auto a = html.find(open);
  EXPECT_NE(a, std::string::npos);
  const auto b = html.find("</script>", a);
  return json::parse(html.substr(a + open.size(), b - a - open.size()));
}

Report two_panel_report() {
  Report r{.title = "Trial <A & B>", .subtitle = "two arms", .notes = {"a note"}};
  ReportPanel p{.title = "CRP", .description = "C-reactive protein", .section = "Blood",
                .y_unit = "mg/L"};
  p.series.push_back({.name = "placebo", .x = {0, 1, 2}, .y = {1.0, 1.5, NAN}});
  p.series.push_back({.name = "probiotic", .x = {0, 1, 2}, .y = {1.0, 0.8, 0.6}, .dashed = true});
  p.bands.push_back({.name = "placebo 5–95%", .x = {0, 1, 2}, .lower = {0.5, 0.9, 1.0},
                     .upper = {1.5, 2.0, 2.5}});
  p.windows.push_back({.start = 0.5, .end = 1.5, .label = "antibiotic"});
  r.panels.push_back(p);
  ReportPanel q{.title = "Responders", .section = "Skin", .x_label = "week", .x_unit = "",
                .y_unit = "%"};
  q.series.push_back({.name = "arm A</script>", .x = {1, 4, 12}, .y = {10, 20, 35},
                      .style = ReportSeries::Style::points});
  r.panels.push_back(q);
  r.tables.push_back({.title = "Summary", .header = {"arm", "n"}, .rows = {{"A", "12"}, {"B", "1e3"}}});
  r.tables.push_back({.title = "End", .section = "Skin", .header = {"x"}, .rows = {{"y"}}});
  return r;
}

TEST(Report, IsOneSelfContainedFile) {
  const std::string html = html_of(two_panel_report());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // Nothing is fetched: no linked files, no scripts or images from elsewhere, no imports.
  const std::regex external(R"((src|href)\s*=\s*["']?\s*(https?:|//|file:)|url\(\s*["']?\s*(https?:|//)|@import|<link\b|<iframe\b)",
                            std::regex::icase);
  std::smatch m;
  EXPECT_FALSE(std::regex_search(html, m, external)) << "external reference: " << m.str();
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  // The charting library and its style are inside.
  EXPECT_NE(html.find("var uPlot="), std::string::npos);
  EXPECT_NE(html.find(".uplot"), std::string::npos);
  EXPECT_NE(html.find("charts by uPlot 1."), std::string::npos);
  // Exactly one closing tag per script element: the data cannot end its element early.
  std::size_t scripts = 0, closes = 0;
  for (auto at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1))
    ++scripts;
  for (auto at = html.find("</script>"); at != std::string::npos; at = html.find("</script>", at + 1))
    ++closes;
  EXPECT_EQ(scripts, 3u);
  EXPECT_EQ(closes, 3u);
}

TEST(Report, EmbedsTheDataAsJson) {
  const json data = report_data(html_of(two_panel_report()));
  ASSERT_EQ(data["panels"].size(), 2u);
  const json& crp = data["panels"][0];
  EXPECT_EQ(crp["title"], "CRP");
  EXPECT_EQ(crp["y_unit"], "mg/L");
  EXPECT_EQ(crp["x_unit"], "day");
  ASSERT_EQ(crp["series"].size(), 2u);
  EXPECT_EQ(crp["series"][0]["name"], "placebo");
  EXPECT_EQ(crp["series"][0]["y"], json::parse("[1.0, 1.5, null]"));  // NaN is a gap
  EXPECT_EQ(crp["series"][1]["dashed"], true);
  EXPECT_EQ(crp["bands"][0]["upper"], json::parse("[1.5, 2.0, 2.5]"));
  EXPECT_EQ(crp["windows"][0]["label"], "antibiotic");
  EXPECT_DOUBLE_EQ(crp["windows"][0]["end"].get<double>(), 1.5);
  // Series sharing an x grid share one array.
  EXPECT_EQ(crp["series"][0]["x"], crp["series"][1]["x"]);
  EXPECT_EQ(data["xs"].size(), 2u);
  const json& resp = data["panels"][1];
  EXPECT_EQ(resp["series"][0]["style"], "points");
  EXPECT_EQ(resp["series"][0]["name"], "arm A</script>");
  EXPECT_EQ(data["xs"][resp["series"][0]["x"].get<int>()], json::parse("[1.0, 4.0, 12.0]"));
}

// Forest plots and box plots: named rows on the y axis, a log x axis, a reference line.
TEST(Report, EmbedsNamedRowsAndReferenceLine) {
  Report r;
  ReportPanel p{.title = "Risk ratio", .x_label = "risk ratio", .x_unit = "", .x_log = true,
                .y_categories = {"easi75", "iga_success"}, .x_reference = 1.0};
  p.series.push_back({.name = "easi75 CI", .x = {1.2, 2.5}, .y = {0, 0}, .width = 2.5});
  p.series.push_back({.name = "easi75", .x = {1.7}, .y = {0},
                      .style = ReportSeries::Style::points, .width = 9});
  r.panels.push_back(p);
  r.panels.push_back({.title = "plain"});
  const json data = report_data(html_of(r));
  const json& forest = data["panels"][0];
  EXPECT_EQ(forest["x_log"], true);
  EXPECT_EQ(forest["y_categories"], json::parse(R"(["easi75", "iga_success"])"));
  EXPECT_DOUBLE_EQ(forest["x_reference"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(forest["series"][0]["width"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(forest["series"][1]["width"].get<double>(), 9.0);
  const json& plain = data["panels"][1];
  EXPECT_EQ(plain["x_log"], false);
  EXPECT_TRUE(plain["y_categories"].empty());
  EXPECT_TRUE(plain["x_reference"].is_null());
}

TEST(Report, EscapesTextAndOrdersSections) {
  const std::string html = html_of(two_panel_report());
  EXPECT_NE(html.find("<title>Trial &lt;A &amp; B&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("<h1>Trial &lt;A &amp; B&gt;</h1>"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"note\">a note</p>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">1e3</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>A</td>"), std::string::npos);
  // Unsectioned tables at the top, then sections with their panels, a section's tables last.
  const auto summary = html.find("<h3>Summary</h3>"), blood = html.find("<h2>Blood</h2>"),
             skin = html.find("<h2>Skin</h2>"), panel2 = html.find("id=\"panel-2\""),
             end = html.find("<h3>End</h3>");
  ASSERT_NE(end, std::string::npos);
  EXPECT_LT(summary, blood);
  EXPECT_LT(blood, skin);
  EXPECT_LT(skin, panel2);
  EXPECT_LT(panel2, end);
  EXPECT_NE(html.find("<a href=\"#section-1\">Blood</a>"), std::string::npos);
}

TEST(Report, RejectsSeriesOfDifferentLengths) {
  Report r;
  ReportPanel p{.title = "bad"};
  p.series.push_back({.name = "s", .x = {0, 1}, .y = {1}});
  r.panels.push_back(p);
  std::ostringstream out;
  try {
    write_html_report(r, out);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "report panel 'bad': series 's' has 2 x and 1 y values");
  }
}

TEST(Report, WritesAFile) {
  const fs::path path = fs::temp_directory_path() / "gutskin_report_test.html";
  write_html_report(two_panel_report(), path);
  EXPECT_GT(fs::file_size(path), 50'000u);  // uPlot alone is ~50 kB
  fs::remove(path);
  EXPECT_THROW(write_html_report(two_panel_report(), fs::path("/no/such/folder/r.html")),
               std::runtime_error);
}

SimulationResult run(const Scenario& scenario, const Model& model) {
  SimulateOptions options;
  options.output_times = scenario.output_times;
  const CompiledModel compiled{model};
  return simulate(compiled, patient_parameters(model, scenario.patient),
                  build_schedule(scenario, model), options);
}

const ReportPanel* find_panel(const Report& r, const std::string& title) {
  for (const auto& p : r.panels)
    if (p.title == title) return &p;
  return nullptr;
}

TEST(ScenarioReport, SingleFileModelWithTimeline) {
  const Scenario scenario = load_scenario(source_dir / "tests/data/report_scenario.yaml");
  const Model model = load_model(scenario.model_path);
  const SimulationResult result = run(scenario, model);
  ASSERT_TRUE(result.summary.ok()) << result.summary.message;
  const Report r = scenario_report(scenario, model, result.trajectory, result.summary);

  EXPECT_EQ(r.title, "Scenario report_demo");
  EXPECT_EQ(r.subtitle, "Stress for a week, then recovery");
  ASSERT_GE(r.notes.size(), 2u);
  EXPECT_EQ(r.notes[1], "Patient: phenotype stressed_adult.");

  // The stress input as scheduled: 0, 1 in the exam week, 0.5 on days 20-22.
  const ReportPanel* stress = find_panel(r, "stress");
  ASSERT_NE(stress, nullptr);
  EXPECT_EQ(stress->section, "Inputs");
  const ReportSeries& s = stress->series.at(0);
  auto value_at = [&](double t) {
    const auto i = std::lower_bound(s.x.begin(), s.x.end(), t) - s.x.begin();
    return s.y.at(i);
  };
  EXPECT_EQ(value_at(4.5), 0.0);
  EXPECT_EQ(value_at(8.0), 1.0);
  EXPECT_EQ(value_at(21.0), 0.5);
  EXPECT_EQ(value_at(23.0), 0.0);

  // Windows: both stress windows and the bolus as a line, on every panel.
  ASSERT_EQ(stress->windows.size(), 3u);
  EXPECT_EQ(stress->windows[0].label, "exam week");
  EXPECT_DOUBLE_EQ(stress->windows[0].start, 5.0);
  EXPECT_DOUBLE_EQ(stress->windows[0].end, 12.0);
  EXPECT_EQ(stress->windows[1].label, "stress");
  EXPECT_EQ(stress->windows[2].label, "barrier cream");
  EXPECT_DOUBLE_EQ(stress->windows[2].start, stress->windows[2].end);

  const ReportPanel* crp = find_panel(r, "crp");
  ASSERT_NE(crp, nullptr);
  EXPECT_EQ(crp->section, "Observables");
  EXPECT_EQ(crp->y_unit, "mg/L");
  EXPECT_EQ(crp->description, "C-reactive protein");
  EXPECT_EQ(crp->windows.size(), 3u);
  EXPECT_EQ(crp->series.at(0).y.size(), result.trajectory.times.size());
  const ReportPanel* states = find_panel(r, "States [AU]");
  ASSERT_NE(states, nullptr);
  EXPECT_EQ(states->series.at(0).name, "barrier");

  // Tables: the timeline first (no section: top of the page), baseline vs end of crp.
  ASSERT_EQ(r.tables.size(), 2u);
  EXPECT_EQ(r.tables[0].title, "Timeline");
  ASSERT_EQ(r.tables[0].rows.size(), 3u);
  EXPECT_EQ(r.tables[0].rows[0],
            (std::vector<std::string>{"exam week", "stress", "window", "day 5", "day 12", "1"}));
  EXPECT_EQ(r.tables[0].rows[2][2], "bolus");
  EXPECT_EQ(r.tables[1].section, "Baseline vs end");
  ASSERT_EQ(r.tables[1].rows.size(), 1u);
  EXPECT_EQ(r.tables[1].rows[0][1], "crp");
  EXPECT_EQ(r.tables[1].header[3], "day 0");
  EXPECT_EQ(r.tables[1].header[4], "day 30");

  // And it writes.
  const json data = report_data(html_of(r));
  EXPECT_EQ(data["panels"].size(), r.panels.size());
}

TEST(ScenarioReport, SectionsFollowModules) {
  const Model model = load_model(source_dir / "src/model/testdata/good/model.yaml");
  Scenario scenario;  // assigned, not designated: GCC 12 -Wmaybe-uninitialized misfires on the latter
  scenario.name = "defaults";
  scenario.duration = 5;
  scenario.output_times = {0, 1, 2, 3, 4, 5};
  const SimulationResult result = run(scenario, model);
  const Report r = scenario_report(scenario, model, result.trajectory, result.summary);
  // crp is declared in model.yaml itself; the microbiome states in microbiome.yaml.
  const ReportPanel* crp = find_panel(r, "crp");
  ASSERT_NE(crp, nullptr);
  EXPECT_EQ(crp->section, "Observables");
  bool microbiome = false;
  for (const auto& p : r.panels)
    if (p.section == "Microbiome") {
      microbiome = true;
      EXPECT_NE(p.title.find("Microbiome states"), std::string::npos) << p.title;
      EXPECT_TRUE(p.windows.empty());
    }
  EXPECT_TRUE(microbiome);
  EXPECT_EQ(r.tables.size(), 1u);  // no timeline: just baseline vs end
}

TEST(ScenarioReport, FailedRunIsSaidAndRowsAreKept) {
  const Model model = load_model(source_dir / "tests/data/decay.yaml");
  Scenario scenario;
  scenario.name = "cut";
  scenario.duration = 2;
  scenario.output_times = {0, 1, 2};
  Trajectory tr;  // as if the run failed before writing any row
  SimulationSummary summary{.termination = Termination::solver_failure,
                            .message = "CVODE failed at t = 0."};
  const Report r = scenario_report(scenario, model, tr, summary);
  bool said = false;
  for (const auto& n : r.notes) said |= n.find("did not complete (solver_failure)") != std::string::npos;
  EXPECT_TRUE(said);
  EXPECT_NO_THROW(html_of(r));
}

}  // namespace
}  // namespace gutskin
