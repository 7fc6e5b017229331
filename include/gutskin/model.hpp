// The model IR: what a model file (YAML) or an SBML file becomes. Front ends fill it; `check`
// validates it; `compile` turns it into fast evaluation. Names are unique across all kinds.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gutskin/errors.hpp"
#include "gutskin/expr.hpp"
#include "gutskin/units.hpp"

namespace gutskin {

/// A signal the scenario sets over time (fibre intake, antibiotic dose, stressor, ...).
struct Input {
  std::string name;
  Unit unit;
  double default_value = 0.0;  // value when the scenario does not set it
  std::string description;
  SourceLoc where;
};

struct Parameter {
  std::string name;
  double value = 0.0;
  Unit unit;
  std::optional<double> lower, upper;  // plausible bounds; values outside are errors
  double spread = 0.0;  // population spread: SD of log(value) (log-normal), 0 = fixed
  std::string source;   // paper, CAL-nn, or "assumed: reason"
  std::string description;
  std::string label;    // another name it goes by (an SBML name attribute), for look-ups; "" = none
  Expr initial;         // optional: computed at t0 from other values (SBML initialAssignment)
  SourceLoc where;
};

struct State {
  std::string name;
  Expr initial;  // evaluated at t0 (numbers are constant expressions)
  Unit unit;
  bool non_negative = true;
  std::string description;
  SourceLoc where;
};

/// Assignment rule: name = expr at every time. May depend on states, parameters, inputs,
/// other variables (no cycles) and time.
struct Variable {
  std::string name;
  Expr expr;
  Unit unit;
  std::string description;
  SourceLoc where;
};

/// d state / dt = rate (given directly in `equations`).
struct Equation {
  std::string state;
  Expr rate;
  SourceLoc where;
};

struct Reaction {
  std::string name;
  Expr rate;  // flux, in state units per day
  std::vector<std::pair<std::string, double>> reactants, products;  // (state, stoichiometry)
  SourceLoc where;
};

struct Observable {
  std::string name;
  Expr expr;
  Unit unit;
  std::string description;
  SourceLoc where;
};

struct EventAssignment {
  std::string target;  // a state or a parameter
  Expr value;
};

/// Fires when `trigger` goes from false to true (found by root finding on its comparisons).
/// Fields follow SBML semantics so SBML events map one to one.
struct Event {
  std::string name;
  Expr trigger;
  std::vector<EventAssignment> assignments;
  Expr delay;                          // null: no delay
  Expr priority;                       // null: none
  bool persistent = true;              // delayed event still fires if trigger became false
  bool use_values_from_trigger_time = true;
  bool initial_value = true;           // trigger value assumed just before t0 (false: may fire at t0)
  SourceLoc where;
};

/// A named kind of patient: parameter values and population spreads that differ from the defaults.
struct Phenotype {
  std::string name;
  std::string description;
  std::map<std::string, double> values;
  std::map<std::string, double> spreads;
  SourceLoc where;
};

struct Model {
  std::string name;
  std::string description;
  std::vector<std::filesystem::path> files;  // the files it was read from (modules)

  std::vector<Input> inputs;
  std::vector<Parameter> parameters;
  std::vector<State> states;
  std::vector<Variable> variables;  // any order in files; `validate` orders them
  std::vector<Equation> equations;
  std::vector<Reaction> reactions;
  std::vector<Observable> observables;
  std::vector<Event> events;
  std::vector<Phenotype> phenotypes;
  /// The unit of model time: the day for YAML models; an SBML model's own (an empty text when
  /// it declares none).
  Unit time_unit = day_unit();

  // Look-ups by name; -1 if absent.
  int input_index(const std::string& name) const;
  int parameter_index(const std::string& name) const;
  int state_index(const std::string& name) const;
  int variable_index(const std::string& name) const;
  int observable_index(const std::string& name) const;
  const Phenotype* phenotype(const std::string& name) const;

  /// d x_i / dt as one expression (equation, or sum of stoichiometry × reaction rates).
  Expr state_rate(int state) const;
};

/// The module a declaration at `where` came from, as a title ("acne.yaml" → "Acne",
/// "antibiotic_pk.yaml" → "Antibiotic PK"); "" for a single-file model or the top file.
std::string module_title(const Model& model, const SourceLoc& where);

/// Position of that module in `model.files` (model order), or -1.
int module_index(const Model& model, const SourceLoc& where);


/// Checks names (undefined with "did you mean", duplicates, reserved), cycles among variables,
/// targets of equations/events, parameter values within bounds, phenotype names; orders
/// `variables` topologically. Throws InputError listing every problem.
void validate(Model& model);

}  // namespace gutskin
