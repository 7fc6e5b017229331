"""gutskin from Python, notebook style (each `# %%` is a cell in VS Code or Jupyter via jupytext).

What a week of antibiotics does to a healthy adult's gut and skin, how much fibre speeds the
recovery, and a small virtual trial of a low-glycaemic diet for acne — with plots.

    python3 examples/antibiotic_course.py --out out/example     # writes PNGs there (--overwrite: again)
"""
# %% Set-up
import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files, no window: runs the same in CI and over ssh
import matplotlib.pyplot as plt

import gutskin

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", default="out/example", help="folder for the figures and files")
parser.add_argument("--patients", type=int, default=200, help="virtual patients in the trial")
parser.add_argument("--overwrite", action="store_true", help="replace the results of an earlier run in --out")
args = parser.parse_args()
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)

# %% The antibiotic course: 7 days of a broad-spectrum antibiotic, followed for 6 months
run = gutskin.run_scenario("antibiotic_course", out=out / "antibiotic_course", overwrite=args.overwrite)
print(run)
print(run.changes)
print(run.study.timeline)
traj = run.trajectory
units = traj.attrs["units"]
course = run.study.timeline.query("target == 'antibiotic'").iloc[0]

fig, axes = plt.subplots(2, 2, figsize=(10, 6), sharex=True)
for ax, name in zip(axes.flat, ["shannon", "butyrate_colon", "crp_mg_l", "skin_hydration"]):
    if name not in traj:
        continue
    ax.plot(traj.index, traj[name])
    ax.axvspan(course["start"], course["end"], color="0.9", label="antibiotic")
    ax.set_ylabel(f"{name} [{units[name]}]")
axes[0, 0].legend()
for ax in axes[1]:
    ax.set_xlabel(traj.index.name)
fig.suptitle("A week of antibiotics in a healthy adult")
fig.tight_layout()
fig.savefig(out / "antibiotic_course.png", dpi=100)

# %% Where the gut settles on 10, 20 and 40 g/day of fibre (steady states, with stability)
model = gutskin.load("gut_skin")
description = model.describe()
print(description)
print(description.inputs.loc["fibre"])

fig, ax = plt.subplots(figsize=(6, 4))
for fibre in (10, 20, 40):
    settled = model.steady_states(inputs={"fibre": fibre}).equilibria.iloc[0]
    print(f"fibre {fibre} g/day: butyrate {settled['butyrate']:.3g}, stable {settled['stable']}, "
          f"slowest time constant {settled['slowest_time_constant']:.3g} days")
    ax.bar(str(fibre), settled["butyrate"])
ax.set_xlabel("fibre [g/day]")
ax.set_ylabel(f"colonic butyrate at steady state [{description.states.loc['butyrate', 'unit']}]")
fig.tight_layout()
fig.savefig(out / "fibre_steady_state.png", dpi=100)

# %% A small trial: low-glycaemic diet for acne, paired arms
trial = gutskin.run_trial("low_glycaemic_diet_acne", patients=args.patients, threads=2, progress=False,
                          out=out / "low_glycaemic_diet_acne", overwrite=args.overwrite)
print(trial)
print(trial.endpoints[["endpoint", "arm", "n", "mean", "median", "rate"]].to_string(index=False))
print(trial.comparisons[["endpoint", "arm", "vs", "mean_difference", "mean_difference_ci_lo",
                         "mean_difference_ci_hi"]].to_string(index=False))

patients = trial.patients
endpoint = "lesions_change_pct"
fig, ax = plt.subplots(figsize=(6, 4))
arms = list(patients["arm"].unique())
ax.boxplot([patients.loc[patients["arm"] == arm, endpoint].dropna() for arm in arms], labels=arms)
ax.set_ylabel("% change in inflammatory lesions at week 12")
ax.set_title(f"{args.patients} virtual adolescents, each in both arms")
fig.tight_layout()
fig.savefig(out / "low_glycaemic_diet_acne.png", dpi=100)

print(f"wrote {out}/antibiotic_course.png, fibre_steady_state.png, low_glycaemic_diet_acne.png")
