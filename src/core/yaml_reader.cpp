#include "core/yaml_reader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

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
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), file_);
}

YAML::Node YamlReader::parse(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(SourceLoc{.file = file, .line = e.mark.line + 1, .column = e.mark.column + 1},
                     "malformed YAML: " + e.msg);
  }
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
