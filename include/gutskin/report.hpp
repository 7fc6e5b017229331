// Self-contained HTML reports: one file with the data as JSON, the charting library (uPlot,
// embedded at build time from web/node_modules) and a small script that draws interactive
// charts when the page loads. No network access is needed to view a report.
//
// A report is generic: panels of line/point series with optional quantile bands and shaded
// x-windows, grouped under section headings, plus tables. `scenario_report` builds one for a
// single `gutskin run`; trial reports build their own panels (per-arm bands, box plots of
// endpoints and forest plots, the last two with named rows on the y axis: `y_categories`).
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "gutskin/model.hpp"
#include "gutskin/scenario.hpp"
#include "gutskin/simulate.hpp"

namespace gutskin {

/// One line (or set of points) in a panel. `x` and `y` have the same length; non-finite y
/// values are gaps. Series of one panel may have different x values.
struct ReportSeries {
  enum class Style { line, points, step };
  std::string name;
  std::vector<double> x, y;
  Style style = Style::line;
  std::string color;  // CSS colour; "" picks the next colour of the palette
  bool dashed = false;
  double width = 0.0;  // px: line width, or point diameter for points; 0 = the default
};

/// Colour i of the page's palette (src/report/report.js), which series without a colour take
/// in order: give it to series that must match across panels.
std::string palette_colour(std::size_t i);

/// A horizontal segment from x = lo to x = hi at y = row: an interval or a bar in a panel with
/// named rows (y_categories).
ReportSeries segment_series(std::string name, double lo, double hi, double row, std::string color = "",
                            double width = 0.0);
/// One point at (x, row).
ReportSeries point_series(std::string name, double x, double row, std::string color = "", double size = 0.0);

/// A filled area between `lower` and `upper` (a quantile band), drawn under the series.
struct ReportBand {
  std::string name;  // e.g. "placebo 5–95%"
  std::vector<double> x, lower, upper;
  std::string color;  // "" picks the palette colour of the series with the same index
};

/// A shaded stretch of x (an intervention window); start == end draws a vertical line (a bolus).
struct ReportWindow {
  double start = 0.0;
  double end = 0.0;
  std::string label;
};

struct ReportPanel {
  std::string title;
  std::string description;  // one line under the title (what the quantity means)
  std::string section;      // heading the panel is listed under ("" = no heading)
  std::string x_label = "time";
  std::string x_unit = "day";
  std::string y_unit;  // shown on the y axis and in the tooltip
  bool y_log = false;  // logarithmic y axis (all values must be positive)
  bool x_log = false;  // logarithmic x axis (e.g. ratios in a forest plot)
  /// Named rows instead of a numeric y axis: category k is drawn at y = k, the first at the top,
  /// and its name is the tick label (box plots per arm, forest plots). Such panels have no
  /// legend (the axis names the rows) and their x axis is padded so end points show whole.
  std::vector<std::string> y_categories;
  /// A dashed vertical reference line (no effect: 0 for differences, 1 for ratios); the x axis
  /// always includes it.
  std::optional<double> x_reference;
  std::vector<ReportSeries> series;
  std::vector<ReportBand> bands;
  std::vector<ReportWindow> windows;
};

struct ReportTable {
  std::string title;
  std::string section;  // "" = at the top, before the panels; else at the end of that section
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // cells that read as numbers are right-aligned
};

struct Report {
  std::string title;
  std::string subtitle;
  std::vector<std::string> notes;  // short paragraphs under the title (plain text)
  std::vector<ReportPanel> panels;
  std::vector<ReportTable> tables;
};

/// Writes the report as one HTML document. Panels and tables appear in order, sections in the
/// order of their first panel (then sections only tables name, in table order). Throws std::runtime_error if a series' x and y (or a band's x,
/// lower and upper) differ in length.
void write_html_report(const Report& report, std::ostream& out);
/// Same, to a file (created or replaced); throws std::runtime_error if it cannot be written.
void write_html_report(const Report& report, const std::filesystem::path& path);

/// The report of one scenario run: the inputs the timeline sets, then every observable on its
/// own panel, then the states (one panel per module and unit, at most eight series each), in
/// sections named after the model module each was declared in (`acne.yaml` → "Acne"). The
/// timeline's windows are shaded on every panel; tables list the interventions and every
/// observable at baseline and at the end. Works for any model, including SBML imports.
Report scenario_report(const Scenario& scenario, const Model& model, const Trajectory& trajectory,
                       const SimulationSummary& summary);

}  // namespace gutskin
