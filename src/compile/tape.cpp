#include "compile/tape.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "gutskin/expr.hpp"

namespace gutskin::detail {

namespace {

template <class F>
void unary(const Instr* in, const Instr* end, double* s, F f) {
  for (; in != end; ++in) s[in->dst] = f(s[in->a]);
}
template <class F>
void binary(const Instr* in, const Instr* end, double* s, F f) {
  for (; in != end; ++in) s[in->dst] = f(s[in->a], s[in->b]);
}

// One group: every instruction has the same opcode, so the dispatch happens once per group and
// the loop body is a single operation the compiler can schedule tightly.
void run_group(TOp op, const Instr* in, const Instr* end, double* s) {
  switch (op) {
    case TOp::add: return binary(in, end, s, [](double a, double b) { return a + b; });
    case TOp::sub: return binary(in, end, s, [](double a, double b) { return a - b; });
    case TOp::mul: return binary(in, end, s, [](double a, double b) { return a * b; });
    case TOp::div: return binary(in, end, s, [](double a, double b) { return a / b; });
    case TOp::pow: return binary(in, end, s, [](double a, double b) { return std::pow(a, b); });
    case TOp::square: return unary(in, end, s, [](double a) { return a * a; });
    case TOp::neg: return unary(in, end, s, [](double a) { return -a; });
    case TOp::lt: return binary(in, end, s, [](double a, double b) { return double(a < b); });
    case TOp::le: return binary(in, end, s, [](double a, double b) { return double(a <= b); });
    case TOp::gt: return binary(in, end, s, [](double a, double b) { return double(a > b); });
    case TOp::ge: return binary(in, end, s, [](double a, double b) { return double(a >= b); });
    case TOp::eq: return binary(in, end, s, [](double a, double b) { return double(a == b); });
    case TOp::ne: return binary(in, end, s, [](double a, double b) { return double(a != b); });
    case TOp::logical_and:
      return binary(in, end, s, [](double a, double b) { return double(a != 0.0 && b != 0.0); });
    case TOp::logical_or:
      return binary(in, end, s, [](double a, double b) { return double(a != 0.0 || b != 0.0); });
    case TOp::logical_not: return unary(in, end, s, [](double a) { return double(a == 0.0); });
    case TOp::select:
      for (; in != end; ++in) s[in->dst] = s[in->a] != 0.0 ? s[in->b] : s[in->c];
      return;
    // NaN-propagating, like the reference evaluator (std::fmin would drop a NaN).
    case TOp::min:
      return binary(in, end, s, [](double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b); });
    case TOp::max:
      return binary(in, end, s, [](double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b); });
    case TOp::exp: return unary(in, end, s, [](double a) { return std::exp(a); });
    case TOp::log: return unary(in, end, s, [](double a) { return std::log(a); });
    case TOp::log10: return unary(in, end, s, [](double a) { return std::log10(a); });
    case TOp::sqrt: return unary(in, end, s, [](double a) { return std::sqrt(a); });
    case TOp::abs: return unary(in, end, s, [](double a) { return std::fabs(a); });
    case TOp::sin: return unary(in, end, s, [](double a) { return std::sin(a); });
    case TOp::cos: return unary(in, end, s, [](double a) { return std::cos(a); });
    case TOp::tan: return unary(in, end, s, [](double a) { return std::tan(a); });
    case TOp::asin: return unary(in, end, s, [](double a) { return std::asin(a); });
    case TOp::acos: return unary(in, end, s, [](double a) { return std::acos(a); });
    case TOp::atan: return unary(in, end, s, [](double a) { return std::atan(a); });
    case TOp::floor: return unary(in, end, s, [](double a) { return std::floor(a); });
    case TOp::ceil: return unary(in, end, s, [](double a) { return std::ceil(a); });
    case TOp::factorial: return unary(in, end, s, [](double a) { return std::tgamma(a + 1.0); });
    case TOp::digamma: return unary(in, end, s, [](double a) { return gutskin::digamma(a); });
  }
}

}  // namespace

void Program::schedule() {
  // Level of an instruction: 1 + the highest level among the instructions producing its
  // operands (slots nobody writes are level 0). Instructions of one level are independent.
  std::unordered_map<std::int32_t, int> level_of_slot;
  std::vector<int> level(code.size());
  auto lv = [&](std::int32_t slot) {
    auto it = level_of_slot.find(slot);
    return it == level_of_slot.end() ? 0 : it->second;
  };
  for (std::size_t i = 0; i < code.size(); ++i) {
    const Instr& in = code[i];
    level[i] = 1 + std::max({lv(in.a), lv(in.b), lv(in.c)});
    level_of_slot[in.dst] = level[i];
  }
  std::vector<std::size_t> order(code.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return std::tie(level[x], code[x].op) < std::tie(level[y], code[y].op);
  });
  std::vector<Instr> sorted;
  sorted.reserve(code.size());
  groups.clear();
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    if (k == 0 || level[i] != level[order[k - 1]] || code[i].op != sorted.back().op)
      groups.push_back({code[i].op, static_cast<std::uint32_t>(k), 0});
    sorted.push_back(code[i]);
    groups.back().end = static_cast<std::uint32_t>(k + 1);
  }
  code = std::move(sorted);
}

void Program::run(double* s) const {
  const Instr* base = code.data();
  for (const Group& g : groups) run_group(g.op, base + g.begin, base + g.end, s);
}

std::size_t Tape::size() const {
  return rhs.code.size() + jacobian.code.size() + variables.code.size() + observables.code.size() +
         roots.code.size() + triggers.code.size() + delay_args.code.size() + delay_times.code.size();
  // Not counted: initial values, event values, delays and priorities and the derivatives beyond
  // ∂f/∂x (see CompiledModel::tape_size).
}

}  // namespace gutskin::detail
