// A sensitivity result as files: indices.csv (one row per output and parameter), summary.json
// (the ranking per output, convergence, runs and failures) and report.html (ranked bars with
// intervals, convergence against N, time-resolved local sensitivities).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "core/json_number.hpp"
#include "core/text_files.hpp"
#include "gutskin/report.hpp"
#include "gutskin/sensitivity.hpp"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace gutskin {

namespace {

using detail::csv_field;
using detail::csv_number;

json num(double v) { return detail::json_number(v, 10); }

/// Row of the output time `at` in a local result (the last row if `at` is not on the grid).
std::size_t local_row(const SensitivityResult& r) {
  for (std::size_t i = 0; i < r.times.size(); ++i)
    if (std::fabs(r.times[i] - r.at) <= 1e-9 * std::max(1.0, std::fabs(r.at))) return i;
  return r.times.empty() ? 0 : r.times.size() - 1;
}

std::size_t n_outputs(const SensitivityResult& r) {
  return r.method == SensitivityMethod::local ? r.local.size() : r.indices.size();
}

std::string indices_csv(const SensitivityResult& r) {
  std::ostringstream out;
  const std::size_t np = r.parameters.size();
  if (r.method == SensitivityMethod::local) {
    out << "output,parameter,time,value,normalised\n";
    for (const LocalOutput& l : r.local)
      for (std::size_t k = 0; k < np; ++k)
        for (std::size_t i = 0; i < r.times.size(); ++i)
          out << csv_field(l.output) << ',' << csv_field(r.parameters[k].name) << ',' << csv_number(r.times[i]) << ','
              << csv_number(l.raw[i * np + k]) << ',' << csv_number(l.normalised[i * np + k]) << '\n';
    return out.str();
  }
  const bool sobol = r.method == SensitivityMethod::sobol;
  out << (sobol ? "output,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high\n"
                : "output,parameter,mu_star,mu_star_low,mu_star_high,mu,sigma\n");
  for (const OutputIndices& o : r.indices)
    for (std::size_t k = 0; k < np; ++k) {
      const ParameterIndices& p = o.parameters[k];
      out << csv_field(o.output) << ',' << csv_field(r.parameters[k].name);
      for (double v : sobol ? std::vector{p.S1, p.S1_low, p.S1_high, p.ST, p.ST_low, p.ST_high}
                            : std::vector{p.mu_star, p.mu_star_low, p.mu_star_high, p.mu, p.sigma})
        out << ',' << csv_number(v);
      out << '\n';
    }
  return out.str();
}

json output_json(const SensitivityResult& r, std::size_t o) {
  json x;
  const std::size_t np = r.parameters.size();
  json rows = json::array();
  if (r.method == SensitivityMethod::local) {
    const LocalOutput& l = r.local[o];
    const std::size_t row = local_row(r);
    x["output"] = l.output;
    x["value"] = num(l.value.empty() ? NAN : l.value[row]);
    for (std::size_t k : ranked_parameters(r, o))
      rows.push_back({{"parameter", r.parameters[k].name},
                      {"raw", num(l.raw[row * np + k])},
                      {"normalised", num(l.normalised[row * np + k])}});
    x["ranking"] = rows;
    return x;
  }
  const OutputIndices& out = r.indices[o];
  const bool sobol = r.method == SensitivityMethod::sobol;
  x["output"] = out.output;
  x["mean"] = num(out.mean);
  x["variance"] = num(out.variance);
  x[sobol ? "blocks_used" : "trajectories_used"] = out.used;
  x[sobol ? "blocks_failed" : "trajectories_failed"] = out.failed;
  for (std::size_t k : ranked_parameters(r, o)) {
    const ParameterIndices& p = out.parameters[k];
    json row{{"parameter", r.parameters[k].name}};
    if (sobol) {
      row["S1"] = num(p.S1), row["S1_ci"] = {num(p.S1_low), num(p.S1_high)};
      row["ST"] = num(p.ST), row["ST_ci"] = {num(p.ST_low), num(p.ST_high)};
    } else {
      row["mu_star"] = num(p.mu_star), row["mu_star_ci"] = {num(p.mu_star_low), num(p.mu_star_high)};
      row["mu"] = num(p.mu), row["sigma"] = num(p.sigma);
    }
    rows.push_back(row);
  }
  x["ranking"] = rows;
  json conv = json::array();
  for (const ConvergencePoint& c : out.convergence) {
    json point{{"samples", c.samples}};
    json s1 = json::array(), st = json::array();
    for (double v : c.S1) s1.push_back(num(v));
    for (double v : c.ST) st.push_back(num(v));
    point[sobol ? "S1" : "mu_star"] = s1;
    if (sobol) point["ST"] = st;
    conv.push_back(point);
  }
  x["convergence"] = conv;
  return x;
}

// --- the report ----------------------------------------------------------------------------------

const std::string kFirst = palette_colour(0), kSecond = palette_colour(1);

constexpr std::size_t kRanked = 15;  // parameters in a ranked panel
constexpr std::size_t kLines = 6;    // parameters in a convergence or time panel

std::string short_num(double v) { return std::isfinite(v) ? fmt::format("{:.3g}", v) : "n/a"; }

/// Ranked bars: Sobol ST as a bar with its interval and S1 as a dot with its own; Morris μ* as a
/// bar with its interval; local elasticities as bars.
ReportPanel ranked_panel(const SensitivityResult& r, std::size_t o, const std::string& output) {
  ReportPanel p;
  p.section = output;
  p.x_unit = "";
  p.x_reference = 0.0;
  const auto order = ranked_parameters(r, o);
  const std::size_t shown = std::min(kRanked, order.size());
  for (std::size_t row = 0; row < shown; ++row) {
    const std::size_t k = order[row];
    const std::string& name = r.parameters[k].name;
    const double y = static_cast<double>(row);
    p.y_categories.push_back(name);
    auto bar = [&](const std::string& label, double v, const std::string& colour) {
      if (std::isfinite(v)) p.series.push_back(segment_series(fmt::format("{} {}: {}", name, label, short_num(v)), 0, v, y, colour, 12));
    };
    auto interval = [&](const std::string& label, double lo, double hi, const std::string& colour) {
      if (std::isfinite(lo) && std::isfinite(hi))
        p.series.push_back(segment_series(fmt::format("{} {} CI: {} to {}", name, label, short_num(lo), short_num(hi)), lo,
                                          hi, y, colour, 2));
    };
    if (r.method == SensitivityMethod::sobol) {
      const ParameterIndices& ix = r.indices[o].parameters[k];
      bar("ST", ix.ST, "#9ecae1");
      interval("ST", ix.ST_low, ix.ST_high, kFirst);
      interval("S1", ix.S1_low, ix.S1_high, kSecond);
      if (std::isfinite(ix.S1)) p.series.push_back(point_series(fmt::format("{} S1: {}", name, short_num(ix.S1)), ix.S1, y, kSecond, 8));
    } else if (r.method == SensitivityMethod::morris) {
      const ParameterIndices& ix = r.indices[o].parameters[k];
      bar("μ*", ix.mu_star, "#9ecae1");
      interval("μ*", ix.mu_star_low, ix.mu_star_high, kFirst);
    } else {
      const std::size_t i = local_row(r) * r.parameters.size() + k;
      const double v = std::isfinite(r.local[o].normalised[i]) ? r.local[o].normalised[i] : r.local[o].raw[i];
      bar(std::isfinite(r.local[o].normalised[i]) ? "elasticity" : "∂y/∂p", v, v >= 0 ? kFirst : kSecond);
    }
  }
  if (r.method == SensitivityMethod::sobol) {
    p.title = "Sobol indices of " + output;
    p.description = "Total index ST (bar, with its interval) and first-order S1 (dot, red interval), the " +
                    std::to_string(shown) + " largest ST";
    p.x_label = "share of variance";
  } else if (r.method == SensitivityMethod::morris) {
    p.title = "Morris μ* of " + output;
    p.description = "Mean absolute elementary effect with its bootstrap interval, the " + std::to_string(shown) + " largest";
    p.x_label = "μ* (output units per unit of probability)";
  } else {
    p.title = "Local sensitivities of " + output + fmt::format(" at t = {:g}", r.at);
    p.description = "Elasticity ∂ln y/∂ln p (∂y/∂p where y = 0), the " + std::to_string(shown) + " largest in size";
    p.x_label = "elasticity";
  }
  return p;
}

/// The indices of the top parameters against the number of base samples (or trajectories).
std::optional<ReportPanel> convergence_panel(const SensitivityResult& r, std::size_t o, const std::string& output) {
  const OutputIndices& out = r.indices[o];
  if (out.convergence.size() < 2) return std::nullopt;
  const bool sobol = r.method == SensitivityMethod::sobol;
  ReportPanel p;
  p.section = output;
  p.title = "Convergence of " + output;
  p.description = sobol ? "ST (solid) and S1 (dashed) of the top parameters from the first N base samples"
                        : "μ* of the top parameters from the first r trajectories";
  p.x_label = sobol ? "base samples N" : "trajectories r";
  p.x_unit = "";
  p.x_log = true;
  const auto order = ranked_parameters(r, o);
  for (std::size_t j = 0; j < std::min(kLines, order.size()); ++j) {
    const std::size_t k = order[j];
    ReportSeries total, first;
    total.name = r.parameters[k].name + (sobol ? " ST" : " μ*");
    first.name = r.parameters[k].name + " S1";
    first.dashed = true;
    total.color = first.color = palette_colour(j);  // a parameter's two lines share its colour
    for (const ConvergencePoint& c : out.convergence) {
      total.x.push_back(static_cast<double>(c.samples));
      total.y.push_back(sobol ? c.ST[k] : c.S1[k]);
      first.x.push_back(static_cast<double>(c.samples));
      first.y.push_back(c.S1[k]);
    }
    p.series.push_back(total);
    if (sobol) p.series.push_back(first);
  }
  return p;
}

/// Elasticities of the top parameters over time.
ReportPanel time_panel(const SensitivityResult& r, std::size_t o, const std::string& output) {
  ReportPanel p;
  p.section = output;
  p.title = "Time course of the sensitivities of " + output;
  p.description = "Elasticity ∂ln y/∂ln p over time for the largest at t = " + short_num(r.at);
  p.x_unit = r.time_unit;
  p.y_unit = "";
  const auto order = ranked_parameters(r, o);
  const std::size_t np = r.parameters.size();
  for (std::size_t j = 0; j < std::min(kLines, order.size()); ++j) {
    ReportSeries s;
    s.name = r.parameters[order[j]].name;
    s.x = r.times;
    for (std::size_t i = 0; i < r.times.size(); ++i) s.y.push_back(r.local[o].normalised[i * np + order[j]]);
    p.series.push_back(std::move(s));
  }
  return p;
}

Report sensitivity_report(const SensitivityResult& r) {
  Report rep;
  rep.title = fmt::format("Sensitivity of {} ({})", r.study, to_string(r.method));
  rep.subtitle = fmt::format("model {}, {} parameters, {} outputs", r.model, r.parameters.size(), n_outputs(r));
  if (r.method == SensitivityMethod::sobol)
    rep.notes.push_back(fmt::format("Sobol indices from N = {} base samples of a Sobol sequence (Saltelli design, {} runs): "
                                    "S1 is the share of the output's variance a parameter causes alone, ST with all its "
                                    "interactions (Saltelli 2010 and Jansen 1999 estimators); intervals are bootstrap "
                                    "percentiles over the base samples.", r.samples, r.runs));
  else if (r.method == SensitivityMethod::morris)
    rep.notes.push_back(fmt::format("Morris elementary effects from r = {} trajectories ({} runs): μ* is the mean absolute "
                                    "effect of moving a parameter by half its range (in probability), σ their spread "
                                    "(non-linearity or interactions).", r.samples, r.runs));
  else
    rep.notes.push_back(fmt::format("Forward sensitivities (CVODES) at the patient's values: {:.3g} s with sensitivities "
                                    "against {:.3g} s for the simulation alone.", r.wall_seconds, r.seconds_per_run));
  if (r.failed_runs > 0) rep.notes.push_back(fmt::format("{} runs failed and were left out.", r.failed_runs));
  if (r.stopped) rep.notes.push_back("Stopped before the end: indices are from the part of the design that was run.");
  for (const std::string& n : r.notes) rep.notes.push_back(n);

  ReportTable params{.title = "Parameters", .section = "Parameters", .header = {"parameter", "value"}, .rows = {}};
  if (r.method != SensitivityMethod::local) params.header.push_back("distribution");
  for (const auto& p : r.parameters) {
    params.rows.push_back({p.name, fmt::format("{:.6g}", p.value)});
    if (r.method != SensitivityMethod::local) params.rows.back().push_back(p.distribution.text);
  }
  rep.tables.push_back(params);

  for (std::size_t o = 0; o < n_outputs(r); ++o) {
    const std::string& output = r.outputs[o];
    rep.panels.push_back(ranked_panel(r, o, output));
    if (r.method == SensitivityMethod::local) rep.panels.push_back(time_panel(r, o, output));
    else if (auto c = convergence_panel(r, o, output)) rep.panels.push_back(*c);
  }
  return rep;
}

}  // namespace

const char* to_string(SensitivityMethod method) {
  for (const auto& [value, name] : sensitivity_method_names())
    if (value == method) return name.c_str();
  return "?";
}

double rank_value(const SensitivityResult& r, std::size_t o, std::size_t k) {
  if (r.method == SensitivityMethod::local) {
    const LocalOutput& l = r.local[o];
    const std::size_t i = local_row(r) * r.parameters.size() + k;
    return std::isfinite(l.normalised[i]) ? std::fabs(l.normalised[i]) : std::fabs(l.raw[i]);
  }
  const ParameterIndices& p = r.indices[o].parameters[k];
  return r.method == SensitivityMethod::sobol ? p.ST : p.mu_star;
}

std::vector<std::size_t> ranked_parameters(const SensitivityResult& r, std::size_t o) {
  std::vector<std::size_t> order(r.parameters.size());
  std::iota(order.begin(), order.end(), 0);
  auto key = [&](std::size_t k) {
    const double v = rank_value(r, o, k);
    return std::isfinite(v) ? v : -INFINITY;
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) > key(b); });
  return order;
}

std::string sensitivity_summary_to_json(const SensitivityResult& r) {
  json x;
  x["method"] = to_string(r.method);
  x["study"] = r.study;
  x["model"] = r.model;
  x["at"] = num(r.at);
  x["time_unit"] = r.time_unit;
  x["samples"] = r.samples;
  x["runs"] = r.runs;
  x["failed_runs"] = r.failed_runs;
  x["failures"] = r.failures;
  x["stopped"] = r.stopped;
  x["threads"] = r.threads;
  x["processes"] = r.processes;
  x["wall_seconds"] = num(r.wall_seconds);
  if (r.method == SensitivityMethod::local) {
    x["simulation_seconds"] = num(r.seconds_per_run);
    x["cost_per_simulation"] = num(r.seconds_per_run > 0 ? r.wall_seconds / r.seconds_per_run : NAN);
  }
  json params = json::array();
  for (const auto& p : r.parameters) {
    json q{{"name", p.name}, {"value", num(p.value)}};
    if (r.method != SensitivityMethod::local) q["distribution"] = p.distribution.text;
    params.push_back(q);
  }
  x["parameters"] = params;
  json outputs = json::array();
  for (std::size_t o = 0; o < n_outputs(r); ++o) outputs.push_back(output_json(r, o));
  x["outputs"] = outputs;
  x["notes"] = r.notes;
  return x.dump(2) + "\n";
}

fs::path sensitivity_checkpoint_dir(SensitivityMethod method, const fs::path& out_dir) {
  return method == SensitivityMethod::local ? fs::path() : out_dir / "work";
}

void write_sensitivity_files(const SensitivityResult& r, const fs::path& out_dir) {
  std::ostringstream html;
  write_html_report(sensitivity_report(r), html);
  detail::write_results(out_dir, {{"indices.csv", indices_csv(r)},
                                  {"summary.json", sensitivity_summary_to_json(r)},
                                  {"report.html", html.str()}});
}

}  // namespace gutskin
