// SBML → model IR with libSBML. See sbml_import.hpp for the mapping.
#include "sbml/sbml_import.hpp"

#include "sbml/sbml_annotation.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>

#include <sbml/SBMLTypes.h>
#include <sbml/conversion/ConversionProperties.h>
#include <sbml/packages/comp/common/CompExtensionTypes.h>

#include "core/limits.hpp"
#include "expr/depth.hpp"

// Designated initialisers leave the other members at their defaults, as intended.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 false positive on the same

namespace gutskin::detail {
namespace {


constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// libSBML reads XML, and MathML in particular, recursively: a deep enough nest of elements
// overflows the stack inside it (somewhere between 5000 and 20000 levels). The file is checked
// first; the expressions built are then held to kMaxExprDepth (expr/depth.hpp) like parsed ones.
constexpr int kMaxXmlDepth = 2000;

std::string math_too_deep() {
  return "math nested too deeply (more than " + std::to_string(kMaxExprDepth) + " levels)";
}

// Where the XML text nests elements deeper than `limit`: the offset of the opening '<', or npos.
// Only elements count: comments, CDATA, processing instructions, declarations and quoted
// attribute values are skipped. Malformed XML is left to libSBML to report.
std::size_t too_deep_xml(const std::string& x, int limit) {
  int depth = 0;
  auto skip_past = [&](std::size_t from, const char* end) {
    const std::size_t at = x.find(end, from);
    return at == std::string::npos ? x.size() : at + std::char_traits<char>::length(end);
  };
  for (std::size_t i = x.find('<'); i < x.size(); i = x.find('<', i)) {
    if (x.compare(i, 4, "<!--") == 0) {
      i = skip_past(i + 4, "-->");
    } else if (x.compare(i, 9, "<![CDATA[") == 0) {
      i = skip_past(i + 9, "]]>");
    } else if (x.compare(i, 2, "<?") == 0) {
      i = skip_past(i + 2, "?>");
    } else if (x.compare(i, 2, "<!") == 0) {  // <!DOCTYPE ... [internal subset]>
      int brackets = 0;
      std::size_t j = i + 2;
      for (; j < x.size() && !(x[j] == '>' && brackets == 0); ++j)
        brackets += x[j] == '[' ? 1 : x[j] == ']' ? -1 : 0;
      i = j + 1;
    } else if (x.compare(i, 2, "</") == 0) {
      --depth;
      i = skip_past(i + 2, ">");
    } else {
      std::size_t j = i + 1;
      char quote = 0;
      for (; j < x.size() && (quote || x[j] != '>'); ++j) {
        if (quote ? x[j] == quote : (x[j] == '"' || x[j] == '\'')) quote = quote ? 0 : x[j];
      }
      if (j >= x.size() || x[j - 1] != '/') {
        if (++depth > limit) return i;
      }
      i = j + 1;
    }
  }
  return std::string::npos;
}
constexpr double kAvogadro = 6.02214179e23;  // the value SBML L3 and libSBML use

// Names the IR or its expression language gives a meaning to.
const std::set<std::string>& reserved_names() {
  static const std::set<std::string> names = {
      "time", "t", "and", "or", "not", "if", "piecewise", "exp", "log", "ln", "log10", "sqrt",
      "abs", "sin", "cos", "tan", "floor", "ceil", "min", "max", "pow", "hill", "hill_inh", "mm",
      "true", "false", "inf", "nan"};
  return names;
}

Expr add(Expr a, Expr b) { return make(Op::add, {std::move(a), std::move(b)}); }
Expr sub(Expr a, Expr b) { return make(Op::sub, {std::move(a), std::move(b)}); }
Expr mul(Expr a, Expr b) { return make(Op::mul, {std::move(a), std::move(b)}); }
Expr div(Expr a, Expr b) { return make(Op::div, {std::move(a), std::move(b)}); }
Expr un(Op op, Expr a) { return make(op, {std::move(a)}); }
Expr bin(Op op, Expr a, Expr b) { return make(op, {std::move(a), std::move(b)}); }

std::string element_kind(const ::SBase* e) {
  if (e == nullptr) return "element";
  switch (e->getTypeCode()) {
    case ::SBML_COMPARTMENT: return "compartment";
    case ::SBML_SPECIES: return "species";
    case ::SBML_PARAMETER: return "parameter";
    case ::SBML_LOCAL_PARAMETER: return "local parameter";
    case ::SBML_REACTION: return "reaction";
    case ::SBML_KINETIC_LAW: return "kinetic law";
    case ::SBML_SPECIES_REFERENCE: return "species reference";
    case ::SBML_INITIAL_ASSIGNMENT: return "initial assignment";
    case ::SBML_ASSIGNMENT_RULE: return "assignment rule";
    case ::SBML_RATE_RULE: return "rate rule";
    case ::SBML_ALGEBRAIC_RULE: return "algebraic rule";
    case ::SBML_EVENT: return "event";
    case ::SBML_EVENT_ASSIGNMENT: return "event assignment";
    case ::SBML_TRIGGER: return "event trigger";
    case ::SBML_DELAY: return "event delay";
    case ::SBML_PRIORITY: return "event priority";
    case ::SBML_FUNCTION_DEFINITION: return "function definition";
    case ::SBML_STOICHIOMETRY_MATH: return "stoichiometry math";
    case ::SBML_CONSTRAINT: return "constraint";
    default: return e->getElementName();
  }
}

// "reaction 'R1'" / "assignment rule for 'x'" / "event 'e1' trigger".
std::string describe(const ::SBase* e) {
  if (e == nullptr) return "model";
  const int tc = e->getTypeCode();
  if (tc == ::SBML_ASSIGNMENT_RULE || tc == ::SBML_RATE_RULE) {
    return element_kind(e) + " for '" + static_cast<const ::Rule*>(e)->getVariable() + "'";
  }
  if (tc == ::SBML_INITIAL_ASSIGNMENT) {
    return "initial assignment for '" + static_cast<const ::InitialAssignment*>(e)->getSymbol() +
           "'";
  }
  if (tc == ::SBML_EVENT_ASSIGNMENT) {
    return "event assignment to '" + static_cast<const ::EventAssignment*>(e)->getVariable() +
           "'";
  }
  if (tc == ::SBML_KINETIC_LAW || tc == ::SBML_TRIGGER || tc == ::SBML_DELAY ||
      tc == ::SBML_PRIORITY || tc == ::SBML_STOICHIOMETRY_MATH) {
    const ::SBase* parent = e->getParentSBMLObject();
    if (parent != nullptr && parent->getTypeCode() == ::SBML_SPECIES_REFERENCE) {
      parent = parent->getParentSBMLObject();  // list of reactants/products
      if (parent != nullptr) parent = parent->getParentSBMLObject();
    }
    return element_kind(e) + " of " + describe(parent);
  }
  std::string s = element_kind(e);
  if (e->isSetId()) s += " '" + e->getId() + "'";
  return s;
}

// Unit from a gutskin annotation; units it cannot parse are dropped (SBML carries no others).
Unit annotated_unit(const std::map<std::string, std::string>& a) {
  auto it = a.find("unit");
  if (it == a.end() || it->second.empty()) return {};
  try {
    return parse_unit(it->second);
  } catch (const InputError&) {
    return {};
  }
}

std::optional<double> annotated_number(const std::map<std::string, std::string>& a,
                                       const char* key) {
  auto it = a.find(key);
  if (it == a.end() || it->second.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  if (end == it->second.c_str()) return std::nullopt;
  return v;
}

std::string annotated(const std::map<std::string, std::string>& a, const char* key) {
  auto it = a.find(key);
  return it == a.end() ? std::string() : it->second;
}

class Importer {
 public:
  explicit Importer(std::filesystem::path path) : path_(std::move(path)) {}

  SbmlImport run();

 private:
  using Bindings = std::map<std::string, Expr>;

  SourceLoc loc(const ::SBase* e) const {
    SourceLoc l{path_.string(), 0, 0};
    if (e != nullptr) {
      l.line = static_cast<int>(e->getLine());
      l.column = static_cast<int>(e->getColumn());
    }
    return l;
  }
  void refuse(const ::SBase* e, const std::string& what) {
    sink_.error(loc(e), describe(e) + ": " + what);
  }

  std::string fresh_name(const std::string& base) {
    std::string name = base;
    for (int i = 2; used_.count(name) || reserved_names().count(name); ++i) {
      name = base + "_" + std::to_string(i);
    }
    used_.insert(name);
    return name;
  }

  void read_document();
  void read_model_annotation();
  Unit time_unit() const;
  void collect_ids();
  void collect_rules();
  bool free_variable(const std::string& sbml_id) const;
  void solve_algebraic_rules(const std::vector<const ::Rule*>& rules);
  void map_compartments();
  void map_parameters();
  void map_species();
  void map_species_references();
  void map_reactions();
  void map_events();
  void make_rate_of_variables();
  void inline_initial_values();

  // Builds the IR entity for a symbol that has no species-specific handling:
  // rate rule → state, assignment rule → variable, else parameter.
  void map_plain_symbol(const ::SBase* e, const std::string& sbml_id, double value,
                        bool value_set);

  Expr math(const ::ASTNode* n, const ::SBase* where, const Bindings& b = {});
  Expr math_node(const ::ASTNode* n, const ::SBase* where, const Bindings& b);
  Expr apply_function(const ::ASTNode* n, const ::SBase* where, const Bindings& b);
  Expr rate_of_ir(const std::string& ir_name, int depth);
  // A variable (made at the end) holding d/dt of an SBML symbol.
  Expr rate_of_symbol(const std::string& sbml_id) {
    auto it = rate_of_var_.find(sbml_id);
    if (it == rate_of_var_.end()) {
      it = rate_of_var_.emplace(sbml_id, fresh_name("rateOf_" + sbml_id)).first;
    }
    return symbol(it->second);
  }
  Expr ir(const std::string& sbml_id) const { return symbol(ir_name_.at(sbml_id)); }

  std::filesystem::path path_;
  DiagnosticSink sink_;
  std::unique_ptr<::SBMLDocument> doc_;
  const ::Model* m_ = nullptr;
  SbmlImport out_;

  std::set<std::string> used_;
  std::map<std::string, std::string> ir_name_;  // SBML id → IR name
  struct Assigned {
    Expr expr;
    const ::SBase* where = nullptr;
  };
  std::map<std::string, Assigned> assignment_rule_;  // assignment rules and solved algebraic rules
  std::map<std::string, const ::Rule*> rate_rule_;
  std::map<std::string, const ::InitialAssignment*> initial_assignment_;
  std::set<std::string> reaction_changed_;         // species changed by some reaction
  std::map<std::string, std::string> rate_of_var_;  // SBML id → IR variable holding rateOf(id)
  std::map<std::string, Expr> state_rate_;          // IR state name → d/dt
  std::set<std::string> local_parameters_;          // IR names of reactions' local parameters
  int math_depth_ = 0;           // recursion of math() (MathML nesting, function bodies included)
  bool math_too_deep_ = false;   // reported for the current top-level math()
};

SbmlImport Importer::run() {
  read_document();
  sink_.throw_if_any();
  out_.model.name = m_->isSetId() ? m_->getId() : path_.stem().string();
  out_.model.description = m_->isSetName() ? m_->getName() : "";
  read_model_annotation();
  out_.model.time_unit = time_unit();
  out_.model.files.push_back(path_);
  collect_ids();
  collect_rules();
  map_compartments();
  map_parameters();
  map_species();
  map_species_references();
  map_reactions();
  map_events();
  make_rate_of_variables();
  inline_initial_values();
  sink_.throw_if_any();
  return std::move(out_);
}

void Importer::read_document() {
  if (!std::filesystem::exists(path_)) {
    sink_.error({path_.string(), 0, 0}, "cannot read SBML file: no such file");
    return;
  }
  if (const std::string big = detail::file_too_large(path_, detail::kMaxSbmlFileBytes, "an SBML file"); !big.empty()) {
    sink_.error({path_.string(), 0, 0}, big);
    return;
  }
  // libSBML takes the name it reads from as the document's location and resolves comp
  // externalModelDefinition sources against it, which fails when that name is relative: give it
  // the absolute one (messages keep the path as the user wrote it).
  {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string x = text.str();
    if (const std::size_t at = too_deep_xml(x, kMaxXmlDepth); at != std::string::npos) {
      const std::size_t line_start = x.rfind('\n', at);
      sink_.error({path_.string(), static_cast<int>(std::count(x.begin(), x.begin() + at, '\n')) + 1,
                   static_cast<int>(at - (line_start == std::string::npos ? 0 : line_start + 1)) + 1},
                  "XML nested too deeply (more than " + std::to_string(kMaxXmlDepth) +
                      " levels of elements)");
      return;
    }
  }
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path_, ec);
  doc_.reset(::readSBMLFromFile((ec ? path_ : absolute).string().c_str()));
  auto report_errors = [&](const std::string& context) {
    bool any = false;
    for (unsigned i = 0; i < doc_->getNumErrors(); ++i) {
      const ::SBMLError* err = doc_->getError(i);
      if (err->getSeverity() < ::LIBSBML_SEV_ERROR) continue;
      any = true;
      sink_.error({path_.string(), static_cast<int>(err->getLine()),
                   static_cast<int>(err->getColumn())},
                  context + err->getShortMessage() + ": " + err->getMessage());
    }
    return any;
  };
  if (report_errors("invalid SBML: ")) return;
  if (doc_->getModel() == nullptr) {
    sink_.error({path_.string(), 0, 0}, "SBML document has no model");
    return;
  }
  out_.level = static_cast<int>(doc_->getLevel());
  out_.version = static_cast<int>(doc_->getVersion());

  // Packages exist from Level 3 on (libSBML lists layout/render plugins on L2 documents too).
  for (unsigned i = 0; out_.level >= 3 && i < doc_->getNumPlugins(); ++i) {
    const std::string pkg = doc_->getPlugin(i)->getPackageName();
    if (pkg == "comp" || pkg == "l3v2extendedmath") continue;  // the latter: L3V2 core math
    if (doc_->isPackageEnabled(pkg) && doc_->getPackageRequired(pkg)) {
      sink_.error({path_.string(), 0, 0},
                  "SBML package '" + pkg + "' is required by the document but not supported "
                  "(supported: core, comp)");
    }
  }
  for (int i = 0; out_.level >= 3 && i < doc_->getNumUnknownPackages(); ++i) {
    const std::string prefix = doc_->getUnknownPackagePrefix(i);
    if (doc_->getPackageRequired(doc_->getUnknownPackageURI(i))) {
      sink_.error({path_.string(), 0, 0}, "SBML package '" + prefix + "' (" +
                                              doc_->getUnknownPackageURI(i) +
                                              ") is required but unknown to libSBML");
    }
  }
  if (!sink_.empty()) return;

  if (doc_->isPackageEnabled("comp")) {
    ::ConversionProperties props;
    props.addOption("flatten comp", true);
    props.addOption("leavePorts", false);
    doc_->getErrorLog()->clearLog();
    const int rc = doc_->convert(props);
    if (rc != ::LIBSBML_OPERATION_SUCCESS) {
      if (!report_errors("cannot flatten hierarchical (comp) model: ")) {
        sink_.error({path_.string(), 0, 0},
                    "cannot flatten hierarchical (comp) model: libSBML converter returned " +
                        std::to_string(rc));
      }
      return;
    }
  }
  m_ = doc_->getModel();
}

// The model's time unit: what gutskin's export wrote, Level 3 `timeUnits`, or in Levels 1-2 the
// `time` unit definition (the second by default). A definition that is a multiple of the second
// gets its usual name; any other keeps its id. Empty when a Level 3 model declares none.
Unit Importer::time_unit() const {
  if (const auto ann = read_gutskin_annotation(m_); ann.count("time_unit")) {
    const std::string& text = ann.at("time_unit");
    try {
      return text.empty() ? Unit{.text = ""} : parse_unit(text);
    } catch (const InputError&) {
      return Unit{.text = text};  // an SBML unit id gutskin has no symbol for
    }
  }
  std::string id = m_->getLevel() >= 3 ? m_->getTimeUnits() : "time";
  if (id.empty()) return Unit{.text = ""};
  double seconds = 1.0;
  if (const ::UnitDefinition* ud = m_->getUnitDefinition(id)) {
    const ::Unit* u = ud->getNumUnits() == 1 ? ud->getUnit(0) : nullptr;
    if (u == nullptr || u->getKind() != UNIT_KIND_SECOND || u->getExponentAsDouble() != 1.0)
      return Unit{.text = id};  // not a plain time: no conversion possible
    seconds = u->getMultiplier() * std::pow(10.0, u->getScale());
  } else if (id != "second" && id != "time") {
    return Unit{.text = id};
  }
  for (const auto& [name, length] : {std::pair{"s", 1.0}, {"min", 60.0}, {"h", 3600.0},
                                     {"day", 86400.0}, {"week", 604800.0}})
    if (std::fabs(seconds - length) <= 1e-12 * length) return parse_unit(name);
  Unit unit = parse_unit("s");
  unit.text = id;
  unit.factor *= seconds;
  return unit;
}

// What export_sbml keeps on the model: description and phenotypes.
void Importer::read_model_annotation() {
  const auto ann = read_gutskin_annotation(m_);
  if (ann.count("description")) out_.model.description = ann.at("description");
  for (const ::XMLNode* node : gutskin_annotation_children(m_)) {
    if (node->getName() != "phenotype") continue;
    Phenotype ph;
    ph.name = node->getAttrValue("name");
    ph.description = node->getAttrValue("description");
    ph.where = loc(m_);
    for (unsigned i = 0; i < node->getNumChildren(); ++i) {
      const ::XMLNode& v = node->getChild(i);
      if (!v.isElement() || v.getName() != "value") continue;
      const std::string parameter = v.getAttrValue("parameter");
      auto number = [&](const char* key) -> std::optional<double> {
        const std::string text = v.getAttrValue(key);
        if (text.empty()) return std::nullopt;
        char* end = nullptr;
        const double x = std::strtod(text.c_str(), &end);
        if (end == text.c_str()) {
          sink_.error(loc(m_), "phenotype '" + ph.name + "': " + key + " of '" + parameter +
                                   "' is not a number: '" + text + "'");
          return std::nullopt;
        }
        return x;
      };
      if (auto x = number("value")) ph.values[parameter] = *x;
      if (auto x = number("spread")) ph.spreads[parameter] = *x;
    }
    out_.model.phenotypes.push_back(std::move(ph));
  }
}

void Importer::collect_ids() {
  auto use = [&](const ::SBase* e) {
    if (e->isSetId()) used_.insert(e->getId());
  };
  for (unsigned i = 0; i < m_->getNumFunctionDefinitions(); ++i) use(m_->getFunctionDefinition(i));
  for (unsigned i = 0; i < m_->getNumEvents(); ++i) use(m_->getEvent(i));
  auto map_id = [&](const ::SBase* e) {
    if (!e->isSetId()) return;
    const std::string& id = e->getId();
    used_.insert(id);
    ir_name_[id] = id;
  };
  for (unsigned i = 0; i < m_->getNumCompartments(); ++i) map_id(m_->getCompartment(i));
  for (unsigned i = 0; i < m_->getNumSpecies(); ++i) map_id(m_->getSpecies(i));
  for (unsigned i = 0; i < m_->getNumParameters(); ++i) map_id(m_->getParameter(i));
  for (unsigned i = 0; i < m_->getNumReactions(); ++i) {
    const ::Reaction* r = m_->getReaction(i);
    map_id(r);
    for (unsigned j = 0; j < r->getNumReactants(); ++j) map_id(r->getReactant(j));
    for (unsigned j = 0; j < r->getNumProducts(); ++j) map_id(r->getProduct(j));
  }
  // Reserved words get a new name once every SBML id is known.
  for (auto& [id, name] : ir_name_) {
    if (reserved_names().count(id)) name = fresh_name(id + "_");
  }
}

void Importer::collect_rules() {
  std::vector<const ::Rule*> algebraic;
  for (unsigned i = 0; i < m_->getNumRules(); ++i) {
    const ::Rule* r = m_->getRule(i);
    if (!r->isSetMath()) continue;  // a rule without math leaves its variable alone
    if (r->isAlgebraic()) {
      algebraic.push_back(r);
      continue;
    }
    const std::string& v = r->getVariable();
    if (!ir_name_.count(v)) {
      refuse(r, "rule variable '" + v + "' is not a compartment, species, parameter or "
                "species reference");
      continue;
    }
    if (r->isAssignment()) {
      assignment_rule_[v] = {math(r->getMath(), r), r};
    } else {
      rate_rule_[v] = r;
    }
  }
  for (unsigned i = 0; i < m_->getNumInitialAssignments(); ++i) {
    const ::InitialAssignment* ia = m_->getInitialAssignment(i);
    if (!ia->isSetMath()) continue;  // ignored, as SBML L3V2 says
    if (!ir_name_.count(ia->getSymbol())) {
      refuse(ia, "symbol '" + ia->getSymbol() + "' is not a compartment, species, parameter or "
                 "species reference");
      continue;
    }
    initial_assignment_[ia->getSymbol()] = ia;
  }
  for (unsigned i = 0; i < m_->getNumReactions(); ++i) {
    const ::Reaction* r = m_->getReaction(i);
    if (r->isSetFast() && r->getFast()) {
      refuse(r, "fast reactions are not supported");
    }
    auto note = [&](const ::SpeciesReference* sr) {
      const ::Species* s = m_->getSpecies(sr->getSpecies());
      if (s != nullptr && !s->getBoundaryCondition() && !s->getConstant()) {
        reaction_changed_.insert(s->getId());
      }
    };
    for (unsigned j = 0; j < r->getNumReactants(); ++j) note(r->getReactant(j));
    for (unsigned j = 0; j < r->getNumProducts(); ++j) note(r->getProduct(j));
  }
  solve_algebraic_rules(algebraic);
}

bool Importer::free_variable(const std::string& id) const {
  if (assignment_rule_.count(id) || rate_rule_.count(id) || reaction_changed_.count(id)) {
    return false;
  }
  if (const ::Parameter* p = m_->getParameter(id)) return !p->getConstant();
  if (const ::Compartment* c = m_->getCompartment(id)) return !c->getConstant();
  if (const ::Species* sp = m_->getSpecies(id)) return !sp->getConstant();
  if (const ::SpeciesReference* sr = m_->getSpeciesReference(id)) {
    return m_->getLevel() >= 3 && !sr->getConstant();
  }
  return false;
}

void Importer::solve_algebraic_rules(const std::vector<const ::Rule*>& rules) {
  // 0 = f: solved for the one variable it can determine (non-constant, set by nothing else) when
  // f is linear in it, which becomes an assignment rule. Rules are taken in whatever order
  // leaves a single unknown each time; the rest would need a DAE solver.
  std::map<std::string, std::string> id_of;  // IR name → SBML id
  for (const auto& [id, name] : ir_name_) id_of[name] = id;
  std::set<std::string> event_targets;
  for (unsigned i = 0; i < m_->getNumEvents(); ++i) {
    const ::Event* e = m_->getEvent(i);
    for (unsigned j = 0; j < e->getNumEventAssignments(); ++j) {
      event_targets.insert(e->getEventAssignment(j)->getVariable());
    }
  }
  std::vector<std::pair<const ::Rule*, Expr>> pending;
  for (const ::Rule* r : rules) pending.emplace_back(r, math(r->getMath(), r));
  for (bool progress = true; progress && !pending.empty();) {
    progress = false;
    for (auto it = pending.begin(); it != pending.end();) {
      const Expr& f = it->second;
      std::set<std::string> syms;
      collect_symbols(f, syms);
      std::vector<std::string> unknowns;
      for (const std::string& s : syms) {
        if (auto id = id_of.find(s); id != id_of.end() && free_variable(id->second)) {
          unknowns.push_back(id->second);
        }
      }
      if (unknowns.size() > 1) {
        // Variables that events assign are values the algebraic rule must follow, not unknowns.
        std::vector<std::string> narrowed;
        for (const std::string& u : unknowns) {
          if (!event_targets.count(u)) narrowed.push_back(u);
        }
        if (narrowed.size() == 1) unknowns = narrowed;
      }
      if (unknowns.size() != 1) {
        ++it;
        continue;
      }
      const std::string& x = ir_name_.at(unknowns[0]);
      const Expr slope = simplify(differentiate(f, x));
      std::set<std::string> in_slope;
      collect_symbols(slope, in_slope);
      const bool zero_slope = is_constant(slope) &&
                              evaluate(slope, [](const std::string&) { return kNaN; }) == 0.0;
      if (in_slope.count(x) || zero_slope) {
        refuse(it->first, "algebraic rule is not linear in '" + unknowns[0] +
                              "'; algebraic rules are not supported beyond that (gutskin "
                              "integrates ODEs, not DAEs)");
      } else {
        const Expr rest = simplify(substitute(f, [&](const std::string& n) {
          return n == x ? constant(0.0) : nullptr;
        }));
        assignment_rule_[unknowns[0]] = {simplify(div(un(Op::neg, rest), slope)), it->first};
        progress = true;
      }
      it = pending.erase(it);
    }
  }
  for (const auto& [r, f] : pending) {
    refuse(r, "algebraic rules are not supported unless each determines one variable "
              "linearly (gutskin integrates ODEs, not DAEs)");
  }
}

void Importer::map_plain_symbol(const ::SBase* e, const std::string& sbml_id, double value,
                                bool value_set) {
  const std::string& name = ir_name_.at(sbml_id);
  out_.symbols[sbml_id].ir_name = name;
  out_.symbols[sbml_id].value = symbol(name);
  const auto ann = read_gutskin_annotation(e);
  const std::string kind = annotated(ann, "kind");
  const Unit unit = annotated_unit(ann);
  const std::string description = annotated(ann, "description");
  if (auto it = assignment_rule_.find(sbml_id); it != assignment_rule_.end()) {
    const Expr expr = it->second.expr;
    if (kind == "observable") {
      out_.model.observables.push_back({.name = name, .expr = expr, .unit = unit,
                                        .description = description, .where = loc(e)});
    } else {
      out_.model.variables.push_back({.name = name, .expr = expr, .unit = unit,
                                      .description = description, .where = loc(e)});
    }
    return;
  }
  Expr initial;
  if (auto it = initial_assignment_.find(sbml_id); it != initial_assignment_.end()) {
    initial = math(it->second->getMath(), it->second);
  }
  auto add_state = [&] {
    out_.model.states.push_back({.name = name,
                                 .initial = initial ? initial : constant(value_set ? value : kNaN),
                                 .unit = unit,
                                 .non_negative = annotated(ann, "non_negative") == "true",
                                 .description = description,
                                 .where = loc(e)});
  };
  if (auto it = rate_rule_.find(sbml_id); it != rate_rule_.end()) {
    const Expr rate = math(it->second->getMath(), it->second);
    add_state();
    out_.model.equations.push_back({.state = name, .rate = rate, .where = loc(it->second)});
    state_rate_[name] = rate;
    return;
  }
  if (kind == "input" && !initial) {
    out_.model.inputs.push_back({.name = name, .unit = unit, .default_value = value,
                                 .description = description, .where = loc(e)});
    return;
  }
  if (kind == "state") {  // a state without equation (constant between events)
    add_state();
    return;
  }
  Parameter p{.name = name, .value = value_set ? value : (initial ? 0.0 : kNaN)};
  p.unit = unit;
  p.lower = annotated_number(ann, "lower");
  p.upper = annotated_number(ann, "upper");
  p.spread = annotated_number(ann, "spread").value_or(0.0);
  p.source = ann.count("source") ? annotated(ann, "source") : "SBML " + path_.filename().string();
  p.description = description;
  if (e->isSetName() && e->getName() != name) p.label = e->getName();
  p.initial = initial;
  p.where = loc(e);
  out_.model.parameters.push_back(std::move(p));
}

void Importer::map_compartments() {
  for (unsigned i = 0; i < m_->getNumCompartments(); ++i) {
    const ::Compartment* c = m_->getCompartment(i);
    double size = c->getSize();
    bool set = c->isSetSize();
    if (!set && m_->getLevel() < 3) {
      size = 1.0;  // the L2 default
      set = true;
    }
    map_plain_symbol(c, c->getId(), size, set);
    out_.symbols[c->getId()].kind = SbmlKind::compartment;
  }
}

void Importer::map_parameters() {
  for (unsigned i = 0; i < m_->getNumParameters(); ++i) {
    const ::Parameter* p = m_->getParameter(i);
    map_plain_symbol(p, p->getId(), p->getValue(), p->isSetValue());
    out_.symbols[p->getId()].kind = SbmlKind::parameter;
  }
}

void Importer::map_species_references() {
  for (unsigned i = 0; i < m_->getNumReactions(); ++i) {
    const ::Reaction* r = m_->getReaction(i);
    auto one = [&](const ::SpeciesReference* sr) {
      if (!sr->isSetId()) return;
      double value = sr->getStoichiometry();
      const bool set = sr->isSetStoichiometry() || m_->getLevel() < 3;
      if (m_->getLevel() < 3 && sr->isSetStoichiometryMath()) {
        const ::StoichiometryMath* sm = sr->getStoichiometryMath();
        const std::string& name = ir_name_.at(sr->getId());
        out_.symbols[sr->getId()] = {.kind = SbmlKind::species_reference,
                                     .ir_name = name,
                                     .value = symbol(name)};
        out_.model.variables.push_back({.name = name,
                                        .expr = sm->isSetMath() ? math(sm->getMath(), sm)
                                                                : constant(kNaN),
                                        .where = loc(sr)});
        return;
      }
      map_plain_symbol(sr, sr->getId(), value, set);
      out_.symbols[sr->getId()].kind = SbmlKind::species_reference;
    };
    for (unsigned j = 0; j < r->getNumReactants(); ++j) one(r->getReactant(j));
    for (unsigned j = 0; j < r->getNumProducts(); ++j) one(r->getProduct(j));
  }
}

void Importer::map_species() {
  for (unsigned i = 0; i < m_->getNumSpecies(); ++i) {
    const ::Species* s = m_->getSpecies(i);
    const std::string& id = s->getId();
    const ::Compartment* c = m_->getCompartment(s->getCompartment());
    if (c == nullptr) {
      refuse(s, "compartment '" + s->getCompartment() + "' does not exist");
      continue;
    }
    const bool zero_d = c->isSetSpatialDimensions() && c->getSpatialDimensionsAsDouble() == 0.0;
    const bool conc_semantics = !s->getHasOnlySubstanceUnits() && !zero_d;
    const bool compartment_constant = c->getConstant() && !assignment_rule_.count(c->getId()) &&
                                      !rate_rule_.count(c->getId());
    const bool has_rule = assignment_rule_.count(id) || rate_rule_.count(id);
    const bool changed_by_reactions = reaction_changed_.count(id) > 0 && !has_rule;
    const Expr vol = ir(c->getId());
    const std::string& name = ir_name_.at(id);

    SbmlSymbol& sym = out_.symbols[id];
    sym.kind = SbmlKind::species;
    sym.ir_name = name;
    sym.value = symbol(name);

    // Held as an amount under another name when it is a concentration in a changing compartment.
    // (SBML keeps the amount when an event changes the compartment, even for a species under a
    // rate rule on its concentration: then d amount/dt = rate·V + [S]·dV/dt.)
    const bool amount_form =
        conc_semantics && !compartment_constant && !assignment_rule_.count(id);
    const std::string held = amount_form ? fresh_name(id + "_amount") : name;
    const bool held_as_amount = amount_form || !conc_semantics;

    // Initial value, as held.
    Expr initial;
    if (auto it = initial_assignment_.find(id); it != initial_assignment_.end()) {
      initial = math(it->second->getMath(), it->second);  // in the units math sees
      if (amount_form) initial = mul(initial, vol);
    } else if (s->isSetInitialAmount()) {
      initial = constant(s->getInitialAmount());
      if (!held_as_amount) initial = div(initial, vol);
    } else if (s->isSetInitialConcentration()) {
      initial = constant(s->getInitialConcentration());
      if (held_as_amount) initial = mul(initial, vol);
    } else {
      initial = constant(kNaN);
    }

    if (amount_form) {
      sym.amount = symbol(held);
      sym.concentration = symbol(name);
      out_.model.variables.push_back(
          {.name = name, .expr = div(symbol(held), vol), .where = loc(s)});
    } else if (conc_semantics) {
      sym.concentration = symbol(name);
      sym.amount = mul(symbol(name), vol);
    } else {
      sym.amount = symbol(name);
      sym.concentration = zero_d ? symbol(name) : div(symbol(name), vol);
    }

    if (auto it = assignment_rule_.find(id); it != assignment_rule_.end()) {
      out_.model.variables.push_back({.name = name, .expr = it->second.expr, .where = loc(s)});
    } else if (auto rr = rate_rule_.find(id); rr != rate_rule_.end()) {
      Expr rate = math(rr->second->getMath(), rr->second);
      if (amount_form) {
        rate = add(mul(rate, vol), mul(symbol(name), rate_of_symbol(c->getId())));
      }
      out_.model.states.push_back(
          {.name = held, .initial = initial, .non_negative = false, .where = loc(s)});
      out_.model.equations.push_back({.state = held, .rate = rate, .where = loc(rr->second)});
      state_rate_[held] = rate;
    } else if (changed_by_reactions) {
      // The rate equation is filled in by map_reactions.
      const auto ann = read_gutskin_annotation(s);
      out_.model.states.push_back({.name = held,
                                   .initial = initial,
                                   .unit = annotated_unit(ann),
                                   .non_negative = annotated(ann, "non_negative") == "true",
                                   .description = annotated(ann, "description"),
                                   .where = loc(s)});
    } else {
      Parameter p{.name = held, .value = 0.0};
      p.source = "SBML " + path_.filename().string();
      p.initial = initial;
      if (is_constant(initial)) {
        p.value = evaluate(initial, [](const std::string&) { return kNaN; });
        p.initial = nullptr;
      }
      p.where = loc(s);
      out_.model.parameters.push_back(std::move(p));
    }
  }
}

void Importer::map_reactions() {
  std::map<std::string, Expr> species_rate;  // SBML species id → Σ stoichiometry × rate
  std::vector<std::string> order;
  for (unsigned i = 0; i < m_->getNumReactions(); ++i) {
    const ::Reaction* r = m_->getReaction(i);
    const std::string& rid = ir_name_.at(r->getId());
    out_.symbols[r->getId()] = {.kind = SbmlKind::reaction, .ir_name = rid, .value = symbol(rid)};
    Expr rate;
    if (r->isSetKineticLaw() && r->getKineticLaw()->isSetMath()) {
      const ::KineticLaw* kl = r->getKineticLaw();
      Bindings local;
      const unsigned n_local =
          m_->getLevel() >= 3 ? kl->getNumLocalParameters() : kl->getNumParameters();
      for (unsigned j = 0; j < n_local; ++j) {
        const ::SBase* lp = m_->getLevel() >= 3
                                  ? static_cast<const ::SBase*>(kl->getLocalParameter(j))
                                  : static_cast<const ::SBase*>(kl->getParameter(j));
        const std::string lid = lp->getId();
        const double value = m_->getLevel() >= 3 ? kl->getLocalParameter(j)->getValue()
                                                 : kl->getParameter(j)->getValue();
        const std::string name = fresh_name(rid + "_" + lid);
        Parameter p{.name = name, .value = value};
        p.source = "SBML " + path_.filename().string();
        p.description = "local parameter '" + lid + "' of reaction '" + r->getId() + "'";
        p.where = loc(lp);
        out_.model.parameters.push_back(std::move(p));
        local[lid] = symbol(name);
        local_parameters_.insert(name);
      }
      rate = math(kl->getMath(), kl, local);
    } else {
      // No kinetic law: SBML leaves the rate undefined; simulating it as 0 would be a guess.
      if (r->getNumReactants() + r->getNumProducts() > 0) {
        refuse(r, "reaction without a kinetic law (rate undefined) is not supported");
      }
      rate = constant(0.0);
    }
    out_.model.variables.push_back({.name = rid,
                                    .expr = rate,
                                    .description = "rate of reaction '" + r->getId() + "'",
                                    .where = loc(r)});

    auto term = [&](const ::SpeciesReference* sr, double sign) {
      const std::string& sid = sr->getSpecies();
      if (!reaction_changed_.count(sid)) return;
      const ::Species* s = m_->getSpecies(sid);
      if (assignment_rule_.count(sid) || rate_rule_.count(sid)) return;  // SBML forbids; rules win
      Expr stoich;
      if (sr->isSetId()) {
        stoich = ir(sr->getId());
      } else if (sr->isSetStoichiometryMath()) {
        if (!sr->getStoichiometryMath()->isSetMath()) {
          refuse(sr->getStoichiometryMath(), "stoichiometryMath without math");
          return;
        }
        stoich = math(sr->getStoichiometryMath()->getMath(), sr->getStoichiometryMath());
      } else if (sr->isSetStoichiometry() || m_->getLevel() < 3) {
        stoich = constant(sr->getStoichiometry());
      } else {
        refuse(sr, "stoichiometry of species '" + sid + "' is not set");
        return;
      }
      Expr t = mul(stoich, symbol(rid));
      if (sign < 0) t = un(Op::neg, t);
      std::string cf;
      if (s->isSetConversionFactor()) {
        cf = s->getConversionFactor();
      } else if (m_->getLevel() >= 3 && m_->isSetConversionFactor()) {
        cf = m_->getConversionFactor();
      }
      if (!cf.empty() && !ir_name_.count(cf)) {
        refuse(s, "conversion factor '" + cf + "' does not exist");
        return;
      }
      if (!cf.empty()) t = mul(t, ir(cf));
      auto [it, inserted] = species_rate.emplace(sid, t);
      if (inserted) {
        order.push_back(sid);
      } else {
        it->second = add(it->second, t);
      }
    };
    for (unsigned j = 0; j < r->getNumReactants(); ++j) term(r->getReactant(j), -1.0);
    for (unsigned j = 0; j < r->getNumProducts(); ++j) term(r->getProduct(j), +1.0);
  }
  // One equation per species changed by reactions (species whose terms all vanished get 0).
  for (unsigned i = 0; i < m_->getNumSpecies(); ++i) {
    const ::Species* s = m_->getSpecies(i);
    const std::string& sid = s->getId();
    if (!reaction_changed_.count(sid) || assignment_rule_.count(sid) || rate_rule_.count(sid)) {
      continue;
    }
    const auto mapped = out_.symbols.find(sid);
    if (mapped == out_.symbols.end()) continue;  // refused by map_species (no such compartment)
    const SbmlSymbol& sym = mapped->second;
    Expr rate = species_rate.count(sid) ? species_rate.at(sid) : constant(0.0);
    std::string state = sym.ir_name;
    if (sym.amount && sym.amount->op == Op::symbol && sym.amount->name != sym.ir_name) {
      state = sym.amount->name;  // held as an amount under another name
    } else if (sym.amount && sym.amount->op != Op::symbol) {
      rate = div(rate, ir(s->getCompartment()));  // held as a concentration
    }
    out_.model.equations.push_back({.state = state, .rate = rate, .where = loc(s)});
    state_rate_[state] = rate;
  }
}

void Importer::map_events() {
  for (unsigned i = 0; i < m_->getNumEvents(); ++i) {
    const ::Event* e = m_->getEvent(i);
    if (!e->isSetTrigger() || !e->getTrigger()->isSetMath()) continue;  // can never fire
    Event ev;
    if (e->isSetId() && !reserved_names().count(e->getId())) {
      ev.name = e->getId();  // SBML ids are unique, and were reserved in collect_ids
    } else {
      ev.name = fresh_name(e->isSetId() ? e->getId() + "_" : "event_" + std::to_string(i + 1));
    }
    ev.where = loc(e);
    const ::Trigger* tr = e->getTrigger();
    ev.trigger = math(tr->getMath(), tr);
    if (m_->getLevel() >= 3) {
      ev.persistent = tr->getPersistent();
      ev.initial_value = tr->getInitialValue();
    }
    ev.use_values_from_trigger_time = e->getUseValuesFromTriggerTime();
    if (e->isSetDelay() && e->getDelay()->isSetMath()) {
      ev.delay = math(e->getDelay()->getMath(), e->getDelay());
    }
    if (e->isSetPriority() && e->getPriority()->isSetMath()) {
      ev.priority = math(e->getPriority()->getMath(), e->getPriority());
    }
    // (value, target, compartment to multiply by at execution time or "")
    struct Pending {
      Expr value;
      std::string target, compartment;
    };
    std::vector<Pending> pending;
    for (unsigned j = 0; j < e->getNumEventAssignments(); ++j) {
      const ::EventAssignment* ea = e->getEventAssignment(j);
      if (!ea->isSetMath()) continue;
      const std::string& v = ea->getVariable();
      auto it = out_.symbols.find(v);
      if (it == out_.symbols.end()) {
        refuse(ea, "target '" + v + "' is not a compartment, species, parameter or species "
                   "reference");
        continue;
      }
      if (assignment_rule_.count(v)) {
        refuse(ea, "target '" + v + "' is set by an assignment rule");
        continue;
      }
      Pending pa{.value = math(ea->getMath(), ea), .target = it->second.ir_name};
      const SbmlSymbol& sym = it->second;
      if (sym.kind == SbmlKind::species && sym.amount && sym.amount->op == Op::symbol &&
          sym.amount->name != sym.ir_name) {
        // A concentration held as an amount: amount = value × compartment size at execution.
        pa.target = sym.amount->name;
        pa.compartment = m_->getSpecies(v)->getCompartment();
      }
      pending.push_back(std::move(pa));
    }
    const bool mixed = ev.delay && ev.use_values_from_trigger_time &&
                       std::any_of(pending.begin(), pending.end(),
                                   [](const Pending& p) { return !p.compartment.empty(); });
    if (mixed) {
      // Values from trigger time but the compartment size from execution time: a companion
      // event without delay stores the values at trigger time in parameters, and the delayed
      // event assigns from them, evaluated when it executes. (Exact unless the trigger fires
      // again while an earlier firing is still pending.)
      Event store;
      store.name = fresh_name(ev.name + "_values");
      store.trigger = ev.trigger;
      store.priority = ev.priority;
      store.initial_value = ev.initial_value;
      store.persistent = true;
      store.where = ev.where;
      for (Pending& pa : pending) {
        const std::string buf = fresh_name(ev.name + "_value_" + pa.target);
        Parameter p{.name = buf, .value = 0.0};
        p.description = "value of event '" + ev.name + "' for '" + pa.target +
                        "' at trigger time";
        p.where = ev.where;
        out_.model.parameters.push_back(std::move(p));
        store.assignments.push_back({.target = buf, .value = pa.value});
        pa.value = symbol(buf);
      }
      out_.model.events.push_back(std::move(store));
      ev.use_values_from_trigger_time = false;
    }
    for (const Pending& pa : pending) {
      ev.assignments.push_back(
          {.target = pa.target,
           .value = pa.compartment.empty() ? pa.value : mul(pa.value, ir(pa.compartment))});
    }
    out_.model.events.push_back(std::move(ev));
  }
}

Expr Importer::rate_of_ir(const std::string& name, int depth) {
  if (depth > 100) {
    sink_.error(loc(nullptr), "rateOf: circular definitions around '" + name + "'");
    return constant(kNaN);
  }
  if (auto it = state_rate_.find(name); it != state_rate_.end()) return it->second;
  const int vi = out_.model.variable_index(name);
  if (vi < 0) return constant(0.0);  // parameters: constant between events
  const Expr e = out_.model.variables[static_cast<std::size_t>(vi)].expr;
  std::set<std::string> syms;
  collect_symbols(e, syms);
  Expr total = constant(0.0);
  for (const std::string& s : syms) {
    const Expr d = differentiate(e, s);
    if (is_constant(d) && evaluate(d, [](const std::string&) { return 0.0; }) == 0.0) continue;
    const Expr ds = (s == "time" || s == "t") ? constant(1.0) : rate_of_ir(s, depth + 1);
    total = add(total, mul(d, ds));
  }
  return simplify(total);
}

void Importer::make_rate_of_variables() {
  for (const auto& [id, var] : rate_of_var_) {
    auto it = out_.symbols.find(id);
    if (it == out_.symbols.end()) continue;  // reported when converting
    out_.model.variables.push_back(
        {.name = var,
         .expr = rate_of_ir(it->second.ir_name, 0),
         .description = "rateOf(" + id + ")"});
  }
}

void Importer::inline_initial_values() {
  // Value at t0 of every IR name, in terms of parameters without initial expressions.
  std::map<std::string, Expr> at_t0;
  for (const State& s : out_.model.states) at_t0[s.name] = s.initial;
  for (const Variable& v : out_.model.variables) at_t0[v.name] = v.expr;
  for (const Parameter& p : out_.model.parameters) {
    if (p.initial) at_t0[p.name] = p.initial;
  }
  std::map<std::string, Expr> done;
  std::set<std::string> active;
  std::function<Expr(const std::string&)> resolve = [&](const std::string& name) -> Expr {
    if (auto it = done.find(name); it != done.end()) return it->second;
    auto it = at_t0.find(name);
    if (it == at_t0.end()) return nullptr;  // parameter or time: stays a symbol
    if (!active.insert(name).second) {
      sink_.error({path_.string(), 0, 0},
                  "initial values depend on themselves in a cycle through '" + name + "'");
      return constant(kNaN);
    }
    // Each resolved value is held to the expression limit, and so is the chain of values that
    // depend on each other (this recursion).
    Expr e;
    if (static_cast<int>(active.size()) > kMaxExprDepth ||
        expression_depth(e = substitute(it->second, resolve)) > kMaxExprDepth) {
      sink_.error({path_.string(), 0, 0}, "initial value of '" + name +
                                              "' nested too deeply once the values it depends on "
                                              "are inlined (more than " +
                                              std::to_string(kMaxExprDepth) + " levels)");
      e = constant(kNaN);
    }
    active.erase(name);
    done[name] = e;
    return e;
  };
  for (State& s : out_.model.states) s.initial = substitute(s.initial, resolve);
  for (Parameter& p : out_.model.parameters) {
    if (p.initial) p.initial = substitute(p.initial, resolve);
  }
}

// --- math -------------------------------------------------------------------------------------

Expr Importer::math(const ::ASTNode* n, const ::SBase* where, const Bindings& b) {
  // The recursion is bounded by kMaxExprDepth levels; what it builds without recursing (n-ary
  // folds, function bodies inlined) is checked on the way out, so that no Expr deeper than the
  // limit leaves the importer, nor one much deeper is ever built.
  struct Level {
    int& depth;
    ~Level() { --depth; }
  } level{++math_depth_};
  if (math_depth_ == 1) math_too_deep_ = false;
  auto too_deep = [&] {
    if (!math_too_deep_) refuse(where, math_too_deep());
    math_too_deep_ = true;
    return constant(kNaN);
  };
  if (math_depth_ > kMaxExprDepth) return too_deep();
  Expr e = math_node(n, where, b);
  if (math_depth_ == 1 && expression_depth(e) > kMaxExprDepth) return too_deep();
  return e;
}

Expr Importer::math_node(const ::ASTNode* n, const ::SBase* where, const Bindings& b) {
  if (n == nullptr) {
    refuse(where, "missing math");
    return constant(kNaN);
  }
  const int nc = static_cast<int>(n->getNumChildren());
  const auto type = n->getType();
  const bool n_ary_node = type == ::AST_FUNCTION_PIECEWISE || type == ::AST_FUNCTION_MAX ||
                          type == ::AST_FUNCTION_MIN || type == ::AST_FUNCTION;
  if (nc > kMaxExprDepth && !n_ary_node) {  // folded below into a chain as deep as it is long
    refuse(where, "math with " + std::to_string(nc) + " arguments (at most " +
                      std::to_string(kMaxExprDepth) + ")");
    return constant(kNaN);
  }
  auto arg = [&](int i) { return math(n->getChild(static_cast<unsigned>(i)), where, b); };
  auto args = [&]() {
    std::vector<Expr> v;
    for (int i = 0; i < nc; ++i) v.push_back(arg(i));
    return v;
  };
  auto need = [&](int count, const char* what) {
    if (nc != count) {
      refuse(where, std::string(what) + " with " + std::to_string(nc) + " arguments (expected " +
                        std::to_string(count) + ")");
      return false;
    }
    return true;
  };
  auto fold = [&](Op op, double empty) {
    if (nc == 0) return constant(empty);
    Expr e = arg(0);
    for (int i = 1; i < nc; ++i) e = bin(op, e, arg(i));
    return e;
  };
  auto unsupported = [&](const std::string& fn, const std::string& detail = "") {
    refuse(where, "math function " + fn + "()" + detail + " is not supported");
    return constant(kNaN);
  };
  auto ex = [](Expr x) { return un(Op::exp, std::move(x)); };

  switch (n->getType()) {
    case ::AST_INTEGER:
    case ::AST_REAL:
    case ::AST_REAL_E:
    case ::AST_RATIONAL: return constant(n->getValue());
    case ::AST_CONSTANT_E: return constant(M_E);
    case ::AST_CONSTANT_PI: return constant(M_PI);
    case ::AST_CONSTANT_TRUE: return constant(1.0);
    case ::AST_CONSTANT_FALSE: return constant(0.0);
    case ::AST_NAME_TIME: return symbol("time");
    case ::AST_NAME_AVOGADRO: return constant(kAvogadro);
    case ::AST_NAME: {
      const std::string name = n->getName();
      if (auto it = b.find(name); it != b.end()) return it->second;
      if (auto it = ir_name_.find(name); it != ir_name_.end()) return symbol(it->second);
      refuse(where, "unknown symbol '" + name + "'");
      return constant(kNaN);
    }
    case ::AST_PLUS: return fold(Op::add, 0.0);
    case ::AST_TIMES: return fold(Op::mul, 1.0);
    case ::AST_MINUS:
      if (nc == 1) return un(Op::neg, arg(0));
      if (!need(2, "minus")) return constant(kNaN);
      return sub(arg(0), arg(1));
    case ::AST_DIVIDE:
      if (!need(2, "divide")) return constant(kNaN);
      return div(arg(0), arg(1));
    case ::AST_POWER:
    case ::AST_FUNCTION_POWER:
      if (!need(2, "power")) return constant(kNaN);
      return bin(Op::pow, arg(0), arg(1));
    case ::AST_FUNCTION_ROOT:
      if (nc == 1) return un(Op::sqrt, arg(0));
      if (!need(2, "root")) return constant(kNaN);
      return bin(Op::pow, arg(1), div(constant(1.0), arg(0)));
    case ::AST_FUNCTION_LOG:
      if (nc == 1) return un(Op::log10, arg(0));
      if (!need(2, "log")) return constant(kNaN);
      return div(un(Op::log, arg(1)), un(Op::log, arg(0)));
    case ::AST_FUNCTION_LN: return need(1, "ln") ? un(Op::log, arg(0)) : constant(kNaN);
    case ::AST_FUNCTION_EXP: return need(1, "exp") ? un(Op::exp, arg(0)) : constant(kNaN);
    case ::AST_FUNCTION_ABS: return need(1, "abs") ? un(Op::abs, arg(0)) : constant(kNaN);
    case ::AST_FUNCTION_FLOOR: return need(1, "floor") ? un(Op::floor, arg(0)) : constant(kNaN);
    case ::AST_FUNCTION_CEILING:
      return need(1, "ceiling") ? un(Op::ceil, arg(0)) : constant(kNaN);
    case ::AST_FUNCTION_SIN: return need(1, "sin") ? un(Op::sin, arg(0)) : constant(kNaN);
    case ::AST_FUNCTION_COS: return need(1, "cos") ? un(Op::cos, arg(0)) : constant(kNaN);
    case ::AST_FUNCTION_TAN: return need(1, "tan") ? un(Op::tan, arg(0)) : constant(kNaN);
    case ::AST_FUNCTION_SEC:
      return need(1, "sec") ? div(constant(1.0), un(Op::cos, arg(0))) : constant(kNaN);
    case ::AST_FUNCTION_CSC:
      return need(1, "csc") ? div(constant(1.0), un(Op::sin, arg(0))) : constant(kNaN);
    case ::AST_FUNCTION_COT: {
      if (!need(1, "cot")) return constant(kNaN);
      const Expr x = arg(0);
      return div(un(Op::cos, x), un(Op::sin, x));
    }
    case ::AST_FUNCTION_SINH:
    case ::AST_FUNCTION_COSH:
    case ::AST_FUNCTION_TANH:
    case ::AST_FUNCTION_SECH:
    case ::AST_FUNCTION_CSCH:
    case ::AST_FUNCTION_COTH: {
      if (!need(1, "hyperbolic function")) return constant(kNaN);
      const Expr x = arg(0);
      const Expr ep = ex(x), em = ex(un(Op::neg, x));
      const Expr sinh2 = sub(ep, em), cosh2 = add(ep, em);  // 2 sinh, 2 cosh
      switch (n->getType()) {
        case ::AST_FUNCTION_SINH: return div(sinh2, constant(2.0));
        case ::AST_FUNCTION_COSH: return div(cosh2, constant(2.0));
        case ::AST_FUNCTION_TANH: return div(sinh2, cosh2);
        case ::AST_FUNCTION_SECH: return div(constant(2.0), cosh2);
        case ::AST_FUNCTION_CSCH: return div(constant(2.0), sinh2);
        default: return div(cosh2, sinh2);
      }
    }
    case ::AST_FUNCTION_ARCSINH:
    case ::AST_FUNCTION_ARCCOSH:
    case ::AST_FUNCTION_ARCTANH:
    case ::AST_FUNCTION_ARCSECH:
    case ::AST_FUNCTION_ARCCSCH:
    case ::AST_FUNCTION_ARCCOTH: {
      if (!need(1, "inverse hyperbolic function")) return constant(kNaN);
      Expr x = arg(0);
      const auto t = n->getType();
      if (t == ::AST_FUNCTION_ARCSECH || t == ::AST_FUNCTION_ARCCSCH) {
        x = div(constant(1.0), x);
      }
      const Expr one = constant(1.0);
      const Expr x2 = mul(x, x);
      switch (t) {
        case ::AST_FUNCTION_ARCSINH:
        case ::AST_FUNCTION_ARCCSCH:
          return un(Op::log, add(x, un(Op::sqrt, add(x2, one))));
        case ::AST_FUNCTION_ARCCOSH:
        case ::AST_FUNCTION_ARCSECH:
          return un(Op::log, add(x, un(Op::sqrt, sub(x2, one))));
        case ::AST_FUNCTION_ARCTANH:
          return mul(constant(0.5), un(Op::log, div(add(one, x), sub(one, x))));
        default:  // arccoth
          return mul(constant(0.5), un(Op::log, div(add(x, one), sub(x, one))));
      }
    }
    case ::AST_FUNCTION_ARCSIN: return need(1, "arcsin") ? un(Op::asin, arg(0)) : constant(kNaN);
    case ::AST_FUNCTION_ARCCOS: return need(1, "arccos") ? un(Op::acos, arg(0)) : constant(kNaN);
    case ::AST_FUNCTION_ARCTAN: return need(1, "arctan") ? un(Op::atan, arg(0)) : constant(kNaN);
    case ::AST_FUNCTION_ARCSEC:  // arcsec x = arccos(1/x), arccsc x = arcsin(1/x), arccot x = arctan(1/x)
      return need(1, "arcsec") ? un(Op::acos, div(constant(1.0), arg(0))) : constant(kNaN);
    case ::AST_FUNCTION_ARCCSC:
      return need(1, "arccsc") ? un(Op::asin, div(constant(1.0), arg(0))) : constant(kNaN);
    case ::AST_FUNCTION_ARCCOT:
      return need(1, "arccot") ? un(Op::atan, div(constant(1.0), arg(0))) : constant(kNaN);
    case ::AST_FUNCTION_FACTORIAL: {
      return need(1, "factorial") ? un(Op::factorial, arg(0)) : constant(kNaN);
    }
    case ::AST_FUNCTION_PIECEWISE: {
      std::vector<Expr> v = args();
      if (v.size() % 2 == 0) v.push_back(constant(kNaN));  // no otherwise: undefined
      if (v.size() == 1) return v[0];
      return make(Op::piecewise, std::move(v));
    }
    case ::AST_FUNCTION_MAX:
    case ::AST_FUNCTION_MIN: {
      if (nc == 0) return unsupported(n->getType() == ::AST_FUNCTION_MAX ? "max" : "min");
      if (nc == 1) return arg(0);
      return make(n->getType() == ::AST_FUNCTION_MAX ? Op::max : Op::min, args());
    }
    case ::AST_FUNCTION_QUOTIENT:
    case ::AST_FUNCTION_REM: {
      if (!need(2, "quotient/rem")) return constant(kNaN);
      const Expr a = arg(0), d = arg(1);
      const Expr q = div(a, d);
      const Expr trunc = make(Op::piecewise, {un(Op::floor, q), bin(Op::ge, q, constant(0.0)),
                                              un(Op::ceil, q)});
      if (n->getType() == ::AST_FUNCTION_QUOTIENT) return trunc;
      return sub(a, mul(d, trunc));
    }
    case ::AST_LOGICAL_AND: return fold(Op::logical_and, 1.0);
    case ::AST_LOGICAL_OR: return fold(Op::logical_or, 0.0);
    case ::AST_LOGICAL_NOT: return need(1, "not") ? un(Op::logical_not, arg(0)) : constant(kNaN);
    case ::AST_LOGICAL_XOR: {
      if (nc == 0) return constant(0.0);
      Expr e = arg(0);
      for (int i = 1; i < nc; ++i) {
        const Expr y = arg(i);
        e = bin(Op::logical_or, bin(Op::logical_and, e, un(Op::logical_not, y)),
                bin(Op::logical_and, un(Op::logical_not, e), y));
      }
      return e;
    }
    case ::AST_LOGICAL_IMPLIES:
      if (!need(2, "implies")) return constant(kNaN);
      return bin(Op::logical_or, un(Op::logical_not, arg(0)), arg(1));
    case ::AST_RELATIONAL_EQ:
    case ::AST_RELATIONAL_NEQ:
    case ::AST_RELATIONAL_GEQ:
    case ::AST_RELATIONAL_GT:
    case ::AST_RELATIONAL_LEQ:
    case ::AST_RELATIONAL_LT: {
      Op op = Op::eq;
      switch (n->getType()) {
        case ::AST_RELATIONAL_NEQ: op = Op::ne; break;
        case ::AST_RELATIONAL_GEQ: op = Op::ge; break;
        case ::AST_RELATIONAL_GT: op = Op::gt; break;
        case ::AST_RELATIONAL_LEQ: op = Op::le; break;
        case ::AST_RELATIONAL_LT: op = Op::lt; break;
        default: break;
      }
      if (nc < 2) {
        if (nc == 1) return constant(1.0);
        refuse(where, "relational operator without arguments is not supported");
        return constant(kNaN);
      }
      const std::vector<Expr> v = args();
      Expr e = bin(op, v[0], v[1]);
      for (std::size_t i = 2; i < v.size(); ++i) {
        e = bin(Op::logical_and, e, bin(op, v[i - 1], v[i]));
      }
      return e;
    }
    case ::AST_FUNCTION: return apply_function(n, where, b);
    case ::AST_FUNCTION_DELAY:
      if (n->getNumChildren() != 2) {
        refuse(where, "delay() needs 2 arguments, got " + std::to_string(n->getNumChildren()));
        return constant(kNaN);
      }
      return make(Op::delay, {math(n->getChild(0), where, b), math(n->getChild(1), where, b)});
    case ::AST_FUNCTION_RATE_OF: {
      if (!need(1, "rateOf")) return constant(kNaN);
      const ::ASTNode* x = n->getChild(0);
      if (x->getType() != ::AST_NAME) {
        refuse(where, "rateOf() of something other than a model symbol is not supported");
        return constant(kNaN);
      }
      std::string id = x->getName();
      if (auto bound = b.find(id); bound != b.end()) {
        // A local parameter (constant) or a function argument that names a model symbol.
        const Expr& e = bound->second;
        if (is_constant(e) || (e->op == Op::symbol && local_parameters_.count(e->name))) {
          return constant(0.0);
        }
        id.clear();
        for (const auto& [sid, name] : ir_name_) {
          if (e->op == Op::symbol && name == e->name) id = sid;
        }
        if (id.empty()) {
          refuse(where, "rateOf() of something other than a model symbol is not supported");
          return constant(kNaN);
        }
      }
      if (!ir_name_.count(id)) {
        refuse(where, "rateOf(): unknown symbol '" + id + "'");
        return constant(kNaN);
      }
      return rate_of_symbol(id);
    }
    case ::AST_LAMBDA:
      refuse(where, "lambda outside a function definition");
      return constant(kNaN);
    default: {
      const char* nm = n->getName();
      refuse(where, std::string("MathML element '") + (nm ? nm : "?") + "' (libSBML AST type " +
                        std::to_string(static_cast<int>(n->getType())) + ") is not supported");
      return constant(kNaN);
    }
  }
}

Expr Importer::apply_function(const ::ASTNode* n, const ::SBase* where, const Bindings& b) {
  const std::string fname = n->getName() ? n->getName() : "";
  const ::FunctionDefinition* fd = m_->getFunctionDefinition(fname);
  if (fd == nullptr || fd->getMath() == nullptr || fd->getBody() == nullptr) {
    refuse(where, "call of undefined function '" + fname + "'");
    return constant(kNaN);
  }
  const unsigned n_args = fd->getNumArguments();
  if (n_args != n->getNumChildren()) {
    refuse(where, "function '" + fname + "' takes " + std::to_string(n_args) + " arguments, " +
                      std::to_string(n->getNumChildren()) + " given");
    return constant(kNaN);
  }
  Bindings inner;
  for (unsigned i = 0; i < n_args; ++i) {
    inner[fd->getArgument(i)->getName()] = math(n->getChild(i), where, b);
  }
  static thread_local int depth = 0;
  if (depth > 50) {
    refuse(fd, "function definitions call each other recursively");
    return constant(kNaN);
  }
  ++depth;
  Expr e = math(fd->getBody(), fd, inner);
  --depth;
  // Each call's result is held to the limit, so nested calls cannot compound their bodies' depths.
  if (expression_depth(e) > kMaxExprDepth) {
    refuse(where, math_too_deep());
    return constant(kNaN);
  }
  return e;
}

}  // namespace

SbmlImport import_sbml(const std::filesystem::path& path) { return Importer(path).run(); }

Model load_sbml_model(const std::filesystem::path& path) { return import_sbml(path).model; }

}  // namespace gutskin::detail
