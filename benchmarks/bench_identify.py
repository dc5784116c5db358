"""Time ``identify`` and ``diff`` on a synthetic dataset of N households per year.

    .venv/bin/python benchmarks/bench_identify.py 100000 [--format parquet] [--keep DIR]

Prints wall time and peak memory (ru_maxrss) after each step. Targets at 1,000,000
households: identify ≤ 20 s after reading, diff of two years ≤ 30 s, peak ≤ 6 GB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from jingzhun.dataset import Dataset, load_year
from jingzhun.identify.core import identify
from jingzhun.identify.diff import diff_years
from jingzhun.params import Params
from jingzhun.sample.build import build

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import step


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("households", type=int)
    ap.add_argument("--format", default="parquet", choices=["csv", "parquet"])
    ap.add_argument("--keep", type=Path, default=None, help="reuse / keep the dataset in this folder")
    a = ap.parse_args()

    tmp = None
    root = a.keep
    if root is None:
        tmp = tempfile.TemporaryDirectory()
        root = Path(tmp.name) / "ds"
    t = time.perf_counter()
    if not (root / "2016").is_dir():
        root.mkdir(parents=True, exist_ok=True)
        build(root, a.households, [2015, 2016], seed=2016, fmt=a.format)
        t = step(f"sample ({a.households} hh/year)", t)
    ds = Dataset.open(root)
    params = Params.load(root)
    tables = ("households", "members", "villages", "crosscheck")
    y2 = load_year(ds, 2016, tables)
    t = step("read 2016", t)
    res = identify(y2.frames, params, 2016)
    t = step("identify 2016", t)
    print(f"  households {len(res.households)}, results {res.county['results']}")
    y1 = load_year(ds, 2015, ("households", "members"))
    t = step("read 2015", t)
    d = diff_years(y1.frames, y2.frames, 2015, 2016)
    t = step("diff 2015→2016", t)
    print(f"  {d.summary()}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
