// Names of model entities, arms and endpoints: identifiers, so that every one can be written in
// an expression, a CSV column, a JSON key and an SBML id as it is (a letter or _, then letters,
// digits or _); and how a message quotes what a file holds.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace gutskin::detail {

inline bool is_identifier(std::string_view s) {
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  return !s.empty() && letter(s[0]) &&
         std::all_of(s.begin(), s.end(), [&](char c) { return letter(c) || (c >= '0' && c <= '9'); });
}

/// `text` in quotes as a message shows what a file holds: newlines and tabs as \n and \t, and
/// cut after 60 characters ("...") so that a message never echoes a whole file.
inline std::string message_quote(std::string_view text) {
  constexpr std::size_t max = 60;
  std::string shown = "'";
  for (std::size_t i = 0; i < text.size() && i < max; ++i)
    shown += text[i] == '\n' ? std::string("\\n") : text[i] == '\t' ? std::string("\\t") : std::string(1, text[i]);
  return shown + (text.size() > max ? "'..." : "'");
}

/// "name 'x y' (a state): expected a letter or _, then letters, digits or _".
inline std::string not_an_identifier(const std::string& name, const std::string& what) {
  return "name " + message_quote(name) + " (" + what + "): expected a letter or _, then letters, digits or _";
}

}  // namespace gutskin::detail
