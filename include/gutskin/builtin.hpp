// Built-in models, scenarios and trials: files shipped with gutskin, nameable without a path.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace gutskin {

/// Folder holding models/, scenarios/, trials/: $GUTSKIN_DATA_DIR, else <exe>/../share/gutskin,
/// else the source tree it was built from.
std::filesystem::path data_dir();

struct BuiltinEntry {
  std::string kind;  // "model", "scenario", "trial"
  std::string name;
  std::filesystem::path path;
  std::string description;
};

std::vector<BuiltinEntry> list_builtins();

/// A path if it exists (relative to `base` when given), else a built-in of that kind by name.
/// Throws InputError with "did you mean" when neither exists.
std::filesystem::path resolve(const std::string& name_or_path, const std::string& kind,
                              const std::filesystem::path& base = {});

/// A path that exists, else a built-in model, scenario or trial of that name; otherwise the
/// InputError of resolve(name, "model") with its "did you mean".
std::filesystem::path locate(const std::string& name_or_path);

}  // namespace gutskin
