"""The synthetic population: households and people, built and aged with numpy arrays.

State is two frames, ``H`` (one row per household ever seen) and ``P`` (one row per person
row of the current data year, including people who left during the year). No per-household
Python loops: every step draws whole arrays from one ``numpy.random.Generator``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jingzhun import ids
from jingzhun.sample import geo, names
from jingzhun.sample.numtext import zfill

CAUSES = (
    "因病",
    "因残",
    "因学",
    "因灾",
    "缺土地",
    "缺水",
    "缺技术",
    "缺劳力",
    "缺资金",
    "交通条件落后",
    "自身发展动力不足",
    "因婚",
    "因丧",
    "其他",
)
CAUSE_P = np.array([38, 14, 7, 2, 2, 1, 11, 10, 11, 1.5, 2, 0.2, 0.2, 0.1])
ROLE_ORDER = {
    "户主": 0,
    "配偶": 1,
    "之父": 2,
    "之母": 3,
    "之子": 4,
    "之女": 4,
    "之儿媳": 5,
    "之孙子": 6,
    "之孙女": 6,
    "之兄弟姐妹": 7,
}
OUT_REASONS = ("死亡", "嫁出", "出国定居", "判刑收监", "其他转出")


def ref_date(data_year: int) -> np.datetime64:
    """Ages are counted on 31 December of the income year (data year − 1)."""
    return np.datetime64(f"{data_year - 1}-12-31")


def age_at(birth: np.ndarray, data_year: int) -> np.ndarray:
    by = birth.astype("datetime64[Y]").astype(int) + 1970
    return (data_year - 1) - by


def _births(rng: np.random.Generator, age: np.ndarray, data_year: int) -> np.ndarray:
    year = (data_year - 1) - age
    start = (np.asarray(year) - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    doy = (rng.random(len(age)) * np.where(leap, 366, 365)).astype(int)
    return start + doy.astype("timedelta64[D]")


def assign_ids(
    rng: np.random.Generator, prefix: np.ndarray, birth: np.ndarray, male: np.ndarray, taken: pd.Index | None = None
) -> np.ndarray:
    """Valid, unique 18-digit IDs consistent with birth date and sex (odd sequence = 男)."""
    ymd = pd.DatetimeIndex(birth).strftime("%Y%m%d").astype(int).to_numpy()
    seq = 2 * rng.integers(0, 500, len(ymd)) + male.astype(int)
    out = ids.compose(prefix, ymd, seq).astype(object)
    # object dtype on purpose: its hash table is fast; pyarrow-string isin builds Python lists.
    taken_obj = np.asarray([] if taken is None else np.asarray(taken, dtype=object), dtype=object)
    for _ in range(50):
        s = pd.Series(out, dtype=object)
        dup = s.duplicated(keep="first").to_numpy().copy()
        if len(taken_obj):
            dup |= s.isin(taken_obj).to_numpy()
        if not dup.any():
            break
        k = int(dup.sum())
        seq[dup] = 2 * rng.integers(0, 500, k) + male[dup].astype(int)
        out[dup] = ids.compose(prefix[dup], ymd[dup], seq[dup])
    return out


def _role_block(hh: np.ndarray, rel: str | np.ndarray, male: np.ndarray, age: np.ndarray) -> dict[str, np.ndarray]:
    rel_arr = np.full(len(hh), rel, dtype=object) if isinstance(rel, str) else rel
    return {"hh": hh, "relation": rel_arr, "male": male, "age": age}


def initial(
    rng: np.random.Generator,
    n_households: int,
    data_year: int,
    per_township: int | None,
    line: float,
    county: str | None = None,
    counties: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Villages, households and people of the first data year (in ``county``, default 团风县;
    with ``counties``, villages spread evenly over those counties, at least two each)."""
    n_vil = max(1, round(n_households / 40))
    if counties:
        n_vil = min(max(n_vil, 2 * len(counties)), n_households)
        vil = geo.province_villages(rng, n_vil, counties)
    else:
        k = per_township or min(40, max(2, -(-n_vil // 10)))
        k = max(k, -(-n_vil // geo.TOWNSHIP_CAPACITY))
        vil = geo.build_villages(rng, n_vil, k, county)
    vil["poverty"] = rng.beta(2.2, 4.5, n_vil)
    vil["poor_village"] = vil["poverty"].to_numpy() > np.quantile(vil["poverty"], 0.7)
    w = rng.gamma(5.0, 1.0, n_vil)
    counts = rng.multinomial(n_households - n_vil, w / w.sum()) + 1
    hv = np.repeat(np.arange(n_vil), counts)
    n = n_households

    # ---- household composition -------------------------------------------------------
    head_age = np.clip(rng.normal(54, 13, n), 22, 92).astype(int)
    head_male = rng.random(n) < 0.88
    has_sp = rng.random(n) < np.where(head_male, np.where(head_age < 70, 0.86, 0.6), 0.15)
    single_old = (head_age >= 65) & (rng.random(n) < 0.25)
    has_sp &= ~single_old
    lam = np.where(head_age < 35, 0.9, np.where(head_age <= 60, 1.2, 0.4))
    n_kids = np.clip(rng.poisson(lam), 0, 3) * ~single_old
    with_par = (head_age < 55) & (rng.random(n) < 0.35)
    n_par = np.where(with_par, 1 + (rng.random(n) < 0.6), 0)
    three_gen = (head_age >= 52) & ~single_old & (rng.random(n) < 0.28)
    n_gk = np.where(three_gen, np.clip(rng.poisson(1.0, n), 0, 3), 0)
    sib = ~single_old & (rng.random(n) < 0.01)

    H = pd.DataFrame({"hh": np.arange(n), "village": hv})
    blocks = [_role_block(np.arange(n), "户主", head_male, head_age)]
    i = np.flatnonzero(has_sp)
    sp_age = np.clip(head_age[i] + rng.integers(-5, 4, len(i)), 20, 95)
    blocks.append(_role_block(i, "配偶", ~head_male[i], sp_age))
    i = np.repeat(np.arange(n), n_kids)
    kage = head_age[i] - rng.integers(21, 36, len(i))
    keep = kage >= 0
    i, kage = i[keep], kage[keep]
    kmale = rng.random(len(i)) < 0.53
    blocks.append(_role_block(i, np.where(kmale, "之子", "之女"), kmale, kage))
    i = np.repeat(np.arange(n), n_par)
    pmale = np.zeros(len(i), dtype=bool)
    first = np.r_[True, i[1:] != i[:-1]] if len(i) else np.zeros(0, dtype=bool)
    pmale[first] = rng.random(int(first.sum())) < 0.5
    pmale[~first] = ~pmale[np.flatnonzero(~first) - 1]
    page = np.clip(head_age[i] + rng.integers(22, 33, len(i)), 40, 99)
    blocks.append(_role_block(i, np.where(pmale, "之父", "之母"), pmale, page))
    i = np.flatnonzero(three_gen)
    son_age = head_age[i] - rng.integers(24, 32, len(i))
    blocks.append(_role_block(i, "之子", np.ones(len(i), dtype=bool), son_age))
    blocks.append(
        _role_block(i, "之儿媳", np.zeros(len(i), dtype=bool), np.clip(son_age + rng.integers(-3, 3, len(i)), 20, 80))
    )
    gi = np.repeat(i, n_gk[i])
    gage = np.clip(np.repeat(son_age, n_gk[i]) - rng.integers(20, 34, len(gi)), 0, 15)
    gmale = rng.random(len(gi)) < 0.53
    blocks.append(_role_block(gi, np.where(gmale, "之孙子", "之孙女"), gmale, gage))
    i = np.flatnonzero(sib)
    blocks.append(
        _role_block(
            i, "之兄弟姐妹", rng.random(len(i)) < 0.7, np.clip(head_age[i] + rng.integers(-8, 8, len(i)), 18, 95)
        )
    )

    P = pd.DataFrame({k2: np.concatenate([b[k2] for b in blocks]) for k2 in ("hh", "relation", "male", "age")})
    P["order"] = P["relation"].map(ROLE_ORDER).astype(int)
    P = P.sort_values(["hh", "order", "age"], ascending=[True, True, False], kind="stable").reset_index(drop=True)
    m = len(P)
    P["pid"] = np.arange(m)
    P["birth"] = _births(rng, P["age"].to_numpy(), data_year)

    # ---- names, ethnicity, IDs ---------------------------------------------------------
    hh = P["hh"].to_numpy()
    rel = P["relation"].to_numpy()
    h_surname = names.surnames(rng, n)
    own = names.surnames(rng, m)
    takes_head = np.isin(rel, ["户主", "之父", "之兄弟姐妹", "之孙子", "之孙女"]) | (
        np.isin(rel, ["之子", "之女"]) & (rng.random(m) < 0.95)
    )
    surname = np.where(takes_head, h_surname[hh], own)
    male = P["male"].to_numpy()
    given = names.given_names(rng, male)
    name = (surname + given).astype(object)
    eth = np.full(m, "汉族", dtype=object)
    hh_county = vil["township_code"].str.slice(0, 6).to_numpy()[hv]
    pcounty = hh_county[hh].astype(object)
    tujia = np.isin(
        pcounty, ["420528", "420529", "422801", "422802", "422822", "422823", "422825", "422826", "422827", "422828"]
    )
    eth[tujia & (rng.random(m) < 0.5)] = "土家族"
    inlaw = np.isin(rel, ["配偶", "之儿媳"]) & (rng.random(m) < 0.0025) & (P["age"].to_numpy() < 60)
    if inlaw.any():
        mn = np.array(names.MINORITY_NAMES, dtype=object)
        for sex_label, is_male in (("男", True), ("女", False)):
            sel = np.flatnonzero(inlaw & (male == is_male))
            pool = mn[mn[:, 1] == sex_label]
            pick = pool[rng.integers(0, len(pool), len(sel))]
            name[sel] = pick[:, 0]
            eth[sel] = pick[:, 2]
    prefix = pcounty.copy()
    age = P["age"].to_numpy()
    born_before_96 = age > (data_year - 1) - 1996
    old = born_before_96 & (rng.random(m) < 0.04)
    tf = pcounty == "421121"
    prefix[old & tf] = np.array(geo.OLD_PREFIXES, dtype=object)[rng.integers(0, 3, int((old & tf).sum()))]
    prefix[old & ~tf] = (pd.Series(pcounty[old & ~tf], dtype="str").str.slice(0, 4) + "00").to_numpy(dtype=object)
    moved_in = np.isin(rel, ["配偶", "之儿媳"]) & (rng.random(m) < 0.08)
    prefix[moved_in] = np.array([c for c, _ in geo.COUNTIES[:9]], dtype=object)[rng.integers(0, 9, int(moved_in.sum()))]
    P["id_number"] = assign_ids(rng, prefix.astype(str), P["birth"].to_numpy(), male)
    P["name"] = name
    P["ethnicity"] = eth
    # Static draws that decide per-year attributes (stable from year to year).
    for col in ("u_health", "u_health2", "u_skill", "u_work", "u_edu", "u_school", "u_ins"):
        P[col] = rng.random(m)
    P["work_kind"] = rng.choice(4, size=m, p=[0.52, 0.18, 0.15, 0.15])
    P["reason"] = ""
    P["change_date"] = np.datetime64("NaT", "D")

    # ---- households: registration, status, income target ---------------------------------
    pov = vil["poverty"].to_numpy()[hv]
    registered = rng.random(n) < np.clip(pov * 1.15, 0.03, 0.9)
    exited = registered & (rng.random(n) < 0.15)
    size = np.bincount(hh, minlength=n)
    u = rng.random(n)
    pc = np.where(u < 0.85, rng.uniform(0.45, 0.98, n), rng.uniform(1.0, 1.5, n)) * line
    pc = np.where(exited, rng.uniform(1.1, 2.0, n) * line, pc)
    nonreg = rng.random(n)
    pc_nonreg = np.where(
        nonreg < 0.025,
        rng.uniform(0.6, 0.98, n) * line,
        np.where(nonreg < 0.12, rng.uniform(1.0, 1.5, n) * line, rng.lognormal(np.log(7500), 0.45, n)),
    )
    pc = np.where(registered, pc, np.maximum(pc_nonreg, 0.6 * line))
    category = np.full(n, "", dtype=object)
    category[registered] = "一般贫困户"
    tekun = registered & (size == 1) & (head_age >= 60) & (rng.random(n) < 0.7)
    dibao = registered & ~tekun & (rng.random(n) < 0.24)
    category[tekun] = "特困供养贫困户"
    category[dibao] = "低保贫困户"
    nonreg_dibao = ~registered & (pc < 1.6 * line) & (rng.random(n) < 0.25)
    status = np.where(registered, np.where(exited, "已脱贫(享受政策)", "未脱贫"), "").astype(object)
    main = np.array(CAUSES, dtype=object)[rng.choice(len(CAUSES), n, p=CAUSE_P / CAUSE_P.sum())]
    main[tekun] = "缺劳力"
    H = H.assign(
        household_id=np.char.add(hh_county.astype(str), zfill(np.arange(1, n + 1).astype(str), 8)).astype(object),
        registered=registered,
        category=category,
        status=status,
        pc=pc,
        dibao_family=dibao | nonreg_dibao,
        tekun_family=tekun,
        dibao_monthly=np.where(dibao | nonreg_dibao, rng.choice([120, 160, 200, 240, 280], n), 0),
        identified_year=np.where(registered, data_year - 1, 0),
        exit_year=np.where(exited, data_year - 1, 0),
        planned_exit_year=np.where(registered, rng.integers(data_year, data_year + 4, n), 0),
        main_cause=np.where(registered, main, ""),
        other_causes=_other_causes(rng, main, registered),
    )
    for col in ("u_income", "u_house", "u_water", "u_misc", "u_land"):
        H[col] = rng.random(n)
    H["phone"] = np.where(
        rng.random(n) < 0.9,
        np.char.add(
            np.array(["13", "15", "18", "17"])[rng.integers(0, 4, n)].astype(str),
            zfill(rng.integers(0, 10**9, n).astype(str), 9),
        ),
        "",
    ).astype(object)
    H["bank_account"] = np.where(
        registered | (rng.random(n) < 0.3),
        np.char.add(
            np.array(["6217", "6228", "6230"])[rng.integers(0, 3, n)].astype(str),
            zfill(rng.integers(0, 10**15, n).astype(str), 15),
        ),
        "",
    ).astype(object)
    H["group_name"] = np.char.add(rng.integers(1, 9, n).astype(str), "组").astype(object)
    # Health that explains the main cause.
    heads = P.index[P["relation"].to_numpy() == "户主"].to_numpy()
    hc = H["main_cause"].to_numpy()[P.loc[heads, "hh"].to_numpy()]
    P.loc[heads[hc == "因病"], "u_health"] = 0.001
    P.loc[heads[hc == "因残"], "u_health2"] = 0.001
    return vil, H, P


def _other_causes(rng: np.random.Generator, main: np.ndarray, registered: np.ndarray) -> np.ndarray:
    n = len(main)
    k = np.where(registered, rng.choice(3, n, p=[0.55, 0.3, 0.15]), 0)
    a = np.array(CAUSES[:11], dtype=object)[rng.integers(0, 11, n)]
    b = np.array(CAUSES[:11], dtype=object)[rng.integers(0, 11, n)]
    a_ok = a != main
    b_ok = (b != main) & (b != a)
    one = np.where(a_ok, a, "")
    two = np.where(a_ok & b_ok, a + "," + b, one)
    return np.where(k == 0, "", np.where(k == 1, one, two)).astype(object)


def current(P: pd.DataFrame) -> np.ndarray:
    return ~P["reason"].isin(OUT_REASONS).to_numpy()


def evolve(
    rng: np.random.Generator, H: pd.DataFrame, P: pd.DataFrame, data_year: int, line: float, removals: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """From data year − 1 to ``data_year``: people leave, die, marry, are born; households move.

    ``removals``: households to strike off the register (清退), e.g. after a crosscheck hit.
    Returns the new state and the household indices of each kind of change (for the truth).
    """
    H = H.copy()
    P = P[current(P)].copy()
    P["reason"] = ""
    P["change_date"] = np.datetime64("NaT", "D")
    P["age"] = age_at(P["birth"].to_numpy(), data_year)
    y0 = np.datetime64(f"{data_year - 1}-01-01")

    def dates(k: int) -> np.ndarray:
        return y0 + rng.integers(0, 365, k).astype("timedelta64[D]")

    rel = P["relation"].to_numpy()
    age = P["age"].to_numpy()
    # Deaths (never the head: the household would need a new head).
    pdie = np.select([age >= 85, age >= 75, age >= 65], [0.12, 0.05, 0.015], 0.001)
    die = (rel != "户主") & (rng.random(len(P)) < pdie)
    P.loc[die, "reason"] = "死亡"
    P.loc[die, "change_date"] = dates(int(die.sum()))
    # Marriages: a daughter leaves one household (嫁出) and joins a son's (嫁入, 之儿媳).
    bride = ~die & np.isin(rel, ["之女", "之孙女"]) & (age >= 20) & (age <= 32) & (rng.random(len(P)) < 0.12)
    has_dil = np.zeros(len(H), dtype=bool)
    has_dil[P["hh"].to_numpy()[rel == "之儿媳"]] = True
    groom = ~die & (rel == "之子") & (age >= 22) & (age <= 35) & ~has_dil[P["hh"].to_numpy()]
    gi = np.flatnonzero(groom)
    gi = gi[~pd.Series(P["hh"].to_numpy()[gi]).duplicated().to_numpy()]
    bi = np.flatnonzero(bride)
    k = min(len(bi), len(gi))
    bi, gi = rng.permutation(bi)[:k], rng.permutation(gi)[:k]
    d = dates(k)
    P.iloc[bi, P.columns.tolist().index("reason")] = "嫁出"
    P.iloc[bi, P.columns.tolist().index("change_date")] = d
    newp = P.iloc[bi].copy()
    newp["hh"] = P["hh"].to_numpy()[gi]
    newp["relation"] = "之儿媳"
    newp["order"] = ROLE_ORDER["之儿媳"]
    newp["reason"] = "嫁入"
    newp["change_date"] = d
    # Births: to a wife or daughter-in-law aged 22–38.
    mother = ~die & ~bride & np.isin(rel, ["配偶", "之儿媳"]) & ~P["male"].to_numpy() & (age >= 22) & (age <= 38)
    mi = np.flatnonzero(mother & (rng.random(len(P)) < 0.07))
    bmale = rng.random(len(mi)) < 0.53
    is_dil = rel[mi] == "之儿媳"
    brel = np.where(is_dil, np.where(bmale, "之孙子", "之孙女"), np.where(bmale, "之子", "之女"))
    bh = P["hh"].to_numpy()[mi]
    head_name = P[rel == "户主"].set_index("hh")["name"]
    bsurname = head_name.reindex(bh).fillna("王").astype("str").str.slice(0, 1).to_numpy(dtype=object)
    bbirth = dates(len(mi))
    prefix = H["household_id"].str.slice(0, 6).to_numpy()[bh].astype(str)
    taken = pd.Index(P["id_number"].to_numpy())
    babies = pd.DataFrame(
        {
            "hh": bh,
            "relation": brel,
            "male": bmale,
            "age": 0,
            "order": ROLE_ORDER["之子"] + 2 * is_dil,
            "pid": P["pid"].max() + 1 + np.arange(len(mi)),
            "birth": bbirth,
            "id_number": assign_ids(rng, prefix, bbirth, bmale, taken),
            "name": bsurname + names.given_names(rng, bmale),
            "ethnicity": "汉族",
            "reason": "新生儿",
            "change_date": bbirth,
        }
    )
    for col in ("u_health", "u_health2", "u_skill", "u_work", "u_edu", "u_school", "u_ins"):
        babies[col] = rng.random(len(mi))
    babies["u_health"] = np.maximum(babies["u_health"], 0.2)
    babies["work_kind"] = rng.choice(4, size=len(mi), p=[0.52, 0.18, 0.15, 0.15])
    newp["pid"] = (
        babies["pid"].max() + 1 + np.arange(len(newp)) if len(babies) else P["pid"].max() + 1 + np.arange(len(newp))
    )
    P = pd.concat([P, newp, babies], ignore_index=True)
    P = P.sort_values(["hh", "order", "age"], ascending=[True, True, False], kind="stable").reset_index(drop=True)

    # Household transitions.
    n = len(H)
    reg = H["registered"].to_numpy().copy()
    st = H["status"].to_numpy().copy()
    pc = H["pc"].to_numpy() * rng.uniform(1.03, 1.2, n)
    poor = reg & np.isin(st, ["未脱贫", "返贫"])
    exit_ = poor & (rng.random(n) < 0.25)
    pc[exit_] = rng.uniform(1.1, 1.8, int(exit_.sum())) * line
    stay = poor & ~exit_
    pc[stay] = (
        np.where(
            rng.random(int(stay.sum())) < 0.85,
            rng.uniform(0.5, 0.98, int(stay.sum())),
            rng.uniform(1.0, 1.45, int(stay.sum())),
        )
        * line
    )
    st[exit_] = "已脱贫(享受政策)"
    ey = H["exit_year"].to_numpy().copy()
    ey[exit_] = data_year - 1
    was_exited = reg & (H["status"].to_numpy() == "已脱贫(享受政策)")
    back = was_exited & (rng.random(n) < 0.03)
    if not back.any() and was_exited.any():
        back[rng.choice(np.flatnonzero(was_exited))] = True
    st[back] = "返贫"
    pc[back] = rng.uniform(0.5, 0.95, int(back.sum())) * line
    new = ~reg & (pc < line) & (rng.random(n) < 0.6)
    reg[new] = True
    st[new] = "未脱贫"
    iy = H["identified_year"].to_numpy().copy()
    iy[new] = data_year - 1
    cat = H["category"].to_numpy().copy()
    cat[new] = np.where(H["dibao_family"].to_numpy()[new], "低保贫困户", "一般贫困户")
    main = H["main_cause"].to_numpy().copy()
    main[new] = np.array(CAUSES, dtype=object)[rng.choice(len(CAUSES), int(new.sum()), p=CAUSE_P / CAUSE_P.sum())]
    other = H["other_causes"].to_numpy().copy()
    other[new] = ""
    pey = H["planned_exit_year"].to_numpy().copy()
    pey[new] = data_year
    removed = np.zeros(n, dtype=bool)
    removed[removals] = True
    removed &= reg & ~new & ~back & ~exit_
    if not removed.any() and (reg & ~new & ~back & ~exit_).any():
        removed[rng.choice(np.flatnonzero(reg & ~new & ~back & ~exit_))] = True
    for arr in (cat, st, main, other):
        arr[removed] = ""
    reg[removed] = False
    iy[removed] = 0
    ey[removed] = 0
    pey[removed] = 0
    H = H.assign(
        registered=reg,
        status=st,
        pc=pc,
        exit_year=ey,
        identified_year=iy,
        category=cat,
        main_cause=main,
        other_causes=other,
        planned_exit_year=pey,
    )
    changes = {
        "exited": np.flatnonzero(exit_),
        "returned": np.flatnonzero(back),
        "new": np.flatnonzero(new),
        "removed": np.flatnonzero(removed),
    }
    return H, P, changes
