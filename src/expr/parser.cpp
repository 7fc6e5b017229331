// Recursive-descent parser for the expression language (grammar in gutskin/expr.hpp).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "expr/depth.hpp"
#include "gutskin/expr.hpp"

namespace gutskin {

namespace {

enum class Tok : unsigned char {
  end,
  number,
  name,
  lparen,
  rparen,
  comma,
  plus,
  minus,
  star,
  slash,
  caret,
  lt,
  le,
  gt,
  ge,
  eq,
  ne,
  kw_and,
  kw_or,
  kw_not,
};

struct Token {
  Tok kind = Tok::end;
  std::string_view text;  // as written
  std::size_t pos = 0;    // 0-based offset in the expression text
  double value = 0.0;     // for numbers
};

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

// Functions the parser knows (including those expanded into basic operations).
const std::vector<std::string>& function_names() {
  static const std::vector<std::string> names = {
      "floor", "ceil", "exp", "log", "ln",        "log10", "sqrt", "abs",      "sin", "cos",
      "tan",   "asin", "acos", "atan", "factorial", "digamma", "min",  "max", "pow", "piecewise", "if",    "hill", "hill_inh", "mm", "delay"};
  return names;
}

struct UnaryFunction {
  std::string_view name;
  Op op;
};
constexpr UnaryFunction unary_functions[] = {
    {"exp", Op::exp},   {"log", Op::log},     {"ln", Op::log},    {"log10", Op::log10},
    {"sqrt", Op::sqrt}, {"abs", Op::abs},     {"sin", Op::sin},   {"cos", Op::cos},
    {"tan", Op::tan},   {"asin", Op::asin},   {"acos", Op::acos}, {"atan", Op::atan},
    {"floor", Op::floor}, {"ceil", Op::ceil}, {"factorial", Op::factorial},
    {"digamma", Op::digamma},
};

class Parser {
 public:
  Parser(std::string_view text, const SourceLoc& where) : text_(text), where_(where) { advance(); }

  Expr parse() {
    Expr e = parse_or();
    if (tok_.kind != Tok::end) {
      fail(tok_.pos, "unexpected '" + std::string(tok_.text) +
                         "' (expected an operator or end of expression)");
    }
    return e;
  }

 private:
  [[noreturn]] void fail(std::size_t pos, std::string message) const {
    SourceLoc loc = where_;
    loc.column =
        where_.column > 0 ? where_.column + static_cast<int>(pos) : static_cast<int>(pos) + 1;
    throw InputError(std::move(loc), std::move(message));
  }

  std::string describe(const Token& t) const {
    return t.kind == Tok::end ? "end of expression" : "'" + std::string(t.text) + "'";
  }

  // ---- lexer ----
  void advance() {
    std::size_t i = pos_;
    while (i < text_.size() &&
           (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) {
      ++i;
    }
    tok_ = Token{};
    tok_.pos = i;
    if (i >= text_.size()) {
      pos_ = i;
      return;
    }
    const char c = text_[i];
    std::size_t len = 1;
    if (is_digit(c) || (c == '.' && i + 1 < text_.size() && is_digit(text_[i + 1]))) {
      lex_number(i);
      return;
    }
    if (is_name_start(c)) {
      while (i + len < text_.size() && is_name_char(text_[i + len])) ++len;
      const std::string_view word = text_.substr(i, len);
      tok_.kind = word == "and"   ? Tok::kw_and
                  : word == "or"  ? Tok::kw_or
                  : word == "not" ? Tok::kw_not
                                  : Tok::name;
    } else {
      const char next = i + 1 < text_.size() ? text_[i + 1] : '\0';
      switch (c) {
        case '(': tok_.kind = Tok::lparen; break;
        case ')': tok_.kind = Tok::rparen; break;
        case ',': tok_.kind = Tok::comma; break;
        case '+': tok_.kind = Tok::plus; break;
        case '-': tok_.kind = Tok::minus; break;
        case '*': tok_.kind = Tok::star; break;
        case '/': tok_.kind = Tok::slash; break;
        case '^': tok_.kind = Tok::caret; break;
        case '<':
          tok_.kind = next == '=' ? Tok::le : Tok::lt;
          len = next == '=' ? 2 : 1;
          break;
        case '>':
          tok_.kind = next == '=' ? Tok::ge : Tok::gt;
          len = next == '=' ? 2 : 1;
          break;
        case '=':
          if (next != '=') bad_character(i);
          tok_.kind = Tok::eq, len = 2;
          break;
        case '!':
          tok_.kind = next == '=' ? Tok::ne : Tok::kw_not;
          len = next == '=' ? 2 : 1;
          break;
        case '&':
          if (next != '&') bad_character(i);
          tok_.kind = Tok::kw_and, len = 2;
          break;
        case '|':
          if (next != '|') bad_character(i);
          tok_.kind = Tok::kw_or, len = 2;
          break;
        default: bad_character(i);
      }
    }
    tok_.text = text_.substr(i, len);
    pos_ = i + len;
  }

  [[noreturn]] void bad_character(std::size_t i) const {
    std::size_t len = 1;
    // Show a whole UTF-8 sequence rather than a lone lead byte.
    if (static_cast<unsigned char>(text_[i]) >= 0xC0) {
      while (i + len < text_.size() && (static_cast<unsigned char>(text_[i + len]) & 0xC0) == 0x80)
        ++len;
    }
    fail(i, "unexpected character '" + std::string(text_.substr(i, len)) + "'");
  }

  // A number is digits/dots, an optional exponent with sign, and then anything name-like that is
  // glued to it (so "2x" and "1.2.3" are reported whole as invalid numbers).
  static bool plain_mantissa(std::string_view s) {
    for (char ch : s) {
      if (!is_digit(ch) && ch != '.') return false;
    }
    return true;
  }

  void lex_number(std::size_t i) {
    std::size_t j = i;
    while (j < text_.size()) {
      const char ch = text_[j];
      if (is_name_char(ch) || ch == '.') {
        ++j;
      } else if ((ch == '+' || ch == '-') && (text_[j - 1] == 'e' || text_[j - 1] == 'E') &&
                 plain_mantissa(text_.substr(i, j - 1 - i))) {
        ++j;  // sign of an exponent
      } else {
        break;
      }
    }
    const std::string_view s = text_.substr(i, j - i);
    double v = 0.0;
    const auto [end, ec] =
        std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
    const bool whole = end == s.data() + s.size();
    if (!whole || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      fail(i, "invalid number '" + std::string(s) + "'");
    }
    if (ec == std::errc::result_out_of_range) v = std::strtod(std::string(s).c_str(), nullptr);
    if (std::isinf(v)) fail(i, detail::number_out_of_range(std::string(s)));  // 1e309 (1e-400: 0)
    tok_.kind = Tok::number;
    tok_.text = s;
    tok_.pos = i;
    tok_.value = v;
    pos_ = j;
  }

  // ---- grammar ----
  template <typename F>
  Expr left_assoc(F next, std::initializer_list<std::pair<Tok, Op>> ops) {
    Expr l = (this->*next)();
    for (;;) {
      bool matched = false;
      for (const auto& [t, op] : ops) {
        if (tok_.kind == t) {
          const std::size_t at = tok_.pos;
          advance();
          Expr r = (this->*next)();
          l = node(at, op, {l, r});
          matched = true;
          break;
        }
      }
      if (!matched) return l;
    }
  }

  // Bounds recursion so that hostile input cannot overflow the stack (the library also serves
  // the web UI); no real model comes near it. Two measures: the grammar's recursion (one level
  // per parenthesis, argument list, unary operator and power; max_nesting) and the depth of the
  // tree built (kMaxExprDepth, expr/depth.hpp), which left-associative chains (a + a + ... + a) grow without
  // any recursion here but every later walk over the tree recurses through.
  // The grammar's recursion costs about 15 frames per level (over 10 kB under AddressSanitizer,
  // which overflowed 8 MB at 800 nested calls), so it has its own, lower limit: 250 levels, as
  // before (the old guard counted 500, two per parenthesis).
  static constexpr int max_depth = detail::kMaxExprDepth;
  static constexpr int max_nesting = 250;
  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser) {
      if (++p.depth_ > max_nesting) {
        p.fail(p.tok_.pos, "expression nested too deeply (more than " + std::to_string(max_nesting) +
                               " levels of parentheses, function calls, unary operators and powers)");
      }
    }
    ~DepthGuard() { --p.depth_; }
  };

  // make(), refusing a node deeper than max_depth (reported at `at`, its operator or function).
  Expr node(std::size_t at, Op op, std::vector<Expr> args) {
    int d = 1;
    for (const auto& a : args) {
      const auto it = tree_depth_.find(a.get());
      d = std::max(d, (it == tree_depth_.end() ? 1 : it->second) + 1);
    }
    if (d > max_depth) fail(at, detail::expression_too_deep());
    Expr e = make(op, std::move(args));
    tree_depth_.emplace(e.get(), d);
    keep_.push_back(e);  // the map's keys must not be freed and reused while parsing
    return e;
  }

  Expr parse_or() {
    DepthGuard guard(*this);
    return left_assoc(&Parser::parse_and, {{Tok::kw_or, Op::logical_or}});
  }
  Expr parse_and() { return left_assoc(&Parser::parse_not, {{Tok::kw_and, Op::logical_and}}); }

  Expr parse_not() {
    if (tok_.kind == Tok::kw_not) {
      DepthGuard guard(*this);
      const std::size_t at = tok_.pos;
      advance();
      return node(at, Op::logical_not, {parse_not()});
    }
    return parse_comparison();
  }

  Expr parse_comparison() {
    return left_assoc(&Parser::parse_additive, {{Tok::lt, Op::lt},
                                                {Tok::le, Op::le},
                                                {Tok::gt, Op::gt},
                                                {Tok::ge, Op::ge},
                                                {Tok::eq, Op::eq},
                                                {Tok::ne, Op::ne}});
  }
  Expr parse_additive() {
    return left_assoc(&Parser::parse_multiplicative, {{Tok::plus, Op::add}, {Tok::minus, Op::sub}});
  }
  Expr parse_multiplicative() {
    return left_assoc(&Parser::parse_unary, {{Tok::star, Op::mul}, {Tok::slash, Op::div}});
  }

  Expr parse_unary() {
    if (tok_.kind == Tok::minus) {
      DepthGuard guard(*this);
      const std::size_t at = tok_.pos;
      advance();
      Expr operand = parse_unary();
      // A negative literal is a constant, so numbers round-trip through to_string exactly.
      if (operand->op == Op::constant) return constant(-operand->value);
      return node(at, Op::neg, {operand});
    }
    if (tok_.kind == Tok::plus) {
      DepthGuard guard(*this);
      advance();
      return parse_unary();
    }
    return parse_power();
  }

  Expr parse_power() {
    Expr base = parse_primary();
    if (tok_.kind == Tok::caret) {
      DepthGuard guard(*this);
      const std::size_t at = tok_.pos;
      advance();
      Expr exponent = parse_unary();
      return node(at, Op::pow, {base, exponent});  // right-associative
    }
    return base;
  }

  Expr parse_primary() {
    const Token t = tok_;
    switch (t.kind) {
      case Tok::number: advance(); return constant(t.value);
      case Tok::lparen: {
        advance();
        Expr e = parse_or();
        expect_rparen();
        return e;
      }
      case Tok::name: {
        advance();
        if (tok_.kind == Tok::lparen) return parse_call(t);
        if (t.text == "true") return constant(1.0);
        if (t.text == "false") return constant(0.0);
        if (t.text == "t" || t.text == "time") return symbol("time");
        return symbol(std::string(t.text));
      }
      case Tok::end: fail(t.pos, "unexpected end of expression (expected an expression)");
      default: fail(t.pos, "unexpected '" + std::string(t.text) + "' (expected an expression)");
    }
  }

  void expect_rparen() {
    if (tok_.kind != Tok::rparen) fail(tok_.pos, "expected ')' but found " + describe(tok_));
    advance();
  }

  Expr parse_call(const Token& name_tok) {
    const std::string name(name_tok.text);
    const auto& known = function_names();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string msg = "unknown function '" + name + "'";
      const std::string guess = closest_name(name, known);
      if (!guess.empty()) msg += " (did you mean '" + guess + "'?)";
      fail(name_tok.pos, msg);
    }
    advance();  // '('
    std::vector<Expr> args;
    if (tok_.kind != Tok::rparen) {
      for (;;) {
        args.push_back(parse_or());
        if (tok_.kind != Tok::comma) break;
        advance();
      }
    }
    expect_rparen();

    auto arity = [&](std::size_t n) {
      if (args.size() != n) {
        fail(name_tok.pos, "'" + name + "' expects " + std::to_string(n) +
                               (n == 1 ? " argument" : " arguments") + ", got " +
                               std::to_string(args.size()));
      }
    };
    auto at_least = [&](std::size_t n) {
      if (args.size() < n) {
        fail(name_tok.pos, "'" + name + "' expects at least " + std::to_string(n) +
                               (n == 1 ? " argument" : " arguments") + ", got " +
                               std::to_string(args.size()));
      }
    };

    const std::size_t at = name_tok.pos;
    for (const auto& f : unary_functions) {
      if (f.name == name) {
        arity(1);
        return node(at, f.op, std::move(args));
      }
    }
    if (name == "min" || name == "max") {
      at_least(2);
      return node(at, name == "min" ? Op::min : Op::max, std::move(args));
    }
    if (name == "pow") {
      arity(2);
      return node(at, Op::pow, std::move(args));
    }
    if (name == "delay") {
      arity(2);
      return node(at, Op::delay, std::move(args));
    }
    if (name == "piecewise") {
      at_least(1);
      // No otherwise: undefined when no condition holds (SBML semantics).
      if (args.size() % 2 == 0) args.push_back(constant(std::numeric_limits<double>::quiet_NaN()));
      return node(at, Op::piecewise, std::move(args));
    }
    if (name == "if") {
      arity(3);
      return node(at, Op::piecewise, {args[1], args[0], args[2]});
    }
    if (name == "mm") {
      arity(2);
      return node(at, Op::div, {args[0], node(at, Op::add, {args[1], args[0]})});
    }
    // hill, hill_inh
    arity(3);
    const Expr xn = node(at, Op::pow, {args[0], args[2]});
    const Expr kn = node(at, Op::pow, {args[1], args[2]});
    return node(at, Op::div, {name == "hill" ? xn : kn, node(at, Op::add, {kn, xn})});
  }

  std::string_view text_;
  SourceLoc where_;
  std::size_t pos_ = 0;  // next character for the lexer
  Token tok_;            // current token
  int depth_ = 0;        // current recursion depth of the grammar rules
  std::unordered_map<const ExprNode*, int> tree_depth_;  // of the nodes made (leaves: 1)
  std::vector<Expr> keep_;
};

}  // namespace

Expr parse_expression(std::string_view text, const SourceLoc& where) {
  return Parser(text, where).parse();
}

}  // namespace gutskin
