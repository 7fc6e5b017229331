#include "trial/analysis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "trial/statistics.hpp"

namespace gutskin::detail {

void BandHistogram::add(float v) {
  if (std::isnan(v)) return;
  ++n_;
  const double a = std::abs(static_cast<double>(v));
  int key = 0;
  if (a >= 1e-12) {
    key = 1 + static_cast<int>(std::floor((std::log10(std::min(a, 1e30)) + 12) * 400));
    if (v < 0) key = -key;
  }
  ++bins_[key];
}

double BandHistogram::quantile(double q) const {
  auto value = [](int key) {
    if (key == 0) return 0.0;
    const double mag = std::pow(10.0, (std::abs(key) - 0.5) / 400.0 - 12);
    return key < 0 ? -mag : mag;
  };
  if (n_ == 0) return NAN;
  const long long rank = static_cast<long long>(std::floor(q * static_cast<double>(n_ - 1)));
  long long seen = 0;
  for (const auto& [key, c] : bins_) {
    seen += c;
    if (seen > rank) return value(key);
  }
  return value(bins_.rbegin()->first);
}

std::string patients_csv_header(const TrialResult& result) {
  std::string header = "patient,arm,status";
  for (const auto& v : result.sampled) header += "," + csv_field(v);
  for (const auto& c : result.columns) header += "," + csv_field(c);
  return header + ",message";
}

std::string patient_rows(const TrialResult& result, const EnsembleItem& item, const std::vector<VaryingParameter>& varying) {
  std::string params;
  for (const auto& v : varying) params += "," + csv_number(item.parameters[v.index]);
  std::string rows;
  for (std::size_t a = 0; a < item.runs.size(); ++a) {
    const RunRecord& r = item.runs[a];
    rows += fmt::format("{},{},{}", item.index, csv_field(result.trial.arms[a].name), r.status);
    rows += params;
    for (std::size_t c = 0; c < result.columns.size(); ++c)
      rows += "," + (c < r.values.size() ? csv_number(r.values[c]) : std::string());
    rows += "," + csv_field(r.message) + "\n";
  }
  return rows;
}

void band_record(const EnsembleItem& item, std::size_t n_columns, std::size_t per_run, std::vector<float>& out) {
  out.assign(per_run * item.runs.size(), NAN);
  for (std::size_t a = 0; a < item.runs.size(); ++a) {
    const RunRecord& r = item.runs[a];
    if (!r.ok() || r.values.size() < n_columns + per_run) continue;
    for (std::size_t k = 0; k < per_run; ++k) out[a * per_run + k] = static_cast<float>(r.values[n_columns + k]);
  }
}

namespace {

double parse_number(const std::string& s) {
  if (s.empty()) return NAN;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return end == s.c_str() ? NAN : v;
}

/// As recorded: the value patients.csv would give back.
double recorded(double v) { return parse_number(csv_number(v)); }

/// Splits a patients.csv row: the first `fields − 1` comma-separated fields, then the (maybe
/// quoted) message.
std::vector<std::string> split_row(const std::string& line, std::size_t fields) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (out.size() + 1 < fields) {
    std::size_t end = pos;
    if (pos < line.size() && line[pos] == '"') {  // a quoted field (arm names may need it)
      std::string f;
      ++end;
      while (end < line.size()) {
        if (line[end] == '"' && end + 1 < line.size() && line[end + 1] == '"') f += '"', end += 2;
        else if (line[end] == '"') { ++end; break; }
        else f += line[end++];
      }
      out.push_back(f);
      pos = end + 1;
      continue;
    }
    end = line.find(',', pos);
    if (end == std::string::npos) end = line.size();
    out.push_back(line.substr(pos, end - pos));
    pos = std::min(end + 1, line.size());
  }
  std::string msg = pos < line.size() ? line.substr(pos) : "";
  if (msg.size() >= 2 && msg.front() == '"' && msg.back() == '"') {
    std::string m;
    for (std::size_t i = 1; i + 1 < msg.size(); ++i) {
      m += msg[i];
      if (msg[i] == '"' && msg[i + 1] == '"') ++i;
    }
    msg = m;
  }
  out.push_back(msg);
  return out;
}

/// Starts patient `index` in the result unless it is the last one already.
void begin_patient(TrialResult& result, long long index, std::size_t arms) {
  if (!result.patient_index.empty() && result.patient_index.back() == index) return;
  result.patient_index.push_back(index);
  result.sampled_values.emplace_back();
  result.arm_results.emplace_back(arms);
}

}  // namespace

void add_item(const EnsembleItem& item, const std::vector<VaryingParameter>& varying, std::size_t n_columns,
              TrialResult& result) {
  begin_patient(result, item.index, item.runs.size());
  for (const auto& v : varying) result.sampled_values.back().push_back(recorded(item.parameters[v.index]));
  for (std::size_t a = 0; a < item.runs.size(); ++a) {
    const RunRecord& r = item.runs[a];
    PatientArmResult& out = result.arm_results.back()[a];
    out.status = r.status;
    out.message = r.message;
    for (char& c : out.message)
      if (c == '\n' || c == '\r') c = ' ';
    out.values.assign(n_columns, NAN);
    for (std::size_t c = 0; c < n_columns && c < r.values.size(); ++c) out.values[c] = recorded(r.values[c]);
  }
}

void read_parts(const RunFiles& files, int processes, int arms, std::size_t n_columns, std::size_t per_run,
                TrialResult& result, std::vector<BandHistogram>& histograms) {
  const std::size_t n_sampled = result.sampled.size();
  const std::size_t fields = 3 + n_sampled + n_columns + 1;
  std::map<std::string, std::size_t> arm_index;
  for (std::size_t a = 0; a < result.trial.arms.size(); ++a) arm_index[result.trial.arms[a].name] = a;
  std::vector<float> record(per_run * static_cast<std::size_t>(arms));
  const std::size_t record_bytes = record.size() * sizeof(float) + sizeof(std::uint64_t);  // run_files.hpp
  std::string bytes(record_bytes, '\0');
  for (int r = 0; r < processes; ++r) {
    std::ifstream csv(files.part_csv(r), std::ios::binary);
    for (std::string line; std::getline(csv, line);) {
      const auto f = split_row(line, fields);
      const long long p = parse_number(f[0]) >= 0 ? std::stoll(f[0]) : -1;
      const auto it = arm_index.find(f[1]);
      if (it == arm_index.end() || p < 0 || p >= result.patients) continue;
      begin_patient(result, p, result.trial.arms.size());
      if (result.sampled_values.back().empty())
        for (std::size_t k = 0; k < n_sampled; ++k) result.sampled_values.back().push_back(parse_number(f[3 + k]));
      PatientArmResult& out = result.arm_results.back()[it->second];
      out.status = f[2];
      out.message = f.back();
      out.values.assign(n_columns, NAN);
      for (std::size_t c = 0; c < n_columns; ++c) out.values[c] = parse_number(f[3 + n_sampled + c]);
    }
    std::ifstream b(files.part_bands(r), std::ios::binary);
    while (b.read(bytes.data(), static_cast<std::streamsize>(record_bytes))) {
      std::memcpy(record.data(), bytes.data(), record.size() * sizeof(float));  // the checksum after them stays
      for (std::size_t k = 0; k < record.size(); ++k) histograms[k].add(record[k]);
    }
  }
}

TrialStatisticsResult trial_statistics(const TrialResult& result, const Model& model, const EndpointPlan& plan,
                                       const std::vector<BandHistogram>& histograms) {
  const Trial& trial = result.trial;
  const std::size_t n_arms = trial.arms.size(), n_cols = result.columns.size();
  const auto n = static_cast<std::size_t>(result.patients);
  TrialStatisticsResult s;
  s.confidence = trial.statistics.confidence;
  const double conf = s.confidence;

  // values[c][a][patient], NaN for missing, failed or undefined.
  std::vector<std::vector<std::vector<double>>> values(
      n_cols, std::vector<std::vector<double>>(n_arms, std::vector<double>(n, NAN)));
  std::vector<long long> ok(n_arms, 0), failed(n_arms, 0);
  std::map<std::string, long long> reasons;
  for (std::size_t i = 0; i < result.patient_index.size(); ++i) {
    const auto p = static_cast<std::size_t>(result.patient_index[i]);
    for (std::size_t a = 0; a < n_arms; ++a) {
      const PatientArmResult& r = result.arm_results[i][a];
      ++s.simulations;
      if (r.status != "ok") {
        ++failed[a];
        std::string reason = r.status + (r.message.empty() ? "" : ": " + r.message);
        if (reason.size() > 200) reason = reason.substr(0, 200) + "...";
        ++reasons[reason];
        continue;
      }
      ++ok[a];
      for (std::size_t c = 0; c < n_cols; ++c) values[c][a][p] = r.values[c];
    }
  }

  std::size_t ref = 0;
  for (std::size_t a = 0; a < n_arms; ++a)
    if (trial.arms[a].name == trial.statistics.reference) ref = a;
  s.reference = trial.arms[ref].name;
  for (std::size_t a = 0; a < n_arms; ++a) {
    s.arms.push_back({.name = trial.arms[a].name, .description = trial.arms[a].description, .completed = ok[a], .failed = failed[a]});
    s.failed += failed[a];
  }
  // The most frequent reasons first (then alphabetically), at most 20.
  std::vector<std::pair<std::string, long long>> rs(reasons.begin(), reasons.end());
  std::stable_sort(rs.begin(), rs.end(), [](auto& x, auto& y) { return x.second > y.second; });
  if (rs.size() > 20) rs.resize(20);
  s.failure_reasons = rs;

  auto ci = [](const Interval& i) { return ConfidenceInterval{i.lo, i.hi}; };
  std::size_t c = 0;
  for (const auto& ep : trial.endpoints) {
    EndpointStatistics e;
    e.endpoint = &ep;
    e.binary = ep.kind == EndpointKind::responder || ep.kind == EndpointKind::time_to_event;
    const std::size_t bc = ep.kind == EndpointKind::time_to_event ? c + 1 : c;  // 0/1 column
    std::vector<long long> events(n_arms, 0), counted(n_arms, 0);
    for (std::size_t a = 0; a < n_arms; ++a) {
      ArmEndpointStatistics x;
      x.arm = trial.arms[a].name;
      if (e.binary) {
        for (double v : values[bc][a])
          if (std::isfinite(v)) ++counted[a], events[a] += v > 0.5;
        const Proportion pr = proportion(events[a], counted[a], conf);
        x.n = pr.n;
        x.events = pr.events;
        x.rate = pr.rate;
        x.rate_ci = ci(pr.ci);
        if (ep.kind == EndpointKind::time_to_event) {
          // Everyone is followed to the end of the trial, so Kaplan–Meier is the empirical
          // distribution: the median time is reached once half the patients had the event.
          std::vector<double> times;
          for (std::size_t p = 0; p < n; ++p)
            if (values[bc][a][p] > 0.5) times.push_back(values[c][a][p]);
          std::sort(times.begin(), times.end());
          const auto half = static_cast<std::size_t>((pr.n + 1) / 2);
          if (pr.n > 0 && times.size() >= half && half > 0) x.median_days = times[half - 1];
          double sum = 0;
          for (double t : times) sum += t;
          if (!times.empty()) x.mean_days_to_event = sum / times.size();
        }
      } else {
        const Continuous d = describe(values[c][a], conf);
        x.n = d.n;
        if (d.n > 0) {
          x.mean = d.mean, x.sd = d.sd, x.mean_ci = ci(d.mean_ci), x.median = d.median, x.median_ci = ci(d.median_ci);
          x.p05 = d.p05, x.q25 = d.q25, x.q75 = d.q75, x.p95 = d.p95;
        }
      }
      e.arms.push_back(x);
    }
    for (std::size_t a = 0; a < n_arms; ++a) {
      if (a == ref) continue;
      EndpointComparison x;
      x.arm = trial.arms[a].name;
      x.vs = trial.arms[ref].name;
      if (e.binary) {
        const BinaryComparison b = compare_binary(events[a], counted[a], events[ref], counted[ref], conf);
        // Responders: more is better (NNT to gain one). Events: fewer is better (to prevent one).
        const bool good = ep.kind == EndpointKind::responder ? b.risk_difference > 0 : b.risk_difference < 0;
        x.nnt_meaning = b.risk_difference == 0 ? "no difference"
                        : ep.kind == EndpointKind::responder
                            ? (good ? "treat this many to gain one responder"
                                    : "treat this many to lose one responder (harm)")
                            : (good ? "treat this many to prevent one event"
                                    : "treat this many to cause one extra event (harm)");
        x.estimable = counted[a] > 0 && counted[ref] > 0;
        if (x.estimable) {
          x.risk_difference = b.risk_difference, x.risk_difference_ci = ci(b.rd_ci);
          x.risk_ratio = b.risk_ratio, x.risk_ratio_ci = ci(b.rr_ci);
          x.odds_ratio = b.odds_ratio, x.odds_ratio_ci = ci(b.or_ci);
          x.nnt = b.nnt;
          if (b.nnt_ci) x.nnt_ci = ci(*b.nnt_ci);
        }
      } else {
        const PairedDifference d = paired_difference(values[c][a], values[c][ref], conf);
        x.pairs = d.n;
        if (d.n) x.mean_difference = d.mean, x.mean_difference_ci = ci(d.ci);
      }
      e.comparisons.push_back(x);
    }
    s.endpoints.push_back(std::move(e));
    c += ep.kind == EndpointKind::time_to_event ? 2 : 1;
  }

  // Quantile bands per band observable and arm.
  const std::size_t per_run = plan.band_values_per_run();
  if (per_run == 0) return s;
  s.band_times = plan.band_times();
  const std::size_t nt = s.band_times.size();
  for (std::size_t o = 0; o < trial.band_observables.size(); ++o) {
    const int idx = model.observable_index(trial.band_observables[o]);
    ObservableBands ob{.observable = trial.band_observables[o], .unit = idx >= 0 ? model.observables[idx].unit.text : "", .arms = {}};
    for (std::size_t a = 0; a < n_arms; ++a) {
      QuantileBand band{.arm = trial.arms[a].name, .p05 = {}, .q25 = {}, .median = {}, .q75 = {}, .p95 = {}};
      for (std::size_t t = 0; t < nt; ++t) {
        const BandHistogram& h = histograms[a * per_run + o * nt + t];
        band.p05.push_back(h.quantile(0.05));
        band.q25.push_back(h.quantile(0.25));
        band.median.push_back(h.quantile(0.5));
        band.q75.push_back(h.quantile(0.75));
        band.p95.push_back(h.quantile(0.95));
      }
      ob.arms.push_back(std::move(band));
    }
    s.bands.push_back(std::move(ob));
  }
  return s;
}

}  // namespace gutskin::detail
