// In-silico trials: run_trial on a Study, its patients as columns, its files.
#include <fmt/format.h>

#include <sstream>

#include "bindings.hpp"
#include "call.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/study.hpp"

namespace gutskin::python {

namespace {

/// patients.csv as columns (one row per patient and arm, in the file's order): what the
/// package turns into the `patients` DataFrame.
py::dict patient_columns(const TrialResult& r) {
  const std::size_t arms = r.trial.arms.size(), rows = r.patient_index.size() * arms;
  py::array_t<long long> patient(static_cast<py::ssize_t>(rows));
  py::list arm, status, message;
  std::vector<std::vector<double>> sampled(r.sampled.size()), values(r.columns.size());
  for (auto& column : sampled) column.reserve(rows);
  for (auto& column : values) column.reserve(rows);
  auto* p = patient.mutable_data();
  for (std::size_t i = 0; i < r.patient_index.size(); ++i)
    for (std::size_t a = 0; a < arms; ++a) {
      const PatientArmResult& run = r.arm_results[i][a];
      *p++ = r.patient_index[i];
      arm.append(r.trial.arms[a].name);
      status.append(run.status);
      message.append(run.message);
      for (std::size_t k = 0; k < sampled.size(); ++k) sampled[k].push_back(r.sampled_values[i][k]);
      for (std::size_t c = 0; c < values.size(); ++c) values[c].push_back(c < run.values.size() ? run.values[c] : NAN);
    }
  py::dict out;
  out["patient"] = patient;
  out["arm"] = arm;
  out["status"] = status;
  for (std::size_t k = 0; k < sampled.size(); ++k) out[py::str(r.sampled[k])] = array_of(std::move(sampled[k]));
  for (std::size_t c = 0; c < values.size(); ++c) out[py::str(r.columns[c])] = array_of(std::move(values[c]));
  out["message"] = message;
  return out;
}

}  // namespace

void bind_trial(py::module_& m) {
  py::class_<TrialResult>(m, "TrialResult")
      .def_property_readonly("completed", [](const TrialResult& r) { return r.summary.status == TrialStatus::completed; })
      .def_property_readonly("brief", [](const TrialResult& r) { return r.summary.brief(); })
      .def_property_readonly("report", [](const TrialResult& r) { return r.summary.full_report(); })
      .def("patient_columns", &patient_columns)
      .def("patients_csv", [](const TrialResult& r) {
        std::ostringstream csv;
        write_patients_csv(r, csv);
        return csv.str();
      }, "patients.csv of `gutskin trial`")
      .def("summary_json", &trial_summary_to_json, "summary.json of `gutskin trial`")
      .def("write", [](TrialResult& r, const std::string& out_dir, bool overwrite) {
        released([&] {
          const OutputFolder folder = claim_folder(out_dir, overwrite);
          write_trial_files(r, out_dir);
        });
      }, py::arg("out_dir"), py::arg("overwrite") = false);

  m.def("run_trial", [](const Study& study, const std::string& options, const std::string& solver,
                        std::vector<std::string> set, const std::string& out_dir, bool overwrite, const py::object& progress) {
        TrialOptions o = options_of<TrialOptions>(options);
        o.solver = options_of<SolverOptions>(solver);
        const auto folder = claim_if(out_dir, overwrite, o.resume, true);  // held from first checkpoint to last file
        if (folder) o.checkpoint_dir = trial_checkpoint_dir(out_dir);
        CallControl cc(progress, 0.5);
        TrialResult result = released([&] {
          TrialResult r = run_trial(study, o, set, cc.control());
          if (folder) write_trial_files(r, out_dir);  // a stopped trial stays resumable
          return r;
        });
        cc.rethrow(out_dir.empty()
                       ? fmt::format("trial stopped after {} of {} patients", result.summary.patients_done, result.patients)
                       : fmt::format("trial stopped after {} of {} patients; go on with run_trial(..., out='{}', "
                                     "resume=True)", result.summary.patients_done, result.patients, out_dir));
        return result;
      }, py::arg("study"), py::arg("options"), py::arg("solver"), py::arg("set"), py::arg("out_dir"), py::arg("overwrite"),
      py::arg("progress"));
}

}  // namespace gutskin::python
