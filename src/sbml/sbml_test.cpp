// SBML import against analytic solutions, refusal messages, export → import round trips, and the
// SBML Test Suite with a recorded baseline of passing cases.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

#include "gutskin/formats.hpp"
#include "gutskin/sbml.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/simulate.hpp"
#include "sbml/sbml_import.hpp"

namespace gutskin {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("gutskin_sbml_test_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

fs::path write_file(const std::string& name, const std::string& text) {
  const fs::path p = temp_dir() / name;
  std::ofstream(p) << text;
  return p;
}

// An L3V2 document around `body` (the children of <model>).
std::string l3(const std::string& body, int version) {
  const std::string v = std::to_string(version);
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version)" + v + R"(/core" level="3" version=")" +
         v + R"(">
  <model id="m">
)" + body + R"(
  </model>
</sbml>
)";
}

std::string l3v2(const std::string& body) { return l3(body, 2); }

const char* kMathNs = R"(xmlns="http://www.w3.org/1998/Math/MathML")";

std::string math(const std::string& inner) {
  return std::string("<math ") + kMathNs + ">" + inner + "</math>";
}

SimulationResult run(const Model& model, double t_end, int steps) {
  Model m = model;
  validate(m);
  const CompiledModel cm{m};
  SimulateOptions o;
  for (int k = 0; k <= steps; ++k) o.output_times.push_back(t_end * k / steps);
  o.solver.rtol = 1e-10;
  o.solver.atol = 1e-12;
  o.solver.non_negative = false;
  return simulate(cm, default_parameters(cm.model()), default_schedule(cm.model()), o);
}

double at(const SimulationResult& r, std::size_t row, const std::string& col) {
  const int c = r.trajectory.column(col);
  EXPECT_GE(c, 0) << "no column " << col;
  return c < 0 ? NAN : r.trajectory.at(row, static_cast<std::size_t>(c));
}

// --- import vs analytic solutions ---------------------------------------------------------------

TEST(SbmlImport, ReactionInConcentrationsMatchesAnalytic) {
  // S1 -> S2 at rate k·S1·V (amount/time) in a compartment of volume 2: [S1] = [S1]0 e^{-kt}.
  const std::string body = R"(
    <listOfCompartments><compartment id="V" size="2" constant="true"/></listOfCompartments>
    <listOfSpecies>
      <species id="S1" compartment="V" initialAmount="3" hasOnlySubstanceUnits="false"
               boundaryCondition="false" constant="false"/>
      <species id="S2" compartment="V" initialConcentration="0" hasOnlySubstanceUnits="false"
               boundaryCondition="false" constant="false"/>
    </listOfSpecies>
    <listOfParameters><parameter id="k" value="0.5" constant="true"/></listOfParameters>
    <listOfReactions>
      <reaction id="R" reversible="false">
        <listOfReactants><speciesReference species="S1" stoichiometry="1" constant="true"/></listOfReactants>
        <listOfProducts><speciesReference species="S2" stoichiometry="2" constant="true"/></listOfProducts>
        <kineticLaw>)" + math("<apply><times/><ci>k</ci><ci>S1</ci><ci>V</ci></apply>") + R"(</kineticLaw>
      </reaction>
    </listOfReactions>)";
  const auto imp = detail::import_sbml(write_file("reaction.xml", l3v2(body)));
  const auto r = run(imp.model, 4.0, 8);
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i];
    const double c1 = 1.5 * std::exp(-0.5 * t);
    EXPECT_NEAR(at(r, i, "S1"), c1, 1e-8);
    EXPECT_NEAR(at(r, i, "S2"), 2 * (1.5 - c1), 1e-8);  // 2 per reaction, same volume
  }
  EXPECT_EQ(to_string(imp.symbols.at("S1").amount), "S1 * V");
  EXPECT_EQ(to_string(imp.symbols.at("R").value), "R");
}

TEST(SbmlImport, RulesInitialAssignmentsFunctionsAndLocalParameters) {
  // dp/dt = r (rate rule) with r = 2·f(time) an assignment rule, f(x) = x (function definition);
  // q has an initial assignment 3·p0; S is made at a local rate k=0.25 (shadowing global k).
  const std::string body = R"(
    <listOfFunctionDefinitions>
      <functionDefinition id="f">)" + math("<lambda><bvar><ci>x</ci></bvar><ci>x</ci></lambda>") + R"(</functionDefinition>
    </listOfFunctionDefinitions>
    <listOfCompartments><compartment id="C" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies>
      <species id="S" compartment="C" initialAmount="0" hasOnlySubstanceUnits="true"
               boundaryCondition="false" constant="false"/>
    </listOfSpecies>
    <listOfParameters>
      <parameter id="p" value="1" constant="false"/>
      <parameter id="r" constant="false"/>
      <parameter id="q" constant="true"/>
      <parameter id="k" value="100" constant="true"/>
    </listOfParameters>
    <listOfInitialAssignments>
      <initialAssignment symbol="q">)" + math("<apply><times/><cn>3</cn><ci>p</ci></apply>") + R"(</initialAssignment>
    </listOfInitialAssignments>
    <listOfRules>
      <rateRule variable="p">)" + math("<ci>r</ci>") + R"(</rateRule>
      <assignmentRule variable="r">)" + math(R"(<apply><times/><cn>2</cn><apply><ci>f</ci><csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol></apply></apply>)") + R"(</assignmentRule>
    </listOfRules>
    <listOfReactions>
      <reaction id="J" reversible="false">
        <listOfProducts><speciesReference species="S" stoichiometry="1" constant="true"/></listOfProducts>
        <kineticLaw>)" + math("<ci>k</ci>") + R"(
          <listOfLocalParameters><localParameter id="k" value="0.25"/></listOfLocalParameters>
        </kineticLaw>
      </reaction>
    </listOfReactions>)";
  const auto imp = detail::import_sbml(write_file("rules.xml", l3v2(body)));
  const auto r = run(imp.model, 2.0, 4);
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i];
    EXPECT_NEAR(at(r, i, "p"), 1 + t * t, 1e-8);
    EXPECT_NEAR(at(r, i, "r"), 2 * t, 1e-10);
    EXPECT_NEAR(at(r, i, "S"), 0.25 * t, 1e-8);
  }
  const Model& m = imp.model;
  ASSERT_GE(m.parameter_index("q"), 0);
  EXPECT_EQ(to_string(m.parameters[static_cast<std::size_t>(m.parameter_index("q"))].initial),
            "3 * 1");  // p's initial value substituted
  EXPECT_GE(m.parameter_index("J_k"), 0);  // local parameter renamed
}

TEST(SbmlImport, EventsAndPiecewise) {
  // x grows at piecewise(1, t < 1, 2); an event at time >= 1.5 sets x = 0 (delay 0.25).
  const std::string body = R"(
    <listOfParameters><parameter id="x" value="0" constant="false"/></listOfParameters>
    <listOfRules>
      <rateRule variable="x">)" + math(R"(<piecewise><piece><cn>1</cn><apply><lt/><csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol><cn>1</cn></apply></piece><otherwise><cn>2</cn></otherwise></piecewise>)") + R"(</rateRule>
    </listOfRules>
    <listOfEvents>
      <event id="reset" useValuesFromTriggerTime="true">
        <trigger initialValue="true" persistent="true">)" + math(R"(<apply><geq/><csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol><cn>1.5</cn></apply>)") + R"(</trigger>
        <delay>)" + math("<cn>0.25</cn>") + R"(</delay>
        <listOfEventAssignments>
          <eventAssignment variable="x">)" + math("<cn>0</cn>") + R"(</eventAssignment>
        </listOfEventAssignments>
      </event>
    </listOfEvents>)";
  const auto imp = detail::import_sbml(write_file("events.xml", l3v2(body)));
  ASSERT_EQ(imp.model.events.size(), 1u);
  EXPECT_TRUE(imp.model.events[0].delay);
  const auto r = run(imp.model, 2.5, 10);  // rows every 0.25
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  auto exact = [](double t) {
    if (t <= 1) return t;
    if (t < 1.75) return 1 + 2 * (t - 1);
    return 2 * (t - 1.75);
  };
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i];
    if (std::abs(t - 1.75) < 1e-9) continue;  // the instant of the jump
    EXPECT_NEAR(at(r, i, "x"), exact(t), 1e-7) << "t = " << t;
  }
}

TEST(SbmlImport, SpeciesInGrowingCompartmentKeepsItsAmount) {
  // dV/dt = 1 (rate rule); S has no reactions: its amount stays 2, its concentration is 2/V.
  const std::string body = R"(
    <listOfCompartments><compartment id="V" size="1" constant="false"/></listOfCompartments>
    <listOfSpecies>
      <species id="S" compartment="V" initialConcentration="2" hasOnlySubstanceUnits="false"
               boundaryCondition="false" constant="false"/>
    </listOfSpecies>
    <listOfRules><rateRule variable="V">)" + math("<cn>1</cn>") + R"(</rateRule></listOfRules>)";
  const auto imp = detail::import_sbml(write_file("volume.xml", l3v2(body)));
  const auto r = run(imp.model, 3.0, 3);
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    const double t = r.trajectory.times[i];
    EXPECT_NEAR(at(r, i, "S"), 2.0 / (1 + t), 1e-8);
  }
}

TEST(SbmlImport, ReservedIdsAreRenamed) {
  const std::string body = R"(
    <listOfParameters><parameter id="t" value="2" constant="true"/>
      <parameter id="y" value="0" constant="false"/></listOfParameters>
    <listOfRules><rateRule variable="y">)" + math("<ci>t</ci>") + R"(</rateRule></listOfRules>)";
  const auto imp = detail::import_sbml(write_file("reserved.xml", l3v2(body)));
  EXPECT_EQ(imp.symbols.at("t").ir_name, "t_");
  const auto r = run(imp.model, 1.0, 1);
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  EXPECT_NEAR(at(r, 1, "y"), 2.0, 1e-9);
}

// --- time units -------------------------------------------------------------------------------

// A one-state L3V2 model whose <model> element carries `model_attrs`.
Model timed_model(const std::string& file, const std::string& model_attrs,
                  const std::string& unit_definitions = "") {
  std::string doc = l3v2(unit_definitions + R"(
    <listOfParameters><parameter id="x" value="1" constant="false"/></listOfParameters>
    <listOfRules><rateRule variable="x">)" + math("<cn>1</cn>") + R"(</rateRule></listOfRules>)");
  doc.replace(doc.find(R"(<model id="m">)"), 14, "<model id=\"m\" " + model_attrs + ">");
  return detail::import_sbml(write_file(file, doc)).model;
}

TEST(SbmlImport, TimeUnitIsTheModelsAndHeadsTheCsv) {
  const std::string hours = R"(<listOfUnitDefinitions><unitDefinition id="hour_def"><listOfUnits>
      <unit kind="second" exponent="1" scale="0" multiplier="3600"/></listOfUnits></unitDefinition>
      <unitDefinition id="fortnight"><listOfUnits>
      <unit kind="second" exponent="1" scale="0" multiplier="1209600"/>
      </listOfUnits></unitDefinition>
      </listOfUnitDefinitions>)";
  EXPECT_EQ(timed_model("t_s.xml", R"(timeUnits="second")").time_unit.text, "s");
  EXPECT_EQ(timed_model("t_h.xml", R"(timeUnits="hour_def")", hours).time_unit.text, "h");
  const Model fortnights = timed_model("t_f.xml", R"(timeUnits="fortnight")", hours);
  EXPECT_EQ(fortnights.time_unit.text, "fortnight");
  EXPECT_DOUBLE_EQ(fortnights.time_unit.factor, 14.0);  // in days
  const Model none = timed_model("t_none.xml", "");
  EXPECT_EQ(none.time_unit.text, "");

  const auto r = run(timed_model("t_h2.xml", R"(timeUnits="hour_def")", hours), 1.0, 1);
  std::ostringstream csv;
  write_trajectory_csv(r.trajectory, csv);
  EXPECT_EQ(csv.str().substr(0, csv.str().find('\n')), "time [h],x");
  std::ostringstream bare;
  write_trajectory_csv(run(none, 1.0, 1).trajectory, bare);
  EXPECT_EQ(bare.str().substr(0, bare.str().find('\n')), "time,x");
}

TEST(SbmlImport, ScenarioTimesInDaysAreRefusedForAModelInSeconds) {
  Scenario sc;
  sc.where = SourceLoc{.file = "study.yaml", .line = 1, .column = 1};
  try {
    check_scenario(sc, timed_model("t_sec.xml", R"(timeUnits="second")"));
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].str(),
              "study.yaml:1:1: error: model 'm' runs in time unit 's', but scenario and trial "
              "times are in days; only models whose time unit is the day (or undeclared) can "
              "run them");
  }
  EXPECT_NO_THROW(check_scenario(sc, timed_model("t_undeclared.xml", "")));
}

// --- refusals -----------------------------------------------------------------------------------

std::vector<Diagnostic> refusal(const std::string& file, const std::string& body,
                                int version = 2, bool expect_error = true) {
  try {
    detail::import_sbml(write_file(file, l3(body, version)));
  } catch (const InputError& e) {
    return e.diagnostics();
  }
  if (expect_error) ADD_FAILURE() << "no error for " << file;
  return {};
}

TEST(SbmlImport, AlgebraicRuleLinearInOneVariableBecomesAnAssignment) {
  // 0 = 2·y + x − 4 with dx/dt = 1: y = (4 − x)/2.
  const std::string body = R"(
    <listOfParameters><parameter id="x" value="0" constant="false"/>
      <parameter id="y" value="0" constant="false"/></listOfParameters>
    <listOfRules>
      <rateRule variable="x">)" + math("<cn>1</cn>") + R"(</rateRule>
      <algebraicRule>)" + math("<apply><plus/><apply><times/><cn>2</cn><ci>y</ci></apply><ci>x</ci><cn>-4</cn></apply>") + R"(</algebraicRule>
    </listOfRules>)";
  const auto imp = detail::import_sbml(write_file("algebraic_ok.xml", l3v2(body)));
  const auto r = run(imp.model, 2.0, 2);
  ASSERT_TRUE(r.summary.ok()) << r.summary.message;
  for (std::size_t i = 0; i < r.trajectory.times.size(); ++i) {
    EXPECT_NEAR(at(r, i, "y"), (4 - r.trajectory.times[i]) / 2, 1e-9);
  }
}

TEST(SbmlImport, RefusesAlgebraicRulesItCannotSolveWithLine) {
  const auto d = refusal("algebraic.xml", R"(
    <listOfParameters><parameter id="x" value="1" constant="false"/></listOfParameters>
    <listOfRules>
      <algebraicRule>)" + math("<apply><minus/><apply><times/><ci>x</ci><ci>x</ci></apply><cn>1</cn></apply>") + R"(</algebraicRule>
    </listOfRules>)");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message,
            "algebraic rule: algebraic rule is not linear in 'x'; algebraic rules are not "
            "supported beyond that (gutskin integrates ODEs, not DAEs)");
  EXPECT_EQ(d[0].where.line, 7);
  EXPECT_EQ(fs::path(d[0].where.file).filename(), "algebraic.xml");
}

TEST(SbmlImport, RefusesFastReactions) {
  const auto d = refusal("unsupported.xml", R"(
    <listOfCompartments><compartment id="C" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies>
      <species id="S" compartment="C" initialAmount="1" hasOnlySubstanceUnits="true"
               boundaryCondition="false" constant="false"/>
    </listOfSpecies>
    <listOfReactions>
      <reaction id="J" reversible="false" fast="true">
        <listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
        <kineticLaw>)" + math("<apply><times/><cn>2</cn><ci>S</ci></apply>") + R"(</kineticLaw>
      </reaction>
    </listOfReactions>)", 1);  // L3V1: the last version with fast reactions
  std::vector<std::string> messages;
  for (const auto& x : d) messages.push_back(x.message);
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "reaction 'J': fast reactions are not supported"}));
  for (const auto& x : d) EXPECT_GT(x.where.line, 0) << x.message;
}

// A species in a compartment that does not exist (or with a conversion factor that does not)
// and changed by a reaction ended with "error: map::at" (a std::out_of_range, exit 1).
TEST(SbmlImport, RefusesUndefinedCompartmentAndConversionFactorOfASpecies) {
  const std::string reaction = R"(
    <listOfReactions>
      <reaction id="J" reversible="false">
        <listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
        <kineticLaw>)" + math("<apply><times/><cn>2</cn><ci>S</ci></apply>") + R"(</kineticLaw>
      </reaction>
    </listOfReactions>)";
  auto lines = [](const std::vector<Diagnostic>& d) {
    std::vector<std::string> out;
    for (const auto& x : d) out.push_back(x.where.str().substr(x.where.str().rfind('/') + 1) + ": " + x.message);
    return out;
  };
  EXPECT_EQ(lines(refusal("no_compartment.xml", R"(
    <listOfCompartments><compartment id="C" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies>
      <species id="S" compartment="nowhere" initialAmount="1" hasOnlySubstanceUnits="true"
               boundaryCondition="false" constant="false"/>
    </listOfSpecies>)" + reaction)),
            std::vector<std::string>{
                "no_compartment.xml:8:58: species 'S': compartment 'nowhere' does not exist"});
  EXPECT_EQ(lines(refusal("no_conversion_factor.xml", R"(
    <listOfCompartments><compartment id="C" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies>
      <species id="S" compartment="C" initialAmount="1" hasOnlySubstanceUnits="true"
               boundaryCondition="false" constant="false" conversionFactor="nothing"/>
    </listOfSpecies>)" + reaction)),
            std::vector<std::string>{
                "no_conversion_factor.xml:8:85: species 'S': conversion factor 'nothing' does not "
                "exist"});
}

// Deep MathML overflowed the stack inside libSBML's reader; long n-ary operators, function
// bodies inlined into each other and chains of initial assignments built expressions deep enough
// to overflow every later walk over them (issue 18). All are located refusals now.
TEST(SbmlImport, RefusesMathNestedTooDeeply) {
  auto lines = [](const std::vector<Diagnostic>& d) {
    std::vector<std::string> out;
    for (const auto& x : d)
      out.push_back(x.where.str().substr(x.where.str().rfind('/') + 1) + ": " + x.message);
    return out;
  };
  auto rate_rule = [](const std::string& m) {
    return R"(
    <listOfParameters><parameter id="k" value="1" constant="false"/></listOfParameters>
    <listOfRules><rateRule variable="k">)" + math(m) + R"(</rateRule></listOfRules>)";
  };
  auto nest = [](const std::string& open, const std::string& close, int n, const std::string& inner) {
    std::string s;
    for (int i = 0; i < n; ++i) s += open;
    s += inner;
    for (int i = 0; i < n; ++i) s += close;
    return s;
  };
  const std::string minus = "<apply><minus/>", end = "</apply>";
  EXPECT_EQ(lines(refusal("deep_math.xml", rate_rule(nest(minus, end, 1000, "<ci>k</ci>")))),
            std::vector<std::string>{
                "deep_math.xml:6:40: rate rule for 'k': math nested too deeply (more than 1000 levels)"});
  EXPECT_EQ(lines(refusal("ok_math.xml", rate_rule(nest(minus, end, 999, "<ci>k</ci>")), 2, false)),
            std::vector<std::string>{});
  EXPECT_EQ(lines(refusal("deep_xml.xml", rate_rule(nest(minus, end, 100000, "<ci>k</ci>")))),
            std::vector<std::string>{
                "deep_xml.xml:6:30015: XML nested too deeply (more than 2000 levels of elements)"});
  EXPECT_EQ(lines(refusal("long_plus.xml", rate_rule("<apply><plus/>" + nest("<ci>k</ci>", "", 100000, "") + end))),
            std::vector<std::string>{
                "long_plus.xml:6:40: rate rule for 'k': math nested too deeply (more than 1000 levels)"});

  // f(x) = x + ... + x (600 terms) is fine; f(f(k)) inlines to a depth of about 1200.
  const std::string f = R"(
    <listOfFunctionDefinitions><functionDefinition id="f">)" +
                        math("<lambda><bvar><ci>x</ci></bvar><apply><plus/>" +
                             nest("<ci>x</ci>", "", 600, "") + "</apply></lambda>") +
                        R"(</functionDefinition></listOfFunctionDefinitions>)";
  EXPECT_EQ(lines(refusal("inlined.xml", f + rate_rule("<apply><ci>f</ci><apply><ci>f</ci><ci>k</ci></apply></apply>"))),
            std::vector<std::string>{
                "inlined.xml:7:40: rate rule for 'k': math nested too deeply (more than 1000 levels)"});

  // p1 = p0 + 1, p2 = p1 + 1, ...: each initial value inlines all before it.
  std::string params = "<listOfParameters>", assignments = "<listOfInitialAssignments>";
  for (int i = 0; i <= 1200; ++i) {
    params += "<parameter id=\"p" + std::to_string(i) + "\" value=\"1\" constant=\"true\"/>";
    if (i > 0)
      assignments += "<initialAssignment symbol=\"p" + std::to_string(i) + "\">" +
                     math("<apply><plus/><ci>p" + std::to_string(i - 1) + "</ci><cn>1</cn></apply>") +
                     "</initialAssignment>";
  }
  EXPECT_EQ(lines(refusal("chain.xml", params + "</listOfParameters>" + assignments + "</listOfInitialAssignments>")),
            std::vector<std::string>{
                "chain.xml: initial value of 'p1000' nested too deeply once the values it depends "
                "on are inlined (more than 1000 levels)"});
}

TEST(SbmlImport, InvalidXmlIsReportedWithItsLine) {
  const fs::path p = write_file("broken.xml", "<?xml version=\"1.0\"?>\n<sbml>\n<model\n");
  try {
    detail::import_sbml(p);
    FAIL() << "no error";
  } catch (const InputError& e) {
    ASSERT_FALSE(e.diagnostics().empty());
    EXPECT_EQ(e.diagnostics()[0].where.file, p.string());
    EXPECT_NE(e.diagnostics()[0].message.find("invalid SBML"), std::string::npos);
  }
}

// --- export → import round trip -----------------------------------------------------------------

Model small_model() {
  Model m;
  m.name = "round trip";
  m.inputs.push_back({.name = "fibre", .unit = parse_unit("g/day"), .default_value = 2.0});
  Parameter k{.name = "k", .value = 0.3, .unit = parse_unit("1/day"), .lower = 0.0, .upper = 1.0};
  k.source = "assumed: test";
  m.parameters.push_back(k);
  m.parameters.push_back({.name = "K", .value = 1.5});
  Parameter dose{.name = "dose", .value = 0.0};
  dose.initial = parse_expression("2 * K");
  m.parameters.push_back(dose);
  m.states.push_back({.name = "A", .initial = parse_expression("dose"), .non_negative = true});
  m.states.push_back({.name = "B", .initial = parse_expression("0")});
  m.states.push_back({.name = "z", .initial = parse_expression("1"), .non_negative = false});
  m.variables.push_back({.name = "flux", .expr = parse_expression("k * A / (K + A)")});
  m.reactions.push_back({.name = "conv", .rate = parse_expression("flux"),
                         .reactants = {{"A", 1.0}}, .products = {{"B", 2.0}}});
  m.equations.push_back(
      {.state = "z", .rate = parse_expression("piecewise(fibre, time < 2, -z) + log10(1 + B)")});
  m.observables.push_back({.name = "total", .expr = parse_expression("A + B / 2")});
  Event e{.name = "boost"};
  e.trigger = parse_expression("time >= 3");
  e.assignments.push_back({.target = "A", .value = parse_expression("A + 1")});
  m.events.push_back(e);
  return m;
}

TEST(SbmlExport, RoundTripGivesSameTrajectories) {
  const Model original = small_model();
  const fs::path file = temp_dir() / "roundtrip.xml";
  const SbmlExportSummary s = export_sbml(original, file);
  EXPECT_TRUE(s.ok()) << s.brief() << (s.problems.empty() ? "" : "\n" + s.problems[0]);
  EXPECT_EQ(s.n_warnings, 0) << (s.problems.empty() ? "" : s.problems[0]);

  const auto imp = detail::import_sbml(file);
  const Model& back = imp.model;
  // Kinds, units and sources travel in annotations.
  ASSERT_EQ(back.inputs.size(), 1u);
  EXPECT_EQ(back.inputs[0].name, "fibre");
  EXPECT_EQ(back.inputs[0].unit.text, original.inputs[0].unit.text);
  const int k = back.parameter_index("k");
  ASSERT_GE(k, 0);
  EXPECT_EQ(back.parameters[static_cast<std::size_t>(k)].source, "assumed: test");
  EXPECT_EQ(back.parameters[static_cast<std::size_t>(k)].upper, std::optional<double>(1.0));
  EXPECT_EQ(back.parameters[static_cast<std::size_t>(k)].unit.text, "1/day");
  EXPECT_GE(back.observable_index("total"), 0);

  const auto r0 = run(original, 6.0, 24);
  const auto r1 = run(back, 6.0, 24);
  ASSERT_TRUE(r0.summary.ok()) << r0.summary.message;
  ASSERT_TRUE(r1.summary.ok()) << r1.summary.message;
  for (const std::string col : {"A", "B", "z", "flux", "total"}) {
    for (std::size_t i = 0; i < r0.trajectory.times.size(); ++i) {
      const double a = at(r0, i, col), b = at(r1, i, col);
      EXPECT_NEAR(a, b, 1e-7 * std::abs(a) + 1e-9) << col << " at t = " << r0.trajectory.times[i];
    }
  }
}

TEST(SbmlExport, BuiltinModelExportsCleanlyAndRoundTrips) {
  const fs::path model_dir = fs::path(GUTSKIN_SOURCE_DIR) / "models" / "gut_skin";
  if (!fs::exists(model_dir)) GTEST_SKIP() << "no built-in model at " << model_dir;
  const Model original = load_model(model_dir);
  const fs::path file = temp_dir() / "gut_skin.xml";
  const SbmlExportSummary s = export_sbml(original, file);
  EXPECT_TRUE(s.ok()) << (s.problems.empty() ? "" : s.problems[0]);
  const Model back = load_model(file);
  EXPECT_EQ(back.time_unit.text, "day");
  ASSERT_EQ(back.phenotypes.size(), original.phenotypes.size());
  for (std::size_t i = 0; i < back.phenotypes.size(); ++i) {
    EXPECT_EQ(back.phenotypes[i].name, original.phenotypes[i].name);
    EXPECT_EQ(back.phenotypes[i].values, original.phenotypes[i].values);
    EXPECT_EQ(back.phenotypes[i].spreads, original.phenotypes[i].spreads);
  }
  for (const Parameter& p : original.parameters) {
    const int j = back.parameter_index(p.name);
    ASSERT_GE(j, 0) << p.name;
    EXPECT_EQ(back.parameters[static_cast<std::size_t>(j)].source, p.source) << p.name;
    EXPECT_EQ(back.parameters[static_cast<std::size_t>(j)].unit.text, p.unit.text) << p.name;
  }
  const auto r0 = run(original, 30.0, 30);
  const auto r1 = run(back, 30.0, 30);
  ASSERT_TRUE(r0.summary.ok()) << r0.summary.message;
  ASSERT_TRUE(r1.summary.ok()) << r1.summary.message;
  for (const State& st : original.states) {
    for (std::size_t i = 0; i < r0.trajectory.times.size(); ++i) {
      const double a = at(r0, i, st.name), b = at(r1, i, st.name);
      EXPECT_NEAR(a, b, 1e-6 * std::abs(a) + 1e-9) << st.name << " at row " << i;
    }
  }
}

// --- the SBML Test Suite ------------------------------------------------------------------------

TEST(SbmlSuite, CaseListParsing) {
  EXPECT_EQ(parse_case_list("3-5, 1,4"), (std::vector<int>{1, 3, 4, 5}));
  EXPECT_THROW(parse_case_list("5-3"), InputError);
  EXPECT_THROW(parse_case_list("a"), InputError);
}

// A comp case whose submodels live in other files (externalModelDefinition): libSBML resolves
// them against the document's location, so a relative cases folder must work as an absolute one.
TEST(SbmlSuite, CompExternalModelsLoadFromRelativeAndAbsoluteFolders) {
  const fs::path cases =
      fs::weakly_canonical(fs::path(GUTSKIN_SHARED_DIR) / "data" / "sbml-test-suite" / "cases");
  if (!fs::is_directory(cases)) GTEST_SKIP() << "SBML Test Suite not found at " << cases;
  const fs::path relative = fs::relative(cases, fs::current_path());
  ASSERT_FALSE(relative.empty());
  ASSERT_TRUE(relative.is_relative()) << relative;
  for (int number : {1167, 1471}) {  // two comp:ExternalModelDefinition cases
    SbmlSuiteOptions absolute_options;
    absolute_options.cases_dir = cases;
    SbmlSuiteOptions relative_options;
    relative_options.cases_dir = relative;
    const SbmlCaseResult a = run_sbml_case(absolute_options, number);
    const SbmlCaseResult r = run_sbml_case(relative_options, number);
    EXPECT_EQ(a.outcome, SbmlCaseOutcome::pass) << number << ": " << a.reason;
    EXPECT_EQ(r.outcome, a.outcome) << number << " from " << relative << ": " << r.reason;
    EXPECT_EQ(r.sbml_file, a.sbml_file);
  }
}

void check_suite_against_baseline(bool round_trip) {
  const fs::path cases = fs::path(GUTSKIN_SHARED_DIR) / "data" / "sbml-test-suite" / "cases";
  if (!fs::is_directory(cases)) GTEST_SKIP() << "SBML Test Suite not found at " << cases;
  const fs::path baseline_file =
      fs::path(GUTSKIN_SOURCE_DIR) / "src" / "sbml" / "testdata" / "passing_cases.txt";
  std::set<int> baseline;
  {
    std::ifstream in(baseline_file);
    ASSERT_TRUE(in) << "cannot read " << baseline_file;
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line[0] != '#') baseline.insert(std::stoi(line));
    }
  }
  SbmlSuiteOptions opt;
  opt.cases_dir = cases;
  opt.round_trip = round_trip;
  const SbmlSuiteSummary s = run_sbml_suite(opt);
  std::set<int> passing;
  for (const SbmlCaseResult& r : s.results) {
    if (r.outcome == SbmlCaseOutcome::pass) passing.insert(r.number);
  }
  for (const SbmlCaseResult& r : s.results) {
    if (baseline.count(r.number) && r.outcome != SbmlCaseOutcome::pass) {
      ADD_FAILURE() << "case " << r.number << " passed before and now is " << to_string(r.outcome)
                    << ": " << r.reason;
    }
  }
  EXPECT_GE(passing.size(), baseline.size()) << s.brief();
  std::cout << s.brief() << "\n";
  int newly = 0;
  for (int c : passing) newly += baseline.count(c) ? 0 : 1;
  if (newly > 0) {
    std::cout << newly << " cases pass that are not in the baseline: add them to "
              << baseline_file << "\n";
  }
}

TEST(SbmlSuite, PassingCasesKeepPassing) { check_suite_against_baseline(false); }

// Every case is imported, exported to SBML L3V2, imported again, then run: export keeps
// trajectories (and libSBML's consistency checks) on ~1,100 models.
TEST(SbmlSuite, PassingCasesKeepPassingAfterExportRoundTrip) { check_suite_against_baseline(true); }

}  // namespace
}  // namespace gutskin
