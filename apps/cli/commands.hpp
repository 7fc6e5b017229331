// The CLI's sub-commands. Each file cmd_<name>.cpp adds one to the app; main.cpp wires them and
// maps outcomes to exit codes: 0 ok, 1 run failed, 2 bad input.
#pragma once

#include <CLI/CLI.hpp>

#include "gutskin/catalog.hpp"

namespace gutskin::cli {

enum ExitCode : int { exit_ok = 0, exit_run_failed = 1, exit_bad_input = 2 };

/// The built-ins' folder: $GUTSKIN_DATA_DIR, else the one gutskin was installed or built with.
const Catalog& catalog();  // main.cpp

// Each registers a sub-command whose callback sets `exit_code`.
void register_run(CLI::App& app, int& exit_code);        // cmd_run.cpp
void register_simulate(CLI::App& app, int& exit_code);   // cmd_simulate.cpp
void register_check(CLI::App& app, int& exit_code);      // cmd_check.cpp
void register_describe(CLI::App& app, int& exit_code);   // cmd_describe.cpp
void register_list(CLI::App& app, int& exit_code);       // cmd_list.cpp
void register_sbml(CLI::App& app, int& exit_code);       // cmd_sbml.cpp: export-sbml, sbml-suite
void register_trial(CLI::App& app, int& exit_code);      // cmd_trial.cpp
void register_sensitivity(CLI::App& app, int& exit_code);  // cmd_sensitivity.cpp
void register_steady_state(CLI::App& app, int& exit_code);  // cmd_steady_state.cpp
void register_continue(CLI::App& app, int& exit_code);      // cmd_continue.cpp
void register_atlas(CLI::App& app, int& exit_code);         // cmd_atlas.cpp

}  // namespace gutskin::cli
