"""Shared helpers: the repository, the CLI to compare with, the shared data folder."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def cli():
    """Runs `gutskin ARGS...` in the repository; returns the CompletedProcess."""
    exe = os.environ.get("GUTSKIN_CLI") or str(ROOT / "build" / "gutskin")

    def run(*args, check=True):
        done = subprocess.run([exe, *map(str, args)], cwd=ROOT, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"gutskin {' '.join(map(str, args))}: exit {done.returncode}\n{done.stderr}")
        return done

    return run


@pytest.fixture(scope="session")
def shared() -> Path:
    return Path(os.environ.get("GUTSKIN_SHARED_DIR") or ROOT.parent / "shared")


@pytest.fixture
def python_script(tmp_path):
    """Runs a Python snippet in a child interpreter (same sys.path); returns the Popen."""
    def start(code, **kwargs):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, **kwargs)
    return start
