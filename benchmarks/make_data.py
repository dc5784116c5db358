"""Build province-scale sample datasets with `jingzhun sample` and report time and peak memory.

    python benchmarks/make_data.py 1000000 --out bench-data      # full scale (later)
    python benchmarks/make_data.py 100000 --out /tmp/bench-data  # what this machine runs now

Writes OUT/parquet (Parquet) and OUT/gbk (GBK CSV), two data years each. Each build runs
as a child process; its wall time and peak resident memory (getrusage RUSAGE_CHILDREN,
ru_maxrss) are printed per step.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path


def step(name: str, args: list[str]) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run(args, check=True)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    note = "" if peak > before else " (peak of an earlier step; run steps separately for exact figures)"
    print(f"{name:<24} wall {wall:8.1f} s   peak {peak / 1024:8.0f} MiB{note}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("households", type=int, help="households per year, e.g. 1000000")
    ap.add_argument("--out", type=Path, default=Path("bench-data"))
    ap.add_argument("--years", default="2015-2016")
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument("--only", choices=("parquet", "gbk"), help="build one of the two datasets")
    a = ap.parse_args()
    base = [
        sys.executable,
        "-m",
        "jingzhun.cli",
        "--quiet",
        "sample",
        "--households",
        str(a.households),
        "--years",
        a.years,
        "--seed",
        str(a.seed),
    ]
    print(f"jingzhun sample: {a.households:,} households, years {a.years}")
    if a.only in (None, "parquet"):
        step("parquet", [*base[:5], str(a.out / "parquet"), *base[5:], "--format", "parquet"])
    if a.only in (None, "gbk"):
        step("gbk csv", [*base[:5], str(a.out / "gbk"), *base[5:], "--format", "csv", "--encoding", "gbk"])


if __name__ == "__main__":
    main()
