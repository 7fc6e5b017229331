// load_model: the one place that picks a reader by format (SBML by extension, else YAML), so the
// model IR knows nothing of files.
#include <algorithm>
#include <cctype>

#include "formats/loaders.hpp"
#include "gutskin/formats.hpp"
#include "sbml/sbml_import.hpp"

namespace fs = std::filesystem;

namespace gutskin {

namespace {

bool is_sbml(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".xml" || ext == ".sbml";
}

}  // namespace

Model load_model(const fs::path& path) {
  std::error_code ec;
  if (is_sbml(path) && !fs::is_directory(path, ec)) {
    Model m = detail::load_sbml_model(path);
    validate(m);
    return m;
  }
  return detail::load_yaml_model(path);
}

}  // namespace gutskin
