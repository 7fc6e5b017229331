// Opening files and running single simulations: the facade of gutskin/study.hpp.
#include <optional>
#include <sstream>

#include "bindings.hpp"
#include "call.hpp"
#include "gutskin/formats.hpp"
#include "gutskin/study.hpp"

namespace gutskin::python {

namespace {

const char* kind_word(FileKind kind) {
  switch (kind) {
    case FileKind::model: return "model";
    case FileKind::scenario: return "scenario";
    case FileKind::trial: return "trial";
  }
  return "?";
}

std::optional<FileKind> kind_of(const std::string& word) {
  if (word.empty()) return std::nullopt;
  for (FileKind k : {FileKind::model, FileKind::scenario, FileKind::trial})
    if (word == kind_word(k)) return k;
  throw InputError(SourceLoc{"kind"}, "expected model, scenario or trial, got '" + word + "'");
}

std::string study_name(const Study& s) {
  if (s.scenario) return s.scenario->name;
  if (s.trial) return s.trial->name;
  return s.model->model().name;
}

/// A trajectory's table: times, values (rows × columns), column names and units, viewed.
template <class Owner>
void bind_trajectory(py::class_<Owner>& cls, const Trajectory& (*get)(const Owner&)) {
  cls.def_property_readonly("times", [get](py::object self) {
        const Trajectory& t = get(self.cast<const Owner&>());
        return view(self, t.times.data(), {static_cast<py::ssize_t>(t.times.size())});
      })
      .def_property_readonly("values", [get](py::object self) {
        const Trajectory& t = get(self.cast<const Owner&>());
        return view(self, t.values.data(),
                    {static_cast<py::ssize_t>(t.times.size()), static_cast<py::ssize_t>(t.columns.size())});
      })
      .def_property_readonly("columns", [get](const Owner& o) { return get(o).columns; })
      .def_property_readonly("units", [get](const Owner& o) { return get(o).units; })
      .def_property_readonly("time_unit", [get](const Owner& o) { return get(o).time_unit; })
      .def("trajectory_csv", [get](const Owner& o) {
        std::ostringstream csv;
        write_trajectory_csv(get(o), csv);
        return csv.str();
      }, "The trajectory as `gutskin simulate` prints it");
}

const char* intervention_kind(Intervention::Kind kind) {
  switch (kind) {
    case Intervention::Kind::constant: return "constant";
    case Intervention::Kind::window: return "window";
    case Intervention::Kind::doses: return "doses";
    case Intervention::Kind::ramp: return "ramp";
    case Intervention::Kind::bolus: return "bolus";
  }
  return "?";
}

/// A scenario's timeline (empty for models and trials): (kind, target, value, ramp_from,
/// start, end, dose_duration, period, label), values in the target's unit, times in days.
py::list timeline(const Study& s) {
  py::list out;
  if (!s.scenario) return out;
  for (const Intervention& i : s.scenario->timeline)
    out.append(py::make_tuple(intervention_kind(i.kind), i.target, i.value, i.ramp_from, i.start, i.end,
                              i.dose_duration, i.period, i.label));
  return out;
}

}  // namespace

void bind_study(py::module_& m) {
  py::class_<Catalog>(m, "Catalog")
      .def(py::init<std::filesystem::path>(), py::arg("data_dir"))
      .def_property_readonly("data_dir", &Catalog::data_dir)
      .def("list", [](const Catalog& c) {
        py::list out;
        for (const CatalogEntry& e : c.list())
          out.append(py::make_tuple(e.kind, e.name, e.description, e.path.string()));
        return out;
      });
  m.def("default_data_dir", &default_data_dir);

  py::class_<Study>(m, "Study")
      .def_property_readonly("kind", [](const Study& s) { return kind_word(s.kind); })
      .def_property_readonly("path", [](const Study& s) { return s.path.string(); })
      .def_property_readonly("name", &study_name)
      .def_property_readonly("model_name", [](const Study& s) { return s.model->model().name; })
      .def_property_readonly("headline", &Study::headline)
      .def("describe", &describe, "JSON of `gutskin describe --json`")
      .def("timeline", &timeline);

  m.def("open", [](const std::string& name, const Catalog& catalog, const std::string& kind) {
        return released([&] { return open(name, catalog, kind_of(kind)); });
      }, py::arg("name_or_path"), py::arg("catalog"), py::arg("kind") = "");
  m.def("check", [](const std::string& name, const Catalog& catalog) {
        return released([&] { return check(name, catalog); });
      }, py::arg("name_or_path"), py::arg("catalog"));

  py::class_<SimulationResult> simulation(m, "SimulationResult");
  bind_trajectory<SimulationResult>(simulation, [](const SimulationResult& r) -> const Trajectory& { return r.trajectory; });
  simulation.def_property_readonly("ok", [](const SimulationResult& r) { return r.summary.ok(); })
      .def_property_readonly("message", [](const SimulationResult& r) { return r.summary.brief(); })
      .def("summary_json", [](const SimulationResult& r) { return summary_to_json(r.summary); });

  m.def("simulate", [](const Study& study, const std::string& request, const std::string& solver,
                       std::vector<std::string> set, std::vector<std::string> inputs, const py::object& progress) {
        SimulateRequest r = options_of<SimulateRequest>(request);
        r.solver = options_of<SolverOptions>(solver);
        r.set = std::move(set);
        r.inputs = std::move(inputs);
        CallControl cc(progress, 0.5);
        SimulationResult result = released([&] { return simulate_model(study, r, cc.control()); });
        cc.rethrow("simulation stopped");
        return result;
      }, py::arg("study"), py::arg("request"), py::arg("solver"), py::arg("set"), py::arg("inputs"), py::arg("progress"));

  py::class_<ScenarioRun> scenario(m, "ScenarioRun");
  bind_trajectory<ScenarioRun>(scenario, [](const ScenarioRun& r) -> const Trajectory& { return r.result.trajectory; });
  scenario.def_property_readonly("ok", &ScenarioRun::ok)
      .def_property_readonly("message", [](const ScenarioRun& r) { return r.result.summary.brief(); })
      .def("summary_json", [](const ScenarioRun& r) { return run_summary_to_json(r.scenario, *r.model, r.result); },
           "summary.json of `gutskin run`")
      .def("change_summary", [](const ScenarioRun& r) { return change_summary(*r.model, r.result.trajectory); })
      .def("write", [](const ScenarioRun& r, const std::string& out_dir, const std::string& report, bool overwrite) {
        released([&] {
          const OutputFolder folder = claim_folder(out_dir, overwrite);
          write_scenario_files(r, out_dir, report);
        });
      }, py::arg("out_dir"), py::arg("report") = "", py::arg("overwrite") = false);

  // The run keeps a pointer to its Study's model: keep the Study alive as long as the run.
  m.def("run_scenario", [](const Study& study, const std::string& solver, std::vector<std::string> set,
                           const std::string& out_dir, bool overwrite, const py::object& progress) {
        ScenarioRunOptions o{.solver = options_of<SolverOptions>(solver), .set = std::move(set)};
        const auto folder = claim_if(out_dir, overwrite);
        CallControl cc(progress, 0.5);
        ScenarioRun run = released([&] {
          ScenarioRun r = run_scenario(study, o, cc.control());
          if (folder) write_scenario_files(r, out_dir, "");
          return r;
        });
        cc.rethrow("scenario stopped");
        return run;
      }, py::arg("study"), py::arg("solver"), py::arg("set"), py::arg("out_dir"), py::arg("overwrite"),
      py::arg("progress"), py::keep_alive<0, 1>());
}

}  // namespace gutskin::python
