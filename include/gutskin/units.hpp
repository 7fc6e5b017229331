// Units: parsed, carried, and converted. Model time is in days for YAML models (an SBML model
// keeps its own, see Model::time_unit).
//
// A unit is a product of powers of base dimensions with a scale factor to the canonical unit of
// each dimension (time: day, mass: g, amount: mol, volume: L, length: m, count: CFU/cells, and
// `AU` for arbitrary model units). Syntax: `g/day`, `1/day`, `mg/L`, `CFU/day`, `g/m^2/h`,
// `MET*h/week`, `umol/L`, `10^10 CFU/day`, `%`, `1` (dimensionless), `score`, `AU`.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "gutskin/errors.hpp"

namespace gutskin {

enum class Dim : int { time, mass, amount, volume, length, count, arbitrary, energy, n_dims };

struct Unit {
  std::string text;                 // as written (canonicalised spacing)
  double factor = 1.0;              // value in this unit × factor = value in canonical units
  std::array<int, static_cast<int>(Dim::n_dims)> powers{};  // exponent of each dimension

  bool dimensionless() const;
  bool same_dimension(const Unit& other) const;
};

/// Parses a unit. Throws InputError (at `where`) naming the unknown symbol, with a "did you mean".
Unit parse_unit(std::string_view text, const SourceLoc& where = {});

/// Converts `value` from one unit to another of the same dimension; throws InputError otherwise.
double convert(double value, const Unit& from, const Unit& to, const SourceLoc& where = {});

struct Quantity {
  double value = 0.0;
  Unit unit;
};

/// Parses "7 days", "35 g/day", "1e10 CFU/day", "2 weeks", "0.5" (dimensionless), "10^10 CFU/day".
Quantity parse_quantity(std::string_view text, const SourceLoc& where = {});

/// Parses a quantity and converts it to `target` (e.g. a time to days).
double parse_quantity_in(std::string_view text, const Unit& target, const SourceLoc& where = {});

/// The unit `day`.
const Unit& day_unit();

}  // namespace gutskin
