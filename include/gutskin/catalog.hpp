// Built-in models, scenarios and trials: files in a data folder (models/, scenarios/, trials/),
// nameable without a path. The folder is always explicit: front ends choose it (the CLI honours
// GUTSKIN_DATA_DIR); nothing below them reads the environment.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace gutskin {

struct CatalogEntry {
  std::string kind;  // "model", "scenario", "trial"
  std::string name;
  std::filesystem::path path;
  std::string description;
};

class Catalog {
 public:
  explicit Catalog(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}

  const std::filesystem::path& data_dir() const { return data_dir_; }

  /// Every built-in, sorted by kind and name, with the description each file gives.
  std::vector<CatalogEntry> list() const;

  /// A path if it exists (relative to `base` when given), else a built-in of that kind by name.
  /// Throws InputError with "did you mean" when neither exists.
  std::filesystem::path resolve(const std::string& name_or_path, const std::string& kind,
                                const std::filesystem::path& base = {}) const;

  /// A path that exists, else a built-in model, scenario or trial of that name; otherwise the
  /// InputError of resolve(name, "model") with its "did you mean".
  std::filesystem::path locate(const std::string& name_or_path) const;

 private:
  std::vector<CatalogEntry> scan() const;
  std::filesystem::path data_dir_;
};

/// The data folder gutskin was installed with (<exe>/../share/gutskin), else the source tree it
/// was built from.
std::filesystem::path default_data_dir();

/// Catalog{default_data_dir()}, for callers that name no folder.
const Catalog& default_catalog();

}  // namespace gutskin
