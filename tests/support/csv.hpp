// Test support: splitting CSV text into lines and cells (the files gutskin writes and the shared
// data sets; no quoted separators).
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace gutskin::testing {

inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

}  // namespace gutskin::testing
