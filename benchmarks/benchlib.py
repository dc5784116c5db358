"""What the benchmark scripts share: peak memory and a timed step line."""

from __future__ import annotations

import resource
import sys
import threading
import time
from pathlib import Path


def peak_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss), in MB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def step(name: str, t0: float) -> float:
    """Print the wall time since ``t0`` and the peak memory; return the time now."""
    now = time.perf_counter()
    print(f"{name:<28} {now - t0:8.2f} s   peak {peak_mb():8.0f} MB", flush=True)
    return now


def tree_pss_mb(root: int) -> float:
    """Proportional set size of ``root`` and its descendants (Linux /proc; shared pages split, not doubled)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
                    break
        except OSError:
            continue
    return total


class PssSampler:
    """Peak proportional set size of this process and its children, sampled in a thread."""

    def __init__(self, interval: float = 0.5) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        import os

        while not self._stop.wait(interval):
            self.peak = max(self.peak, tree_pss_mb(os.getpid()))

    def __enter__(self) -> PssSampler:
        if Path("/proc").is_dir():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
