// End to end: `gutskin run … --report` (and `gutskin trial`) writes a report, then
// web/test/check_report.mjs opens it
// in Debian's headless Chromium through playwright-core and fails on any console or page
// error, a network request, or a panel without a drawn chart; it saves a screenshot
// (report_screenshots/ under the working directory, i.e. the build tree under ctest).
// Skipped when /usr/bin/chromium or web/node_modules is missing (scripts/setup.sh installs both).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <limits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gutskin/report.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path source_dir = GUTSKIN_SOURCE_DIR;

struct Output {
  int code = -1;
  std::string text;  // stdout and stderr
};

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

Output shell(const std::string& command) {
  Output o;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return o;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) o.text.append(buf.data(), n);
  const int status = pclose(pipe);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return o;
}

fs::path chromium_path() {
  const char* env = std::getenv("GUTSKIN_CHROMIUM");
  return env && *env ? fs::path(env) : fs::path("/usr/bin/chromium");
}

class ReportBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(chromium_path()))
      GTEST_SKIP() << chromium_path() << " is missing (Debian package chromium; scripts/setup.sh)";
    if (!fs::exists(source_dir / "web/node_modules/playwright-core"))
      GTEST_SKIP() << "web/node_modules is missing (npm ci --prefix web; scripts/setup.sh)";
    std::string pattern = (fs::temp_directory_path() / "gutskin_report_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    tmp_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    if (!tmp_.empty()) fs::remove_all(tmp_, ec);
  }

  /// Checks a report file in the browser; keeps the screenshot as report_screenshots/<name>.png.
  void check_in_browser(const fs::path& report, const std::string& name) {
    const fs::path shots = fs::absolute("report_screenshots");
    fs::create_directories(shots);
    const fs::path png = shots / (name + ".png");
    fs::remove(png);
    const Output check = shell("timeout 180 node " +
                               quoted((source_dir / "web/test/check_report.mjs").string()) + " " +
                               quoted(report.string()) + " " + quoted(png.string()));
    EXPECT_EQ(check.code, 0) << check.text;
    EXPECT_NE(check.text.find("\"problems\": []"), std::string::npos) << check.text;
    EXPECT_TRUE(fs::exists(png)) << check.text;
    if (fs::exists(png)) {
      EXPECT_GT(fs::file_size(png), 20'000u);
      std::cout << "screenshot: " << png.string() << '\n';
    }
  }

  /// Runs the scenario with --report, checks the CLI says where the report is, then checks the
  /// report in the browser and keeps its screenshot as report_screenshots/<name>.png.
  void check_scenario(const std::string& scenario, const std::string& name) {
    const fs::path report = tmp_ / (name + ".html");
    const Output run = shell("cd " + quoted(source_dir.string()) + " && " + quoted(GUTSKIN_CLI) +
                             " run " + quoted(scenario) + " --out " + quoted((tmp_ / "out").string()) +
                             " --report " + quoted(report.string()));
    ASSERT_EQ(run.code, 0) << run.text;
    EXPECT_NE(run.text.find("report: " + report.string() + "\n"), std::string::npos) << run.text;
    ASSERT_TRUE(fs::exists(report));

    check_in_browser(report, name);
  }

  fs::path tmp_;
};

TEST_F(ReportBrowser, ScenarioReportRendersWithoutErrors) {
  check_scenario("tests/data/report_scenario.yaml", "report_demo");
}

// A small fixture trial (two arms, continuous, responder and time-to-event endpoints, bands):
// its report has box plots, rate panels, forest plots on linear and log axes and bands.
TEST_F(ReportBrowser, TrialReportRendersWithoutErrors) {
  const fs::path out = tmp_ / "trial";
  const Output run = shell("cd " + quoted(source_dir.string()) + " && " + quoted(GUTSKIN_CLI) +
                           " trial src/trial/testdata/skin_trial.yaml --out " +
                           quoted(out.string()) + " --patients 24 --threads 1 --quiet");
  ASSERT_EQ(run.code, 0) << run.text;
  const fs::path report = out / "report.html";
  ASSERT_TRUE(fs::exists(report));
  std::ifstream in(report);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(html.find("<svg"), std::string::npos) << "charts are drawn by uPlot, not inline SVG";
  for (const char* title : {"Mean difference", "Risk difference", "Risk ratio", "Odds ratio",
                            "score_w12", "score50", "clear", "Continuous endpoints per arm",
                            "Responder and event rates per arm", "NNT"})
    EXPECT_NE(html.find(title), std::string::npos) << title;
  check_in_browser(report, "trial_report");
}

// Sensitivity reports of the three methods: ranked bars with intervals (named rows), the
// convergence of the indices on a log axis, time courses of local sensitivities.
TEST_F(ReportBrowser, SensitivityReportsRenderWithoutErrors) {
  const std::vector<std::pair<std::string, std::string>> runs = {
      {"sobol", "tests/data/ishigami.yaml --method sobol --samples 64 --duration 1"},
      {"morris", "antibiotic_course --method morris --samples 3 --outputs 'shannon,max(crp_mg_l)'"},
      {"local", "antibiotic_course --method local --outputs shannon,easi --parameters k_abx_el,crp_base,k_recol"}};
  for (const auto& [method, args] : runs) {
    const fs::path out = tmp_ / method;
    const Output run = shell("cd " + quoted(source_dir.string()) + " && " + quoted(GUTSKIN_CLI) + " sensitivity " +
                             args + " --quiet --out " + quoted(out.string()));
    ASSERT_EQ(run.code, 0) << run.text;
    ASSERT_TRUE(fs::exists(out / "report.html"));
    check_in_browser(out / "report.html", "sensitivity_" + method);
  }
}

// Bifurcation diagrams: a branch with stable (solid) and unstable (dashed) stretches, its folds
// and the fold curve in two parameters with its cusp (Schlögl), and a Hopf point (Brusselator).
TEST_F(ReportBrowser, ContinuationReportsRenderWithoutErrors) {
  const std::vector<std::pair<std::string, std::string>> runs = {
      {"fold", "tests/data/schlogl.yaml --parameter k3 --from 5 --to 20 --second k4 --from2 10 --to2 20"},
      {"hopf", "tests/data/brusselator.yaml --parameter b --from 1 --to 3"}};
  for (const auto& [name, args] : runs) {
    const fs::path out = tmp_ / name;
    const Output run = shell("cd " + quoted(source_dir.string()) + " && " + quoted(GUTSKIN_CLI) + " continue " + args +
                             " --out " + quoted(out.string()));
    ASSERT_EQ(run.code, 0) << run.text;
    ASSERT_TRUE(fs::exists(out / "report.html"));
    check_in_browser(out / "report.html", "continuation_" + name);
  }
}

TEST_F(ReportBrowser, AtlasReportRendersWithoutErrors) {
  const fs::path out = tmp_ / "atlas";
  const Output run = shell("cd " + quoted(source_dir.string()) + " && " + quoted(GUTSKIN_CLI) +
                           " atlas low_glycaemic_diet_acne --input fibre=2:60 --patients 24 --quiet --out " +
                           quoted(out.string()));
  ASSERT_EQ(run.code, 0) << run.text;
  check_in_browser(out / "report.html", "atlas");
}

// What trial reports need: quantile bands, points, steps, a log axis, series on different x
// grids (aligned in the page), an open-ended window and a bolus line.
TEST_F(ReportBrowser, GenericPanelsRenderWithoutErrors) {
  using gutskin::ReportSeries;
  gutskin::Report r;
  r.title = "Generic panels";
  gutskin::ReportPanel bands;
  bands.title = "CRP by arm";
  bands.section = "Arms";
  bands.y_unit = "mg/L";
  for (int arm = 0; arm < 2; ++arm) {
    ReportSeries median;
    median.name = arm ? "probiotic median" : "placebo median";
    gutskin::ReportBand band;
    band.name = arm ? "probiotic 5-95%" : "placebo 5-95%";
    for (int d = 0; d <= 84; d += 7) {
      const double m = 3.0 - (arm ? 1.2 : 0.3) * d / 84.0;
      median.x.push_back(d);
      median.y.push_back(m);
      band.x.push_back(d);
      band.lower.push_back(m * 0.6);
      band.upper.push_back(m * 1.5);
    }
    bands.series.push_back(median);
    bands.bands.push_back(band);
  }
  bands.windows = {{.start = 0, .end = 84, .label = "treatment"}, {.start = 42, .end = 42, .label = "visit"}};
  r.panels.push_back(bands);

  gutskin::ReportPanel mixed;
  mixed.title = "Counts on a log axis";
  mixed.section = "Arms";
  mixed.x_label = "week";
  mixed.x_unit = "";
  mixed.y_unit = "CFU/g";
  mixed.y_log = true;
  ReportSeries pts{.name = "samples", .x = {1, 2, 4, 8}, .y = {1e8, 3e8, 2e9, 5e9},
                   .style = ReportSeries::Style::points};
  ReportSeries step{.name = "dose", .x = {0, 3, 6, 9}, .y = {1e7, 1e10, 1e10, 1e7},
                    .style = ReportSeries::Style::step, .color = "#444444", .dashed = true};
  mixed.series = {pts, step};
  mixed.windows = {{.start = 3, .end = std::numeric_limits<double>::infinity(), .label = "from week 3"}};
  r.panels.push_back(mixed);
  r.tables.push_back({.title = "Responders", .header = {"arm", "n", "%"},
                      .rows = {{"placebo", "50", "12%"}, {"probiotic", "50", "31%"}}});
  const fs::path report = tmp_ / "generic.html";
  gutskin::write_html_report(r, report);
  check_in_browser(report, "generic_panels");
}

}  // namespace

namespace {

// Every built-in scenario and trial runs from the CLI and its report opens in the browser
// without errors, every panel drawn.
std::vector<std::string> builtin_names(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& f : fs::directory_iterator(source_dir / folder))
    if (f.path().extension() == ".yaml") names.push_back(f.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class BuiltinScenarioReport : public ReportBrowser, public ::testing::WithParamInterface<std::string> {};

TEST_P(BuiltinScenarioReport, RunsAndItsReportOpens) {
  check_scenario(GetParam(), "scenario_" + GetParam());
}

INSTANTIATE_TEST_SUITE_P(Builtin, BuiltinScenarioReport, ::testing::ValuesIn(builtin_names("scenarios")),
                         [](const auto& info) { return info.param; });

class BuiltinTrialReport : public ReportBrowser, public ::testing::WithParamInterface<std::string> {};

TEST_P(BuiltinTrialReport, RunsAndItsReportOpens) {
  const fs::path out = tmp_ / GetParam();
  const Output run = shell("cd " + quoted(source_dir.string()) + " && " + quoted(GUTSKIN_CLI) + " trial " +
                           quoted(GetParam()) + " --out " + quoted(out.string()) + " --patients 20 --quiet");
  ASSERT_EQ(run.code, 0) << run.text;
  ASSERT_TRUE(fs::exists(out / "report.html"));
  check_in_browser(out / "report.html", "trial_" + GetParam());
}

INSTANTIATE_TEST_SUITE_P(Builtin, BuiltinTrialReport, ::testing::ValuesIn(builtin_names("trials")),
                         [](const auto& info) { return info.param; });

}  // namespace
