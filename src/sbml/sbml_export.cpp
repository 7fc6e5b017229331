// Model IR → SBML Level 3 Version 2 with libSBML, checked with libSBML's consistency checks.
#include <cmath>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <sbml/SBMLTypes.h>

#include "gutskin/sbml.hpp"
#include "sbml/sbml_annotation.hpp"

namespace gutskin {

namespace {

std::string sbml_id(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "_" + out;
  return out;
}

std::string fmt_g(double v) { return fmt::format("{:.17g}", v); }

/// Expr → libSBML AST (caller owns the result).
::ASTNode* to_ast(const Expr& e) {
  auto node = std::make_unique<::ASTNode>();
  auto add_args = [&](::ASTNode* n) {
    for (const Expr& a : e->args) n->addChild(to_ast(a));
  };
  auto typed = [&](::ASTNodeType_t t) {
    node->setType(t);
    add_args(node.get());
    return node.release();
  };
  switch (e->op) {
    case Op::constant:
      node->setType(::AST_REAL);
      node->setValue(e->value);
      return node.release();
    case Op::symbol:
      if (e->name == "time") {
        node->setType(::AST_NAME_TIME);
        node->setName("time");
      } else {
        node->setType(::AST_NAME);
        node->setName(e->name.c_str());
      }
      return node.release();
    case Op::add: return typed(::AST_PLUS);
    case Op::sub: return typed(::AST_MINUS);
    case Op::neg: return typed(::AST_MINUS);
    case Op::mul: return typed(::AST_TIMES);
    case Op::div: return typed(::AST_DIVIDE);
    case Op::pow: return typed(::AST_FUNCTION_POWER);
    case Op::lt: return typed(::AST_RELATIONAL_LT);
    case Op::le: return typed(::AST_RELATIONAL_LEQ);
    case Op::gt: return typed(::AST_RELATIONAL_GT);
    case Op::ge: return typed(::AST_RELATIONAL_GEQ);
    case Op::eq: return typed(::AST_RELATIONAL_EQ);
    case Op::ne: return typed(::AST_RELATIONAL_NEQ);
    case Op::logical_and: return typed(::AST_LOGICAL_AND);
    case Op::logical_or: return typed(::AST_LOGICAL_OR);
    case Op::logical_not: return typed(::AST_LOGICAL_NOT);
    case Op::piecewise: return typed(::AST_FUNCTION_PIECEWISE);
    case Op::min: return typed(::AST_FUNCTION_MIN);
    case Op::max: return typed(::AST_FUNCTION_MAX);
    case Op::exp: return typed(::AST_FUNCTION_EXP);
    case Op::log: return typed(::AST_FUNCTION_LN);
    case Op::log10: {
      node->setType(::AST_FUNCTION_LOG);
      auto* base = new ::ASTNode(::AST_INTEGER);
      base->setValue(10L);
      node->addChild(base);
      add_args(node.get());
      return node.release();
    }
    case Op::sqrt: return typed(::AST_FUNCTION_ROOT);
    case Op::abs: return typed(::AST_FUNCTION_ABS);
    case Op::sin: return typed(::AST_FUNCTION_SIN);
    case Op::cos: return typed(::AST_FUNCTION_COS);
    case Op::tan: return typed(::AST_FUNCTION_TAN);
    case Op::floor: return typed(::AST_FUNCTION_FLOOR);
    case Op::ceil: return typed(::AST_FUNCTION_CEILING);
    case Op::asin: return typed(::AST_FUNCTION_ARCSIN);
    case Op::acos: return typed(::AST_FUNCTION_ARCCOS);
    case Op::atan: return typed(::AST_FUNCTION_ARCTAN);
    case Op::factorial: return typed(::AST_FUNCTION_FACTORIAL);
    case Op::digamma: break;  // only inside derivatives, never in a model
    case Op::delay: {
      node->setType(::AST_FUNCTION_DELAY);
      node->setDefinitionURL("http://www.sbml.org/sbml/symbols/delay");
      node->setName("delay");
      add_args(node.get());
      return node.release();
    }
  }
  throw InputError(SourceLoc{}, "export-sbml: expression operator not representable in SBML");
}

template <class T>
void set_math(T* target, const Expr& e) {
  std::unique_ptr<::ASTNode> ast(to_ast(e));
  target->setMath(ast.get());  // copies
}

using Attrs = std::vector<std::pair<std::string, std::string>>;

::XMLNode gutskin_node(const std::string& name, const Attrs& attrs, bool with_ns) {
  ::XMLAttributes a;
  for (const auto& [k, v] : attrs) {
    if (!v.empty()) a.add(k, v);
  }
  ::XMLNamespaces ns;
  if (with_ns) ns.add(detail::kGutskinSbmlNs, detail::kGutskinSbmlPrefix);
  const ::XMLTriple triple(name, detail::kGutskinSbmlNs, detail::kGutskinSbmlPrefix);
  ::XMLNode node(triple, a, ns);
  if (!with_ns) node = ::XMLNode(triple, a);
  return node;
}

/// <gutskin:info attrs...>children</gutskin:info> (one element: SBML allows one per namespace).
void annotate(::SBase* e, const Attrs& attrs, const std::vector<::XMLNode>& children = {}) {
  ::XMLNode info = gutskin_node("info", attrs, true);
  for (const ::XMLNode& c : children) info.addChild(c);
  e->appendAnnotation(&info);
}

/// Phenotypes as <gutskin:phenotype name description><gutskin:value parameter value spread/>.
std::vector<::XMLNode> phenotype_nodes(const Model& mod) {
  std::vector<::XMLNode> out;
  for (const Phenotype& ph : mod.phenotypes) {
    ::XMLNode node = gutskin_node("phenotype", {{"name", ph.name}, {"description", ph.description}},
                                  false);
    std::set<std::string> names;
    for (const auto& [k, _] : ph.values) names.insert(k);
    for (const auto& [k, _] : ph.spreads) names.insert(k);
    for (const std::string& k : names) {
      Attrs a{{"parameter", k}};
      if (auto it = ph.values.find(k); it != ph.values.end()) a.emplace_back("value", fmt_g(it->second));
      if (auto it = ph.spreads.find(k); it != ph.spreads.end()) {
        a.emplace_back("spread", fmt_g(it->second));
      }
      node.addChild(gutskin_node("value", a, false));
    }
    out.push_back(std::move(node));
  }
  return out;
}

class Exporter {
 public:
  explicit Exporter(const Model& model) : model_(model), doc_(3, 2) {}

  std::string run(SbmlExportSummary* summary);

 private:
  std::string fresh(const std::string& base) {
    std::string n = sbml_id(base);
    for (int i = 2; used_.count(n); ++i) n = sbml_id(base) + "_" + std::to_string(i);
    used_.insert(n);
    return n;
  }

  const Model& model_;
  ::SBMLDocument doc_;
  std::set<std::string> used_;
};

std::string Exporter::run(SbmlExportSummary* summary) {
  const Model& mod = model_;
  for (const auto& x : mod.inputs) used_.insert(x.name);
  for (const auto& x : mod.parameters) used_.insert(x.name);
  for (const auto& x : mod.states) used_.insert(x.name);
  for (const auto& x : mod.variables) used_.insert(x.name);
  for (const auto& x : mod.observables) used_.insert(x.name);

  ::Model* m = doc_.createModel();
  m->setId(sbml_id(mod.name.empty() ? "model" : mod.name));
  used_.insert(m->getId());
  if (!mod.name.empty()) m->setName(mod.name);
  annotate(m,
           {{"kind", "model"},
            {"description", mod.description},
            {"time_unit", mod.time_unit.text}},
           phenotype_nodes(mod));

  std::set<std::string> event_targets;
  for (const Event& e : mod.events) {
    for (const EventAssignment& a : e.assignments) event_targets.insert(a.target);
  }
  std::set<std::string> in_reactions;
  for (const Reaction& r : mod.reactions) {
    for (const auto& [s, _] : r.reactants) in_reactions.insert(s);
    for (const auto& [s, _] : r.products) in_reactions.insert(s);
  }
  std::map<std::string, const Equation*> equation_of;
  for (const Equation& q : mod.equations) equation_of[q.state] = &q;

  std::string compartment;
  if (!in_reactions.empty()) {
    compartment = fresh("default_compartment");
    ::Compartment* c = m->createCompartment();
    c->setId(compartment);
    c->setConstant(true);
    c->setSize(1.0);
    c->setSpatialDimensions(3.0);
    annotate(c, {{"kind", "compartment"},
                 {"description", "one compartment of size 1: species hold amounts"}});
  }

  for (const Input& in : mod.inputs) {
    ::Parameter* p = m->createParameter();
    p->setId(in.name);
    p->setValue(in.default_value);
    p->setConstant(true);
    annotate(p, {{"kind", "input"}, {"unit", in.unit.text}, {"description", in.description}});
  }
  for (const Parameter& par : mod.parameters) {
    ::Parameter* p = m->createParameter();
    p->setId(par.name);
    p->setValue(par.value);
    p->setConstant(!event_targets.count(par.name));
    annotate(p, {{"kind", "parameter"},
                 {"unit", par.unit.text},
                 {"source", par.source},
                 {"description", par.description},
                 {"lower", par.lower ? fmt_g(*par.lower) : ""},
                 {"upper", par.upper ? fmt_g(*par.upper) : ""},
                 {"spread", par.spread != 0.0 ? fmt_g(par.spread) : ""}});
    if (par.initial) {
      ::InitialAssignment* ia = m->createInitialAssignment();
      ia->setSymbol(par.name);
      set_math(ia, par.initial);
    }
  }
  for (const State& st : mod.states) {
    const bool species = in_reactions.count(st.name) > 0;
    if (species && equation_of.count(st.name)) {
      throw InputError(st.where, "export-sbml: state '" + st.name +
                                     "' has both an equation and reactions");
    }
    const bool const_init = st.initial && is_constant(st.initial);
    const double init =
        const_init ? evaluate(st.initial, [](const std::string&) { return 0.0; }) : 0.0;
    ::SBase* el = nullptr;
    if (species) {
      ::Species* s = m->createSpecies();
      s->setId(st.name);
      s->setCompartment(compartment);
      s->setHasOnlySubstanceUnits(true);
      s->setBoundaryCondition(false);
      s->setConstant(false);
      if (const_init) s->setInitialAmount(init);
      el = s;
    } else {
      ::Parameter* p = m->createParameter();
      p->setId(st.name);
      p->setConstant(false);
      if (const_init) p->setValue(init);
      el = p;
    }
    annotate(el, {{"kind", "state"},
                  {"unit", st.unit.text},
                  {"description", st.description},
                  {"non_negative", st.non_negative ? "true" : "false"}});
    if (st.initial && !const_init) {
      ::InitialAssignment* ia = m->createInitialAssignment();
      ia->setSymbol(st.name);
      set_math(ia, st.initial);
    }
    if (auto it = equation_of.find(st.name); it != equation_of.end()) {
      ::RateRule* rr = m->createRateRule();
      rr->setVariable(st.name);
      set_math(rr, it->second->rate);
    }
  }
  auto rule_parameter = [&](const std::string& name, const Expr& expr, const char* kind,
                            const Unit& unit, const std::string& description) {
    ::Parameter* p = m->createParameter();
    p->setId(name);
    p->setConstant(false);
    annotate(p, {{"kind", kind}, {"unit", unit.text}, {"description", description}});
    ::AssignmentRule* ar = m->createAssignmentRule();
    ar->setVariable(name);
    set_math(ar, expr);
  };
  for (const Variable& v : mod.variables) {
    rule_parameter(v.name, v.expr, "variable", v.unit, v.description);
  }
  for (const Observable& o : mod.observables) {
    rule_parameter(o.name, o.expr, "observable", o.unit, o.description);
  }
  for (const Reaction& r : mod.reactions) {
    ::Reaction* re = m->createReaction();
    re->setId(fresh(r.name.empty() ? "reaction" : r.name));
    re->setReversible(false);
    for (const auto& [s, n] : r.reactants) {
      ::SpeciesReference* sr = re->createReactant();
      sr->setSpecies(s);
      sr->setStoichiometry(n);
      sr->setConstant(true);
    }
    for (const auto& [s, n] : r.products) {
      ::SpeciesReference* sr = re->createProduct();
      sr->setSpecies(s);
      sr->setStoichiometry(n);
      sr->setConstant(true);
    }
    ::KineticLaw* kl = re->createKineticLaw();
    set_math(kl, r.rate);
    if (re->getId() != r.name) annotate(re, {{"kind", "reaction"}, {"name", r.name}});
  }
  for (const Event& ev : mod.events) {
    ::Event* e = m->createEvent();
    e->setId(fresh(ev.name.empty() ? "event" : ev.name));
    e->setUseValuesFromTriggerTime(ev.use_values_from_trigger_time);
    ::Trigger* t = e->createTrigger();
    t->setInitialValue(ev.initial_value);
    t->setPersistent(ev.persistent);
    set_math(t, ev.trigger);
    if (ev.delay) set_math(e->createDelay(), ev.delay);
    if (ev.priority) set_math(e->createPriority(), ev.priority);
    for (const EventAssignment& a : ev.assignments) {
      ::EventAssignment* ea = e->createEventAssignment();
      ea->setVariable(a.target);
      set_math(ea, a.value);
    }
  }

  // Consistency: everything but units (gutskin units travel as annotations, not SBML units)
  // and modelling-practice advice.
  doc_.setConsistencyChecks(::LIBSBML_CAT_UNITS_CONSISTENCY, false);
  doc_.setConsistencyChecks(::LIBSBML_CAT_MODELING_PRACTICE, false);
  doc_.checkConsistency();
  if (summary != nullptr) {
    for (unsigned i = 0; i < doc_.getNumErrors(); ++i) {
      const ::SBMLError* err = doc_.getError(i);
      const unsigned sev = err->getSeverity();
      if (sev < ::LIBSBML_SEV_WARNING) continue;
      const bool error = sev >= ::LIBSBML_SEV_ERROR;
      (error ? summary->n_errors : summary->n_warnings)++;
      summary->problems.push_back(fmt::format("{}:{}: {}: {}", err->getLine(), err->getColumn(),
                                              error ? "error" : "warning", err->getMessage()));
    }
  }
  char* text = ::writeSBMLToString(&doc_);
  std::string out = text ? text : "";
  std::free(text);
  return out;
}

}  // namespace

std::string SbmlExportSummary::brief() const {
  return fmt::format("wrote {} (SBML L3V2): libSBML consistency checks: {} error{}, {} warning{}",
                     file.string(), n_errors, n_errors == 1 ? "" : "s", n_warnings,
                     n_warnings == 1 ? "" : "s");
}

std::string to_sbml_string(const Model& model, SbmlExportSummary* summary) {
  return Exporter(model).run(summary);
}

SbmlExportSummary export_sbml(const Model& model, const std::filesystem::path& out) {
  SbmlExportSummary s;
  s.file = out;
  const std::string text = to_sbml_string(model, &s);
  if (text.empty()) throw InputError(SourceLoc{out.string()}, "libSBML could not write the model");
  std::FILE* f = std::fopen(out.string().c_str(), "wb");
  if (f == nullptr) throw InputError(SourceLoc{out.string()}, "cannot open for writing");
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) throw InputError(SourceLoc{out.string()}, "cannot write the file");
  return s;
}

}  // namespace gutskin
