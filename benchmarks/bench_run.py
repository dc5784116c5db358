"""Time ``jingzhun run`` end to end, with wall time and peak memory per step.

    .venv/bin/python benchmarks/make_data.py 1000000 --out /work/bench1m --only parquet
    .venv/bin/python benchmarks/bench_run.py /work/bench1m/parquet --payments-per-household 2

``jingzhun sample`` makes about 0.4 payments per household; ``--payments-per-household``
builds a copy of the dataset (other tables linked, not copied) whose payments of the run
year are topped up with monthly 公益岗位 wages to reach the performance target's ratio
(2,000,000 payments for 1,000,000 households). The run is a child process: its wall time
and peak resident memory (``RUSAGE_CHILDREN``, the largest of the run and its worker
processes) are printed, with ``--pss`` the peak proportional set size of all its processes together
(sampled from /proc twice a second; shared pages counted once; the sampling slows the
run by about a tenth at full scale), then each step's seconds and peak from the run's ``manifest.json``.
Target (issue 7): 1M households / 3.5M members / 300k roster / 2M payments in 6 minutes
wall and 8 GB peak on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_audit import monthly_wages
from benchlib import tree_pss_mb

from jingzhun.dataset import Dataset
from jingzhun.sample.write import write_table


def topped_up(src: Path, dst: Path, year: int, per_household: float, seed: int) -> None:
    """Link every file of ``src`` into ``dst`` except the year's payments, written topped up."""
    for path in src.rglob("*"):
        if path.is_dir():
            continue
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.parent.name == str(year) and path.stem == "payments":
            continue
        if not target.exists():
            os.symlink(path.resolve(), target)
    if (dst / str(year) / "payments.parquet").exists():
        return
    pay = pd.read_parquet(src / str(year) / "payments.parquet")
    hh = pd.read_parquet(
        src / str(year) / "households.parquet",
        columns=["household_id", "registered", "bank_account", "head_name", "head_id_number"],
    )
    pay = monthly_wages(pay, hh, year, per_household, np.random.default_rng(seed))
    write_table(pay, dst / str(year) / "payments.parquet", "parquet")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", type=Path, help="a Parquet dataset of jingzhun sample (benchmarks/make_data.py)")
    ap.add_argument("--year", type=int, default=None, help="data year (default: the latest)")
    ap.add_argument("--payments-per-household", type=float, default=0.0)
    ap.add_argument("--work", type=Path, default=None, help="folder for the topped-up copy (kept; reused)")
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument("--no-docx", action="store_true")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument(
        "--pss",
        action="store_true",
        help="also sample the memory of all run processes together (costs the run some CPU time)",
    )
    a = ap.parse_args()
    year = a.year if a.year is not None else max(Dataset.open(a.dataset).years)
    with tempfile.TemporaryDirectory() as tmp:
        data = a.dataset
        if a.payments_per_household > 0:
            data = a.work if a.work is not None else Path(tmp) / "data"
            t = time.perf_counter()
            topped_up(a.dataset, data, year, a.payments_per_household, a.seed)
            print(f"top up payments            {time.perf_counter() - t:8.1f} s", flush=True)
        out = Path(tmp) / "out"
        args = [
            sys.executable,
            "-m",
            "jingzhun.cli",
            "--quiet",
            "run",
            str(data),
            "--year",
            str(year),
            "--out",
            str(out),
        ]
        if a.no_docx:
            args.append("--no-docx")
        if a.jobs is not None:
            args += ["--jobs", str(a.jobs)]
        t = time.perf_counter()
        proc = subprocess.Popen(args)
        pss = 0.0
        while proc.poll() is None:
            if a.pss and Path("/proc").is_dir():
                pss = max(pss, tree_pss_mb(proc.pid))
            time.sleep(0.5)
        rc = proc.returncode
        wall = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"jingzhun run (exit {rc})        wall {wall:8.1f} s   peak {peak:8.0f} MiB (largest process)", flush=True
        )
        if pss:
            print(f"  all processes together (PSS, sampled every 0.5 s): peak {pss:8.0f} MiB", flush=True)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        rows = {i["table"]: i.get("rows") for i in manifest.get("inputs", []) if f"/{year}/" in i.get("path", "")}
        print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in sorted(rows.items()) if v is not None))
        for s in manifest["steps"]:
            print(f"  {s['name']:<10} {s['status']:<8} {s['seconds']:8.1f} s   peak {s['peak_mb']:8.0f} MB")


if __name__ == "__main__":
    main()
