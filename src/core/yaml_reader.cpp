#include "core/yaml_reader.hpp"

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/limits.hpp"
#include "gutskin/catalog.hpp"

namespace gutskin::detail {

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string near = closest_name(name, candidates);
  return near.empty() ? std::string() : " (did you mean '" + near + "'?)";
}

std::string format_days(double days) {
  std::ostringstream s;
  s << days << (days == 1.0 ? " day" : " days");
  return s.str();
}

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

YAML::Node YamlReader::load() const {
  std::ifstream in(file_, std::ios::binary);
  if (!in) throw InputError(SourceLoc{.file = file_, .line = 0, .column = 0}, "cannot read the file");
  if (const std::string big = file_too_large(file_, kMaxYamlFileBytes, "a YAML file"); !big.empty())
    throw InputError(SourceLoc{.file = file_, .line = 0, .column = 0}, big);
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), file_);
}

namespace {

std::string yaml_too_deep() {
  return "YAML nested too deeply (more than " + std::to_string(kMaxYamlDepth) + " levels)";
}

SourceLoc at_mark(const std::string& file, const YAML::Mark& m) {
  if (m.line < 0) return SourceLoc{.file = file, .line = 0, .column = 0};
  return SourceLoc{.file = file, .line = m.line + 1, .column = m.column + 1};
}

// Throws at the first node nested deeper than kMaxYamlDepth, and then for every key written twice
// in one mapping (yaml-cpp keeps both and every look-up silently took the first). Iterative, so
// the walk itself cannot overflow; a node reached again through an alias is walked again only when
// reached deeper, so alias chains cost at most kMaxYamlDepth walks of a node, not one per path.
void check_structure(const YAML::Node& root, const std::string& file) {
  std::unordered_map<int, int> deepest;  // by position in the text: aliases share their anchor's
  std::vector<Diagnostic> duplicates;
  std::vector<std::pair<YAML::Node, int>> stack{{root, 1}};
  while (!stack.empty()) {
    auto [n, depth] = std::move(stack.back());
    stack.pop_back();
    if (!n.IsMap() && !n.IsSequence()) continue;
    if (depth > kMaxYamlDepth) throw InputError(at_mark(file, n.Mark()), yaml_too_deep());
    bool first_visit = true;
    if (const int pos = n.Mark().pos; pos >= 0) {
      auto [it, first] = deepest.emplace(pos, depth);
      if (!first && it->second >= depth) continue;
      it->second = depth;
      first_visit = first;
    }
    if (first_visit && n.IsMap()) {
      std::unordered_map<std::string, YAML::Mark> seen;
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) continue;
        const auto [it, added] = seen.emplace(kv.first.Scalar(), kv.first.Mark());
        if (!added)
          duplicates.push_back({at_mark(file, kv.first.Mark()),
                                "duplicate key '" + kv.first.Scalar() + "' (first at " +
                                    at_mark(file, it->second).str() + ")"});
      }
    }
    if (n.IsSequence()) {
      for (const auto& item : n) stack.emplace_back(item, depth + 1);
    } else {
      for (const auto& kv : n) {
        stack.emplace_back(kv.first, depth + 1);  // a key may be a mapping too
        stack.emplace_back(kv.second, depth + 1);
      }
    }
  }
  if (duplicates.empty()) return;
  std::sort(duplicates.begin(), duplicates.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  });
  throw InputError(std::move(duplicates));
}

}  // namespace

YAML::Node YamlReader::parse(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {  // yaml-cpp's own guard ("bad file")
    throw InputError(at_mark(file, e.mark), yaml_too_deep());
  } catch (const YAML::Exception& e) {
    throw InputError(SourceLoc{.file = file, .line = e.mark.line + 1, .column = e.mark.column + 1},
                     "malformed YAML: " + e.msg);
  }
  check_structure(root, file);
  return root;
}

SourceLoc YamlReader::loc(const YAML::Node& n) const {
  if (!n.IsDefined()) return SourceLoc{.file = file_, .line = 0, .column = 0};
  const YAML::Mark m = n.Mark();
  return SourceLoc{.file = file_, .line = m.line + 1, .column = m.column + 1};
}

std::optional<std::string> YamlReader::text(const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) {
    error(n, "expected " + what);
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<Quantity> YamlReader::quantity(const YAML::Node& n) {
  const auto t = text(n, "a quantity such as '35 g/day'");
  if (!t) return std::nullopt;
  try {
    return parse_quantity(*t, loc(n));
  } catch (const InputError& e) {
    absorb(e);
    return std::nullopt;
  }
}

std::optional<double> YamlReader::time(const YAML::Node& n) {
  const auto t = text(n, "a time such as '7 days'");
  if (!t) return std::nullopt;
  try {
    return parse_quantity_in(*t, day_unit(), loc(n));
  } catch (const InputError& e) {
    absorb(e);
    return std::nullopt;
  }
}

std::string YamlReader::written_time(const YAML::Node& n, double days) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s.find_first_not_of("0123456789.eE+- ") != std::string::npos) return s;
  }
  return format_days(days);
}

std::optional<double> YamlReader::number(const YAML::Node& n, bool percent) {
  const std::string expected = percent ? "a number or a percentage such as 75%" : "a number";
  const auto t = text(n, expected);
  if (!t) return std::nullopt;
  std::string s = *t;
  if (percent && !s.empty() && s.back() == '%') s.pop_back();
  try {
    const Quantity q = parse_quantity(s, loc(n));
    if (q.unit.text == "1") return q.value;
  } catch (const InputError&) {
  }
  error(n, "expected " + expected);
  return std::nullopt;
}

bool YamlReader::check_keys(const YAML::Node& map, const std::vector<std::string>& known, const std::string& where) {
  bool ok = true;
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    error(kv.first, "unknown key '" + key + "' in " + where + did_you_mean(key, known));
    ok = false;
  }
  return ok;
}

std::vector<std::string> YamlReader::names(const YAML::Node& n, const std::string& what) {
  std::vector<std::string> out;
  if (!n.IsSequence()) {
    error(n, "expected a list of " + what);
    return out;
  }
  for (const auto& item : n)
    if (auto s = text(item, "a name")) out.push_back(*s);
  return out;
}

std::optional<std::pair<std::string, std::filesystem::path>> YamlReader::model_reference(
    const YAML::Node& root, const std::filesystem::path& dir, const Catalog& catalog) {
  if (!root["model"]) {
    error(root, "missing 'model'");
    return std::nullopt;
  }
  const auto written = text(root["model"], "a built-in model name or a path");
  if (!written) return std::nullopt;
  try {
    return std::pair{*written, catalog.resolve(*written, "model", dir)};
  } catch (const InputError& e) {
    for (const auto& d : e.diagnostics()) error(root["model"], d.message);
    return std::nullopt;
  }
}

}  // namespace gutskin::detail
