// Binds an Options struct's descriptor table (gutskin/options.hpp) to CLI11 flags: the flag is
// --kebab-case of the field name, the help is the field's with its default, and the value is
// checked by the same set_option every front end uses, so the CLI says what a file would say.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "gutskin/options.hpp"

namespace gutskin::cli {

inline std::string flag_name(const std::string& field) {
  std::string s = "--" + field;
  for (char& c : s)
    if (c == '_') c = '-';
  return s;
}

/// Adds a flag for every field of `options` (or only those named in `only`, in table order).
/// The struct must outlive parsing.
template <class T>
void bind_options(CLI::App* cmd, T& options, const std::vector<std::string>& only = {}) {
  for (const auto& field : OptionsOf<T>::table()) {
    if (!only.empty() && std::find(only.begin(), only.end(), field.name) == only.end()) continue;
    const OptionValue current = field.get(options);
    const bool unset = std::holds_alternative<std::monostate>(current);
    const std::string name = field.name;
    if (field.kind == OptionKind::flag && !unset && !std::get<bool>(current)) {
      cmd->add_flag_callback(flag_name(name), [&options, name] { set_option(options, name, "true"); }, field.help);
      continue;
    }
    std::string help = field.help;
    if (field.kind == OptionKind::choice) {
      help += " [";
      for (std::size_t i = 0; i < field.choices.size(); ++i) help += (i ? ", " : "") + field.choices[i];
      help += "]";
    }
    CLI::Option* opt = cmd->add_option_function<std::string>(
        flag_name(name),
        [&options, name](const std::string& text) {
          if (const std::string error = set_option(options, name, text); !error.empty())
            throw CLI::ValidationError(flag_name(name), error);
        },
        help);
    if (!unset) opt->default_str(detail::option_value_text(current));
    opt->type_name(field.kind == OptionKind::real      ? "NUMBER"
                   : field.kind == OptionKind::integer ? "INT"
                   : field.kind == OptionKind::flag    ? "BOOL"
                   : field.kind == OptionKind::choice  ? "WORD"
                                                       : "TEXT");
  }
}

/// --set NAME=VALUE, repeatable: parameter overrides (study.hpp, apply_settings) of `whom`.
inline void add_set_option(CLI::App* cmd, std::vector<std::string>& settings, const std::string& whom) {
  cmd->add_option("--set", settings, "Set a parameter of " + whom + ", in its unit: NAME=VALUE (repeatable)")
      ->expected(1)
      ->take_all()
      ->type_name("NAME=VALUE");
}

}  // namespace gutskin::cli
