"""Time ``jingzhun audit`` at scale: generate, read, audit, write; wall time and peak memory per step.

    .venv/bin/python benchmarks/bench_audit.py 100000 --payments-per-household 2 --anomalies 0.01 [--keep DIR]
    .venv/bin/python benchmarks/bench_audit.py 20000 --quality     # recall / precision per check only

The sample generator makes about 0.4 payments per household; ``--payments-per-household``
adds monthly 公益岗位 wages (12 a year, a recurring measure) to reach the ratio of the
performance target (2,000,000 payments for 1,000,000 households). Peak memory is the
process's ru_maxrss, which includes generation; the audit's own share is the growth
during its step. The audit is timed as a whole (``audit_year``, what ``jingzhun audit``
runs), then step by step (eligibility, checks, fund summaries, report model), then as
``jingzhun run`` calls it, with the identification it already has (``identified=``).
``--keep DIR`` writes the dataset there once and reuses it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from jingzhun.audit.core import audit
from jingzhun.audit.pipeline import TABLES, audit_year, eligibility_of, write_report
from jingzhun.audit.report import build_report
from jingzhun.audit.truth import score
from jingzhun.dataset import Dataset, load_year
from jingzhun.funds.summary import summarize, township_names
from jingzhun.identify.core import identify
from jingzhun.params import Params
from jingzhun.sample.anomalies import inject
from jingzhun.sample.generate import generate
from jingzhun.sample.write import write_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import peak_mb, step


def monthly_wages(pay: pd.DataFrame, hh: pd.DataFrame, year: int, per_household: float, rng) -> pd.DataFrame:
    """Add 12 monthly 公益岗位 payments for enough registered households to reach the ratio."""
    want = int(per_household * len(hh)) - len(pay)
    if want <= 0:
        return pay
    # households without a yearly 公益岗位 payment already: a wage and a yearly sum in one month
    # would be the same pay period twice (重复享受)
    has_job = pay.loc[pay["measure"] == "公益岗位", "household_id"]
    reg = hh[hh["registered"].astype(bool) & (hh["bank_account"] != "") & ~hh["household_id"].isin(has_job)]
    n = min(len(reg), want // 12)
    pick = reg.iloc[np.sort(rng.choice(len(reg), n, replace=False))]
    months = np.tile(np.arange(1, 13), n)
    idx = np.repeat(np.arange(n), 12)
    dates = pd.to_datetime({"year": year, "month": months, "day": 25}).to_numpy().astype("datetime64[s]")
    wages = pd.DataFrame(
        {
            "payment_id": np.char.add(f"GY{year}", np.char.zfill(np.arange(len(idx)).astype(str), 8)).astype(object),
            "project_id": "",
            "household_id": pick["household_id"].to_numpy()[idx],
            "payee_name": pick["head_name"].to_numpy()[idx],
            "payee_id_number": pick["head_id_number"].to_numpy()[idx],
            "bank_account": pick["bank_account"].to_numpy()[idx],
            "amount": 500.0,
            "pay_date": dates,
            "measure": "公益岗位",
            "purpose": np.char.add(np.char.add("公益岗位工资", months.astype(str)), "月").astype(object),
            "stage": "",
        }
    )  # monthly wages: a recurring measure, not one-off
    return pd.concat([pay, wages.astype(pay.dtypes.to_dict())], ignore_index=True)


def make_dataset(root: Path, a: argparse.Namespace) -> pd.DataFrame | None:
    """Generate and write one year with the payment ratio asked for; returns the truth table."""
    t = time.perf_counter()
    ys = next(generate(a.households, [a.year], a.seed))
    tables = ys.tables
    tables["payments"] = monthly_wages(
        tables["payments"], tables["households"], a.year, a.payments_per_household, np.random.default_rng(a.seed)
    )
    truth = None
    if a.anomalies > 0:
        tables, truth = inject(tables, np.random.default_rng([a.seed, 2]), a.anomalies)
    t = step("generate", t)
    for name, df in tables.items():
        write_table(df, root / str(a.year) / f"{name}.parquet", "parquet")
    if truth is not None:
        truth.to_parquet(root / "truth.parquet")
    step("write sample (parquet)", t)
    return truth


def quality(a: argparse.Namespace, params: Params) -> None:
    """Recall and precision per check on injected anomalies, and the findings the injection
    added on payments and projects that were not injected (false alarms on clean records),
    without the timing steps: generate, audit the clean year and the injected one in memory."""
    t = time.perf_counter()
    ys = next(generate(a.households, [a.year], a.seed))
    tables = ys.tables
    tables["payments"] = monthly_wages(
        tables["payments"], tables["households"], a.year, a.payments_per_household, np.random.default_rng(a.seed)
    )
    injected, truth = inject(tables, np.random.default_rng([a.seed, 2]), a.anomalies, params)
    print(
        f"  households {len(tables['households']):,}, payments {len(injected['payments']):,}, "
        f"injected records {truth[['payment_id', 'project_id']].drop_duplicates().shape[0]:,}"
    )
    t = step("generate and inject", t)
    clean = audit(tables, params, a.year)
    t = step("audit the clean year", t)
    result = audit(injected, params, a.year)
    t = step("audit the injected year", t)
    s = score(result.findings, truth)
    seen = set(zip(clean.findings["code"], clean.findings["table"], clean.findings["key"], strict=True))
    f = result.findings
    new = f[[k not in seen for k in zip(f["code"], f["table"], f["key"], strict=True)]]
    s_new = score(new, truth).set_index("expected_code")["false_positive"]
    s["new_false_alarms"] = s["expected_code"].map(s_new).fillna(0).astype(int)
    pd.set_option("display.width", 220)
    print(s.to_string(index=False))
    print("  clean year findings by code:", clean.findings["code"].value_counts().to_dict())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("households", type=int)
    ap.add_argument("--year", type=int, default=2017)
    ap.add_argument("--payments-per-household", type=float, default=2.0)
    ap.add_argument("--anomalies", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument("--keep", type=Path, default=None, help="reuse / keep the dataset in this folder")
    ap.add_argument(
        "--quality",
        action="store_true",
        help="only recall and precision per check, and new false alarms against the clean year",
    )
    a = ap.parse_args()
    params = Params.load()
    if a.quality:
        quality(a, params)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = a.keep if a.keep is not None else Path(tmp) / "ds"
        if (root / str(a.year)).is_dir():
            truth = pd.read_parquet(root / "truth.parquet") if (root / "truth.parquet").is_file() else None
        else:
            truth = make_dataset(root, a)
        t = time.perf_counter()
        yd = load_year(Dataset.open(root), a.year, TABLES)
        frames = yd.frames
        print(
            f"  households {len(frames['households']):,}, payments {len(frames['payments']):,}, "
            f"projects {len(frames['projects']):,}"
        )
        t = step("read (load_year)", t)
        before = peak_mb()
        report = audit_year(frames, params, a.year, reading=yd.findings)
        t = step("audit (audit_year)", t)
        print(f"  findings {len(report.findings):,}; peak grew {peak_mb() - before:.0f} MB during the audit")
        elig, _ = eligibility_of(frames, params, a.year)
        t = step("  eligibility", t)
        result = audit(frames, params, a.year, eligibility=elig)
        t = step("  checks", t)
        funds = summarize(result.ledger, frames.get("households"), frames.get("villages"), result.as_of)
        t = step("  fund summaries", t)
        build_report(result, funds, township_names(frames.get("households"), frames.get("villages")))
        t = step("  report model", t)
        identified = identify(frames, params, a.year).households
        t = step("identify (as jingzhun run)", t)
        audit_year(frames, params, a.year, reading=yd.findings, identified=identified)
        t = step("audit with identified=", t)
        out = Path(tmp) / "out"
        out.mkdir()
        write_report(report, out, xlsx=False)
        t = step("write report (csv/json/html)", t)
    if truth is not None:
        s = score(report.findings, truth)
        pd.set_option("display.width", 200)
        print(s.to_string(index=False))


if __name__ == "__main__":
    main()
