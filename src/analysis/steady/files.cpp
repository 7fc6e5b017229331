// A steady-state result as files: steady_states.csv (one row per equilibrium), eigenvalues.csv
// (one row per equilibrium and eigenvalue) and summary.json (everything, for front ends).
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/json_number.hpp"
#include "core/text_files.hpp"
#include "gutskin/errors.hpp"
#include "gutskin/steady_state.hpp"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace gutskin {

namespace {

using detail::csv_field;
using detail::csv_number;

json num(double v) { return detail::json_number(v, 12); }

std::string states_csv(const SteadyStateResult& r) {
  std::ostringstream out;
  out << "id,stable,max_real_eigenvalue";
  for (const std::string& s : r.states) out << ',' << csv_field(s);
  out << '\n';
  for (std::size_t k = 0; k < r.equilibria.size(); ++k) {
    const Equilibrium& e = r.equilibria[k];
    out << k + 1 << ',' << (e.stable ? "true" : "false") << ',' << csv_number(e.max_real_eigenvalue);
    for (double v : e.state) out << ',' << csv_number(v);
    out << '\n';
  }
  return out.str();
}

std::string eigenvalues_csv(const SteadyStateResult& r) {
  std::ostringstream out;
  out << "id,real,imaginary\n";
  for (std::size_t k = 0; k < r.equilibria.size(); ++k)
    for (const auto& l : r.equilibria[k].eigenvalues)
      out << k + 1 << ',' << csv_number(l.real()) << ',' << csv_number(l.imag()) << '\n';
  return out.str();
}

}  // namespace

std::string steady_state_summary_to_json(const SteadyStateResult& r) {
  json j;
  j["study"] = r.study;
  j["model"] = r.model;
  j["time_unit"] = r.time_unit;
  j["t"] = num(r.t);
  json inputs = json::object();
  for (const auto& [name, value] : r.inputs) inputs[name] = num(value);
  j["inputs"] = inputs;
  json laws = json::array();
  for (const ConservationLaw& law : r.conservation_laws)
    laws.push_back({{"law", law.text}, {"state", r.states[law.state]}, {"total", num(law.total)}});
  j["conservation_laws"] = laws;
  j["starts"] = r.starts;
  j["failed_starts"] = r.failed_starts;
  j["failures"] = r.failures;
  j["wall_seconds"] = num(r.wall_seconds);
  j["notes"] = r.notes;
  json eq = json::array();
  for (std::size_t k = 0; k < r.equilibria.size(); ++k) {
    const Equilibrium& e = r.equilibria[k];
    json state = json::object();
    for (std::size_t i = 0; i < e.state.size(); ++i) state[r.states[i]] = num(e.state[i]);
    json eigen = json::array();
    for (const auto& l : e.eigenvalues) eigen.push_back({num(l.real()), num(l.imag())});
    eq.push_back({{"id", k + 1},
                  {"stable", e.stable},
                  {"max_real_eigenvalue", num(e.max_real_eigenvalue)},
                  {"slowest_time_constant", num(e.slowest_time_constant)},
                  {"residual", num(e.residual)},
                  {"method", e.method},
                  {"found", e.found},
                  {"state", state},
                  {"eigenvalues", eigen}});
  }
  j["equilibria"] = eq;
  return j.dump(2) + "\n";
}

void write_steady_state_files(const SteadyStateResult& r, const fs::path& out_dir) {
  detail::write_results(out_dir, {{"steady_states.csv", states_csv(r)},
                                  {"eigenvalues.csv", eigenvalues_csv(r)},
                                  {"summary.json", steady_state_summary_to_json(r)}});
}

}  // namespace gutskin
