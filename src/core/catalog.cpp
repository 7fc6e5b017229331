#include "gutskin/catalog.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <system_error>

#include "gutskin/errors.hpp"

namespace fs = std::filesystem;

namespace gutskin {

namespace {

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool is_yaml(const fs::path& p) { return p.extension() == ".yaml" || p.extension() == ".yml"; }

std::string read_description(const fs::path& file);

}  // namespace

/// Built-ins of every kind, without descriptions (cheap: no file is read).
std::vector<CatalogEntry> Catalog::scan() const {
  std::vector<CatalogEntry> out;
  const fs::path& root = data_dir_;
  std::error_code ec;
  if (const fs::path models = root / "models"; is_dir(models)) {
    for (const auto& e : fs::directory_iterator(models, ec)) {
      const fs::path p = e.path();
      if (is_dir(p) && is_file(p / "model.yaml"))
        out.push_back({.kind = "model", .name = p.filename().string(), .path = p / "model.yaml", .description = {}});
      else if (is_file(p) && is_yaml(p))
        out.push_back({.kind = "model", .name = p.stem().string(), .path = p, .description = {}});
    }
  }
  for (const auto& [kind, folder] : {std::pair{"scenario", "scenarios"}, {"trial", "trials"}}) {
    const fs::path dir = root / folder;
    if (!is_dir(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (is_file(e.path()) && is_yaml(e.path()))
        out.push_back({.kind = kind, .name = e.path().stem().string(), .path = e.path(), .description = {}});
    }
  }
  std::sort(out.begin(), out.end(), [](const CatalogEntry& a, const CatalogEntry& b) {
    return std::tie(a.kind, a.name) < std::tie(b.kind, b.name);
  });
  return out;
}

namespace {

std::string read_description(const fs::path& file) {
  try {
    const YAML::Node root = YAML::LoadFile(file.string());
    if (root.IsMap() && root["description"] && root["description"].IsScalar())
      return root["description"].as<std::string>();
  } catch (const YAML::Exception&) {
    // A broken file still lists; `gutskin check` reports what is wrong with it.
  }
  return {};
}

}  // namespace

fs::path default_data_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = (exe.parent_path() / ".." / "share" / "gutskin").lexically_normal();
    if (is_dir(installed / "models")) return installed;
  }
#ifdef GUTSKIN_SOURCE_DATA_DIR
  return fs::path(GUTSKIN_SOURCE_DATA_DIR);
#else
  return fs::current_path(ec);
#endif
}

const Catalog& default_catalog() {
  static const Catalog catalog{default_data_dir()};
  return catalog;
}

std::vector<CatalogEntry> Catalog::list() const {
  std::vector<CatalogEntry> entries = scan();
  for (auto& e : entries) e.description = read_description(e.path);
  return entries;
}

fs::path Catalog::resolve(const std::string& name_or_path, const std::string& kind, const fs::path& base) const {
  if (!name_or_path.empty()) {
    const fs::path p(name_or_path);
    const fs::path candidate = (p.is_absolute() || base.empty()) ? p : base / p;
    std::error_code ec;
    if (fs::exists(candidate, ec)) return candidate.lexically_normal();
  }
  std::vector<std::string> names;
  for (const auto& e : scan()) {
    if (e.kind != kind) continue;
    if (e.name == name_or_path) return e.path;
    names.push_back(e.name);
  }
  std::string message = "no such file or built-in " + kind + " '" + name_or_path + "'";
  if (const std::string near = closest_name(name_or_path, names); !near.empty())
    message += " (did you mean '" + near + "'?)";
  throw InputError(SourceLoc{}, message);
}

std::filesystem::path Catalog::locate(const std::string& name_or_path) const {
  std::error_code ec;
  if (std::filesystem::exists(name_or_path, ec)) return name_or_path;
  for (const CatalogEntry& e : scan())
    if (e.name == name_or_path) return e.path;
  return resolve(name_or_path, "model");
}

}  // namespace gutskin
