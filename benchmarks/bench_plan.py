"""Time `plan` (measures, pairing, all books) and notices at a given scale.

    .venv/bin/python benchmarks/bench_plan.py 100000 [--no-docx] [--out DIR] [--jobs N]
    .venv/bin/python benchmarks/bench_plan.py 0 --dataset /tmp/bench100   # a `jingzhun sample` folder
    .venv/bin/python benchmarks/bench_plan.py 0 --dataset /tmp/bench100 --profile 30

Without ``--dataset`` it builds typed frames in memory (about 40 households per village,
4 members per household, 90% registered: a worst case for cards); with it, it reads a
dataset folder (e.g. ``benchmarks/make_data.py`` output: 37% registered) and runs
identification first, as ``jingzhun plan`` does. Each step prints wall time, CPU time
(this process and its workers; wall time is unreliable on a loaded machine) and peak
memory (ru_maxrss of this process or its largest worker). ``--profile N`` then makes the plans,
the document model and every book once more under cProfile, serially (cProfile sees one thread
and none of the worker processes), and prints the N functions of the largest cumulative time.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from jingzhun.executors import SERIAL, make_executor
from jingzhun.params import Params
from jingzhun.plan import docs
from jingzhun.plan.books import write_books
from jingzhun.plan.core import make_plans
from jingzhun.plan.notice_docs import write_notices
from jingzhun.plan.notices import common, household_notices
from jingzhun.tablespec import conform

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import print_top, run_serially

CAUSES = np.array(
    ["因病", "因残", "因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳力", "缺资金", "交通条件落后", "自身发展动力不足"]
)
CATS = np.array(["一般贫困户", "低保贫困户", "特困供养贫困户"])
HEALTH = np.array(["健康", "健康", "健康", "长期慢性病", "患有大病", "残疾"])
LABOR = np.array(["普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力"])
SCHOOL = np.array(["", "", "", "小学", "七年级", "高中一年级", "中职一年级"])


def frames(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    n_v = max(1, n // 40)
    vcodes = np.array([f"421121{1 + v // 40:03d}{1 + v % 40:03d}" for v in range(n_v)])
    village = np.sort(rng.integers(0, n_v, n))
    hid = np.array([f"H{i:08d}" for i in range(n)])
    size = rng.integers(1, 7, n)
    h = pd.DataFrame(
        {
            "household_id": pd.array(hid, dtype="str"),
            "village_code": pd.array(vcodes[village], dtype="str"),
            "village_name": pd.array(np.char.add("村", village.astype(str)), dtype="str"),
            "township_name": pd.array(np.char.add("镇", (village // 40).astype(str)), dtype="str"),
            "group_name": pd.array(np.char.add(rng.integers(1, 9, n).astype(str), "组"), dtype="str"),
            "head_name": pd.array(np.char.add("户主", np.arange(n).astype(str)), dtype="str"),
            "household_size": pd.array(size, dtype="Int64"),
            "registered": pd.array(rng.random(n) < 0.9, dtype="boolean"),
            "category": pd.array(CATS[rng.integers(0, 3, n)], dtype="str"),
            "status": pd.array(np.where(rng.random(n) < 0.1, "已脱贫(不再享受政策)", "未脱贫"), dtype="str"),
            "identified_year": pd.array(rng.integers(2014, 2017, n), dtype="Int64"),
            "main_cause": pd.array(CAUSES[rng.integers(0, len(CAUSES), n)], dtype="str"),
            "dangerous_house": pd.array(rng.random(n) < 0.1, dtype="boolean"),
            "relocation_willing": pd.array(rng.random(n) < 0.05, dtype="boolean"),
            "drinking_water_safe": pd.array(rng.random(n) < 0.9, dtype="boolean"),
            "cadre_id": pd.array(
                np.where(rng.random(n) < 0.5, np.char.add("C", rng.integers(0, n // 5, n).astype(str)), None),
                dtype="str",
            ),
        }
    )
    m_h = np.repeat(np.arange(n), size)
    k = len(m_h)
    birth = pd.to_datetime("1940-01-01") + pd.to_timedelta(rng.integers(0, 365 * 70, k), unit="D")
    m = pd.DataFrame(
        {
            "household_id": pd.array(hid[m_h], dtype="str"),
            "id_number": pd.array(np.char.add("421121", birth.strftime("%Y%m%d").to_numpy(dtype=str)), dtype="str"),
            "name": pd.array(np.char.add("成员", np.arange(k).astype(str)), dtype="str"),
            "sex": pd.array(np.where(rng.random(k) < 0.5, "男", "女"), dtype="str"),
            "relation": pd.array(np.where(np.r_[True, m_h[1:] != m_h[:-1]], "户主", "之子"), dtype="str"),
            "birth_date": birth,
            "health": pd.array(HEALTH[rng.integers(0, len(HEALTH), k)], dtype="str"),
            "labor": pd.array(LABOR[rng.integers(0, len(LABOR), k)], dtype="str"),
            "school_status": pd.array(SCHOOL[rng.integers(0, len(SCHOOL), k)], dtype="str"),
        }
    )
    n_c = n // 5
    c = pd.DataFrame(
        {
            "cadre_id": pd.array(np.char.add("C", np.arange(n_c).astype(str)), dtype="str"),
            "name": pd.array(np.char.add("干部", np.arange(n_c).astype(str)), dtype="str"),
            "unit": pd.array(["县直单位"] * n_c, dtype="str"),
            "rank": pd.array(np.array(["一般干部", "乡科级副职", "村干部"])[rng.integers(0, 3, n_c)], dtype="str"),
            "township_code": pd.array(np.array([v[:9] for v in vcodes])[rng.integers(0, n_v, n_c)], dtype="str"),
        }
    )
    ident = pd.DataFrame(
        {"household_id": h["household_id"], "exit_ready": pd.array(rng.random(n) < 0.15, dtype="boolean")}
    )
    return conform("households", h), conform("members", m), conform("cadres", c), ident


def mem_mb() -> float:
    """Peak resident memory of this process or its largest worker, MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def cpu_s() -> float:
    r = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(x.ru_utime + x.ru_stime for x in r)


def from_dataset(root: Path, year: int, params: Params):
    from jingzhun.dataset import Dataset, load_year
    from jingzhun.identify.core import identify

    yd = load_year(Dataset.open(root), year, ("households", "members", "villages", "cadres", "crosscheck"))
    ident = identify(yd.frames, params, year).households
    f = yd.frames
    return f["households"], f.get("members"), f.get("cadres"), ident, f.get("villages")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--no-docx", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: books.default_jobs())")
    ap.add_argument("--dataset", type=Path, default=None, help="read this dataset folder instead of making frames")
    ap.add_argument("--year", type=int, default=2016)
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="list plan's N costliest functions")
    a = ap.parse_args()
    out = a.out or Path(tempfile.mkdtemp(prefix="bench_plan_"))
    params = Params.load()
    t0 = time.perf_counter()
    c0 = [cpu_s()]

    def step(name: str, since: float) -> float:
        now, c = time.perf_counter(), cpu_s()
        print(f"{name:<34} {now - since:8.2f} s wall {c - c0[0]:8.2f} s cpu   peak {mem_mb():8.0f} MB", flush=True)
        c0[0] = c
        return now

    villages = None
    if a.dataset is not None:
        h, m, c, ident, villages = from_dataset(a.dataset, a.year, params)
        t = step(f"read + identify ({len(h)} households)", t0)
    else:
        h, m, c, ident = frames(a.n)
        t = step(f"frames ({a.n} households)", t0)
    start = t
    county = {"code": "421121", "name": "团风县", "province": "湖北省", "issuer": "x"}
    result = make_plans(h, m, c, params, a.year, ident)
    t = step("measures + pairing", t)
    model = docs.build(result, h, m, c, villages, county, a.year, ident)
    t = step(f"document model ({len(model.cards)} cards)", t)
    executor = make_executor(a.jobs)
    files = write_books(model, out / "books", None, docx=not a.no_docx, executor=executor)
    t = step(f"books ({len(files)} files, {executor.jobs} jobs)", t)
    print(f"{'plan total':<34} {t - start:8.2f} s", flush=True)
    if a.profile:
        import cProfile
        import pstats

        del model
        run_serially()
        prof = cProfile.Profile()
        prof.enable()
        again = make_plans(h, m, c, params, a.year, ident)
        model = docs.build(again, h, m, c, villages, county, a.year, ident)
        write_books(model, out / "books-profiled", None, docx=not a.no_docx, executor=SERIAL)
        prof.disable()
        del again, model
        print_top(pstats.Stats(prof), a.profile, "plans, document model and books, serial")
        shutil.rmtree(out / "books-profiled", ignore_errors=True)
        t, c0[0] = time.perf_counter(), cpu_s()
    n0 = t
    for kind in ("identification", "exit"):
        ns = household_notices(kind, h, villages, a.year, identified=ident)
        nc = common(kind, params, a.year, date(a.year, 3, 1))
        _, written = write_notices(ns, nc, out / "notice" / kind, None, docx=not a.no_docx, executor=executor)
        t = step(f"notices {kind} ({len(written)})", t)
    executor.close()
    print(f"{'notices total':<34} {t - n0:8.2f} s   peak {mem_mb():8.0f} MB")
    if a.out is None:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
