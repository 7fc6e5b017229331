"""Opening, describing and simulating: values against analytic solutions, DataFrames over the
C++ memory, errors as Python exceptions with the library's located messages."""
import inspect
import math

import numpy as np
import pandas as pd
import pytest

import gutskin


def test_load_and_describe_give_dataframes():
    model = gutskin.load("tests/data/small_model.yaml")
    assert model.kind == "model" and model.name == "small"
    d = model.describe()
    assert list(d.parameters.index) == ["k_repair", "k_leak", "crp_base"]
    assert d.parameters.loc["k_repair", "value"] == 0.8
    assert d.parameters.loc["k_repair", "unit"] == "1/day"
    assert d.parameters.loc["k_leak", "source"] == "CAL-01"
    assert d.inputs.loc["stress", "default"] == 0
    assert list(d.states.index) == ["barrier"]
    assert list(d.phenotypes.index) == ["stressed_adult"]


def test_builtins_and_check():
    b = gutskin.builtins()
    assert {"model", "scenario", "trial"} <= set(b["kind"])
    assert "antibiotic_course" in set(b["name"])
    assert gutskin.check("antibiotic_course").startswith("ok: scenario 'antibiotic_course'")


def test_simulate_matches_the_exact_solution():
    # x' = -k x, x(0) = 2, k = 0.5 per day
    df = gutskin.load("tests/data/decay.yaml").simulate(10, 20, rtol=1e-10, atol=1e-12)
    assert isinstance(df, pd.DataFrame)
    assert df.index.name == "time [day]"
    assert list(df.columns) == ["level", "x"]
    assert df.attrs["units"] == {"level": "mg/L", "x": "mg/L"}
    np.testing.assert_allclose(df.index, np.linspace(0, 10, 21), rtol=0, atol=1e-12)
    np.testing.assert_allclose(df["x"], 2 * np.exp(-0.5 * df.index.values), rtol=1e-7)


def test_simulate_with_inputs_set_and_phenotype():
    # barrier' = k_repair (1 - barrier) - k_leak stress barrier: equilibrium k_repair / (k_repair + k_leak s)
    m = gutskin.load("tests/data/small_model.yaml")
    end = m.simulate(60, 2, inputs={"stress": 2}).iloc[-1]
    assert end["barrier"] == pytest.approx(0.8 / (0.8 + 0.3 * 2), rel=1e-6)
    end = m.simulate(60, 2, inputs={"stress": 2}, set={"k_repair": 1.2}).iloc[-1]
    assert end["barrier"] == pytest.approx(1.2 / (1.2 + 0.3 * 2), rel=1e-6)
    end = m.simulate(60, 2, inputs=["stress=2"], phenotype="stressed_adult").iloc[-1]
    assert end["barrier"] == pytest.approx(0.8 / (0.8 + 0.6 * 2), rel=1e-6)


def test_dataframe_views_the_results_memory_without_copying():
    core = gutskin._core.simulate(gutskin.load("tests/data/decay.yaml")._core, '{"t_end": 1, "steps": 4}', "",
                                  [], [], None)
    values = core.values
    assert values.base is not None and not values.flags.owndata
    df = gutskin._trajectory(core)
    assert np.shares_memory(df.to_numpy(), values)
    # the frame keeps the C++ result alive
    del core, values
    assert df["x"].iloc[0] == pytest.approx(2.0)


def test_keywords_and_docstrings_come_from_the_option_descriptors():
    params = inspect.signature(gutskin.run_trial).parameters
    for name in ("patients", "seed", "threads", "resume", "rtol", "atol", "max_steps", "linear_solver"):
        assert name in params
    assert params["rtol"].default == 1e-6
    assert "Relative tolerance (in (0, 1); default 1e-06)" in gutskin.run_trial.__doc__
    # `from` is a Python keyword: from_
    assert "from_" in inspect.signature(gutskin.continuation).parameters
    for table in gutskin._core.OPTIONS.values():
        for field in table:
            assert field["help"], field


def test_bad_input_raises_input_error_with_file_line_column():
    with pytest.raises(gutskin.InputError) as e:
        gutskin.load("tests/data/bad_model.yaml")
    assert str(e.value).startswith("tests/data/bad_model.yaml:7:3: error: undefined name 'kk' (did you mean 'k'?)")
    assert e.value.diagnostics[0] == ("tests/data/bad_model.yaml", 7, 3, "undefined name 'kk' (did you mean 'k'?)")
    assert isinstance(e.value, ValueError) and isinstance(e.value, gutskin.Error)

    with pytest.raises(gutskin.InputError, match="unknown input 'stres' \\(did you mean 'stress'\\?\\)"):
        gutskin.simulate("tests/data/small_model.yaml", 1, 1, inputs={"stres": 1})
    with pytest.raises(gutskin.InputError, match="option 'rtol' = 2: must be in \\(0, 1\\)"):
        gutskin.simulate("tests/data/decay.yaml", 1, 1, rtol=2)
    with pytest.raises(gutskin.InputError, match="option 'rtol': expected a number"):
        gutskin.simulate("tests/data/decay.yaml", 1, 1, rtol=math.nan)
    with pytest.raises(gutskin.InputError, match="option 'steps' = 0"):
        gutskin.simulate("tests/data/decay.yaml", 1, 0)
    with pytest.raises(gutskin.InputError, match="expected a scenario file"):
        gutskin.run_scenario("tests/data/decay.yaml")
    with pytest.raises(TypeError, match="unexpected keyword argument 'rtl' \\(did you mean 'rtol'\\?\\)"):
        gutskin.simulate("tests/data/decay.yaml", 1, 1, rtl=1e-8)
    with pytest.raises(gutskin.InputError, match="no_such_model"):
        gutskin.load("no_such_model")


def test_a_failing_run_keeps_its_rows_and_warns():
    # x' = x², x(0) = 1 blows up at t = 1
    with pytest.warns(gutskin.SimulationWarning, match="reached the limit of 2000 steps at t = 0.99"):
        df = gutskin.simulate("tests/data/blowup.yaml", 10, 100, max_steps=2000)
    assert not df.attrs["ok"]
    assert 0 < len(df) < 101
    assert np.isfinite(df.to_numpy()).all()


def test_scenario_run_gives_trajectory_summary_and_changes():
    run = gutskin.run_scenario("antibiotic_course")
    assert run.ok
    assert run.trajectory.index[-1] == 180
    assert run.summary["scenario"]["name"] == "antibiotic_course"
    assert "dysbiosis_index" in run.changes
    assert run.trajectory["shannon"].min() < run.trajectory["shannon"].iloc[0]


def test_the_stubs_name_everything_the_compiled_module_has():
    import ast
    import pathlib
    stub = ast.parse((pathlib.Path(gutskin.__file__).with_name("_core.pyi")).read_text())
    stubbed = {n.name for n in stub.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    stubbed |= {t.id for n in stub.body if isinstance(n, (ast.AnnAssign, ast.Assign))
                for t in ([n.target] if isinstance(n, ast.AnnAssign) else n.targets) if isinstance(t, ast.Name)}
    public = {name for name in dir(gutskin._core) if not name.startswith("_")} | {"__version__"}
    assert public <= stubbed, public - stubbed
    for cls in ("Study", "TrialResult", "SteadyStateResult", "ContinuationResult", "SensitivityResult"):
        node = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == cls)
        members = {m.name for m in node.body if isinstance(m, ast.FunctionDef)}
        members |= {m.target.id for m in node.body if isinstance(m, ast.AnnAssign)}
        actual = {m for m in dir(getattr(gutskin._core, cls)) if not m.startswith("_")}
        assert actual <= members, (cls, actual - members)


def test_study_timeline_lists_a_scenarios_interventions():
    t = gutskin.load("antibiotic_course").timeline
    assert list(t[["kind", "target", "value", "start", "end"]].itertuples(index=False, name=None)) == \
        [("window", "antibiotic", 1.0, 14.0, 21.0)]
    assert gutskin.load("gut_skin").timeline.empty


def test_sbml_models_load_and_simulate_in_their_own_time_unit(cli):
    df = gutskin.load("tests/data/goldbeter1991_l2v4.xml").simulate(5, 50)
    assert df.index.name.startswith("time")
    out = cli("simulate", "tests/data/goldbeter1991_l2v4.xml", "--t-end", 5, "--steps", 50).stdout
    assert gutskin._core.simulate(gutskin.load("tests/data/goldbeter1991_l2v4.xml")._core,
                                  '{"t_end": 5, "steps": 50}', "", [], [], None).trajectory_csv() == out


def test_a_petab_problem_is_refused_with_what_it_is(tmp_path):
    problem = tmp_path / "problem.yaml"
    problem.write_text("format_version: 1\nparameter_file: p.tsv\nproblems:\n  - sbml_files: [m.xml]\n")
    with pytest.raises(gutskin.InputError, match=":1:1: error: a PEtab problem file: gutskin cannot read PEtab"):
        gutskin.load(problem)
