// gutskin list: the built-in models, scenarios and trials.
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "cli/commands.hpp"
#include "gutskin/catalog.hpp"

namespace gutskin::cli {

namespace {

/// The description up to its first full stop: one line per entry (`describe` shows the rest).
std::string first_sentence(const std::string& text) {
  const std::size_t end = text.find(". ");
  return end == std::string::npos ? text : text.substr(0, end + 1);
}

}  // namespace

void register_list(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "list", "List the built-in models, scenarios and trials (nameable without a path)");
  cmd->callback([&exit_code] {
    const std::vector<CatalogEntry> entries = catalog().list();
    std::size_t width = 0;
    for (const auto& e : entries) width = std::max(width, e.name.size());
    int sections = 0;
    for (const char* kind : {"model", "scenario", "trial"}) {
      bool header = false;
      for (const auto& e : entries) {
        if (e.kind != kind) continue;
        if (!header) fmt::print("{}{}s:\n", sections++ ? "\n" : "", kind);
        header = true;
        fmt::print("  {:<{}}  {}\n", e.name, width, first_sentence(e.description));
      }
    }
    if (entries.empty()) fmt::print("no built-ins found\n");
    fmt::print("\ndata folder: {}\n", catalog().data_dir().string());
    exit_code = exit_ok;
  });
}

}  // namespace gutskin::cli
