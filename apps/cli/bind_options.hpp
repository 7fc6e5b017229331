// Binds an Options struct's descriptor table (gutskin/options.hpp) to CLI11 flags: the flag is
// --kebab-case of the field name, the help is the field's with its default, and the value is
// checked by the same set_option every front end uses, so the CLI says what a file would say.
#pragma once

#include <CLI/CLI.hpp>

#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gutskin/ensemble.hpp"
#include "gutskin/errors.hpp"
#include "gutskin/options.hpp"
#include "gutskin/output_folder.hpp"

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

/// --out DIR and --overwrite (a folder holding results is refused without it: OutputFolder).
inline void add_out_options(CLI::App* cmd, std::string& out_dir, bool& overwrite, const std::string& default_text) {
  cmd->add_option("--out", out_dir, "Output folder (default: " + default_text + ")");
  cmd->add_flag("--overwrite", overwrite, "Replace the results in the output folder (else a folder with results is refused)");
}

/// --out, else out/<default_name>.
inline std::filesystem::path out_path(const std::string& out_dir, const std::string& default_name) {
  return out_dir.empty() ? std::filesystem::path("out") / default_name : std::filesystem::path(out_dir);
}

/// The command's output folder, claimed before it runs: --out, else out/<default_name>.
inline OutputFolder claim_out(const std::string& out_dir, const std::string& default_name, bool overwrite,
                              bool resume = false, bool resumable = false) {
  const std::filesystem::path dir = out_path(out_dir, default_name);
  const ExistingResults existing =
      resume ? ExistingResults::resume : overwrite ? ExistingResults::overwrite : ExistingResults::refuse;
  return OutputFolder(dir, existing, resumable);
}

/// Under mpirun rank 0 claims the folder for all (it writes the results); when that fails every
/// rank fails, since the others would otherwise wait for rank 0 forever.
inline std::optional<OutputFolder> claim_out(const ProcessGroup& group, const std::string& out_dir,
                                             const std::string& default_name, bool overwrite, bool resume,
                                             bool resumable) {
  std::optional<OutputFolder> folder;
  std::exception_ptr failure;
  if (group.rank() == 0) {
    try {
      folder.emplace(claim_out(out_dir, default_name, overwrite, resume, resumable));
    } catch (...) {
      failure = std::current_exception();
    }
  }
  if (group.sum(failure ? 1 : 0) > 0) {
    if (failure) std::rethrow_exception(failure);
    throw InputError(SourceLoc{}, "the output folder was refused on rank 0 (its message says why)");
  }
  return folder;
}

/// --set NAME=VALUE, repeatable: parameter overrides (study.hpp, apply_settings) of `whom`.
inline void add_set_option(CLI::App* cmd, std::vector<std::string>& settings, const std::string& whom) {
  cmd->add_option("--set", settings, "Set a parameter of " + whom + ", in its unit: NAME=VALUE (repeatable)")
      ->expected(1)
      ->take_all()
      ->type_name("NAME=VALUE");
}

}  // namespace gutskin::cli
