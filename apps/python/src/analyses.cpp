// The analyses: steady states and their stability, continuation, the tipping-point atlas,
// sensitivity.
#include <fmt/format.h>

#include <complex>

#include "bindings.hpp"
#include "call.hpp"
#include "gutskin/atlas.hpp"
#include "gutskin/continuation.hpp"
#include "gutskin/sensitivity.hpp"
#include "gutskin/steady_state.hpp"
#include "gutskin/study.hpp"

namespace gutskin::python {

namespace {

/// Column `name` of `rows`: one value per row, read by `get`.
template <class Row, class Get>
auto column(const std::vector<Row>& rows, Get get) {
  using V = std::decay_t<decltype(get(rows.front()))>;
  std::vector<V> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(get(r));
  return out;
}

/// Per-row vectors (states of equilibria, of branch points) as columns named `names`.
template <class Row, class Get>
void add_vector_columns(py::dict& out, const std::vector<Row>& rows, const std::vector<std::string>& names, Get get) {
  for (std::size_t k = 0; k < names.size(); ++k)
    out[py::str(names[k])] = array_of(column(rows, [&](const Row& r) { return get(r)[k]; }));
}

py::dict bifurcation_dict(const Bifurcation& b, const ContinuationResult& r) {
  py::dict d;
  d["kind"] = b.kind;
  d["parameter"] = r.parameter_label;
  d["value"] = b.value;
  d["second_parameter"] = b.second_parameter;
  d["second_value"] = b.second_value;
  d["frequency"] = b.frequency;
  d["point"] = b.point;
  d["curve"] = b.curve;
  for (std::size_t k = 0; k < r.states.size() && k < b.state.size(); ++k) d[py::str(r.states[k])] = b.state[k];
  for (std::size_t k = 0; k < r.observables.size() && k < b.observables.size(); ++k)
    d[py::str(r.observables[k])] = b.observables[k];
  return d;
}

void bind_steady_states(py::module_& m) {
  py::class_<SteadyStateResult>(m, "SteadyStateResult")
      .def_readonly("study", &SteadyStateResult::study)
      .def_readonly("model", &SteadyStateResult::model)
      .def_readonly("states", &SteadyStateResult::states)
      .def_readonly("time_unit", &SteadyStateResult::time_unit)
      .def_readonly("starts", &SteadyStateResult::starts)
      .def_readonly("failed_starts", &SteadyStateResult::failed_starts)
      .def_readonly("notes", &SteadyStateResult::notes)
      .def("equilibrium_columns", [](const SteadyStateResult& r) {
        const auto& e = r.equilibria;
        py::dict out;
        out["stable"] = column(e, [](const Equilibrium& x) { return x.stable; });
        out["max_real_eigenvalue"] = array_of(column(e, [](const Equilibrium& x) { return x.max_real_eigenvalue; }));
        out["slowest_time_constant"] = array_of(column(e, [](const Equilibrium& x) { return x.slowest_time_constant; }));
        out["residual"] = array_of(column(e, [](const Equilibrium& x) { return x.residual; }));
        out["method"] = column(e, [](const Equilibrium& x) { return x.method; });
        out["found"] = column(e, [](const Equilibrium& x) { return x.found; });
        add_vector_columns(out, e, r.states, [](const Equilibrium& x) -> const std::vector<double>& { return x.state; });
        return out;
      })
      .def("eigenvalues", [](const SteadyStateResult& r) {
        py::list out;
        for (const Equilibrium& e : r.equilibria) out.append(py::array_t<std::complex<double>>(
            static_cast<py::ssize_t>(e.eigenvalues.size()), e.eigenvalues.data()));
        return out;
      }, "Per equilibrium, its eigenvalues (by real part, descending)")
      .def("conservation_laws", [](const SteadyStateResult& r) {
        py::list out;
        for (const ConservationLaw& law : r.conservation_laws)
          out.append(py::make_tuple(law.text, law.state >= 0 ? r.states[law.state] : std::string(), law.total, law.held));
        return out;
      }, "(text, state, total, held) for every conservation law and held state")
      .def("summary_json", &steady_state_summary_to_json, "summary.json of `gutskin steady-state`")
      .def("write", [](const SteadyStateResult& r, const std::string& out_dir, bool overwrite) {
        released([&] {
          const OutputFolder folder = claim_folder(out_dir, overwrite);
          write_steady_state_files(r, out_dir);
        });
      }, py::arg("out_dir"), py::arg("overwrite") = false);

  m.def("find_steady_states", [](const Study& study, const std::string& options, const std::string& solver,
                                 std::vector<std::string> set, std::vector<std::string> inputs, const std::string& out_dir,
                                 bool overwrite, const py::object& progress) {
        SteadyStateOptions o = options_of<SteadyStateOptions>(options);
        o.solver = options_of<SolverOptions>(solver);
        o.set = std::move(set);
        o.inputs = std::move(inputs);
        const auto folder = claim_if(out_dir, overwrite);
        CallControl cc(progress, 0.5);
        SteadyStateResult result = released([&] {
          SteadyStateResult r = find_steady_states(study, o, cc.control());
          if (folder) write_steady_state_files(r, out_dir);
          return r;
        });
        cc.rethrow(fmt::format("steady-state search stopped with {} equilibria found", result.equilibria.size()));
        return result;
      }, py::arg("study"), py::arg("options"), py::arg("solver"), py::arg("set"), py::arg("inputs"), py::arg("out_dir"),
      py::arg("overwrite"), py::arg("progress"));
}

void bind_continuation(py::module_& m) {
  py::class_<ContinuationResult>(m, "ContinuationResult")
      .def_readonly("study", &ContinuationResult::study)
      .def_readonly("model", &ContinuationResult::model)
      .def_readonly("parameter", &ContinuationResult::parameter)
      .def_readonly("parameter_label", &ContinuationResult::parameter_label)
      .def_readonly("parameter_unit", &ContinuationResult::parameter_unit)
      .def_readonly("second_label", &ContinuationResult::second_label)
      .def_readonly("states", &ContinuationResult::states)
      .def_readonly("observables", &ContinuationResult::observables)
      .def_readonly("end", &ContinuationResult::end)
      .def_readonly("notes", &ContinuationResult::notes)
      .def("branch_columns", [](const ContinuationResult& r) {
        const auto& b = r.branch;
        py::dict out;
        out[py::str(r.parameter_label)] = array_of(column(b, [](const ContinuationPoint& p) { return p.value; }));
        out["stable"] = column(b, [](const ContinuationPoint& p) { return p.stable; });
        out["max_real_eigenvalue"] = array_of(column(b, [](const ContinuationPoint& p) { return p.max_real_eigenvalue; }));
        add_vector_columns(out, b, r.states, [](const ContinuationPoint& p) -> const std::vector<double>& { return p.state; });
        add_vector_columns(out, b, r.observables,
                           [](const ContinuationPoint& p) -> const std::vector<double>& { return p.observables; });
        return out;
      })
      .def("bifurcations", [](const ContinuationResult& r) {
        py::list out;
        for (const Bifurcation& b : r.bifurcations) out.append(bifurcation_dict(b, r));
        return out;
      })
      .def("fold_curve", [](const ContinuationResult& r) {
        py::list out;
        for (const Bifurcation& b : r.fold_curve) out.append(bifurcation_dict(b, r));
        return out;
      })
      .def("write", [](const ContinuationResult& r, const std::string& out_dir, bool overwrite) {
        released([&] {
          const OutputFolder folder = claim_folder(out_dir, overwrite);
          write_continuation_files(r, out_dir);
        });
      }, py::arg("out_dir"), py::arg("overwrite") = false);

  m.def("continue_equilibria", [](const Study& study, const std::string& parameter, const std::string& second,
                                  const std::string& options, const std::string& solver, std::vector<std::string> set,
                                  std::vector<std::string> inputs, const std::string& out_dir, bool overwrite,
                                  const py::object& progress) {
        ContinuationOptions o = options_of<ContinuationOptions>(options);
        o.parameter = parameter;
        o.second = second;
        o.solver = options_of<SolverOptions>(solver);
        o.set = std::move(set);
        o.inputs = std::move(inputs);
        const auto folder = claim_if(out_dir, overwrite);
        CallControl cc(progress, 0.5);
        ContinuationResult result = released([&] {
          ContinuationResult r = continue_equilibria(study, o, cc.control());
          if (folder) write_continuation_files(r, out_dir);
          return r;
        });
        cc.rethrow(fmt::format("continuation stopped after {} points", result.branch.size()));
        return result;
      }, py::arg("study"), py::arg("parameter"), py::arg("second"), py::arg("options"), py::arg("solver"),
      py::arg("set"), py::arg("inputs"), py::arg("out_dir"), py::arg("overwrite"), py::arg("progress"));
}

void bind_sensitivity(py::module_& m) {
  py::class_<SensitivityResult>(m, "SensitivityResult")
      .def_property_readonly("method", [](const SensitivityResult& r) { return to_string(r.method); })
      .def_readonly("study", &SensitivityResult::study)
      .def_readonly("model", &SensitivityResult::model)
      .def_readonly("outputs", &SensitivityResult::outputs)
      .def_readonly("stopped", &SensitivityResult::stopped)
      .def_readonly("notes", &SensitivityResult::notes)
      .def_property_readonly("parameters", [](const SensitivityResult& r) {
        return column(r.parameters, [](const SensitivityParameter& p) { return p.name; });
      })
      .def("index_columns", [](const SensitivityResult& r) {
        // One row per output and parameter, most influential first within an output.
        std::vector<std::string> output, parameter, distribution;
        std::vector<double> rank;
        std::vector<std::vector<double>> fields(11);
        for (std::size_t o = 0; o < r.indices.size(); ++o)
          for (std::size_t k : ranked_parameters(r, o)) {
            const ParameterIndices& x = r.indices[o].parameters[k];
            output.push_back(r.indices[o].output);
            parameter.push_back(r.parameters[k].name);
            distribution.push_back(r.parameters[k].distribution.text);
            const double values[] = {x.S1, x.S1_low, x.S1_high, x.ST, x.ST_low, x.ST_high,
                                     x.mu, x.mu_star, x.mu_star_low, x.mu_star_high, x.sigma};
            for (std::size_t f = 0; f < fields.size(); ++f) fields[f].push_back(values[f]);
          }
        py::dict out;
        out["output"] = output;
        out["parameter"] = parameter;
        const char* names[] = {"S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high",
                               "mu", "mu_star", "mu_star_low", "mu_star_high", "sigma"};
        for (std::size_t f = 0; f < fields.size(); ++f) out[names[f]] = array_of(std::move(fields[f]));
        out["distribution"] = distribution;
        return out;
      })
      .def_property_readonly("times", [](py::object self) {
        const auto& r = self.cast<const SensitivityResult&>();
        return view(self, r.times.data(), {static_cast<py::ssize_t>(r.times.size())});
      })
      .def("local", [](py::object self) {
        // Per output: (name, value over time, raw and normalised as times × parameters), viewed.
        const auto& r = self.cast<const SensitivityResult&>();
        const auto t = static_cast<py::ssize_t>(r.times.size()), p = static_cast<py::ssize_t>(r.parameters.size());
        py::list out;
        for (const LocalOutput& o : r.local)
          out.append(py::make_tuple(o.output, view(self, o.value.data(), {t}), view(self, o.raw.data(), {t, p}),
                                    view(self, o.normalised.data(), {t, p})));
        return out;
      })
      .def("summary_json", &sensitivity_summary_to_json, "summary.json of `gutskin sensitivity`")
      .def("write", [](const SensitivityResult& r, const std::string& out_dir, bool overwrite) {
        released([&] {
          const OutputFolder folder = claim_folder(out_dir, overwrite);
          write_sensitivity_files(r, out_dir);
        });
      }, py::arg("out_dir"), py::arg("overwrite") = false);

  m.def("run_sensitivity", [](const Study& study, const std::string& options, const std::string& solver,
                              std::vector<std::string> parameters, std::vector<std::string> outputs,
                              std::vector<std::string> set, const std::string& out_dir, bool overwrite,
                              const py::object& progress) {
        SensitivityOptions o = options_of<SensitivityOptions>(options);
        o.solver = options_of<SolverOptions>(solver);
        o.parameters = std::move(parameters);
        o.outputs = std::move(outputs);
        o.set = std::move(set);
        const auto folder = claim_if(out_dir, overwrite, o.resume, true);  // held from first checkpoint to last file
        if (folder) o.checkpoint_dir = sensitivity_checkpoint_dir(o.method, out_dir);
        CallControl cc(progress, 0.5);
        SensitivityResult result = released([&] {
          SensitivityResult r = run_sensitivity(study, o, cc.control());
          if (folder) write_sensitivity_files(r, out_dir);
          return r;
        });
        cc.rethrow(o.checkpoint_dir.empty()
                       ? std::string("sensitivity analysis stopped")
                       : "sensitivity analysis stopped; go on with the same arguments and resume=True");
        return result;
      }, py::arg("study"), py::arg("options"), py::arg("solver"), py::arg("parameters"), py::arg("outputs"),
      py::arg("set"), py::arg("out_dir"), py::arg("overwrite"), py::arg("progress"));
}

void bind_atlas(py::module_& m) {
  py::class_<AtlasResult>(m, "AtlasResult")
      .def_readonly("study", &AtlasResult::study)
      .def_readonly("model", &AtlasResult::model)
      .def_readonly("sampled", &AtlasResult::sampled)
      .def_readonly("stopped", &AtlasResult::stopped)
      .def_readonly("notes", &AtlasResult::notes)
      .def("patient_columns", [](const AtlasResult& r) {
        // atlas.csv as columns: one row per patient.
        const auto& rows = r.rows;
        py::dict out;
        out["patient"] = column(rows, [](const AtlasPatient& p) { return p.index; });
        out["status"] = column(rows, [](const AtlasPatient& p) { return p.status; });
        add_vector_columns(out, rows, r.sampled, [](const AtlasPatient& p) -> const std::vector<double>& { return p.sampled; });
        for (std::size_t k = 0; k < r.knobs.size(); ++k) {
          const std::string& name = r.knobs[k].label;
          out[py::str(name)] = array_of(column(rows, [&](const AtlasPatient& p) { return p.readings[k].value; }));
          out[py::str(name + "_fold_below")] = array_of(column(rows, [&](const AtlasPatient& p) { return p.readings[k].fold_below; }));
          out[py::str(name + "_fold_above")] = array_of(column(rows, [&](const AtlasPatient& p) { return p.readings[k].fold_above; }));
          out[py::str(name + "_distance")] = array_of(column(rows, [&](const AtlasPatient& p) { return p.readings[k].distance; }));
          out[py::str(name + "_bistable")] = column(rows, [&](const AtlasPatient& p) { return p.readings[k].bistable; });
        }
        return out;
      })
      .def("summary_json", &atlas_summary_to_json, "summary.json of `gutskin atlas`")
      .def("write", [](const AtlasResult& r, const std::string& out_dir, bool overwrite) {
        released([&] {
          const OutputFolder folder = claim_folder(out_dir, overwrite);
          write_atlas_files(r, out_dir);
        });
      }, py::arg("out_dir"), py::arg("overwrite") = false);

  m.def("run_atlas", [](const Study& study, std::vector<std::string> knobs, const std::string& options,
                        const std::string& solver, std::vector<std::string> set, std::vector<std::string> hold,
                        const std::string& out_dir, bool overwrite, const py::object& progress) {
        AtlasOptions o = options_of<AtlasOptions>(options);
        o.knobs = std::move(knobs);
        o.solver = options_of<SolverOptions>(solver);
        o.set = std::move(set);
        o.inputs = std::move(hold);
        const auto folder = claim_if(out_dir, overwrite);
        CallControl cc(progress, 0.5);
        AtlasResult result = released([&] {
          AtlasResult r = run_atlas(study, o, cc.control());
          if (folder) write_atlas_files(r, out_dir);
          return r;
        });
        cc.rethrow(fmt::format("atlas stopped after {} of {} patients", result.rows.size(), result.patients));
        return result;
      }, py::arg("study"), py::arg("knobs"), py::arg("options"), py::arg("solver"), py::arg("set"), py::arg("hold"),
      py::arg("out_dir"), py::arg("overwrite"), py::arg("progress"));
}

}  // namespace

void bind_analyses(py::module_& m) {
  bind_steady_states(m);
  bind_continuation(m);
  bind_sensitivity(m);
  bind_atlas(m);
}

}  // namespace gutskin::python
