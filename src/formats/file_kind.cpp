#include "core/yaml_reader.hpp"
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
  const YAML::Node root = detail::YamlReader(path.string()).load();
  if (root.IsMap()) {
    if (root["scenario"]) return FileKind::scenario;
    if (root["trial"]) return FileKind::trial;
  }
  return FileKind::model;
}

}  // namespace gutskin
