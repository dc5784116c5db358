"""What the benchmark scripts share: peak memory and a timed step line."""

from __future__ import annotations

import resource
import sys
import time


def peak_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss), in MB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def step(name: str, t0: float) -> float:
    """Print the wall time since ``t0`` and the peak memory; return the time now."""
    now = time.perf_counter()
    print(f"{name:<28} {now - t0:8.2f} s   peak {peak_mb():8.0f} MB", flush=True)
    return now
