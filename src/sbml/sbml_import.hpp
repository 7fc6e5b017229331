// SBML import: reads an SBML file (Levels 2 and 3, hierarchical `comp` models flattened) into the
// model IR with libSBML. Implemented in sbml_import.cpp.
//
// Mapping (SBML id → IR name; ids that clash with reserved words get a trailing `_`):
//  - a species whose value changes continuously is a state; it holds the species' value as
//    SBML math sees it (concentration, or amount when hasOnlySubstanceUnits / 0-D compartment),
//    except a concentration species in a compartment whose size may change, which is held as an
//    amount `<id>_amount` with a variable `<id> = <id>_amount / compartment`;
//  - compartments, parameters and species references with an id become states (rate rule),
//    variables (assignment rule) or parameters (constant, or changed only by events);
//  - each reaction's kinetic law is a variable named by the reaction id; species rates are
//    equations Σ stoichiometry × rate × conversion factor (÷ compartment when held as a
//    concentration); local parameters become parameters `<reaction>_<name>`;
//  - function definitions are inlined; rateOf(x) becomes a variable `rateOf_<x>`;
//  - initial assignments become State::initial / Parameter::initial, written in terms of
//    parameters only (values at t0 of states and variables are substituted).
// Anything not supported (delay(), algebraic rules, fast reactions, arcsin and friends, required
// packages other than comp, ...) is refused with an InputError naming element and construct.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "gutskin/model.hpp"

namespace gutskin::detail {

enum class SbmlKind { compartment, species, parameter, species_reference, reaction };

/// How to read one SBML symbol out of the IR.
struct SbmlSymbol {
  SbmlKind kind = SbmlKind::parameter;
  std::string ir_name;  // IR name whose value is the symbol as SBML math sees it
  Expr value;           // = symbol(ir_name)
  Expr amount;          // species only: amount, in IR names
  Expr concentration;   // species only: concentration, in IR names
};

struct SbmlImport {
  Model model;                               // not yet validated
  std::map<std::string, SbmlSymbol> symbols;  // by SBML id
  int level = 0, version = 0;
};

/// Reads and maps an SBML file. Throws InputError listing every problem (file, SBML line).
SbmlImport import_sbml(const std::filesystem::path& path);

/// Same as import_sbml(path).model.
Model load_sbml_model(const std::filesystem::path& path);

}  // namespace gutskin::detail
