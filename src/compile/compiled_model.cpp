// Compiles a model's expressions into register tapes: the right-hand side, initial values,
// sparse analytic derivatives (symbolic differentiation, chain rule through variables:
// ∂f/∂x, ∂f/∂p, ∂x0/∂p, ∂observable/∂x and /∂p), observables, variables, event
// roots/triggers and the values, delays and priorities of events.
#include "gutskin/compiled_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "compile/tape.hpp"

namespace gutskin {

using detail::Instr;
using detail::Program;
using detail::Tape;
using detail::TOp;

namespace {

// Virtual slot ids while building: fixed slots (time, states, parameters, inputs) as they are,
// constants and temporaries tagged, relocated once the constant pool is complete.
constexpr std::int32_t kTempTag = 1 << 28;
std::int32_t const_id(std::size_t k) { return -static_cast<std::int32_t>(k) - 1; }

struct Names {
  enum class Kind { time, state, parameter, input, variable };
  struct Ref { Kind kind; int index; };
  std::unordered_map<std::string, Ref> refs;

  explicit Names(const Model& m) {
    refs["time"] = {Kind::time, 0};
    for (int i = 0; i < static_cast<int>(m.states.size()); ++i) refs[m.states[i].name] = {Kind::state, i};
    for (int i = 0; i < static_cast<int>(m.parameters.size()); ++i)
      refs[m.parameters[i].name] = {Kind::parameter, i};
    for (int i = 0; i < static_cast<int>(m.inputs.size()); ++i) refs[m.inputs[i].name] = {Kind::input, i};
    for (int i = 0; i < static_cast<int>(m.variables.size()); ++i)
      refs[m.variables[i].name] = {Kind::variable, i};
  }
  const Ref* find(const std::string& name) const {
    auto it = refs.find(name);
    return it == refs.end() ? nullptr : &it->second;
  }
};

/// An independent quantity derivatives are taken with respect to: a state or a parameter slot.
struct Wrt {
  enum class Kind { state, parameter };
  Kind kind;
  int index;
  auto operator<=>(const Wrt&) const = default;
};

/// What names mean in one family of programs: a name either reads a fixed slot (time, state,
/// parameter, input, root or delayed value) or is *defined* by an expression emitted in its
/// place. Variables are definitions everywhere; in initial values so are the states, the
/// parameters with an initial assignment and the delayed values (delay(x, tau) is x before
/// t0 + tau).
struct Scope {
  std::vector<std::pair<std::string, Expr>> defs;
  std::unordered_map<std::string, int> index;
  // pow(x, 2) as x·x (faster), in the expressions emitted and in the definitions they use.
  // std::pow(x, 2) may differ from x·x in the last bit, so programs that must match the
  // reference evaluator `evaluate` keep std::pow where it would: initial values everywhere;
  // event values, delays and priorities in their own expressions only (that evaluator read the
  // variables from the variables program, which squares).
  bool square_for_pow2 = true;
  bool square_for_pow2_in_definitions = true;

  void define(const std::string& name, Expr e) {
    index.emplace(name, static_cast<int>(defs.size()));
    defs.emplace_back(name, std::move(e));
  }
  int find(const std::string& name) const {
    auto it = index.find(name);
    return it == index.end() ? -1 : it->second;
  }
};

/// Symbolic total derivatives d e / d w, chain rule through the scope's definitions:
/// ∂e/∂w + Σ_d ∂e/∂d · dd/dw, where dd/dw stays a placeholder node (a typed reference, resolved by
/// the Builder to the slot of total(definition of d, w)).
class Differentiator {
 public:
  struct Ref {
    int def;
    Wrt wrt;
  };

  /// Throws InputError on a cycle among the definitions.
  Differentiator(const Model& m, const Names& names, const Scope& scope)
      : model_(m), names_(names), scope_(scope), def_deps_(scope.defs.size()), visit_(scope.defs.size(), 0) {
    for (int d = 0; d < static_cast<int>(scope.defs.size()); ++d) def_deps(d);
  }

  const Scope& scope() const { return scope_; }

  /// The independent quantities e depends on (through definitions too).
  std::set<Wrt> deps(const Expr& e) {
    std::set<std::string> syms;
    collect_symbols(e, syms);
    std::set<Wrt> out;
    for (const auto& s : syms) {
      if (int d = scope_.find(s); d >= 0) {
        const auto& dd = def_deps(d);
        out.insert(dd.begin(), dd.end());
      } else if (const auto* r = names_.find(s)) {
        if (r->kind == Names::Kind::state) out.insert({Wrt::Kind::state, r->index});
        if (r->kind == Names::Kind::parameter) out.insert({Wrt::Kind::parameter, r->index});
      }
    }
    return out;
  }

  Expr total(const Expr& e, Wrt w) {
    Expr sum = differentiate(e, name_of(w));
    std::set<std::string> syms;
    collect_symbols(e, syms);
    for (const auto& s : syms) {
      const int d = scope_.find(s);
      if (d < 0 || !def_deps(d).count(w)) continue;
      const Expr& partial = partial_cached(e, s);
      sum = make(Op::add, {sum, make(Op::mul, {partial, placeholder(d, w)})});
    }
    return simplify(sum);
  }

  /// What a placeholder node stands for, or null for any other node.
  const Ref* placeholder_ref(const ExprNode* node) const {
    auto it = placeholder_refs_.find(node);
    return it == placeholder_refs_.end() ? nullptr : &it->second;
  }

 private:
  const std::string& name_of(Wrt w) const {
    return w.kind == Wrt::Kind::state ? model_.states[w.index].name : model_.parameters[w.index].name;
  }

  const std::set<Wrt>& def_deps(int d) {
    if (visit_[d] == 2) return def_deps_[d];
    if (visit_[d] == 1) throw InputError({}, "cycle in initial values through '" + scope_.defs[d].first + "'");
    visit_[d] = 1;
    def_deps_[d] = deps(scope_.defs[d].second);
    visit_[d] = 2;
    return def_deps_[d];
  }

  /// One node per (definition, w), so the Builder's memo shares its slot. The name is only for
  /// printing; it cannot clash with a model name (those are identifiers).
  Expr placeholder(int d, Wrt w) {
    auto key = std::make_pair(d, w);
    if (auto it = placeholders_.find(key); it != placeholders_.end()) return it->second;
    Expr node = symbol("d(" + scope_.defs[d].first + ")/d(" + name_of(w) + ")");
    placeholder_refs_.emplace(node.get(), Ref{d, w});
    placeholders_.emplace(key, node);
    return node;
  }

  const Expr& partial_cached(const Expr& e, const std::string& var) {
    auto key = std::make_pair(e.get(), var);
    auto it = partials_.find(key);
    if (it == partials_.end()) it = partials_.emplace(key, differentiate(e, var)).first;
    return it->second;
  }

  const Model& model_;
  const Names& names_;
  const Scope& scope_;
  std::vector<std::set<Wrt>> def_deps_;
  std::vector<char> visit_;  // 0 new, 1 in progress, 2 done
  std::map<std::pair<const ExprNode*, std::string>, Expr> partials_;
  std::map<std::pair<int, Wrt>, Expr> placeholders_;
  std::unordered_map<const ExprNode*, Ref> placeholder_refs_;
};

/// Emits one program. Common subexpressions are shared by hashing (op, operand slots).
class Builder {
 public:
  Builder(Tape& tape, std::vector<double>& pool, std::unordered_map<std::uint64_t, std::int32_t>& pool_index,
          const Names& names, Differentiator& diff)
      : tape_(tape), pool_(pool), pool_index_(pool_index), names_(names), diff_(diff), scope_(diff.scope()),
        square_(scope_.square_for_pow2) {}

  std::int32_t emit(const Expr& e) {
    auto& memo = node_memo_[square_];  // one node may be emitted both ways (see Scope)
    if (auto it = memo.find(e.get()); it != memo.end()) return it->second;
    const std::int32_t slot = emit_uncached(e);
    node_memo_[square_].emplace(e.get(), slot);
    keep_alive_.push_back(e);
    return slot;
  }

  Program finish(std::vector<std::int32_t> outputs) {
    Program p;
    p.code = std::move(code_);
    p.outputs = std::move(outputs);
    return p;
  }

  int temporaries() const { return n_temps_; }

 private:
  std::int32_t constant(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    auto it = pool_index_.find(bits);
    if (it != pool_index_.end()) return it->second;
    pool_.push_back(v);
    const std::int32_t id = const_id(pool_.size() - 1);
    pool_index_.emplace(bits, id);
    return id;
  }

  std::int32_t instr(TOp op, std::int32_t a, std::int32_t b = 0, std::int32_t c = 0) {
    const auto key = std::make_tuple(static_cast<int>(op), a, b, c);
    if (auto it = instr_memo_.find(key); it != instr_memo_.end()) return it->second;
    const std::int32_t dst = kTempTag + n_temps_++;
    code_.push_back({op, dst, a, b, c});
    instr_memo_.emplace(key, dst);
    return dst;
  }

  std::int32_t emit_symbol(const std::string& name) {
    if (auto it = symbol_memo_.find(name); it != symbol_memo_.end()) return it->second;
    std::int32_t slot;
    if (const int d = scope_.find(name); d >= 0) {  // defined: its expression in its place
      if (!defining_.insert(d).second) throw InputError({}, "cycle in initial values through '" + name + "'");
      const bool outer = square_;
      square_ = scope_.square_for_pow2_in_definitions;
      slot = emit(scope_.defs[d].second);
      square_ = outer;
      defining_.erase(d);
    } else if (!name.empty() && name[0] == '\x02') {  // root value k (in triggers)
      slot = tape_.root_base + std::stoi(name.substr(1));
    } else if (!name.empty() && name[0] == '\x03') {  // delayed value k
      slot = tape_.delay_base + std::stoi(name.substr(1));
    } else {
      const auto* r = names_.find(name);
      if (!r || r->kind == Names::Kind::variable)
        throw InputError({}, "undefined name '" + name + "' in compiled expression");
      switch (r->kind) {
        case Names::Kind::time: slot = tape_.time_slot; break;
        case Names::Kind::state: slot = tape_.state_base + r->index; break;
        case Names::Kind::parameter: slot = tape_.param_base + r->index; break;
        default: slot = tape_.input_base + r->index; break;
      }
    }
    symbol_memo_.emplace(name, slot);
    return slot;
  }

  std::int32_t emit_uncached(const Expr& e) {
    const auto& a = e->args;
    auto binary = [&](TOp op) { return instr(op, emit(a[0]), emit(a[1])); };
    auto unary = [&](TOp op) { return instr(op, emit(a[0])); };
    switch (e->op) {
      case Op::constant: return constant(e->value);
      case Op::symbol:
        if (const auto* ref = diff_.placeholder_ref(e.get()))  // d(definition)/d(w)
          return emit(diff_.total(scope_.defs[ref->def].second, ref->wrt));
        return emit_symbol(e->name);
      case Op::add: return binary(TOp::add);
      case Op::sub: return binary(TOp::sub);
      case Op::mul: return binary(TOp::mul);
      case Op::div: return binary(TOp::div);
      case Op::pow:
        if (square_ && a[1]->op == Op::constant && a[1]->value == 2.0) return unary(TOp::square);
        return binary(TOp::pow);
      case Op::neg: return unary(TOp::neg);
      case Op::lt: return binary(TOp::lt);
      case Op::le: return binary(TOp::le);
      case Op::gt: return binary(TOp::gt);
      case Op::ge: return binary(TOp::ge);
      case Op::eq: return binary(TOp::eq);
      case Op::ne: return binary(TOp::ne);
      case Op::logical_and: return fold(TOp::logical_and, a);
      case Op::logical_or: return fold(TOp::logical_or, a);
      case Op::logical_not: return unary(TOp::logical_not);
      case Op::min: return fold(TOp::min, a);
      case Op::max: return fold(TOp::max, a);
      case Op::piecewise: {
        // v1, c1, v2, c2, ..., otherwise: select from the last branch backwards.
        std::int32_t r = emit(a.back());
        for (int k = static_cast<int>(a.size()) - 3; k >= 0; k -= 2)
          r = instr(TOp::select, emit(a[k + 1]), emit(a[k]), r);
        return r;
      }
      case Op::exp: return unary(TOp::exp);
      case Op::log: return unary(TOp::log);
      case Op::log10: return unary(TOp::log10);
      case Op::sqrt: return unary(TOp::sqrt);
      case Op::abs: return unary(TOp::abs);
      case Op::sin: return unary(TOp::sin);
      case Op::cos: return unary(TOp::cos);
      case Op::tan: return unary(TOp::tan);
      case Op::asin: return unary(TOp::asin);
      case Op::acos: return unary(TOp::acos);
      case Op::atan: return unary(TOp::atan);
      case Op::floor: return unary(TOp::floor);
      case Op::ceil: return unary(TOp::ceil);
      case Op::factorial: return unary(TOp::factorial);
      case Op::digamma: return unary(TOp::digamma);
      case Op::delay: break;  // replaced by slots before building
    }
    throw InputError({}, "cannot compile expression '" + to_string(e) + "'");
  }

  std::int32_t fold(TOp op, const std::vector<Expr>& args) {
    std::int32_t r = emit(args[0]);
    for (std::size_t k = 1; k < args.size(); ++k) r = instr(op, r, emit(args[k]));
    return r;
  }

  Tape& tape_;
  std::vector<double>& pool_;
  std::unordered_map<std::uint64_t, std::int32_t>& pool_index_;
  const Names& names_;
  Differentiator& diff_;
  const Scope& scope_;
  std::set<int> defining_;  // definitions being emitted (a cycle check)
  std::vector<Instr> code_;
  int n_temps_ = 0;
  bool square_;  // pow(x, 2) as x·x here (definitions may differ from the expressions emitted)
  std::unordered_map<const ExprNode*, std::int32_t> node_memo_[2];  // by square_
  std::map<std::tuple<int, std::int32_t, std::int32_t, std::int32_t>, std::int32_t> instr_memo_;
  std::unordered_map<std::string, std::int32_t> symbol_memo_;
  std::vector<Expr> keep_alive_;  // node_memo_ keys must not be freed and reused
};

bool is_comparison(Op op) {
  return op == Op::lt || op == Op::le || op == Op::gt || op == Op::ge || op == Op::eq || op == Op::ne;
}

/// Replaces every delay(x, tau) in e by the symbol "\x03k" of its slot, registering (x, tau)
/// (with their own delays replaced first) once per distinct pair.
Expr replace_delays(const Expr& e, std::vector<std::pair<Expr, Expr>>& delays, std::map<std::string, int>& index) {
  if (!e || e->args.empty()) return e;
  std::vector<Expr> args;
  bool changed = false;
  for (const auto& a : e->args) {
    args.push_back(replace_delays(a, delays, index));
    changed |= args.back() != a;
  }
  if (e->op == Op::delay) {
    const std::string key = to_string(args[0]) + "\n" + to_string(args[1]);
    auto [it, added] = index.emplace(key, static_cast<int>(delays.size()));
    if (added) delays.emplace_back(args[0], args[1]);
    return symbol("\x03" + std::to_string(it->second));
  }
  if (!changed) return e;
  auto node = std::make_shared<ExprNode>(*e);
  node->args = std::move(args);
  return node;
}

/// Splits a trigger into root functions (a − b per comparison, appended to `roots`) and returns
/// the trigger rewritten to compare root values (symbols "\x02k") with zero.
Expr split_trigger(const Expr& e, std::vector<Expr>& roots) {
  if (is_comparison(e->op)) {
    roots.push_back(simplify(make(Op::sub, {e->args[0], e->args[1]})));
    return make(e->op, {symbol("\x02" + std::to_string(roots.size() - 1)), constant(0.0)});
  }
  if (e->args.empty()) return e;
  std::vector<Expr> args;
  for (const auto& a : e->args) args.push_back(split_trigger(a, roots));
  auto node = std::make_shared<ExprNode>(*e);
  node->args = std::move(args);
  return node;
}

}  // namespace

CompiledModel::CompiledModel(Model model) : model_(std::move(model)), tape_(std::make_unique<Tape>()) {
  Tape& t = *tape_;
  // delay(x, tau) reads a slot the simulator fills from x's history (model() shows the symbols).
  {
    std::map<std::string, int> index;
    auto rd = [&](Expr& e) { e = replace_delays(e, delays_, index); };
    for (auto& v : model_.variables) rd(v.expr);
    for (auto& q : model_.equations) rd(q.rate);
    for (auto& r : model_.reactions) rd(r.rate);
    for (auto& o : model_.observables) rd(o.expr);
    for (auto& ev : model_.events) {
      rd(ev.trigger), rd(ev.delay), rd(ev.priority);
      for (auto& a : ev.assignments) rd(a.value);
    }
    for (auto& st : model_.states) rd(st.initial);
    for (auto& p : model_.parameters) rd(p.initial);
  }
  const int ns = n_states(), np = n_parameters(), ni = n_inputs();
  t.time_slot = 0;
  t.state_base = 1;
  t.param_base = t.state_base + ns;
  t.input_base = t.param_base + np;
  std::vector<Expr> root_exprs, triggers;
  for (const auto& ev : model_.events) triggers.push_back(split_trigger(ev.trigger, root_exprs));
  n_roots_ = static_cast<int>(root_exprs.size());
  t.root_base = t.input_base + ni;
  t.delay_base = t.root_base + n_roots_;
  const int fixed = t.delay_base + n_delays();

  const Names names(model_);
  Scope scope;  // right-hand side, observables, events: variables are the definitions
  for (const auto& v : model_.variables) scope.define(v.name, v.expr);
  Differentiator diff(model_, names, scope);
  std::vector<double> pool;
  std::unordered_map<std::uint64_t, std::int32_t> pool_index;
  int max_temps = 0;
  auto build_in = [&](Differentiator& d, auto&& body) {
    Builder b(t, pool, pool_index, names, d);
    Program p = body(b);
    max_temps = std::max(max_temps, b.temporaries());
    return p;
  };
  auto build = [&](auto&& body) { return build_in(diff, body); };
  // A derivative matrix: its CSC pattern over the independents of one kind, and the program
  // giving d rows[i] / d w in that order.
  auto derivative = [&](Differentiator& d, const std::vector<Expr>& rows, Wrt::Kind kind, int n_cols,
                        SparsePattern& pattern) {
    std::vector<std::vector<int>> rows_of(n_cols);
    for (int i = 0; i < static_cast<int>(rows.size()); ++i)
      for (const Wrt& w : d.deps(rows[i]))
        if (w.kind == kind) rows_of[w.index].push_back(i);
    pattern = SparsePattern{};
    pattern.n_rows = static_cast<int>(rows.size()), pattern.n_cols = n_cols;
    for (int j = 0; j < n_cols; ++j) {
      pattern.row_index.insert(pattern.row_index.end(), rows_of[j].begin(), rows_of[j].end());
      pattern.col_ptr.push_back(pattern.nonzeros());
    }
    return build_in(d, [&](Builder& b) {
      std::vector<std::int32_t> out;
      for (int j = 0; j < n_cols; ++j)
        for (int i : rows_of[j]) out.push_back(b.emit(d.total(rows[i], {kind, j})));
      return b.finish(out);
    });
  };

  std::vector<Expr> rates(ns);
  for (int i = 0; i < ns; ++i) rates[i] = simplify(model_.state_rate(i));

  t.rhs = build([&](Builder& b) {
    std::vector<std::int32_t> out;
    for (const auto& r : rates) out.push_back(b.emit(r));
    return b.finish(out);
  });
  // Sparsity (CSC): column j holds the rows i whose rate depends on x_j.
  t.jacobian = derivative(diff, rates, Wrt::Kind::state, ns, jac_);

  t.variables = build([&](Builder& b) {
    std::vector<std::int32_t> out;
    for (const auto& v : model_.variables) out.push_back(b.emit(v.expr));
    return b.finish(out);
  });
  t.observables = build([&](Builder& b) {
    std::vector<std::int32_t> out;
    for (const auto& o : model_.observables) out.push_back(b.emit(o.expr));
    return b.finish(out);
  });
  t.roots = build([&](Builder& b) {
    std::vector<std::int32_t> out;
    for (const auto& r : root_exprs) out.push_back(b.emit(r));
    return b.finish(out);
  });
  t.triggers = build([&](Builder& b) {
    std::vector<std::int32_t> out;
    for (const auto& tr : triggers) out.push_back(b.emit(tr));
    return b.finish(out);
  });
  t.delay_args = build([&](Builder& b) {
    std::vector<std::int32_t> out;
    for (const auto& d : delays_) out.push_back(b.emit(d.first));
    return b.finish(out);
  });
  t.delay_times = build([&](Builder& b) {
    std::vector<std::int32_t> out;
    for (const auto& d : delays_) out.push_back(b.emit(d.second));
    return b.finish(out);
  });

  // Events: what they assign (every event's assignments, in order), their delays and their
  // priorities (an event without one gives 0). Variables are definitions, as in the right-hand
  // side; the events' own expressions keep std::pow (see Scope). An expression the tape cannot
  // take (an undefined name) keeps the reference evaluator for the model's events, which reports
  // the problem only if it is reached, as before.
  try {
    Scope events = scope;
    events.square_for_pow2 = false;
    Differentiator events_diff(model_, names, events);
    event_value_begin_.assign(1, 0);
    Program values = build_in(events_diff, [&](Builder& b) {
      std::vector<std::int32_t> out;
      for (const auto& ev : model_.events) {
        for (const auto& a : ev.assignments) out.push_back(b.emit(a.value));
        event_value_begin_.push_back(static_cast<int>(out.size()));
      }
      return b.finish(out);
    });
    auto per_event = [&](Expr Event::*field) {
      return build_in(events_diff, [&](Builder& b) {
        std::vector<std::int32_t> out;
        for (const auto& ev : model_.events) out.push_back(b.emit(ev.*field ? ev.*field : constant(0.0)));
        return b.finish(out);
      });
    };
    Program delays = per_event(&Event::delay);
    Program priorities = per_event(&Event::priority);
    t.event_values = std::move(values);
    t.event_delays = std::move(delays);
    t.event_priorities = std::move(priorities);
    events_compiled_ = true;
  } catch (const InputError&) {
    event_value_begin_.clear();
  }

  t.rhs_parameter_jacobian = derivative(diff, rates, Wrt::Kind::parameter, np, rhs_p_);
  std::vector<Expr> observables;
  for (const auto& o : model_.observables) observables.push_back(o.expr);
  t.observable_state_jacobian = derivative(diff, observables, Wrt::Kind::state, ns, obs_x_);
  t.observable_parameter_jacobian = derivative(diff, observables, Wrt::Kind::parameter, np, obs_p_);

  // Initial values: states, parameters with an initial assignment and delayed values are defined
  // by their expressions; what remains free is time, the inputs and the other parameters.
  try {
    Scope init;
    init.square_for_pow2 = init.square_for_pow2_in_definitions = false;
    for (const auto& v : model_.variables) init.define(v.name, v.expr);
    std::vector<Expr> x0;
    for (const auto& st : model_.states) {
      if (!st.initial) throw InputError({}, "state '" + st.name + "' has no initial value");
      init.define(st.name, st.initial);
      x0.push_back(st.initial);
    }
    for (const auto& p : model_.parameters)
      if (p.initial) init.define(p.name, p.initial);
    for (int k = 0; k < n_delays(); ++k) {
      std::string name(1, '\x03');  // the delayed value's symbol (see replace_delays)
      init.define(name += std::to_string(k), delays_[k].first);
    }
    Differentiator init_diff(model_, names, init);
    Program initial = build_in(init_diff, [&](Builder& b) {
      std::vector<std::int32_t> out;
      for (const auto& p : model_.parameters)
        if (p.initial) out.push_back(b.emit(p.initial));
      for (const auto& e : x0) out.push_back(b.emit(e));
      return b.finish(out);
    });
    SparsePattern x0_p;
    Program initial_jacobian = derivative(init_diff, x0, Wrt::Kind::parameter, np, x0_p);
    for (int k = 0; k < np; ++k)
      for (int q = x0_p.col_ptr[k]; q < x0_p.col_ptr[k + 1]; ++q)
        initial_jac_index_.push_back(x0_p.row_index[q] + k * ns);
    t.initial = std::move(initial);
    t.initial_jacobian = std::move(initial_jacobian);
    initial_compiled_ = true;
  } catch (const InputError& e) {
    initial_error_ = e.diagnostics();
    initial_jac_index_.clear();
  }

  // Relocate: [fixed][constants][temporaries].
  const int n_const = static_cast<int>(pool.size());
  auto relocate = [&](std::int32_t id) -> std::int32_t {
    if (id < 0) return fixed + (-id - 1);
    if (id >= kTempTag) return fixed + n_const + (id - kTempTag);
    return id;
  };
  auto relocate_program = [&](Program& p) {
    for (auto& in : p.code) {
      in.dst = relocate(in.dst), in.a = relocate(in.a), in.b = relocate(in.b), in.c = relocate(in.c);
    }
    for (auto& o : p.outputs) o = relocate(o);
    p.schedule();
  };
  for (Program* p : {&t.rhs, &t.jacobian, &t.variables, &t.observables, &t.roots, &t.triggers,
                     &t.delay_args, &t.delay_times, &t.event_values, &t.event_delays,
                     &t.event_priorities, &t.initial, &t.rhs_parameter_jacobian,
                     &t.observable_state_jacobian, &t.observable_parameter_jacobian, &t.initial_jacobian})
    relocate_program(*p);
  t.constants = std::move(pool);
  t.n_slots = fixed + n_const + max_temps;
}

CompiledModel::~CompiledModel() = default;
CompiledModel::CompiledModel(CompiledModel&&) noexcept = default;
CompiledModel& CompiledModel::operator=(CompiledModel&&) noexcept = default;

std::size_t CompiledModel::tape_size() const { return tape_->size(); }

Workspace CompiledModel::make_workspace() const {
  Workspace ws;
  ws.slots.assign(tape_->n_slots, 0.0);
  const int base = tape_->delay_base + n_delays();
  std::copy(tape_->constants.begin(), tape_->constants.end(), ws.slots.begin() + base);
  for (int i = 0; i < n_parameters(); ++i) ws.slots[tape_->param_base + i] = model_.parameters[i].value;
  for (int i = 0; i < n_inputs(); ++i) ws.slots[tape_->input_base + i] = model_.inputs[i].default_value;
  return ws;
}

void CompiledModel::set_parameters(Workspace& ws, const double* p) const {
  std::copy(p, p + n_parameters(), ws.slots.begin() + tape_->param_base);
}

void CompiledModel::get_parameters(const Workspace& ws, double* p) const {
  std::copy(ws.slots.begin() + tape_->param_base, ws.slots.begin() + tape_->param_base + n_parameters(), p);
}

void CompiledModel::set_parameter(Workspace& ws, int index, double value) const {
  ws.slots[tape_->param_base + index] = value;
}

namespace {
void load_point(const Tape& t, int ns, int ni, double time, const double* x, const double* u, double* s) {
  s[t.time_slot] = time;
  std::copy(x, x + ns, s + t.state_base);
  std::copy(u, u + ni, s + t.input_base);
}
void gather(const Program& p, const double* s, double* out) {
  for (std::size_t k = 0; k < p.outputs.size(); ++k) out[k] = s[p.outputs[k]];
}
}  // namespace

/// Every evaluation at a point: load (t, x, u), run one program, copy its outputs.
void CompiledModel::run_at(const detail::Program& program, double time, const double* x, const double* u,
                           double* out, Workspace& ws) const {
  double* s = ws.slots.data();
  load_point(*tape_, n_states(), n_inputs(), time, x, u, s);
  program.run(s);
  gather(program, s, out);
}

double CompiledModel::run_one(const detail::Program& program, int k, double time, const double* x, const double* u,
                              Workspace& ws) const {
  double* s = ws.slots.data();
  load_point(*tape_, n_states(), n_inputs(), time, x, u, s);
  program.run(s);
  return s[program.outputs[k]];
}

void CompiledModel::rhs(double time, const double* x, const double* u, double* dxdt, Workspace& ws) const {
  run_at(tape_->rhs, time, x, u, dxdt, ws);
}

void CompiledModel::jacobian(double time, const double* x, const double* u, double* values, Workspace& ws) const {
  run_at(tape_->jacobian, time, x, u, values, ws);
}

void CompiledModel::variables(double time, const double* x, const double* u, double* out, Workspace& ws) const {
  run_at(tape_->variables, time, x, u, out, ws);
}

void CompiledModel::observables(double time, const double* x, const double* u, double* out, Workspace& ws) const {
  run_at(tape_->observables, time, x, u, out, ws);
}

void CompiledModel::roots(double time, const double* x, const double* u, double* g, Workspace& ws) const {
  run_at(tape_->roots, time, x, u, g, ws);
}

void CompiledModel::trigger_values(double time, const double* x, const double* u, const int* crossing, bool* out,
                                   Workspace& ws) const {
  double* s = ws.slots.data();
  load_point(*tape_, n_states(), n_inputs(), time, x, u, s);
  tape_->roots.run(s);
  for (int k = 0; k < n_roots_; ++k) {
    double g = s[tape_->roots.outputs[k]];
    if (crossing && crossing[k] != 0) g = crossing[k] > 0 ? std::max(g, 1e-300) : std::min(g, -1e-300);
    s[tape_->root_base + k] = g;
  }
  tape_->triggers.run(s);
  for (std::size_t e = 0; e < tape_->triggers.outputs.size(); ++e) out[e] = s[tape_->triggers.outputs[e]] != 0.0;
}

namespace {
/// Value of any name at the point loaded in the workspace (variables program already run).
std::function<double(const std::string&)> point_lookup(const Model& m, const Tape& t, const double* s) {
  return [&m, &t, s](const std::string& name) -> double {
    if (name == "time") return s[t.time_slot];
    if (int i = m.state_index(name); i >= 0) return s[t.state_base + i];
    if (int i = m.parameter_index(name); i >= 0) return s[t.param_base + i];
    if (int i = m.input_index(name); i >= 0) return s[t.input_base + i];
    if (int i = m.variable_index(name); i >= 0) return s[t.variables.outputs[i]];
    if (!name.empty() && name[0] == '\x03') return s[t.delay_base + std::stoi(name.substr(1))];
    throw InputError({}, "undefined name '" + name + "'");
  };
}
}  // namespace

namespace {
/// Loads the point, runs the variables program, and gives the reference evaluator's lookup.
std::function<double(const std::string&)> at_point(const Model& m, const Tape& t, double time, const double* x,
                                                   const double* u, Workspace& ws) {
  double* s = ws.slots.data();
  load_point(t, static_cast<int>(m.states.size()), static_cast<int>(m.inputs.size()), time, x, u, s);
  t.variables.run(s);
  return point_lookup(m, t, s);
}
}  // namespace

void CompiledModel::event_values(int event, double time, const double* x, const double* u, double* out,
                                 Workspace& ws) const {
  if (events_compiled_) {
    // One program for every event's assignments: this event's are outputs begin … end − 1.
    const Program& p = tape_->event_values;
    double* s = ws.slots.data();
    load_point(*tape_, n_states(), n_inputs(), time, x, u, s);
    p.run(s);
    for (int k = event_value_begin_[event]; k < event_value_begin_[event + 1]; ++k)
      *out++ = s[p.outputs[k]];
    return;
  }
  const auto lookup = at_point(model_, *tape_, time, x, u, ws);
  const auto& assignments = model_.events[event].assignments;
  for (std::size_t k = 0; k < assignments.size(); ++k) out[k] = evaluate(assignments[k].value, lookup);
}

double CompiledModel::event_delay(int event, double time, const double* x, const double* u, Workspace& ws) const {
  const Expr& d = model_.events[event].delay;
  if (events_compiled_) return d ? run_one(tape_->event_delays, event, time, x, u, ws) : 0.0;
  return d ? evaluate(d, at_point(model_, *tape_, time, x, u, ws)) : 0.0;
}

double CompiledModel::event_priority(int event, double time, const double* x, const double* u,
                                     Workspace& ws) const {
  const Expr& p = model_.events[event].priority;
  if (events_compiled_) return p ? run_one(tape_->event_priorities, event, time, x, u, ws) : 0.0;
  return p ? evaluate(p, at_point(model_, *tape_, time, x, u, ws)) : 0.0;
}

void CompiledModel::initial_state(double t0, const double* u, double* x0, Workspace& ws) const {
  double* s = ws.slots.data();
  s[tape_->time_slot] = t0;
  std::copy(u, u + n_inputs(), s + tape_->input_base);
  if (initial_compiled_) {
    // Outputs: parameters with an initial assignment, then states. No output is the slot of a
    // parameter with an assignment (in initial values its name stands for its expression), so
    // writing those slots back loses nothing.
    const Program& p = tape_->initial;
    p.run(s);
    const std::size_t n_assigned = p.outputs.size() - static_cast<std::size_t>(n_states());
    for (int i = 0; i < n_states(); ++i) x0[i] = s[p.outputs[n_assigned + i]];
    for (int i = 0, k = 0; i < n_parameters(); ++i)
      if (model_.parameters[i].initial) s[tape_->param_base + i] = s[p.outputs[k++]];
    return;
  }
  // Not compiled: initial values may refer to each other, to parameters' initial assignments and
  // to variables: evaluate on demand with memoisation; a cycle is an input error.
  std::unordered_map<std::string, double> done;
  std::set<std::string> in_progress;
  std::function<double(const std::string&)> value = [&](const std::string& name) -> double {
    if (name == "time") return t0;
    if (auto it = done.find(name); it != done.end()) return it->second;
    if (!in_progress.insert(name).second) throw InputError({}, "cycle in initial values through '" + name + "'");
    double v;
    if (int i = model_.state_index(name); i >= 0) {
      v = evaluate(model_.states[i].initial, value);
    } else if (int i = model_.parameter_index(name); i >= 0) {
      v = model_.parameters[i].initial ? evaluate(model_.parameters[i].initial, value) : s[tape_->param_base + i];
    } else if (int i = model_.input_index(name); i >= 0) {
      v = u[i];
    } else if (int i = model_.variable_index(name); i >= 0) {
      v = evaluate(model_.variables[i].expr, value);
    } else if (!name.empty() && name[0] == '\x03') {  // before t0 + tau, delay(x, tau) is x(t0)
      v = evaluate(delays_[std::stoi(name.substr(1))].first, value);
    } else {
      throw InputError(model_.states.empty() ? SourceLoc{} : model_.states[0].where,
                       "undefined name '" + name + "' in initial values");
    }
    in_progress.erase(name);
    done.emplace(name, v);
    return v;
  };
  for (int i = 0; i < n_parameters(); ++i)
    if (model_.parameters[i].initial) s[tape_->param_base + i] = value(model_.parameters[i].name);
  for (int i = 0; i < n_states(); ++i) x0[i] = value(model_.states[i].name);
}

void CompiledModel::initial_state_jacobian(double t0, const double* u, double* dx0dp, Workspace& ws) const {
  if (!initial_compiled_) throw InputError(initial_error_);
  double* s = ws.slots.data();
  s[tape_->time_slot] = t0;
  std::copy(u, u + n_inputs(), s + tape_->input_base);
  const Program& p = tape_->initial_jacobian;
  p.run(s);
  std::fill(dx0dp, dx0dp + static_cast<std::size_t>(n_states()) * n_parameters(), 0.0);
  for (std::size_t k = 0; k < p.outputs.size(); ++k) dx0dp[initial_jac_index_[k]] = s[p.outputs[k]];
}

void CompiledModel::rhs_parameter_jacobian(double time, const double* x, const double* u, double* values,
                                           Workspace& ws) const {
  run_at(tape_->rhs_parameter_jacobian, time, x, u, values, ws);
}

void CompiledModel::observable_state_jacobian(double time, const double* x, const double* u, double* values,
                                              Workspace& ws) const {
  run_at(tape_->observable_state_jacobian, time, x, u, values, ws);
}

void CompiledModel::observable_parameter_jacobian(double time, const double* x, const double* u, double* values,
                                                  Workspace& ws) const {
  run_at(tape_->observable_parameter_jacobian, time, x, u, values, ws);
}

void CompiledModel::delay_arguments(double time, const double* x, const double* u, double* values,
                                    Workspace& ws) const {
  run_at(tape_->delay_args, time, x, u, values, ws);
}

void CompiledModel::delay_times(double time, const double* x, const double* u, double* taus, Workspace& ws) const {
  run_at(tape_->delay_times, time, x, u, taus, ws);
}

void CompiledModel::set_delayed_values(Workspace& ws, const double* values) const {
  std::copy(values, values + n_delays(), ws.slots.begin() + tape_->delay_base);
}

}  // namespace gutskin
