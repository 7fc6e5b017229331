// HTML reports: the page skeleton and tables are written here as HTML (readable without
// JavaScript), the panels go in as JSON that src/report/report.js draws with uPlot on load.
#include "gutskin/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>

#include "core/text_files.hpp"
#include "report/report_assets.hpp"

namespace gutskin {

namespace {

using json = nlohmann::ordered_json;

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

/// JSON inside <script>: "</" would end the element and "<!--" would change how it is parsed.
std::string script_safe(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && i + 1 < text.size() && (text[i + 1] == '/' || text[i + 1] == '!'))
      out += "\\u003c";
    else
      out += text[i];
  }
  return out;
}

/// Seven significant digits keep the file small; the CSV has the full values. null for NaN/inf.
json number(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (v == 0.0) return 0.0;
  return std::stod(fmt::format("{:.7g}", v));
}

json numbers(const std::vector<double>& values) {
  json a = json::array();
  for (double v : values) a.push_back(number(v));
  return a;
}

const char* style_name(ReportSeries::Style s) {
  switch (s) {
    case ReportSeries::Style::points: return "points";
    case ReportSeries::Style::step: return "step";
    case ReportSeries::Style::line: break;
  }
  return "line";
}

/// Distinct x arrays of the whole report: panels usually share one time grid.
class XTable {
 public:
  int index(const std::vector<double>& x) {
    for (std::size_t i = 0; i < arrays_.size(); ++i)
      if (*arrays_[i] == x) return static_cast<int>(i);
    arrays_.push_back(&x);
    return static_cast<int>(arrays_.size() - 1);
  }
  json to_json() const {
    json a = json::array();
    for (const auto* x : arrays_) a.push_back(numbers(*x));
    return a;
  }

 private:
  std::vector<const std::vector<double>*> arrays_;
};

void check_lengths(const ReportPanel& p) {
  for (const auto& s : p.series)
    if (s.x.size() != s.y.size())
      throw std::runtime_error(fmt::format("report panel '{}': series '{}' has {} x and {} y values",
                                           p.title, s.name, s.x.size(), s.y.size()));
  for (const auto& b : p.bands)
    if (b.x.size() != b.lower.size() || b.x.size() != b.upper.size())
      throw std::runtime_error(
          fmt::format("report panel '{}': band '{}' has {} x, {} lower and {} upper values",
                      p.title, b.name, b.x.size(), b.lower.size(), b.upper.size()));
}

json panel_json(const ReportPanel& p, XTable& xs) {
  json series = json::array();
  for (const auto& s : p.series)
    series.push_back({{"name", s.name},
                      {"x", xs.index(s.x)},
                      {"y", numbers(s.y)},
                      {"style", style_name(s.style)},
                      {"color", s.color},
                      {"dashed", s.dashed},
                      {"width", number(s.width)}});
  json bands = json::array();
  for (const auto& b : p.bands)
    bands.push_back({{"name", b.name},
                     {"x", xs.index(b.x)},
                     {"lower", numbers(b.lower)},
                     {"upper", numbers(b.upper)},
                     {"color", b.color}});
  json windows = json::array();
  for (const auto& w : p.windows)
    windows.push_back({{"start", number(w.start)}, {"end", number(w.end)}, {"label", w.label}});
  return {{"title", p.title},
          {"x_label", p.x_label},
          {"x_unit", p.x_unit},
          {"y_unit", p.y_unit},
          {"y_log", p.y_log},
          {"x_log", p.x_log},
          {"y_categories", p.y_categories},
          {"x_reference", p.x_reference ? number(*p.x_reference) : json(nullptr)},
          {"series", series},
          {"bands", bands},
          {"windows", windows}};
}

bool reads_as_number(const std::string& cell) {
  static const std::regex number_re(R"(^\s*[-+−]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*%?\s*$)");
  return std::regex_match(cell, number_re);
}

std::string section_id(std::size_t i) { return fmt::format("section-{}", i + 1); }

void write_table(const ReportTable& t, std::string& html) {
  html += "<div class=\"table-wrap\">\n";
  if (!t.title.empty()) html += "<h3>" + escape_html(t.title) + "</h3>\n";
  html += "<table>\n<thead><tr>";
  for (const auto& h : t.header) html += "<th>" + escape_html(h) + "</th>";
  html += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    html += "<tr>";
    for (const auto& cell : row)
      html += (reads_as_number(cell) ? "<td class=\"num\">" : "<td>") + escape_html(cell) + "</td>";
    html += "</tr>\n";
  }
  html += "</tbody>\n</table>\n</div>\n";
}

void write_panel(const ReportPanel& p, std::size_t index, std::string& html) {
  html += fmt::format("<figure class=\"panel\" id=\"panel-{}\" data-panel=\"{}\">\n", index + 1, index);
  html += "<figcaption><h3>" + escape_html(p.title) + "</h3>";
  if (!p.description.empty())
    html += "<p class=\"desc\" title=\"" + escape_html(p.description) + "\">" +
            escape_html(p.description) + "</p>";
  html += "</figcaption>\n<div class=\"chart\"></div>\n</figure>\n";
}

}  // namespace

void write_html_report(const Report& report, std::ostream& out) {
  for (const auto& p : report.panels) check_lengths(p);

  // Sections in order of first appearance: panels first, then sections only tables name.
  std::vector<std::string> sections;
  auto add_section = [&](const std::string& s) {
    if (std::find(sections.begin(), sections.end(), s) == sections.end()) sections.push_back(s);
  };
  for (const auto& p : report.panels) add_section(p.section);
  for (const auto& t : report.tables)
    if (!t.section.empty()) add_section(t.section);

  XTable xs;
  json panels = json::array();
  for (const auto& p : report.panels) panels.push_back(panel_json(p, xs));
  const json data = {{"xs", xs.to_json()}, {"panels", panels}};

  std::string html;
  html.reserve(detail::uplot_js.size() + 64 * 1024);
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += fmt::format("<meta name=\"generator\" content=\"gutskin; charts by uPlot {} (MIT)\">\n",
                      detail::uplot_version);
  html += "<title>" + escape_html(report.title) + "</title>\n";
  html += "<style>\n" + std::string(detail::uplot_css) + "\n</style>\n";
  html += "<style>\n" + std::string(detail::report_css) + "\n</style>\n</head>\n<body>\n";

  html += "<header>\n<h1>" + escape_html(report.title) + "</h1>\n";
  if (!report.subtitle.empty())
    html += "<p class=\"subtitle\">" + escape_html(report.subtitle) + "</p>\n";
  for (const auto& n : report.notes) html += "<p class=\"note\">" + escape_html(n) + "</p>\n";
  const bool has_headings = std::any_of(sections.begin(), sections.end(),
                                        [](const std::string& s) { return !s.empty(); });
  if (has_headings) {
    html += "<nav class=\"toc\">";
    for (std::size_t i = 0; i < sections.size(); ++i)
      if (!sections[i].empty())
        html += fmt::format("<a href=\"#{}\">{}</a>", section_id(i), escape_html(sections[i]));
    html += "</nav>\n";
  }
  html += "<noscript><p class=\"note\">The charts need JavaScript; the tables are complete "
          "without it.</p></noscript>\n</header>\n<main>\n";

  for (const auto& t : report.tables)
    if (t.section.empty()) write_table(t, html);
  for (std::size_t s = 0; s < sections.size(); ++s) {
    html += fmt::format("<section id=\"{}\">\n", section_id(s));
    if (!sections[s].empty()) html += "<h2>" + escape_html(sections[s]) + "</h2>\n";
    bool any_panel = false;
    for (std::size_t i = 0; i < report.panels.size(); ++i) {
      if (report.panels[i].section != sections[s]) continue;
      if (!any_panel) html += "<div class=\"panels\">\n";
      any_panel = true;
      write_panel(report.panels[i], i, html);
    }
    if (any_panel) html += "</div>\n";
    for (const auto& t : report.tables)
      if (!t.section.empty() && t.section == sections[s]) write_table(t, html);
    html += "</section>\n";
  }
  html += "</main>\n<footer>Written by gutskin. Charts: hover for values, drag to zoom, "
          "double-click to zoom out, click a legend entry to hide its series.</footer>\n";

  html += "<script>\n" + std::string(detail::uplot_js) + "\n</script>\n";
  html += "<script type=\"application/json\" id=\"report-data\">" +
          script_safe(data.dump(-1, ' ', false, json::error_handler_t::replace)) + "</script>\n";
  html += "<script>\n" + std::string(detail::report_js) + "\n</script>\n</body>\n</html>\n";
  out << html;
}

void write_html_report(const Report& report, const std::filesystem::path& path) {
  std::ostringstream html;
  write_html_report(report, html);
  detail::write_text(path, html.str());
}

// ---- the report of one scenario run ------------------------------------------------------------

namespace {

/// Section of something declared at `where`: its module, or `fallback` when the model is one
/// file (or the place is unknown).
std::string section_of(const SourceLoc& where, const Model& model, const std::string& fallback) {
  const std::string title = module_title(model, where);
  return title.empty() ? fallback : title;
}

std::string unit_text(const std::string& unit) { return unit == "1" ? std::string() : unit; }

std::string value_text(double v, const Unit& unit) {
  const std::string u = unit_text(unit.text);
  return u.empty() ? fmt::format("{:g}", v) : fmt::format("{:g} {}", v, u);
}

std::string days_text(double d) {
  if (!std::isfinite(d)) return "end";
  return fmt::format("day {:g}", d);
}

std::string number_text(double v) {
  if (!std::isfinite(v)) return "–";
  return fmt::format("{:.4g}", v);
}

const char* kind_name(Intervention::Kind k) {
  switch (k) {
    case Intervention::Kind::constant: return "constant";
    case Intervention::Kind::window: return "window";
    case Intervention::Kind::doses: return "doses";
    case Intervention::Kind::ramp: return "ramp";
    case Intervention::Kind::bolus: return "bolus";
  }
  return "";
}

std::string intervention_value(const Intervention& iv) {
  switch (iv.kind) {
    case Intervention::Kind::ramp:
      return fmt::format("{:g} → {}", iv.ramp_from, value_text(iv.value, iv.unit));
    case Intervention::Kind::doses:
      return fmt::format("{} for {:g} day every {:g} days", value_text(iv.value, iv.unit),
                         iv.dose_duration, iv.period);
    default: return value_text(iv.value, iv.unit);
  }
}

/// Shaded windows: everything but a constant level set from the start (that is the baseline).
std::vector<ReportWindow> timeline_windows(const Scenario& scenario, double t0, double t1) {
  std::vector<ReportWindow> windows;
  for (const auto& iv : scenario.timeline) {
    if (iv.kind == Intervention::Kind::constant && iv.start <= t0) continue;
    ReportWindow w{.start = iv.start, .end = std::min(iv.end, t1), .label = iv.label};
    if (iv.kind == Intervention::Kind::bolus) w.end = w.start;
    if (w.label.empty()) w.label = iv.target;
    windows.push_back(std::move(w));
  }
  return windows;
}

ReportPanel time_panel(std::string title, std::string description, std::string section,
                       std::string y_unit, const std::vector<ReportWindow>& windows) {
  ReportPanel p;
  p.title = std::move(title);
  p.description = std::move(description);
  p.section = std::move(section);
  p.y_unit = std::move(y_unit);
  p.windows = windows;
  return p;
}

/// Samples an input of the schedule at the output times and on both sides of every break, so
/// steps show as steps.
ReportSeries input_series(const InputSchedule& schedule, int input, const std::string& name,
                          const std::vector<double>& times) {
  ReportSeries s;
  s.name = name;
  if (times.empty()) return s;
  const double t0 = times.front(), t1 = times.back();
  const double eps = std::max(1e-5 * (t1 - t0), 1e-9);
  std::vector<double> at = times;
  for (double b : schedule.breaks(t0, t1)) {
    if (b - eps > t0) at.push_back(b - eps);
    at.push_back(b);
  }
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  for (double t : at) {
    s.x.push_back(t);
    s.y.push_back(schedule.value(input, t));
  }
  return s;
}

}  // namespace

Report scenario_report(const Scenario& scenario, const Model& model, const Trajectory& tr,
                       const SimulationSummary& summary) {
  Report r;
  r.title = "Scenario " + scenario.name;
  r.subtitle = scenario.description;
  r.notes.push_back("Model " + model.name + (model.description.empty() ? "" : ": " + model.description));
  std::string patient = scenario.patient.phenotype.empty()
                            ? "Patient: model defaults"
                            : "Patient: phenotype " + scenario.patient.phenotype;
  if (!scenario.patient.overrides.empty()) {
    patient += ", overrides";
    const char* sep = " ";
    for (const auto& [name, value] : scenario.patient.overrides) {
      const int p = model.parameter_index(name);
      patient += fmt::format("{}{} = {}", sep, name,
                             p < 0 ? fmt::format("{:g}", value) : value_text(value, model.parameters[p].unit));
      sep = ", ";
    }
  }
  patient += ".";
  r.notes.push_back(patient);
  const double t0 = tr.times.empty() ? 0.0 : tr.times.front();
  const double t1 = tr.times.empty() ? scenario.duration : tr.times.back();
  r.notes.push_back(fmt::format("{:g} days, {} output times. Run: {}", scenario.duration,
                                tr.times.size(), summary.brief()));
  if (!summary.ok())
    r.notes.push_back("The run did not complete (" + std::string(to_string(summary.termination)) +
                      "): " + summary.message + " The charts show the rows computed before that.");

  const std::vector<ReportWindow> windows = timeline_windows(scenario, t0, t1);

  // Inputs the timeline sets, as the simulator saw them.
  const std::string inputs_section = "Inputs";
  try {
    const InputSchedule schedule = build_schedule(scenario, model);
    std::vector<std::string> done;
    for (const auto& iv : scenario.timeline) {
      if (iv.kind == Intervention::Kind::bolus) continue;
      if (std::find(done.begin(), done.end(), iv.target) != done.end()) continue;
      done.push_back(iv.target);
      const int i = model.input_index(iv.target);
      if (i < 0) continue;
      const Input& in = model.inputs[i];
      ReportPanel p = time_panel(in.name, in.description, inputs_section, in.unit.text, windows);
      p.series.push_back(input_series(schedule, i, in.name, tr.times.empty() ? std::vector<double>{t0, t1} : tr.times));
      p.series.back().style = ReportSeries::Style::line;
      r.panels.push_back(std::move(p));
    }
  } catch (const InputError& e) {
    r.notes.push_back(std::string("Inputs not shown: ") + e.what());
  }

  // Observables, one per panel, under their module.
  const std::string single_file_obs = "Observables", single_file_states = "States";
  for (const Observable& o : model.observables) {
    const int col = tr.column(o.name);
    if (col < 0) continue;
    ReportPanel p = time_panel(o.name, o.description, section_of(o.where, model, single_file_obs),
                               o.unit.text, windows);
    ReportSeries s;
    s.name = o.name;
    s.x = tr.times;
    for (std::size_t row = 0; row < tr.times.size(); ++row) s.y.push_back(tr.at(row, col));
    p.series.push_back(std::move(s));
    r.panels.push_back(std::move(p));
  }

  // States: one panel per module and unit, at most eight lines each.
  constexpr std::size_t max_lines = 8;
  std::vector<std::pair<std::string, std::string>> groups;  // (section, unit), in model order
  std::map<std::pair<std::string, std::string>, std::vector<int>> members;
  std::vector<std::string> shown;  // states an observable already shows as they are
  for (const Observable& o : model.observables)
    if (o.expr && o.expr->op == Op::symbol) shown.push_back(o.expr->name);
  for (std::size_t i = 0; i < model.states.size(); ++i) {
    const State& st = model.states[i];
    if (tr.column(st.name) < 0) continue;
    if (std::find(shown.begin(), shown.end(), st.name) != shown.end()) continue;
    const auto key = std::make_pair(section_of(st.where, model, single_file_states), st.unit.text);
    if (!members.count(key)) groups.push_back(key);
    members[key].push_back(static_cast<int>(i));
  }
  for (const auto& key : groups) {
    const std::vector<int>& list = members[key];
    const std::size_t chunks = (list.size() + max_lines - 1) / max_lines;
    for (std::size_t c = 0; c < chunks; ++c) {
      const std::string unit = unit_text(key.second);
      std::string title = key.first == single_file_states ? "States" : key.first + " states";
      if (!unit.empty()) title += " [" + unit + "]";
      if (chunks > 1) title += fmt::format(" ({}/{})", c + 1, chunks);
      std::string description;
      ReportPanel p = time_panel(title, "", key.first, key.second, windows);
      for (std::size_t k = c * max_lines; k < std::min(list.size(), (c + 1) * max_lines); ++k) {
        const State& st = model.states[list[k]];
        const int col = tr.column(st.name);
        ReportSeries s;
        s.name = st.name;
        s.x = tr.times;
        for (std::size_t row = 0; row < tr.times.size(); ++row) s.y.push_back(tr.at(row, col));
        p.series.push_back(std::move(s));
        if (!st.description.empty())
          description += (description.empty() ? "" : "; ") + st.name + ": " + st.description;
      }
      p.description = description;
      r.panels.push_back(std::move(p));
    }
  }

  // Sections in the order of the model's modules (gut before skin in the built-in model), the
  // inputs first; panels keep their order within a section.
  auto rank = [&](const std::string& section) -> std::size_t {
    if (section == inputs_section) return 0;
    if (section == single_file_obs || section == single_file_states) return 1;
    for (std::size_t i = 0; i < model.files.size(); ++i)
      if (module_title(model, SourceLoc{.file = model.files[i].string()}) == section) return i + 2;
    return model.files.size() + 2;
  };
  std::stable_sort(r.panels.begin(), r.panels.end(), [&](const ReportPanel& a, const ReportPanel& b) {
    return rank(a.section) < rank(b.section);
  });

  // The timeline, at the top.
  if (!scenario.timeline.empty()) {
    ReportTable t;
    t.title = "Timeline";
    t.header = {"Intervention", "Target", "Kind", "From", "To", "Value"};
    for (const auto& iv : scenario.timeline) {
      const bool instant = iv.kind == Intervention::Kind::bolus;
      t.rows.push_back({iv.label, iv.target, kind_name(iv.kind), days_text(iv.start),
                        instant ? std::string("–") : days_text(iv.end), intervention_value(iv)});
    }
    r.tables.push_back(std::move(t));
  }

  // Every observable at baseline and at the end.
  ReportTable t;
  t.section = "Baseline vs end";
  t.header = {"Section", "Observable", "Unit", days_text(t0), days_text(t1), "Change", "Change %"};
  if (!tr.times.empty()) {
    const std::size_t last = tr.times.size() - 1;
    for (const Observable& o : model.observables) {
      const int col = tr.column(o.name);
      if (col < 0) continue;
      const double a = tr.at(0, col), b = tr.at(last, col);
      const double pct = a != 0.0 ? 100.0 * (b - a) / std::abs(a) : NAN;
      t.rows.push_back({section_of(o.where, model, single_file_obs), o.name, unit_text(o.unit.text),
                        number_text(a), number_text(b), number_text(b - a),
                        std::isfinite(pct) ? fmt::format("{:+.1f}%", pct) : "–"});
    }
  }
  if (t.rows.empty()) t.rows.push_back({"–", "no observables", "", "", "", "", ""});
  r.tables.push_back(std::move(t));
  return r;
}

std::string palette_colour(std::size_t i) {
  static const char* const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                        "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
  return colours[i % std::size(colours)];
}

ReportSeries segment_series(std::string name, double lo, double hi, double row, std::string color, double width) {
  ReportSeries s;
  s.name = std::move(name);
  s.x = {lo, hi};
  s.y = {row, row};
  s.color = std::move(color);
  s.width = width;
  return s;
}

ReportSeries point_series(std::string name, double x, double row, std::string color, double size) {
  ReportSeries s;
  s.name = std::move(name);
  s.x = {x};
  s.y = {row};
  s.style = ReportSeries::Style::points;
  s.color = std::move(color);
  s.width = size;
  return s;
}

}  // namespace gutskin
