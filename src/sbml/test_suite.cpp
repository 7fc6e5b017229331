// The SBML Test Suite runner: reads each case's settings, model and expected results, simulates
// the highest SBML level present with tight tolerances, and compares point by point.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gutskin/sbml.hpp"
#include "sbml/sbml_import.hpp"

namespace gutskin {

namespace fs = std::filesystem;

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_list(std::string_view s, char sep = ',') {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      if (auto t = trim(cur); !t.empty()) out.push_back(t);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (auto t = trim(cur); !t.empty()) out.push_back(t);
  return out;
}

struct CaseSettings {
  double start = 0.0, duration = 0.0;
  int steps = 0;
  std::vector<std::string> variables;
  double absolute = 0.0, relative = 0.0;
  std::set<std::string> amount, concentration;
};

CaseSettings read_settings(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw InputError(SourceLoc{file.string()}, "cannot read the settings file");
  CaseSettings s;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(std::string_view(line).substr(0, colon));
    const std::string value = trim(std::string_view(line).substr(colon + 1));
    auto number = [&]() {
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      if (value.empty() || end == value.c_str()) {
        throw InputError(SourceLoc{file.string(), n, static_cast<int>(colon) + 2},
                         "'" + key + "': expected a number, got '" + value + "'");
      }
      return v;
    };
    if (key == "start") s.start = number();
    else if (key == "duration") s.duration = number();
    else if (key == "steps") s.steps = static_cast<int>(number());
    else if (key == "variables") s.variables = split_list(value);
    else if (key == "absolute") s.absolute = value.empty() ? 0.0 : number();
    else if (key == "relative") s.relative = value.empty() ? 0.0 : number();
    else if (key == "amount") for (auto& v : split_list(value)) s.amount.insert(v);
    else if (key == "concentration") for (auto& v : split_list(value)) s.concentration.insert(v);
  }
  return s;
}

struct Expected {
  std::vector<std::string> columns;  // without time
  std::vector<double> times;
  std::vector<std::vector<double>> rows;  // per time, per column
};

Expected read_results(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw InputError(SourceLoc{file.string()}, "cannot read the results file");
  Expected e;
  std::string line;
  if (!std::getline(in, line)) throw InputError(SourceLoc{file.string()}, "empty results file");
  std::vector<std::string> header = split_list(line);
  if (header.empty()) throw InputError(SourceLoc{file.string(), 1}, "no columns");
  e.columns.assign(header.begin() + 1, header.end());
  int n = 1;
  while (std::getline(in, line)) {
    ++n;
    if (trim(line).empty()) continue;
    const std::vector<std::string> cells = split_list(line);
    if (cells.size() != header.size()) {
      throw InputError(SourceLoc{file.string(), n},
                       fmt::format("{} values, expected {}", cells.size(), header.size()));
    }
    std::vector<double> row;
    for (const std::string& c : cells) row.push_back(std::strtod(c.c_str(), nullptr));
    e.times.push_back(row[0]);
    row.erase(row.begin());
    e.rows.push_back(std::move(row));
  }
  return e;
}

void read_tags(const fs::path& file, SbmlCaseResult& r, std::string& test_type) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(std::string_view(line).substr(0, colon));
    const std::string value = trim(std::string_view(line).substr(colon + 1));
    if (key == "componentTags") r.component_tags = split_list(value);
    else if (key == "testTags") r.test_tags = split_list(value);
    else if (key == "testType") test_type = value;
  }
}

/// The highest level/version SBML file of a case, or "" if none.
fs::path pick_sbml(const fs::path& dir, const std::string& stem) {
  static const char* const order[] = {"l3v2", "l3v1", "l2v5", "l2v4", "l2v3", "l2v2", "l2v1"};
  for (const char* lv : order) {
    fs::path p = dir / (stem + "-sbml-" + lv + ".xml");
    if (fs::exists(p)) return p;
  }
  return {};
}

bool uses_excluded_feature(const SbmlCaseResult& r) {
  auto has = [](const std::vector<std::string>& v, const char* t) {
    return std::find(v.begin(), v.end(), t) != v.end();
  };
  return has(r.component_tags, "CSymbolDelay") || has(r.component_tags, "AlgebraicRule") ||
         has(r.test_tags, "FastReaction") || has(r.test_tags, "MultipleFastReactions") ||
         has(r.test_tags, "RandomEventExecution");
}

bool is_refusal(const InputError& e) {
  for (const Diagnostic& d : e.diagnostics()) {
    if (d.message.find("not supported") != std::string::npos ||
        d.message.find("unknown to libSBML") != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string first_message(const std::exception& e) {
  if (const auto* ie = dynamic_cast<const InputError*>(&e); ie && !ie->diagnostics().empty()) {
    std::string s = ie->diagnostics().front().str();
    if (ie->diagnostics().size() > 1) {
      s += fmt::format(" (and {} more)", ie->diagnostics().size() - 1);
    }
    return s;
  }
  return e.what();
}

std::string fmt_num(double v) { return fmt::format("{:.10g}", v); }

void count(SbmlTagCounts& c, SbmlCaseOutcome o) {
  switch (o) {
    case SbmlCaseOutcome::pass: ++c.pass; break;
    case SbmlCaseOutcome::fail: ++c.fail; break;
    case SbmlCaseOutcome::unsupported: ++c.unsupported; break;
  }
}

}  // namespace

const char* to_string(SbmlCaseOutcome o) {
  switch (o) {
    case SbmlCaseOutcome::pass: return "pass";
    case SbmlCaseOutcome::fail: return "fail";
    case SbmlCaseOutcome::unsupported: return "unsupported";
  }
  return "?";
}

void SbmlSuiteOptions::validate() const {
  auto bad = [](const std::string& field, const std::string& value, const std::string& rule) {
    throw InputError(SourceLoc{}, detail::option_message(field, value, rule));  // the one wording
  };
  if (cases_dir.empty()) bad("cases_dir", "\"\"", "must be given");
  std::error_code ec;
  if (!fs::is_directory(cases_dir, ec)) bad("cases_dir", cases_dir.string(), "must be a folder");
  validate_options(*this);
  for (int c : cases) {
    if (c <= 0) bad("cases", std::to_string(c), "must be ≥ 1 (case numbers)");
  }
}

std::vector<int> parse_case_list(std::string_view text) {
  std::vector<int> out;
  static const std::regex item(R"(^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$)");
  for (const std::string& part : split_list(text)) {
    std::smatch m;
    if (!std::regex_match(part, m, item)) {
      throw InputError(SourceLoc{}, "--cases: '" + part +
                                        "' is not a case number or a range like 1-100");
    }
    const int a = std::stoi(m[1].str());
    const int b = m[2].matched ? std::stoi(m[2].str()) : a;
    if (b < a) throw InputError(SourceLoc{}, "--cases: range '" + part + "' is backwards");
    for (int i = a; i <= b; ++i) out.push_back(i);
  }
  if (out.empty()) throw InputError(SourceLoc{}, "--cases: empty list");
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

SbmlCaseResult run_sbml_case(const SbmlSuiteOptions& options, int number) {
  const auto t0 = std::chrono::steady_clock::now();
  SbmlCaseResult r;
  r.number = number;
  const std::string stem = fmt::format("{:05d}", number);
  const fs::path dir = options.cases_dir / stem;
  auto finish = [&](SbmlCaseOutcome o, std::string reason) {
    r.outcome = o;
    r.reason = std::move(reason);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  };

  std::string test_type;
  read_tags(dir / (stem + "-model.m"), r, test_type);
  if (!test_type.empty() && test_type != "TimeCourse") {
    return finish(SbmlCaseOutcome::unsupported, "test type " + test_type + " (only TimeCourse)");
  }
  const fs::path sbml = pick_sbml(dir, stem);
  if (sbml.empty()) return finish(SbmlCaseOutcome::unsupported, "no SBML file at Level 2 or 3");
  r.sbml_file = sbml.filename().string();

  CaseSettings settings;
  Expected expected;
  try {
    settings = read_settings(dir / (stem + "-settings.txt"));
    expected = read_results(dir / (stem + "-results.csv"));
  } catch (const std::exception& e) {
    return finish(SbmlCaseOutcome::fail, first_message(e));
  }

  detail::SbmlImport imported;
  try {
    imported = detail::import_sbml(sbml);
  } catch (const InputError& e) {
    return finish(is_refusal(e) ? SbmlCaseOutcome::unsupported : SbmlCaseOutcome::fail,
                  first_message(e));
  }

  if (options.round_trip) {
    try {
      SbmlExportSummary es;
      const fs::path tmp = fs::temp_directory_path() /
                           fmt::format("gutskin_sbml_round_trip_{}.xml", stem);
      es = export_sbml(imported.model, tmp);
      if (!es.ok()) {
        fs::remove(tmp);
        return finish(SbmlCaseOutcome::fail, "export: " + es.problems.front());
      }
      detail::SbmlImport again = detail::import_sbml(tmp);
      fs::remove(tmp);
      imported.model = std::move(again.model);  // same names: `symbols` still applies
    } catch (const std::exception& e) {
      return finish(SbmlCaseOutcome::fail, "round trip: " + first_message(e));
    }
  }

  // One observable per listed variable, in the amount or concentration the case asks for.
  Model& model = imported.model;
  std::set<std::string> names;
  for (const auto& p : model.parameters) names.insert(p.name);
  for (const auto& s : model.states) names.insert(s.name);
  for (const auto& v : model.variables) names.insert(v.name);
  std::vector<std::string> out_names;
  for (std::size_t i = 0; i < settings.variables.size(); ++i) {
    const std::string& v = settings.variables[i];
    auto it = imported.symbols.find(v);
    if (it == imported.symbols.end()) {
      return finish(SbmlCaseOutcome::fail, "variable '" + v + "' is not a symbol of the model");
    }
    const detail::SbmlSymbol& sym = it->second;
    Expr e = sym.value;
    if (sym.kind == detail::SbmlKind::species) {
      if (settings.amount.count(v)) e = sym.amount;
      else if (settings.concentration.count(v)) e = sym.concentration;
    }
    std::string name = "sbml_out_" + v;
    while (names.count(name)) name += "_";
    names.insert(name);
    out_names.push_back(name);
    Observable out;  // assigned, not designated: GCC 12 -Wmaybe-uninitialized misfires on that
    out.name = name;
    out.expr = e;
    out.description = v;
    model.observables.push_back(std::move(out));
  }

  // Map expected columns to the listed variables.
  std::vector<int> col_of_var;
  for (const std::string& v : settings.variables) {
    auto it = std::find(expected.columns.begin(), expected.columns.end(), v);
    if (it == expected.columns.end()) {
      return finish(SbmlCaseOutcome::fail, "variable '" + v + "' has no column in the results");
    }
    col_of_var.push_back(static_cast<int>(it - expected.columns.begin()));
  }

  double scale = 0.0;
  for (const auto& row : expected.rows) {
    for (double c : row) {
      if (std::isfinite(c)) scale = std::max(scale, std::abs(c));
    }
  }
  SimulateOptions so;
  so.t_start = settings.start;
  so.output_times = expected.times;
  so.solver.rtol = options.rtol;
  so.solver.atol = options.atol_factor * std::max(scale, 1.0);
  if (settings.absolute > 0.0) so.solver.atol = std::min(so.solver.atol, 1e-3 * settings.absolute);
  so.solver.atol = std::max(so.solver.atol, 1e-300);
  so.solver.max_steps = options.max_steps;
  so.solver.non_negative = false;

  SimulationResult result;
  try {
    validate(model);
    const CompiledModel compiled{model};
    result = simulate(compiled, default_parameters(compiled.model()),
                      default_schedule(compiled.model()), so);
  } catch (const std::exception& e) {
    return finish(SbmlCaseOutcome::fail, "gutskin: " + first_message(e));
  }
  const Trajectory& tr = result.trajectory;
  std::vector<int> traj_col;
  for (const std::string& n : out_names) traj_col.push_back(tr.column(n));

  std::string first_mismatch;
  for (std::size_t i = 0; i < expected.times.size(); ++i) {
    if (i >= tr.times.size()) {
      return finish(SbmlCaseOutcome::fail,
                    fmt::format("simulation ended at t = {}: {}", fmt_num(result.summary.t_reached),
                                result.summary.message));
    }
    for (std::size_t j = 0; j < settings.variables.size(); ++j) {
      const double c = expected.rows[i][static_cast<std::size_t>(col_of_var[j])];
      const double u = traj_col[j] >= 0 ? tr.at(i, static_cast<std::size_t>(traj_col[j]))
                                        : std::nan("");
      bool ok;
      double ratio = 0.0;
      if (std::isnan(c)) {
        ok = std::isnan(u);
      } else if (std::isinf(c)) {
        ok = u == c;
      } else {
        const double tol = settings.absolute + settings.relative * std::abs(c);
        const double err = std::abs(c - u);
        ok = err <= tol;  // false for NaN
        ratio = tol > 0.0 ? err / tol : (err == 0.0 ? 0.0 : INFINITY);
      }
      if (!ok && !std::isfinite(ratio)) ratio = INFINITY;
      if (!ok && ratio <= 1.0) ratio = INFINITY;  // NaN / inf mismatch
      r.worst_ratio = std::max(r.worst_ratio, ratio);
      if (!ok && first_mismatch.empty()) {
        first_mismatch = fmt::format("{} at t = {}: expected {}, got {}", settings.variables[j],
                                     fmt_num(expected.times[i]), fmt_num(c), fmt_num(u));
      }
    }
  }
  if (!first_mismatch.empty()) return finish(SbmlCaseOutcome::fail, first_mismatch);
  return finish(SbmlCaseOutcome::pass, "");
}

SbmlSuiteSummary run_sbml_suite(const SbmlSuiteOptions& options, const RunControl& control) {
  options.validate();
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<int> cases = options.cases;
  if (cases.empty()) {
    static const std::regex five(R"(^\d{5}$)");
    for (const auto& entry : fs::directory_iterator(options.cases_dir)) {
      const std::string n = entry.path().filename().string();
      if (entry.is_directory() && std::regex_match(n, five)) cases.push_back(std::stoi(n));
    }
    std::sort(cases.begin(), cases.end());
  }
  // A range may span numbers the folder does not hold (a subset of the suite): those are skipped
  // and counted; a list that names no case at all is an error.
  std::vector<int> present;
  for (int c : cases) {
    if (fs::is_directory(options.cases_dir / fmt::format("{:05d}", c))) present.push_back(c);
  }
  if (present.empty()) {
    throw InputError(SourceLoc{options.cases_dir.string()},
                     "no case folders (NNNNN/) found for the cases asked for");
  }
  SbmlSuiteSummary s;
  auto last_report = std::chrono::steady_clock::now();
  s.n_not_found = static_cast<int>(cases.size() - present.size());
  for (int c : present) {
    SbmlCaseResult r = run_sbml_case(options, c);
    count(s.overall, r.outcome);
    if (!uses_excluded_feature(r)) count(s.core, r.outcome);
    for (const auto& t : r.component_tags) count(s.by_component_tag[t], r.outcome);
    for (const auto& t : r.test_tags) count(s.by_test_tag[t], r.outcome);
    s.results.push_back(std::move(r));
    if (options.on_case) options.on_case(s.results.back());
    const auto now = std::chrono::steady_clock::now();
    const bool report = control.progress && (std::chrono::duration<double>(now - last_report).count() >= control.progress_interval ||
                                             s.results.size() == present.size());
    if (report) {
      last_report = now;
      const auto done = static_cast<long long>(s.results.size());
      const Progress p{.unit = "cases", .done = done, .total = static_cast<long long>(present.size()), .done_this_run = done,
                       .failed = s.overall.fail, .elapsed_seconds = std::chrono::duration<double>(now - t0).count()};
      if (control.progress(p) == CallbackResult::stop) s.cancelled = true;
    }
    if (control.stop_requested()) s.cancelled = true;
    if (s.cancelled && s.results.size() < present.size()) break;
  }
  s.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

namespace {
std::string counts_line(const SbmlTagCounts& c) {
  const double pct = c.total() ? 100.0 * c.pass / c.total() : 0.0;
  return fmt::format("{:5d} pass {:5d} fail {:5d} unsupported  of {:5d}  ({:.1f}% pass)", c.pass,
                     c.fail, c.unsupported, c.total(), pct);
}
nlohmann::json counts_json(const SbmlTagCounts& c) {
  return {{"pass", c.pass}, {"fail", c.fail}, {"unsupported", c.unsupported},
          {"total", c.total()}};
}
}  // namespace

std::string SbmlSuiteSummary::brief() const {
  return fmt::format("SBML Test Suite: {} cases: {} pass, {} fail, {} unsupported ({:.1f}% pass; "
                     "{:.1f}% of {} cases without delay/algebraic/fast/random){}",
                     overall.total(), overall.pass, overall.fail, overall.unsupported,
                     overall.total() ? 100.0 * overall.pass / overall.total() : 0.0,
                     core.total() ? 100.0 * core.pass / core.total() : 0.0, core.total(),
                     cancelled ? " [cancelled]" : "");
}

std::string SbmlSuiteSummary::full_report() const {
  std::string s;
  s += fmt::format("{:<34}{}\n", "overall", counts_line(overall));
  s += fmt::format("{:<34}{}\n", "without delay/algebraic/fast/random", counts_line(core));
  s += "by component tag:\n";
  for (const auto& [t, c] : by_component_tag) s += fmt::format("  {:<32}{}\n", t, counts_line(c));
  s += "by test tag:\n";
  for (const auto& [t, c] : by_test_tag) s += fmt::format("  {:<32}{}\n", t, counts_line(c));
  if (n_not_found > 0) s += fmt::format("{} listed cases not in the folder (skipped)\n", n_not_found);
  s += fmt::format("{} ({:.1f} s)\n", brief(), wall_seconds);
  return s;
}

std::string SbmlSuiteSummary::to_json() const {
  nlohmann::json j;
  j["summary"] = counts_json(overall);
  j["core"] = counts_json(core);
  j["core"]["excludes"] = {"CSymbolDelay", "AlgebraicRule", "FastReaction",
                           "RandomEventExecution"};
  j["cancelled"] = cancelled;
  j["not_found"] = n_not_found;
  j["wall_seconds"] = wall_seconds;
  for (const auto& [t, c] : by_component_tag) j["by_component_tag"][t] = counts_json(c);
  for (const auto& [t, c] : by_test_tag) j["by_test_tag"][t] = counts_json(c);
  j["cases"] = nlohmann::json::array();
  for (const SbmlCaseResult& r : results) {
    j["cases"].push_back({{"case", fmt::format("{:05d}", r.number)},
                          {"outcome", to_string(r.outcome)},
                          {"reason", r.reason},
                          {"sbml_file", r.sbml_file},
                          {"component_tags", r.component_tags},
                          {"test_tags", r.test_tags},
                          {"worst_error_ratio", std::isfinite(r.worst_ratio)
                                                    ? nlohmann::json(r.worst_ratio)
                                                    : nlohmann::json(nullptr)},
                          {"seconds", r.seconds}});
  }
  return j.dump(2);
}

}  // namespace gutskin
