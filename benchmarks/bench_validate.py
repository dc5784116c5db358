"""Time and peak memory of ``jingzhun validate`` per step: read, schema, IDs, cross-table.

    python benchmarks/bench_validate.py DATASET [--year 2016]

Make the dataset first, e.g. ``jingzhun sample /tmp/bench --households 100000 --years 2016
--format parquet`` (or ``--format csv --encoding gbk``). Peak memory is the process's
ru_maxrss after each step (it only grows), then the largest of the two check workers
(validate runs the schema and plain rules in one forked process, the ID checks and ID
rules in another; their step times overlap).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from jingzhun.dataset import Dataset, load_year
from jingzhun.params import Params
from jingzhun.schema.validate import validate_year

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import PssSampler


def peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--year", type=int, default=None)
    args = ap.parse_args()

    ds = Dataset.open(args.dataset)
    year = ds.resolve_year(args.year)
    params = Params.load(ds.root)

    t0 = time.perf_counter()
    data = load_year(ds, year)
    read_s = time.perf_counter() - t0
    read_mb = peak_mb()
    rows = {t: len(f) for t, f in data.frames.items()}
    formats = sorted({s.format for s in data.sources.values()})

    t1 = time.perf_counter()
    with PssSampler() as pss:
        result = validate_year(data, params)
    validate_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    rendered = result.render()
    render_s = time.perf_counter() - t2

    print(f"dataset {args.dataset} year {year} formats {','.join(formats)}")
    print("rows " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
    print(f"{'step':<12}{'seconds':>10}")
    print(f"{'read':<12}{read_s:>10.2f}   peak {read_mb:,.0f} MB after reading")
    for step, sec in result.seconds.items():
        print(f"{step:<12}{sec:>10.2f}")
    print(f"{'render':<12}{render_s:>10.2f}")
    total = read_s + validate_s + render_s
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"{'total':<12}{total:>10.2f}   peak {peak_mb():,.0f} MB (this process), {workers:,.0f} MB (largest "
        f"check worker), {pss.peak:,.0f} MB (all processes together, PSS)"
    )
    print(
        f"findings {len(rendered):,}: "
        + ", ".join(f"{k} {v}" for k, v in result.summary(rendered)["by_severity"].items())
    )


if __name__ == "__main__":
    main()
