// run_trial: patients through a oneTBB pipeline — drawn in order, simulated in parallel (each
// worker thread owns a Simulator), written in order — so every process appends a prefix of its
// range of patients (see run_files.hpp) and the output never depends on the thread count.
#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>

#include "gutskin/compiled_model.hpp"
#include "gutskin/trial.hpp"
#include "trial/endpoints.hpp"
#include "trial/finalize.hpp"
#include "trial/run_files.hpp"
#include "trial/sampling.hpp"

namespace fs = std::filesystem;

namespace gutskin {

const char* to_string(TrialStatus status) {
  return status == TrialStatus::completed ? "completed" : "stopped";
}

void TrialOptions::validate() const {
  auto bad = [](const std::string& what) { throw InputError(SourceLoc{}, what); };
  if (out_dir.empty()) bad("out_dir: must be given");
  if (threads < 0 || threads > 4096) bad(fmt::format("threads = {}: must be 0 (all cores) to 4096", threads));
  if (patients && (*patients < 1 || *patients > 1000000000L))
    bad(fmt::format("patients = {}: must be from 1 to 10^9", *patients));
  if (seed && *seed > (1ULL << 53)) bad(fmt::format("seed = {}: must be from 0 to 2^53", *seed));
  if (!(rtol > 0 && rtol < 1)) bad(fmt::format("rtol = {:g}: must be in (0, 1)", rtol));
  if (!(atol > 0)) bad(fmt::format("atol = {:g}: must be positive", atol));
  if (max_steps < 1) bad(fmt::format("max_steps = {}: must be positive", max_steps));
  if (!(progress_interval > 0)) bad(fmt::format("progress_interval = {:g}: must be positive", progress_interval));
}

std::string TrialSummary::brief() const {
  return fmt::format("{}: {} of {} patients, {} simulations, {} failed; {:.1f} s, {:.1f} patients/s, "
                     "{:.1f} patient-years/s ({} thread{}, {} process{})",
                     to_string(status), patients_done, patients, simulations, failed, wall_seconds,
                     patients_per_second, patient_years_per_second, threads, threads == 1 ? "" : "s",
                     processes, processes == 1 ? "" : "es");
}

std::string TrialSummary::full_report() const {
  std::string s = brief() + "\n";
  if (resumed_from > 0) s += fmt::format("resumed: {} patients were already done\n", resumed_from);
  if (failed > 0)
    s += fmt::format("failed: {} simulations, left out of the statistics (reasons in {})\n", failed,
                     summary_json.string());
  if (!patients_csv.empty())
    s += fmt::format("wrote {}, {}, {}\n", patients_csv.string(), summary_json.string(),
                     report_html.string());
  return s;
}

namespace {

using Clock = std::chrono::steady_clock;

std::string number(double v) {
  if (std::isnan(v)) return "";
  return fmt::format("{:.10g}", v);
}

/// A CSV field: quoted when it holds a comma or a quote; newlines become spaces.
std::string csv_field(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  if (s.find_first_of(",\"") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

/// One patient's output: all arms' rows and band records.
struct PatientOutput {
  long long index = 0;
  bool cancelled = false;
  int failed = 0;
  std::string rows;
  std::vector<float> bands;
};

class File {
 public:
  File(const fs::path& path, const char* mode) : f_(std::fopen(path.c_str(), mode)), path_(path) {
    if (!f_) throw std::runtime_error("cannot open " + path.string() + " for writing");
  }
  ~File() {
    if (f_) std::fclose(f_);
  }
  void write(const void* data, std::size_t n) {
    if (n && std::fwrite(data, 1, n, f_) != n)
      throw std::runtime_error("writing " + path_.string() + " failed");
  }
  void flush() {
    if (std::fflush(f_) != 0) throw std::runtime_error("writing " + path_.string() + " failed");
  }
  void close() {
    if (f_ && std::fclose(f_) != 0) {
      f_ = nullptr;
      throw std::runtime_error("writing " + path_.string() + " failed");
    }
    f_ = nullptr;
  }

 private:
  std::FILE* f_;
  fs::path path_;
};

std::string manifest_text(const Trial& trial, const Model& model, long long n, std::uint64_t seed,
                          int processes, const std::string& header) {
  std::string s = "format: gutskin-trial-run 1\n";
  s += "trial file: " + detail::file_fingerprint(trial.file) + "\n";
  for (const auto& f : model.files) s += "model file " + f.filename().string() + ": " + detail::file_fingerprint(f) + "\n";
  s += fmt::format("patients: {}\nseed: {}\nprocesses: {}\n", n, seed, processes);
  s += "columns: " + header + "\n";
  return s;
}

}  // namespace

TrialSummary run_trial(const Trial& trial, const TrialOptions& options) {
  options.validate();
  const auto started = Clock::now();
  const int rank = options.group ? options.group->rank() : 0;
  const int size = options.group ? options.group->size() : 1;
  auto barrier = [&] {
    if (options.group) options.group->barrier();
  };
  auto sum = [&](long long v) { return options.group ? options.group->sum(v) : v; };

  const Model model = load_model(trial.model_path);
  check_trial(trial, model);
  const CompiledModel compiled{model};
  const detail::PopulationSampler sampler(model, trial.population);
  const detail::EndpointPlan plan(trial, model);
  const long long n = options.patients.value_or(trial.population.patients);
  const std::uint64_t seed = options.seed.value_or(trial.population.seed);
  const int n_arms = static_cast<int>(trial.arms.size());

  // The arms' schedules: timelines shifted by the run-in, shared read-only by every thread.
  std::vector<InputSchedule> schedules;
  for (const auto& arm : trial.arms) {
    Scenario sc;
    sc.name = arm.name;
    sc.duration = trial.run_in + trial.duration;
    sc.timeline = trial.background;
    sc.timeline.insert(sc.timeline.end(), arm.timeline.begin(), arm.timeline.end());
    for (auto& iv : sc.timeline) {
      iv.start += trial.run_in;
      iv.end += trial.run_in;
    }
    schedules.push_back(build_schedule(sc, model));
  }
  SimulateOptions sim;
  sim.t_start = 0.0;
  for (double t : plan.times()) sim.output_times.push_back(trial.run_in + t);
  sim.rtol = options.rtol;
  sim.atol = options.atol;
  sim.max_steps = options.max_steps;

  std::vector<std::string> varying;
  for (const auto& v : sampler.varying()) varying.push_back(v.name);
  std::string header = "patient,arm,status";
  for (const auto& v : varying) header += "," + csv_field(v);
  for (const auto& c : plan.columns()) header += "," + csv_field(c);
  header += ",message";

  detail::RunFiles files{.dir = options.out_dir};
  const std::string manifest = manifest_text(trial, model, n, seed, size, header);
  if (options.resume) {
    detail::check_manifest(files.manifest(), manifest);  // the same on every rank
  }
  if (rank == 0) {
    std::error_code ec;
    fs::create_directories(files.dir);
    if (!options.resume) {
      fs::remove_all(files.work(), ec);
      for (const auto& p : {files.patients_csv(), files.summary_json(), files.report_html()})
        fs::remove(p, ec);
      fs::create_directories(files.work());
      std::ofstream m(files.manifest());
      m << manifest;
      if (!m.flush()) throw std::runtime_error("cannot write " + files.manifest().string());
    }
  }
  barrier();

  const long long lo = detail::range_start(n, rank, size), hi = detail::range_start(n, rank + 1, size);
  const std::size_t band_floats = plan.band_values_per_run() * n_arms;
  long long done_before = 0;
  if (options.resume)
    done_before = detail::recover_part(files.part_csv(rank), files.part_bands(rank), lo, n_arms,
                                       band_floats * sizeof(float));
  File csv(files.part_csv(rank), options.resume ? "ab" : "wb");
  File bands(files.part_bands(rank), options.resume ? "ab" : "wb");

  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  tbb::enumerable_thread_specific<std::unique_ptr<Simulator>> simulators;

  std::atomic<bool> stop{false};
  auto stopping = [&] {
    return stop.load(std::memory_order_relaxed) ||
           (options.stop_flag && options.stop_flag->load(std::memory_order_relaxed));
  };
  sim.progress = [&](double) { return stopping() ? CallbackResult::stop : CallbackResult::proceed; };

  long long next = lo + done_before, written = 0, failed_now = 0;
  bool writing = true;
  auto last_report = Clock::now();
  auto progress = [&](bool force) {
    const auto now = Clock::now();
    if (!force && std::chrono::duration<double>(now - last_report).count() < options.progress_interval)
      return;
    last_report = now;
    csv.flush();
    bands.flush();
    if (options.stop_flag && options.stop_flag->load()) stop = true;
    if (!options.progress) return;
    const TrialProgress p{.done = done_before + written,
                          .total = hi - lo,
                          .done_this_run = written,
                          .failed = failed_now,
                          .elapsed_seconds = std::chrono::duration<double>(now - started).count()};
    if (options.progress(p) == TrialCallbackResult::stop) stop = true;
  };
  progress(true);

  auto simulate_patient = [&](long long index) {
    auto out = std::make_shared<PatientOutput>();
    out->index = index;
    out->bands.assign(band_floats, NAN);
    auto& slot = simulators.local();
    if (!slot) slot = std::make_unique<Simulator>(compiled);
    const std::vector<double> p = sampler.sample(seed, static_cast<std::uint64_t>(index));
    std::string params;
    for (const auto& v : sampler.varying()) params += "," + number(p[v.index]);
    std::vector<double> values;
    for (int a = 0; a < n_arms; ++a) {
      std::string status = "ok", message;
      values.clear();
      try {
        const SimulationResult r = slot->run(p, schedules[a], sim);
        // Stopped in the middle (the simulator may report a cancelled run as completed with a
        // short trajectory): not an outcome, the patient is simply not done.
        if (r.summary.termination == Termination::cancelled ||
            (stopping() && r.trajectory.times.size() < plan.times().size())) {
          out->cancelled = true;
          return out;
        }
        if (r.summary.ok() && r.trajectory.times.size() == plan.times().size()) {
          plan.evaluate(r.trajectory, values);
          plan.band_values(r.trajectory, out->bands.data() + a * plan.band_values_per_run());
        } else {
          status = r.summary.ok() ? "incomplete" : to_string(r.summary.termination);
          message = r.summary.message;
        }
      } catch (const std::exception& e) {
        status = "error";
        message = e.what();
      }
      if (status != "ok") {
        ++out->failed;
        std::fill_n(out->bands.data() + a * plan.band_values_per_run(), plan.band_values_per_run(), NAN);
      }
      std::string row = fmt::format("{},{},{}", index, csv_field(trial.arms[a].name), status);
      row += params;
      for (std::size_t c = 0; c < plan.columns().size(); ++c)
        row += "," + (c < values.size() ? number(values[c]) : std::string());
      row += "," + csv_field(message) + "\n";
      out->rows += row;
    }
    return out;
  };

  const std::size_t tokens = static_cast<std::size_t>(std::max(2, 4 * threads));
  tbb::parallel_pipeline(
      tokens,
      tbb::make_filter<void, long long>(tbb::filter_mode::serial_in_order,
                                        [&](tbb::flow_control& fc) -> long long {
                                          if (next >= hi || stopping()) {
                                            fc.stop();
                                            return 0;
                                          }
                                          return next++;
                                        }) &
          tbb::make_filter<long long, std::shared_ptr<PatientOutput>>(
              tbb::filter_mode::parallel,
              [&](long long index) { return simulate_patient(index); }) &
          tbb::make_filter<std::shared_ptr<PatientOutput>, void>(
              tbb::filter_mode::serial_in_order, [&](const std::shared_ptr<PatientOutput>& out) {
                // Only a gap-free prefix is ever written: after a cancelled patient, nothing.
                if (!writing || out->cancelled) {
                  writing = false;
                  return;
                }
                csv.write(out->rows.data(), out->rows.size());
                bands.write(out->bands.data(), out->bands.size() * sizeof(float));
                ++written;
                failed_now += out->failed;
                progress(false);
              }));
  csv.close();
  bands.close();
  if (options.stop_flag && options.stop_flag->load()) stop = true;
  const long long mine = done_before + written;
  progress(true);

  TrialSummary summary;
  summary.patients = n;
  summary.threads = threads;
  summary.processes = size;
  const long long all_done = sum(mine);
  const long long resumed = sum(done_before);
  const long long now_done = sum(written);
  summary.patients_done = all_done;
  summary.resumed_from = resumed;
  summary.status = all_done == n ? TrialStatus::completed : TrialStatus::stopped;
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  summary.patients_per_second = now_done / std::max(summary.wall_seconds, 1e-9);
  summary.patient_years_per_second = summary.patients_per_second * n_arms * trial.duration / 365.25;
  summary.simulations = all_done * n_arms;
  summary.failed = sum(failed_now);

  if (rank == 0) {
    detail::FinalizeInput in{.trial = &trial,
                             .model = &model,
                             .plan = &plan,
                             .varying = varying,
                             .header = header,
                             .files = files,
                             .patients = n,
                             .seed = seed,
                             .processes = size};
    detail::finalize_trial(in, summary);
    if (summary.status == TrialStatus::completed) {
      std::error_code ec;
      fs::remove_all(files.work(), ec);
    }
  }
  barrier();
  return summary;
}

}  // namespace gutskin
