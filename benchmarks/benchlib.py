"""What the benchmark scripts share: peak memory and a timed step line."""

from __future__ import annotations

import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any


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


def run_serially() -> None:
    """Run jingzhun's threaded pieces inline, so that cProfile (which sees one thread) sees all
    the work: the units of a ``ThreadExecutor`` (reading a year's tables, validate's checks,
    match's two sides, large CSVs) and the readers' column conversions. Imports pandas."""
    from jingzhun import executors
    from jingzhun.io import read

    executors.ThreadExecutor.map = lambda self, fn, items: [fn(u) for u in items]
    executors.ThreadExecutor.submit = executors.SerialExecutor.submit
    read.PARALLEL_ROWS = sys.maxsize


# A jingzhun command under cProfile, serially: python -c PROFILE_COMMAND BENCHDIR OUT.prof ARGV...
PROFILE_COMMAND = """
import cProfile, runpy, sys
sys.path.insert(0, sys.argv[1])
from benchlib import run_serially
run_serially()
prof, sys.argv = sys.argv[2], ["jingzhun", *sys.argv[3:]]
cProfile.run("runpy.run_module('jingzhun.cli', run_name='__main__', alter_sys=True)", prof)
"""


# Frames above a command's own work in a cProfile listing.
_WRAPPERS = (
    "click/",
    "typer/",
    "runpy.py",
    "cProfile.py",
    "<frozen runpy>",
    "jingzhun/cli",
    "<built-in method builtins.exec>",
    "benchmarks/bench_",
    "benchlib.py",
)


def print_top(stats: Any, n: int, what: str) -> None:
    """Print the ``n`` functions of the largest cumulative time of a ``pstats.Stats``, below the
    command-line and benchmark wrappers, with all imports on one line."""
    rows, imports = [], 0.0
    for (path, lineno, func), (_cc, calls, own, cum, _callers) in stats.stats.items():
        where = f"{path}:{lineno}({func})"
        if "importlib" in where or "__import__" in where:  # one line for all imports
            imports = max(imports, cum) if func == "_find_and_load" else imports
            continue
        if any(w in where for w in _WRAPPERS) or func == "<module>" or "'disable' of '_lsprof" in where:
            continue
        rows.append((cum, own, calls, where))
    rows.sort(reverse=True)
    print(f"  top {n} by cumulative time under cProfile ({what}); imports {imports:.2f} s in all:")
    for cum, own, calls, where in rows[:n]:
        short = where.split("site-packages/")[-1].split("/work/")[-1]
        print(f"    cum {cum:7.2f} s  own {own:6.2f} s  calls {calls:>9,}  {short}", flush=True)
