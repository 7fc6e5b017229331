// gutskin check: validate a model or a scenario (and its model) without running it.
#include <fmt/format.h>

#include <filesystem>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "gutskin/builtin.hpp"
#include "gutskin/compiled_model.hpp"
#include "gutskin/io.hpp"
#include "gutskin/model.hpp"
#include "gutskin/scenario.hpp"

namespace gutskin::cli {

void register_check(CLI::App& app, int& exit_code) {
  auto target = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Validate a model, or a scenario and its model; list every problem");
  cmd->add_option("MODEL_OR_SCENARIO", *target,
                  "Model file or folder, SBML file, scenario file, or a built-in name")
      ->required();
  cmd->footer("A file with a top-level `scenario:` key is a scenario; anything else is a model. "
              "Problems are printed as `file:line:column: error: message`, exit code 2.");
  cmd->callback([target, &exit_code] {
    const std::filesystem::path path = locate(*target);
    switch (detect_file_kind(path)) {
      case FileKind::model: {
        const Model model = load_model(path);
        const CompiledModel compiled{model};  // what compiles is what runs
        fmt::print("ok: model '{}' ({})\n", model.name, model_counts(model));
        break;
      }
      case FileKind::scenario: {
        const Scenario scenario = load_scenario(path);
        const Model model = load_model(scenario.model_path);
        check_scenario(scenario, model);
        const CompiledModel compiled{model};
        fmt::print("ok: scenario '{}' ({} days, {} output times, {} interventions) on model '{}' "
                   "({})\n",
                   scenario.name, scenario.duration, scenario.output_times.size(),
                   scenario.timeline.size(), model.name, model_counts(model));
        break;
      }
      case FileKind::trial:
        throw InputError(SourceLoc{path.string()}, "checking trial files is not supported yet");
    }
    exit_code = exit_ok;
  });
}

}  // namespace gutskin::cli
