"""Following and stopping long calls: progress callbacks, a stop from the callback, Ctrl-C
(SIGINT) ending a trial cleanly with its checkpoint, and the resumed trial equal to one run
in a single go."""
import signal
import threading
import time

import pytest

import gutskin

TRIAL = "low_glycaemic_diet_acne"


def test_progress_callback_sees_the_counts_and_can_stop():
    seen = []

    def progress(p):
        seen.append(dict(p))
        return p["done"] < 20  # False: stop

    result = gutskin.run_trial(TRIAL, patients=400, threads=1, progress=progress)
    assert not result.completed
    assert seen[0]["unit"] == "patients" and seen[0]["total"] == 400
    done = result.summary["patients_done"]
    assert 20 <= done < 400
    assert len(result.patients) == 2 * done


def test_an_exception_in_the_progress_callback_arrives_as_itself():
    def progress(p):
        if p["done"] > 0:
            raise ValueError("from the callback")

    with pytest.raises(ValueError, match="from the callback"):
        gutskin.run_trial(TRIAL, patients=400, threads=1, progress=progress)


def interrupt_when_started(child, marker):
    """Waits for `marker` on the child's stdout, then sends SIGINT; returns seconds to exit."""
    line = child.stdout.readline()
    assert marker in line, line + child.stderr.read()
    child.send_signal(signal.SIGINT)
    start = time.monotonic()
    child.wait(timeout=60)
    return time.monotonic() - start


def test_ctrl_c_stops_a_trial_cleanly_and_resume_completes_it(python_script, cli, tmp_path):
    out = tmp_path / "stopped"
    child = python_script(f"""
import gutskin
started = False
def progress(p):
    global started
    if p["done"] > 0 and not started:
        print("started", flush=True)
        started = True
gutskin.run_trial("{TRIAL}", patients=600, seed=3, threads=1, out=r"{out}", progress=progress)
print("finished", flush=True)
""")
    seconds = interrupt_when_started(child, "started")
    stderr = child.stderr.read()
    assert child.returncode != 0
    assert "KeyboardInterrupt: trial stopped after" in stderr, stderr
    assert "resume=True" in stderr
    assert "finished" not in child.stdout.read()
    assert seconds < 10
    stopped_rows = (out / "patients.csv").read_text().count("\n") - 1
    assert 0 < stopped_rows < 2 * 600  # what was done is kept

    resumed = gutskin.run_trial(TRIAL, patients=600, seed=3, threads=2, out=out, resume=True, progress=False)
    assert resumed.completed
    assert resumed.summary["run"]["resumed_from"] > 0
    cli("trial", TRIAL, "--patients", 600, "--seed", 3, "--quiet", "--out", tmp_path / "one_go")
    assert (out / "patients.csv").read_bytes() == (tmp_path / "one_go/patients.csv").read_bytes()


def test_ctrl_c_stops_a_long_simulation(python_script):
    child = python_script("""
import gutskin
# the Brusselator past its Hopf point oscillates: ~30 s of small steps to t = 1e6
m = gutskin.load("tests/data/brusselator.yaml")
started = False
def progress(p):
    global started
    if not started:
        print("started", flush=True)
        started = True
m.simulate(1e6, 1000, set={"b": 3}, max_steps=10**9, progress=progress)
print("finished", flush=True)
""")
    seconds = interrupt_when_started(child, "started")
    stderr = child.stderr.read()
    assert "KeyboardInterrupt: simulation stopped" in stderr, stderr
    assert seconds < 5


def test_ctrl_c_between_calls_is_pythons_own():
    # After a call, SIGINT is Python's again: the default handler raises KeyboardInterrupt.
    gutskin.simulate("tests/data/decay.yaml", 1, 1)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)
        time.sleep(0.1)


def test_a_folder_with_results_is_refused_before_the_run_unless_overwritten(tmp_path):
    out = tmp_path / "r"
    first = gutskin.run_trial(TRIAL, patients=20, threads=1, progress=False, out=out)
    before = (out / "patients.csv").read_text()
    seen = []
    with pytest.raises(gutskin.InputError, match=r"holds the results of an earlier run \(manifest.sha256, patients.csv, "
                                                 r"report.html, summary.json\): overwrite=True replaces them, "
                                                 r"resume=True goes on"):
        gutskin.run_trial(TRIAL, patients=20, seed=8, threads=1, progress=seen.append, out=out)
    assert seen == []  # refused before the first patient
    with pytest.raises(gutskin.InputError, match="overwrite=True replaces them, another folder keeps them"):
        first.write(out)
    assert (out / "patients.csv").read_text() == before
    gutskin.run_trial(TRIAL, patients=20, seed=8, threads=1, progress=False, out=out, overwrite=True)
    assert (out / "patients.csv").read_text() != before
    first.write(out, overwrite=True)
    assert (out / "patients.csv").read_text() == before


def test_a_long_call_releases_the_gil():
    """A Python thread keeps running while a trial runs in C++ on the main thread (with the GIL
    held it could not take a single step until the call returned)."""
    count = [0]
    done = threading.Event()

    def counter():
        while not done.is_set():
            count[0] += 1

    t = threading.Thread(target=counter)
    t.start()
    try:
        time.sleep(0.05)
        before = count[0]
        gutskin.run_trial(TRIAL, patients=200, threads=1, progress=False)
        during = count[0] - before
    finally:
        done.set()
        t.join()
    assert during > 10000
