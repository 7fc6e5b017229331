// The model readers behind load_model: one per file format.
#pragma once

#include <filesystem>

#include "gutskin/model.hpp"

namespace gutskin::detail {

/// A YAML model file, or a folder holding model.yaml, with its modules (model_yaml.cpp).
Model load_yaml_model(const std::filesystem::path& path);

}  // namespace gutskin::detail
