// gutskin._core: the module, its exceptions and the option descriptors.
#include "bindings.hpp"

#include <variant>

#include "gutskin/atlas.hpp"
#include "gutskin/continuation.hpp"
#include "gutskin/errors.hpp"
#include "gutskin/sensitivity.hpp"
#include "gutskin/steady_state.hpp"
#include "gutskin/study.hpp"
#include "gutskin/trial.hpp"

namespace gutskin::python {

namespace {

py::object python_value(const OptionValue& v) {
  return std::visit(
      [](const auto& x) -> py::object {
        using X = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<X, std::monostate>) return py::none();
        else return py::cast(x);
      },
      v);
}

const char* kind_name(OptionKind kind) {
  switch (kind) {
    case OptionKind::real: return "real";
    case OptionKind::integer: return "integer";
    case OptionKind::flag: return "flag";
    case OptionKind::choice: return "choice";
    case OptionKind::text: return "text";
  }
  return "?";
}

/// A descriptor as Python data: what the package needs for keyword arguments and docstrings.
template <class T>
py::list fields() {
  py::list out;
  for (const auto& f : OptionsOf<T>::table()) {
    py::dict d;
    d["name"] = f.name;
    d["kind"] = kind_name(f.kind);
    d["help"] = f.help;
    d["default"] = python_value(f.get(T{}));
    d["optional"] = f.optional;
    d["bounds"] = f.kind == OptionKind::real || f.kind == OptionKind::integer ? f.bounds.text() : std::string();
    d["choices"] = f.choices;
    out.append(d);
  }
  return out;
}

}  // namespace

void bind_options(py::module_& m) {
  py::dict tables;
  tables["solver"] = fields<SolverOptions>();
  tables["simulate"] = fields<SimulateRequest>();
  tables["trial"] = fields<TrialOptions>();
  tables["steady_state"] = fields<SteadyStateOptions>();
  tables["continuation"] = fields<ContinuationOptions>();
  tables["sensitivity"] = fields<SensitivityOptions>();
  tables["atlas"] = fields<AtlasOptions>();
  m.attr("OPTIONS") = tables;
}

/// A new exception class gutskin._core.NAME deriving from `bases`, added to the module. Kept
/// for the process's life (a handle, never released: translators may run until exit).
py::handle exception_class(py::module_& m, const char* name, const py::tuple& bases) {
  const std::string qualified = std::string("gutskin._core.") + name;
  py::handle cls = PyErr_NewException(qualified.c_str(), bases.ptr(), nullptr);
  if (!cls) throw py::error_already_set();
  m.attr(name) = cls;
  return cls;
}

void bind_errors(py::module_& m) {
  // The library's errors as Python classes, all deriving from gutskin.Error: InputError is also
  // a ValueError and carries every located diagnostic, IoError an OSError with the path,
  // SolverError a RuntimeError.
  static const py::handle error = exception_class(m, "Error", py::make_tuple(py::handle(PyExc_Exception)));
  static const py::handle input_error = exception_class(m, "InputError", py::make_tuple(py::handle(PyExc_ValueError), error));
  static const py::handle io_error = exception_class(m, "IoError", py::make_tuple(py::handle(PyExc_OSError), error));
  static const py::handle solver_error = exception_class(m, "SolverError", py::make_tuple(py::handle(PyExc_RuntimeError), error));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      py::list diagnostics;
      for (const Diagnostic& d : e.diagnostics())
        diagnostics.append(py::make_tuple(d.where.file, d.where.line, d.where.column, d.message));
      py::object instance = input_error(e.what());
      instance.attr("diagnostics") = diagnostics;
      PyErr_SetObject(input_error.ptr(), instance.ptr());
    } catch (const IoError& e) {
      py::object instance = io_error(e.what());
      instance.attr("path") = e.path().string();
      PyErr_SetObject(io_error.ptr(), instance.ptr());
    } catch (const SolverError& e) {
      PyErr_SetString(solver_error.ptr(), e.what());
    } catch (const Error& e) {
      PyErr_SetString(error.ptr(), e.what());
    }
  });
}

}  // namespace gutskin::python

PYBIND11_MODULE(_core, m) {
  using namespace gutskin::python;
  m.doc() = "gutskin's C++ API (the gutskin package wraps it: use that)";
  m.attr("__version__") = GUTSKIN_VERSION;
  bind_errors(m);
  bind_options(m);
  bind_study(m);
  bind_trial(m);
  bind_analyses(m);
}
