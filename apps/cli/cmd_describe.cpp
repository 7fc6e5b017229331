// gutskin describe: what a model holds, as aligned tables or JSON.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "gutskin/catalog.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/model.hpp"
#include "gutskin/study.hpp"

namespace gutskin::cli {

namespace {

using Row = std::vector<std::string>;

/// Prints a titled table with left-aligned columns (the last column is not padded).
void print_table(const std::string& title, const Row& header, const std::vector<Row>& rows) {
  if (rows.empty()) return;
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const Row& r : rows)
    for (std::size_t c = 0; c < r.size() && c < width.size(); ++c)
      width[c] = std::max(width[c], r[c].size());
  auto print_row = [&](const Row& r) {
    std::string line = " ";
    for (std::size_t c = 0; c < r.size(); ++c) {
      line += c == 0 ? " " : "  ";
      line += (c + 1 == r.size()) ? r[c] : fmt::format("{:<{}}", r[c], width[c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    fmt::print("{}\n", line);
  };
  fmt::print("\n{} ({})\n", title, rows.size());
  print_row(header);
  for (const Row& r : rows) print_row(r);
}

std::string num(double v) { return fmt::format("{:.6g}", v); }
std::string text(const Expr& e) { return e ? to_string(e) : std::string("-"); }
std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

void print_model(const Model& m) {
  const bool plain = m.description.empty() || m.description == m.name;
  fmt::print("model {}{}\n", m.name, plain ? "" : " - " + m.description);
  if (!m.files.empty()) {
    std::string files;
    for (const auto& f : m.files) files += (files.empty() ? "" : ", ") + f.filename().string();
    fmt::print("files: {}\n", files);
  }
  fmt::print("{}\n", model_counts(m));

  std::vector<Row> rows;
  for (const Input& i : m.inputs)
    rows.push_back({i.name, num(i.default_value), or_dash(i.unit.text), i.description});
  print_table("inputs", {"name", "default", "unit", "description"}, rows);

  rows.clear();
  for (const Parameter& p : m.parameters) {
    std::string bounds = "-";
    if (p.lower || p.upper)
      bounds = fmt::format("[{}, {}]", p.lower ? num(*p.lower) : "-inf",
                           p.upper ? num(*p.upper) : "inf");
    std::string value = p.initial ? "= " + text(p.initial) : num(p.value);
    rows.push_back({p.name, value, or_dash(p.unit.text), bounds,
                    p.spread > 0 ? num(p.spread) : "-", or_dash(p.source)});
  }
  print_table("parameters", {"name", "value", "unit", "bounds", "spread", "source"}, rows);

  rows.clear();
  for (std::size_t i = 0; i < m.states.size(); ++i) {
    const State& s = m.states[i];
    rows.push_back({s.name, text(s.initial), or_dash(s.unit.text), s.non_negative ? "yes" : "no",
                    text(m.state_rate(static_cast<int>(i)))});
  }
  print_table("states", {"name", "initial", "unit", "non-negative", "d/dt"}, rows);

  rows.clear();
  for (const Variable& v : m.variables)
    rows.push_back({v.name, or_dash(v.unit.text), text(v.expr)});
  print_table("variables", {"name", "unit", "expression"}, rows);

  rows.clear();
  for (const Observable& o : m.observables)
    rows.push_back({o.name, or_dash(o.unit.text), text(o.expr), o.description});
  print_table("observables", {"name", "unit", "expression", "description"}, rows);

  rows.clear();
  for (const Event& e : m.events) {
    std::string assign;
    for (const EventAssignment& a : e.assignments)
      assign += (assign.empty() ? "" : ", ") + a.target + " = " + text(a.value);
    rows.push_back({or_dash(e.name), text(e.trigger), e.delay ? text(e.delay) : "-", assign});
  }
  print_table("events", {"name", "trigger", "delay", "assign"}, rows);

  rows.clear();
  for (const Phenotype& p : m.phenotypes) {
    std::string changes;
    for (const auto& [name, value] : p.values)
      changes += (changes.empty() ? "" : ", ") + name + " = " + num(value);
    for (const auto& [name, spread] : p.spreads)
      changes += (changes.empty() ? "" : ", ") + name + " spread " + num(spread);
    rows.push_back({p.name, or_dash(changes), p.description});
  }
  print_table("phenotypes", {"name", "changes", "description"}, rows);
}

}  // namespace

void register_describe(CLI::App& app, int& exit_code) {
  struct Args {
    std::string model;
    bool json = false;
    bool markdown = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "describe", "Show a model's inputs, parameters, states, variables, observables, phenotypes");
  cmd->add_option("MODEL", args->model,
                  "Model file, folder, SBML file, scenario or trial (its model), or a built-in name")
      ->required();
  cmd->add_flag("--json", args->json, "Print JSON instead of tables");
  cmd->add_flag("--markdown", args->markdown,
                "Print the parameter tables (per module) and phenotypes as Markdown, as in the "
                "model card")
      ->excludes("--json");
  cmd->callback([args, &exit_code] {
    const Study study = open(args->model, catalog());
    const Model& model = study.model->model();
    if (study.kind != FileKind::model && !args->json && !args->markdown) fmt::print("{}\n\n", study.headline());
    if (args->json)
      fmt::print("{}\n", describe(study));
    else if (args->markdown)
      fmt::print("{}", model_to_markdown(model));
    else
      print_model(model);
    exit_code = exit_ok;
  });
}

}  // namespace gutskin::cli
