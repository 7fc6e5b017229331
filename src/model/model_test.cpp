// Tests of the YAML model reader and `validate`: the exact text of every error, and a good model
// spread over several module files.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "expr/depth.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/model.hpp"

#ifndef GUTSKIN_SOURCE_DIR
#define GUTSKIN_SOURCE_DIR "."
#endif

namespace gutskin {
namespace {

const std::string kDir = GUTSKIN_SOURCE_DIR "/src/model/testdata/";

std::vector<std::string> errors_of(const std::string& file) {
  try {
    load_model(kDir + file);
  } catch (const InputError& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics()) out.push_back(d.str());
    return out;
  }
  return {"(no error)"};
}

// "file:line:column: error: message" with the fixture path as it was passed.
std::string at(const std::string& file, int line, int column, const std::string& message) {
  return kDir + file + ":" + std::to_string(line) + ":" + std::to_string(column) +
         ": error: " + message;
}

using Lines = std::vector<std::string>;

double eval(const Expr& e, const std::map<std::string, double>& values) {
  return evaluate(e, [&](const std::string& name) { return values.at(name); });
}

// ---- a good model in four files ----------------------------------------------------------------

TEST(LoadModel, ReadsAModelSpreadOverModules) {
  const Model m = load_model(kDir + "good");  // a folder: its model.yaml
  EXPECT_EQ(m.name, "gut_skin_mini");
  EXPECT_EQ(m.description, "A small gut-skin model split over modules");
  ASSERT_EQ(m.files.size(), 4u);
  EXPECT_EQ(m.files[0].generic_string(), kDir + "good/model.yaml");
  EXPECT_EQ(m.files[1].generic_string(), kDir + "good/inputs.yaml");
  EXPECT_EQ(m.files[2].generic_string(), kDir + "good/microbiome.yaml");
  EXPECT_EQ(m.files[3].generic_string(), kDir + "good/skin/model.yaml");

  ASSERT_EQ(m.inputs.size(), 2u);
  const Input& fibre = m.inputs[m.input_index("fibre")];
  EXPECT_EQ(fibre.unit.text, "g/day");
  EXPECT_DOUBLE_EQ(fibre.default_value, 20.0);
  EXPECT_EQ(fibre.description, "Dietary fibre intake");
  EXPECT_EQ(fibre.where.str(), kDir + "good/inputs.yaml:2:3");
  EXPECT_TRUE(m.inputs[m.input_index("stress")].unit.dimensionless());

  ASSERT_EQ(m.parameters.size(), 4u);
  const Parameter& r = m.parameters[m.parameter_index("r_bp")];
  EXPECT_DOUBLE_EQ(r.value, 0.6);
  EXPECT_EQ(r.unit.text, "1/day");
  EXPECT_EQ(r.lower, 0.2);
  EXPECT_EQ(r.upper, 0.9);
  EXPECT_DOUBLE_EQ(r.spread, 0.25);
  EXPECT_EQ(r.source, "Stein 2013 (CAL-03)");
  EXPECT_EQ(r.description, "Growth rate of butyrate producers");
  EXPECT_EQ(r.where.str(), kDir + "good/microbiome.yaml:4:3");
  EXPECT_EQ(m.parameters[m.parameter_index("k_crp")].where.str(), kDir + "good/model.yaml:6:3");
  EXPECT_FALSE(m.parameters[m.parameter_index("K_fibre")].lower.has_value());

  ASSERT_EQ(m.states.size(), 4u);
  const State& pool = m.states[m.state_index("fibre_pool")];
  EXPECT_DOUBLE_EQ(eval(pool.initial, {{"K_fibre", 10.0}}), 5.0);
  EXPECT_EQ(pool.unit.text, "g");
  EXPECT_TRUE(pool.non_negative);
  EXPECT_DOUBLE_EQ(eval(m.states[m.state_index("butyrate")].initial, {}), 0.0);
  const State& infl = m.states[m.state_index("inflammation")];
  EXPECT_FALSE(infl.non_negative);
  EXPECT_EQ(infl.where.str(), kDir + "good/skin/model.yaml:2:3");

  // Variables come out ordered: each after what it uses, otherwise as written.
  ASSERT_EQ(m.variables.size(), 3u);
  EXPECT_EQ(m.variables[0].name, "fibre_effect");
  EXPECT_EQ(m.variables[1].name, "gain");
  EXPECT_EQ(m.variables[2].name, "total");
  EXPECT_EQ(m.variable_index("total"), 2);
  EXPECT_EQ(m.variables[0].description, "saturating");

  ASSERT_EQ(m.observables.size(), 1u);
  EXPECT_EQ(m.observables[0].unit.text, "mg/L");
  EXPECT_EQ(m.observable_index("crp"), 0);

  ASSERT_EQ(m.events.size(), 1u);
  const Event& flare = m.events[0];
  EXPECT_EQ(flare.name, "flare");
  EXPECT_FALSE(flare.persistent);
  EXPECT_TRUE(flare.use_values_from_trigger_time);
  EXPECT_TRUE(flare.initial_value);
  ASSERT_TRUE(flare.delay);
  EXPECT_FALSE(flare.priority);
  ASSERT_EQ(flare.assignments.size(), 1u);
  EXPECT_EQ(flare.assignments[0].target, "inflammation");
  EXPECT_DOUBLE_EQ(eval(flare.assignments[0].value, {{"inflammation", 3.0}}), 1.5);
  EXPECT_DOUBLE_EQ(eval(flare.trigger, {{"inflammation", 3.0}}), 1.0);

  const Phenotype* p = m.phenotype("high_growth");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->description, "fast growers");
  EXPECT_DOUBLE_EQ(p->values.at("r_bp"), 0.8);
  EXPECT_DOUBLE_EQ(p->spreads.at("r_bp"), 0.1);
  EXPECT_EQ(m.phenotype("nobody"), nullptr);
  EXPECT_EQ(m.state_index("nobody"), -1);
}

TEST(LoadModel, StateRatesFromEquationsAndReactions) {
  const Model m = load_model(kDir + "good/model.yaml");
  const std::map<std::string, double> v = {
      {"r_bp", 0.6},  {"fibre_effect", 0.5}, {"butyrate_producers", 0.3}, {"total", 0.4},
      {"k_f", 0.1},   {"fibre_pool", 2.0},   {"butyrate", 1.5},           {"stress", 1.0},
      {"inflammation", 2.0}, {"time", 3.0}};
  EXPECT_DOUBLE_EQ(eval(m.state_rate(m.state_index("butyrate_producers")), v),
                   0.6 * 0.5 * 0.3 * (1 - 0.4));
  const double ferment = 0.1 * 2.0 * 0.3;
  EXPECT_DOUBLE_EQ(eval(m.state_rate(m.state_index("fibre_pool")), v), -ferment);
  EXPECT_DOUBLE_EQ(eval(m.state_rate(m.state_index("butyrate")), v), 0.3 * ferment - 0.2 * 1.5);
  EXPECT_DOUBLE_EQ(eval(m.state_rate(m.state_index("inflammation")), v), 1.0 - 0.3 * 2.0);
}

// A state changed by 100000 reactions got a rate 100000 levels deep (a left-to-right sum), and
// differentiating or compiling it overflowed the stack (issue 18). Beyond 64 terms the sum is
// balanced; up to 64 it stays left to right, so existing models compute exactly as before.
TEST(Model, StateRateOfManyReactionsIsABalancedSum) {
  Model m;
  m.states.push_back({.name = "x", .initial = constant(0.0)});
  auto with_reactions = [&](int n) {
    m.reactions.clear();
    for (int i = 0; i < n; ++i)
      m.reactions.push_back({.name = "r" + std::to_string(i), .rate = symbol("k"),
                             .reactants = i % 2 ? std::vector<std::pair<std::string, double>>{{"x", 1.0}}
                                                : std::vector<std::pair<std::string, double>>{},
                             .products = {{"x", 3.0}}});
    return m.state_rate(0);
  };
  const Expr few = with_reactions(32);  // 32 products, 16 reactants: 48 terms
  EXPECT_EQ(detail::expression_depth(few), 49);
  EXPECT_DOUBLE_EQ(eval(few, {{"k", 1.0}}), 32 * 3.0 - 16);
  const Expr many = with_reactions(100000);
  EXPECT_LE(detail::expression_depth(many), 22);
  EXPECT_DOUBLE_EQ(eval(many, {{"k", 1.0}}), 100000 * 3.0 - 50000);
  EXPECT_DOUBLE_EQ(eval(differentiate(many, "k"), {{"k", 1.0}}), 100000 * 3.0 - 50000);
}

TEST(Model, StateRateIsZeroWithoutEquationOrReaction) {
  Model m;
  for (const char* name : {"x", "y"}) {
    State s;
    s.name = name;
    s.initial = constant(0.0);
    m.states.push_back(s);
  }
  Reaction r;
  r.name = "conv";
  r.rate = symbol("x");
  r.reactants = {{"x", 2.0}};
  r.products = {{"x", 0.5}};  // net -1.5 x
  m.reactions.push_back(r);
  EXPECT_DOUBLE_EQ(eval(m.state_rate(1), {}), 0.0);
  EXPECT_DOUBLE_EQ(eval(m.state_rate(0), {{"x", 2.0}}), -3.0);
  EXPECT_THROW(m.state_rate(2), std::out_of_range);
}

TEST(Validate, OrdersVariablesStably) {
  Model m;
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"d", "c + a"}, {"a", "1"}, {"b", "2"}, {"c", "b * time"}}) {
    Variable v;
    v.name = name;
    v.expr = parse_expression(text);
    m.variables.push_back(v);
  }
  validate(m);
  std::vector<std::string> order;
  for (const auto& v : m.variables) order.push_back(v.name);
  EXPECT_EQ(order, (Lines{"a", "b", "c", "d"}));
  validate(m);  // idempotent
  EXPECT_EQ(m.variables[3].name, "d");
}

// ---- one fixture per kind of error ------------------------------------------------------------

TEST(ModelErrors, MalformedYaml) {
  EXPECT_EQ(errors_of("malformed.yaml"),
            Lines{at("malformed.yaml", 3, 1, "malformed YAML: end of map flow not found")});
}

TEST(ModelErrors, UnknownSection) {
  EXPECT_EQ(errors_of("unknown_section.yaml"),
            Lines{at("unknown_section.yaml", 1, 1,
                     "unknown section 'paramters' (did you mean 'parameters'?)")});
}

TEST(ModelErrors, UnknownKey) {
  EXPECT_EQ(errors_of("unknown_key.yaml"),
            Lines{at("unknown_key.yaml", 3, 5,
                     "unknown key 'vale' in parameter 'k' (did you mean 'value'?)")});
}

TEST(ModelErrors, MissingSourceAndValue) {
  EXPECT_EQ(errors_of("missing_fields.yaml"),
            (Lines{at("missing_fields.yaml", 2, 3, "missing 'source' for parameter 'k'"),
                   at("missing_fields.yaml", 3, 3, "missing 'value' for parameter 'm'")}));
}

TEST(ModelErrors, ExpectedANumber) {
  EXPECT_EQ(errors_of("not_a_number.yaml"),
            Lines{at("not_a_number.yaml", 2, 14,
                     "expected a number for 'value' of parameter 'k', got 'abc'")});
}

TEST(ModelErrors, UndefinedName) {
  EXPECT_EQ(errors_of("undefined_name.yaml"),
            (Lines{at("undefined_name.yaml", 6, 3,
                      "undefined name 'ferment_k' (did you mean 'ferment_K'?)"),
                   at("undefined_name.yaml", 6, 3, "undefined name 'zzz'")}));
}

TEST(ModelErrors, DuplicateNameAcrossModules) {
  EXPECT_EQ(errors_of("duplicate"),
            Lines{at("duplicate/other.yaml", 3, 3,
                     "duplicate name 'k' (first defined at " + kDir + "duplicate/model.yaml:3:3)")});
}

TEST(ModelErrors, CycleInVariables) {
  EXPECT_EQ(errors_of("cycle.yaml"),
            (Lines{at("cycle.yaml", 2, 3, "cycle in variables: a -> b -> a"),
                   at("cycle.yaml", 4, 3, "cycle in variables: c -> c")}));
}

TEST(ModelErrors, ValueOutsideBounds) {
  EXPECT_EQ(errors_of("out_of_bounds.yaml"),
            Lines{at("out_of_bounds.yaml", 2, 3, "parameter 'k' = 5 is outside its bounds [0, 1]")});
}

TEST(ModelErrors, UnknownUnit) {
  EXPECT_EQ(errors_of("unknown_unit.yaml"),
            Lines{at("unknown_unit.yaml", 2, 23, "unknown unit 'mgg' (did you mean 'mg'?)")});
}

TEST(ModelErrors, BothEquationAndReactions) {
  EXPECT_EQ(errors_of("both_equation_and_reactions.yaml"),
            Lines{at("both_equation_and_reactions.yaml", 4, 3,
                     "state 'x' has both an equation and reactions")});
}

TEST(ModelErrors, EquationForANonState) {
  EXPECT_EQ(errors_of("equation_not_state.yaml"),
            Lines{at("equation_not_state.yaml", 4, 3, "equation for 'k', which is not a state")});
}

TEST(ModelErrors, EventTarget) {
  EXPECT_EQ(errors_of("event_target.yaml"),
            Lines{at("event_target.yaml", 6, 5,
                     "event 'e' assigns to 'v', which is not a state or parameter")});
}

TEST(ModelErrors, PhenotypeUnknownParameter) {
  EXPECT_EQ(errors_of("phenotype_unknown.yaml"),
            Lines{at("phenotype_unknown.yaml", 4, 3,
                     "phenotype 'p' sets unknown parameter 'sebum_gian' (did you mean "
                     "'sebum_gain'?)")});
}

TEST(ModelErrors, ReservedNames) {
  EXPECT_EQ(errors_of("reserved.yaml"),
            (Lines{at("reserved.yaml", 2, 3, "'time' is reserved (model time) and cannot be declared"),
                   at("reserved.yaml", 4, 3, "'t' is reserved (model time) and cannot be declared")}));
}

TEST(ModelErrors, ExpressionErrorsPointAtTheColumn) {
  // plain scalar, double-quoted, single-quoted in a flow mapping, block scalar
  EXPECT_EQ(errors_of("expression_error.yaml"),
            (Lines{at("expression_error.yaml", 4, 14, "unexpected '*' (expected an expression)"),
                   at("expression_error.yaml", 5, 16, "unexpected '*' (expected an expression)"),
                   at("expression_error.yaml", 6, 21, "unexpected '*' (expected an expression)"),
                   at("expression_error.yaml", 9, 14,
                      "unexpected end of expression (expected an expression)")}));
}

TEST(ModelErrors, AllProblemsAreReported) {
  EXPECT_EQ(errors_of("many_errors.yaml"),
            (Lines{at("many_errors.yaml", 2, 3, "missing 'source' for parameter 'k'"),
                   at("many_errors.yaml", 3, 36,
                      "unknown key 'unt' in parameter 'j' (did you mean 'unit'?)"),
                   at("many_errors.yaml", 3, 14,
                      "expected a number for 'value' of parameter 'j', got 'x'"),
                   at("many_errors.yaml", 7, 3, "undefined name 'q' (did you mean 'k'?)"),
                   at("many_errors.yaml", 2, 3, "parameter 'k' = 5 is outside its bounds [0, 1]")}));
}

TEST(ModelErrors, Modules) {
  EXPECT_EQ(errors_of("missing_module.yaml"),
            Lines{at("missing_module.yaml", 1, 11, "cannot read module '" + kDir +
                                                       "nowhere.yaml' (no such file)")});
  EXPECT_EQ(errors_of("module_cycle/a.yaml"),
            Lines{at("module_cycle/b.yaml", 1, 11,
                     "cycle in modules: " + kDir + "module_cycle/a.yaml -> " + kDir +
                         "module_cycle/b.yaml -> " + kDir + "module_cycle/a.yaml")});
  EXPECT_EQ(errors_of("no_such_model.yaml"),
            Lines{kDir + "no_such_model.yaml: error: cannot read model file (no such file)"});
}

// Each item of a section (a parameter's or a state's body) is read from a node that lives while
// it is read. Bound by reference to yaml-cpp's `it->second` it dangled (AddressSanitizer:
// stack-use-after-scope on every model load); build-asan runs this test to show it cannot.
TEST(ModelErrors, SectionItemBodiesAreReadWhereTheyAre) {
  EXPECT_EQ(errors_of("section_bodies.yaml"),
            (Lines{at("section_bodies.yaml", 2, 14,
                      "expected a number for 'value' of parameter 'k', got a list"),
                   at("section_bodies.yaml", 3, 3, "missing 'value' for parameter 'j'"),
                   at("section_bodies.yaml", 3, 3, "missing 'source' for parameter 'j'"),
                   at("section_bodies.yaml", 5, 16,
                      "expected an expression for 'initial' of state 'x', got a list"),
                   at("section_bodies.yaml", 6, 3, "missing 'initial' for state 'y'"),
                   at("section_bodies.yaml", 8, 6, "expected a mapping for reaction 'r', got a list")}));
}

// A file written into a fresh folder for this test run.
std::string written(const std::string& name, const std::string& text) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("gutskin_model_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name) << text;
  return (dir / name).string();
}

std::vector<std::string> errors_in(const std::string& path) {
  try {
    load_model(path);
  } catch (const InputError& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics()) out.push_back(d.str());
    return out;
  }
  return {"(no error)"};
}

// Nesting that overflowed the stack (issue 18): a YAML file nested deeper than kMaxYamlDepth is
// refused before any reader walks it (also when yaml-cpp's own guard stops it first), and an
// expression deeper than the expression limit at the operator that crosses it.
TEST(ModelErrors, NestingLimitsAreLocatedErrors) {
  const std::string deep_flow = written("deep_flow.yaml", "parameters: " + std::string(100, '[') +
                                                              std::string(100, ']') + "\n");
  EXPECT_EQ(errors_in(deep_flow),
            Lines{deep_flow + ":1:112: error: YAML nested too deeply (more than 100 levels)"});
  std::string block = "parameters:\n";
  for (int i = 1; i <= 100; ++i) block += std::string(2 * i, ' ') + "a:\n";
  const std::string deep_block = written("deep_block.yaml", block);
  EXPECT_EQ(errors_in(deep_block),
            Lines{deep_block + ":101:201: error: YAML nested too deeply (more than 100 levels)"});
  std::string dashes;
  for (int i = 0; i < 20000; ++i) dashes += "- ";
  const std::string guarded = written("guarded.yaml", dashes + "1\n");  // yaml-cpp's guard
  EXPECT_EQ(errors_in(guarded),
            Lines{guarded + ":1:1000: error: YAML nested too deeply (more than 100 levels)"});

  std::string sum = "k";
  for (int i = 1; i < 100000; ++i) sum += "+k";
  const std::string deep_expr = written("deep_expr.yaml",
                                        "parameters:\n  k: {value: 1, source: assumed}\nstates:\n"
                                        "  x: {initial: 1}\nequations:\n  x: \"" + sum + "\"\n");
  // The 1000th '+' (column 7 + 2 * 1000 - 1: the text starts after `  x: "`) makes the tree 1001
  // deep.
  EXPECT_EQ(errors_in(deep_expr),
            Lines{deep_expr + ":6:2006: error: expression nested too deeply (more than 1000 levels)"});
}

// The engine walks a variable's definition where its name is used, so a chain of variables
// recursed as deep as it was long: 100000 of them (2 MB) overflowed the stack, and so did a cycle
// through 50000 of them while it was being reported (issue 18).
TEST(ModelErrors, ChainsOfVariablesAreLimited) {
  auto chain = [](int n, const std::string& last) {
    std::string text = "parameters:\n  k: {value: 1, source: assumed}\nstates:\n  x: {initial: 1}\n"
                       "variables:\n  v0: k\n";
    for (int i = 1; i < n; ++i)
      text += "  v" + std::to_string(i) + ": v" + std::to_string(i - 1) + " * x\n";
    return text + "equations:\n  x: " + last + "\n";
  };
  const std::string ok = written("chain_ok.yaml", chain(1000, "v999"));
  EXPECT_EQ(errors_in(ok), Lines{"(no error)"});
  // v1000 = v999 * x is 1001 deep once inlined; the 99000 variables using it are not reported.
  const std::string deep = written("chain_deep.yaml", chain(100000, "v99999"));
  EXPECT_EQ(errors_in(deep),
            Lines{deep + ":1006:3: error: variable 'v1000' nested too deeply once the variables it "
                         "uses are inlined (more than 1000 levels)"});

  std::string cycle = "states:\n  x: {initial: 1}\nvariables:\n";
  for (int i = 0; i < 50000; ++i)
    cycle += "  v" + std::to_string(i) + ": v" + std::to_string((i + 1) % 50000) + "\n";
  const std::string cyclic = written("cycle_long.yaml", cycle + "equations:\n  x: v0\n");
  const Lines errors = errors_in(cyclic);
  ASSERT_EQ(errors.size(), 1u);
  const std::string head = cyclic + ":4:3: error: cycle in variables: v0 -> v1 -> v2 -> ";
  const std::string tail = " -> v49998 -> v49999 -> v0";
  ASSERT_GT(errors[0].size(), head.size() + tail.size());
  EXPECT_EQ(errors[0].substr(0, head.size()), head);
  EXPECT_EQ(errors[0].substr(errors[0].size() - tail.size()), tail);
}

// Numbers beyond a double read as infinity: a bound of 1e309 was silently no bound and a value
// silently infinite. yaml-cpp keeps both of two equal keys and every look-up took the first, so
// the second was silently ignored (issue 18). All are located errors now.
TEST(ModelErrors, OutOfRangeNumbersAndDuplicateKeys) {
  EXPECT_EQ(errors_of("out_of_range_numbers.yaml"),
            (Lines{at("out_of_range_numbers.yaml", 2, 52,
                      "'bounds' of parameter 'k': number '1e309' is out of range (at most 1.8e308 "
                      "in magnitude)"),
                   at("out_of_range_numbers.yaml", 3, 14,
                      "'value' of parameter 'j': number '-1e309' is out of range (at most 1.8e308 "
                      "in magnitude)"),
                   at("out_of_range_numbers.yaml", 5, 21,
                      "number '1e400' is out of range (at most 1.8e308 in magnitude)")}));
  EXPECT_EQ(errors_of("duplicate_keys.yaml"),
            (Lines{at("duplicate_keys.yaml", 2, 36,
                      "duplicate key 'value' (first at " + kDir + "duplicate_keys.yaml:2:7)"),
                   at("duplicate_keys.yaml", 4, 3,
                      "duplicate key 'k' (first at " + kDir + "duplicate_keys.yaml:2:3)")}));
}

// Every name is an identifier: one with a space, a leading digit or a dash could not be written
// in an expression, and would be a different name in a CSV column or an SBML id.
TEST(ModelErrors, NamesMustBeIdentifiers) {
  const std::string rule = ": expected a letter or _, then letters, digits or _";
  EXPECT_EQ(errors_of("not_identifiers.yaml"),
            (Lines{at("not_identifiers.yaml", 3, 3, "name '1k' (in section 'parameters')" + rule),
                   at("not_identifiers.yaml", 5, 3, "name 'x y' (in section 'states')" + rule),
                   at("not_identifiers.yaml", 10, 13, "name 'stop-now' (an event)" + rule)}));
}

// A file named as a module that is not a model (a 20 kB line of text) is named in the message,
// not echoed: what it holds is shown up to 60 characters.
TEST(ModelErrors, AMessageNeverEchoesAWholeFile) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("gutskin_echo_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "notes.txt") << std::string(20000, 'a') << "\n";
  std::ofstream(dir / "model.yaml") << "model: m\nmodules: [notes.txt]\nstates:\n  x: {initial: 1, unit: AU}\n"
                                       "equations:\n  x: \"-x\"\n";
  std::string message;
  try {
    load_model((dir / "model.yaml").string());
  } catch (const InputError& e) {
    message = e.what();
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(message, (dir / "notes.txt").string() +
                         ":1:1: error: expected a mapping of sections at the top of the file, got '" +
                         std::string(60, 'a') + "'...");
}

TEST(ModelErrors, PathsAreShownAsPassed) {
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(kDir);
  std::string message;
  try {
    load_model("duplicate");
  } catch (const InputError& e) {
    message = e.what();
  }
  std::filesystem::current_path(cwd);
  EXPECT_EQ(message,
            "duplicate/other.yaml:3:3: error: duplicate name 'k' (first defined at "
            "duplicate/model.yaml:3:3)");
}

}  // namespace
}  // namespace gutskin
