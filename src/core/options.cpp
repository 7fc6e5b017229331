// The non-template half of options.hpp: value text, parsing, rules and JSON.
#include "gutskin/options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "gutskin/errors.hpp"

namespace gutskin {

namespace {

std::string number_text(double v) { return fmt::format("{:g}", v); }

}  // namespace

std::string Bounds::text() const {
  const bool lo = std::isfinite(min), hi = std::isfinite(max);
  if (lo && hi) {
    if (!min_open && !max_open && min == std::floor(min) && max == std::floor(max))
      return fmt::format("from {} to {}", number_text(min), number_text(max));
    return fmt::format("in {}{}, {}{}", min_open ? "(" : "[", number_text(min), number_text(max),
                       max_open ? ")" : "]");
  }
  if (lo) return fmt::format("{} {}", min_open ? ">" : "≥", number_text(min));
  if (hi) return fmt::format("{} {}", max_open ? "<" : "≤", number_text(max));
  return "finite";
}

namespace detail {

std::string option_value_text(const OptionValue& v) {
  struct Visit {
    std::string operator()(std::monostate) const { return "(unset)"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(long long i) const { return std::to_string(i); }
    std::string operator()(double d) const { return number_text(d); }
    std::string operator()(const std::string& s) const { return s; }
  };
  return std::visit(Visit{}, v);
}

std::string option_message(const std::string& name, const OptionValue& v, const std::string& rule) {
  return fmt::format("option '{}' = {}: {}", name, option_value_text(v), rule);
}

void throw_option_errors(const std::vector<std::string>& messages) {
  std::vector<Diagnostic> ds;
  for (const auto& m : messages) ds.push_back({SourceLoc{}, m});
  throw InputError(std::move(ds));
}

namespace {

std::string choice_list(const std::vector<std::string>& choices) {
  std::string s;
  for (std::size_t i = 0; i < choices.size(); ++i)
    s += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
  return s;
}

}  // namespace

std::variant<OptionValue, std::string> parse_option_value(OptionKind kind, const std::vector<std::string>& choices,
                                                          std::string_view text) {
  const std::string s(text);
  switch (kind) {
    case OptionKind::flag:
      if (s == "true" || s == "1" || s == "yes" || s == "on") return OptionValue{true};
      if (s == "false" || s == "0" || s == "no" || s == "off") return OptionValue{false};
      return std::string("expected true or false, got '" + s + "'");
    case OptionKind::integer: {
      long long v = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc{} || end != s.data() + s.size() || s.empty())
        return std::string("expected a whole number, got '" + s + "'");
      return OptionValue{v};
    }
    case OptionKind::real: {
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(s, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != s.size()) return std::string("expected a number, got '" + s + "'");
      return OptionValue{v};
    }
    case OptionKind::choice:
      for (const auto& c : choices)
        if (c == s) return OptionValue{s};
      return std::string("expected " + choice_list(choices) + ", got '" + s + "'");
    case OptionKind::text:
      return OptionValue{s};
  }
  return std::string("unknown kind");
}

std::string option_rule_broken(OptionKind kind, const Bounds& bounds, const std::vector<std::string>& choices,
                               const OptionValue& v) {
  if (kind == OptionKind::real || kind == OptionKind::integer) {
    const double x = kind == OptionKind::real ? std::get<double>(v) : static_cast<double>(std::get<long long>(v));
    if (!std::isfinite(x) || !bounds.contains(x)) return "must be " + bounds.text();
  }
  if (kind == OptionKind::choice) {
    for (const auto& c : choices)
      if (c == std::get<std::string>(v)) return {};
    return "must be " + choice_list(choices);
  }
  return {};
}

std::variant<OptionValue, std::string> coerce_option_value(OptionKind kind, const std::vector<std::string>& choices,
                                                           const OptionValue& v) {
  switch (kind) {
    case OptionKind::flag:
      if (std::holds_alternative<bool>(v)) return v;
      return std::string("expected true or false");
    case OptionKind::integer:
      if (std::holds_alternative<long long>(v)) return v;
      if (const double* d = std::get_if<double>(&v); d && std::floor(*d) == *d && std::fabs(*d) < 9.2e18)
        return OptionValue{static_cast<long long>(*d)};
      return std::string("expected a whole number");
    case OptionKind::real:
      if (const double* d = std::get_if<double>(&v)) return OptionValue{*d};
      if (const long long* i = std::get_if<long long>(&v)) return OptionValue{static_cast<double>(*i)};
      return std::string("expected a number");
    case OptionKind::choice:
    case OptionKind::text:
      if (std::holds_alternative<std::string>(v)) {
        if (kind == OptionKind::choice) return parse_option_value(kind, choices, std::get<std::string>(v));
        return v;
      }
      return std::string("expected a string");
  }
  return std::string("unknown kind");
}

std::string options_to_json(const std::vector<std::pair<std::string, OptionValue>>& fields) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [name, v] : fields) {
    std::visit([&, n = name](const auto& x) {
      using X = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<X, std::monostate>) j[n] = nullptr;
      else j[n] = x;
    }, v);
  }
  return j.dump();
}

std::vector<std::pair<std::string, OptionValue>> options_from_json(std::string_view json) {
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(SourceLoc{}, std::string("options: not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw InputError(SourceLoc{}, "options: expected a JSON object");
  std::vector<std::pair<std::string, OptionValue>> out;
  for (const auto& [key, value] : j.items()) {
    OptionValue v;
    if (value.is_boolean()) v = value.get<bool>();
    else if (value.is_number_integer()) v = value.get<long long>();
    else if (value.is_number()) v = value.get<double>();
    else if (value.is_string()) v = value.get<std::string>();
    else if (!value.is_null()) throw InputError(SourceLoc{}, "option '" + key + "': expected a number, flag or string");
    out.emplace_back(key, v);
  }
  return out;
}

}  // namespace detail

}  // namespace gutskin
