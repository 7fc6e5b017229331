"""What `progress=True` shows: a line on stderr redrawn in place (notebooks show stderr too)."""
from __future__ import annotations

import sys
from typing import Any, Callable, Dict, Optional, Union

Progress = Union[None, bool, Callable[[Dict[str, Any]], Optional[bool]]]


def _clock(seconds: float) -> str:
    if not seconds >= 0 or seconds > 1e7:
        return "--"
    s = int(seconds + 0.5)
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02}m"
    return f"{s // 60}m{s % 60:02}s" if s >= 60 else f"{s}s"


class Printer:
    """Progress of a long call as `[####......] 120/400 patients  35.2/s  8s left`."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr

    def __call__(self, p: Dict[str, Any]) -> None:
        if not p["total"]:
            return
        frac = p["done"] / p["total"]
        rate = p["done_this_run"] / max(p["elapsed_seconds"], 1e-9)
        left = (p["total"] - p["done"]) / rate if rate > 0 else -1.0
        bar = "#" * int(frac * 30)
        failed = f"  {p['failed']} failed" if p["failed"] else ""
        end = "\n" if p["done"] == p["total"] else ""
        self.stream.write(f"\r[{bar:.<30}] {p['done']}/{p['total']} {p['unit']}  {rate:.1f}/s  "
                          f"{_clock(left)} left{failed}   {end}")
        self.stream.flush()


def callback(progress: Progress) -> Optional[Callable[[Dict[str, Any]], Optional[bool]]]:
    """None/False: no progress; True: a Printer; a callable: called with a dict (unit, done,
    total, done_this_run, failed, elapsed_seconds) about every half second; returning False
    stops the call cleanly."""
    if progress is None or progress is False:
        return None
    if progress is True:
        return Printer()
    if callable(progress):
        return progress
    raise TypeError(f"progress: expected True, False, None or a callable, got {progress!r}")
