// How deeply an expression may nest, so that no input can drive a recursive walk over an Expr
// (printing, evaluation, differentiation, simplification, compiling into tapes, destruction) into
// a stack overflow. The parser and the SBML import refuse deeper expressions with a located
// InputError; what the engine derives from them (derivatives: a few levels per level) stays
// within a small multiple of the limit.
#pragma once

#include <functional>
#include <string>

#include "gutskin/expr.hpp"

namespace gutskin::detail {

/// The deepest expression accepted: a constant or a name has depth 1, `a + b` depth 2, and each
/// parenthesis, function call, unary operator or power also counts as a level while parsing.
inline constexpr int kMaxExprDepth = 1000;

/// "expression nested too deeply (more than 1000 levels)".
std::string expression_too_deep();

/// 1 for a constant or a symbol, else 1 + the deepest operand. Iterative (an explicit stack), and
/// linear in the distinct nodes (shared subexpressions are visited once). Stops early and returns
/// `limit + 1` once the depth exceeds `limit`.
int expression_depth(const Expr& e, int limit = kMaxExprDepth);

/// The same with each symbol counted as `symbol_depth(name)` levels instead of 1: the depth of e
/// once the definitions it uses (variables) are written in place of their names.
int expression_depth(const Expr& e, const std::function<int(const std::string&)>& symbol_depth,
                     int limit);

/// The deepest a model expression may be once the variables it uses are inlined: the engine
/// walks definitions in place (compiling, differentiating through them), so a chain of variables
/// recurses as deep as their expressions together.
inline constexpr int kMaxInlinedDepth = kMaxExprDepth;

/// "number '1e309' is out of range (at most 1.8e308 in magnitude)": a literal beyond a double,
/// which strtod would silently turn into infinity.
std::string number_out_of_range(const std::string& text);

}  // namespace gutskin::detail
