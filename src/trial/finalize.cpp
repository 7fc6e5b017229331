#include "trial/finalize.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "trial/statistics.hpp"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace gutskin::detail {

namespace {

/// Rounds for JSON (10 significant digits, as in patients.csv); non-finite → null.
json num(double v) {
  if (!std::isfinite(v)) return nullptr;
  return std::stod(fmt::format("{:.10g}", v));
}
json interval(const Interval& i) { return json::array({num(i.lo), num(i.hi)}); }

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

double parse_number(const std::string& s) {
  if (s.empty()) return NAN;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return end == s.c_str() ? NAN : v;
}

/// Quantile bands from log-binned counts (400 bins per decade: values within 0.6%): exact
/// counts, so the result is the same in any order, on any number of processes.
class Histogram {
 public:
  void add(float v) {
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
  long long count() const { return n_; }
  double quantile(double q) const {
    if (n_ == 0) return NAN;
    const long long rank = static_cast<long long>(std::floor(q * static_cast<double>(n_ - 1)));
    long long seen = 0;
    for (const auto& [key, c] : bins_) {
      seen += c;
      if (seen > rank) return value(key);
    }
    return value(bins_.rbegin()->first);
  }

 private:
  static double value(int key) {
    if (key == 0) return 0.0;
    const double mag = std::pow(10.0, (std::abs(key) - 0.5) / 400.0 - 12);
    return key < 0 ? -mag : mag;
  }
  std::map<int, long long> bins_;
  long long n_ = 0;
};

}  // namespace

json trial_statistics(const FinalizeInput& in) {
  const Trial& trial = *in.trial;
  const auto& cols = in.plan->columns();
  const std::size_t n_arms = trial.arms.size();
  const std::size_t first_col = 3 + in.varying.size();
  const std::size_t fields = first_col + cols.size() + 1;
  const double conf = trial.statistics.confidence;
  const auto n = static_cast<std::size_t>(in.patients);

  // values[c][a][patient], NaN for missing, failed or undefined.
  std::vector<std::vector<std::vector<double>>> values(
      cols.size(), std::vector<std::vector<double>>(n_arms, std::vector<double>(n, NAN)));
  std::vector<long long> ok(n_arms, 0), failed(n_arms, 0);
  std::map<std::string, long long> reasons;
  std::map<std::string, std::size_t> arm_index;
  for (std::size_t a = 0; a < n_arms; ++a) arm_index[trial.arms[a].name] = a;
  long long rows = 0;
  std::ifstream csv(in.files.patients_csv());
  std::string line;
  std::getline(csv, line);  // header
  while (std::getline(csv, line)) {
    const auto f = split_row(line, fields);
    const long long p = std::stoll(f[0]);
    const auto it = arm_index.find(f[1]);
    if (it == arm_index.end() || p < 0 || static_cast<std::size_t>(p) >= n) continue;
    ++rows;
    const std::size_t a = it->second;
    if (f[2] != "ok") {
      ++failed[a];
      std::string reason = f[2] + (f.back().empty() ? "" : ": " + f.back());
      if (reason.size() > 200) reason = reason.substr(0, 200) + "...";
      ++reasons[reason];
      continue;
    }
    ++ok[a];
    for (std::size_t c = 0; c < cols.size(); ++c) values[c][a][p] = parse_number(f[first_col + c]);
  }

  json s;
  std::size_t ref = 0;
  for (std::size_t a = 0; a < n_arms; ++a)
    if (trial.arms[a].name == trial.statistics.reference) ref = a;
  s["reference"] = trial.arms[ref].name;
  s["confidence"] = conf;
  json arms = json::array();
  for (std::size_t a = 0; a < n_arms; ++a)
    arms.push_back({{"name", trial.arms[a].name},
                    {"description", trial.arms[a].description},
                    {"completed", ok[a]},
                    {"failed", failed[a]}});
  s["arms"] = arms;
  long long total_failed = 0;
  for (auto f : failed) total_failed += f;
  s["simulations"] = rows;
  s["failed"] = total_failed;
  // The most frequent reasons first (then alphabetically), at most 20.
  std::vector<std::pair<std::string, long long>> rs(reasons.begin(), reasons.end());
  std::stable_sort(rs.begin(), rs.end(), [](auto& x, auto& y) { return x.second > y.second; });
  json failures = json::array();
  for (std::size_t i = 0; i < std::min<std::size_t>(rs.size(), 20); ++i)
    failures.push_back({{"reason", rs[i].first}, {"count", rs[i].second}});
  s["failure_reasons"] = failures;

  json endpoints = json::array();
  std::size_t c = 0;
  for (const auto& ep : trial.endpoints) {
    json e{{"name", ep.name},
           {"kind", to_string(ep.kind)},
           {"observable", ep.observable},
           {"description", ep.description}};
    if (ep.kind != EndpointKind::time_to_event) e["at_days"] = ep.at;
    if (ep.kind != EndpointKind::value) e["baseline_days"] = ep.baseline;
    if (ep.kind == EndpointKind::time_to_event) e["from_days"] = ep.from;
    if (!ep.criterion.text.empty()) e["criterion"] = ep.criterion.text;
    json per_arm = json::array(), comparisons = json::array();
    const bool binary = ep.kind == EndpointKind::responder || ep.kind == EndpointKind::time_to_event;
    const std::size_t bc = ep.kind == EndpointKind::time_to_event ? c + 1 : c;  // 0/1 column
    std::vector<long long> events(n_arms, 0), counted(n_arms, 0);
    for (std::size_t a = 0; a < n_arms; ++a) {
      json x{{"arm", trial.arms[a].name}};
      if (binary) {
        for (double v : values[bc][a])
          if (std::isfinite(v)) ++counted[a], events[a] += v > 0.5;
        const Proportion pr = proportion(events[a], counted[a], conf);
        x["n"] = pr.n;
        x["events"] = pr.events;
        x["rate"] = num(pr.rate);
        x["rate_ci"] = interval(pr.ci);
        if (ep.kind == EndpointKind::time_to_event) {
          // Everyone is followed to the end of the trial, so Kaplan–Meier is the empirical
          // distribution: the median time is reached once half the patients had the event.
          std::vector<double> times;
          for (std::size_t p = 0; p < n; ++p)
            if (values[bc][a][p] > 0.5) times.push_back(values[c][a][p]);
          std::sort(times.begin(), times.end());
          const auto half = static_cast<std::size_t>((pr.n + 1) / 2);
          x["median_days"] = pr.n > 0 && times.size() >= half && half > 0 ? num(times[half - 1]) : json(nullptr);
          double sum = 0;
          for (double t : times) sum += t;
          x["mean_days_to_event"] = times.empty() ? json(nullptr) : num(sum / times.size());
        }
      } else {
        const Continuous d = describe(values[c][a], conf);
        x["n"] = d.n;
        x["mean"] = num(d.mean);
        x["sd"] = num(d.sd);
        x["mean_ci"] = interval(d.mean_ci);
        x["median"] = num(d.median);
        x["median_ci"] = interval(d.median_ci);
        x["p05"] = num(d.p05);
        x["q25"] = num(d.q25);
        x["q75"] = num(d.q75);
        x["p95"] = num(d.p95);
        if (d.n == 0)
          for (const char* k : {"mean", "sd", "mean_ci", "median", "median_ci", "p05", "q25", "q75", "p95"})
            x[k] = nullptr;
      }
      per_arm.push_back(x);
    }
    for (std::size_t a = 0; a < n_arms; ++a) {
      if (a == ref) continue;
      json x{{"arm", trial.arms[a].name}, {"vs", trial.arms[ref].name}};
      if (binary) {
        const BinaryComparison b = compare_binary(events[a], counted[a], events[ref], counted[ref], conf);
        x["risk_difference"] = num(b.risk_difference);
        x["risk_difference_ci"] = interval(b.rd_ci);
        x["risk_ratio"] = num(b.risk_ratio);
        x["risk_ratio_ci"] = interval(b.rr_ci);
        x["odds_ratio"] = num(b.odds_ratio);
        x["odds_ratio_ci"] = interval(b.or_ci);
        x["nnt"] = b.nnt ? num(*b.nnt) : json(nullptr);
        x["nnt_ci"] = b.nnt_ci ? interval(*b.nnt_ci) : json(nullptr);
        // Responders: more is better (NNT to gain one). Events: fewer is better (to prevent one).
        const bool good = ep.kind == EndpointKind::responder ? b.risk_difference > 0 : b.risk_difference < 0;
        x["nnt_meaning"] = b.risk_difference == 0 ? "no difference"
                           : ep.kind == EndpointKind::responder
                               ? (good ? "treat this many to gain one responder"
                                       : "treat this many to lose one responder (harm)")
                               : (good ? "treat this many to prevent one event"
                                       : "treat this many to cause one extra event (harm)");
        if (counted[a] == 0 || counted[ref] == 0)
          for (const char* k : {"risk_difference", "risk_difference_ci", "risk_ratio", "risk_ratio_ci",
                                "odds_ratio", "odds_ratio_ci", "nnt", "nnt_ci"})
            x[k] = nullptr;
      } else {
        const PairedDifference d = paired_difference(values[c][a], values[c][ref], conf);
        x["pairs"] = d.n;
        x["mean_difference"] = d.n ? num(d.mean) : json(nullptr);
        x["mean_difference_ci"] = d.n ? interval(d.ci) : json(nullptr);
      }
      comparisons.push_back(x);
    }
    e["arms"] = per_arm;
    e["comparisons"] = comparisons;
    endpoints.push_back(e);
    c += ep.kind == EndpointKind::time_to_event ? 2 : 1;
  }
  s["endpoints"] = endpoints;
  return s;
}

namespace {

json quantile_bands(const FinalizeInput& in) {
  const Trial& trial = *in.trial;
  const auto& times = in.plan->band_times();
  const std::size_t per_run = in.plan->band_values_per_run();
  const std::size_t n_arms = trial.arms.size();
  json bands;
  if (per_run == 0) return bands;
  std::vector<Histogram> h(per_run * n_arms);
  std::vector<float> record(per_run * n_arms);
  for (int r = 0; r < in.processes; ++r) {
    std::ifstream f(in.files.part_bands(r), std::ios::binary);
    while (f.read(reinterpret_cast<char*>(record.data()),
                  static_cast<std::streamsize>(record.size() * sizeof(float))))
      for (std::size_t k = 0; k < record.size(); ++k) h[k].add(record[k]);
  }
  bands["times_days"] = times;
  const std::vector<std::pair<const char*, double>> qs = {
      {"p05", 0.05}, {"q25", 0.25}, {"median", 0.5}, {"q75", 0.75}, {"p95", 0.95}};
  json obs = json::array();
  for (std::size_t o = 0; o < trial.band_observables.size(); ++o) {
    const int idx = in.model->observable_index(trial.band_observables[o]);
    json x{{"observable", trial.band_observables[o]},
           {"unit", idx >= 0 ? in.model->observables[idx].unit.text : ""}};
    json arms = json::array();
    for (std::size_t a = 0; a < n_arms; ++a) {
      json arm{{"arm", trial.arms[a].name}};
      for (const auto& [key, q] : qs) {
        json series = json::array();
        for (std::size_t t = 0; t < times.size(); ++t)
          series.push_back(num(h[a * per_run + o * times.size() + t].quantile(q)));
        arm[key] = series;
      }
      arms.push_back(arm);
    }
    x["arms"] = arms;
    obs.push_back(x);
  }
  bands["observables"] = obs;
  return bands;
}

void write_text(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    if (!f.flush()) throw std::runtime_error("writing " + tmp.string() + " failed");
  }
  fs::rename(tmp, path);
}

}  // namespace

void finalize_trial(const FinalizeInput& in, TrialSummary& summary) {
  const RunFiles& files = in.files;
  // patients.csv: the header, then the parts in rank order (each a prefix of its range).
  {
    const fs::path tmp = files.patients_csv().string() + ".tmp";
    std::ofstream out(tmp, std::ios::binary);
    out << in.header << '\n';
    for (int r = 0; r < in.processes; ++r) {
      std::ifstream part(files.part_csv(r), std::ios::binary);
      if (part && part.peek() != std::char_traits<char>::eof()) out << part.rdbuf();
    }
    if (!out.flush()) throw std::runtime_error("writing " + tmp.string() + " failed");
    out.close();
    fs::rename(tmp, files.patients_csv());
  }
  const Trial& trial = *in.trial;
  json s;
  s["trial"] = trial.name;
  s["description"] = trial.description;
  s["model"] = in.model->name;
  s["status"] = to_string(summary.status);
  s["patients"] = in.patients;
  s["patients_done"] = summary.patients_done;
  s["seed"] = in.seed;
  s["duration_days"] = trial.duration;
  s["run_in_days"] = trial.run_in;
  s["phenotype"] = trial.population.patient.phenotype;
  s["design"] = "paired: every virtual patient is simulated in every arm";
  s["sampled_parameters"] = in.varying;
  json stats = trial_statistics(in);
  summary.simulations = stats["simulations"].get<long long>();
  summary.failed = stats["failed"].get<long long>();
  for (auto& [k, v] : stats.items()) s[k] = v;
  s["bands"] = quantile_bands(in);
  s["run"] = {{"threads", summary.threads},
              {"processes", summary.processes},
              {"wall_seconds", num(summary.wall_seconds)},
              {"patients_per_second", num(summary.patients_per_second)},
              {"patient_years_per_second", num(summary.patient_years_per_second)},
              {"resumed_from", summary.resumed_from}};
  write_text(files.summary_json(), s.dump(2) + "\n");
  write_text(files.report_html(), trial_report_html(s));
  summary.patients_csv = files.patients_csv();
  summary.summary_json = files.summary_json();
  summary.report_html = files.report_html();
}

}  // namespace gutskin::detail
