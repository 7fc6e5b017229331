// Reads YAML model files (and their modules) into the model IR, collecting every problem with
// its file:line:column before throwing. The format is docs/model-format.md.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/limits.hpp"
#include "core/names.hpp"
#include "core/yaml_reader.hpp"
#include "expr/depth.hpp"
#include "formats/loaders.hpp"
#include "gutskin/model.hpp"

namespace gutskin {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kSections = {
    "model",     "description", "modules",     "inputs", "parameters", "states",
    "variables", "equations",   "reactions",   "observables", "events", "phenotypes"};
const std::vector<std::string> kInputKeys = {"unit", "default", "description"};
const std::vector<std::string> kParameterKeys = {"value",  "unit",   "bounds",
                                                 "spread", "source", "description"};
const std::vector<std::string> kStateKeys = {"initial", "unit", "description", "non_negative"};
const std::vector<std::string> kExprKeys = {"expr", "unit", "description"};
const std::vector<std::string> kReactionKeys = {"rate", "reactants", "products", "description"};
const std::vector<std::string> kEventKeys = {"name",     "trigger",    "assign",
                                             "delay",    "priority",   "persistent",
                                             "use_values_from_trigger_time", "initial_value",
                                             "description"};
const std::vector<std::string> kPhenotypeKeys = {"description", "parameters", "spread"};

std::string in_quotes(const std::string& s) { return detail::message_quote(s); }

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string near = closest_name(name, candidates);
  return near.empty() ? "" : " (did you mean '" + near + "'?)";
}

// A plain decimal number ("1", "-2.5e3"); beyond the range of a double it reads as ±infinity.
bool decimal(const std::string& text, double& out) {
  std::string s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  if (s.empty()) return false;
  const char* begin = s.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end != begin + s.size()) return false;
  // strtod also accepts "nan", "inf", "0x1p3": only plain decimal numbers are numbers here.
  for (char c : s)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
          c == '+' || c == '-'))
      return false;
  out = v;
  return true;
}

// A decimal too large for a double (1e309): a typo, not a way to write infinity (that is .inf);
// read as infinity it was silently dropped as a bound, or made a value infinite.
bool overflows(const std::string& text) {
  double v = 0.0;
  return decimal(text, v) && std::isinf(v);
}

bool to_number(const std::string& text, double& out) {
  std::string s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  if (s == ".inf" || s == "+.inf" || s == ".Inf" || s == "+.Inf") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "-.inf" || s == "-.Inf") {
    out = -std::numeric_limits<double>::infinity();
    return true;
  }
  double v = 0.0;
  if (!decimal(s, v) || std::isinf(v)) return false;
  out = v;
  return true;
}

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar: return in_quotes(n.Scalar());
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    default: return "nothing";
  }
}

bool present(const YAML::Node& n) { return n.IsDefined() && !n.IsNull(); }

class YamlLoader {
 public:
  Model model;
  DiagnosticSink sink;
  bool malformed = false;  // some file could not be parsed: names may be missing

  // Reads one file; `from` is where it was included (unknown for the top file).
  void load_file(const fs::path& path, bool top, const SourceLoc& from) {
    const std::string display = path.generic_string();
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(path, ec);
    if (ec) canonical = path;
    for (std::size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i].first == canonical) {
        std::string chain;
        for (std::size_t j = i; j < stack_.size(); ++j) chain += stack_[j].second + " -> ";
        sink.error(from, "cycle in modules: " + chain + display);
        return;
      }
    }
    if (!done_.insert(canonical).second) return;  // diamond: already merged

    if (const std::string big = detail::file_too_large(path, detail::kMaxYamlFileBytes, "a YAML file"); !big.empty()) {
      if (top) sink.error(SourceLoc{display, 0, 0}, big);
      else sink.error(from, "module " + in_quotes(display) + ": " + big);
      malformed = true;
      return;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      const std::string why = fs::exists(path) ? "cannot read it" : "no such file";
      if (top)
        sink.error(SourceLoc{display, 0, 0}, "cannot read model file (" + why + ")");
      else
        sink.error(from, "cannot read module " + in_quotes(display) + " (" + why + ")");
      malformed = true;
      return;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();

    File file{display, {}};
    {
      std::string line;
      std::istringstream lines(text);
      while (std::getline(lines, line)) file.lines.push_back(line);
    }

    YAML::Node root;
    try {
      root = detail::YamlReader::parse(text, display);
    } catch (const InputError& e) {
      sink.absorb(e);
      malformed = true;
      return;
    }
    model.files.push_back(path);

    const File* saved = file_;
    file_ = &file;
    stack_.emplace_back(canonical, display);
    std::vector<std::pair<fs::path, SourceLoc>> modules;
    try {
      read_root(root, top, path, modules);
    } catch (const YAML::Exception& e) {  // should not happen; never lose the file position
      sink.error(SourceLoc{display, e.mark.line + 1, e.mark.column + 1},
                 "malformed YAML: " + e.msg);
      malformed = true;
    }
    file_ = saved;
    for (const auto& [module, where] : modules) load_file(module, false, where);
    stack_.pop_back();
  }

 private:
  struct File {
    std::string display;
    std::vector<std::string> lines;
  };
  const File* file_ = nullptr;
  std::vector<std::pair<fs::path, std::string>> stack_;  // (canonical, as displayed)
  std::set<fs::path> done_;

  // ---- positions -------------------------------------------------------------------------------

  SourceLoc loc(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    if (m.line < 0) return SourceLoc{file_->display, 0, 0};
    return SourceLoc{file_->display, m.line + 1, m.column + 1};
  }

  // Position of the first character of a scalar's content (after a quote; for a block scalar,
  // the first character on its first content line).
  SourceLoc scalar_loc(const YAML::Node& n) const {
    SourceLoc at = loc(n);
    if (at.line <= 0 || at.line > static_cast<int>(file_->lines.size())) return at;
    const std::string& line = file_->lines[at.line - 1];
    const std::size_t col = static_cast<std::size_t>(at.column - 1);
    if (col >= line.size()) return at;
    const char c = line[col];
    if (c == '"' || c == '\'') {
      ++at.column;
    } else if (c == '|' || c == '>') {
      for (std::size_t l = static_cast<std::size_t>(at.line); l < file_->lines.size(); ++l) {
        const std::string& next = file_->lines[l];
        const std::size_t first = next.find_first_not_of(" \t\r");
        if (first == std::string::npos) continue;
        at.line = static_cast<int>(l) + 1;
        at.column = static_cast<int>(first) + 1;
        break;
      }
    }
    return at;
  }

  // ---- typed fields ----------------------------------------------------------------------------

  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                  const std::string& what) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        sink.error(loc(it->first), "unknown key " + in_quotes(key) + " in " + what +
                                       did_you_mean(key, allowed));
    }
  }

  // Reads a number; on a problem reports "expected a number for <field>, got ..." and returns false.
  bool number(const YAML::Node& n, const std::string& field, double& out) {
    if (n.IsScalar() && to_number(n.Scalar(), out)) return true;
    if (n.IsScalar() && overflows(n.Scalar())) {
      sink.error(scalar_loc(n), field + ": " + detail::number_out_of_range(n.Scalar()));
      return false;
    }
    sink.error(n.IsScalar() ? scalar_loc(n) : loc(n),
               "expected a number for " + field + ", got " + describe(n));
    return false;
  }

  bool boolean(const YAML::Node& n, const std::string& field, bool& out) {
    if (n.IsScalar()) {
      const std::string s = n.Scalar();
      if (s == "true" || s == "True" || s == "yes") return out = true, true;
      if (s == "false" || s == "False" || s == "no") return out = false, true;
    }
    sink.error(n.IsScalar() ? scalar_loc(n) : loc(n),
               "expected true or false for " + field + ", got " + describe(n));
    return false;
  }

  std::string text(const YAML::Node& n, const std::string& field) {
    if (n.IsScalar()) return n.Scalar();
    if (n.IsNull()) return "";
    sink.error(loc(n), "expected text for " + field + ", got " + describe(n));
    return "";
  }

  // An expression: a number is a constant; a string is parsed, errors pointing into the file.
  Expr expression(const YAML::Node& n, const std::string& field) {
    if (!n.IsScalar()) {
      sink.error(loc(n), "expected an expression for " + field + ", got " + describe(n));
      return nullptr;
    }
    const std::string s = n.Scalar();
    double v = 0.0;
    if (to_number(s, v)) return constant(v);
    try {
      return parse_expression(s, scalar_loc(n));
    } catch (const InputError& e) {
      for (const auto& d : e.diagnostics()) sink.error(d.where, d.message);
      return nullptr;
    }
  }

  Unit unit(const YAML::Node& n, const std::string& field) {
    if (!n.IsScalar()) {
      sink.error(loc(n), "expected a unit for " + field + ", got " + describe(n));
      return Unit{};
    }
    try {
      return parse_unit(n.Scalar(), scalar_loc(n));
    } catch (const InputError& e) {
      for (const auto& d : e.diagnostics()) sink.error(d.where, d.message);
      return Unit{};
    }
  }

  static std::string field_of(const std::string& key, const std::string& what) {
    return in_quotes(key) + " of " + what;
  }

  // ---- sections --------------------------------------------------------------------------------

  void read_root(const YAML::Node& root, bool top, const fs::path& path,
                 std::vector<std::pair<fs::path, SourceLoc>>& modules) {
    if (root.IsNull() || !root.IsDefined()) return;  // an empty module
    if (!root.IsMap()) {
      sink.error(loc(root), "expected a mapping of sections at the top of the file, got " +
                                describe(root));
      return;
    }
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.Scalar();
      // A copy, never a reference: yaml-cpp's iterator returns its pair through a temporary proxy,
      // so `const YAML::Node& v = it->second` dangles once the statement ends.
      const YAML::Node value = it->second;
      if (std::find(kSections.begin(), kSections.end(), key) == kSections.end()) {
        sink.error(loc(it->first),
                   "unknown section " + in_quotes(key) + did_you_mean(key, kSections));
        continue;
      }
      if (!present(value)) continue;
      if (key == "model") {
        const std::string name = text(value, "'model'");
        if (top) model.name = name;
      } else if (key == "description") {
        const std::string d = text(value, "'description'");
        if (top) model.description = d;
      } else if (key == "modules") {
        read_modules(value, path, modules);
      } else if (key == "events") {
        if (!value.IsSequence()) {
          sink.error(loc(value), "expected a list for section 'events', got " + describe(value));
          continue;
        }
        for (const auto& e : value) read_event(e);
      } else {
        if (!value.IsMap()) {
          sink.error(loc(value), "expected a mapping for section " + in_quotes(key) + ", got " +
                                     describe(value));
          continue;
        }
        for (auto item = value.begin(); item != value.end(); ++item) {
          const std::string name = item->first.Scalar();
          const SourceLoc where = loc(item->first);
          const YAML::Node body = item->second;  // a copy (see `value` above)
          if (!detail::is_identifier(name)) {
            sink.error(where, detail::not_an_identifier(name, "in section '" + key + "'"));
            continue;
          }
          if (key == "inputs") read_input(name, where, body);
          else if (key == "parameters") read_parameter(name, where, body);
          else if (key == "states") read_state(name, where, body);
          else if (key == "variables") read_variable(name, where, body);
          else if (key == "equations") read_equation(name, where, body);
          else if (key == "reactions") read_reaction(name, where, body);
          else if (key == "observables") read_observable(name, where, body);
          else if (key == "phenotypes") read_phenotype(name, where, body);
        }
      }
    }
  }

  void read_modules(const YAML::Node& value, const fs::path& path,
                    std::vector<std::pair<fs::path, SourceLoc>>& modules) {
    std::vector<YAML::Node> items;
    if (value.IsScalar()) items.push_back(value);
    else if (value.IsSequence()) for (const auto& m : value) items.push_back(m);
    else {
      sink.error(loc(value), "expected a list of files for 'modules', got " + describe(value));
      return;
    }
    for (const auto& m : items) {
      if (!m.IsScalar()) {
        sink.error(loc(m), "expected a file name in 'modules', got " + describe(m));
        continue;
      }
      fs::path module = (path.parent_path() / m.Scalar()).lexically_normal();
      std::error_code ec;
      if (fs::is_directory(module, ec)) module /= "model.yaml";
      modules.emplace_back(module, scalar_loc(m));
    }
  }

  void read_input(const std::string& name, const SourceLoc& where, const YAML::Node& body) {
    Input in;
    in.name = name;
    in.where = where;
    const std::string what = "input " + in_quotes(name);
    if (body.IsMap()) {
      check_keys(body, kInputKeys, what);
      if (present(body["unit"])) in.unit = unit(body["unit"], field_of("unit", what));
      if (present(body["default"]))
        number(body["default"], field_of("default", what), in.default_value);
      if (present(body["description"]))
        in.description = text(body["description"], field_of("description", what));
    } else if (body.IsScalar()) {
      number(body, what, in.default_value);
    } else if (!body.IsNull()) {
      sink.error(loc(body), "expected a mapping for " + what + ", got " + describe(body));
    }
    model.inputs.push_back(std::move(in));
  }

  void read_parameter(const std::string& name, const SourceLoc& where, const YAML::Node& body) {
    Parameter p;
    p.name = name;
    p.where = where;
    const std::string what = "parameter " + in_quotes(name);
    if (body.IsMap()) {
      check_keys(body, kParameterKeys, what);
      if (present(body["value"]))
        number(body["value"], field_of("value", what), p.value);
      else
        sink.error(where, "missing 'value' for " + what);
      if (present(body["unit"])) p.unit = unit(body["unit"], field_of("unit", what));
      if (present(body["bounds"])) read_bounds(body["bounds"], what, p);
      if (present(body["spread"])) {
        const YAML::Node s = body["spread"];
        if (number(s, field_of("spread", what), p.spread) && !(p.spread >= 0.0)) {
          sink.error(scalar_loc(s), "'spread' of " + what + " must be >= 0, got " + s.Scalar());
          p.spread = 0.0;
        }
      }
      if (present(body["source"])) p.source = text(body["source"], field_of("source", what));
      if (p.source.empty()) sink.error(where, "missing 'source' for " + what);
      if (present(body["description"]))
        p.description = text(body["description"], field_of("description", what));
    } else if (body.IsScalar()) {
      // `k: 5` gives a value but no source, which every parameter needs.
      if (number(body, what, p.value)) sink.error(where, "missing 'source' for " + what);
    } else {
      sink.error(where, "missing 'value' for " + what);
      sink.error(where, "missing 'source' for " + what);
    }
    model.parameters.push_back(std::move(p));
  }

  void read_bounds(const YAML::Node& b, const std::string& what, Parameter& p) {
    if (!b.IsSequence() || b.size() != 2) {
      sink.error(loc(b), "expected [lower, upper] for 'bounds' of " + what + ", got " +
                             describe(b));
      return;
    }
    double lo = 0.0, hi = 0.0;
    const bool has_lo = !b[0].IsNull(), has_hi = !b[1].IsNull();
    bool ok = true;
    if (has_lo) ok = number(b[0], field_of("bounds", what), lo) && ok;
    if (has_hi) ok = number(b[1], field_of("bounds", what), hi) && ok;
    if (!ok) return;
    if (has_lo && has_hi && lo > hi) {
      sink.error(loc(b), "'bounds' of " + what + " are reversed: lower " + b[0].Scalar() +
                             " > upper " + b[1].Scalar());
      return;
    }
    if (has_lo && std::isfinite(lo)) p.lower = lo;
    if (has_hi && std::isfinite(hi)) p.upper = hi;
  }

  void read_state(const std::string& name, const SourceLoc& where, const YAML::Node& body) {
    State s;
    s.name = name;
    s.where = where;
    const std::string what = "state " + in_quotes(name);
    if (body.IsMap()) {
      check_keys(body, kStateKeys, what);
      if (present(body["initial"]))
        s.initial = expression(body["initial"], field_of("initial", what));
      else
        sink.error(where, "missing 'initial' for " + what);
      if (present(body["unit"])) s.unit = unit(body["unit"], field_of("unit", what));
      if (present(body["description"]))
        s.description = text(body["description"], field_of("description", what));
      if (present(body["non_negative"]))
        boolean(body["non_negative"], field_of("non_negative", what), s.non_negative);
    } else if (body.IsScalar()) {
      s.initial = expression(body, what);
    } else {
      sink.error(where, "missing 'initial' for " + what);
    }
    model.states.push_back(std::move(s));
  }

  // variables and observables share the form `name: expr` or `name: {expr, unit, description}`.
  template <class Item>
  Item read_expr_item(const std::string& name, const SourceLoc& where, const YAML::Node& body,
                      const std::string& what) {
    Item v;
    v.name = name;
    v.where = where;
    if (body.IsMap()) {
      check_keys(body, kExprKeys, what);
      if (present(body["expr"]))
        v.expr = expression(body["expr"], field_of("expr", what));
      else
        sink.error(where, "missing 'expr' for " + what);
      if (present(body["unit"])) v.unit = unit(body["unit"], field_of("unit", what));
      if (present(body["description"]))
        v.description = text(body["description"], field_of("description", what));
    } else if (body.IsScalar()) {
      v.expr = expression(body, what);
    } else {
      sink.error(where, "missing 'expr' for " + what);
    }
    return v;
  }

  void read_variable(const std::string& name, const SourceLoc& where, const YAML::Node& body) {
    model.variables.push_back(
        read_expr_item<Variable>(name, where, body, "variable " + in_quotes(name)));
  }

  void read_observable(const std::string& name, const SourceLoc& where, const YAML::Node& body) {
    model.observables.push_back(
        read_expr_item<Observable>(name, where, body, "observable " + in_quotes(name)));
  }

  void read_equation(const std::string& name, const SourceLoc& where, const YAML::Node& body) {
    Equation eq;
    eq.state = name;
    eq.where = where;
    eq.rate = expression(body, "equation " + in_quotes(name));
    model.equations.push_back(std::move(eq));
  }

  void read_stoichiometry(const YAML::Node& n, const std::string& field,
                          std::vector<std::pair<std::string, double>>& out) {
    if (n.IsSequence()) {  // [a, b]: stoichiometry 1 each
      for (const auto& s : n) {
        if (s.IsScalar()) out.emplace_back(s.Scalar(), 1.0);
        else sink.error(loc(s), "expected a state name in " + field + ", got " + describe(s));
      }
    } else if (n.IsMap()) {
      for (auto it = n.begin(); it != n.end(); ++it) {
        double v = 1.0;
        if (number(it->second, in_quotes(it->first.Scalar()) + " in " + field, v))
          out.emplace_back(it->first.Scalar(), v);
      }
    } else {
      sink.error(loc(n), "expected a mapping {state: stoichiometry} for " + field + ", got " +
                             describe(n));
    }
  }

  void read_reaction(const std::string& name, const SourceLoc& where, const YAML::Node& body) {
    Reaction r;
    r.name = name;
    r.where = where;
    const std::string what = "reaction " + in_quotes(name);
    if (body.IsMap()) {
      check_keys(body, kReactionKeys, what);
      if (present(body["rate"]))
        r.rate = expression(body["rate"], field_of("rate", what));
      else
        sink.error(where, "missing 'rate' for " + what);
      if (present(body["reactants"]))
        read_stoichiometry(body["reactants"], field_of("reactants", what), r.reactants);
      if (present(body["products"]))
        read_stoichiometry(body["products"], field_of("products", what), r.products);
    } else {
      sink.error(loc(body), "expected a mapping for " + what + ", got " + describe(body));
    }
    model.reactions.push_back(std::move(r));
  }

  void read_event(const YAML::Node& body) {
    Event e;
    e.where = loc(body);
    const std::size_t number_in_model = model.events.size() + 1;
    if (!body.IsMap()) {
      sink.error(loc(body), "expected a mapping for an event, got " + describe(body));
      return;
    }
    if (present(body["name"])) e.name = text(body["name"], "'name' of an event");
    if (!e.name.empty() && !detail::is_identifier(e.name)) {
      sink.error(scalar_loc(body["name"]), detail::not_an_identifier(e.name, "an event"));
      e.name.clear();
    }
    if (e.name.empty()) e.name = "event_" + std::to_string(number_in_model);
    const std::string what = "event " + in_quotes(e.name);
    check_keys(body, kEventKeys, what);
    if (present(body["trigger"]))
      e.trigger = expression(body["trigger"], field_of("trigger", what));
    else
      sink.error(e.where, "missing 'trigger' for " + what);
    if (present(body["assign"])) {
      const YAML::Node a = body["assign"];
      if (a.IsMap()) {
        for (auto it = a.begin(); it != a.end(); ++it) {
          const std::string target = it->first.Scalar();
          e.assignments.push_back(
              {target, expression(it->second, "assignment to " + in_quotes(target) + " in " + what)});
        }
      } else {
        sink.error(loc(a), "expected a mapping {target: value} for 'assign' of " + what +
                               ", got " + describe(a));
      }
    }
    if (present(body["delay"])) e.delay = expression(body["delay"], field_of("delay", what));
    if (present(body["priority"]))
      e.priority = expression(body["priority"], field_of("priority", what));
    if (present(body["persistent"]))
      boolean(body["persistent"], field_of("persistent", what), e.persistent);
    if (present(body["use_values_from_trigger_time"]))
      boolean(body["use_values_from_trigger_time"],
              field_of("use_values_from_trigger_time", what), e.use_values_from_trigger_time);
    if (present(body["initial_value"]))
      boolean(body["initial_value"], field_of("initial_value", what), e.initial_value);
    model.events.push_back(std::move(e));
  }

  void read_values(const YAML::Node& n, const std::string& field, const std::string& what,
                   std::map<std::string, double>& out) {
    if (!n.IsMap()) {
      sink.error(loc(n), "expected a mapping {parameter: value} for " + field_of(field, what) +
                             ", got " + describe(n));
      return;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      double v = 0.0;
      const std::string key = it->first.Scalar();
      if (number(it->second, in_quotes(key) + " in " + field_of(field, what), v)) out[key] = v;
    }
  }

  void read_phenotype(const std::string& name, const SourceLoc& where, const YAML::Node& body) {
    Phenotype p;
    p.name = name;
    p.where = where;
    const std::string what = "phenotype " + in_quotes(name);
    if (body.IsMap()) {
      check_keys(body, kPhenotypeKeys, what);
      if (present(body["description"]))
        p.description = text(body["description"], field_of("description", what));
      if (present(body["parameters"])) read_values(body["parameters"], "parameters", what, p.values);
      if (present(body["spread"])) read_values(body["spread"], "spread", what, p.spreads);
    } else if (!body.IsNull()) {
      sink.error(loc(body), "expected a mapping for " + what + ", got " + describe(body));
    }
    model.phenotypes.push_back(std::move(p));
  }
};

}  // namespace

Model detail::load_yaml_model(const fs::path& path) {
  std::error_code ec;
  const fs::path file = fs::is_directory(path, ec) ? path / "model.yaml" : path;

  YamlLoader loader;
  loader.load_file(file, true, SourceLoc{});
  Model& model = loader.model;
  if (model.name.empty()) {
    const fs::path named = file.filename() == "model.yaml" ? file.parent_path() : file;
    model.name = (file.filename() == "model.yaml" ? fs::absolute(named).filename()
                                                  : named.stem())
                     .string();
  }
  // Names can only be checked once every file was read.
  if (!loader.malformed) {
    try {
      validate(model);
    } catch (const InputError& e) {
      for (const auto& d : e.diagnostics()) loader.sink.error(d.where, d.message);
    }
  }
  loader.sink.throw_if_any();
  return std::move(model);
}

}  // namespace gutskin
