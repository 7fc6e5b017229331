"""gutskin: an in-silico gut–skin axis, from Python.

    >>> import gutskin
    >>> model = gutskin.load("gut_skin")
    >>> model.simulate(30, 30, inputs={"fibre": 35}).tail()          # a DataFrame, time index
    >>> run = gutskin.run_scenario("antibiotic_course")             # run.trajectory, run.summary
    >>> trial = gutskin.run_trial("low_glycaemic_diet_acne", patients=200, threads=2)
    >>> trial.patients, trial.endpoints, trial.comparisons          # DataFrames
    >>> gutskin.steady_states("tests/data/toggle_switch.yaml", all=True).equilibria
    >>> gutskin.continuation("tests/data/schlogl.yaml", "k3", from_=5, to=10).bifurcations
    >>> gutskin.atlas("low_glycaemic_diet_acne", {"fibre": (2, 60)}, patients=500).knobs
    >>> gutskin.sensitivity("antibiotic_course", method="morris", outputs=["max(crp_mg_l)"]).indices

Every function binds one function of the C++ API (include/gutskin/*.hpp) with the GIL released;
keyword options, their defaults, bounds and help come from the library's option descriptors
(see each function's docstring). Bad input raises gutskin.InputError with the file:line:column
of every problem; Ctrl-C stops a long call cleanly and raises KeyboardInterrupt. A research
tool, not medical advice.
"""
from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _core
from ._options import Settings, settings, to_json, with_options
from ._progress import Progress, callback

__version__ = _core.__version__

Error = _core.Error
InputError = _core.InputError
IoError = _core.IoError
SolverError = _core.SolverError

__all__ = [
    "load", "check", "builtins", "Study", "Description", "simulate", "run_scenario", "run_trial",
    "steady_states", "continuation", "atlas", "sensitivity", "ScenarioRun", "TrialResult", "SteadyStates",
    "Continuation", "Atlas", "Sensitivity", "Error", "InputError", "IoError", "SolverError",
    "SimulationWarning", "data_dir",
]


class SimulationWarning(RuntimeWarning):
    """A run ended early (solver failure, non-finite value, step limit): the rows computed
    before are returned, and the reason is in the warning and in `.attrs["message"]`."""


# --- the built-ins ----------------------------------------------------------------------------

def data_dir() -> Path:
    """Where built-in names are looked up: $GUTSKIN_DATA_DIR, else the data installed with the
    package, else the source tree it was built from."""
    env = os.environ.get("GUTSKIN_DATA_DIR")
    if env:
        return Path(env)
    installed = Path(__file__).with_name("data")
    if (installed / "models").is_dir():
        return installed
    return Path(_core.default_data_dir())


_catalogs: Dict[Path, Any] = {}


def _catalog() -> Any:
    folder = data_dir()
    if folder not in _catalogs:
        _catalogs[folder] = _core.Catalog(str(folder))
    return _catalogs[folder]


def builtins() -> pd.DataFrame:
    """The built-in models, scenarios and trials: kind, name, description, path."""
    return pd.DataFrame(_catalog().list(), columns=["kind", "name", "description", "path"])


def check(name_or_path: Union[str, os.PathLike]) -> str:
    """Loads and checks a model, scenario or trial: "ok: <headline>", or InputError listing
    every problem with its file:line:column."""
    return _core.check(os.fspath(name_or_path), _catalog())


# --- opening ----------------------------------------------------------------------------------

class Description:
    """A model as DataFrames: inputs, parameters (value, unit, bounds, spread, source), states,
    variables, observables, events, phenotypes; `.json` is `gutskin describe --json`."""

    def __init__(self, text: str) -> None:
        self.json: Dict[str, Any] = json.loads(text)
        model = self.json.get("model", self.json)
        self.name: str = model["name"]
        self.description: str = model["description"]
        for table in ("inputs", "parameters", "states", "variables", "observables", "events"):
            rows = model[table]
            frame = pd.DataFrame(rows)
            if "name" in frame:
                frame = frame.set_index("name")
            setattr(self, table, frame)
        self.phenotypes = pd.DataFrame(
            [{"name": p["name"], "description": p["description"], "parameters": p["parameters"],
              "spread": p["spread"]} for p in model["phenotypes"]],
            columns=["name", "description", "parameters", "spread"]).set_index("name")

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(getattr(self, t))} {t}" for t in
                           ("states", "parameters", "inputs", "observables", "variables", "events", "phenotypes"))
        return f"<Description of '{self.name}': {counts}>"


class Study:
    """A model, scenario or trial file, loaded, checked and compiled (`gutskin.load`)."""

    def __init__(self, core: Any) -> None:
        self._core = core
        self._frame_parts: Dict[tuple, tuple] = {}  # _trajectory's column index and units

    kind = property(lambda self: self._core.kind, doc="'model', 'scenario' or 'trial'")
    name = property(lambda self: self._core.name)
    path = property(lambda self: Path(self._core.path))
    model_name = property(lambda self: self._core.model_name)
    headline = property(lambda self: self._core.headline)

    def __repr__(self) -> str:
        return f"<gutskin.Study {self.headline}>"

    @property
    def timeline(self) -> pd.DataFrame:
        """A scenario's interventions, one row each (empty for a model or trial): kind
        (constant, window, doses, ramp, bolus), target (input, or state for a bolus), value (in
        the target's unit; a ramp's end), ramp_from, start and end (days), dose_duration and
        period (days, for doses), label."""
        return pd.DataFrame(self._core.timeline(), columns=["kind", "target", "value", "ramp_from", "start", "end",
                                                            "dose_duration", "period", "label"])

    def describe(self) -> Description:
        """Inputs, parameters, states, variables, observables, events and phenotypes of the
        model (a scenario's or trial's own model), as DataFrames."""
        return Description(self._core.describe())


def load(name_or_path: Union[str, os.PathLike], kind: Optional[str] = None) -> Study:
    """Opens a model (YAML file or folder, SBML file), scenario or trial, by path or built-in
    name; `kind` ("model", "scenario", "trial") picks one when a scenario and a trial share a
    name. Raises InputError listing every problem with its file:line:column."""
    return Study(_core.open(os.fspath(name_or_path), _catalog(), kind or ""))


StudyLike = Union[Study, str, os.PathLike]


def _study(study: StudyLike, kind: Optional[str] = None) -> Study:
    return study if isinstance(study, Study) else load(study, kind)


# --- tables ---------------------------------------------------------------------------------

def _trajectory(result: Any, study: Optional["Study"] = None) -> pd.DataFrame:
    """A trajectory as a DataFrame over the result's own memory: time index, one column per
    observable, state and variable; units in `.attrs["units"]`. The column index and units of
    a study's runs are built once and kept on the study (pandas takes longer to build them than
    a small model takes to simulate)."""
    columns = tuple(result.columns)
    cache = study._frame_parts if study is not None else {}
    if columns not in cache:
        cache[columns] = (pd.Index(columns, dtype=object), dict(zip(columns, result.units)))
    column_index, units = cache[columns]
    time = f"time [{result.time_unit}]" if result.time_unit else "time"
    index = pd.Index(result.times, dtype=np.float64, name=time, copy=False)
    frame = pd.DataFrame(result.values, index=index, columns=column_index, copy=False)
    frame.attrs.update(units=dict(units), time_unit=result.time_unit, ok=result.ok, message=result.message)
    if not result.ok:
        warnings.warn(result.message, SimulationWarning, stacklevel=3)
    return frame


def _out(out: Union[str, os.PathLike, None]) -> str:
    """The output folder for the core ("" for none). It is claimed before the run starts: a folder
    that already holds results is refused unless `overwrite=True` (or `resume=True` for a run that
    checkpoints there), as is one another run is writing into."""
    return os.fspath(out) if out is not None else ""


def _solver_json(options: Mapping[str, Dict[str, Any]]) -> str:
    return to_json(options.get("solver", {}))


# --- running ----------------------------------------------------------------------------------

@with_options("simulate", "solver", skip=("t_end", "steps"))
def simulate(study: StudyLike, t_end: float, steps: int, *, inputs: Settings = None, set: Settings = None,
             progress: Progress = None, **options: Any) -> pd.DataFrame:
    """Simulates a model from 0 to `t_end` (the model's time unit: days for YAML models) with
    `steps` output intervals, its inputs held constant at their defaults or at `inputs`
    ({"fibre": 35}, in the input's unit), parameters changed by `set` ({"k_repair": 0.8}).
    Returns a DataFrame: time index, observables, states and variables as columns (units in
    `.attrs["units"]`). A run that fails keeps its rows and warns (SimulationWarning)."""
    s = _study(study, "model")
    request = dict(options["simulate"], t_end=t_end, steps=steps)
    return _trajectory(_core.simulate(s._core, to_json(request), _solver_json(options),
                                      settings(set, "set"), settings(inputs, "inputs"), callback(progress)), s)


class ScenarioRun:
    """A scenario's run: `trajectory` (DataFrame), `summary` (summary.json of `gutskin run`),
    `ok`, `message`, `changes` (what moved most, per module), `study` (its timeline:
    `run.study.timeline`); `write(dir)` writes the CLI's files (trajectory.csv, summary.json,
    report.html)."""

    def __init__(self, core: Any, study: Study) -> None:
        self._core = core
        self.study = study
        self.trajectory = _trajectory(core, study)
        self.ok: bool = core.ok
        self.message: str = core.message

    @property
    def summary(self) -> Dict[str, Any]:
        return json.loads(self._core.summary_json())

    @property
    def changes(self) -> str:
        return self._core.change_summary()

    def write(self, out_dir: Union[str, os.PathLike], report: Union[str, os.PathLike, None] = None,
              overwrite: bool = False) -> Path:
        """The files of `gutskin run --out`. A folder that already holds results is refused
        unless `overwrite`, as is one another run is writing into."""
        self._core.write(os.fspath(out_dir), os.fspath(report) if report else "", overwrite)
        return Path(out_dir)

    def __repr__(self) -> str:
        return f"<ScenarioRun {self.summary['scenario']['name']}: {self.message}>"


@with_options("solver")
def run_scenario(study: StudyLike, *, set: Settings = None, out: Union[str, os.PathLike, None] = None,
                 overwrite: bool = False, progress: Progress = None, **options: Any) -> ScenarioRun:
    """Runs a scenario (its patient, timeline and solver block), with parameters changed by
    `set`; solver keywords override the file's `solver:` block. With `out`, writes the files
    `gutskin run --out` writes there."""
    s = _study(study, "scenario")
    return ScenarioRun(_core.run_scenario(s._core, _solver_json(options), settings(set, "set"), _out(out), overwrite,
                                          callback(progress)), s)


def _interval(prefix: str, ci: Any) -> Dict[str, float]:
    lo, hi = ci if ci is not None else (None, None)
    return {f"{prefix}_lo": np.nan if lo is None else lo, f"{prefix}_hi": np.nan if hi is None else hi}


def _flat(row: Mapping[str, Any]) -> Dict[str, Any]:
    """A statistics record with its [lo, hi] intervals as two columns and null as NaN."""
    out: Dict[str, Any] = {}
    for key, value in row.items():
        if key.endswith("_ci"):
            out.update(_interval(key[:-3] + "_ci", value))
        else:
            out[key] = np.nan if value is None else value
    return out


class TrialResult:
    """A trial's result: `patients` (one row per patient and arm, as patients.csv), `endpoints`
    (per endpoint and arm: n, events, rate, mean, median, quantiles, intervals), `comparisons`
    (each arm against the reference: risk difference/ratio, odds ratio, NNT, paired mean
    difference), `summary` (summary.json of `gutskin trial`), `completed`; `write(dir)`."""

    def __init__(self, core: Any) -> None:
        self._core = core
        self.completed: bool = core.completed
        self.brief: str = core.brief

    @property
    def summary(self) -> Dict[str, Any]:
        return json.loads(self._core.summary_json())

    @property
    def patients(self) -> pd.DataFrame:
        return pd.DataFrame(self._core.patient_columns())

    @property
    def endpoints(self) -> pd.DataFrame:
        rows = [dict(endpoint=e["name"], kind=e["kind"], **_flat(a))
                for e in self.summary["endpoints"] for a in e["arms"]]
        return pd.DataFrame(rows)

    @property
    def comparisons(self) -> pd.DataFrame:
        rows = [dict(endpoint=e["name"], kind=e["kind"], **_flat(c))
                for e in self.summary["endpoints"] for c in e.get("comparisons", [])]
        return pd.DataFrame(rows)

    def patients_csv(self) -> str:
        return self._core.patients_csv()

    def write(self, out_dir: Union[str, os.PathLike], overwrite: bool = False) -> Path:
        """patients.csv, summary.json and report.html, as `gutskin trial --out`."""
        self._core.write(os.fspath(out_dir), overwrite)
        return Path(out_dir)

    def __repr__(self) -> str:
        return f"<TrialResult {self.brief}>"


@with_options("trial", "solver")
def run_trial(study: StudyLike, *, set: Settings = None, out: Union[str, os.PathLike, None] = None,
              overwrite: bool = False, progress: Progress = True, **options: Any) -> TrialResult:
    """Runs an in-silico trial: every virtual patient in every arm, on `threads` worker threads.
    `set` fixes parameters of every patient. With `out`, finished patients are checkpointed
    there as they come and the files of `gutskin trial --out` are written at the end — also
    after Ctrl-C, so `resume=True` with the same arguments goes on. `progress`: True (a line
    on stderr), False, or a callable taking a dict (return False to stop)."""
    s = _study(study, "trial")
    return TrialResult(_core.run_trial(s._core, to_json(options["trial"]), _solver_json(options), settings(set, "set"),
                                       _out(out), overwrite, callback(progress)))


# --- analyses ---------------------------------------------------------------------------------

class SteadyStates:
    """Equilibria and their stability: `equilibria` (one row each: stable, max real eigenvalue,
    slowest time constant, residual, method, starts that found it, then every state),
    `eigenvalues` (per equilibrium, complex, by real part), `conservation_laws`, `summary`
    (summary.json of `gutskin steady-state`); `write(dir)`."""

    def __init__(self, core: Any) -> None:
        self._core = core
        self.equilibria = pd.DataFrame(core.equilibrium_columns()).rename_axis("id")
        self.eigenvalues: List[np.ndarray] = core.eigenvalues()
        self.conservation_laws = pd.DataFrame(core.conservation_laws(), columns=["law", "state", "total", "held"])
        self.notes: List[str] = core.notes

    @property
    def summary(self) -> Dict[str, Any]:
        return json.loads(self._core.summary_json())

    def write(self, out_dir: Union[str, os.PathLike], overwrite: bool = False) -> Path:
        self._core.write(os.fspath(out_dir), overwrite)
        return Path(out_dir)

    def __repr__(self) -> str:
        stable = int(self.equilibria["stable"].sum()) if len(self.equilibria) else 0
        return f"<SteadyStates of '{self._core.study}': {len(self.equilibria)} equilibria, {stable} stable>"


@with_options("steady_state", "solver")
def steady_states(study: StudyLike, *, set: Settings = None, inputs: Settings = None,
                  out: Union[str, os.PathLike, None] = None, overwrite: bool = False, progress: Progress = None,
                  **options: Any) -> SteadyStates:
    """The equilibrium a model or scenario settles in (Newton on KINSOL with fallbacks), or
    with `all=True` every one found by a multi-start search; each with its eigenvalues and
    stability. Inputs are held at `inputs`, parameters changed by `set`. With `out`, writes the
    files of `gutskin steady-state --out`."""
    s = _study(study)
    return SteadyStates(_core.find_steady_states(s._core, to_json(options["steady_state"]), _solver_json(options),
                                                 settings(set, "set"), settings(inputs, "inputs"), _out(out), overwrite,
                                                 callback(progress)))


class Continuation:
    """A branch of equilibria in a parameter: `branch` (the parameter, stable, max real
    eigenvalue, every state and observable, in the order traced), `bifurcations` (folds and
    Hopf points), `fold_curve` (with a second parameter: every fold continued in both, numbered by `curve`, and
    cusps), `end`
    (why the branch ended); `write(dir)` writes branch.csv, bifurcations.csv, summary.json and
    report.html."""

    def __init__(self, core: Any) -> None:
        self._core = core
        self.parameter: str = core.parameter_label
        self.branch = pd.DataFrame(core.branch_columns())
        self.bifurcations = pd.DataFrame(core.bifurcations(), columns=_BIFURCATION_COLUMNS + core.states + core.observables)
        self.fold_curve = pd.DataFrame(core.fold_curve(), columns=_BIFURCATION_COLUMNS + core.states + core.observables)
        self.end: str = core.end
        self.notes: List[str] = core.notes

    def write(self, out_dir: Union[str, os.PathLike], overwrite: bool = False) -> Path:
        self._core.write(os.fspath(out_dir), overwrite)
        return Path(out_dir)

    def __repr__(self) -> str:
        return (f"<Continuation in '{self.parameter}': {len(self.branch)} points, "
                f"{len(self.bifurcations)} bifurcations; {self.end}>")


_BIFURCATION_COLUMNS = ["kind", "parameter", "value", "second_parameter", "second_value", "frequency", "point", "curve"]


@with_options("continuation", "solver")
def continuation(study: StudyLike, parameter: str, *, second: str = "", set: Settings = None,
                 inputs: Settings = None, out: Union[str, os.PathLike, None] = None, overwrite: bool = False,
                 progress: Progress = None, **options: Any) -> Continuation:
    """Pseudo-arclength continuation of equilibria in `parameter` (a parameter by id or SBML
    name, or an input) from `from_` to `to`, locating folds and Hopf points; with `second`
    (and `from2`, `to2`) the first fold is continued in both (the bistable region, cusps).
    With `out`, writes the files of `gutskin continue --out`."""
    s = _study(study)
    return Continuation(_core.continue_equilibria(s._core, parameter, second, to_json(options["continuation"]),
                                                  _solver_json(options), settings(set, "set"),
                                                  settings(inputs, "inputs"), _out(out), overwrite, callback(progress)))


class Sensitivity:
    """Which parameters drive an answer: `indices` (global methods: one row per output and
    parameter, most influential first: Sobol S1/ST with intervals, Morris μ, μ*, σ), `local`
    (the local method: per output a dict of `value` (Series over time), `raw` ∂y/∂p and
    `normalised` ∂ln y/∂ln p, DataFrames times × parameters), `summary`; `write(dir)`."""

    def __init__(self, core: Any) -> None:
        self._core = core
        self.method: str = core.method
        self.parameters: List[str] = core.parameters
        self.outputs: List[str] = core.outputs
        self.stopped: bool = core.stopped
        self.notes: List[str] = core.notes
        self.indices = pd.DataFrame(core.index_columns())
        times = pd.Index(core.times, name="time")
        self.local: Dict[str, Dict[str, Any]] = {
            name: {"value": pd.Series(value, index=times, name=name, copy=False),
                   "raw": pd.DataFrame(raw, index=times, columns=self.parameters, copy=False),
                   "normalised": pd.DataFrame(norm, index=times, columns=self.parameters, copy=False)}
            for name, value, raw, norm in core.local()}

    @property
    def summary(self) -> Dict[str, Any]:
        return json.loads(self._core.summary_json())

    def write(self, out_dir: Union[str, os.PathLike], overwrite: bool = False) -> Path:
        self._core.write(os.fspath(out_dir), overwrite)
        return Path(out_dir)

    def __repr__(self) -> str:
        return f"<Sensitivity ({self.method}) of '{self._core.study}': {len(self.parameters)} parameters, " \
               f"{len(self.outputs)} outputs>"


@with_options("sensitivity", "solver")
def sensitivity(study: StudyLike, *, parameters: Sequence[str] = (), outputs: Sequence[str] = (),
                set: Settings = None, out: Union[str, os.PathLike, None] = None, overwrite: bool = False,
                progress: Progress = True, **options: Any) -> Sensitivity:
    """Local (forward sensitivities), Morris or Sobol sensitivity of `outputs` ("easi",
    "easi@84", "max(crp_mg_l)", "effect(easi_12w)", ...) to `parameters` ("k_repair",
    "k_repair=uniform(0.5, 2)", ...; default: every parameter with a spread or bounds) of a
    model, scenario or trial. With `out`, Morris and Sobol checkpoint there (`resume=True`
    goes on after Ctrl-C) and the files of `gutskin sensitivity --out` are written."""
    s = _study(study)
    if isinstance(parameters, str) or isinstance(outputs, str):
        raise TypeError("parameters and outputs: expected lists of strings")
    return Sensitivity(_core.run_sensitivity(s._core, to_json(options["sensitivity"]), _solver_json(options),
                                             list(parameters), list(outputs), settings(set, "set"),
                                             _out(out), overwrite, callback(progress)))


class Atlas:
    """Tipping points across a virtual population: `patients` (one row per patient: status,
    the sampled parameters, then per knob its value, the nearest folds below and
    above, the distance to the nearer, bistable), `knobs` (per knob: patients with a fold in
    range, bistable, distance quantiles), `predictors` (per knob, the sampled parameters'
    Spearman ρ with the distance, strongest first), `summary`; `write(dir)`."""

    def __init__(self, core: Any) -> None:
        self._core = core
        self.stopped: bool = core.stopped
        self.notes: List[str] = core.notes
        summary = self.summary
        self.knobs = pd.DataFrame([{k: v for k, v in knob.items() if k not in ("distance", "predictors")} |
                                   {f"distance_{q}": d for q, d in knob["distance"].items()}
                                   for knob in summary["knobs"]])
        self.predictors = pd.DataFrame([{"knob": knob["label"], **p} for knob in summary["knobs"]
                                        for p in knob["predictors"]], columns=["knob", "parameter", "rho"])

    @property
    def patients(self) -> pd.DataFrame:
        return pd.DataFrame(self._core.patient_columns())

    @property
    def summary(self) -> Dict[str, Any]:
        return json.loads(self._core.summary_json())

    def write(self, out_dir: Union[str, os.PathLike], overwrite: bool = False) -> Path:
        """atlas.csv, summary.json and report.html, as `gutskin atlas --out`."""
        self._core.write(os.fspath(out_dir), overwrite)
        return Path(out_dir)

    def __repr__(self) -> str:
        return f"<Atlas of '{self._core.study}': {len(self.knobs)} knobs>"


def _ranges(vary: Union[Mapping[str, Sequence[float]], Sequence[str]]) -> List[str]:
    """{"fibre": (2, 60)} or ["fibre=2:60"] as the library's name=from:to."""
    if isinstance(vary, str):
        raise TypeError("vary: expected a dict of name: (from, to) or a list of 'name=from:to'")
    if isinstance(vary, Mapping):
        out = []
        for name, bounds in vary.items():
            lo, hi = bounds
            out.append(f"{name}={float(lo)!r}:{float(hi)!r}")
        return out
    return [str(v) for v in vary]


@with_options("atlas", "solver")
def atlas(study: StudyLike, vary: Union[Mapping[str, Sequence[float]], Sequence[str]], *, set: Settings = None,
          hold: Settings = None, out: Union[str, os.PathLike, None] = None, overwrite: bool = False, progress: Progress = True,
          **options: Any) -> Atlas:
    """The tipping-point atlas: for every virtual patient of a trial (or a scenario's or the
    model's patient with the model's spreads), its steady state and its distance to the nearest
    fold of the branch of equilibria in each parameter or input of `vary` ({"fibre": (2, 60)}),
    whether it is bistable there, and which sampled parameters predict closeness to a tipping
    point. Inputs in `hold` are held at their values, parameters in `set` fixed in every
    patient. With `out`, writes the files of `gutskin atlas --out`."""
    s = _study(study)
    return Atlas(_core.run_atlas(s._core, _ranges(vary), to_json(options["atlas"]), _solver_json(options),
                                 settings(set, "set"), settings(hold, "hold"), _out(out), overwrite, callback(progress)))


# The same functions as methods: model.simulate(30, 30), trial.run_trial(patients=100), ...
Study.simulate = simulate
Study.run_scenario = run_scenario
Study.run_trial = run_trial
Study.steady_states = steady_states
Study.continuation = continuation
Study.sensitivity = sensitivity
Study.atlas = atlas
