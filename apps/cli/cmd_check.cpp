// gutskin check: validate a model, scenario or trial (and its model) without running it.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "gutskin/study.hpp"

namespace gutskin::cli {

void register_check(CLI::App& app, int& exit_code) {
  auto target = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Validate a model, scenario or trial (and its model); list every problem");
  cmd->add_option("FILE", *target,
                  "Model file or folder, SBML file, scenario or trial file, or a built-in name")
      ->required();
  cmd->footer("A file with a top-level `scenario:` key is a scenario, `trial:` a trial; anything "
              "else is a model. Problems are printed as `file:line:column: error: message`, exit "
              "code 2.");
  cmd->callback([target, &exit_code] {
    fmt::print("{}\n", check(*target, catalog()));
    exit_code = exit_ok;
  });
}

}  // namespace gutskin::cli
