"""Speed-ups from Python: a trial on 2 worker threads, and two trials from two Python threads
(which only overlap if the GIL is released), against the same work on one thread. A benchmark,
not a test (timings depend on the machine and its load); run it on an idle machine:

    PYTHONPATH=build/python /usr/bin/python3 bench/python_threads.py
"""
import threading
import time

import gutskin

TRIAL = "low_glycaemic_diet_acne"
PATIENTS = 300


def seconds(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def best_ratio(serial, parallel, attempts=3):
    """The best of a few serial/parallel ratios: a shared machine only ever slows a run down."""
    return max(seconds(serial) / seconds(parallel) for _ in range(attempts))


def worker_threads(study):
    def run(threads):
        return lambda: gutskin.run_trial(study, patients=PATIENTS, threads=threads, progress=False)
    ratio = best_ratio(run(1), run(2))
    print(f"trial of {PATIENTS} patients: 2 threads {ratio:.2f}x faster than 1")


def python_threads(study):
    def one():  # the same patients in both, so both threads have the same work
        gutskin.run_trial(study, patients=PATIENTS // 2, seed=1, threads=1, progress=False)

    def serial():
        one()
        one()

    def parallel():
        workers = [threading.Thread(target=one) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    ratio = best_ratio(serial, parallel)
    print(f"two trials from two Python threads: {ratio:.2f}x faster than one after the other")


if __name__ == "__main__":
    s = gutskin.load(TRIAL)
    gutskin.run_trial(s, patients=20, threads=2, progress=False)  # warm up
    worker_threads(s)
    python_threads(s)
