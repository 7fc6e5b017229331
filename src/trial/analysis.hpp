// Between the ensemble and a TrialResult: rows of patients.csv, band records, reading the
// checkpoint parts back, and the typed statistics of a result.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/text_files.hpp"
#include "gutskin/ensemble.hpp"
#include "gutskin/trial.hpp"
#include "trial/endpoints.hpp"
#include "trial/run_files.hpp"
#include "trial/sampling.hpp"

namespace gutskin::detail {

/// Quantiles from log-binned counts (400 bins per decade: values within 0.6%): exact counts, so
/// the result is the same in any order, on any number of processes.
class BandHistogram {
 public:
  void add(float v);
  double quantile(double q) const;

 private:
  std::map<int, long long> bins_;
  long long n_ = 0;
};

/// `patient,arm,status,<sampled...>,<columns...>,message`.
std::string patients_csv_header(const TrialResult& result);
/// The rows of one patient, one per arm.
std::string patient_rows(const TrialResult& result, const EnsembleItem& item, const std::vector<VaryingParameter>& varying);
/// The band values of every arm of one patient (float32, NaN for failed runs).
void band_record(const EnsembleItem& item, std::size_t n_columns, std::size_t per_run, std::vector<float>& out);

/// Appends a finished patient to the result, values rounded as patients.csv records them.
void add_item(const EnsembleItem& item, const std::vector<VaryingParameter>& varying, std::size_t n_columns,
              TrialResult& result);
/// Reads every process's part into the result and the band histograms.
void read_parts(const RunFiles& files, int processes, int arms, std::size_t n_columns, std::size_t per_run,
                TrialResult& result, std::vector<BandHistogram>& histograms);

/// The statistics of the patients in `result` (counts, failures, endpoints, quantile bands).
TrialStatisticsResult trial_statistics(const TrialResult& result, const Model& model, const EndpointPlan& plan,
                                       const std::vector<BandHistogram>& histograms);

}  // namespace gutskin::detail
