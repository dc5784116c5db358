"""Time ``jingzhun report``'s steps on a synthetic dataset of N households per year.

    .venv/bin/python benchmarks/bench_report.py 100000 [--format parquet] [--keep DIR] [--no-steps]

Prints wall time and peak memory (ru_maxrss) after each step. The report's own work is
``build_report`` (indicators, trend, assessment) and ``write_report`` (CSV, XLSX, HTML);
the other lines are the steps it calls (read, identify, match, pairing, funds, audit).
``--no-steps`` builds the report from identify alone (what is left when every optional
input is missing).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from jingzhun.dataset import Dataset, load_year
from jingzhun.identify.core import identify
from jingzhun.params import Params
from jingzhun.report.inputs import MAIN_TABLES, TREND_TABLES, StepInputs, slim_households, step_inputs
from jingzhun.report.model import build_report
from jingzhun.report.write import write_report
from jingzhun.sample.build import build

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import step


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("households", type=int)
    ap.add_argument("--format", default="parquet", choices=["csv", "parquet"])
    ap.add_argument("--keep", type=Path, default=None, help="reuse / keep the dataset in this folder")
    ap.add_argument("--no-steps", action="store_true", help="identify only: no match, pairing, funds or audit")
    a = ap.parse_args()

    tmp = tempfile.TemporaryDirectory()
    root = a.keep if a.keep is not None else Path(tmp.name) / "ds"
    t = time.perf_counter()
    if not (root / "2016").is_dir():
        root.mkdir(parents=True, exist_ok=True)
        build(root, a.households, [2015, 2016], seed=2016, fmt=a.format)
        t = step(f"sample ({a.households} hh/year)", t)
    ds = Dataset.open(root)
    params = Params.load(root)
    yd = load_year(ds, 2016, MAIN_TABLES)
    t = step("read 2016", t)
    ident = identify(yd.frames, params, 2016)
    t = step("identify 2016", t)
    steps = StepInputs() if a.no_steps else step_inputs(yd.frames, params, 2016, ident)
    t = step("match, pairing, funds, audit", t)
    y15 = load_year(ds, 2015, TREND_TABLES)
    ident15 = identify(y15.frames, params, 2015)
    hh15 = slim_households(y15.frames["households"])
    del y15
    t = step("read + identify 2015", t)
    model = build_report(
        params=params,
        data_year=2016,
        identify_by_year={2015: ident15, 2016: ident},
        households_by_year={2015: hh15, 2016: slim_households(yd.frames["households"])},
        match_result=steps.match_result,
        plan_result=steps.pairing,
        funds=steps.funds,
        audit_report=steps.audit_report,
        notes=steps.notes,
    )
    t = step("build_report", t)
    print(f"  rows: {model.indicators['level'].value_counts().to_dict()}, trend {len(model.trend)}")
    write_report(model, Path(tmp.name) / "out" / "report", xlsx=True, links=None)
    t = step("write_report (csv+xlsx+html)", t)
    tmp.cleanup()


if __name__ == "__main__":
    main()
