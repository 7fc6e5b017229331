#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "fmt/format.h"
#include "gutskin/formats.hpp"

namespace gutskin {

// Keys stay in the order written here, which is the order people read them in.
using json = nlohmann::ordered_json;

namespace {

std::string header_cell(const std::string& name, const std::string& unit) {
  std::string cell = unit.empty() ? name : name + " [" + unit + "]";
  // RFC 4180: quote cells holding a separator or a quote.
  if (cell.find_first_of(",\"\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) quoted += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

/// A number, or null for NaN/inf (JSON has no such values).
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json summary_object(const SimulationSummary& s) {
  return json{
      {"termination", to_string(s.termination)},
      {"ok", s.ok()},
      {"message", s.message},
      {"t_reached", number(s.t_reached)},
      {"linear_solver", s.linear_solver},
      {"counters",
       {{"steps", s.steps},
        {"rhs_evals", s.rhs_evals},
        {"jacobian_evals", s.jacobian_evals},
        {"linear_setups", s.linear_setups},
        {"error_test_failures", s.error_test_failures},
        {"nonlinear_failures", s.nonlinear_failures},
        {"events_fired", s.events_fired},
        {"stops", s.stops}}},
      {"wall_seconds", s.wall_seconds},
  };
}

json optional_number(const std::optional<double>& v) { return v ? number(*v) : json(nullptr); }

std::string expr_text(const Expr& e) { return e ? to_string(e) : std::string(); }

}  // namespace

void write_trajectory_csv(const Trajectory& tr, std::ostream& out, const std::vector<int>& columns) {
  std::vector<int> cols = columns;
  if (cols.empty()) {
    cols.resize(tr.columns.size());
    for (std::size_t i = 0; i < cols.size(); ++i) cols[i] = static_cast<int>(i);
  }
  std::string line = header_cell("time", tr.time_unit);
  for (int c : cols) {
    const std::string unit = static_cast<std::size_t>(c) < tr.units.size() ? tr.units[c] : "";
    line += ',' + header_cell(tr.columns.at(c), unit);
  }
  out << line << '\n';
  for (std::size_t row = 0; row < tr.times.size(); ++row) {
    line = fmt::format("{:.10g}", tr.times[row]);
    for (int c : cols) fmt::format_to(std::back_inserter(line), ",{:.10g}", tr.at(row, c));
    out << line << '\n';
  }
}

std::string summary_to_json(const SimulationSummary& summary) {
  return summary_object(summary).dump(2);
}

std::string run_summary_to_json(const Scenario& scenario, const Model& model,
                                const SimulationResult& result) {
  const Trajectory& tr = result.trajectory;
  json j;
  j["scenario"] = {{"name", scenario.name},
                   {"description", scenario.description},
                   {"file", scenario.file.string()},
                   {"duration_days", scenario.duration}};
  json files = json::array();
  for (const auto& f : model.files) files.push_back(f.string());
  j["model"] = {{"name", model.name}, {"files", files}};
  j["patient"] = {{"phenotype", scenario.patient.phenotype},
                  {"overrides", scenario.patient.overrides}};
  const json summary = summary_object(result.summary);
  for (const auto& [key, value] : summary.items()) j[key] = value;
  j["rows"] = tr.times.size();

  json observables = json::object();
  for (const Observable& o : model.observables) {
    const auto it = std::find(tr.columns.begin(), tr.columns.end(), o.name);
    json entry = {{"unit", o.unit.text}, {"start", nullptr}, {"end", nullptr}, {"change", nullptr}};
    if (it != tr.columns.end() && !tr.times.empty()) {
      const std::size_t col = static_cast<std::size_t>(it - tr.columns.begin());
      const double start = tr.at(0, col), end = tr.at(tr.times.size() - 1, col);
      entry["start"] = number(start);
      entry["end"] = number(end);
      entry["change"] = number(end - start);
    }
    observables[o.name] = entry;
  }
  j["observables"] = observables;
  return j.dump(2);
}

std::string model_to_json(const Model& m) {
  json j;
  j["name"] = m.name;
  j["description"] = m.description;
  json files = json::array();
  for (const auto& f : m.files) files.push_back(f.string());
  j["files"] = files;

  json inputs = json::array();
  for (const Input& i : m.inputs)
    inputs.push_back({{"name", i.name},
                      {"default", number(i.default_value)},
                      {"unit", i.unit.text},
                      {"description", i.description}});
  j["inputs"] = inputs;

  json parameters = json::array();
  for (const Parameter& p : m.parameters) {
    json e = {{"name", p.name},
              {"value", number(p.value)},
              {"unit", p.unit.text},
              {"lower", optional_number(p.lower)},
              {"upper", optional_number(p.upper)},
              {"spread", number(p.spread)},
              {"source", p.source},
              {"description", p.description}};
    if (p.initial) e["initial"] = expr_text(p.initial);
    parameters.push_back(e);
  }
  j["parameters"] = parameters;

  json states = json::array();
  for (std::size_t i = 0; i < m.states.size(); ++i) {
    const State& s = m.states[i];
    const Expr rate = m.state_rate(static_cast<int>(i));
    states.push_back({{"name", s.name},
                      {"initial", expr_text(s.initial)},
                      {"unit", s.unit.text},
                      {"non_negative", s.non_negative},
                      {"rate", expr_text(rate)},
                      {"description", s.description}});
  }
  j["states"] = states;

  json variables = json::array();
  for (const Variable& v : m.variables)
    variables.push_back({{"name", v.name},
                         {"expr", expr_text(v.expr)},
                         {"unit", v.unit.text},
                         {"description", v.description}});
  j["variables"] = variables;

  json observables = json::array();
  for (const Observable& o : m.observables)
    observables.push_back({{"name", o.name},
                           {"expr", expr_text(o.expr)},
                           {"unit", o.unit.text},
                           {"description", o.description}});
  j["observables"] = observables;

  json events = json::array();
  for (const Event& e : m.events) {
    json assign = json::object();
    for (const EventAssignment& a : e.assignments) assign[a.target] = expr_text(a.value);
    json entry = {{"name", e.name}, {"trigger", expr_text(e.trigger)}, {"assign", assign}};
    if (e.delay) entry["delay"] = expr_text(e.delay);
    if (e.priority) entry["priority"] = expr_text(e.priority);
    events.push_back(entry);
  }
  j["events"] = events;

  json phenotypes = json::array();
  for (const Phenotype& p : m.phenotypes)
    phenotypes.push_back({{"name", p.name},
                          {"description", p.description},
                          {"parameters", p.values},
                          {"spread", p.spreads}});
  j["phenotypes"] = phenotypes;
  return j.dump(2);
}

namespace {

/// A Markdown table cell: pipes escaped, line breaks flattened, empty as a dash.
std::string md_cell(const std::string& text) {
  if (text.empty()) return "-";
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

std::string md_number(double v) { return fmt::format("{:.6g}", v); }

/// The module a name was read from: the stem of its file ("microbiome" for microbiome.yaml).
std::string module_of(const SourceLoc& where) {
  if (where.file.empty()) return "(model)";
  return std::filesystem::path(where.file).stem().string();
}

}  // namespace

std::string model_to_markdown(const Model& m) {
  std::string out;
  // Modules in the order their first parameter appears.
  std::vector<std::string> modules;
  for (const Parameter& p : m.parameters) {
    const std::string mod = module_of(p.where);
    if (std::find(modules.begin(), modules.end(), mod) == modules.end()) modules.push_back(mod);
  }
  out += fmt::format("{} parameters in {} modules. Spread = SD of log(value) across virtual "
                     "patients (log-normal); a dash = the same in every patient.\n",
                     m.parameters.size(), modules.size());
  for (const std::string& mod : modules) {
    std::size_t count = 0;
    for (const Parameter& p : m.parameters) count += module_of(p.where) == mod;
    out += fmt::format("\n#### {} ({} parameters)\n\n", mod, count);
    out += "| name | value | unit | bounds | spread | source | description |\n";
    out += "| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const Parameter& p : m.parameters) {
      if (module_of(p.where) != mod) continue;
      std::string bounds = "-";
      if (p.lower || p.upper)
        bounds = fmt::format("[{}, {}]", p.lower ? md_number(*p.lower) : "-inf",
                             p.upper ? md_number(*p.upper) : "inf");
      const std::string value = p.initial ? "= " + to_string(p.initial) : md_number(p.value);
      out += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} |\n", p.name, md_cell(value),
                         md_cell(p.unit.text), bounds, p.spread > 0 ? md_number(p.spread) : "-",
                         md_cell(p.source), md_cell(p.description));
    }
  }
  if (!m.phenotypes.empty()) {
    out += fmt::format("\n#### phenotypes ({})\n\n", m.phenotypes.size());
    out += "| phenotype | parameter values | spreads | description |\n";
    out += "| --- | --- | --- | --- |\n";
    for (const Phenotype& ph : m.phenotypes) {
      std::string values, spreads;
      for (const auto& [name, value] : ph.values)
        values += (values.empty() ? "" : ", ") + fmt::format("`{}` = {}", name, md_number(value));
      for (const auto& [name, spread] : ph.spreads)
        spreads += (spreads.empty() ? "" : ", ") + fmt::format("`{}` {}", name, md_number(spread));
      out += fmt::format("| `{}` | {} | {} | {} |\n", ph.name, md_cell(values), md_cell(spreads),
                         md_cell(ph.description));
    }
  }
  return out;
}

}  // namespace gutskin
