#!/usr/bin/env python3
"""Regenerates the "What drives the answers" table of docs/model.md: for each CAL fact and main
clinical read-out, Morris elementary effects (`gutskin sensitivity --method morris`) on the
scenario that shows it, over every parameter with a population spread or bounds, and the three
parameters with the largest mu* (with their share of the summed mu*).

Usage: python3 scripts/model_card_drivers.py [--gutskin build/gutskin] [--trajectories 10]
It rewrites the section between the markers in docs/model.md; review the diff before committing.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
BEGIN = "<!-- BEGIN GENERATED DRIVERS TABLE (scripts/model_card_drivers.py) -->"
END = "<!-- END GENERATED DRIVERS TABLE -->"

# (what, scenario, output): the read-out of each fact, on the scenario its test or the card uses.
ROWS = [
    ("CAL-01 diversity 4 weeks after a course", "antibiotic_course", "shannon@49"),
    ("CAL-02 C. difficile bloom after clindamycin", "clindamycin_cdiff", "max(cdiff_pct)"),
    ("CAL-04 butyrate share of SCFA", "high_fibre_diet", "butyrate_pct_scfa"),
    ("CAL-05 venous acetate", "high_fibre_diet", "plasma_acetate"),
    ("CAL-07 T-zone sebum on a high-GL diet", "glycaemic_diet_acne_high", "sebum_tzone"),
    ("CAL-08 inflammatory acne lesions", "glycaemic_diet_acne_high", "acne_inflammatory_lesions"),
    ("CAL-09 exam-stress acne flare", "exam_stress_acne", "max(acne_inflammatory_lesions)"),
    ("CAL-11 stress-triggered psoriasis", "chronic_stress_psoriasis", "max(pasi)"),
    ("CAL-18 gut permeability (L/M)", "antibiotic_course", "lactulose_mannitol"),
    ("CAL-22 CRP on omega-3", "omega3", "crp_mg_l@112"),
    ("CAL-25 CRP after a gut insult", "crohns_flare_skin", "max(crp_mg_l)"),
    ("infant eczema (EASI peak)", "probiotic_infant_eczema", "max(easi)"),
    ("rosacea after SIBO treatment", "rosacea_sibo_treatment", "rosacea_iga"),
    ("skin hydration", "omega3", "skin_hydration@112"),
    ("wound healing time, poor diet", "wound_nutrition_poor", "wound_healing_days"),
]


def drivers(gutskin, scenario, output, trajectories, out):
    subprocess.run([gutskin, "sensitivity", scenario, "--method", "morris", "--samples", str(trajectories),
                    "--outputs", output, "--bootstrap", "0", "--quiet", "--out", str(out)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    summary = json.loads((out / "summary.json").read_text())
    o = summary["outputs"][0]
    ranking = [r for r in o["ranking"] if r["mu_star"] is not None]
    total = sum(r["mu_star"] for r in ranking) or 1.0
    top = ", ".join(f"`{r['parameter']}` {100 * r['mu_star'] / total:.0f}%" for r in ranking[:3])
    return top, summary["runs"], summary["failed_runs"], len(summary["parameters"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gutskin", default=str(ROOT / "build" / "gutskin"))
    parser.add_argument("--trajectories", type=int, default=10)
    args = parser.parse_args()
    lines = [BEGIN, "",
             f"Morris screening, r = {args.trajectories} trajectories per row over every parameter with a population "
             "spread or bounds (log-normal around the phenotype's value, or uniform between the bounds); the three "
             "largest μ* with their share of Σμ*. Regenerate with `python3 scripts/model_card_drivers.py`.", "",
             "| read-out | scenario | output | top drivers (share of Σμ*) | runs (failed) |",
             "| --- | --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as tmp:
        for k, (what, scenario, output) in enumerate(ROWS):
            top, runs, failed, params = drivers(args.gutskin, scenario, output, args.trajectories,
                                                pathlib.Path(tmp) / str(k))
            lines.append(f"| {what} | {scenario} | `{output}` | {top} | {runs} ({failed}) |")
            print(f"{what}: {top}", file=sys.stderr)
    lines += ["", END]
    card = ROOT / "docs" / "model.md"
    text = card.read_text()
    if BEGIN in text:
        start, end = text.index(BEGIN), text.index(END) + len(END)
        text = text[:start] + "\n".join(lines) + text[end:]
    else:
        anchor = "## Robustness"
        section = "## What drives the answers (Morris screening)\n\n" + "\n".join(lines) + "\n\n"
        text = text.replace(anchor, section + anchor, 1)
    card.write_text(text)


if __name__ == "__main__":
    main()
