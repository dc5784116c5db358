"""Checks on who was paid: register, eligibility, duplicates, shared accounts, caps,
favouritism and death (domain.md §8.2 check classes). All vectorised over payments.

``pay`` is the ledger's payment frame enriched by :func:`enrich` with the resolved
household and the register's fields; every function returns a findings part.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from jingzhun.audit.parts import date_text, money_text, part
from jingzhun.audit.register import EXITED_NO_POLICY, Register
from jingzhun.identify.members import lookup, map_keys, positions

T = "payments"
ONCE_STAGES_EXCLUDED = ("预付款", "进度款")  # instalments: not a repeat of the same benefit


def enrich(pay: pd.DataFrame, reg: Register) -> pd.DataFrame:
    """Attach the household each payment belongs to and that household's register fields."""
    p = pay.copy(deep=False)  # new columns only: the ledger's frame is not copied
    h = reg.households
    p["hh_given"] = p["household_id"].notna().to_numpy(dtype=bool)
    at = positions(p["household_id"], h["household_id"])  # the household's register row (-1: none)
    p["hh_known"] = at >= 0
    p["payee_household"] = reg.household_of_person(p["payee_id"]).astype("str")
    p["payee_in_register"] = p["payee_household"].notna().to_numpy(dtype=bool)
    p["resolved_hh"] = p["household_id"].where(p["hh_known"], p["payee_household"]).astype("str")
    # 到户: booked to a household, or a direct subsidy (no project) to a person or for a measure.
    no_project = p["project_id"].isna()
    p["to_household"] = (p["hh_given"] | (no_project & (p["payee_id"].notna() | p["measure"].notna()))).to_numpy(
        dtype=bool
    )
    # resolved through the payee: look those few up; every register field is then taken by position
    via_payee = np.flatnonzero(~p["hh_known"].to_numpy(dtype=bool))
    at[via_payee] = positions(p["resolved_hh"].iloc[via_payee], h["household_id"])
    for c in ("registered", "status", "exit_year", "family_key", "excluded"):
        p["hh_" + c] = lookup(h[c], at, p.index)
    p["hh_excluded"] = p["hh_excluded"].fillna(False).astype(bool)
    kin = reg.kin.drop_duplicates("household_id")
    p["kin_detail"] = lookup(kin["kin_detail"], positions(p["resolved_hh"], kin["household_id"]), p.index).astype("str")
    key = p["payee_id"].fillna("H" + p["resolved_hh"] + "|" + p["payee_name"].fillna(""))
    key = key.fillna("N" + p["payee_name"])
    p["payee_key"] = key.fillna("R" + p["payment_id"]).astype("str")
    # the order of payment (date, then ID) sorted once, on two columns, for every check
    keys = pd.DataFrame({"d": p["pay_date"], "i": p["payment_id"]})
    rank = np.empty(len(p), dtype=np.int64)
    rank[keys.sort_values(["d", "i"], na_position="last", kind="stable").index.to_numpy()] = np.arange(len(p))
    p["pay_order"] = rank
    return p


def not_registered(p: pd.DataFrame) -> pd.DataFrame:
    bad_hh = p["hh_given"] & ~p["hh_known"]
    bad_person = ~p["hh_given"] & ~p["payee_in_register"]
    m = p["to_household"] & (bad_hh | bad_person)
    f = p[m]
    value = f["household_id"].fillna(f["payee_id_number"]).fillna(f["payee_name"])
    return part(
        "A-PAYEE-NOT-REGISTERED",
        f,
        table=T,
        key="payment_id",
        column=np.where(f["hh_given"], "household_id", "payee_id_number"),
        value=value,
        amount=f["amount"],
    )


def not_member(p: pd.DataFrame) -> pd.DataFrame:
    m = p["hh_known"] & p["payee_id"].notna() & (p["payee_household"].fillna("") != p["household_id"])
    f = p[m]
    return part(
        "A-PAYEE-NOT-MEMBER",
        f,
        table=T,
        key="payment_id",
        column="payee_id_number",
        value=f["payee_name"].fillna(f["payee_id_number"]),
        amount=f["amount"],
    )


def ineligible(p: pd.DataFrame, nonregistered_measures: list[str]) -> pd.DataFrame:
    base = p["to_household"] & p["resolved_hh"].notna()
    nonreg = (p["hh_registered"] == False) & ~p["measure"].isin(nonregistered_measures)  # noqa: E712 - NA is not False
    nonreg = nonreg.fillna(False).astype(bool)
    exited = (p["hh_status"] == EXITED_NO_POLICY) & (
        p["hh_exit_year"].isna() | (p["pay_year"] > p["hh_exit_year"]).fillna(True)
    )
    exited = exited.fillna(False).astype(bool)
    # A 村干部/财政供养 hit is reported as favouritism instead (the more specific finding).
    excluded = p["hh_excluded"] & p["kin_detail"].isna()
    m = base & (nonreg | exited | excluded)
    f = p[m]
    reasons = pd.DataFrame(
        {
            "a": np.where(nonreg[m], "非建档立卡户", ""),
            "b": np.where(exited[m], "已脱贫(不再享受政策)", ""),
            "c": np.where(excluded[m], "识别结果为排除(比对命中)", ""),
        },
        index=f.index,
    )
    detail = (reasons["a"] + "," + reasons["b"] + "," + reasons["c"]).str.replace(r",+", ",", regex=True).str.strip(",")
    return part(
        "A-PAYEE-INELIGIBLE",
        f,
        table=T,
        key="payment_id",
        column="household_id",
        value=f["resolved_hh"],
        detail=detail,
        amount=f["amount"],
    )


def _ordered(p: pd.DataFrame, mask: pd.Series | np.ndarray, columns: list[str]) -> pd.DataFrame:
    """``columns`` of the rows of ``p`` under ``mask``, in payment order (date, then ID; see
    :func:`enrich`): the rows are picked once, narrow, instead of sorting the wide frame."""
    at = np.flatnonzero(np.asarray(mask, dtype=bool))
    at = at[np.argsort(p["pay_order"].to_numpy()[at], kind="stable")]
    return p[columns].iloc[at]


_QUARTERS = {"一": "1", "二": "2", "三": "3", "四": "4", "1": "1", "2": "2", "3": "3", "4": "4"}
_MONTHS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
_PERIOD = r"(?:第?([一二三四1-4])季度|(?<![0-9])(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月(?:份)?)"


def pay_period(purpose: pd.Series, pay_date: pd.Series) -> pd.Series:
    """The pay period of each payment: the quarter (``Q1``) or month (``M03``) its purpose
    names (``3月``, ``三月份``, ``第一季度``), else the month of its payment date.
    Purposes repeat: each distinct text is parsed once."""
    codes, uniq = pd.factorize(purpose)
    m = pd.Series(uniq, dtype="str").str.extract(_PERIOD)
    quarter = m[0].map(_QUARTERS)
    month = m[1].map(_MONTHS).astype("Int64").fillna(pd.to_numeric(m[1], errors="coerce").astype("Int64"))
    named = ("Q" + quarter.astype("str")).fillna("M" + month.astype("str").str.zfill(2))
    named = pd.Series(np.append(named.to_numpy(dtype=object), [None])[codes], index=purpose.index, dtype="str")
    by_date = "M" + pay_date.dt.month.astype("Int64").astype("str").str.zfill(2)
    return named.fillna(by_date.astype("str")).fillna("")


def _repeats(b: pd.DataFrame, keys: list[pd.Series], flagged: pd.Series, first: pd.Series) -> None:
    """Mark every payment of ``b`` (in payment order) after the first of its ``keys`` group,
    with the first one's ID, unless an earlier rule has flagged it."""
    if b.empty:
        return
    rep = b.groupby(keys, sort=False).cumcount() > 0
    fb = b.groupby(keys, sort=False)["payment_id"].transform("first")
    new = rep.to_numpy() & ~flagged.loc[b.index].to_numpy()
    first.loc[b.index[new]] = fb[new]
    flagged.loc[b.index[new]] = True


def duplicates(p: pd.DataFrame, recurring: list[str]) -> pd.DataFrame:
    """Same payee, same project stage; same payee, measure and year (a non-recurring measure,
    or a recurring one paid twice as 一次性); same payee, recurring measure and pay period;
    same account across households."""
    cols = [
        "_row",
        "township_code",
        "payment_id",
        "payee_key",
        "payee_name",
        "project_id",
        "stage",
        "measure",
        "pay_year",
        "to_household",
        "account",
        "resolved_hh",
        "amount",
        "purpose",
        "pay_date",
    ]
    o = _ordered(p, (p["amount"].fillna(0) > 0).to_numpy(dtype=bool), cols)
    flagged = pd.Series(False, index=o.index)
    first = pd.Series(pd.NA, index=o.index, dtype="str")

    stage_rows = o["project_id"].notna() & o["stage"].notna() & (o["stage"] != "进度款")
    s = o[stage_rows]
    keys = [s["payee_key"], s["project_id"], s["stage"]]
    rep = s.groupby(keys, sort=False).cumcount() > 0
    first.loc[s.index] = s.groupby(keys, sort=False)["payment_id"].transform("first")
    flagged.loc[s.index[rep.to_numpy()]] = True

    benefit = o["to_household"] & o["measure"].notna() & ~o["stage"].isin(ONCE_STAGES_EXCLUDED) & o["pay_year"].notna()
    is_recurring = o["measure"].isin(recurring)
    b = o[benefit & ~is_recurring]
    _repeats(b, [b["payee_key"], b["measure"], b["pay_year"]], flagged, first)
    # A recurring measure paid twice as 一次性 in one year: the ledger itself says one-off.
    r1 = o[benefit & is_recurring & (o["stage"] == "一次性")]
    _repeats(r1, [r1["payee_key"], r1["measure"], r1["pay_year"]], flagged, first)
    # A recurring measure paid twice for one pay period (the month, or the period its purpose names).
    r2 = o[benefit & is_recurring]
    _repeats(
        r2, [r2["payee_key"], r2["measure"], r2["pay_year"], pay_period(r2["purpose"], r2["pay_date"])], flagged, first
    )

    c = b[b["account"].notna()]
    hh = c["resolved_hh"].fillna(c["payee_key"])
    keys = [c["account"], c["measure"], c["pay_year"]]
    first_hh = hh.groupby(keys, sort=False).transform("first")
    fc = c.groupby(keys, sort=False)["payment_id"].transform("first")
    new = (hh != first_hh).to_numpy() & ~flagged.loc[c.index].to_numpy()
    first.loc[c.index[new]] = fc[new]
    flagged.loc[c.index[new]] = True

    f = o[flagged]
    return part(
        "A-DUPLICATE-PAYMENT",
        f,
        table=T,
        key="payment_id",
        column="payee_id_number",
        value=f["payee_name"],
        detail=first[flagged],
        amount=f["amount"],
    )


def _distinct_per(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Per row: the number of distinct ``value`` codes in its ``group`` (codes ≥ 0)."""
    pairs = np.unique(group.astype(np.int64) * (int(value.max()) + 1) + value)
    counts = np.bincount(pairs // (int(value.max()) + 1), minlength=int(group.max()) + 1)
    return counts[group]


def shared_accounts(p: pd.DataFrame, min_households: int) -> pd.DataFrame:
    """One account paid for households of different families (village + surname)."""
    m = (p["to_household"] & p["account"].notna() & p["resolved_hh"].notna()).to_numpy(dtype=bool)
    a = p.loc[
        m, ["_row", "township_code", "payment_id", "account", "bank_account", "resolved_hh", "hh_family_key", "amount"]
    ]
    if a.empty:
        return part("A-SHARED-ACCOUNT", a, table=T, key="payment_id")
    # distinct families and households per account, counted on integer codes
    acc = pd.factorize(a["account"])[0]
    n_fam = _distinct_per(acc, pd.factorize(a["hh_family_key"].fillna(a["resolved_hh"]))[0])
    n_hh = _distinct_per(acc, pd.factorize(a["resolved_hh"])[0])
    s = a[(n_fam >= 2) & (n_hh >= min_households)]
    if s.empty:
        return part("A-SHARED-ACCOUNT", s, table=T, key="payment_id")
    counts = s.groupby(["account", "resolved_hh"]).size().reset_index(name="n")
    counts = counts.sort_values(["account", "n", "resolved_hh"], ascending=[True, False, True])
    main = counts.drop_duplicates("account").set_index("account")["resolved_hh"]
    f = s[s["resolved_hh"] != s["account"].map(main)]
    n = f["account"].map(s.groupby("account")["resolved_hh"].nunique())
    detail = n.astype("str") + "户, 主户 " + f["account"].map(main).astype("str")
    return part(
        "A-SHARED-ACCOUNT",
        f,
        table=T,
        key="payment_id",
        column="bank_account",
        value=f["bank_account"],
        detail=detail,
        amount=f["amount"],
    )


def accounts_across_counties(p: pd.DataFrame) -> pd.DataFrame:
    """One account paid in two or more counties (first six digits of the township code): every payment
    of it, as a province run's global pass G5 reports it (detail: the counties; the households paid)."""
    county = p["township_code"].astype("str").str.slice(0, 6)
    m = (p["account"].notna() & county.notna() & (county.str.len() == 6)).to_numpy(dtype=bool)
    a = p.loc[m, ["_row", "township_code", "payment_id", "account", "bank_account", "amount"]]
    if a.empty:
        return part("A-ACCOUNT-MULTI-COUNTY", a, table=T, key="payment_id")
    a = a.assign(county=county[m], who=p.loc[m, "household_id"].fillna(p.loc[m, "payee_id"]).fillna(a["payment_id"]))
    n_counties = a.groupby("account")["county"].transform("nunique")
    f = a[(n_counties > 1).to_numpy()]
    if f.empty:
        return part("A-ACCOUNT-MULTI-COUNTY", f, table=T, key="payment_id")
    counties = f.groupby("account")["county"].agg(lambda s: ",".join(sorted(set(s))))
    households = f.groupby("account")["who"].nunique()
    detail = f["account"].map(counties) + "; " + f["account"].map(households).astype("str") + " 户"
    return part(
        "A-ACCOUNT-MULTI-COUNTY",
        f,
        table=T,
        key="payment_id",
        column="bank_account",
        value=f["bank_account"],
        detail=detail,
        amount=f["amount"],
    )


def over_cap(p: pd.DataFrame, caps: Mapping[str, float]) -> pd.DataFrame:
    """Cumulative amount per household (or payee), measure and year above the measure's cap."""
    cap = map_keys(p["measure"], pd.Series({k: float(v) for k, v in caps.items()}, dtype="float64")).astype("Float64")
    capped = (p["to_household"] & cap.notna() & (p["amount"].fillna(0) > 0) & p["pay_year"].notna()).to_numpy(
        dtype=bool
    )
    c = _ordered(
        p, capped, ["_row", "township_code", "payment_id", "resolved_hh", "payee_key", "measure", "pay_year", "amount"]
    )
    c = c.assign(cap=cap[c.index])
    who = c["resolved_hh"].fillna(c["payee_key"])
    cum = c["amount"].groupby([who, c["measure"], c["pay_year"]], sort=False).cumsum()
    over = cum - c["cap"]
    m = (over > 0.005).fillna(False).astype(bool)
    f = c[m]
    excess = np.minimum(f["amount"].astype("float64"), over[m].astype("float64"))
    detail = (
        f["measure"]
        + " "
        + f["pay_year"].astype("str")
        + "年累计 "
        + money_text(cum[m])
        + " 元, 标准 "
        + money_text(f["cap"])
        + " 元/户·年"
    )
    return part(
        "A-OVER-CAP",
        f,
        table=T,
        key="payment_id",
        column="amount",
        value=money_text(f["amount"]),
        detail=detail,
        amount=excess,
    )


def kin_of_cadre(p: pd.DataFrame) -> pd.DataFrame:
    f = p[p["to_household"] & p["kin_detail"].notna()]
    return part(
        "A-KIN-OF-CADRE",
        f,
        table=T,
        key="payment_id",
        column="household_id",
        value=f["resolved_hh"],
        detail=f["kin_detail"],
        amount=f["amount"],
    )


def after_death(p: pd.DataFrame, reg: Register) -> pd.DataFrame:
    death = pd.Series(pd.NaT, index=p.index, dtype="datetime64[ns]")
    if len(reg.deaths_by_id):
        death = map_keys(p["payee_id"], reg.deaths_by_id).astype("datetime64[ns]")
    by_name_tbl = reg.deaths_by_name[reg.deaths_by_name["household_id"].notna()]
    if len(by_name_tbl):
        keys = p[["resolved_hh", "payee_name"]].reset_index(drop=True)
        by_name = keys.merge(
            by_name_tbl.rename(columns={"household_id": "resolved_hh", "name": "payee_name"}),
            on=["resolved_hh", "payee_name"],
            how="left",
        )["death_date"].astype("datetime64[ns]")
        by_name.index = p.index
        by_name = by_name.where(keys["resolved_hh"].notna().to_numpy())
        death = death.where(p["payee_id"].notna(), by_name)
    m = (p["pay_date"] > death).fillna(False).astype(bool)
    f = p[m]
    return part(
        "A-PAID-AFTER-DEATH",
        f,
        table=T,
        key="payment_id",
        column="pay_date",
        value=f["payee_name"],
        detail="死亡日期 " + date_text(death[m]) + ", 拨付日期 " + date_text(f["pay_date"]),
        amount=f["amount"],
    )


def _household_rows(p: pd.DataFrame) -> pd.DataFrame:
    """Positive household payments with a measure and year, in payment order, with ``who``
    (the household, else the payee) and ``cum``: the household's running total for the
    measure and year (元/户·年, as the caps count)."""
    m = (p["to_household"] & p["measure"].notna() & (p["amount"].fillna(0) > 0) & p["pay_year"].notna()).to_numpy(
        dtype=bool
    )
    c = _ordered(
        p, m, ["_row", "township_code", "payment_id", "resolved_hh", "payee_key", "measure", "pay_year", "amount"]
    )
    c = c.assign(who=c["resolved_hh"].fillna(c["payee_key"]), amount=c["amount"].astype("float64"))
    return c.assign(cum=c["amount"].groupby([c["who"], c["measure"], c["pay_year"]], sort=False).cumsum())


def measure_distribution(p: pd.DataFrame) -> pd.DataFrame:
    """Per measure and year, over what each household received in the year (元/户·年, so monthly
    wages and one yearly sum compare alike): households, p5, median, p95, max."""
    c = _household_rows(p)
    if c.empty:
        return pd.DataFrame(
            {
                "measure": pd.Series(dtype="str"),
                "pay_year": pd.Series(dtype="Int64"),
                **{k: pd.Series(dtype="float64") for k in ("n", "p5", "median", "p95", "max")},
            }
        )
    per_hh = c.groupby(["measure", "pay_year", "who"], sort=False)["amount"].sum().reset_index()
    g = per_hh.groupby(["measure", "pay_year"], sort=True)["amount"]
    q = g.quantile(np.array([0.05, 0.5, 0.95])).unstack()
    out = pd.DataFrame({"n": g.size(), "p5": q[0.05], "median": q[0.5], "p95": q[0.95], "max": g.max()})
    return out.reset_index()


def outliers(p: pd.DataFrame, factor: float, min_households: int) -> pd.DataFrame:
    """A household payment that brings the household's total for its measure in the year above
    ``factor`` × the median household total of that measure in the county and year (robust: a
    few injected or mistyped amounts do not move the median), where at least ``min_households``
    households received the measure. Every later payment of that household and measure is
    flagged too (as the caps are). The amount at risk is the part above the 95th percentile."""
    d = measure_distribution(p)
    d = d[d["n"] >= min_households]
    c = _household_rows(p)
    c = c[c["measure"].isin(d["measure"])]
    s = c[["measure", "pay_year"]].merge(d, on=["measure", "pay_year"], how="left")
    s.index = c.index
    over = (c["cum"] > factor * s["median"]).fillna(False).to_numpy(dtype=bool)
    f, s = c[over], s[over]
    ratio = (f["cum"] / s["median"]).round(1)
    detail = (
        f["measure"]
        + " "
        + f["pay_year"].astype("str")
        + "年 "
        + s["n"].astype("Int64").astype("str")
        + " 户: 每户中位数 "
        + money_text(s["median"])
        + " 元, 常见范围 "
        + money_text(s["p5"])
        + "–"
        + money_text(s["p95"])
        + " 元 (第5–95百分位); 本户累计 "
        + money_text(f["cum"])
        + " 元, 为中位数的 "
        + ratio.astype("str")
        + " 倍 (阈值 "
        + f"{factor:g}"
        + " 倍)"
    )
    excess = np.minimum(f["amount"], (f["cum"] - s["p95"]).clip(lower=0))
    return part(
        "A-AMOUNT-OUTLIER",
        f,
        table=T,
        key="payment_id",
        column="amount",
        value=money_text(f["amount"]),
        detail=detail,
        amount=excess,
    )
