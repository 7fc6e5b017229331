// The files embedded into HTML reports at build time (see cmake/report_assets.cmake).
#pragma once

#include <string_view>

namespace gutskin::detail {

extern const std::string_view uplot_version;  // e.g. "1.6.32"
extern const std::string_view uplot_js;       // uPlot.iife.min.js (defines global `uPlot`)
extern const std::string_view uplot_css;      // uPlot.min.css
extern const std::string_view report_js;      // src/report/report.js
extern const std::string_view report_css;     // src/report/report.css

}  // namespace gutskin::detail
