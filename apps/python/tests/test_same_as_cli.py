"""The module and the CLI are two front ends of one library: the same call gives the same
files, byte for byte (summary.json differs only in its wall-clock seconds)."""
import json
import re
from pathlib import Path

import pytest

import gutskin

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))


def without_wall_time(text):
    """summary.json with every timing field dropped (they differ run to run)."""
    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if not k.startswith("wall") and "per_second" not in k}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    return strip(json.loads(text))


def same_report(a: Path, b: Path) -> bool:
    """report.html of each, with the run's wall-clock time ("..., 0.0046 s") masked."""
    def mask(p):
        return re.sub(r"\b[0-9.]+(e[-+]?[0-9]+)? (s|patients/s|patient-years/s)\b", "<time>", p.read_text())
    return mask(a) == mask(b)


@pytest.mark.parametrize("name", SCENARIOS)
def test_builtin_scenario_files_equal_the_clis(name, cli, tmp_path):
    cli("run", name, "--out", tmp_path / "cli")
    gutskin.run_scenario(name, out=tmp_path / "py")
    assert (tmp_path / "py/trajectory.csv").read_bytes() == (tmp_path / "cli/trajectory.csv").read_bytes()
    assert same_report(tmp_path / "py/report.html", tmp_path / "cli/report.html")
    assert without_wall_time((tmp_path / "py/summary.json").read_text()) == \
        without_wall_time((tmp_path / "cli/summary.json").read_text())


def test_simulate_csv_equals_the_clis(cli):
    out = cli("simulate", "gut_skin", "--t-end", "30", "--steps", "30", "--input", "fibre=35", "--set", "k_recol=0.5",
              "--rtol", "1e-8").stdout
    core = gutskin._core.simulate(gutskin.load("gut_skin")._core, '{"t_end": 30, "steps": 30}', '{"rtol": 1e-8}',
                                  ["k_recol=0.5"], ["fibre=35"], None)
    assert core.trajectory_csv() == out
    df = gutskin.simulate("gut_skin", 30, 30, inputs={"fibre": 35}, set={"k_recol": 0.5}, rtol=1e-8)
    assert (df.to_numpy() == core.values).all()


def test_trial_files_equal_the_clis(cli, tmp_path):
    cli("trial", "low_glycaemic_diet_acne", "--patients", 24, "--seed", 7, "--threads", 2, "--quiet",
        "--out", tmp_path / "cli")
    result = gutskin.run_trial("low_glycaemic_diet_acne", patients=24, seed=7, threads=2, progress=False,
                               out=tmp_path / "py")
    assert result.completed
    assert (tmp_path / "py/patients.csv").read_bytes() == (tmp_path / "cli/patients.csv").read_bytes()
    assert same_report(tmp_path / "py/report.html", tmp_path / "cli/report.html")
    assert without_wall_time((tmp_path / "py/summary.json").read_text()) == \
        without_wall_time((tmp_path / "cli/summary.json").read_text())
    assert result.patients_csv() == (tmp_path / "cli/patients.csv").read_text()
    # the DataFrame holds the file's rows
    patients = result.patients
    assert len(patients) == 24 * 2
    assert list(patients.columns[:3]) == ["patient", "arm", "status"]
    assert (patients["status"] == "ok").all()


def test_steady_state_and_continuation_files_equal_the_clis(cli, tmp_path):
    cli("steady-state", "tests/data/toggle_switch.yaml", "--all", "--out", tmp_path / "cli_ss")
    gutskin.steady_states("tests/data/toggle_switch.yaml", all=True, out=tmp_path / "py_ss")
    for file in ("steady_states.csv", "eigenvalues.csv"):
        assert (tmp_path / "py_ss" / file).read_bytes() == (tmp_path / "cli_ss" / file).read_bytes(), file

    cli("continue", "tests/data/schlogl.yaml", "--parameter", "k3", "--from", 5, "--to", 10, "--out", tmp_path / "cli_c")
    gutskin.continuation("tests/data/schlogl.yaml", "k3", from_=5, to=10, out=tmp_path / "py_c")
    for file in ("branch.csv", "bifurcations.csv"):
        assert (tmp_path / "py_c" / file).read_bytes() == (tmp_path / "cli_c" / file).read_bytes(), file
    assert same_report(tmp_path / "py_c/report.html", tmp_path / "cli_c/report.html")


def test_sensitivity_files_equal_the_clis(cli, tmp_path):
    args = dict(method="morris", samples=4, outputs=["max(crp_mg_l)", "shannon@49"],
                parameters=["k_recol", "mu_bp", "k_abx_kill"])
    cli("sensitivity", "antibiotic_course", "--method", "morris", "--samples", 4, "--outputs", "max(crp_mg_l),shannon@49",
        "--parameters", "k_recol,mu_bp,k_abx_kill", "--quiet", "--out", tmp_path / "cli")
    s = gutskin.sensitivity("antibiotic_course", progress=False, out=tmp_path / "py", **args)
    assert (tmp_path / "py/indices.csv").read_bytes() == (tmp_path / "cli/indices.csv").read_bytes()
    assert set(s.indices["parameter"]) == {"k_recol", "mu_bp", "k_abx_kill"}
    assert list(s.indices["output"].unique()) == ["max(crp_mg_l)", "shannon@49"]
