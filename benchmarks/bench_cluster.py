"""A province run over a store, through the local or the Dask engine, with the scale-out figures.

    .venv/bin/python benchmarks/bench_cluster.py --households 1000000 --counties 100 --workers 1 2
    .venv/bin/python benchmarks/bench_cluster.py --households 200000 --counties 20 --workers 2

Builds ``jingzhun sample --counties N`` (parquet) once under ``--work``, ingests it into a store
(timed), then for each worker count runs every county task on a ``distributed.LocalCluster``
(processes, one thread each) and prints: counties, tasks, wall time, total and largest task CPU
seconds, peak memory per worker (VmHWM read inside the worker, /proc/self/status), cluster
start-up, seconds per global pass, merge and manifest seconds, files and bytes written, and
the driver's own peak (VmHWM). ``--no-books`` by default (books are files, not CPU; see README).
Targets on 2 cores: 1M households within 6 minutes, no process above 2 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from jingzhun.memory import peak_mb
from jingzhun.pipeline import RunOptions
from jingzhun.province.dask_engine import DaskExecutor
from jingzhun.province.run import run_store


def make_sample(work: Path, households: int, counties: int) -> Path:
    src = work / f"sample-{households}-{counties}"
    if not src.is_dir():
        cmd = [sys.executable, "-m", "jingzhun.cli", "-q", "sample", str(src)]
        cmd += ["--households", str(households), "--counties", str(counties), "--format", "parquet"]
        subprocess.run(cmd, check=True)
    return src


def written(out: Path) -> tuple[int, int]:
    files = [p for p in out.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def run_once(store: Path, out: Path, workers: int, books: bool) -> dict[str, object]:
    t0 = time.perf_counter()
    ex = DaskExecutor(workers=workers)
    startup = time.perf_counter() - t0
    try:
        t1 = time.perf_counter()
        res = run_store(store, out, RunOptions(xlsx=False, docx=False, books=books), ex, engine="dask")
        wall = time.perf_counter() - t1
    finally:
        ex.close()
    files, size = written(out)
    cpu = [r.cpu_seconds for r in res.tasks]
    return {
        "workers": workers,
        "counties": len(res.tasks),
        "tasks": len(res.tasks),
        "failed": sum(not r.ok for r in res.tasks),
        "cluster_startup_s": round(startup, 2),
        "wall_s": round(wall, 1),
        "task_cpu_total_s": round(sum(cpu), 1),
        "task_cpu_largest_s": round(max(cpu, default=0.0), 1),
        "task_cpu_per_county_s": round(sum(cpu) / max(1, len(cpu)), 2),
        "worker_peak_mb": round(max((r.peak_mb for r in res.tasks), default=0.0)),
        "passes_s": res.passes.seconds,
        "tasks_s": round(res.timings.get("tasks", 0.0), 1),
        "merge_s": round(res.timings.get("merge", 0.0), 2),
        "manifest_s": round(res.timings.get("manifest", 0.0), 2),
        "files": files,
        "bytes": size,
        "driver_peak_mb": round(peak_mb()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=200_000)
    ap.add_argument("--counties", type=int, default=20)
    ap.add_argument("--workers", type=int, nargs="+", default=[2])
    ap.add_argument("--work", type=Path, default=Path("/tmp/jingzhun-bench-cluster"))
    ap.add_argument("--books", action="store_true", help="also write the books (files per household)")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    src = make_sample(a.work, a.households, a.counties)
    print(f"sample {time.perf_counter() - t0:.1f} s", flush=True)
    store = a.work / f"store-{a.households}-{a.counties}"
    t0 = time.perf_counter()
    # In its own process, as `jingzhun ingest` runs: the driver's peak below is then the run's own.
    code = "import sys; from pathlib import Path; from jingzhun.province.ingest import ingest; "
    code += "from jingzhun.memory import peak_mb; ingest([Path(sys.argv[1])], Path(sys.argv[2])); "
    code += "print(round(peak_mb()))"
    cmd = [sys.executable, "-c", code, str(src), str(store)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    print(f"ingest {time.perf_counter() - t0:.1f} s, peak {done.stdout.strip()} MB", flush=True)
    for w in a.workers:
        figures = run_once(store, a.work / f"out-{w}", w, a.books)
        print(json.dumps(figures, ensure_ascii=False), flush=True)


if __name__ == "__main__":  # a LocalCluster's worker processes import this module (dask/distributed#4751)
    main()
