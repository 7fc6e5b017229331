#include <yaml-cpp/yaml.h>

#include "gutskin/formats.hpp"

namespace gutskin {

FileKind detect_file_kind(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return FileKind::model;
  if (!fs::exists(path, ec)) throw InputError(SourceLoc{path.string()}, "no such file or folder");
  std::string ext = path.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".xml" || ext == ".sbml") return FileKind::model;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    // The loaders report malformed YAML in detail; here the position is enough.
    throw InputError(SourceLoc{path.string(), e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  if (root.IsMap()) {
    if (root["scenario"]) return FileKind::scenario;
    if (root["trial"]) return FileKind::trial;
  }
  return FileKind::model;
}

}  // namespace gutskin
