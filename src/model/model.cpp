// Model look-ups and the right-hand side of each state.
#include <cctype>
#include <filesystem>
#include <stdexcept>

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
  Expr sum;
  auto add_term = [&](double stoich, const Expr& rate, bool produced) {
    Expr term = stoich == 1.0 ? rate : make(Op::mul, {constant(stoich), rate});
    if (!sum)
      sum = produced ? term : make(Op::neg, {term});
    else
      sum = make(produced ? Op::add : Op::sub, {sum, term});
  };
  for (const auto& r : reactions) {
    if (!r.rate) continue;
    for (const auto& [s, n] : r.reactants)
      if (s == name) add_term(n, r.rate, false);
    for (const auto& [s, n] : r.products)
      if (s == name) add_term(n, r.rate, true);
  }
  return sum ? sum : constant(0.0);
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
