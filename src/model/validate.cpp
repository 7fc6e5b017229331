// Checks a model IR (from YAML or SBML) and orders its variables so each comes after what it uses.
#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "core/names.hpp"
#include "expr/depth.hpp"
#include "gutskin/model.hpp"

namespace gutskin {
namespace {

std::string in_quotes(const std::string& s) { return detail::message_quote(s); }

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string near = closest_name(name, candidates);
  return near.empty() ? "" : " (did you mean '" + near + "'?)";
}

// Shortest text that reads back as the same double ("5", "0.6", "1e-05").
std::string number_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

bool is_reserved(const std::string& name) { return name == "time" || name == "t"; }

class Validator {
 public:
  explicit Validator(Model& m) : m_(m) {}

  void run() {
    check_declarations();
    check_names();
    check_equations_and_reactions();
    check_events();
    check_parameters();
    check_phenotypes();
    order_variables();
    sink_.throw_if_any();
  }

 private:
  Model& m_;
  DiagnosticSink sink_;
  std::set<std::string> defined_;             // names expressions may use
  std::vector<std::string> defined_list_;     // the same, for "did you mean"

  // ---- declarations: reserved names and duplicates ---------------------------------------------

  struct Decl {
    const std::string* name;
    const SourceLoc* where;
  };

  int file_rank(const SourceLoc& where) const {
    for (std::size_t i = 0; i < m_.files.size(); ++i)
      if (m_.files[i].generic_string() == where.file) return static_cast<int>(i);
    return std::numeric_limits<int>::max();
  }

  // Sorted in the order they were written (file order, then position) so "first" is the first.
  std::vector<Decl> in_written_order(std::vector<Decl> decls) const {
    std::stable_sort(decls.begin(), decls.end(), [&](const Decl& a, const Decl& b) {
      const int fa = file_rank(*a.where), fb = file_rank(*b.where);
      if (fa != fb) return fa < fb;
      if (a.where->file != b.where->file) return false;
      if (a.where->line != b.where->line) return a.where->line < b.where->line;
      return a.where->column < b.where->column;
    });
    return decls;
  }

  void report_duplicates(const std::vector<Decl>& decls) {
    std::map<std::string, const SourceLoc*> first;
    for (const Decl& d : in_written_order(decls)) {
      const auto [it, inserted] = first.emplace(*d.name, d.where);
      if (!inserted)
        sink_.error(*d.where, "duplicate name " + in_quotes(*d.name) + " (first defined at " +
                                  it->second->str() + ")");
    }
  }

  void check_declarations() {
    std::vector<Decl> decls;
    auto add = [&](const auto& items) {
      for (const auto& x : items) decls.push_back({&x.name, &x.where});
    };
    add(m_.inputs);
    add(m_.parameters);
    add(m_.states);
    add(m_.variables);
    add(m_.reactions);
    add(m_.observables);
    add(m_.events);
    for (const Decl& d : in_written_order(decls))
      if (is_reserved(*d.name))
        sink_.error(*d.where, in_quotes(*d.name) + " is reserved (model time) and cannot be declared");
    report_duplicates(decls);

    std::vector<Decl> phenotypes;
    add_to(phenotypes, m_.phenotypes);
    report_duplicates(phenotypes);

    auto define = [&](const auto& items) {
      for (const auto& x : items)
        if (defined_.insert(x.name).second) defined_list_.push_back(x.name);
    };
    define(m_.inputs);
    define(m_.parameters);
    define(m_.states);
    define(m_.variables);
    defined_.insert("t");
    if (defined_.insert("time").second) defined_list_.push_back("time");
  }

  template <class Items>
  static void add_to(std::vector<Decl>& decls, const Items& items) {
    for (const auto& x : items) decls.push_back({&x.name, &x.where});
  }

  // ---- names used in expressions ---------------------------------------------------------------

  void check_expr(const Expr& e, const SourceLoc& where) {
    if (!e) return;
    std::set<std::string> used;
    collect_symbols(e, used);
    for (const auto& name : used)
      if (!defined_.count(name))
        sink_.error(where, "undefined name " + in_quotes(name) + did_you_mean(name, defined_list_));
  }

  void check_names() {
    for (const auto& p : m_.parameters) check_expr(p.initial, p.where);
    for (const auto& s : m_.states) check_expr(s.initial, s.where);
    for (const auto& v : m_.variables) check_expr(v.expr, v.where);
    for (const auto& eq : m_.equations) check_expr(eq.rate, eq.where);
    for (const auto& r : m_.reactions) check_expr(r.rate, r.where);
    for (const auto& o : m_.observables) check_expr(o.expr, o.where);
    for (const auto& ev : m_.events) {
      check_expr(ev.trigger, ev.where);
      for (const auto& a : ev.assignments) check_expr(a.value, ev.where);
      check_expr(ev.delay, ev.where);
      check_expr(ev.priority, ev.where);
    }
  }

  // ---- equations, reactions, events ------------------------------------------------------------

  bool is_state(const std::string& name) const { return m_.state_index(name) >= 0; }

  void check_equations_and_reactions() {
    std::set<std::string> in_reactions;
    for (const auto& r : m_.reactions) {
      for (const auto* side : {&r.reactants, &r.products}) {
        for (const auto& [name, stoich] : *side) {
          if (is_state(name)) {
            in_reactions.insert(name);
          } else if (!defined_.count(name)) {
            sink_.error(r.where,
                        "undefined name " + in_quotes(name) + did_you_mean(name, defined_list_));
          } else {
            sink_.error(r.where, "reaction " + in_quotes(r.name) + " changes " + in_quotes(name) +
                                     ", which is not a state");
          }
        }
      }
    }
    std::map<std::string, const SourceLoc*> first;
    for (const auto& eq : m_.equations) {
      if (!is_state(eq.state)) {
        sink_.error(eq.where, "equation for " + in_quotes(eq.state) + ", which is not a state");
        continue;
      }
      const auto [it, inserted] = first.emplace(eq.state, &eq.where);
      if (!inserted)
        sink_.error(eq.where, "duplicate equation for " + in_quotes(eq.state) +
                                  " (first defined at " + it->second->str() + ")");
      else if (in_reactions.count(eq.state))
        sink_.error(eq.where, "state " + in_quotes(eq.state) + " has both an equation and reactions");
    }
  }

  void check_events() {
    for (const auto& ev : m_.events) {
      if (!ev.trigger) continue;  // reported by the reader
      for (const auto& a : ev.assignments)
        if (!is_state(a.target) && m_.parameter_index(a.target) < 0)
          sink_.error(ev.where, "event " + in_quotes(ev.name) + " assigns to " + in_quotes(a.target) +
                                    ", which is not a state or parameter");
    }
  }

  // ---- values ----------------------------------------------------------------------------------

  static std::string bounds_text(const Parameter& p) {
    return "[" + (p.lower ? number_text(*p.lower) : "-inf") + ", " +
           (p.upper ? number_text(*p.upper) : "inf") + "]";
  }

  static bool outside(const Parameter& p, double v) {
    return (p.lower && v < *p.lower) || (p.upper && v > *p.upper);
  }

  void check_parameters() {
    for (const auto& p : m_.parameters) {
      if (outside(p, p.value))
        sink_.error(p.where, "parameter " + in_quotes(p.name) + " = " + number_text(p.value) +
                                 " is outside its bounds " + bounds_text(p));
      if (!(p.spread >= 0.0))
        sink_.error(p.where, "spread of parameter " + in_quotes(p.name) + " must be >= 0, got " +
                                 number_text(p.spread));
    }
  }

  void check_phenotypes() {
    std::vector<std::string> names;
    for (const auto& p : m_.parameters) names.push_back(p.name);
    for (const auto& ph : m_.phenotypes) {
      auto check = [&](const std::map<std::string, double>& values, bool spreads) {
        for (const auto& [name, v] : values) {
          const int i = m_.parameter_index(name);
          if (i < 0) {
            sink_.error(ph.where, "phenotype " + in_quotes(ph.name) + " sets unknown parameter " +
                                      in_quotes(name) + did_you_mean(name, names));
            continue;
          }
          const Parameter& p = m_.parameters[i];
          if (spreads && !(v >= 0.0))
            sink_.error(ph.where, "phenotype " + in_quotes(ph.name) + " sets the spread of " +
                                      in_quotes(name) + " to " + number_text(v) +
                                      ", which must be >= 0");
          if (!spreads && outside(p, v))
            sink_.error(ph.where, "phenotype " + in_quotes(ph.name) + " sets parameter " +
                                      in_quotes(name) + " = " + number_text(v) +
                                      ", outside its bounds " + bounds_text(p));
        }
      };
      check(ph.values, false);
      check(ph.spreads, true);
    }
  }

  // ---- variables: topological order, cycles ----------------------------------------------------

  void order_variables() {
    const std::size_t n = m_.variables.size();
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < n; ++i) index.emplace(m_.variables[i].name, i);

    std::vector<std::vector<std::size_t>> deps(n), users(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (!m_.variables[i].expr) continue;
      std::set<std::string> used;
      collect_symbols(m_.variables[i].expr, used);
      std::set<std::size_t> ds;
      for (const auto& name : used) {
        const auto it = index.find(name);
        if (it != index.end()) ds.insert(it->second);
      }
      deps[i].assign(ds.begin(), ds.end());
      for (std::size_t j : ds) users[j].push_back(i);
    }

    // Kahn's algorithm, always taking the earliest-written ready variable (stable).
    std::vector<std::size_t> waiting(n);
    std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
    for (std::size_t i = 0; i < n; ++i)
      if ((waiting[i] = deps[i].size()) == 0) ready.push(i);
    std::vector<std::size_t> order;
    std::vector<bool> placed(n, false);
    while (!ready.empty()) {
      const std::size_t i = ready.top();
      ready.pop();
      order.push_back(i);
      placed[i] = true;
      for (std::size_t u : users[i])
        if (--waiting[u] == 0) ready.push(u);
    }

    if (order.size() < n) {
      report_cycles(deps, placed);
      for (std::size_t i = 0; i < n; ++i)
        if (!placed[i]) order.push_back(i);
    }
    check_inlined_depth(order, placed, index);

    std::vector<Variable> sorted;
    sorted.reserve(n);
    for (std::size_t i : order) sorted.push_back(std::move(m_.variables[i]));
    m_.variables = std::move(sorted);
  }

  // The engine walks a variable's definition in place of its name (compiling, differentiating
  // through it), recursing as deep as a chain of variables is with its expressions together: a
  // chain of 100000 variables overflowed the stack. Each variable's depth with the variables it
  // uses inlined is held to kMaxInlinedDepth; one that exceeds it is reported (and its users,
  // which exceed it too, are not).
  void check_inlined_depth(const std::vector<std::size_t>& order, const std::vector<bool>& placed,
                           const std::map<std::string, std::size_t>& index) {
    std::vector<int> inlined(m_.variables.size(), 1);  // -1: reported, or uses one reported
    bool uses_reported = false;
    const auto symbol_depth = [&](const std::string& name) {
      const auto it = index.find(name);
      if (it == index.end()) return 1;
      if (inlined[it->second] < 0) uses_reported = true;
      return std::max(inlined[it->second], 1);
    };
    for (std::size_t i : order) {
      const Variable& v = m_.variables[i];
      if (!placed[i] || !v.expr) continue;  // in a cycle: reported as such
      uses_reported = false;
      const int d = detail::expression_depth(v.expr, symbol_depth, detail::kMaxInlinedDepth);
      inlined[i] = -1;
      if (uses_reported) continue;
      if (d <= detail::kMaxInlinedDepth) {
        inlined[i] = d;
        continue;
      }
      sink_.error(v.where, "variable " + in_quotes(v.name) +
                               " nested too deeply once the variables it uses are inlined (more "
                               "than " + std::to_string(detail::kMaxInlinedDepth) + " levels)");
    }
  }

  void report_cycles(const std::vector<std::vector<std::size_t>>& deps,
                     const std::vector<bool>& placed) {
    const std::size_t n = deps.size();
    enum Color { white, gray, black };
    std::vector<Color> color(n, white);
    std::vector<std::size_t> stack;
    std::set<std::set<std::size_t>> reported;

    // Depth-first with an explicit stack (a cycle through 100000 variables must not recurse):
    // `stack` is the path, next[k] the next dependency of stack[k] to look at.
    std::vector<std::size_t> next;
    auto visit = [&](std::size_t root) {
      color[root] = gray;
      stack.push_back(root);
      next.push_back(0);
      while (!stack.empty()) {
        const std::size_t i = stack.back();
        if (next.back() == deps[i].size()) {
          stack.pop_back();
          next.pop_back();
          color[i] = black;
          continue;
        }
        const std::size_t j = deps[i][next.back()++];
        if (placed[j]) continue;
        if (color[j] == gray) {
          const auto from = std::find(stack.begin(), stack.end(), j);
          std::set<std::size_t> members(from, stack.end());
          if (!reported.insert(members).second) continue;
          std::string path;
          for (auto it = from; it != stack.end(); ++it) path += m_.variables[*it].name + " -> ";
          path += m_.variables[j].name;
          sink_.error(m_.variables[j].where, "cycle in variables: " + path);
        } else if (color[j] == white) {
          color[j] = gray;
          stack.push_back(j);
          next.push_back(0);
        }
      }
    };
    for (std::size_t i = 0; i < n; ++i)
      if (!placed[i] && color[i] == white) visit(i);
  }
};

}  // namespace

void validate(Model& model) { Validator(model).run(); }

}  // namespace gutskin
