"""Per-call overhead of the Python module: the same simulate call timed in C++ (gutskin_microbench,
simulate_model/...: open once, then simulate_model(t_end=1, steps=10) in a loop) and from Python,
through the compiled layer (_core.simulate: options as JSON, the GIL released, Ctrl-C armed,
arrays viewed) and through the package (gutskin.simulate → a DataFrame over those arrays).

    PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead.py [MODEL] [--microbench build/bench/gutskin_microbench]

Prints microseconds per call, best of several repeats (a shared machine only slows a run
down), and the overhead of each Python layer over the C++ call.
"""
import argparse
import json
import subprocess
import timeit

import numpy as np

import gutskin

parser = argparse.ArgumentParser()
parser.add_argument("model", nargs="?", default="tests/data/decay.yaml")
parser.add_argument("--microbench", default="build/bench/gutskin_microbench")
parser.add_argument("--repeats", type=int, default=7)
args = parser.parse_args()


def best_us(f, number):
    return min(timeit.repeat(f, number=number, repeat=args.repeats)) / number * 1e6


done = subprocess.run([args.microbench, args.model, "--benchmark_filter=simulate_model",
                       f"--benchmark_repetitions={args.repeats}", "--benchmark_format=json"],
                      capture_output=True, text=True, check=True)
runs = [b for b in json.loads(done.stdout)["benchmarks"] if b.get("run_type") == "iteration"]
cpp = min(b["real_time"] * {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b["time_unit"]] for b in runs)

study = gutskin.load(args.model)
core_call = lambda: gutskin._core.simulate(study._core, '{"t_end": 1, "steps": 10}', "", [], [], None)
frame_call = lambda: gutskin.simulate(study, 1, 10)
number = max(100, int(20000 / max(cpp, 1)))
core = best_us(core_call, number)
frame = best_us(frame_call, number)

r = core_call()
shares = np.shares_memory(gutskin._trajectory(r).to_numpy(), r.values)
print(f"model {study.name}: {len(r.columns)} columns, 11 rows")
print(f"C++ simulate_model          {cpp:8.1f} us per call")
print(f"_core.simulate (numpy)      {core:8.1f} us   overhead {core - cpp:6.1f} us")
print(f"gutskin.simulate (pandas)   {frame:8.1f} us   overhead {frame - cpp:6.1f} us")
print(f"DataFrame views the C++ result's memory (no copy): {shares}")
