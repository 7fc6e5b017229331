// Expression AST: construction, printing, evaluation, differentiation, simplification.
// The parser lives in parser.cpp.
#include "gutskin/expr.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#include "expr/depth.hpp"

namespace gutskin {

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

bool is_function(Op op) {
  switch (op) {
    case Op::piecewise:
    case Op::min:
    case Op::max:
    case Op::delay:
    case Op::exp:
    case Op::log:
    case Op::log10:
    case Op::sqrt:
    case Op::abs:
    case Op::sin:
    case Op::cos:
    case Op::tan:
    case Op::asin:
    case Op::acos:
    case Op::atan:
    case Op::factorial:
    case Op::digamma:
    case Op::floor:
    case Op::ceil: return true;
    default: return false;
  }
}

const char* function_name(Op op) {
  switch (op) {
    case Op::piecewise: return "piecewise";
    case Op::delay: return "delay";
    case Op::min: return "min";
    case Op::max: return "max";
    case Op::exp: return "exp";
    case Op::log: return "log";
    case Op::log10: return "log10";
    case Op::sqrt: return "sqrt";
    case Op::abs: return "abs";
    case Op::sin: return "sin";
    case Op::cos: return "cos";
    case Op::tan: return "tan";
    case Op::asin: return "asin";
    case Op::acos: return "acos";
    case Op::atan: return "atan";
    case Op::factorial: return "factorial";
    case Op::digamma: return "digamma";
    case Op::floor: return "floor";
    case Op::ceil: return "ceil";
    default: return "?";
  }
}

const char* binary_symbol(Op op) {
  switch (op) {
    case Op::add: return " + ";
    case Op::sub: return " - ";
    case Op::mul: return " * ";
    case Op::div: return " / ";
    case Op::pow: return "^";
    case Op::lt: return " < ";
    case Op::le: return " <= ";
    case Op::gt: return " > ";
    case Op::ge: return " >= ";
    case Op::eq: return " == ";
    case Op::ne: return " != ";
    case Op::logical_and: return " and ";
    case Op::logical_or: return " or ";
    default: return " ? ";
  }
}

bool is_binary(Op op) {
  switch (op) {
    case Op::add:
    case Op::sub:
    case Op::mul:
    case Op::div:
    case Op::pow:
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge:
    case Op::eq:
    case Op::ne:
    case Op::logical_and:
    case Op::logical_or: return true;
    default: return false;
  }
}

bool is_unary_function(Op op) {
  return is_function(op) && op != Op::piecewise && op != Op::min && op != Op::max && op != Op::delay;
}

void check_arity(Op op, std::size_t n) {
  bool ok = true;
  if (op == Op::constant || op == Op::symbol)
    ok = n == 0;
  else if (is_binary(op) || op == Op::delay)
    ok = n == 2;
  else if (op == Op::neg || op == Op::logical_not || is_unary_function(op))
    ok = n == 1;
  else if (op == Op::min || op == Op::max)
    ok = n >= 2;
  else if (op == Op::piecewise)
    ok = n % 2 == 1;
  if (!ok) {
    throw std::invalid_argument("gutskin::make: wrong number of operands (" + std::to_string(n) +
                                ") for operator " + std::to_string(static_cast<int>(op)));
  }
}

// ---- printing -------------------------------------------------------------------------------
// Precedence levels, higher binds tighter (matches the grammar in expr.hpp).
constexpr int prec_or = 1, prec_and = 2, prec_not = 3, prec_cmp = 4, prec_add = 5, prec_mul = 6,
              prec_unary = 7, prec_pow = 8, prec_atom = 9;

bool is_nan_constant(const Expr& e) { return e->op == Op::constant && std::isnan(e->value); }

int precedence(const Expr& e) {
  switch (e->op) {
    case Op::constant:
      if (!std::isfinite(e->value)) return prec_mul;  // printed as 0/0, 1/0, -1/0
      return std::signbit(e->value) ? prec_unary : prec_atom;
    case Op::symbol: return prec_atom;
    case Op::logical_or: return prec_or;
    case Op::logical_and: return prec_and;
    case Op::logical_not: return prec_not;
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge:
    case Op::eq:
    case Op::ne: return prec_cmp;
    case Op::add:
    case Op::sub: return prec_add;
    case Op::mul:
    case Op::div: return prec_mul;
    case Op::neg: return prec_unary;
    case Op::pow: return prec_pow;
    default: return prec_atom;  // function calls
  }
}

// Minimum precedence of the left and right operand of a binary operator.
std::pair<int, int> operand_precedence(Op op) {
  switch (op) {
    case Op::logical_or: return {prec_or, prec_and};
    case Op::logical_and: return {prec_and, prec_not};
    case Op::add:
    case Op::sub: return {prec_add, prec_mul};
    case Op::mul:
    case Op::div: return {prec_mul, prec_unary};
    case Op::pow: return {prec_atom, prec_unary};  // right-associative; exponent may be unary
    default: return {prec_cmp, prec_add};          // comparisons, left-associative
  }
}

void print_number(double v, std::string& out) {
  if (std::isnan(v)) {
    out += "0/0";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "1/0" : "-1/0";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  out.append(buf, end);
}

void print(const Expr& e, std::string& out);

void print_operand(const Expr& e, int min_prec, std::string& out) {
  const bool parens = precedence(e) < min_prec;
  if (parens) out += '(';
  print(e, out);
  if (parens) out += ')';
}

void print(const Expr& e, std::string& out) {
  const Op op = e->op;
  if (op == Op::constant) return print_number(e->value, out);
  if (op == Op::symbol) {
    out += e->name;
    return;
  }
  if (op == Op::neg) {
    out += '-';
    return print_operand(e->args[0], prec_unary, out);
  }
  if (op == Op::logical_not) {
    out += "not ";
    return print_operand(e->args[0], prec_not, out);
  }
  if (is_binary(op)) {
    const auto [left, right] = operand_precedence(op);
    print_operand(e->args[0], left, out);
    out += binary_symbol(op);
    print_operand(e->args[1], right, out);
    return;
  }
  out += function_name(op);
  out += '(';
  std::size_t n = e->args.size();
  // piecewise without a real otherwise: leave it out; the parser appends the NaN again.
  if (op == Op::piecewise && n >= 3 && is_nan_constant(e->args.back())) --n;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    print(e->args[i], out);
  }
  out += ')';
}

// ---- evaluation -----------------------------------------------------------------------------
double eval(const Expr& e, const std::function<double(const std::string&)>& lookup) {
  const auto& a = e->args;
  auto arg = [&](std::size_t i) { return eval(a[i], lookup); };
  switch (e->op) {
    case Op::constant: return e->value;
    case Op::symbol: return lookup(e->name);
    case Op::add: return arg(0) + arg(1);
    case Op::sub: return arg(0) - arg(1);
    case Op::mul: return arg(0) * arg(1);
    case Op::div: return arg(0) / arg(1);
    case Op::pow: return std::pow(arg(0), arg(1));
    case Op::neg: return -arg(0);
    case Op::lt: return arg(0) < arg(1) ? 1.0 : 0.0;
    case Op::le: return arg(0) <= arg(1) ? 1.0 : 0.0;
    case Op::gt: return arg(0) > arg(1) ? 1.0 : 0.0;
    case Op::ge: return arg(0) >= arg(1) ? 1.0 : 0.0;
    case Op::eq: return arg(0) == arg(1) ? 1.0 : 0.0;
    case Op::ne: return arg(0) != arg(1) ? 1.0 : 0.0;
    case Op::logical_and: return (arg(0) != 0.0 && arg(1) != 0.0) ? 1.0 : 0.0;
    case Op::logical_or: return (arg(0) != 0.0 || arg(1) != 0.0) ? 1.0 : 0.0;
    case Op::logical_not: return arg(0) == 0.0 ? 1.0 : 0.0;
    case Op::delay: return arg(0);  // no history here: the value now, as before t0 + tau
    case Op::piecewise: {
      std::size_t i = 0;
      for (; i + 1 < a.size(); i += 2) {
        if (arg(i + 1) != 0.0) return arg(i);
      }
      return arg(i);
    }
    case Op::min:
    case Op::max: {
      // Left fold; ties as in differentiate() (a <= b picks a for min). NaN propagates.
      double m = arg(0);
      for (std::size_t i = 1; i < a.size(); ++i) {
        const double v = arg(i);
        if (std::isnan(v) || std::isnan(m)) return nan_value;
        if (e->op == Op::min ? v < m : v > m) m = v;
      }
      return m;
    }
    case Op::exp: return std::exp(arg(0));
    case Op::log: return std::log(arg(0));
    case Op::log10: return std::log10(arg(0));
    case Op::sqrt: return std::sqrt(arg(0));
    case Op::abs: return std::fabs(arg(0));
    case Op::sin: return std::sin(arg(0));
    case Op::cos: return std::cos(arg(0));
    case Op::tan: return std::tan(arg(0));
    case Op::asin: return std::asin(arg(0));
    case Op::acos: return std::acos(arg(0));
    case Op::atan: return std::atan(arg(0));
    case Op::factorial: return std::tgamma(arg(0) + 1.0);
    case Op::digamma: return digamma(arg(0));
    case Op::floor: return std::floor(arg(0));
    case Op::ceil: return std::ceil(arg(0));
  }
  return nan_value;
}

// ---- simplification -------------------------------------------------------------------------
bool is_value(const Expr& e, double v) { return e->op == Op::constant && e->value == v; }
bool is_const_node(const Expr& e) { return e->op == Op::constant; }

Expr fold(const Expr& e) {
  return constant(eval(e, [](const std::string&) -> double { return nan_value; }));
}

Expr simplify_piecewise(std::vector<Expr> a) {
  std::vector<Expr> kept;
  std::size_t i = 0;
  for (; i + 1 < a.size(); i += 2) {
    const Expr& c = a[i + 1];
    if (is_const_node(c)) {
      if (c->value == 0.0) continue;  // never taken
      break;                          // always taken: it is the otherwise
    }
    kept.push_back(a[i]);
    kept.push_back(c);
  }
  kept.push_back(a[i]);
  if (kept.size() == 1) return kept[0];
  return make(Op::piecewise, std::move(kept));
}

Expr simplify_node(Op op, std::vector<Expr> a, const Expr& original, bool changed) {
  auto rebuilt = [&]() { return changed ? make(op, a) : original; };
  if (op == Op::piecewise) return simplify_piecewise(std::move(a));

  bool all_const = true;
  for (const auto& x : a) all_const = all_const && is_const_node(x);
  if (all_const) return fold(rebuilt());

  switch (op) {
    case Op::add:
      if (is_value(a[1], 0.0)) return a[0];
      if (is_value(a[0], 0.0)) return a[1];
      if (a[1]->op == Op::neg) return make(Op::sub, {a[0], a[1]->args[0]});
      if (a[0]->op == Op::neg) return make(Op::sub, {a[1], a[0]->args[0]});
      break;
    case Op::sub:
      if (is_value(a[1], 0.0)) return a[0];
      if (is_value(a[0], 0.0)) return simplify_node(Op::neg, {a[1]}, nullptr, true);
      if (a[1]->op == Op::neg) return make(Op::add, {a[0], a[1]->args[0]});
      if (is_const_node(a[1]) && a[1]->value < 0)
        return make(Op::add, {a[0], constant(-a[1]->value)});
      break;
    case Op::mul:
      if (is_value(a[0], 0.0) || is_value(a[1], 0.0)) return constant(0.0);
      if (is_value(a[1], 1.0)) return a[0];
      if (is_value(a[0], 1.0)) return a[1];
      if (is_value(a[1], -1.0)) return simplify_node(Op::neg, {a[0]}, nullptr, true);
      if (is_value(a[0], -1.0)) return simplify_node(Op::neg, {a[1]}, nullptr, true);
      if (a[0]->op == Op::neg && a[1]->op == Op::neg)
        return make(Op::mul, {a[0]->args[0], a[1]->args[0]});
      // c1 * (c2 * x) -> (c1*c2) * x
      if (is_const_node(a[0]) && a[1]->op == Op::mul && is_const_node(a[1]->args[0])) {
        return simplify_node(Op::mul, {constant(a[0]->value * a[1]->args[0]->value), a[1]->args[1]},
                             nullptr, true);
      }
      // x * c -> c * x (constants first, so the rule above applies)
      if (is_const_node(a[1])) return simplify_node(Op::mul, {a[1], a[0]}, nullptr, true);
      break;
    case Op::div:
      if (is_value(a[0], 0.0)) return constant(0.0);
      if (is_value(a[1], 1.0)) return a[0];
      if (is_value(a[1], -1.0)) return simplify_node(Op::neg, {a[0]}, nullptr, true);
      break;
    case Op::pow:
      if (is_value(a[1], 1.0)) return a[0];
      if (is_value(a[1], 0.0)) return constant(1.0);
      if (is_value(a[0], 1.0)) return constant(1.0);
      break;
    case Op::neg:
      if (a[0]->op == Op::neg) return a[0]->args[0];
      if (a[0]->op == Op::sub) return make(Op::sub, {a[0]->args[1], a[0]->args[0]});
      break;
    case Op::logical_and:
      if (is_value(a[0], 0.0) || is_value(a[1], 0.0)) return constant(0.0);
      break;
    case Op::logical_or:
      if ((is_const_node(a[0]) && a[0]->value != 0.0) ||
          (is_const_node(a[1]) && a[1]->value != 0.0)) {
        return constant(1.0);
      }
      break;
    case Op::logical_not:
      if (a[0]->op == Op::logical_not && a[0]->args[0]->op >= Op::lt &&
          a[0]->args[0]->op <= Op::logical_not) {
        return a[0]->args[0];  // not not (boolean) -> boolean
      }
      break;
    default: break;
  }
  return rebuilt();
}

}  // namespace

// ---- construction ---------------------------------------------------------------------------
Expr constant(double v) {
  auto n = std::make_shared<ExprNode>();
  n->op = Op::constant;
  n->value = v;
  return n;
}

Expr symbol(std::string name) {
  auto n = std::make_shared<ExprNode>();
  n->op = Op::symbol;
  n->name = std::move(name);
  return n;
}

Expr make(Op op, std::vector<Expr> args) {
  check_arity(op, args.size());
  for (const auto& a : args) {
    if (!a) throw std::invalid_argument("gutskin::make: null operand");
  }
  auto n = std::make_shared<ExprNode>();
  n->op = op;
  n->args = std::move(args);
  return n;
}

std::string to_string(const Expr& e) {
  std::string out;
  print(e, out);
  return out;
}

double evaluate(const Expr& e, const std::function<double(const std::string&)>& lookup) {
  return eval(e, lookup);
}

Expr simplify(const Expr& e) {
  if (e->args.empty()) return e;
  std::vector<Expr> a;
  a.reserve(e->args.size());
  bool changed = false;
  for (const auto& x : e->args) {
    a.push_back(simplify(x));
    changed = changed || a.back() != x;
  }
  return simplify_node(e->op, std::move(a), e, changed);
}

Expr differentiate(const Expr& e, const std::string& var) {
  const auto& a = e->args;
  auto d = [&](std::size_t i) { return differentiate(a[i], var); };
  auto num = [](double v) { return constant(v); };
  auto mk = [](Op op, std::vector<Expr> args) { return make(op, std::move(args)); };
  Expr r;
  switch (e->op) {
    case Op::constant:
      return constant(std::isnan(e->value) ? nan_value : 0.0);  // undefined stays undefined
    case Op::symbol: return constant(e->name == var ? 1.0 : 0.0);
    case Op::delay: return constant(0.0);  // a past value does not depend on the present
    case Op::add: r = mk(Op::add, {d(0), d(1)}); break;
    case Op::sub: r = mk(Op::sub, {d(0), d(1)}); break;
    case Op::neg: r = mk(Op::neg, {d(0)}); break;
    case Op::mul: r = mk(Op::add, {mk(Op::mul, {d(0), a[1]}), mk(Op::mul, {a[0], d(1)})}); break;
    case Op::div:
      r = mk(Op::div, {mk(Op::sub, {mk(Op::mul, {d(0), a[1]}), mk(Op::mul, {a[0], d(1)})}),
                       mk(Op::pow, {a[1], num(2)})});
      break;
    case Op::pow: {
      // Exponent independent of var: power rule, which stays finite at a = 0 (e.g. Hill
      // functions at x = 0 with a symbolic n), unlike the general form with log(a) and 1/a.
      const Expr db = d(1);
      const Expr da = d(0);
      if (is_value(db, 0.0)) {
        r = mk(Op::mul,
               {mk(Op::mul, {a[1], mk(Op::pow, {a[0], mk(Op::sub, {a[1], num(1)})})}), da});
      } else if (is_value(da, 0.0)) {
        r = mk(Op::mul, {mk(Op::mul, {e, mk(Op::log, {a[0]})}), db});
      } else {
        r = mk(Op::mul, {e, mk(Op::add, {mk(Op::mul, {db, mk(Op::log, {a[0]})}),
                                         mk(Op::div, {mk(Op::mul, {a[1], da}), a[0]})})});
      }
      break;
    }
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge:
    case Op::eq:
    case Op::ne:
    case Op::logical_and:
    case Op::logical_or:
    case Op::logical_not:
    case Op::floor:
    case Op::ceil: return constant(0.0);
    case Op::piecewise: {
      std::vector<Expr> b;
      for (std::size_t i = 0; i < a.size(); ++i) b.push_back(i % 2 == 0 ? d(i) : a[i]);
      r = mk(Op::piecewise, std::move(b));
      break;
    }
    case Op::min:
    case Op::max: {
      // Left fold, as evaluate(): m_k = min(m_{k-1}, a_k), active branch by m_{k-1} <= a_k.
      const Op cmp = e->op == Op::min ? Op::le : Op::ge;
      Expr m = a[0];
      Expr dm = d(0);
      for (std::size_t i = 1; i < a.size(); ++i) {
        dm = mk(Op::piecewise, {dm, mk(cmp, {m, a[i]}), d(i)});
        m = i + 1 < a.size() ? mk(e->op, {m, a[i]}) : m;
      }
      r = dm;
      break;
    }
    case Op::exp: r = mk(Op::mul, {e, d(0)}); break;
    case Op::log: r = mk(Op::div, {d(0), a[0]}); break;
    case Op::log10: r = mk(Op::div, {d(0), mk(Op::mul, {a[0], num(std::log(10.0))})}); break;
    case Op::sqrt: r = mk(Op::div, {d(0), mk(Op::mul, {num(2), e})}); break;
    case Op::abs:
      r = mk(Op::piecewise, {d(0), mk(Op::ge, {a[0], num(0)}), mk(Op::neg, {d(0)})});
      break;
    case Op::sin: r = mk(Op::mul, {mk(Op::cos, {a[0]}), d(0)}); break;
    case Op::cos: r = mk(Op::neg, {mk(Op::mul, {mk(Op::sin, {a[0]}), d(0)})}); break;
    case Op::tan: r = mk(Op::div, {d(0), mk(Op::pow, {mk(Op::cos, {a[0]}), num(2)})}); break;
    case Op::asin:
    case Op::acos: {  // ±dx / sqrt(1 − x²)
      const Expr q = mk(Op::div, {d(0), mk(Op::sqrt, {mk(Op::sub, {num(1), mk(Op::pow, {a[0], num(2)})})})});
      r = e->op == Op::asin ? q : mk(Op::neg, {q});
      break;
    }
    case Op::atan: r = mk(Op::div, {d(0), mk(Op::add, {num(1), mk(Op::pow, {a[0], num(2)})})}); break;
    case Op::factorial:  // d x! = x! ψ(x + 1) dx
      r = mk(Op::mul, {mk(Op::mul, {e, mk(Op::digamma, {mk(Op::add, {a[0], num(1)})})}), d(0)});
      break;
    case Op::digamma: return constant(nan_value);  // trigamma is not needed: no second derivatives
  }
  return simplify(r);
}

Expr substitute(const Expr& e, const std::function<Expr(const std::string&)>& replacement) {
  if (e->op == Op::symbol) {
    Expr r = replacement(e->name);
    return r ? r : e;
  }
  if (e->args.empty()) return e;
  std::vector<Expr> a;
  a.reserve(e->args.size());
  bool changed = false;
  for (const auto& x : e->args) {
    a.push_back(substitute(x, replacement));
    changed = changed || a.back() != x;
  }
  return changed ? make(e->op, std::move(a)) : e;
}

void collect_symbols(const Expr& e, std::set<std::string>& out) {
  if (e->op == Op::symbol) out.insert(e->name);
  for (const auto& x : e->args) collect_symbols(x, out);
}

bool is_constant(const Expr& e) {
  if (e->op == Op::symbol) return false;
  for (const auto& x : e->args) {
    if (!is_constant(x)) return false;
  }
  return true;
}

std::string detail::expression_too_deep() {
  return "expression nested too deeply (more than " + std::to_string(kMaxExprDepth) + " levels)";
}

std::string detail::number_out_of_range(const std::string& text) {
  return "number '" + text + "' is out of range (at most 1.8e308 in magnitude)";
}

int detail::expression_depth(const Expr& e, int limit) { return expression_depth(e, nullptr, limit); }

int detail::expression_depth(const Expr& e, const std::function<int(const std::string&)>& symbol_depth,
                             int limit) {
  // Post-order with an explicit stack: a node's depth is known once all its operands' are.
  std::unordered_map<const ExprNode*, int> depth;
  std::vector<std::pair<const ExprNode*, bool>> stack{{e.get(), false}};
  while (!stack.empty()) {
    auto [node, operands_done] = stack.back();
    if (depth.count(node)) {
      stack.pop_back();
      continue;
    }
    if (!operands_done) {
      stack.back().second = true;
      for (const auto& a : node->args)
        if (!depth.count(a.get())) stack.emplace_back(a.get(), false);
      continue;
    }
    int d = node->op == Op::symbol && symbol_depth ? symbol_depth(node->name) : 1;
    for (const auto& a : node->args) d = std::max(d, depth.at(a.get()) + 1);
    if (d > limit) return limit + 1;
    depth.emplace(node, d);
    stack.pop_back();
  }
  return depth.at(e.get());
}

double digamma(double x) {
  if (x <= 0 && std::floor(x) == x) return nan_value;  // poles
  if (x < 0) return digamma(1.0 - x) - M_PI / std::tan(M_PI * x);  // reflection
  double r = 0.0;
  for (; x < 10.0; x += 1.0) r -= 1.0 / x;
  const double f = 1.0 / (x * x);
  return r + std::log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

}  // namespace gutskin
