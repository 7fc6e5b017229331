// summary.json of a trial result, and its report (report_html.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "gutskin/trial.hpp"

namespace gutskin::detail {

nlohmann::ordered_json trial_summary_json(const TrialResult& result);

/// report.html of a result; its numbers are rounded as summary.json records them.
std::string trial_report_html(const TrialResult& result);

}  // namespace gutskin::detail
