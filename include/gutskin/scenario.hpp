// Scenario files: a model, a patient, a duration, an output grid and a timeline of interventions.
//
//   scenario: antibiotic_course
//   description: 7 days of amoxicillin and the recovery
//   model: gut_skin               # built-in name, or a path relative to this file
//   patient:
//     phenotype: healthy_adult
//     overrides: {k_repair: 0.8}
//   duration: 180 days
//   output: {every: 1 day}        # or {steps: 180} or {times: [0, 7 days, 30 days]}
//   timeline:
//     - {input: fibre, value: 35 g/day, from: 0 days}                       # constant from a time
//     - {input: antibiotic, value: 1, from: 14 days, to: 21 days}           # step window
//     - {input: probiotic, value: 1e10 CFU/day, from: 2 weeks, to: 14 weeks}
//     - {input: antibiotic, dose: 1, duration: 1 hour, every: 1 day,        # repeated doses
//        from: 0 days, to: 7 days}          # or times_per_week: 3
//     - {input: exercise, ramp: [0, 10 MET*h/week], from: 0 days, to: 8 weeks}  # linear ramp, then holds
//     - {bolus: antibiotic_gut, amount: 2, at: 3 days}                      # add to a state
//   solver: {rtol: 1e-8, linear_solver: klu}   # optional: SolverOptions (simulate.hpp) by name;
//                                              # command-line flags override them
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gutskin/errors.hpp"
#include "gutskin/model.hpp"
#include "gutskin/schedule.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {

struct Intervention {
  enum class Kind { constant, window, doses, ramp, bolus };
  Kind kind = Kind::constant;
  std::string target;      // input name (state name for bolus)
  double value = 0.0;      // level (constant/window), dose level (doses), ramp end, bolus amount
  double ramp_from = 0.0;  // ramp start value
  double start = 0.0;      // days
  double end = std::numeric_limits<double>::infinity();  // days
  double dose_duration = 0.0;  // days, for doses
  double period = 0.0;         // days between doses
  std::string label;       // for reports ("amoxicillin 7 days")
  SourceLoc where;         // the input (or bolus state) name
  Unit unit;               // unit of value and ramp_from as written; "" or "1": the input's unit
  SourceLoc value_where;   // the value (for unit errors)
};

struct Patient {
  std::string phenotype;                   // "" = model defaults
  std::map<std::string, double> overrides; // parameter → value (in the parameter's unit)
  SourceLoc phenotype_where;                   // optional, for error messages
  std::map<std::string, SourceLoc> override_where;  // optional, for error messages
};

struct Scenario {
  std::string name;
  std::string description;
  std::filesystem::path file;
  std::string model;                       // as written
  std::filesystem::path model_path;        // resolved
  Patient patient;
  double duration = 0.0;                   // days
  std::vector<double> output_times;        // days, from 0 to duration inclusive
  std::vector<Intervention> timeline;
  SolverOptions solver;                    // the file's `solver:` block (defaults without one)
  SourceLoc where;
};

/// Checks the scenario against its model: inputs/states exist, phenotype and overrides exist,
/// values within bounds, model time in days (check_time_unit). Throws InputError.
void check_scenario(const Scenario& scenario, const Model& model);

/// Scenario and trial times are in days: a model that declares another time unit would silently
/// run them in its own, so it is an error (at `where`). A model that declares none runs them as
/// they are.
void check_time_unit(const Model& model, const SourceLoc& where, DiagnosticSink& sink);

/// The schedule the simulator follows.
InputSchedule build_schedule(const Scenario& scenario, const Model& model);

/// Parameter values for a patient: defaults, then phenotype values, then overrides.
std::vector<double> patient_parameters(const Model& model, const Patient& patient);

}  // namespace gutskin
