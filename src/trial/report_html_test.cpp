#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "gutskin/trial.hpp"
#include "trial/trial_files.hpp"

namespace gutskin::detail {
namespace {

TrialArm arm(const std::string& name, const std::string& description) {
  TrialArm a;
  a.name = name;
  a.description = description;
  return a;
}

ArmCounts counts(const std::string& name, const std::string& description, long long completed) {
  ArmCounts c;
  c.name = name;
  c.description = description;
  c.completed = completed;
  return c;
}

/// Two arms, a continuous endpoint (score) and a responder (score50) whose comparison is not
/// estimable, though its fields hold numbers: the report must treat it as summary.json does
/// (all null).
TrialResult small_result() {
  TrialResult r;
  r.trial.name = "demo_trial";
  r.trial.description = "A hand-made result";
  r.trial.duration = 84;
  r.trial.arms = {arm("placebo", "no treatment"), arm("treated", "the drug")};
  Endpoint score;
  score.name = "score";
  score.kind = EndpointKind::change;
  score.observable = "easi";
  score.at = 84;
  Endpoint responders;
  responders.name = "score50";
  responders.kind = EndpointKind::responder;
  responders.observable = "easi";
  responders.at = 84;
  responders.criterion.text = "reduction ≥ 50%";
  r.trial.endpoints = {score, responders};
  r.model_name = "gut_skin";
  r.patients = 10;
  r.seed = 7;
  r.summary.patients = 10;
  r.summary.patients_done = 10;
  r.summary.wall_seconds = 1.5;

  TrialStatisticsResult& st = r.statistics;
  st.reference = "placebo";
  st.confidence = 0.9;
  st.arms = {counts("placebo", "no treatment", 10), counts("treated", "the drug", 10)};
  st.simulations = 20;

  EndpointStatistics continuous;
  continuous.endpoint = &r.trial.endpoints[0];
  for (const char* name : {"placebo", "treated"}) {
    ArmEndpointStatistics a;
    a.arm = name;
    a.n = 10;
    a.mean = 1.23549999997;  // 1.2355 in summary.json: shown as 1.236 (directly: 1.235)
    a.sd = 0.5;
    a.median = 1.2;
    a.p05 = 0.1;
    a.q25 = 0.8;
    a.q75 = 1.6;
    a.p95 = 2.4;
    a.mean_ci.lo = 1.0;
    a.mean_ci.hi = 1.5;
    a.median_ci.lo = 0.9;
    a.median_ci.hi = 1.4;
    continuous.arms.push_back(a);
  }
  EndpointComparison difference;
  difference.arm = "treated";
  difference.vs = "placebo";
  difference.pairs = 10;
  difference.mean_difference = -0.75;
  difference.mean_difference_ci.lo = -1.25;
  difference.mean_difference_ci.hi = -0.25;
  continuous.comparisons.push_back(difference);

  EndpointStatistics binary;
  binary.endpoint = &r.trial.endpoints[1];
  binary.binary = true;
  for (const char* name : {"placebo", "treated"}) {
    ArmEndpointStatistics a;
    a.arm = name;
    a.n = 10;
    a.events = 3;
    a.rate = 0.3;
    a.rate_ci.lo = 0.1;
    a.rate_ci.hi = 0.6;
    binary.arms.push_back(a);
  }
  EndpointComparison not_estimable;
  not_estimable.arm = "treated";
  not_estimable.vs = "placebo";
  not_estimable.estimable = false;
  not_estimable.risk_difference = 0.25;
  not_estimable.risk_difference_ci.lo = 0.05;
  not_estimable.risk_difference_ci.hi = 0.45;
  not_estimable.risk_ratio = 1.75;
  not_estimable.odds_ratio = 2.5;
  not_estimable.nnt = 4;
  ConfidenceInterval nnt_ci;
  nnt_ci.lo = 2;
  nnt_ci.hi = 20;
  not_estimable.nnt_ci = nnt_ci;
  not_estimable.nnt_meaning = "to treat";
  binary.comparisons.push_back(not_estimable);

  st.endpoints.push_back(continuous);
  st.endpoints.push_back(binary);
  return r;
}

bool has(const std::string& html, const std::string& part) { return html.find(part) != std::string::npos; }

/// The table under the heading `title` (empty if there is none).
std::string table(const std::string& html, const std::string& title) {
  const std::size_t a = html.find("<h3>" + title + "</h3>");
  if (a == std::string::npos) return {};
  return html.substr(a, html.find("</table>", a) - a);
}

TEST(ReportHtml, TrialArmsNotesAndRun) {
  const std::string html = trial_report_html(small_result());
  EXPECT_TRUE(has(html, "<title>Trial demo_trial</title>"));
  EXPECT_TRUE(has(html, "<p class=\"subtitle\">A hand-made result</p>"));
  EXPECT_TRUE(has(html, "Model gut_skin, phenotype (model defaults), 10 virtual patients (seed 7), "
                        "84 days; paired: every virtual patient is simulated in every arm."));
  EXPECT_TRUE(has(html, "Effects are against placebo, with 90% CIs."));
  EXPECT_FALSE(has(html, "Run stopped"));
  EXPECT_TRUE(has(html, "<tr><td>placebo (reference)</td><td class=\"num\">10</td>"
                        "<td class=\"num\">0</td><td>no treatment</td></tr>"));
  EXPECT_TRUE(has(html, "<tr><td>treated</td><td class=\"num\">10</td>"
                        "<td class=\"num\">0</td><td>the drug</td></tr>"));
  EXPECT_TRUE(has(html, "<tr><td>Wall time</td><td>1.5 s</td></tr>"));
  EXPECT_TRUE(has(html, "<tr><td>Sampled parameters</td><td>none</td></tr>"));
}

TEST(ReportHtml, TrialContinuousEndpointAsRecorded) {
  const std::string html = trial_report_html(small_result());
  EXPECT_TRUE(has(html, "<h3>score</h3>"));
  EXPECT_TRUE(has(html, "change of easi at day 84."));
  EXPECT_TRUE(has(html, "<tr><td>score</td><td>treated vs placebo</td><td class=\"num\">10</td>"
                        "<td class=\"num\">-0.75</td><td>[-1.25, -0.25]</td></tr>"));
  // The mean as summary.json records it (10 digits), then shown with 4.
  EXPECT_TRUE(has(html, "<tr><td>score</td><td>placebo</td><td class=\"num\">10</td>"
                        "<td class=\"num\">1.236</td><td>[1, 1.5]</td><td class=\"num\">0.5</td>"));
  EXPECT_FALSE(has(html, ">1.235<"));
  EXPECT_TRUE(has(html, "<h3>Mean difference</h3>"));
}

TEST(ReportHtml, TrialNotEstimableComparisonIsNotANumber) {
  const std::string html = trial_report_html(small_result());
  const std::string effects = table(html, "Responders and events vs placebo");
  EXPECT_TRUE(has(effects, "<tr><td>score50</td><td>treated vs placebo</td><td>– pp</td><td>–</td>"
                           "<td>–</td><td>–</td><td>–</td><td>–</td><td>–</td>"
                           "<td>includes no effect</td><td>to treat</td></tr>"));
  for (const char* number : {"25", "1.75", "2.5", "4", "20"}) EXPECT_FALSE(has(effects, number)) << number;
  // Nothing to draw: no forest plots of the responder endpoint.
  for (const char* panel : {"<h3>Risk difference</h3>", "<h3>Risk ratio</h3>", "<h3>Odds ratio</h3>"})
    EXPECT_FALSE(has(html, panel)) << panel;
  // The arms' rates are still there.
  EXPECT_TRUE(has(html, "<tr><td>score50</td><td>treated</td><td class=\"num\">10</td>"
                        "<td class=\"num\">3</td><td class=\"num\">30.0%</td><td>[10, 60]</td>"
                        "<td>–</td><td>–</td></tr>"));
  EXPECT_TRUE(has(html, "responder of easi at day 84 — reduction ≥ 50%. Rate with its 90% CI."));
}

}  // namespace
}  // namespace gutskin::detail
