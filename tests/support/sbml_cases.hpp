// Test support: every SBML Test Suite case (L3V2 file) that loads and compiles, for checks that
// run over the whole suite. Cases gutskin refuses are skipped: the suite test covers those.
#pragma once

#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "gutskin/compiled_model.hpp"
#include "gutskin/formats.hpp"

namespace gutskin::testing {

/// The suite's cases folder under ../shared/data, or "" when it is absent.
inline std::filesystem::path sbml_suite_cases() {
  const auto cases = std::filesystem::path(GUTSKIN_SHARED_DIR) / "data" / "sbml-test-suite" / "cases";
  return std::filesystem::is_directory(cases) ? cases : std::filesystem::path();
}

/// Calls `check(id, model)` for every case of `cases` that loads and compiles.
inline void for_each_sbml_case(const std::filesystem::path& cases,
                               const std::function<void(const std::string&, const CompiledModel&)>& check) {
  for (const auto& dir : std::filesystem::directory_iterator(cases)) {
    const std::string id = dir.path().filename().string();
    const auto file = dir.path() / (id + "-sbml-l3v2.xml");
    if (!std::filesystem::exists(file)) continue;
    std::unique_ptr<CompiledModel> cm;
    try {
      cm = std::make_unique<CompiledModel>(load_model(file));
    } catch (const std::exception&) {
      continue;
    }
    check(id, *cm);
  }
}

}  // namespace gutskin::testing
