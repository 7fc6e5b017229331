#include "compile/tape.hpp"

#include <cmath>

namespace gutskin::detail {

void Program::run(double* s) const {
  for (const Instr& in : code) {
    const double a = s[in.a];
    double r;
    switch (in.op) {
      case TOp::add: r = a + s[in.b]; break;
      case TOp::sub: r = a - s[in.b]; break;
      case TOp::mul: r = a * s[in.b]; break;
      case TOp::div: r = a / s[in.b]; break;
      case TOp::pow: r = std::pow(a, s[in.b]); break;
      case TOp::square: r = a * a; break;
      case TOp::neg: r = -a; break;
      case TOp::lt: r = a < s[in.b]; break;
      case TOp::le: r = a <= s[in.b]; break;
      case TOp::gt: r = a > s[in.b]; break;
      case TOp::ge: r = a >= s[in.b]; break;
      case TOp::eq: r = a == s[in.b]; break;
      case TOp::ne: r = a != s[in.b]; break;
      case TOp::logical_and: r = (a != 0.0) && (s[in.b] != 0.0); break;
      case TOp::logical_or: r = (a != 0.0) || (s[in.b] != 0.0); break;
      case TOp::logical_not: r = a == 0.0; break;
      case TOp::select: r = a != 0.0 ? s[in.b] : s[in.c]; break;
      case TOp::min: r = std::fmin(a, s[in.b]); break;
      case TOp::max: r = std::fmax(a, s[in.b]); break;
      case TOp::exp: r = std::exp(a); break;
      case TOp::log: r = std::log(a); break;
      case TOp::log10: r = std::log10(a); break;
      case TOp::sqrt: r = std::sqrt(a); break;
      case TOp::abs: r = std::fabs(a); break;
      case TOp::sin: r = std::sin(a); break;
      case TOp::cos: r = std::cos(a); break;
      case TOp::tan: r = std::tan(a); break;
      case TOp::asin: r = std::asin(a); break;
      case TOp::acos: r = std::acos(a); break;
      case TOp::atan: r = std::atan(a); break;
      case TOp::floor: r = std::floor(a); break;
      case TOp::ceil: r = std::ceil(a); break;
      default: r = NAN; break;
    }
    s[in.dst] = r;
  }
}

std::size_t Tape::size() const {
  return rhs.code.size() + jacobian.code.size() + variables.code.size() + observables.code.size() +
         roots.code.size() + triggers.code.size();
}

}  // namespace gutskin::detail
