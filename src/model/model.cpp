// Model look-ups and the right-hand side of each state.
#include <cctype>
#include <filesystem>
#include <stdexcept>
#include <utility>
#include <vector>

#include "gutskin/model.hpp"

namespace gutskin {
namespace {

template <class Items>
int index_by_name(const Items& items, const std::string& name) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace

int Model::input_index(const std::string& name) const { return index_by_name(inputs, name); }
int Model::parameter_index(const std::string& name) const {
  return index_by_name(parameters, name);
}
int Model::state_index(const std::string& name) const { return index_by_name(states, name); }
int Model::variable_index(const std::string& name) const {
  return index_by_name(variables, name);
}
int Model::observable_index(const std::string& name) const {
  return index_by_name(observables, name);
}

const Phenotype* Model::phenotype(const std::string& name) const {
  const int i = index_by_name(phenotypes, name);
  return i < 0 ? nullptr : &phenotypes[i];
}

Expr Model::state_rate(int state) const {
  if (state < 0 || state >= static_cast<int>(states.size()))
    throw std::out_of_range("state_rate: no state with index " + std::to_string(state));
  const std::string& name = states[state].name;
  for (const auto& eq : equations)
    if (eq.state == name && eq.rate) return eq.rate;

  // Σ stoichiometry × rate: products add, reactants subtract.
  std::vector<std::pair<Expr, bool>> terms;  // (term, produced)
  for (const auto& r : reactions) {
    if (!r.rate) continue;
    auto term = [&](double stoich) { return stoich == 1.0 ? r.rate : make(Op::mul, {constant(stoich), r.rate}); };
    for (const auto& [s, n] : r.reactants)
      if (s == name) terms.emplace_back(term(n), false);
    for (const auto& [s, n] : r.products)
      if (s == name) terms.emplace_back(term(n), true);
  }
  if (terms.empty()) return constant(0.0);
  // Left to right as written, up to kLeftToRight terms; beyond, a chain as deep as it is long
  // would drive every recursive walk over it (derivatives, tapes) as deep, so a balanced sum
  // (depth log2 of the number of terms) is used instead. Same value up to rounding.
  constexpr std::size_t kLeftToRight = 64;
  if (terms.size() <= kLeftToRight) {
    Expr sum = terms[0].second ? terms[0].first : make(Op::neg, {terms[0].first});
    for (std::size_t i = 1; i < terms.size(); ++i)
      sum = make(terms[i].second ? Op::add : Op::sub, {sum, terms[i].first});
    return sum;
  }
  std::vector<Expr> level;
  for (const auto& [t, produced] : terms) level.push_back(produced ? t : make(Op::neg, {t}));
  while (level.size() > 1) {
    std::vector<Expr> next;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) next.push_back(make(Op::add, {level[i], level[i + 1]}));
    if (level.size() % 2 == 1) next.push_back(level.back());
    level = std::move(next);
  }
  return level[0];
}

namespace {

/// "acne" → "Acne", "antibiotic_pk" → "Antibiotic PK": words of two letters read as acronyms.
std::string title_from_stem(const std::string& stem) {
  std::string out;
  std::size_t word_start = 0;
  for (std::size_t i = 0; i <= stem.size(); ++i) {
    if (i < stem.size() && stem[i] != '_' && stem[i] != '-') continue;
    std::string word = stem.substr(word_start, i - word_start);
    if (word.size() <= 2)
      for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!out.empty() && !word.empty()) out += ' ';
    out += word;
    word_start = i + 1;
  }
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

}  // namespace

int module_index(const Model& model, const SourceLoc& where) {
  // Positions name the file as it was read (generic form); files[0] is the top file.
  for (std::size_t i = 1; i < model.files.size(); ++i)
    if (!where.file.empty() && model.files[i].generic_string() == where.file) return static_cast<int>(i);
  return -1;
}

std::string module_title(const Model& model, const SourceLoc& where) {
  const int i = module_index(model, where);
  if (i < 0) return "";
  const std::filesystem::path& file = model.files[i];
  // A folder module (skin/model.yaml) is named after its folder.
  const bool folder = file.stem() == "model" && file.has_parent_path();
  return title_from_stem((folder ? file.parent_path().filename() : file.stem()).string());
}

}  // namespace gutskin
