#!/usr/bin/env bash
# bench/run_bench.sh [N ...] : speed of gutskin against the peer harness (../shared/bench).
#
# For each N (gut taxa; default 10 50 200) it generates the harness's SBML model, runs the
# harness's own peers on K parameter sets (env K, default 20) — the compiled C++ CVODE program
# (dense with analytic J, and KLU), the CVODE reference at rtol 1e-10 / atol 1e-14, SciPy
# solve_ivp LSODA and BDF — then gutskin_bench on the same sets through SBML import (dense and
# KLU; with and without gutskin's default non-negativity constraints, which the peers do not
# use). Every run: t = 0..365 d, daily outputs, rtol 1e-6, atol 1e-9, one warm-up then timed.
# Prints one table per N: ms/sim, ratios to the compiled CVODE program with the same linear
# solver and to SciPy, and the harness's correctness metric against the reference (must be
# ≤ TOL, default 1e-3). Exit status 1 if any run fails that check.
#
# Env: K, TOL, BUILD_DIR (default /tmp/build-bench; built with ninja -j1 if gutskin_bench is
# missing), WORK_DIR (default: a new /tmp/gutskin-bench.XXXXXX), SHARED_BENCH (the harness).
# Nothing is written into the repository.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
if [ ! -f "$SHARED/make_bench_sbml.py" ]; then
  echo "run_bench.sh: SKIPPED — the peer harness is not at $SHARED (set SHARED_BENCH to its folder)."
  exit 0
fi
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10 50 200)
K=${K:-20}
TOL=${TOL:-1e-3}
PY=/usr/bin/python3   # Debian python3 with numpy/scipy (a pyenv python3 may lack them)
BUILD=${BUILD_DIR:-/tmp/build-bench}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

BENCH=$BUILD/bench/gutskin_bench
if [ ! -x "$BENCH" ]; then
  [ -f "$BUILD/build.ninja" ] || cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$BUILD" -j1 gutskin_bench
fi

WORK=${WORK_DIR:-$(mktemp -d /tmp/gutskin-bench.XXXXXX)}
mkdir -p "$WORK"
rm -rf "$WORK/peer"
cp -r "$SHARED" "$WORK/peer" && chmod -R u+w "$WORK/peer"   # the harness writes beside itself
P=$WORK/peer
mkdir -p "$P/out/models"
{ echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"; echo "nproc: $(nproc)"
  grep -m1 'model name' /proc/cpuinfo; grep -m1 'cpu MHz' /proc/cpuinfo; uname -srm
  g++ --version | head -1; echo "gutskin: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$WORK/machine.txt"
echo "work dir: $WORK (K = $K sets per model)"

status=0
for N in "${SIZES[@]}"; do
  NAME=gut_skin_N$N
  MODEL=$P/out/models/$NAME.xml
  W=$P/out/$NAME
  mkdir -p "$W"
  (cd "$P" && $PY make_bench_sbml.py --taxa "$N" --out "$MODEL" && $PY sbml2peers.py "$MODEL" --out "$W" \
     && $PY make_ensemble.py "$W/params_nominal.csv" -K "$K" --out "$W/ensemble.csv" && ./build_cvode.sh "$W")
  E=$W/ensemble.csv
  run() { local label=$1; shift; local t0=$(date +%s.%N)
          "$@" >"$W/$label.log" 2>&1 || { echo "  $label: exit status $? (see $W/$label.log)"; status=1; }
          printf '  %-22s %6.1f s\n' "$label" "$(echo "$(date +%s.%N) - $t0" | bc)"; }
  echo "== N = $N: $NAME"
  run cvode-ref   "$W/model_cvode" "$E" "$W/res_ref.csv" --rtol 1e-10 --atol 1e-14 --jac analytic
  # gutskin next to the compiled program with the same linear solver, so both see the same load.
  run cvode-dense "$W/model_cvode" "$E" "$W/res_cvode.csv" --jac analytic
  run gs-dense    "$BENCH" "$MODEL" "$E" "$W/res_gs_dense.csv" --states "$W/states.csv" \
                  --linear-solver dense --stats "$W/stats_gs_dense.csv"
  run gs-dense-nc "$BENCH" "$MODEL" "$E" "$W/res_gs_dense_nc.csv" --states "$W/states.csv" \
                  --linear-solver dense --no-non-negative --stats "$W/stats_gs_dense_nc.csv"
  run cvode-klu   "$W/model_cvode" "$E" "$W/res_cvode_klu.csv" --jac analytic --linsol klu
  run gs-klu      "$BENCH" "$MODEL" "$E" "$W/res_gs_klu.csv" --states "$W/states.csv" \
                  --linear-solver klu --stats "$W/stats_gs_klu.csv"
  run gs-klu-nc   "$BENCH" "$MODEL" "$E" "$W/res_gs_klu_nc.csv" --states "$W/states.csv" \
                  --linear-solver klu --no-non-negative --stats "$W/stats_gs_klu_nc.csv"
  for m in LSODA BDF; do
    run "scipy-$m" $PY "$P/run_scipy.py" "$W" "$E" "$W/res_scipy_$m.csv" --method $m
  done
  grep -h "sims" "$W"/gs-*.log | sed 's/^ */  gutskin_bench: /' || true
  echo
  echo "### N = $N taxa ($(($(wc -l <"$W/states.csv") - 1)) states), K = $K sets"
  echo
  $PY "$HERE/bench_table.py" "$W/res_ref.csv" "$TOL" \
    "C++ CVODE, dense, analytic J=$W/res_cvode.csv" \
    "C++ CVODE, KLU, analytic J=$W/res_cvode_klu.csv" \
    "SciPy LSODA=$W/res_scipy_LSODA.csv" \
    "SciPy BDF=$W/res_scipy_BDF.csv" \
    "gutskin dense=$W/res_gs_dense.csv@C++ CVODE, dense, analytic J,SciPy LSODA,SciPy BDF" \
    "gutskin dense, no constraints=$W/res_gs_dense_nc.csv@C++ CVODE, dense, analytic J" \
    "gutskin KLU=$W/res_gs_klu.csv@C++ CVODE, KLU, analytic J,SciPy LSODA,SciPy BDF" \
    "gutskin KLU, no constraints=$W/res_gs_klu_nc.csv@C++ CVODE, KLU, analytic J" \
    | tee "$W/table.md" || status=1
  echo
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "raw results: $P/out/"
exit $status
