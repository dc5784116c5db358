"""Optional tables: cadres, crosscheck hits, projects and payments (vectorised)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jingzhun.sample import names
from jingzhun.sample.numtext import zfill
from jingzhun.sample.population import assign_ids

RANKS = np.array(["县处级", "乡科级正职", "乡科级副职", "一般干部", "村干部"], dtype=object)
RANK_P = np.array([0.04, 0.1, 0.16, 0.58, 0.12])
CAPS = np.array([8, 6, 5, 4, 3])
UNITS = np.array(
    [
        "财政局",
        "教育局",
        "卫生和计划生育局",
        "农业局",
        "水利局",
        "交通运输局",
        "民政局",
        "人力资源和社会保障局",
        "扶贫开发办公室",
        "发展和改革局",
        "林业局",
        "住房和城乡建设局",
        "人民医院",
        "国土资源局",
    ],
    dtype=object,
)


def cadres(rng: np.random.Generator, vil: pd.DataFrame, n_poor: int) -> pd.DataFrame:
    """帮扶责任人, enough capacity for about 92% of the registered households."""
    rank_i = rng.choice(len(RANKS), size=max(4, int(n_poor * 0.9 / float(RANK_P @ CAPS)) + 2), p=RANK_P)
    rank_i = rank_i[: max(2, int(np.searchsorted(np.cumsum(CAPS[rank_i] + 0.1), 0.88 * n_poor)))]
    n = len(rank_i)
    towns = vil.drop_duplicates("township_code")
    ti = rng.integers(0, len(towns), n)
    tcode = towns["township_code"].to_numpy()[ti]
    county = pd.Series(tcode, dtype="str").str.slice(0, 6).to_numpy(dtype=object)
    level = np.where(
        rank_i == 4, "村", np.where(rank_i == 0, "县", np.where(rng.random(n) < 0.6, "县", "乡镇"))
    ).astype(object)
    level[(rank_i == 3) & (rng.random(n) < 0.05)] = "市"
    unit = np.where(
        level == "乡镇",
        towns["township_name"].to_numpy()[ti] + "人民政府",
        np.where(
            level == "村", "村民委员会", np.where(level == "市", "黄冈市", "县") + UNITS[rng.integers(0, len(UNITS), n)]
        ),
    )
    unit = np.where(county == "421121", np.char.replace(unit.astype(str), "县", "团风县", count=1), unit).astype(object)
    male = rng.random(n) < 0.7
    birth = np.datetime64("1960-01-01") + rng.integers(0, 365 * 32, n).astype("timedelta64[D]")
    maxh = pd.Series(np.where(rng.random(n) < 0.05, CAPS[rank_i] - 1, 0), dtype="Int64")
    return pd.DataFrame(
        {
            "cadre_id": np.char.add("BF", zfill(np.arange(1, n + 1).astype(str), 6)).astype(object),
            "name": names.surnames(rng, n) + names.given_names(rng, male),
            "id_number": assign_ids(rng, county.astype(str), birth, male),
            "unit": unit,
            "level": level,
            "rank": RANKS[rank_i],
            "township_code": np.where(rng.random(n) < 0.85, tcode, "").astype(object),
            "max_households": maxh.where(maxh > 0).array,
            "phone": np.char.add("13", zfill(rng.integers(0, 10**9, n).astype(str), 9)).astype(object),
            "_cap": np.where(maxh.fillna(0).to_numpy() > 0, maxh.fillna(0).to_numpy(), CAPS[rank_i]),
        }
    )


def pair_cadres(cad: pd.DataFrame, H: pd.DataFrame, vil: pd.DataFrame) -> np.ndarray:
    """Pair registered households with cadres, township first, capacity respected."""
    reg = np.flatnonzero(H["registered"].to_numpy())
    town = vil["township_code"].to_numpy()[H["village"].to_numpy()[reg]]
    order = np.argsort(town, kind="stable")
    ctown = np.where(cad["township_code"].to_numpy() == "", "~", cad["township_code"].to_numpy())
    corder = np.argsort(ctown, kind="stable")
    slots = np.repeat(cad["cadre_id"].to_numpy()[corder], cad["_cap"].to_numpy()[corder])
    out = np.full(len(H), "", dtype=object)
    k = min(len(slots), len(reg))
    out[reg[order[:k]]] = slots[:k]
    return out


def pair_cadres_by_county(cad: pd.DataFrame, H: pd.DataFrame, vil: pd.DataFrame) -> np.ndarray:
    """:func:`pair_cadres` within each county: a cadre (by the county of its township) pairs only
    households of that county, so that a province sample has no cadre across counties by chance."""
    out = np.full(len(H), "", dtype=object)
    h_county = vil["township_code"].str.slice(0, 6).to_numpy()[H["village"].to_numpy()]
    c_county = cad["township_code"].astype("str").str.slice(0, 6).to_numpy()
    for code in np.unique(h_county):
        rows = np.flatnonzero(h_county == code)
        out[rows] = pair_cadres(cad[c_county == code], H.iloc[rows], vil)
    return out


def crosscheck(
    rng: np.random.Generator, hh: pd.DataFrame, m: pd.DataFrame, data_year: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Hits from other registers: some registered households' members, some others, some strangers.

    Returns the table and the household_ids with a hit that excludes (车辆 … 村干部).
    """
    cur = m["change_reason"].isin(["", "嫁入", "新生儿"]) & (m["birth_date"] < pd.Timestamp(f"{data_year - 18}-01-01"))
    regh = set(hh.loc[hh["registered"], "household_id"])
    adults = m[cur]
    on_reg = adults["household_id"].isin(regh).to_numpy()
    pick = rng.random(len(adults)) < np.where(on_reg, 0.012, 0.02)
    hit = adults[pick]
    n = len(hit)
    src = np.array(["车辆", "财政供养", "商品房", "工商注册", "村干部"], dtype=object)[
        rng.choice(5, n, p=[0.35, 0.15, 0.2, 0.2, 0.1])
    ]
    plate = np.char.add("鄂J·", zfill(rng.integers(0, 99999, n).astype(str), 5))
    detail = np.select(
        [src == "车辆", src == "财政供养", src == "商品房", src == "工商注册"],
        [
            np.char.add("小型轿车 ", plate),
            np.full(n, "县直单位 在编人员"),
            np.char.add(np.char.add("县城 商品房 ", np.round(60 + rng.random(n) * 80, 1).astype(str)), "㎡"),
            np.full(n, "个体工商户 经营者"),
        ],
        "村民委员会 委员",
    ).astype(object)
    strangers = max(1, n // 10)
    s_birth = np.datetime64("1960-01-01") + rng.integers(0, 365 * 35, strangers).astype("timedelta64[D]")
    s_male = rng.random(strangers) < 0.6
    t = pd.DataFrame(
        {
            "id_number": np.concatenate(
                [
                    hit["id_number"].to_numpy(dtype=object),
                    assign_ids(
                        rng,
                        np.full(strangers, str(hh["village_code"].iloc[0])[:6]),
                        s_birth,
                        s_male,
                        pd.Index(m["id_number"].to_numpy()),
                    ),
                ]
            ),
            "name": np.concatenate(
                [hit["name"].to_numpy(dtype=object), names.surnames(rng, strangers) + names.given_names(rng, s_male)]
            ),
            "source": np.concatenate([src, np.full(strangers, "车辆", dtype=object)]),
            "detail": np.concatenate(
                [
                    detail,
                    np.char.add("小型轿车 鄂J·", zfill(rng.integers(0, 99999, strangers).astype(str), 5)).astype(
                        object
                    ),
                ]
            ),
        }
    )
    excl = hit["household_id"].to_numpy()[np.isin(src, ["车辆", "财政供养", "商品房", "工商注册"]) & on_reg[pick]]
    return t, excl


CATS = np.array(
    [
        "产业发展",
        "基础设施",
        "易地扶贫搬迁",
        "危房改造",
        "教育扶贫",
        "健康扶贫",
        "金融扶贫",
        "就业扶贫",
        "公益岗位",
        "生态扶贫",
        "综合保障",
    ],
    dtype=object,
)
CAT_P = np.array([0.3, 0.3, 0.04, 0.06, 0.05, 0.04, 0.05, 0.05, 0.05, 0.04, 0.02])
SOURCES = np.array(
    [
        "中央财政专项扶贫资金",
        "省级财政专项扶贫资金",
        "市县财政专项扶贫资金",
        "统筹整合涉农资金",
        "东西部协作资金",
        "社会帮扶资金",
    ],
    dtype=object,
)
SOURCE_P = np.array([0.35, 0.2, 0.15, 0.22, 0.04, 0.04])
WORKS = {
    "产业发展": "种养殖基地建设",
    "基础设施": "村组道路硬化",
    "易地扶贫搬迁": "集中安置点建设",
    "危房改造": "农村危房改造",
    "教育扶贫": "村小学改造",
    "健康扶贫": "村卫生室标准化建设",
    "金融扶贫": "小额信贷风险补偿金",
    "就业扶贫": "扶贫车间建设",
    "公益岗位": "公益岗位开发",
    "生态扶贫": "植树造林",
    "综合保障": "敬老院改造",
}
HH_MEASURES = (
    ("产业扶贫", 2000),
    ("教育扶贫", 1500),
    ("雨露计划", 3000),
    ("危房改造", 20000),
    ("健康扶贫", 800),
    ("扶贫小额信贷", 1500),
    ("公益岗位", 6000),
    ("生活条件改善", 1200),
)
CONTRACT_THRESHOLD = 300_000


def projects_payments(
    rng: np.random.Generator, vil: pd.DataFrame, hh: pd.DataFrame, m: pd.DataFrame, data_year: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """项目库 and the 报账 ledger of the data year (dates within the data year)."""
    nv = len(vil)
    n = max(6, int(nv * 0.6))
    vi = rng.integers(0, nv, n)
    cat = CATS[rng.choice(len(CATS), n, p=CAT_P)]
    budget = np.round(np.exp(rng.normal(np.log(200_000), 0.9, n)), -2)
    y0 = np.datetime64(f"{data_year}-01-01")
    day = lambda k, lo, hi: rng.integers(lo, hi, k).astype("timedelta64[D]")  # noqa: E731
    approved = y0 + day(n, 0, 120)
    pub_s = approved + day(n, 1, 10)
    pub_e = pub_s + day(n, 10, 20)
    start = pub_e + day(n, 1, 20)
    done = rng.random(n) < 0.8
    completion = start + day(n, 30, 150)
    accept = completion + day(n, 5, 30)
    nat = np.datetime64("NaT", "D")  # a unit: numpy 2.5 deprecates the generic one
    vname = vil["village_name"].to_numpy()[vi]
    tname = vil["township_name"].to_numpy()[vi]
    works = pd.Series(cat).map(WORKS).to_numpy(dtype=object)
    pid = np.char.add(f"XM{data_year}", zfill(np.arange(1, n + 1).astype(str), 5)).astype(object)
    implementer = np.where(rng.random(n) < 0.6, tname + "人民政府", vname + "村民委员会").astype(object)
    big = budget >= CONTRACT_THRESHOLD
    ben = rng.integers(20, 300, n)
    proj = pd.DataFrame(
        {
            "project_id": pid,
            "name": vname + works + "项目",
            "village_code": vil["village_code"].to_numpy()[vi],
            "category": cat,
            "fund_source": SOURCES[rng.choice(len(SOURCES), n, p=SOURCE_P)],
            "budget": budget,
            "implementer": implementer,
            "approved_date": approved.astype("datetime64[s]"),
            "contract_id": np.where(
                big | (rng.random(n) < 0.2),
                np.char.add(f"HT{data_year}-", zfill(np.arange(1, n + 1).astype(str), 5)),
                "",
            ).astype(object),
            "publicity_start": pub_s.astype("datetime64[s]"),
            "publicity_end": pub_e.astype("datetime64[s]"),
            "start_date": start.astype("datetime64[s]"),
            "completion_date": np.where(done, completion, nat).astype("datetime64[s]"),
            "acceptance_date": np.where(done, accept, nat).astype("datetime64[s]"),
            "beneficiary_households": ben,
            "beneficiary_poor_households": (ben * rng.uniform(0.2, 0.6, n)).astype(int),
            "performance_target": np.char.add(
                np.char.add("带动贫困户", (ben * 0.4).astype(int).astype(str)), "户增收"
            ).astype(object),
        }
    )
    # Stage payments: 预付款 30% after start, 进度款 40%, 尾款 30% after acceptance (or one 一次性).
    company = np.char.add(
        np.char.add("湖北", np.array(list(names.SURNAMES))[rng.integers(0, 40, n)].astype(str)), "氏建筑工程有限公司"
    )
    payee = np.where(big, company, implementer).astype(object)
    acct = np.char.add("4200", zfill(rng.integers(0, 10**15, n).astype(str), 15)).astype(object)
    once = ~big & (rng.random(n) < 0.5)
    rows = []
    for stage, share, when in (
        ("预付款", 0.3, start + day(n, 1, 10)),
        ("进度款", 0.4, start + day(n, 20, 40)),
        ("尾款", 0.3, accept + day(n, 1, 20)),
    ):
        sel = ~once & (done | (stage != "尾款"))
        rows.append(
            pd.DataFrame(
                {
                    "project_id": pid[sel],
                    "household_id": "",
                    "payee_name": payee[sel],
                    "payee_id_number": "",
                    "bank_account": acct[sel],
                    "amount": np.round(budget[sel] * share, 2),
                    "pay_date": when[sel],
                    "measure": "",
                    "purpose": (proj["name"].to_numpy()[sel] + stage).astype(object),
                    "stage": stage,
                }
            )
        )
    sel = once & done
    rows.append(
        pd.DataFrame(
            {
                "project_id": pid[sel],
                "household_id": "",
                "payee_name": payee[sel],
                "payee_id_number": "",
                "bank_account": acct[sel],
                "amount": budget[sel],
                "pay_date": accept[sel] + day(int(sel.sum()), 1, 20),
                "measure": "",
                "purpose": (proj["name"].to_numpy()[sel] + "工程款").astype(object),
                "stage": "一次性",
            }
        )
    )
    # 到户 subsidies to registered households by measure.
    reg = hh[hh["registered"] & (hh["status"] != "已脱贫(不再享受政策)")]
    k = rng.choice(3, len(reg), p=[0.3, 0.45, 0.25])
    hi = np.repeat(np.arange(len(reg)), k)
    meas = rng.integers(0, len(HH_MEASURES), len(hi))
    dup = pd.Series(hi * 100 + meas).duplicated().to_numpy()
    hi, meas = hi[~dup], meas[~dup]
    mname = np.array([x[0] for x in HH_MEASURES], dtype=object)[meas]
    base = np.array([x[1] for x in HH_MEASURES], dtype=float)[meas]
    amt = np.round(base * rng.uniform(0.6, 1.0, len(hi)), -1)
    rows.append(
        pd.DataFrame(
            {
                "project_id": "",
                "household_id": reg["household_id"].to_numpy()[hi],
                "payee_name": reg["head_name"].to_numpy()[hi],
                "payee_id_number": reg["head_id_number"].to_numpy()[hi],
                "bank_account": reg["bank_account"].to_numpy()[hi],
                "amount": amt,
                "pay_date": y0 + day(len(hi), 60, 330),
                "measure": mname,
                "purpose": (mname + "补助").astype(object),
                "stage": "一次性",
            }
        )
    )
    pay = pd.concat(rows, ignore_index=True)
    pay = pay.sort_values(["pay_date", "project_id", "household_id"], kind="stable").reset_index(drop=True)
    pay.insert(
        0, "payment_id", np.char.add(f"PZ{data_year}", zfill(np.arange(1, len(pay) + 1).astype(str), 7)).astype(object)
    )
    pay["pay_date"] = pay["pay_date"].astype("datetime64[s]")
    return proj, pay
