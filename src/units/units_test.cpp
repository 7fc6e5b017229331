#include "gutskin/units.hpp"

#include <gtest/gtest.h>

#include "support/errors.hpp"

namespace gutskin {
namespace {

using testing::error_of;

TEST(Units, TimeUnitsInDays) {
  const Unit& day = day_unit();
  EXPECT_DOUBLE_EQ(convert(2, parse_unit("weeks"), day), 14.0);
  EXPECT_DOUBLE_EQ(convert(1, parse_unit("h"), day), 1.0 / 24.0);
  EXPECT_DOUBLE_EQ(convert(1, parse_unit("hour"), day), 1.0 / 24.0);
  EXPECT_DOUBLE_EQ(convert(90, parse_unit("min"), day), 90.0 / 1440.0);
  EXPECT_DOUBLE_EQ(convert(86400, parse_unit("s"), day), 1.0);
  EXPECT_DOUBLE_EQ(convert(1, parse_unit("month"), day), 30.4375);
  EXPECT_DOUBLE_EQ(convert(2, parse_unit("years"), day), 730.5);
  EXPECT_DOUBLE_EQ(convert(3, parse_unit("d"), parse_unit("days")), 3.0);
}

TEST(Units, CanonicalFactorsAndDimensions) {
  const Unit u = parse_unit("mg/L");
  EXPECT_DOUBLE_EQ(u.factor, 1e-3);
  EXPECT_EQ(u.powers[static_cast<int>(Dim::mass)], 1);
  EXPECT_EQ(u.powers[static_cast<int>(Dim::volume)], -1);
  EXPECT_FALSE(u.dimensionless());
  EXPECT_TRUE(parse_unit("1").dimensionless());
  EXPECT_TRUE(parse_unit("%").dimensionless());
  EXPECT_DOUBLE_EQ(parse_unit("%").factor, 0.01);
  EXPECT_TRUE(parse_unit("mL/L").dimensionless());
  EXPECT_TRUE(parse_unit("AU").same_dimension(parse_unit("score")));
  EXPECT_FALSE(parse_unit("AU").same_dimension(parse_unit("1")));
  EXPECT_FALSE(parse_unit("MET").same_dimension(parse_unit("AU")));
  EXPECT_DOUBLE_EQ(parse_unit("ug").factor, 1e-6);
  EXPECT_DOUBLE_EQ(parse_unit("\xC2\xB5g").factor, 1e-6);
  EXPECT_DOUBLE_EQ(parse_unit("\xCE\xBCmol").factor, 1e-6);
  EXPECT_DOUBLE_EQ(parse_unit("dL").factor, 0.1);
  EXPECT_DOUBLE_EQ(parse_unit("cm").factor, 0.01);
  EXPECT_TRUE(parse_unit("cells").same_dimension(parse_unit("CFU")));
  EXPECT_TRUE(parse_unit("copies").same_dimension(parse_unit("CFU")));
}

TEST(Units, ConvertsRates) {
  // 35 g/day = 35000 mg / 24 h
  EXPECT_NEAR(convert(35, parse_unit("g/day"), parse_unit("mg/h")), 35000.0 / 24.0, 1e-9);
  EXPECT_NEAR(convert(1, parse_unit("umol/L"), parse_unit("nmol/mL")), 1.0, 1e-12);
  EXPECT_NEAR(convert(10, parse_unit("mg/dL"), parse_unit("g/L")), 0.1, 1e-12);
}

TEST(Units, DivisionIsLeftToRightAndPowers) {
  const Unit u = parse_unit("g/m^2/h");  // g · m^-2 · h^-1
  EXPECT_EQ(u.powers[static_cast<int>(Dim::mass)], 1);
  EXPECT_EQ(u.powers[static_cast<int>(Dim::length)], -2);
  EXPECT_EQ(u.powers[static_cast<int>(Dim::time)], -1);
  EXPECT_DOUBLE_EQ(u.factor, 24.0);
  const Unit v = parse_unit("g m^-2 day^-1");
  EXPECT_TRUE(u.same_dimension(v));
  EXPECT_NEAR(convert(1, u, v), 24.0, 1e-12);
  EXPECT_TRUE(parse_unit("mg/(kg*day)").same_dimension(parse_unit("1/day")));
  EXPECT_NEAR(parse_unit("mg/(kg*day)").factor, 1e-6, 1e-18);
}

TEST(Units, ProductsAndNumericFactors) {
  const Unit met = parse_unit("MET*h/week");
  EXPECT_EQ(met.powers[static_cast<int>(Dim::energy)], 1);
  EXPECT_EQ(met.powers[static_cast<int>(Dim::time)], 0);
  EXPECT_NEAR(met.factor, 1.0 / 24.0 / 7.0, 1e-15);
  EXPECT_TRUE(parse_unit("MET h/week").same_dimension(met));

  const Unit cfu = parse_unit("10^10 CFU/day");
  EXPECT_DOUBLE_EQ(cfu.factor, 1e10);
  EXPECT_EQ(cfu.text, "10^10 CFU/day");
  EXPECT_DOUBLE_EQ(parse_unit("1e10 CFU").factor, 1e10);
  EXPECT_DOUBLE_EQ(convert(3, cfu, parse_unit("CFU/day")), 3e10);
  EXPECT_EQ(parse_unit("  g /  day ").text, "g/day");
  EXPECT_EQ(parse_unit("1/day").text, "1/day");
}

TEST(Units, Quantities) {
  Quantity q = parse_quantity("7 days");
  EXPECT_DOUBLE_EQ(q.value, 7.0);
  EXPECT_EQ(q.unit.text, "days");
  q = parse_quantity("0.5");
  EXPECT_DOUBLE_EQ(q.value, 0.5);
  EXPECT_TRUE(q.unit.dimensionless());
  q = parse_quantity("10^10 CFU/day");
  EXPECT_DOUBLE_EQ(q.value, 1e10);
  EXPECT_EQ(q.unit.text, "CFU/day");
  q = parse_quantity("1e10 CFU/day");
  EXPECT_DOUBLE_EQ(q.value, 1e10);
  q = parse_quantity("-2.5e-1 mg");
  EXPECT_DOUBLE_EQ(q.value, -0.25);
  q = parse_quantity("0.3/day");
  EXPECT_DOUBLE_EQ(q.value, 0.3);
  EXPECT_EQ(q.unit.text, "1/day");

  EXPECT_DOUBLE_EQ(parse_quantity_in("2 weeks", day_unit()), 14.0);
  EXPECT_DOUBLE_EQ(parse_quantity_in("1 hour", day_unit()), 1.0 / 24.0);
  EXPECT_NEAR(parse_quantity_in("35 g/day", parse_unit("mg/h")), 35000.0 / 24.0, 1e-9);
  EXPECT_DOUBLE_EQ(parse_quantity_in("10 MET*h/week", parse_unit("MET*h/week")), 10.0);
  EXPECT_DOUBLE_EQ(parse_quantity_in("50 %", parse_unit("1")), 0.5);
  // A bare number is already in the target unit.
  EXPECT_DOUBLE_EQ(parse_quantity_in("3", day_unit()), 3.0);
}

TEST(Units, Errors) {
  const SourceLoc at{"s.yaml", 4, 12};
  EXPECT_EQ(error_of([&] { parse_unit("mgg/day", at); }),
            "s.yaml:4:12: error: unknown unit 'mgg' (did you mean 'mg'?)");
  EXPECT_EQ(error_of([&] { parse_unit("furlongs"); }), "error: unknown unit 'furlongs'");
  EXPECT_EQ(error_of([&] { parse_quantity("3 dayz", at); }),
            "s.yaml:4:12: error: unknown unit 'dayz' (did you mean 'day'?)");
  EXPECT_EQ(error_of([&] { convert(1, parse_unit("g/day"), day_unit(), at); }),
            "s.yaml:4:12: error: cannot convert 'g/day' to 'day' (different dimensions)");
  EXPECT_EQ(error_of([&] { parse_quantity_in("2 mg", day_unit(), at); }),
            "s.yaml:4:12: error: cannot convert 'mg' to 'day' (different dimensions)");
  EXPECT_EQ(error_of([&] { parse_unit("g//day", at); }),
            "s.yaml:4:12: error: malformed unit 'g//day'");
  EXPECT_EQ(error_of([&] { parse_unit("g^1.5", at); }),
            "s.yaml:4:12: error: malformed unit 'g^1.5'");
  EXPECT_EQ(error_of([&] { parse_quantity("days", at); }),
            "s.yaml:4:12: error: expected a quantity like '7 days', got 'days'");
}

// Exponents beyond int's range were converted to int (undefined behaviour, UBSan); a deep nest of
// parentheses recursed until the stack overflowed. Both are located errors with their limit.
TEST(Units, LimitsOnPowersAndNesting) {
  const SourceLoc at{"s.yaml", 4, 12};
  EXPECT_EQ(error_of([&] { parse_unit("m^99999999999", at); }),
            "s.yaml:4:12: error: the exponent 99999999999 in unit 'm^99999999999' is out of range "
            "(at most 100 in magnitude)");
  EXPECT_EQ(error_of([&] { parse_unit("g^(-1e400)", at); }),
            "s.yaml:4:12: error: the exponent (-1e400) in unit 'g^(-1e400)' is out of range (at "
            "most 100 in magnitude)");
  EXPECT_EQ(error_of([&] { parse_quantity("1 10^99999999999", at); }),
            "s.yaml:4:12: error: the exponent 99999999999 in unit '10^99999999999' is out of range "
            "(at most 100 in magnitude)");
  EXPECT_EQ(error_of([&] { parse_unit("(m^60)^2", at); }),
            "s.yaml:4:12: error: the power 120 of a dimension in unit '(m^60)^2' is out of range "
            "(at most 100 in magnitude)");
  EXPECT_EQ(error_of([&] { parse_unit("m^-60/m^60", at); }),
            "s.yaml:4:12: error: the power -120 of a dimension in unit 'm^-60/m^60' is out of "
            "range (at most 100 in magnitude)");
  EXPECT_EQ(parse_unit("m^100").powers[static_cast<int>(Dim::length)], 100);
  EXPECT_EQ(parse_unit("m^-50 m^-50").powers[static_cast<int>(Dim::length)], -100);

  // Quantities beyond a double were silently infinite (issue 18).
  EXPECT_EQ(error_of([&] { parse_quantity("1e309 days", at); }),
            "s.yaml:4:12: error: quantity '1e309 days' is out of range (at most 1.8e308 in "
            "magnitude)");
  EXPECT_EQ(error_of([&] { parse_quantity("10^400 CFU", at); }),
            "s.yaml:4:12: error: quantity '10^400 CFU' is out of range (at most 1.8e308 in "
            "magnitude)");

  const std::string deep = std::string(100000, '(') + "m" + std::string(100000, ')');
  EXPECT_EQ(error_of([&] { parse_unit(deep, at); }),
            "s.yaml:4:12: error: unit nested too deeply (more than 100 levels of parentheses)");
  const std::string ok = std::string(100, '(') + "m" + std::string(100, ')');
  EXPECT_TRUE(parse_unit(ok).same_dimension(parse_unit("m")));
}

}  // namespace
}  // namespace gutskin
