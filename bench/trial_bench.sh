#!/usr/bin/env bash
# Trial throughput: patients/s and patient-years/s of the built-in model on 1 and 2 threads, and
# how the cost grows with N and with the trial's duration.
#
#   bench/trial_bench.sh [GUTSKIN] [N]        (defaults: build/gutskin, 10000)
#
# Target (issue 4) on a 2-core machine: a 2-arm, 10,000-patient, 1-year trial in under 5 minutes
# with at least 1.8x speed-up from 1 to 2 threads. Timings are wall clock of `gutskin trial`
# (loading, simulation, writing, statistics, report) on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
gutskin=$(realpath "${1:-build/gutskin}")
n=${2:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

trial_file() {  # days
  cat > "$work/bench_$1.yaml" <<YAML
trial: bench_$1
description: Benchmark - low-glycaemic diet against usual diet in acne-prone adolescents
model: gut_skin
duration: $1 days
population: {phenotype: acne_prone_adolescent, patients: 100, seed: 1}
arms:
  - name: usual_diet
  - name: low_gl_diet
    timeline: [{input: glycaemic_load, value: 80, from: 0 days}]
endpoints:
  - {name: lesions, observable: acne_inflammatory_lesions, at: $1 days, measure: percent_change}
  - {name: iga_success, observable: acne_iga, at: $1 days, responder: {below: 1.5, drop: 2}}
YAML
  echo "$work/bench_$1.yaml"
}

# Prints: patients threads seconds patients/s patient-years/s failed
run() {  # file patients threads
  local start end
  start=$(date +%s.%N)
  "$gutskin" trial "$1" --out "$work/out" --overwrite --patients "$2" --threads "$3" --quiet > "$work/log"
  end=$(date +%s.%N)
  python3 - "$work/out/summary.json" "$2" "$3" "$start" "$end" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); n = int(sys.argv[2]); t = float(sys.argv[5]) - float(sys.argv[4])
years = n * len(s["arms"]) * s["duration_days"] / 365.25
print(f"{n:>7} {sys.argv[3]:>7} {s['duration_days']:>6g} {t:>8.1f} {n / t:>10.1f} {years / t:>15.1f} {s['failed']:>6}")
PY
}

echo "gutskin trial benchmark: $(nproc) cores, $("$gutskin" --version)"
echo "patients threads   days  seconds patients/s patient-years/s failed"
year=$(trial_file 365)
t1=$(run "$year" "$n" 1); echo "$t1"
t2=$(run "$year" "$n" 2); echo "$t2"
python3 -c "import sys; a=float('$t1'.split()[3]); b=float('$t2'.split()[3]); print(f'speed-up 1 -> 2 threads: {a / b:.2f}x')"
echo "cost against N and duration (2 threads):"
for m in $((n / 10)) $((n / 4)); do run "$year" "$m" 2; done
for days in 91 182 730; do run "$(trial_file $days)" $((n / 10)) 2; done
