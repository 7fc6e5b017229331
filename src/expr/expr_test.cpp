#include "gutskin/expr.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

namespace gutskin {
namespace {

using Values = std::map<std::string, double>;

double eval(const Expr& e, const Values& values = {}) {
  return evaluate(e, [&](const std::string& name) {
    const auto it = values.find(name);
    if (it == values.end()) throw std::out_of_range("no value for symbol '" + name + "'");
    return it->second;
  });
}

double eval(std::string_view text, const Values& values = {}) {
  return eval(parse_expression(text), values);
}

std::string reprint(std::string_view text) { return to_string(parse_expression(text)); }

// Equal, or both NaN; otherwise within a relative tolerance.
void expect_same_value(double expected, double actual, const std::string& what) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << what;
  } else if (std::isinf(expected)) {
    EXPECT_EQ(expected, actual) << what;
  } else {
    EXPECT_NEAR(expected, actual, 1e-12 * std::max(1.0, std::abs(expected))) << what;
  }
}

// ---- precedence and associativity -------------------------------------------------------------

TEST(ExprParse, PrecedenceAndAssociativityValues) {
  EXPECT_DOUBLE_EQ(eval("1 + 2 * 3"), 7);
  EXPECT_DOUBLE_EQ(eval("(1 + 2) * 3"), 9);
  EXPECT_DOUBLE_EQ(eval("10 - 4 - 3"), 3);
  EXPECT_DOUBLE_EQ(eval("24 / 4 / 2"), 3);
  EXPECT_DOUBLE_EQ(eval("2 ^ 3 ^ 2"), 512);
  EXPECT_DOUBLE_EQ(eval("(2 ^ 3) ^ 2"), 64);
  EXPECT_DOUBLE_EQ(eval("-2^2"), -4);
  EXPECT_DOUBLE_EQ(eval("(-2)^2"), 4);
  EXPECT_DOUBLE_EQ(eval("-x^2", {{"x", 3}}), -9);
  EXPECT_DOUBLE_EQ(eval("2 * -3"), -6);
  EXPECT_DOUBLE_EQ(eval("2 - -3"), 5);
  EXPECT_DOUBLE_EQ(eval("--3"), 3);
  EXPECT_DOUBLE_EQ(eval("+3 - +1"), 2);
  EXPECT_DOUBLE_EQ(eval("2^-1"), 0.5);
  EXPECT_DOUBLE_EQ(eval("2 * 3^2"), 18);
  EXPECT_DOUBLE_EQ(eval("-2 * 3 + 1"), -5);
  EXPECT_DOUBLE_EQ(eval("1 + 2 < 4"), 1);     // arithmetic binds tighter than comparison
  EXPECT_DOUBLE_EQ(eval("1 < 2 == 1"), 1);    // comparisons are left-associative
  EXPECT_DOUBLE_EQ(eval("not 1 < 0"), 1);     // not binds looser than comparison
  EXPECT_DOUBLE_EQ(eval("1 or 0 and 0"), 1);  // and binds tighter than or
  EXPECT_DOUBLE_EQ(eval("(1 or 0) and 0"), 0);
  EXPECT_DOUBLE_EQ(eval("not 0 and 0"), 0);  // not binds tighter than and
  EXPECT_DOUBLE_EQ(eval("!0 && 1 || 0"), 1);
  EXPECT_DOUBLE_EQ(eval("!(1 || 0)"), 0);
  EXPECT_DOUBLE_EQ(eval("true + true"), 2);
  EXPECT_DOUBLE_EQ(eval("false"), 0);
  EXPECT_DOUBLE_EQ(eval(" \t1\n+\r\n2 "), 3);
}

TEST(ExprParse, StructureViaPrinting) {
  EXPECT_EQ(reprint("a + b * c"), "a + b * c");
  EXPECT_EQ(reprint("(a + b) * c"), "(a + b) * c");
  EXPECT_EQ(reprint("a - (b - c)"), "a - (b - c)");
  EXPECT_EQ(reprint("a - (b + c)"), "a - (b + c)");
  EXPECT_EQ(reprint("(a - b) - c"), "a - b - c");
  EXPECT_EQ(reprint("a / (b * c)"), "a / (b * c)");
  EXPECT_EQ(reprint("(a / b) * c"), "a / b * c");
  EXPECT_EQ(reprint("(a^b)^c"), "(a^b)^c");
  EXPECT_EQ(reprint("a^(b^c)"), "a^b^c");
  EXPECT_EQ(reprint("-(a^2)"), "-a^2");
  EXPECT_EQ(reprint("(-a)^2"), "(-a)^2");
  EXPECT_EQ(reprint("a^-b"), "a^-b");
  EXPECT_EQ(reprint("a * (-b)"), "a * -b");
  EXPECT_EQ(reprint("-(a + b)"), "-(a + b)");
  EXPECT_EQ(reprint("-(-a)"), "--a");
  EXPECT_EQ(reprint("(a < b) < c"), "a < b < c");
  EXPECT_EQ(reprint("a < (b < c)"), "a < (b < c)");
  EXPECT_EQ(reprint("not (a and b)"), "not (a and b)");
  EXPECT_EQ(reprint("(not a) and b"), "not a and b");
  EXPECT_EQ(reprint("(a or b) and c"), "(a or b) and c");
  EXPECT_EQ(reprint("a or (b and c)"), "a or b and c");
  EXPECT_EQ(reprint("a && b || !c"), "a and b or not c");
  EXPECT_EQ(reprint("a <= b != (c >= d)"), "a <= b != (c >= d)");
  EXPECT_EQ(reprint("x == 1"), "x == 1");
}

TEST(ExprParse, NamesAliasesAndExpansions) {
  EXPECT_EQ(reprint("t"), "time");
  EXPECT_EQ(reprint("time + t"), "time + time");
  EXPECT_EQ(reprint("e * pi"), "e * pi");  // no built-in constants: these are symbols
  EXPECT_EQ(reprint("t_half + tt + _x1"), "t_half + tt + _x1");
  EXPECT_EQ(reprint("ln(x)"), "log(x)");
  EXPECT_EQ(reprint("pow(a, b + 1)"), "a^(b + 1)");
  EXPECT_EQ(reprint("if(a > b, 1, 2)"), "piecewise(1, a > b, 2)");
  EXPECT_EQ(reprint("piecewise(1, a > b, 2, a > c, 3)"), "piecewise(1, a > b, 2, a > c, 3)");
  EXPECT_EQ(reprint("piecewise(1, a > b)"), "piecewise(1, a > b)");
  EXPECT_EQ(reprint("piecewise(x)"), "piecewise(x)");
  EXPECT_EQ(reprint("hill(x, K, n)"), "x^n / (K^n + x^n)");
  EXPECT_EQ(reprint("hill_inh(x, K, n)"), "K^n / (K^n + x^n)");
  EXPECT_EQ(reprint("mm(S, Km)"), "S / (Km + S)");
  EXPECT_EQ(reprint("min(a, b, c) + max(a, 1)"), "min(a, b, c) + max(a, 1)");

  const Expr p = parse_expression("piecewise(1, a > b)");
  ASSERT_EQ(p->op, Op::piecewise);
  ASSERT_EQ(p->args.size(), 3u);
  EXPECT_TRUE(std::isnan(p->args[2]->value));
  EXPECT_TRUE(std::isnan(eval(p, {{"a", 0}, {"b", 1}})));
  EXPECT_DOUBLE_EQ(eval(p, {{"a", 2}, {"b", 1}}), 1);

  const Expr t = parse_expression("t");
  EXPECT_EQ(t->op, Op::symbol);
  EXPECT_EQ(t->name, "time");
}

TEST(ExprParse, Numbers) {
  EXPECT_DOUBLE_EQ(eval("2.5"), 2.5);
  EXPECT_DOUBLE_EQ(eval("1e-3"), 1e-3);
  EXPECT_DOUBLE_EQ(eval("1E+3"), 1e3);
  EXPECT_DOUBLE_EQ(eval(".5"), 0.5);
  EXPECT_DOUBLE_EQ(eval("5."), 5.0);
  EXPECT_DOUBLE_EQ(eval("2e3-1"), 1999);
  EXPECT_EQ(eval("1e-400"), 0.0);
  // Beyond a double a literal was silently infinite (issue 18); infinity is written 1/0.
  try {
    parse_expression("2 * 1e400", SourceLoc{"m.yaml", 3, 10});
    ADD_FAILURE() << "no error for 1e400";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "m.yaml:3:14: error: number '1e400' is out of range (at most 1.8e308 in magnitude)");
  }
  EXPECT_TRUE(std::isinf(eval("1/0")));
  // A negative literal is one constant.
  const Expr neg = parse_expression("-2.5");
  EXPECT_EQ(neg->op, Op::constant);
  EXPECT_EQ(neg->value, -2.5);
}

// ---- printing ---------------------------------------------------------------------------------

TEST(ExprPrint, NumbersRoundTripExactly) {
  const double values[] = {0.0,
                           1.0,
                           0.1,
                           1.0 / 3.0,
                           2.0 / 3.0,
                           std::numbers::pi,
                           1e-300,
                           5e-324,
                           6.02214076e23,
                           1e21,
                           123456789012345680.0,
                           0.000123,
                           -7.25,
                           -1e-7,
                           std::numeric_limits<double>::max(),
                           -0.0};
  for (double v : values) {
    const std::string s = to_string(constant(v));
    const Expr back = parse_expression(s);
    ASSERT_EQ(back->op, Op::constant) << s;
    EXPECT_EQ(back->value, v) << s;  // bit-exact round trip is the contract here
    EXPECT_EQ(std::signbit(back->value), std::signbit(v)) << s;
  }
  EXPECT_EQ(to_string(constant(0.1)), "0.1");
  EXPECT_EQ(to_string(constant(1.0 / 3.0)), "0.3333333333333333");
  EXPECT_EQ(to_string(constant(100)), "100");
  EXPECT_EQ(to_string(constant(1e-5)), "1e-05");
}

TEST(ExprPrint, ConstructedTreesGetNeededParentheses) {
  const Expr a = symbol("a"), b = symbol("b");
  EXPECT_EQ(to_string(make(Op::pow, {constant(-2), constant(2)})), "(-2)^2");
  EXPECT_EQ(to_string(make(Op::sub, {a, constant(-2)})), "a - -2");
  EXPECT_EQ(to_string(make(Op::mul, {constant(-2), a})), "-2 * a");
  EXPECT_EQ(to_string(make(Op::neg, {make(Op::neg, {a})})), "--a");
  EXPECT_EQ(to_string(make(Op::neg, {constant(-2)})), "--2");
  EXPECT_EQ(to_string(make(Op::logical_not, {make(Op::logical_not, {a})})), "not not a");
  EXPECT_EQ(to_string(make(Op::add, {a, make(Op::logical_not, {b})})), "a + (not b)");
  EXPECT_EQ(to_string(constant(std::numeric_limits<double>::quiet_NaN())), "0/0");
  EXPECT_EQ(to_string(constant(std::numeric_limits<double>::infinity())), "1/0");
  EXPECT_EQ(to_string(make(Op::pow, {constant(-std::numeric_limits<double>::infinity()), a})),
            "(-1/0)^a");
  EXPECT_TRUE(std::isnan(eval(to_string(constant(std::nan(""))))));
  EXPECT_EQ(eval(to_string(constant(-std::numeric_limits<double>::infinity()))),
            -std::numeric_limits<double>::infinity());
}

// ---- evaluation -------------------------------------------------------------------------------

TEST(ExprEvaluate, EveryFunction) {
  const Values v = {{"x", 0.7}, {"y", -1.6}, {"K", 2.0}, {"n", 3.0}};
  EXPECT_DOUBLE_EQ(eval("exp(x)", v), std::exp(0.7));
  EXPECT_DOUBLE_EQ(eval("log(x)", v), std::log(0.7));
  EXPECT_DOUBLE_EQ(eval("ln(x)", v), std::log(0.7));
  EXPECT_DOUBLE_EQ(eval("log10(x)", v), std::log10(0.7));
  EXPECT_DOUBLE_EQ(eval("sqrt(x)", v), std::sqrt(0.7));
  EXPECT_DOUBLE_EQ(eval("abs(y)", v), 1.6);
  EXPECT_DOUBLE_EQ(eval("sin(x)", v), std::sin(0.7));
  EXPECT_DOUBLE_EQ(eval("cos(x)", v), std::cos(0.7));
  EXPECT_DOUBLE_EQ(eval("tan(x)", v), std::tan(0.7));
  EXPECT_DOUBLE_EQ(eval("factorial(x)", v), std::tgamma(1.7));
  EXPECT_DOUBLE_EQ(eval("factorial(4)", v), 24.0);
  EXPECT_DOUBLE_EQ(eval("asin(x)", v), std::asin(0.7));
  EXPECT_DOUBLE_EQ(eval("acos(x)", v), std::acos(0.7));
  EXPECT_DOUBLE_EQ(eval("atan(x)", v), std::atan(0.7));
  EXPECT_DOUBLE_EQ(eval("floor(y)", v), -2);
  EXPECT_DOUBLE_EQ(eval("ceil(y)", v), -1);
  EXPECT_DOUBLE_EQ(eval("floor(x)", v), 0);
  EXPECT_DOUBLE_EQ(eval("ceil(x)", v), 1);
  EXPECT_DOUBLE_EQ(eval("min(x, y)", v), -1.6);
  EXPECT_DOUBLE_EQ(eval("min(3, x, 5)", v), 0.7);
  EXPECT_DOUBLE_EQ(eval("max(x, y)", v), 0.7);
  EXPECT_DOUBLE_EQ(eval("max(y, -5, K, x)", v), 2.0);
  EXPECT_DOUBLE_EQ(eval("pow(K, n)", v), 8.0);
  EXPECT_DOUBLE_EQ(eval("K^0.5", v), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(eval("hill(x, K, n)", v), std::pow(0.7, 3) / (8 + std::pow(0.7, 3)));
  EXPECT_DOUBLE_EQ(eval("hill_inh(x, K, n)", v), 8 / (8 + std::pow(0.7, 3)));
  EXPECT_DOUBLE_EQ(eval("mm(x, K)", v), 0.7 / 2.7);
  EXPECT_DOUBLE_EQ(eval("if(x > 0, 10, 20)", v), 10);
  EXPECT_DOUBLE_EQ(eval("if(x < 0, 10, 20)", v), 20);
  EXPECT_DOUBLE_EQ(eval("piecewise(1, y > 0, 2, x > 0, 3)", v), 2);
  EXPECT_DOUBLE_EQ(eval("piecewise(1, x > 0, 2, x > 0, 3)", v), 1);  // first true branch
  EXPECT_DOUBLE_EQ(eval("piecewise(1, y > 0, 2, x > 5, 3)", v), 3);
  EXPECT_DOUBLE_EQ(eval("piecewise(1, 0.5, 2)", v), 1);  // any nonzero condition is true
  EXPECT_TRUE(std::isnan(eval("piecewise(1, y > 0)", v)));
  EXPECT_TRUE(std::isnan(eval("min(0/0, 1)", v)));  // NaN propagates through min/max
  EXPECT_TRUE(std::isnan(eval("max(1, 0/0)", v)));
  EXPECT_DOUBLE_EQ(eval("piecewise(4)", v), 4);
  EXPECT_DOUBLE_EQ(eval("K / n", v), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(eval("K - n", v), -1);
}

TEST(ExprEvaluate, ComparisonsAndLogicAreZeroOrOne) {
  const Values v = {{"a", 1.0}, {"b", 2.0}, {"c", 0.1 + 0.2}};
  EXPECT_EQ(eval("a < b", v), 1.0);
  EXPECT_EQ(eval("a <= a", v), 1.0);
  EXPECT_EQ(eval("a > b", v), 0.0);
  EXPECT_EQ(eval("b >= a", v), 1.0);
  EXPECT_EQ(eval("a == a", v), 1.0);
  EXPECT_EQ(eval("c == 0.3", v), 0.0);  // exact comparison
  EXPECT_EQ(eval("c != 0.3", v), 1.0);
  EXPECT_EQ(eval("a and b", v), 1.0);  // nonzero is true, result is 1
  EXPECT_EQ(eval("a and 0", v), 0.0);
  EXPECT_EQ(eval("0 or b", v), 1.0);
  EXPECT_EQ(eval("0 or 0", v), 0.0);
  EXPECT_EQ(eval("not b", v), 0.0);
  EXPECT_EQ(eval("not 0", v), 1.0);
}

TEST(ExprEvaluate, SymbolsComeFromLookup) {
  std::vector<std::string> asked;
  const double r = evaluate(parse_expression("k * t + k"), [&](const std::string& n) {
    asked.push_back(n);
    return n == "k" ? 2.0 : 5.0;
  });
  EXPECT_DOUBLE_EQ(r, 12.0);
  EXPECT_EQ(asked, (std::vector<std::string>{"k", "time", "k"}));
}

// ---- derivatives ------------------------------------------------------------------------------

struct DerivativeCase {
  std::string text;
  std::string var;
};

const std::vector<DerivativeCase>& derivative_cases() {
  static const std::vector<DerivativeCase> cases = {
      {"x^2 + 3*x - 1", "x"},
      {"x^3 / (1 + x)", "x"},
      {"exp(-k*x) * sin(x)", "x"},
      {"exp(-k*x) * sin(x)", "k"},
      {"log(x) * x", "x"},
      {"sqrt(x^2 + y)", "x"},
      {"sqrt(x^2 + y)", "y"},
      {"hill(x, K, n)", "x"},
      {"hill(x, K, n)", "n"},
      {"hill_inh(x, K, n)", "x"},
      {"hill_inh(x, K, n)", "K"},
      {"mm(x, K)", "x"},
      {"mm(x, K)", "K"},
      {"x^y", "x"},
      {"x^y", "y"},
      {"2^x + x^(1/3)", "x"},
      {"pow(x, 0.5) + pow(y, x)", "x"},
      {"(x + y)^(x - y)", "x"},
      {"log10(x * y)", "x"},
      {"ln(1 + x^2)", "x"},
      {"piecewise(x^2, x < 1, 2*x, x < 2, x^3)", "x"},
      {"if(x > y, x*y, x/y)", "x"},
      {"min(x, y, 2)", "x"},
      {"max(x^2, y)", "x"},
      {"max(x^2, y, 2 - x)", "x"},
      {"abs(x - 1.5)", "x"},
      {"cos(x)^2 + tan(x/3)", "x"},
      {"asin(x/4) + acos(x/5) * atan(2*x)", "x"},
      {"factorial(x/2) + factorial(3)", "x"},
      {"floor(x) * x + ceil(x)", "x"},
      {"-x^2 / (y - x)", "x"},
      {"x * (x > 1) + (x <= 1 and y > 0) + (not (x == y))", "x"},
      {"exp(sin(x)) / sqrt(1 + x)", "x"},
      {"x^-1.5 * y", "x"},
      {"k * time - x * t", "time"},
      {"K * n", "x"},
  };
  return cases;
}

double central_difference(const Expr& e, const std::string& var, Values values) {
  const double x0 = values.at(var);
  const double h = 1e-5 * std::max(1.0, std::abs(x0));
  values[var] = x0 + h;
  const double up = eval(e, values);
  values[var] = x0 - h;
  const double down = eval(e, values);
  return (up - down) / (2 * h);
}

// Points chosen away from kinks (piecewise switches at x = 1, 2; min/max/abs/floor switches).
std::vector<Values> sample_points(const std::string& var) {
  std::vector<Values> points;
  for (double v : {0.3, 0.8, 1.7, 2.6}) {
    Values p = {{"x", 1.1}, {"y", 0.9}, {"k", 0.7}, {"K", 1.3}, {"n", 2.5}, {"time", 3.3}};
    p[var] = v;
    points.push_back(p);
  }
  return points;
}

TEST(ExprDifferentiate, MatchesCentralFiniteDifferences) {
  for (const auto& c : derivative_cases()) {
    const Expr e = parse_expression(c.text);
    const Expr d = differentiate(e, c.var);
    for (const auto& p : sample_points(c.var)) {
      const double fd = central_difference(e, c.var, p);
      const double sym = eval(d, p);
      EXPECT_NEAR(sym, fd, 1e-6 * std::max(1.0, std::abs(fd)))
          << "d/d" << c.var << " of " << c.text << " at " << c.var << " = " << p.at(c.var)
          << "\n  derivative: " << to_string(d);
    }
  }
}

TEST(ExprDifferentiate, ResultsAreSimplified) {
  auto d = [](std::string_view text, const std::string& var) {
    return to_string(differentiate(parse_expression(text), var));
  };
  EXPECT_EQ(d("5", "x"), "0");
  EXPECT_EQ(d("y", "x"), "0");
  EXPECT_EQ(d("x", "x"), "1");
  EXPECT_EQ(d("x^3", "x"), "3 * x^2");
  EXPECT_EQ(d("x^2", "x"), "2 * x");
  EXPECT_EQ(d("x * y", "x"), "y");
  EXPECT_EQ(d("3 * x + y", "x"), "3");
  EXPECT_EQ(d("sin(x)", "x"), "cos(x)");
  EXPECT_EQ(d("exp(x)", "x"), "exp(x)");
  EXPECT_EQ(d("log(x)", "x"), "1 / x");
  EXPECT_EQ(d("x < y and x > 0", "x"), "0");
  EXPECT_EQ(d("abs(x)", "x"), "piecewise(1, x >= 0, -1)");
  EXPECT_EQ(d("min(x, y)", "x"), "piecewise(1, x <= y, 0)");
  EXPECT_EQ(d("2^x", "x"), "0.6931471805599453 * 2^x");
  EXPECT_EQ(d("t^2", "t"), "0");  // `t` parses as the symbol `time`
  EXPECT_EQ(d("t^2", "time"), "2 * time");
}

TEST(ExprDifferentiate, PowerRuleWithSymbolicExponentIsFiniteAtZero) {
  EXPECT_EQ(to_string(differentiate(parse_expression("x^n"), "x")), "n * x^(n - 1)");
  // Hill kinetics start from x = 0 in many models: the Jacobian entry must not be NaN there.
  const Expr d = differentiate(parse_expression("hill(x, K, n)"), "x");
  EXPECT_EQ(eval(d, {{"x", 0.0}, {"K", 1.3}, {"n", 2.5}}), 0.0);
  const Expr dn = differentiate(parse_expression("K^n"), "n");
  EXPECT_DOUBLE_EQ(eval(dn, {{"K", 2.0}, {"n", 3.0}}), 8.0 * std::log(2.0));
}

TEST(ExprDifferentiate, UndefinedOtherwiseStaysUndefined) {
  const Expr d = differentiate(parse_expression("piecewise(x^2, x > 1)"), "x");
  EXPECT_DOUBLE_EQ(eval(d, {{"x", 2.0}}), 4.0);
  EXPECT_TRUE(std::isnan(eval(d, {{"x", 0.5}})));
}

// ---- round trip and simplify over the same expressions ----------------------------------------

TEST(ExprRoundTrip, ParsePrintParseEvaluatesEqual) {
  for (const auto& c : derivative_cases()) {
    for (const Expr& e :
         {parse_expression(c.text), differentiate(parse_expression(c.text), c.var)}) {
      const std::string printed = to_string(e);
      const Expr back = parse_expression(printed);
      EXPECT_EQ(to_string(back), printed) << c.text;  // printing is a fixed point
      for (const auto& p : sample_points(c.var)) {
        expect_same_value(eval(e, p), eval(back, p), c.text + " printed as " + printed);
      }
    }
  }
}

TEST(ExprSimplify, PreservesValues) {
  std::vector<std::string> texts;
  for (const auto& c : derivative_cases()) texts.push_back(c.text);
  for (const char* extra :
       {"0 * x + 1 * y - 0", "x^1 + x^0 * y + 1^x", "--x - -y", "-(x - y) * -1", "x / 1 / -1",
        "0 / (x + 1) + (2 * 3) * x * 4", "piecewise(x, 1 < 0, y, 2 > 1, k)",
        "piecewise(x, y > 1, y, 0, k, x > 0, 1)", "(x and 0) + (1 or y) + (not not (x > y))",
        "not not x", "min(1, 2, x) + max(2, 3) + exp(0 * x)", "x - -2 + -3 * y * -1",
        "(x - 2) * 0 + 0 * y", "piecewise(x, x > 1.5)"}) {
    texts.push_back(extra);
  }
  for (const auto& text : texts) {
    const Expr e = parse_expression(text);
    const Expr s = simplify(e);
    EXPECT_EQ(to_string(simplify(s)), to_string(s)) << text;  // idempotent
    for (double x : {-1.3, 0.3, 0.8, 1.7, 2.6}) {
      const Values p = {{"x", x}, {"y", 0.9}, {"k", 0.7}, {"K", 1.3}, {"n", 2.5}, {"time", 3.3}};
      const double want = eval(e, p);
      if (std::isnan(want) && text.find("piecewise") == std::string::npos) continue;  // log(<0)
      expect_same_value(want, eval(s, p), text + " simplified to " + to_string(s));
    }
  }
}

TEST(ExprSimplify, Identities) {
  auto s = [](std::string_view text) { return to_string(simplify(parse_expression(text))); };
  EXPECT_EQ(s("x + 0"), "x");
  EXPECT_EQ(s("0 + x"), "x");
  EXPECT_EQ(s("x - 0"), "x");
  EXPECT_EQ(s("0 - x"), "-x");
  EXPECT_EQ(s("x * 1"), "x");
  EXPECT_EQ(s("1 * x"), "x");
  EXPECT_EQ(s("0 * x"), "0");
  EXPECT_EQ(s("x * 0"), "0");
  EXPECT_EQ(s("x / 1"), "x");
  EXPECT_EQ(s("x^1"), "x");
  EXPECT_EQ(s("x^0"), "1");
  EXPECT_EQ(s("--x"), "x");
  EXPECT_EQ(s("-(-(x + y))"), "x + y");
  EXPECT_EQ(s("2 * 3 + x"), "6 + x");
  EXPECT_EQ(s("x * 2"), "2 * x");
  EXPECT_EQ(s("2 * (3 * x)"), "6 * x");
  EXPECT_EQ(s("exp(0 + x * 1)"), "exp(x)");
  EXPECT_EQ(s("sqrt(4) + log(1)"), "2");
  EXPECT_EQ(s("1 < 2 and 3 > 4"), "0");
  EXPECT_EQ(s("piecewise(a, 1 > 2, b, 1 < 2, c)"), "b");
  EXPECT_EQ(s("piecewise(a, x > 0, b, 1, c)"), "piecewise(a, x > 0, b)");
  EXPECT_EQ(s("piecewise(a, 0, b)"), "b");
  EXPECT_EQ(s("if(2 > 1, x + 0, y)"), "x");
  EXPECT_EQ(s("x + y"), "x + y");
  EXPECT_EQ(s("0/0"), "0/0");  // NaN folds to a constant and prints re-parseably
  const Expr unchanged = parse_expression("a * b + c");
  EXPECT_EQ(simplify(unchanged), unchanged);  // nothing to do: same node
}

// ---- substitute, collect_symbols, is_constant -------------------------------------------------

TEST(ExprUtilities, SubstituteCollectConstant) {
  const Expr e = parse_expression("k * x + hill(x, K, 2) * t");
  std::set<std::string> names;
  collect_symbols(e, names);
  EXPECT_EQ(names, (std::set<std::string>{"K", "k", "time", "x"}));

  const Expr s = substitute(e, [](const std::string& n) -> Expr {
    if (n == "x") return parse_expression("y + 1");
    if (n == "k") return constant(3);
    return nullptr;
  });
  EXPECT_EQ(to_string(s), "3 * (y + 1) + (y + 1)^2 / (K^2 + (y + 1)^2) * time");
  const Values v = {{"y", 0.5}, {"K", 2.0}, {"time", 4.0}};
  EXPECT_DOUBLE_EQ(eval(s, v), eval(e, {{"x", 1.5}, {"k", 3.0}, {"K", 2.0}, {"time", 4.0}}));
  const Expr same = substitute(e, [](const std::string&) -> Expr { return nullptr; });
  EXPECT_EQ(same, e);

  EXPECT_TRUE(is_constant(parse_expression("2 * exp(3) + piecewise(1, 2 > 1)")));
  EXPECT_TRUE(is_constant(constant(1)));
  EXPECT_FALSE(is_constant(parse_expression("2 * exp(x)")));
  EXPECT_FALSE(is_constant(parse_expression("t")));
}

TEST(ExprUtilities, MakeRejectsWrongOperandCounts) {
  EXPECT_THROW(make(Op::add, {symbol("a")}), std::invalid_argument);
  EXPECT_THROW(make(Op::min, {symbol("a")}), std::invalid_argument);
  EXPECT_THROW(make(Op::piecewise, {symbol("a"), symbol("b")}), std::invalid_argument);
  EXPECT_THROW(make(Op::exp, {nullptr}), std::invalid_argument);
  EXPECT_NO_THROW(make(Op::max, {symbol("a"), symbol("b"), symbol("c")}));
}

// ---- errors -----------------------------------------------------------------------------------

struct ErrorCase {
  std::string text;
  std::string message;  // full diagnostic, as `gutskin check` prints it
};

TEST(ExprErrors, ExactTextAndColumn) {
  const SourceLoc where{"m.yaml", 3, 10};  // the expression starts at column 10
  const std::vector<ErrorCase> cases = {
      {"a + * b", "m.yaml:3:14: error: unexpected '*' (expected an expression)"},
      {"a +", "m.yaml:3:13: error: unexpected end of expression (expected an expression)"},
      {"", "m.yaml:3:10: error: unexpected end of expression (expected an expression)"},
      {")", "m.yaml:3:10: error: unexpected ')' (expected an expression)"},
      {"a + not b", "m.yaml:3:14: error: unexpected 'not' (expected an expression)"},
      {"(a + b", "m.yaml:3:16: error: expected ')' but found end of expression"},
      {"min(a b)", "m.yaml:3:16: error: expected ')' but found 'b'"},
      {"(a + b c", "m.yaml:3:17: error: expected ')' but found 'c'"},
      {"a b", "m.yaml:3:12: error: unexpected 'b' (expected an operator or end of expression)"},
      {"(a))", "m.yaml:3:13: error: unexpected ')' (expected an operator or end of expression)"},
      {"2 * foo(x)", "m.yaml:3:14: error: unknown function 'foo' (did you mean 'floor'?)"},
      {"sqr(x)", "m.yaml:3:10: error: unknown function 'sqr' (did you mean 'sqrt'?)"},
      {"1 + hil(x, K, n)", "m.yaml:3:14: error: unknown function 'hil' (did you mean 'hill'?)"},
      {"frobnicate(x)", "m.yaml:3:10: error: unknown function 'frobnicate'"},
      {"time(1)", "m.yaml:3:10: error: unknown function 'time'"},
      {"1 + hill(x, K)", "m.yaml:3:14: error: 'hill' expects 3 arguments, got 2"},
      {"hill_inh(x, K, n, 1)", "m.yaml:3:10: error: 'hill_inh' expects 3 arguments, got 4"},
      {"mm(x)", "m.yaml:3:10: error: 'mm' expects 2 arguments, got 1"},
      {"if(a, b)", "m.yaml:3:10: error: 'if' expects 3 arguments, got 2"},
      {"pow(a)", "m.yaml:3:10: error: 'pow' expects 2 arguments, got 1"},
      {"exp(1, 2)", "m.yaml:3:10: error: 'exp' expects 1 argument, got 2"},
      {"sin()", "m.yaml:3:10: error: 'sin' expects 1 argument, got 0"},
      {"min(x)", "m.yaml:3:10: error: 'min' expects at least 2 arguments, got 1"},
      {"x + max(x)", "m.yaml:3:14: error: 'max' expects at least 2 arguments, got 1"},
      {"piecewise()", "m.yaml:3:10: error: 'piecewise' expects at least 1 argument, got 0"},
      {"1e + 2", "m.yaml:3:10: error: invalid number '1e'"},
      {"x * 1.5e-", "m.yaml:3:14: error: invalid number '1.5e-'"},
      {"1.2.3", "m.yaml:3:10: error: invalid number '1.2.3'"},
      {"2x", "m.yaml:3:10: error: invalid number '2x'"},
      {"a.b", "m.yaml:3:11: error: unexpected character '.'"},
      {"a @ b", "m.yaml:3:12: error: unexpected character '@'"},
      {"a = b", "m.yaml:3:12: error: unexpected character '='"},
      {"a & b", "m.yaml:3:12: error: unexpected character '&'"},
      {"a | b", "m.yaml:3:12: error: unexpected character '|'"},
      {"µ + 1", "m.yaml:3:10: error: unexpected character 'µ'"},
      {"f(x, ", "m.yaml:3:10: error: unknown function 'f' (did you mean 'if'?)"},
      {"exp(x, ", "m.yaml:3:17: error: unexpected end of expression (expected an expression)"},
  };
  for (const auto& c : cases) {
    try {
      parse_expression(c.text, where);
      ADD_FAILURE() << "no error for '" << c.text << "'";
    } catch (const InputError& e) {
      ASSERT_EQ(e.diagnostics().size(), 1u) << c.text;
      EXPECT_EQ(e.diagnostics()[0].str(), c.message) << c.text;
      EXPECT_EQ(e.diagnostics()[0].where.line, 3) << c.text;
      EXPECT_EQ(std::string(e.what()), c.message) << c.text;
    }
  }
}

TEST(ExprErrors, UnknownStartColumnCountsFromOne) {
  try {
    parse_expression("a + * b");
    FAIL() << "no error";
  } catch (const InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].where.column, 5);
    EXPECT_EQ(e.diagnostics()[0].message, "unexpected '*' (expected an expression)");
  }
}

TEST(ExprErrors, DeepNestingIsAnErrorNotACrash) {
  const std::string deep = std::string(100000, '(') + "x" + std::string(100000, ')');
  EXPECT_THROW(parse_expression(deep), InputError);
  EXPECT_THROW(parse_expression(std::string(100000, '-') + "x"), InputError);
  const std::string ok = std::string(100, '(') + "x" + std::string(100, ')');
  EXPECT_EQ(to_string(parse_expression(ok)), "x");
}

// The limit is on the tree too: a left-associative chain (x + x + ... + x) nests without any
// recursion in the parser, and every walk over the tree (printing, evaluating, differentiating,
// compiling, destroying) recursed through it until the stack overflowed (issue 18).
TEST(ExprErrors, NestingLimitIsLocatedAndExact) {
  const SourceLoc where{"m.yaml", 6, 6};
  auto error = [&](const std::string& text) {
    try {
      parse_expression(text, where);
    } catch (const InputError& e) {
      return e.diagnostics().size() == 1 ? e.diagnostics()[0].str() : std::string("several");
    }
    return std::string("no error");
  };
  auto chain = [](const std::string& op, int n) {
    std::string s = "x";
    for (int i = 1; i < n; ++i) s += op + "x";
    return s;
  };
  const std::string too_deep = "error: expression nested too deeply (more than 1000 levels)";
  const std::string too_nested =
      "error: expression nested too deeply (more than 250 levels of parentheses, function calls, "
      "unary operators and powers)";
  // 1000 operands: depth 1000, accepted; the 1001st '+' makes 1001 (column of that '+').
  EXPECT_EQ(error(chain(" + ", 1000)), "no error");
  EXPECT_EQ(error(chain(" + ", 1001)), "m.yaml:6:" + std::to_string(6 + 4 * 999 + 2) + ": " + too_deep);
  EXPECT_EQ(error(chain("*", 100000)), "m.yaml:6:" + std::to_string(6 + 2 * 999 + 1) + ": " + too_deep);
  // The parser's own recursion: the 250th '^', '-', '(' or call is one level too many.
  EXPECT_EQ(error(chain("^", 100000)), "m.yaml:6:" + std::to_string(6 + 2 * 249 + 1) + ": " + too_nested);
  EXPECT_EQ(error(std::string(100000, '-') + "x"), "m.yaml:6:" + std::to_string(6 + 249) + ": " + too_nested);
  EXPECT_EQ(error(std::string(250, '(') + "x" + std::string(250, ')')),
            "m.yaml:6:" + std::to_string(6 + 250) + ": " + too_nested);
  EXPECT_EQ(error(std::string(249, '(') + "x" + std::string(249, ')')), "no error");
  std::string calls = "x";
  for (int i = 0; i < 2000; ++i) calls = "exp(" + calls + ")";
  EXPECT_EQ(error(calls), "m.yaml:6:" + std::to_string(6 + 4 * 250) + ": " + too_nested);

  // At the limit every walk over the tree still works.
  const Expr deep = parse_expression(chain(" + ", 1000));
  EXPECT_EQ(to_string(deep), chain(" + ", 1000));
  const auto one = [](const std::string&) { return 1.0; };
  EXPECT_DOUBLE_EQ(evaluate(deep, one), 1000.0);
  EXPECT_DOUBLE_EQ(evaluate(simplify(differentiate(deep, "x")), one), 1000.0);
  std::string nested = "x";
  for (int i = 0; i < 248; ++i) nested = "sin(" + nested + ")";
  const Expr sines = parse_expression(nested);
  EXPECT_DOUBLE_EQ(evaluate(simplify(sines), one), evaluate(sines, one));
  EXPECT_EQ(to_string(sines), nested);
}

TEST(ExprErrors, UnknownSymbolsAreNotErrors) {
  EXPECT_NO_THROW(parse_expression("whatever_name * exp2"));
  EXPECT_NO_THROW(parse_expression("exp + log"));  // function names without '(' are symbols
}

}  // namespace
}  // namespace gutskin

namespace gutskin {
TEST(Digamma, MatchesKnownValues) {
  const double euler_gamma = 0.57721566490153286;
  EXPECT_NEAR(digamma(1.0), -euler_gamma, 1e-13);
  EXPECT_NEAR(digamma(0.5), -euler_gamma - 2 * std::log(2.0), 1e-13);
  EXPECT_NEAR(digamma(10.0), 2.2517525890667211, 1e-13);
  EXPECT_NEAR(digamma(-0.5), 0.03648997397857652, 1e-12);  // reflection
  EXPECT_TRUE(std::isnan(digamma(-2.0)));
}
}  // namespace gutskin
