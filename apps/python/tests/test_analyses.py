"""The analyses from Python against analytic answers: the toggle switch's three equilibria,
the Schlögl model's folds and cusp, the Brusselator's Hopf point, local sensitivities against
the exact derivative of x(t) = x0·exp(−k t)."""
import math

import numpy as np
import pytest

import gutskin


def test_toggle_switch_equilibria_and_eigenvalues():
    # u = v = 2 solves u³ + u − 10 = 0: a saddle with eigenvalues −1 ± 1.6
    s = gutskin.steady_states("tests/data/toggle_switch.yaml", all=True)
    eq = s.equilibria.sort_values("u")
    assert list(eq["stable"]) == [True, False, True]
    saddle = eq[~eq["stable"]].iloc[0]
    assert saddle["u"] == pytest.approx(2, rel=1e-9) and saddle["v"] == pytest.approx(2, rel=1e-9)
    lam = s.eigenvalues[saddle.name]
    np.testing.assert_allclose(sorted(lam.real), [-2.6, 0.6], rtol=1e-9)
    assert s.summary["equilibria"][saddle.name]["stable"] is False


def test_schlogl_folds_and_cusp():
    c = gutskin.continuation("tests/data/schlogl.yaml", "k3", from_=5, to=10)
    folds = c.bifurcations.query("kind == 'fold'")["value"].to_numpy()
    roots = [(14 - math.sqrt(28)) / 6, (14 + math.sqrt(28)) / 6]
    expected = [x ** 3 - 7 * x ** 2 + 14 * x for x in roots]  # 8.6311, 5.8874
    np.testing.assert_allclose(folds, expected, rtol=1e-8)
    assert c.branch["k3"].iloc[0] == pytest.approx(5)
    # continued in k4 too: the cusp at k4 = 49/3, k3 = 343/27
    c2 = gutskin.continuation("tests/data/schlogl.yaml", "k3", from_=5, to=20, second="k4", from2=10, to2=20)
    cusp = c2.fold_curve.query("kind == 'cusp'").iloc[0]
    assert cusp["second_value"] == pytest.approx(49 / 3, rel=1e-6)
    assert cusp["value"] == pytest.approx(343 / 27, rel=1e-6)
    assert set(c2.fold_curve["curve"]) == {0}  # both folds of the S on one curve


def test_brusselator_hopf_point():
    c = gutskin.continuation("tests/data/brusselator.yaml", "b", from_=1, to=3)
    hopf = c.bifurcations.query("kind == 'hopf'").iloc[0]
    assert hopf["value"] == pytest.approx(2, rel=1e-8)
    assert hopf["frequency"] == pytest.approx(1, rel=1e-6)


def test_local_sensitivities_match_the_exact_derivative():
    # x = x0 exp(−k t): ∂x/∂k = −t x, elasticity −k t; ∂x/∂x0 = exp(−k t), elasticity 1
    s = gutskin.sensitivity("tests/data/decay.yaml", method="local", parameters=["k", "x0"], outputs=["x"],
                            duration=4, rtol=1e-10, atol=1e-12, progress=False)
    local = s.local["x"]
    t = local["value"].index.to_numpy()
    np.testing.assert_allclose(local["value"], 2 * np.exp(-0.5 * t), rtol=1e-7)
    np.testing.assert_allclose(local["raw"]["k"], -t * 2 * np.exp(-0.5 * t), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(local["normalised"]["x0"], 1, rtol=1e-6)


def test_analysis_errors_are_located():
    with pytest.raises(gutskin.InputError, match="unknown parameter or input 'k33'"):
        gutskin.continuation("tests/data/schlogl.yaml", "k33", from_=5, to=10)
    with pytest.raises(gutskin.InputError, match="option 'method'"):
        gutskin.sensitivity("tests/data/decay.yaml", method="sobolev", progress=False)


def test_atlas_of_the_schlogl_model_and_its_files_equal_the_clis(cli, tmp_path):
    # every patient alike (no spreads): on the lower branch at k3 = 8, which folds at 8.6311
    a = gutskin.atlas("tests/data/schlogl.yaml", {"k3": (5, 10)}, patients=6, progress=False, out=tmp_path / "py")
    p = a.patients
    assert len(p) == 6 and (p["status"] == "ok").all()
    x = (14 - math.sqrt(28)) / 6
    np.testing.assert_allclose(p["k3_fold_above"], x ** 3 - 7 * x ** 2 + 14 * x, rtol=1e-8)
    assert p["k3_bistable"].all()
    assert a.knobs.loc[0, "with_fold"] == 6
    cli("atlas", "tests/data/schlogl.yaml", "--parameter", "k3=5:10", "--patients", 6, "--quiet", "--out", tmp_path / "cli")
    assert (tmp_path / "py/atlas.csv").read_bytes() == (tmp_path / "cli/atlas.csv").read_bytes()
    with pytest.raises(gutskin.InputError, match="expected name=from:to"):
        gutskin.atlas("tests/data/schlogl.yaml", ["k3=5"], progress=False)
