// The expression language of model files: an immutable AST with parsing, printing,
// evaluation, symbolic differentiation and simplification.
//
// Grammar (precedence low → high):  or  and  not  comparison(< <= > >= == !=)  + -  * /  unary -  ^
// Literals: 1, 2.5, 1e-3.  Names: [A-Za-z_][A-Za-z0-9_]*.  `time` (alias `t`) is model time in days.
// Functions: exp log ln log10 sqrt abs sin cos tan asin acos atan floor ceil min max pow
//            piecewise(v1, c1, v2, c2, ..., otherwise)   if(cond, then, else)
//            hill(x, K, n) = x^n/(K^n + x^n)        hill_inh(x, K, n) = K^n/(K^n + x^n)
//            mm(x, K) = x/(K + x)   (Michaelis–Menten)
//            delay(x, tau) = x at time − tau (x's value at t0 for earlier times)
//            factorial(x) = Γ(x + 1)
// hill, hill_inh, mm and if are expanded into basic operations when parsed.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gutskin/errors.hpp"

namespace gutskin {

enum class Op : unsigned char {
  constant, symbol,
  add, sub, mul, div, pow, neg,
  lt, le, gt, ge, eq, ne, logical_and, logical_or, logical_not,
  piecewise,  // args: v1, c1, v2, c2, ..., otherwise (always odd count; otherwise may be NaN const)
  min, max,   // two or more args
  delay,      // delay(x, tau): x as it was tau days ago (its value at t0 before t0 + tau)
  exp, log, log10, sqrt, abs, sin, cos, tan, asin, acos, atan, floor, ceil,
  factorial,  // x! = Γ(x + 1), for any real x > −1
  digamma,    // ψ(x): appears in derivatives of factorial
};

struct ExprNode;
/// Shared, immutable expression. Never null when it comes out of the parser.
using Expr = std::shared_ptr<const ExprNode>;

struct ExprNode {
  Op op = Op::constant;
  double value = 0.0;      // for constant
  std::string name;        // for symbol
  std::vector<Expr> args;  // operands, in order
};

// Construction helpers (no simplification).
Expr constant(double v);
Expr symbol(std::string name);
Expr make(Op op, std::vector<Expr> args);

/// Parses `text`. `where` is the position of the first character of `text` in its file; an error
/// is reported at the exact column of the offending token, as InputError.
/// Unknown function names are errors; unknown symbol names are not (resolution is the model's job).
Expr parse_expression(std::string_view text, const SourceLoc& where = {});

/// Prints in the grammar above, fully re-parseable (round trip), minimal parentheses.
std::string to_string(const Expr& e);

/// Reference evaluator (slow; for initial values, tests and checks). `lookup` gives symbol values.
/// Booleans are 1.0 / 0.0.
double evaluate(const Expr& e, const std::function<double(const std::string&)>& lookup);

/// Symbolic d e / d var. Comparisons and logic have derivative 0; piecewise differentiates each
/// branch; min/max pick the derivative of the active branch (as piecewise); abs → sign(x)·dx.
Expr differentiate(const Expr& e, const std::string& var);

/// Constant folding and algebraic identities (x+0, x*1, x*0, x^1, --x, ...). Never changes value.
Expr simplify(const Expr& e);

/// Replaces symbols for which `replacement` returns non-null.
Expr substitute(const Expr& e, const std::function<Expr(const std::string&)>& replacement);

/// Names of all symbols in e (not functions). `time` is included if used.
void collect_symbols(const Expr& e, std::set<std::string>& out);

bool is_constant(const Expr& e);

/// ψ(x) = Γ'(x)/Γ(x), for the derivative of factorial (recurrence to x ≥ 10, then the asymptotic
/// series: error below 1e-13).
double digamma(double x);

}  // namespace gutskin
