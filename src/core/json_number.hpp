// Numbers in result JSON, written one way: rounded to a number of significant digits (as the
// CSV beside them), null when not finite.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

namespace gutskin::detail {

inline nlohmann::ordered_json json_number(double v, int digits) {
  if (!std::isfinite(v)) return nullptr;
  return std::stod(fmt::format("{:.{}g}", v, digits));
}

}  // namespace gutskin::detail
