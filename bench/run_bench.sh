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
# ≤ TOL, default 1e-3). Exit status 1 if any run fails that check. The compiled CVODE program
# and gutskin run in ROUNDS alternating rounds (default 3) and each row keeps its lowest-median
# round, so a burst of load from other processes does not decide a ratio; SciPy runs once.
#
# CLOCK=cpu times process CPU time instead of the wall clock, in gutskin_bench and in a copy of
# the compiled peer and of run_scipy.py whose clock is swapped (same code otherwise): use it when other processes
# compete for the cores, since preempted time then inflates wall times unevenly.
#
# Env: K, ROUNDS, CLOCK, TOL, BUILD_DIR (default /tmp/build-bench; built with ninja -j1 if gutskin_bench is
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
ROUNDS=${ROUNDS:-3}
CLOCK=${CLOCK:-wall}
case $CLOCK in wall|cpu) ;; *) echo "run_bench.sh: CLOCK must be wall or cpu" >&2; exit 2 ;; esac
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
echo "work dir: $WORK (K = $K sets per model, $ROUNDS rounds, $CLOCK clock)"

status=0
for N in "${SIZES[@]}"; do
  NAME=gut_skin_N$N
  MODEL=$P/out/models/$NAME.xml
  W=$P/out/$NAME
  mkdir -p "$W"
  (cd "$P" && $PY make_bench_sbml.py --taxa "$N" --out "$MODEL" && $PY sbml2peers.py "$MODEL" --out "$W" \
     && $PY make_ensemble.py "$W/params_nominal.csv" -K "$K" --out "$W/ensemble.csv" && ./build_cvode.sh "$W")
  E=$W/ensemble.csv
  PEER=$W/model_cvode SCIPY=$P/run_scipy.py
  if [ "$CLOCK" = cpu ]; then
    mkdir -p "$W/cpu"
    { cat <<'EOF'
// run_bench.sh CLOCK=cpu: the harness's CVODE program timed on process CPU time.
#include <chrono>
#include <ctime>
struct cpu_clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<cpu_clock>;
  static constexpr bool is_steady = true;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return time_point(duration(ts.tv_sec * 1000000000LL + ts.tv_nsec));
  }
};
EOF
      sed 's/std::chrono::steady_clock/cpu_clock/g' "$W/model_cvode.cpp"; } >"$W/cpu/model_cvode.cpp"
    (cd "$P" && ./build_cvode.sh "$W/cpu")
    PEER=$W/cpu/model_cvode
    sed 's/time\.perf_counter/time.process_time/g' "$P/run_scipy.py" >"$W/cpu/run_scipy.py"
    SCIPY=$W/cpu/run_scipy.py
  fi
  run() { local label=$1; shift; local t0=$(date +%s.%N)
          "$@" >"$W/$label.log" 2>&1 || { echo "  $label: exit status $? (see $W/$label.log)"; status=1; }
          printf '  %-22s %6.1f s\n' "$label" "$(echo "$(date +%s.%N) - $t0" | bc)"; }
  echo "== N = $N: $NAME"
  run cvode-ref   "$W/model_cvode" "$E" "$W/res_ref.csv" --rtol 1e-10 --atol 1e-14 --jac analytic
  # gutskin right after the compiled program with the same linear solver, in ROUNDS alternating
  # rounds; the table keeps each row's least disturbed round (lowest median).
  for r in $(seq "$ROUNDS"); do
    run cvode-dense.$r "$PEER" "$E" "$W/res_cvode.$r.csv" --jac analytic
    run gs-dense.$r    "$BENCH" "$MODEL" "$E" "$W/res_gs_dense.$r.csv" --states "$W/states.csv" \
                       --linear-solver dense --clock "$CLOCK" --stats "$W/stats_gs_dense.$r.csv"
    run gs-dense-nc.$r "$BENCH" "$MODEL" "$E" "$W/res_gs_dense_nc.$r.csv" --states "$W/states.csv" \
                       --linear-solver dense --no-non-negative --clock "$CLOCK" --stats "$W/stats_gs_dense_nc.$r.csv"
    run cvode-klu.$r   "$PEER" "$E" "$W/res_cvode_klu.$r.csv" --jac analytic --linsol klu
    run gs-klu.$r      "$BENCH" "$MODEL" "$E" "$W/res_gs_klu.$r.csv" --states "$W/states.csv" \
                       --linear-solver klu --clock "$CLOCK" --stats "$W/stats_gs_klu.$r.csv"
    run gs-klu-nc.$r   "$BENCH" "$MODEL" "$E" "$W/res_gs_klu_nc.$r.csv" --states "$W/states.csv" \
                       --linear-solver klu --no-non-negative --clock "$CLOCK" --stats "$W/stats_gs_klu_nc.$r.csv"
  done
  for m in LSODA BDF; do
    run "scipy-$m" $PY "$SCIPY" "$W" "$E" "$W/res_scipy_$m.csv" --method $m
  done
  for g in gs-dense gs-dense-nc gs-klu gs-klu-nc; do
    for r in $(seq "$ROUNDS"); do
      printf '  %-14s %s\n' "$g.$r" "$(grep -h 'sims' "$W/$g.$r.log" | sed 's/^ *//')"
    done
  done
  echo
  echo "### N = $N taxa ($(($(wc -l <"$W/states.csv") - 1)) states), K = $K sets, $CLOCK clock"
  all() { local f=$1 out="" r; for r in $(seq "$ROUNDS"); do out+="${out:+|}$W/$f.$r.csv"; done; echo "$out"; }
  echo
  $PY "$HERE/bench_table.py" "$W/res_ref.csv" "$TOL" \
    "C++ CVODE, dense, analytic J=$(all res_cvode)" \
    "C++ CVODE, KLU, analytic J=$(all res_cvode_klu)" \
    "SciPy LSODA=$W/res_scipy_LSODA.csv" \
    "SciPy BDF=$W/res_scipy_BDF.csv" \
    "gutskin dense=$(all res_gs_dense)@C++ CVODE, dense, analytic J;SciPy LSODA;SciPy BDF" \
    "gutskin dense, no constraints=$(all res_gs_dense_nc)@C++ CVODE, dense, analytic J" \
    "gutskin KLU=$(all res_gs_klu)@C++ CVODE, KLU, analytic J;SciPy LSODA;SciPy BDF" \
    "gutskin KLU, no constraints=$(all res_gs_klu_nc)@C++ CVODE, KLU, analytic J" \
    | tee "$W/table.md" || status=1
  echo
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "raw results: $P/out/"
exit $status
