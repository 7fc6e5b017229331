// summary.json of a trial result and the report drawn from it (report_html.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "gutskin/trial.hpp"

namespace gutskin::detail {

nlohmann::ordered_json trial_summary_json(const TrialResult& result);

/// report.html for a summary.json.
std::string trial_report_html(const nlohmann::ordered_json& summary);

}  // namespace gutskin::detail
