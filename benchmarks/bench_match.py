"""Benchmark of ``jingzhun match``: speed, memory and quality against a known truth.

Generates a county of N households (about 3.5 members each) and a 低保/特困 roster in the
target's proportion (300,000 roster rows per 3.5M members, 15% of them 民政-only people),
with damaged IDs (missing, 15-digit,
one mistyped digit, two swapped digits, Excel-damaged, full-width/space/lower-case x)
and name variants (homophones, traditional forms, variant characters), then times
``match`` and scores it against the truth.

    .venv/bin/python benchmarks/bench_match.py 100000
    .venv/bin/python benchmarks/bench_match.py 20000 --write /tmp/ds   # also a dataset folder

Target (full scale, 1M households ≈ 3.5M members vs 300k roster): 60 s, 6 GB,
F1 ≥ 0.99, precision ≥ 0.995.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jingzhun.ids import CHECK_CHARS, WEIGHTS
from jingzhun.match import match
from jingzhun.match.evaluate import evaluate
from jingzhun.params import Params

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国红玉兰凤春梅生林文云海波斌辉鹏飞宇新荣志清德成水珍莲花香"
)
# one-character variants a clerk might type: homophones, traditional forms, variant characters
VARIANT = {
    "伟": "玮",
    "芳": "方",
    "娜": "纳",
    "英": "瑛",
    "敏": "民",
    "静": "靜",
    "丽": "莉",
    "强": "強",
    "磊": "垒",
    "军": "君",
    "洋": "阳",
    "勇": "永",
    "艳": "燕",
    "杰": "傑",
    "娟": "鹃",
    "涛": "韬",
    "明": "铭",
    "霞": "侠",
    "平": "萍",
    "刚": "钢",
    "桂": "贵",
    "华": "華",
    "建": "健",
    "国": "國",
    "红": "虹",
    "玉": "钰",
    "兰": "蘭",
    "凤": "鳳",
    "春": "椿",
    "梅": "玫",
    "生": "升",
    "林": "琳",
    "文": "雯",
    "云": "芸",
    "海": "亥",
    "波": "博",
    "斌": "彬",
    "辉": "晖",
    "鹏": "朋",
    "飞": "菲",
    "宇": "雨",
    "新": "欣",
    "荣": "蓉",
    "志": "智",
    "清": "青",
    "德": "得",
    "成": "诚",
    "水": "氵",
    "珍": "贞",
    "莲": "蓮",
    "花": "华",
    "香": "湘",
    "秀": "琇",
    "超": "潮",
}
FULL_MEMBERS = 3_500_000
FULL_ROSTER = 300_000
OUTSIDE_SHARE = 0.15  # 民政-only roster people per roster person found in the register
TAKE_IN_HOUSEHOLD = 0.93  # members of a covered household who are on the roster
RELATIONS = ["户主", "配偶", "之子", "之女", "之孙子", "之孙女", "之父", "之母"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(name: str, t0: float) -> float:
    t1 = time.perf_counter()
    print(f"{name:<28} {t1 - t0:8.2f} s   peak {peak_mb():8.0f} MB", flush=True)
    return t1


def make_ids(rng: np.random.Generator, n: int, region: str = "421121") -> np.ndarray:
    days = rng.integers(0, (pd.Timestamp("2015-12-31") - pd.Timestamp("1930-01-01")).days, n)
    birth = (pd.Timestamp("1930-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y%m%d").to_numpy()
    seq = rng.integers(0, 1000, n)
    body = np.char.add(np.char.add(region, birth.astype("U8")), np.char.zfill(seq.astype("U3"), 3))
    d = np.frombuffer("".join(body.tolist()).encode(), dtype=np.uint8).reshape(-1, 17) - ord("0")
    chk = np.array(list(CHECK_CHARS))[(d.astype(np.int64) @ WEIGHTS) % 11]
    return np.char.add(body, chk)


def make_names(rng: np.random.Generator, n: int) -> np.ndarray:
    s = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    g1 = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    g2 = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    two = rng.random(n) < 0.7
    return np.where(two, np.char.add(np.char.add(s, g1), g2), np.char.add(s, g1))


def vary_name(rng: np.random.Generator, names: np.ndarray) -> np.ndarray:
    out = []
    for nm in names.tolist():  # only the ~10% of roster names that get a variant
        pos = [i for i, c in enumerate(nm) if i > 0 and c in VARIANT]
        if not pos:
            out.append(nm)
            continue
        i = pos[int(rng.integers(0, len(pos)))]
        out.append(nm[:i] + VARIANT[nm[i]] + nm[i + 1 :])
    return np.array(out, dtype=object)


def damage_ids(rng: np.random.Generator, ids: np.ndarray, kind: np.ndarray) -> np.ndarray:
    out = ids.astype(object).copy()
    for i in np.flatnonzero(kind != "clean"):  # ~15% of roster rows
        s, k = str(ids[i]), kind[i]
        if k == "missing":
            out[i] = None
        elif k == "old15" and s[6:8] == "19":  # first-generation numbers: born before 2000
            out[i] = s[:6] + s[8:17]
        elif k == "old15":
            out[i] = s.lower().replace("x", "x") + " "
        elif k == "typo":
            p = int(rng.integers(0, 17))
            out[i] = s[:p] + str((int(s[p]) + int(rng.integers(1, 10))) % 10) + s[p + 1 :]
        elif k == "swap":
            cand = [p for p in range(16) if s[p] != s[p + 1]]
            p = cand[int(rng.integers(0, len(cand)))] if cand else 0
            out[i] = s[:p] + s[p + 1] + s[p] + s[p + 2 :]
        elif k == "excel18":
            out[i] = s[:15] + "000"
        elif k == "excel_sci":
            out[i] = f"{s[0]}.{s[1:12]}E+17"
        elif k == "format":
            out[i] = " ".join([s[:6], s[6:14], s[14:]]).translate(str.maketrans("0123456789X", "０１２３４５６７８９x"))
    return out


def generate(n_households: int, seed: int = 7) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_vill = max(1, n_households // 400)
    vcodes = np.array([f"421121{100 + v // 20:03d}{200 + v % 20:03d}" for v in range(n_vill)])
    hh_village = vcodes[rng.integers(0, n_vill, n_households)]
    size = rng.choice([1, 2, 3, 4, 5, 6], n_households, p=[0.1, 0.15, 0.2, 0.3, 0.15, 0.1])
    hids = np.char.add("H", np.char.zfill(np.arange(n_households).astype("U9"), 9))
    m_hh = np.repeat(np.arange(n_households), size)
    n_mem = len(m_hh)
    first = np.r_[0, np.cumsum(size)[:-1]]
    pos = np.arange(n_mem) - np.repeat(first, size)
    relation = np.array(RELATIONS)[np.minimum(pos, len(RELATIONS) - 1)]
    mid = make_ids(rng, n_mem)
    dup = pd.Series(mid).duplicated().to_numpy()
    mid[dup] = make_ids(rng, int(dup.sum()), region="421122")
    mname = make_names(rng, n_mem)
    surname = np.array([s[0] for s in mname.tolist()])
    mname = np.where(pos == 0, mname, mname)  # members keep their own names
    dead = rng.random(n_mem) < 0.01
    registered = rng.random(n_households) < 0.35
    category = np.where(
        registered, rng.choice(["一般贫困户", "低保贫困户", "特困供养贫困户"], n_households, p=[0.7, 0.25, 0.05]), None
    )
    members = pd.DataFrame(
        {
            "_row": pd.array(np.arange(1, n_mem + 1), dtype="Int64"),
            "household_id": pd.Series(hids[m_hh], dtype="str"),
            "id_number": pd.Series(mid, dtype="str"),
            "name": pd.Series(mname, dtype="str"),
            "relation": pd.Series(relation, dtype="str"),
            "change_reason": pd.Series(np.where(dead, "死亡", None), dtype="str"),
            "change_date": pd.Series(np.where(dead, pd.Timestamp("2016-03-01"), pd.NaT)).astype("datetime64[s]"),
        }
    )
    del surname
    households = pd.DataFrame(
        {
            "_row": pd.array(np.arange(1, n_households + 1), dtype="Int64"),
            "household_id": pd.Series(hids, dtype="str"),
            "village_code": pd.Series(hh_village, dtype="str"),
            "head_name": pd.Series(mname[first], dtype="str"),
            "household_size": pd.array(size, dtype="Int64"),
            "registered": pd.array(registered, dtype="boolean"),
            "category": pd.Series(category, dtype="str"),
            "wage_income": pd.array(rng.integers(0, 20000, n_households).astype(float), dtype="Float64"),
            "business_income": pd.array(rng.integers(0, 5000, n_households).astype(float), dtype="Float64"),
            "property_income": pd.array(np.zeros(n_households), dtype="Float64"),
            "business_expense": pd.array(np.zeros(n_households), dtype="Float64"),
            "dibao_benefit": pd.array(np.zeros(n_households), dtype="Float64"),
            "tekun_benefit": pd.array(np.zeros(n_households), dtype="Float64"),
        }
    )
    # roster: FULL_ROSTER / FULL_MEMBERS of the members count, mostly whole households,
    # of which OUTSIDE_SHARE are 民政-only people
    hh_on = rng.random(n_households) < FULL_ROSTER / FULL_MEMBERS / (1 + OUTSIDE_SHARE) / TAKE_IN_HOUSEHOLD
    take = hh_on[m_hh] & (rng.random(n_mem) < TAKE_IN_HOUSEHOLD)
    in_reg = np.flatnonzero(take)
    n_in = len(in_reg)
    n_out = int(n_in * OUTSIDE_SHARE)
    out_ids = make_ids(rng, n_out, region="421121")
    out_ids = out_ids[~np.isin(out_ids, mid)]
    n_out = len(out_ids)
    r_ids = np.concatenate([mid[in_reg], out_ids])
    r_names = np.concatenate([mname[in_reg], make_names(rng, n_out)]).astype(object)
    r_vill = np.concatenate([hh_village[m_hh[in_reg]], vcodes[rng.integers(0, n_vill, n_out)]])
    r_rel = np.concatenate([relation[in_reg], np.array(RELATIONS)[rng.integers(0, 2, n_out)]]).astype(object)
    n_r = len(r_ids)
    kind = rng.choice(
        ["clean", "missing", "old15", "typo", "swap", "excel18", "excel_sci", "format"],
        n_r,
        p=[0.85, 0.04, 0.03, 0.025, 0.01, 0.02, 0.01, 0.015],
    )
    vary = rng.random(n_r) < 0.10
    r_names[vary] = vary_name(rng, r_names[vary])
    r_rel[rng.random(n_r) < 0.1] = None
    program = np.where(rng.random(n_r) < 0.9, "农村低保", "特困供养")
    order = rng.permutation(n_r)
    rec = np.char.add("D", np.char.zfill(np.arange(n_r).astype("U9"), 9))
    dibao = pd.DataFrame(
        {
            "_row": pd.array(np.arange(1, n_r + 1), dtype="Int64"),
            "record_id": pd.Series(rec, dtype="str"),
            "id_number": pd.Series(damage_ids(rng, r_ids, kind)[order], dtype="str"),
            "name": pd.Series(r_names[order], dtype="str"),
            "village_code": pd.Series(r_vill[order], dtype="str"),
            "relation": pd.Series(r_rel[order], dtype="str"),
            "program": pd.Series(program[order], dtype="str"),
            "monthly_amount": pd.array(np.full(n_r, 250.0), dtype="Float64"),
            "start_date": pd.Series(pd.Timestamp("2014-01-01"), index=range(n_r)).astype("datetime64[s]"),
            "end_date": pd.Series(pd.NaT, index=range(n_r)).astype("datetime64[s]"),
        }
    )
    true_ids = np.concatenate([mid[in_reg], np.full(n_out, None)])[order]
    true_hh = np.concatenate([hids[m_hh[in_reg]], np.full(n_out, None)])[order]
    truth = pd.DataFrame(
        {
            "record_id": rec,
            "household_id": pd.Series(true_hh, dtype="str"),
            "id_number": pd.Series(true_ids, dtype="str"),
        }
    )
    return {"households": households, "members": members, "dibao": dibao}, truth


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("households", type=int, nargs="?", default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--write", type=Path, default=None, help="also write a dataset folder (2016/) and the truth file")
    a = ap.parse_args()
    t0 = time.perf_counter()
    frames, truth = generate(a.households, a.seed)
    t0 = step("generate", t0)
    n_mem, n_ros = len(frames["members"]), len(frames["dibao"])
    print(
        f"register members {n_mem:,}, roster rows {n_ros:,} ({n_ros / n_mem:.2%}; target "
        f"{FULL_ROSTER / FULL_MEMBERS:.2%})"
    )
    if a.write:
        from jingzhun.io.write import write_csv

        (a.write / "2016").mkdir(parents=True, exist_ok=True)
        (a.write / "_truth" / "2016").mkdir(parents=True, exist_ok=True)
        for name, df in frames.items():
            write_csv(df.drop(columns="_row"), a.write / "2016" / f"{name}.csv")
        write_csv(truth, a.write / "_truth" / "2016" / "dibao_pairs.csv")
        t0 = step("write dataset", t0)
    params = Params.load()
    t_match = time.perf_counter()
    res = match(frames, params, 2016)
    scale = FULL_MEMBERS / n_mem
    print(f"match extrapolated linearly to {FULL_MEMBERS:,} members: {(time.perf_counter() - t_match) * scale:.0f} s")
    t0 = step("match", t0)
    m = evaluate(res.pairs, truth, frames["dibao"][["record_id", "id_number"]])
    step("evaluate", t0)
    print(f"{'method':<14}{'pairs':>9}{'true':>9}{'precision':>11}{'recall':>9}{'F1':>9}")
    for name, r in list(m["by_method"].items()) + [("overall", m["overall"]), ("confident", m["confident"])]:
        fmt = lambda x: "   —" if x is None else f"{x:.4f}"  # noqa: E731
        print(
            f"{name:<14}{r['pairs']:>9}{r['true_pairs']:>9}{fmt(r['precision']):>11}{fmt(r['recall']):>9}{fmt(r['f1']):>9}"
        )
    print("review pairs", res.summary["review"], "| findings", res.summary["findings"])


if __name__ == "__main__":
    main()
