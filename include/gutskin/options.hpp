// Options described once. Each Options struct has a table of fields — name, member, bounds,
// default, help — right after it in its public header (`OptionsOf<T>`). Everything generic runs
// over that table: validation with one wording, JSON round trip, the `solver:` block of scenario
// and trial files, CLI flags with validators, Python keywords and the web form. A field without
// a descriptor therefore shows up nowhere, and the tests (JSON round trip, --help golden files)
// catch it. (The idea of HiGHS' HighsOptions and SUNDIALS' cvodes_cli.c key→setter tables.)
#pragma once

#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace gutskin {

struct SourceLoc;

enum class OptionKind { real, integer, flag, choice, text };

/// A field's value; monostate = unset (an optional field left to its default source).
using OptionValue = std::variant<std::monostate, bool, long long, double, std::string>;

/// Allowed range of a number; open ends exclude the bound.
struct Bounds {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false, max_open = false;

  bool contains(double v) const {
    return !std::isnan(v) && (min_open ? v > min : v >= min) && (max_open ? v < max : v <= max);
  }
  /// "in (0, 1)", "> 0", "≥ 1", "from 1 to 4096".
  std::string text() const;
};

template <class T>
struct OptionField {
  std::string name;  // snake_case: file key, JSON key, Python keyword; the CLI flag is --kebab-case
  std::string help;  // one line; the default is appended where help is printed
  OptionKind kind = OptionKind::real;
  Bounds bounds;                     // real, integer
  std::vector<std::string> choices;  // choice: the accepted words, in order
  bool optional = false;             // may be unset (monostate): "the file's" or "automatic"
  std::function<OptionValue(const T&)> get;
  std::function<void(T&, const OptionValue&)> set;  // value already of the field's kind
};

template <class T>
using OptionTable = std::vector<OptionField<T>>;

/// Specialised right after each Options struct: `static const OptionTable<T>& table();`.
template <class T>
struct OptionsOf;

/// An enum's words, beside the enum: {{E::a, "a"}, ...}.
template <class E>
using EnumNames = std::vector<std::pair<E, std::string>>;

namespace detail {

template <class M> struct unwrap_optional { using type = M; static constexpr bool optional = false; };
template <class M> struct unwrap_optional<std::optional<M>> { using type = M; static constexpr bool optional = true; };

/// Text of a value for messages and help: numbers as %g, flags true/false, unset "(unset)".
std::string option_value_text(const OptionValue& v);
/// The value of `text` for a field of this kind, or an error message ("expected a number").
std::variant<OptionValue, std::string> parse_option_value(OptionKind kind, const std::vector<std::string>& choices,
                                                          std::string_view text);
/// "" if the value is acceptable, else the rule it broke ("must be in (0, 1)").
std::string option_rule_broken(OptionKind kind, const Bounds& bounds, const std::vector<std::string>& choices,
                               const OptionValue& v);
/// `option 'rtol' = -1: must be in (0, 1)`: the one wording of every option message.
std::string option_message(const std::string& name, const OptionValue& v, const std::string& rule);
[[noreturn]] void throw_option_errors(const std::vector<std::string>& messages);
std::string options_to_json(const std::vector<std::pair<std::string, OptionValue>>& fields);
/// Parses a flat JSON object; throws InputError on bad JSON.
std::vector<std::pair<std::string, OptionValue>> options_from_json(std::string_view json);
/// JSON values come typed (1 may stand for 1.0; an integral double for an integer).
std::variant<OptionValue, std::string> coerce_option_value(OptionKind kind, const std::vector<std::string>& choices,
                                                           const OptionValue& v);

}  // namespace detail

/// A field of struct T. The kind follows the member's type: bool → flag, integers → integer,
/// floating → real, std::string → text, std::optional<X> → optional X.
template <class T, class M>
OptionField<T> option(std::string name, M T::*member, std::string help, Bounds bounds = {}) {
  using U = typename detail::unwrap_optional<M>::type;
  OptionField<T> f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.bounds = bounds;
  f.optional = detail::unwrap_optional<M>::optional;
  if constexpr (std::is_same_v<U, bool>) f.kind = OptionKind::flag;
  else if constexpr (std::is_integral_v<U>) f.kind = OptionKind::integer;
  else if constexpr (std::is_floating_point_v<U>) f.kind = OptionKind::real;
  else f.kind = OptionKind::text;
  auto to_value = [](const U& v) -> OptionValue {
    if constexpr (std::is_same_v<U, bool>) return v;
    else if constexpr (std::is_integral_v<U>) return static_cast<long long>(v);
    else if constexpr (std::is_floating_point_v<U>) return static_cast<double>(v);
    else return std::string(v);
  };
  auto from_value = [](const OptionValue& v) -> U {
    if constexpr (std::is_same_v<U, bool>) return std::get<bool>(v);
    else if constexpr (std::is_integral_v<U>) return static_cast<U>(std::get<long long>(v));
    else if constexpr (std::is_floating_point_v<U>) return static_cast<U>(std::get<double>(v));
    else return U(std::get<std::string>(v));
  };
  f.get = [member, to_value](const T& t) -> OptionValue {
    if constexpr (detail::unwrap_optional<M>::optional) {
      if (!(t.*member)) return std::monostate{};
      return to_value(*(t.*member));
    } else {
      return to_value(t.*member);
    }
  };
  f.set = [member, from_value](T& t, const OptionValue& v) {
    if constexpr (detail::unwrap_optional<M>::optional) {
      if (std::holds_alternative<std::monostate>(v)) t.*member = std::nullopt;
      else t.*member = from_value(v);
    } else {
      t.*member = from_value(v);
    }
  };
  return f;
}

/// A field holding an enum, written as one of its words.
template <class T, class E>
OptionField<T> option(std::string name, E T::*member, std::string help, const EnumNames<E>& names) {
  OptionField<T> f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.kind = OptionKind::choice;
  for (const auto& [e, word] : names) f.choices.push_back(word);
  f.get = [member, names](const T& t) -> OptionValue {
    for (const auto& [e, word] : names)
      if (e == t.*member) return word;
    return std::string("?");
  };
  f.set = [member, names](T& t, const OptionValue& v) {
    for (const auto& [e, word] : names)
      if (word == std::get<std::string>(v)) t.*member = e;
  };
  return f;
}

/// Every problem of `options`, each in the one wording (empty when all is well).
template <class T>
std::vector<std::string> option_problems(const T& options) {
  std::vector<std::string> out;
  for (const auto& f : OptionsOf<T>::table()) {
    const OptionValue v = f.get(options);
    if (std::holds_alternative<std::monostate>(v)) continue;
    const std::string rule = detail::option_rule_broken(f.kind, f.bounds, f.choices, v);
    if (!rule.empty()) out.push_back(detail::option_message(f.name, v, rule));
  }
  return out;
}

/// Throws InputError listing every field out of its bounds.
template <class T>
void validate_options(const T& options) {
  if (auto problems = option_problems(options); !problems.empty()) detail::throw_option_errors(problems);
}

/// Sets one field from text (a CLI value, a YAML scalar). Returns "" or what was wrong, in the
/// one wording; an unknown name is reported with "did you mean".
template <class T>
std::string set_option(T& options, std::string_view name, std::string_view text) {
  for (const auto& f : OptionsOf<T>::table()) {
    if (f.name != name) continue;
    auto parsed = detail::parse_option_value(f.kind, f.choices, text);
    if (auto* error = std::get_if<std::string>(&parsed)) return "option '" + f.name + "': " + *error;
    const OptionValue v = std::get<OptionValue>(parsed);
    const std::string rule = detail::option_rule_broken(f.kind, f.bounds, f.choices, v);
    if (!rule.empty()) return detail::option_message(f.name, v, rule);
    f.set(options, v);
    return {};
  }
  std::vector<std::string> names;
  for (const auto& f : OptionsOf<T>::table()) names.push_back(f.name);
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  return "unknown option '" + std::string(name) + "' (known: " + known + ")";
}

/// Every field as a JSON object (unset optional fields as null).
template <class T>
std::string options_to_json(const T& options) {
  std::vector<std::pair<std::string, OptionValue>> fields;
  for (const auto& f : OptionsOf<T>::table()) fields.emplace_back(f.name, f.get(options));
  return detail::options_to_json(fields);
}

/// Reads the fields a JSON object names (others keep their values). Throws InputError naming
/// every unknown key, value of the wrong type or out of bounds.
template <class T>
T options_from_json(std::string_view json, T options = {}) {
  std::vector<std::string> problems;
  for (const auto& [key, value] : detail::options_from_json(json)) {
    bool found = false;
    for (const auto& f : OptionsOf<T>::table()) {
      if (f.name != key) continue;
      found = true;
      if (std::holds_alternative<std::monostate>(value)) {
        if (f.optional) f.set(options, value);
        else problems.push_back("option '" + key + "': may not be null");
        continue;
      }
      auto coerced = detail::coerce_option_value(f.kind, f.choices, value);
      if (auto* error = std::get_if<std::string>(&coerced)) {
        problems.push_back("option '" + key + "': " + *error);
        continue;
      }
      const OptionValue v = std::get<OptionValue>(coerced);
      const std::string rule = detail::option_rule_broken(f.kind, f.bounds, f.choices, v);
      if (!rule.empty()) problems.push_back(detail::option_message(key, v, rule));
      else f.set(options, v);
    }
    if (!found) problems.push_back("unknown option '" + key + "'");
  }
  if (!problems.empty()) detail::throw_option_errors(problems);
  return options;
}

/// `base` with every field of `top` that differs from a default-constructed T (a command line's
/// flags over a file's block: flags left at their defaults do not override).
template <class T>
T overlay_options(T base, const T& top) {
  const T defaults{};
  for (const auto& f : OptionsOf<T>::table())
    if (f.get(top) != f.get(defaults)) f.set(base, f.get(top));
  return base;
}

/// "name=value" for every field that differs from a default-constructed T (for provenance).
template <class T>
std::vector<std::string> non_default_options(const T& options) {
  const T defaults{};
  std::vector<std::string> out;
  for (const auto& f : OptionsOf<T>::table()) {
    const OptionValue v = f.get(options);
    if (v != f.get(defaults)) out.push_back(f.name + "=" + detail::option_value_text(v));
  }
  return out;
}

/// A field's default (from a default-constructed T) as text, for help.
template <class T>
std::string option_default_text(const OptionField<T>& field) {
  return detail::option_value_text(field.get(T{}));
}

}  // namespace gutskin
