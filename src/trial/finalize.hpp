// The end of a trial run (rank 0): patients.csv from the parts, statistics and quantile bands
// into summary.json, and report.html drawn from the summary.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "gutskin/trial.hpp"
#include "trial/endpoints.hpp"
#include "trial/run_files.hpp"

namespace gutskin::detail {

struct FinalizeInput {
  const Trial* trial = nullptr;
  const Model* model = nullptr;
  const EndpointPlan* plan = nullptr;
  std::vector<std::string> varying;  // names of the sampled parameters (CSV columns)
  std::string header;                // first line of patients.csv, without the newline
  RunFiles files;
  long long patients = 0;
  std::uint64_t seed = 0;
  int processes = 1;
};

/// Writes patients.csv, summary.json and report.html and fills the counts of `summary`.
void finalize_trial(const FinalizeInput& in, TrialSummary& summary);

/// The statistics of a patients.csv (the part of summary.json that depends only on it).
nlohmann::ordered_json trial_statistics(const FinalizeInput& in);

/// report.html for a summary.json.
std::string trial_report_html(const nlohmann::ordered_json& summary);

}  // namespace gutskin::detail
