// gutskin: the command-line tool. Parses, calls the library, maps outcomes to exit codes:
// 0 ok, 1 run failed, 2 bad input. Nothing escapes main: every error becomes `error: ...`.
#include <cstdio>
#include <exception>
#include <iostream>

#include <cstdlib>

#include "cli/commands.hpp"
#include "gutskin/errors.hpp"

#ifndef GUTSKIN_VERSION
#define GUTSKIN_VERSION "0.1.0"
#endif

namespace gutskin::cli {

const Catalog& catalog() {
  static const Catalog c{[] {
    const char* env = std::getenv("GUTSKIN_DATA_DIR");
    return env != nullptr && *env != '\0' ? std::filesystem::path(env) : default_data_dir();
  }()};
  return c;
}

}  // namespace gutskin::cli

int main(int argc, char** argv) {
  using namespace gutskin::cli;
  int exit_code = exit_ok;
  try {
    CLI::App app{
        "gutskin simulates the gut-skin axis: how diet, probiotics, antibiotics, stress and "
        "exercise act on the gut microbiome, the gut barrier, immunity and systemic "
        "inflammation, and from there on acne, eczema, psoriasis, rosacea, skin hydration and "
        "wound healing. Models and scenarios are YAML files (or SBML); built-in ones can be "
        "named without a path (see `gutskin list`).",
        "gutskin"};
    app.set_version_flag("--version", std::string("gutskin ") + GUTSKIN_VERSION);
    app.require_subcommand(1);
    app.fallthrough(false);

    register_run(app, exit_code);
    register_simulate(app, exit_code);
    register_check(app, exit_code);
    register_describe(app, exit_code);
    register_list(app, exit_code);
    register_sbml(app, exit_code);
    register_trial(app, exit_code);
    register_sensitivity(app, exit_code);
    register_steady_state(app, exit_code);
    register_continue(app, exit_code);
    register_atlas(app, exit_code);

    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      // --help and --version end parsing with code 0; every other parse error is bad input.
      const int code = app.exit(e);
      return code == 0 ? exit_ok : exit_bad_input;
    }
    std::cout.flush();
    return exit_code;
  } catch (const gutskin::InputError& e) {
    std::cout.flush();
    for (const auto& d : e.diagnostics()) std::cerr << d.str() << '\n';
    if (e.diagnostics().empty()) std::cerr << "error: " << e.what() << '\n';
    return exit_bad_input;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "error: " << e.what() << '\n';
    return exit_run_failed;
  } catch (...) {
    std::cout.flush();
    std::cerr << "error: unknown failure\n";
    return exit_run_failed;
  }
}
