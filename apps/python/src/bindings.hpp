// The compiled layer of the Python module (`gutskin._core`): the public C++ API bound 1:1.
// Options arrive as JSON objects read by the option descriptors (so validation, defaults and
// messages are the library's own); results are C++ objects whose tables are numpy arrays
// viewing their memory, and whose summaries are the JSON the CLI writes. The pure-Python
// package (apps/python/gutskin) turns them into DataFrames; neither layer adds model logic.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>
#include <pybind11/complex.h>

#include <string>
#include <vector>

#include "gutskin/options.hpp"

namespace gutskin::python {

namespace py = pybind11;

void bind_errors(py::module_& m);
void bind_study(py::module_& m);     // open, check, describe, list, simulate, run_scenario
void bind_trial(py::module_& m);     // run_trial
void bind_analyses(py::module_& m);  // steady states, continuation, sensitivity
void bind_options(py::module_& m);   // every Options struct's descriptor, as data

/// The fields of `json` (a JSON object) set on a default T, validated by its descriptor.
template <class T>
T options_of(const std::string& json) {
  return json.empty() ? T{} : options_from_json<T>(json);
}

/// A numpy array viewing `data` (row-major `shape`), kept alive by `owner` (no copy).
inline py::array_t<double> view(const py::object& owner, const double* data, std::vector<py::ssize_t> shape) {
  return py::array_t<double>(std::move(shape), data, owner);
}

/// A numpy array owning a copy of `values` (for data not stored contiguously in C++).
inline py::array_t<double> array_of(std::vector<double> values) {
  auto* heap = new std::vector<double>(std::move(values));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<double>*>(p); });
  return py::array_t<double>({static_cast<py::ssize_t>(heap->size())}, heap->data(), owner);
}

}  // namespace gutskin::python
