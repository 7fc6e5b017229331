// Units: a small recursive-descent parser over a table of symbols, and conversion by factors.
//
//   unit    := term (('*' | ' ' | '/') term)*      '/' divides by the next term only (left to right)
//   term    := atom ('^' signed-number)?
//   atom    := symbol | number | '(' unit ')'
//
// Every symbol maps to a factor to the canonical unit of its dimension and a vector of powers.
//
// Limits (a located InputError beyond them, never undefined behaviour or a stack overflow):
// an exponent, and the power of each dimension in the whole unit, at most kMaxPower in magnitude;
// parentheses nested at most kMaxParentheses deep.
#include "gutskin/units.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace gutskin {
namespace {

constexpr int kDims = static_cast<int>(Dim::n_dims);
using Powers = std::array<int, kDims>;

constexpr int kMaxPower = 100;        // no real unit comes near m^100
constexpr int kMaxParentheses = 100;  // atom := '(' unit ')' recurses once per level

struct Symbol {
  const char* name;
  double factor;  // to canonical unit of `dim`
  Dim dim;
  bool dimensionless = false;  // `1`, `%`: no dimension, only a factor
};

// µ as U+00B5 (micro sign) and U+03BC (Greek mu); both are typed in the wild.
#define GS_MICRO_SIGN "\xC2\xB5"
#define GS_GREEK_MU "\xCE\xBC"

const std::vector<Symbol>& symbols() {
  static const std::vector<Symbol> table = {
      // time (canonical: day)
      {"s", 1.0 / 86400.0, Dim::time},
      {"min", 1.0 / 1440.0, Dim::time},
      {"h", 1.0 / 24.0, Dim::time},
      {"hour", 1.0 / 24.0, Dim::time},
      {"hours", 1.0 / 24.0, Dim::time},
      {"d", 1.0, Dim::time},
      {"day", 1.0, Dim::time},
      {"days", 1.0, Dim::time},
      {"week", 7.0, Dim::time},
      {"weeks", 7.0, Dim::time},
      {"month", 30.4375, Dim::time},
      {"months", 30.4375, Dim::time},
      {"year", 365.25, Dim::time},
      {"years", 365.25, Dim::time},
      // mass (canonical: g)
      {"pg", 1e-12, Dim::mass},
      {"ng", 1e-9, Dim::mass},
      {"ug", 1e-6, Dim::mass},
      {GS_MICRO_SIGN "g", 1e-6, Dim::mass},
      {GS_GREEK_MU "g", 1e-6, Dim::mass},
      {"mg", 1e-3, Dim::mass},
      {"g", 1.0, Dim::mass},
      {"kg", 1e3, Dim::mass},
      // amount (canonical: mol)
      {"pmol", 1e-12, Dim::amount},
      {"nmol", 1e-9, Dim::amount},
      {"umol", 1e-6, Dim::amount},
      {GS_MICRO_SIGN "mol", 1e-6, Dim::amount},
      {GS_GREEK_MU "mol", 1e-6, Dim::amount},
      {"mmol", 1e-3, Dim::amount},
      {"mol", 1.0, Dim::amount},
      // volume (canonical: L)
      {"uL", 1e-6, Dim::volume},
      {GS_MICRO_SIGN "L", 1e-6, Dim::volume},
      {GS_GREEK_MU "L", 1e-6, Dim::volume},
      {"mL", 1e-3, Dim::volume},
      {"dL", 1e-1, Dim::volume},
      {"L", 1.0, Dim::volume},
      // length (canonical: m)
      {"um", 1e-6, Dim::length},
      {GS_MICRO_SIGN "m", 1e-6, Dim::length},
      {GS_GREEK_MU "m", 1e-6, Dim::length},
      {"mm", 1e-3, Dim::length},
      {"cm", 1e-2, Dim::length},
      {"m", 1.0, Dim::length},
      // counts (canonical: one organism / cell / copy)
      {"CFU", 1.0, Dim::count},
      {"cells", 1.0, Dim::count},
      {"cell", 1.0, Dim::count},
      {"copies", 1.0, Dim::count},
      // arbitrary model units and clinical scores
      {"AU", 1.0, Dim::arbitrary},
      {"score", 1.0, Dim::arbitrary},
      // metabolic equivalents (exercise dose); its own dimension
      {"MET", 1.0, Dim::energy},
      // dimensionless
      {"%", 0.01, Dim::time, true},
  };
  return table;
}

std::vector<std::string> symbol_names() {
  std::vector<std::string> names;
  for (const auto& s : symbols()) names.emplace_back(s.name);
  return names;
}

const Symbol* find_symbol(std::string_view name) {
  for (const auto& s : symbols())
    if (name == s.name) return &s;
  return nullptr;
}

bool is_symbol_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) || c == '_' || c == '%' || u >= 0x80;  // ≥0x80: UTF-8 (µ)
}

// Reads a decimal number (1, 2.5, 1e10, .5) at `pos`; returns false if there is none.
bool read_number(std::string_view s, std::size_t& pos, double& value) {
  std::size_t i = pos;
  bool digits = false;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, digits = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, digits = true;
  }
  if (!digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      i = j;
    }
  }
  const std::string text(s.substr(pos, i - pos));
  value = std::strtod(text.c_str(), nullptr);
  pos = i;
  return true;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

class UnitParser {
 public:
  UnitParser(std::string_view text, const SourceLoc& where) : s_(text), where_(where) {}

  Unit parse() {
    skip_space();
    Unit u = product();
    skip_space();
    if (pos_ < s_.size()) malformed();
    return u;
  }

 private:
  std::string_view s_;
  const SourceLoc& where_;
  std::size_t pos_ = 0;
  int parentheses_ = 0;  // open '(' around the current position

  [[noreturn]] void malformed() const {
    throw InputError(where_, "malformed unit '" + trim(s_) + "'");
  }

  [[noreturn]] void power_out_of_range(const std::string& what) const {
    throw InputError(where_, what + " in unit '" + trim(s_) + "' is out of range (at most " +
                                 std::to_string(kMaxPower) + " in magnitude)");
  }

  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }

  bool at_term_start() const {
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    return is_symbol_byte(c) || c == '(' || c == '.' || std::isdigit(static_cast<unsigned char>(c));
  }

  Unit product() {
    Unit acc = term();
    for (;;) {
      const std::size_t before = pos_;
      skip_space();
      if (pos_ >= s_.size()) return acc;
      const char c = s_[pos_];
      if (c == '*' || c == '/') {
        ++pos_;
        skip_space();
        Unit rhs = term();
        combine(acc, rhs, c == '*' ? 1 : -1, std::string(1, c));
        check_powers(acc);
      } else if (pos_ > before && at_term_start()) {  // implicit product: `MET h`
        Unit rhs = term();
        combine(acc, rhs, 1, " ");
        check_powers(acc);
      } else {
        pos_ = before;
        return acc;
      }
    }
  }

  // Both operands are within ±kMaxPower, so the sum cannot overflow; the result is checked here.
  void check_powers(const Unit& u) const {
    for (int d = 0; d < kDims; ++d)
      if (u.powers[d] > kMaxPower || u.powers[d] < -kMaxPower)
        power_out_of_range("the power " + std::to_string(u.powers[d]) + " of a dimension");
  }

  static void combine(Unit& acc, const Unit& rhs, int sign, const std::string& op) {
    acc.factor = sign > 0 ? acc.factor * rhs.factor : acc.factor / rhs.factor;
    for (int d = 0; d < kDims; ++d) acc.powers[d] += sign * rhs.powers[d];
    acc.text += op + rhs.text;
  }

  Unit term() {
    Unit u = atom();
    const std::size_t after_atom = pos_;
    skip_space();
    if (pos_ >= s_.size() || s_[pos_] != '^') {
      pos_ = after_atom;  // the space may separate an implicit product
      return u;
    }
    {
      ++pos_;
      skip_space();
      std::size_t start = pos_;
      double sign = 1.0;
      if (pos_ < s_.size() && (s_[pos_] == '-' || s_[pos_] == '+')) {
        if (s_[pos_] == '-') sign = -1.0;
        ++pos_;
      }
      double e = 0.0;
      bool paren = false;
      if (pos_ < s_.size() && s_[pos_] == '(') {  // g^(-1)
        paren = true;
        ++pos_;
        if (pos_ < s_.size() && (s_[pos_] == '-' || s_[pos_] == '+')) {
          if (s_[pos_] == '-') sign = -sign;
          ++pos_;
        }
      }
      if (!read_number(s_, pos_, e)) malformed();
      if (paren) {
        if (pos_ >= s_.size() || s_[pos_] != ')') malformed();
        ++pos_;
      }
      e *= sign;
      // Checked before the conversion to int, which is undefined beyond int's range.
      if (!(std::fabs(e) <= kMaxPower))
        power_out_of_range("the exponent " + std::string(s_.substr(start, pos_ - start)));
      const bool has_dims = u.powers != Powers{};
      if (has_dims && e != std::round(e)) malformed();
      u.factor = std::pow(u.factor, e);
      for (auto& p : u.powers) p *= static_cast<int>(e);
      check_powers(u);
      u.text += "^" + std::string(s_.substr(start, pos_ - start));
    }
    return u;
  }

  Unit atom() {
    if (pos_ >= s_.size()) malformed();
    const char c = s_[pos_];
    Unit u;
    if (c == '(') {
      if (++parentheses_ > kMaxParentheses)
        throw InputError(where_, "unit nested too deeply (more than " +
                                     std::to_string(kMaxParentheses) + " levels of parentheses)");
      ++pos_;
      skip_space();
      u = product();
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != ')') malformed();
      ++pos_;
      --parentheses_;
      u.text = "(" + u.text + ")";
      return u;
    }
    double v = 0.0;
    const std::size_t start = pos_;
    if (read_number(s_, pos_, v)) {
      u.factor = v;
      u.text = std::string(s_.substr(start, pos_ - start));
      return u;
    }
    if (!is_symbol_byte(c)) malformed();
    if (c == '%') {
      ++pos_;
    } else {
      while (pos_ < s_.size() && is_symbol_byte(s_[pos_]) && s_[pos_] != '%') ++pos_;
    }
    const std::string name(s_.substr(start, pos_ - start));
    const Symbol* sym = find_symbol(name);
    if (!sym) {
      const std::string near = closest_name(name, symbol_names());
      throw InputError(where_, "unknown unit '" + name + "'" +
                                   (near.empty() ? "" : " (did you mean '" + near + "'?)"));
    }
    u.factor = sym->factor;
    if (!sym->dimensionless) u.powers[static_cast<int>(sym->dim)] = 1;
    u.text = name;
    return u;
  }
};

}  // namespace

bool Unit::dimensionless() const { return powers == Powers{}; }

bool Unit::same_dimension(const Unit& other) const { return powers == other.powers; }

Unit parse_unit(std::string_view text, const SourceLoc& where) {
  const std::string t = trim(text);
  if (t.empty()) {
    Unit u;
    u.text = "1";
    return u;
  }
  return UnitParser(t, where).parse();
}

double convert(double value, const Unit& from, const Unit& to, const SourceLoc& where) {
  if (!from.same_dimension(to))
    throw InputError(where, "cannot convert '" + from.text + "' to '" + to.text +
                                "' (different dimensions)");
  return value * from.factor / to.factor;
}

Quantity parse_quantity(std::string_view text, const SourceLoc& where) {
  const std::string t = trim(text);
  std::size_t pos = 0;
  double sign = 1.0;
  if (pos < t.size() && (t[pos] == '-' || t[pos] == '+')) {
    if (t[pos] == '-') sign = -1.0;
    ++pos;
  }
  double value = 0.0;
  if (!read_number(t, pos, value))
    throw InputError(where, "expected a quantity like '7 days', got '" + t + "'");
  // `10^10 CFU/day`: a power of the leading number belongs to the value.
  std::size_t p = pos;
  while (p < t.size() && t[p] == ' ') ++p;
  if (p < t.size() && t[p] == '^') {
    ++p;
    while (p < t.size() && t[p] == ' ') ++p;
    double esign = 1.0;
    if (p < t.size() && (t[p] == '-' || t[p] == '+')) {
      if (t[p] == '-') esign = -1.0;
      ++p;
    }
    double e = 0.0;
    if (!read_number(t, p, e))
      throw InputError(where, "expected a quantity like '7 days', got '" + t + "'");
    value = std::pow(value, esign * e);
    pos = p;
  }
  // 1e309 or 10^400: strtod and pow give infinity, which nothing downstream can tell from a value.
  if (std::isinf(value))
    throw InputError(where, "quantity '" + t + "' is out of range (at most 1.8e308 in magnitude)");
  Quantity q;
  q.value = sign * value;
  std::string rest = trim(std::string_view(t).substr(pos));
  if (!rest.empty() && rest.front() == '/') rest = "1" + rest;  // `0.5/day`
  q.unit = parse_unit(rest, where);
  return q;
}

double parse_quantity_in(std::string_view text, const Unit& target, const SourceLoc& where) {
  const Quantity q = parse_quantity(text, where);
  // A bare number is taken to be in the target unit already.
  if (q.unit.text == "1") return q.value;
  return convert(q.value, q.unit, target, where);
}

const Unit& day_unit() {
  static const Unit day = [] {
    Unit u;
    u.text = "day";
    u.powers[static_cast<int>(Dim::time)] = 1;
    return u;
  }();
  return day;
}

}  // namespace gutskin
