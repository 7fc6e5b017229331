// run_trial: patients on the ensemble engine — each patient's sampled parameters from
// (seed, index), every arm a protocol — streamed to checkpoint parts when asked (see
// run_files.hpp), then gathered into a typed TrialResult with its statistics.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <memory>

#include "core/limits.hpp"
#include "core/text_files.hpp"
#include "gutskin/compiled_model.hpp"
#include "gutskin/trial.hpp"
#include "trial/analysis.hpp"
#include "trial/endpoints.hpp"
#include "trial/run_files.hpp"
#include "trial/sampling.hpp"

namespace fs = std::filesystem;

namespace gutskin {

const char* to_string(TrialStatus status) {
  return status == TrialStatus::completed ? "completed" : "stopped";
}

void TrialOptions::validate() const {
  validate_options(*this);
  validate_options(solver);
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
  for (const std::string& note : notes) s += "note: " + note + "\n";
  if (failed > 0)
    s += fmt::format("failed: {} simulations, left out of the statistics (reasons in {})\n", failed,
                     summary_json.string());
  if (!patients_csv.empty())
    s += fmt::format("wrote {}, {}, {}\n", patients_csv.string(), summary_json.string(),
                     report_html.string());
  return s;
}

namespace {

std::string manifest_text(const Trial& trial, const Model& model, long long n, std::uint64_t seed, int processes,
                          const SolverOptions& solver, const std::string& header) {
  std::string s = "format: gutskin-trial-run 2\n";  // 2: band records carry a checksum
  s += "trial file: " + detail::file_fingerprint(trial.file) + "\n";
  for (const auto& f : model.files) s += "model file " + f.filename().string() + ": " + detail::file_fingerprint(f) + "\n";
  s += fmt::format("patients: {}\nseed: {}\nprocesses: {}\n", n, seed, processes);
  std::string solver_text;
  for (const auto& o : non_default_options(solver)) solver_text += (solver_text.empty() ? "" : " ") + o;
  s += "solver: " + (solver_text.empty() ? std::string("defaults") : solver_text) + "\n";
  s += "columns: " + header + "\n";
  return s;
}

/// Starts or resumes the checkpoint of this process; returns the patients already done (and
/// notes a damaged record that made it run some again).
long long open_checkpoint(const detail::RunFiles& files, const std::string& manifest, bool resume, long long first,
                          int arms, std::size_t band_floats, const ProcessGroup& group, std::vector<std::string>& notes) {
  if (resume) detail::check_manifest(files.manifest(), manifest);  // the same on every rank
  if (group.rank() == 0 && !resume) {
    std::error_code ec;
    fs::remove_all(files.work, ec);
    detail::create_folder(files.work);
    detail::write_text(files.manifest(), manifest);
  }
  group.barrier();
  if (!resume) return 0;
  const detail::PartRecovery found =
      detail::recover_part(files.part_csv(group.rank()), files.part_bands(group.rank()), first, arms, band_floats);
  if (found.damaged_at >= 0)
    notes.push_back(fmt::format("the checkpoint {} is damaged at patient {} (its record fails its checksum): kept "
                                "the {} intact patients before it, ran it and the rest again",
                                files.part_csv(group.rank()).string(), found.damaged_at, found.patients));
  return found.patients;
}

}  // namespace

TrialResult run_trial(const CompiledModel& compiled, const Trial& trial, const TrialOptions& options,
                      const RunControl& control, const ProcessGroup& group) {
  options.validate();
  const Model& model = compiled.model();
  check_trial(trial, model);
  if (group.size() > 1 && options.checkpoint_dir.empty())
    throw InputError(SourceLoc{}, "a trial shared by several processes needs a checkpoint folder (--out)");
  if (options.resume && options.checkpoint_dir.empty())
    throw InputError(SourceLoc{}, "option 'resume': needs a checkpoint folder to resume from");

  const detail::PopulationSampler sampler(model, trial.population);
  const detail::EndpointPlan plan(trial, model);
  const long long n = options.patients.value_or(trial.population.patients);
  const std::uint64_t seed = options.seed.value_or(trial.population.seed);
  const int n_arms = static_cast<int>(trial.arms.size());
  const std::size_t n_columns = plan.columns().size(), per_run_bands = plan.band_values_per_run();

  detail::check_result_size(static_cast<double>(n) * n_arms * (n_columns + sampler.varying().size() + 2),
                            fmt::format("{} patients × {} arms × ({} endpoint columns + {} sampled parameters)", n,
                                        n_arms, n_columns, sampler.varying().size()),
                            "fewer patients",
                            SourceLoc{"--patients"});
  TrialResult result;
  result.trial = trial;
  result.model_name = model.name;
  result.patients = n;
  result.seed = seed;
  for (const auto& v : sampler.varying()) result.sampled.push_back(v.name);
  result.columns = plan.columns();
  const std::string header = detail::patients_csv_header(result);

  EnsembleSpec spec;
  spec.size = n;
  spec.unit = "patients";
  const SolverOptions solver = overlay_options(trial.solver, options.solver);
  spec.protocols = detail::arm_protocols(trial, model, plan, solver);
  spec.parameters = [&](long long i) { return sampler.sample(seed, static_cast<std::uint64_t>(i)); };
  // Endpoint values, then the band values (as the float32 they are stored as).
  spec.extract = [&](std::size_t, const SimulationResult& r, RunRecord& record) {
    plan.evaluate(r.trajectory, record.values);
    std::vector<float> bands(per_run_bands);
    plan.band_values(r.trajectory, bands.data());
    record.values.insert(record.values.end(), bands.begin(), bands.end());
  };

  // Checkpoint: every finished patient is appended to this process's part as it comes.
  const detail::RunFiles files{.work = options.checkpoint_dir};
  const long long first = range_start(n, group.rank(), group.size());
  std::unique_ptr<detail::OutputFile> csv, bands;
  if (!files.work.empty()) {
    spec.done_before = open_checkpoint(files, manifest_text(trial, model, n, seed, group.size(), solver, header),
                                       options.resume, first, n_arms, per_run_bands * n_arms, group, result.summary.notes);
    csv = std::make_unique<detail::OutputFile>(files.part_csv(group.rank()), options.resume ? "ab" : "wb");
    bands = std::make_unique<detail::OutputFile>(files.part_bands(group.rank()), options.resume ? "ab" : "wb");
    std::vector<float> record;
    spec.on_item = [&, record](const EnsembleItem& item) mutable {
      const std::string rows = detail::patient_rows(result, item, sampler.varying());
      csv->write(rows.data(), rows.size());
      detail::band_record(item, n_columns, per_run_bands, record);
      const std::string bytes = detail::band_record_bytes(
          rows, std::string_view(reinterpret_cast<const char*>(record.data()), record.size() * sizeof(float)));
      bands->write(bytes.data(), bytes.size());
    };
    spec.keep_items = false;  // read back from the parts, with the other processes' patients
  }
  RunControl ensemble_control = control;
  if (csv) {  // flush the parts at every progress report: a kill loses at most an interval
    ensemble_control.progress = [&](const Progress& p) {
      csv->flush(), bands->flush();
      return control.progress ? control.progress(p) : CallbackResult::proceed;
    };
  }
  EnsembleOptions ensemble_options{.threads = options.threads};
  const EnsembleResult er = run_ensemble(compiled, spec, ensemble_options, ensemble_control, group);
  if (csv) csv->close(), bands->close();

  // Counts over all processes.
  TrialSummary& summary = result.summary;
  summary.patients = n;
  summary.threads = er.threads;
  summary.processes = group.size();
  summary.patients_done = group.sum(spec.done_before + er.done_this_run);
  summary.resumed_from = group.sum(spec.done_before);
  const long long now_done = group.sum(er.done_this_run);
  summary.status = summary.patients_done == n ? TrialStatus::completed : TrialStatus::stopped;
  summary.wall_seconds = er.wall_seconds;
  summary.patients_per_second = now_done / std::max(summary.wall_seconds, 1e-9);
  summary.patient_years_per_second = summary.patients_per_second * n_arms * trial.duration / 365.25;
  group.barrier();

  // The patients: from the parts (every process's, resumed ones included), or from memory.
  std::vector<detail::BandHistogram> histograms(per_run_bands * n_arms);
  if (!files.work.empty()) {
    detail::read_parts(files, group.size(), n_arms, n_columns, per_run_bands, result, histograms);
  } else {
    std::vector<float> record;
    for (const auto& item : er.items) {
      detail::add_item(item, sampler.varying(), n_columns, result);
      detail::band_record(item, n_columns, per_run_bands, record);
      for (std::size_t k = 0; k < record.size(); ++k) histograms[k].add(record[k]);
    }
  }
  result.statistics = detail::trial_statistics(result, model, plan, histograms);
  summary.simulations = result.statistics.simulations;
  summary.failed = result.statistics.failed;
  return result;
}

}  // namespace gutskin
