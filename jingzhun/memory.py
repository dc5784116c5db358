"""Peak memory of this process, portably (no ``resource``: it is POSIX only, and in a pool
or cluster worker ``ru_maxrss`` reports the parent's peak)."""

from __future__ import annotations


def peak_mb() -> float:
    """This process's peak memory in MB: ``VmHWM`` from ``/proc`` (Linux), else psutil's peak
    working set (Windows) when psutil is installed, else 0 (no figure)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    try:
        import psutil  # type: ignore[import-untyped]  # optional
    except ImportError:
        return 0.0
    peak = getattr(psutil.Process().memory_info(), "peak_wset", None)
    return peak / 2**20 if peak else 0.0
