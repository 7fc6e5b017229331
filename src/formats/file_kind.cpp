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
    // A PEtab problem file: say what it is rather than list its keys as unknown model sections.
    if (root["format_version"] && (root["problems"] || root["model_files"]))
      throw InputError(SourceLoc{path.string(), 1, 1},
                       "a PEtab problem file: gutskin cannot read PEtab problems yet; open its SBML model "
                       "(listed under sbml_files or model_files) to simulate or analyse it");
  }
  return FileKind::model;
}

}  // namespace gutskin
