"""Time and peak memory of ``jingzhun validate`` per step: read, schema, IDs, cross-table.

    python benchmarks/bench_validate.py DATASET [--year 2016] [--profile N]

Make the dataset first, e.g. ``jingzhun sample /tmp/bench --households 100000 --years 2016
--format parquet`` (or ``--format csv --encoding gbk``). The checks run as ``jingzhun
validate`` runs them: three units (schemas; ID classification and ID rules; row placement and
the other rules) on two threads, so their step times overlap. Peak memory is the process's
ru_maxrss after each step (it only grows) and the peak PSS while checking.
``--profile N`` then reads and checks once more under cProfile, serially (cProfile sees one
thread: :func:`benchlib.run_serially`), and prints the N functions of the largest cumulative time.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from jingzhun.county import settle
from jingzhun.dataset import Dataset, load_year
from jingzhun.executors import SERIAL, ThreadExecutor
from jingzhun.params import Params
from jingzhun.schema.validate import validate_year

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import PssSampler, print_top, run_serially


def peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--year", type=int, default=None)
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="list the N costliest functions")
    args = ap.parse_args()

    ds = Dataset.open(args.dataset)
    year = ds.resolve_year(args.year)
    params = Params.load(ds.root)

    t0 = time.perf_counter()
    data = load_year(ds, year)
    read_s = time.perf_counter() - t0
    read_mb = peak_mb()
    settle(params, data.frames)  # the county from the data, as the command does
    rows = {t: len(f) for t, f in data.frames.items()}
    formats = sorted({s.format for s in data.sources.values()})

    t1 = time.perf_counter()
    with PssSampler() as pss, ThreadExecutor(2) as executor:  # as `jingzhun validate` does
        result = validate_year(data, params, executor=executor)
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
    if args.profile:
        import cProfile
        import pstats

        del data, result, rendered
        run_serially()
        prof = cProfile.Profile()
        prof.enable()
        validate_year(load_year(ds, year), params, executor=SERIAL).render()
        prof.disable()
        print_top(pstats.Stats(prof), args.profile, f"read + validate {args.dataset} {year}, serial")


if __name__ == "__main__":
    main()
