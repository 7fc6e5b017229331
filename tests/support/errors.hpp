// Test support: what an InputError says, for exact comparisons of messages.
#pragma once

#include <functional>
#include <string>

#include "gutskin/errors.hpp"

namespace gutskin::testing {

/// e.what() of the InputError `f` throws, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace gutskin::testing
