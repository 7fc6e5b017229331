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

#include <optional>
#include <string>
#include <vector>

#include "gutskin/options.hpp"
#include "gutskin/output_folder.hpp"

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

/// The folder a result is written into or a run checkpoints in, claimed as the CLI claims --out
/// (output_folder.hpp: one run at a time, results kept unless `overwrite`), refused in
/// Python's terms.
inline OutputFolder claim_folder(const std::string& dir, bool overwrite, bool resume = false, bool resumable = false) {
  static const ClaimWords words{.overwrite = "overwrite=True", .resume = "resume=True", .elsewhere = "another folder"};
  const ExistingResults existing =
      resume ? ExistingResults::resume : overwrite ? ExistingResults::overwrite : ExistingResults::refuse;
  return OutputFolder(dir, existing, resumable, words);
}

/// claim_folder when `dir` is given (a run that writes its files at the end claims the folder
/// before it starts, so a refused folder costs no computation); nothing when it is empty.
inline std::optional<OutputFolder> claim_if(const std::string& dir, bool overwrite, bool resume = false,
                                            bool resumable = false) {
  if (dir.empty()) return std::nullopt;
  return claim_folder(dir, overwrite, resume, resumable);
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
