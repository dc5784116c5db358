"""Mismatch findings between the register and the roster (domain.md §5.3).

Every finding carries both records: the roster side in ``value`` and the register side
in ``detail`` (or a household summary), keyed by household_id or record_id.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jingzhun.findings import Findings, column_title
from jingzhun.match.frames import isin, join_by
from jingzhun.match.prepare import months_in_year
from jingzhun.params import Params
from jingzhun.tablespec import provided

DIBAO = "农村低保"
TEKUN = "特困供养"
CAT_GENERAL = "一般贫困户"
CAT_DIBAO = "低保贫困户"
CAT_TEKUN = "特困供养贫困户"


def _s(x: pd.Series) -> pd.Series:
    return x.astype("str").fillna("")


ROSTER_TEXT_COLUMNS = ["record_id", "name", "id_raw", "program"]
PERSON_TEXT_COLUMNS = ["household_id", "name", "id_norm", "category"]
# What the checks read of each side of a linked pair.
LINKED_ROSTER = ["d_row", "record_id", "name", "id_raw", "program", "start_date", "end_date", "monthly_amount"]
LINKED_PERSON = ["household_id", "name", "id_norm", "category", "registered", "current", "change_reason", "change_date"]


def roster_text(r: pd.DataFrame) -> pd.Series:
    """``record_id 姓名 身份证号 保障类型`` for the roster side of a finding."""
    return (_s(r["record_id"]) + " " + _s(r["name"]) + " " + _s(r["id_raw"]) + " " + _s(r["program"])).str.strip()


def person_text(p: pd.DataFrame) -> pd.Series:
    """``户 household_id 姓名 身份证号 属性`` for the register side of a finding."""
    return (
        "户 " + _s(p["household_id"]) + " " + _s(p["name"]) + " " + _s(p["id_norm"]) + " " + _s(p["category"])
    ).str.strip()


def linked_frame(links: pd.DataFrame, ros: pd.DataFrame, per: pd.DataFrame) -> pd.DataFrame:
    """One row per accepted pair with roster columns (``r_``) and register columns (``p_``)."""
    r = ros[LINKED_ROSTER].take(links["_r"].to_numpy()).reset_index(drop=True).add_prefix("r_")
    p = per[LINKED_PERSON].take(links["_p"].to_numpy()).reset_index(drop=True).add_prefix("p_")
    out = pd.concat([links.reset_index(drop=True), r, p], axis=1)
    return out


def _rp(lf: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    r = lf[["r_" + c for c in LINKED_ROSTER]].rename(columns=lambda c: c[2:])
    p = lf[["p_" + c for c in LINKED_PERSON]].rename(columns=lambda c: c[2:])
    return r, p


def active_mask(ros: pd.DataFrame, data_year: int) -> pd.Series:
    """Roster rows still covered in the data year (no end date, or ending in it or later)."""
    end = pd.to_datetime(ros["end_date"], errors="coerce")
    return (end.isna() | (end >= pd.Timestamp(data_year, 1, 1))).astype(bool)


def check_all(
    f: Findings,
    lf: pd.DataFrame,
    ros: pd.DataFrame,
    per: pd.DataFrame,
    households: pd.DataFrame,
    unlinked: pd.DataFrame,
    params: Params,
    data_year: int,
) -> None:
    lf = lf.copy()
    lf["active"] = active_mask(lf.rename(columns={"r_end_date": "end_date"}), data_year).to_numpy()
    r, p = _rp(lf)
    check_category(f, lf, r, p)
    check_household_category(f, lf, per, households)
    check_missed(f, lf, r, p, households, params, data_year)
    check_not_found(f, unlinked)
    check_partial(f, lf, per)
    check_benefit(f, lf, per, households, params, data_year)
    check_departed(f, lf, r, p)
    check_member_flags(f, per)


def check_category(f: Findings, lf: pd.DataFrame, r: pd.DataFrame, p: pd.DataFrame) -> None:
    registered = p["registered"].fillna(False).astype(bool)
    m = (lf["active"] & registered & (p["category"] == CAT_GENERAL).fillna(False)).to_numpy(dtype=bool)
    if not m.any():
        return
    f.add(
        "M-CATEGORY-NOT-UPDATED",
        table="dibao",
        row=r["d_row"][m],
        column="program",
        value=roster_text(r[m]),
        key=p["household_id"][m],
        detail=person_text(p[m]),
    )


def _hh_registered(households: pd.DataFrame) -> pd.Series:
    if provided(households, "registered"):
        return households["registered"].fillna(False).astype(bool)
    return pd.Series(True, index=households.index)


def check_household_category(f: Findings, lf: pd.DataFrame, per: pd.DataFrame, households: pd.DataFrame) -> None:
    if not provided(households, "category"):
        return
    cols = [
        c
        for c in ("_row", "household_id", "category", "head_name", "dibao_benefit", "tekun_benefit")
        if provided(households, c)
    ]
    hh = households[cols][_hh_registered(households).to_numpy(dtype=bool)]
    covered = lf[lf["active"]]
    for cat, program, code in (
        (CAT_DIBAO, DIBAO, "M-DIBAO-HH-NOT-ON-ROSTER"),
        (CAT_TEKUN, TEKUN, "M-TEKUN-HH-NOT-ON-ROSTER"),
    ):
        on = covered.loc[covered["r_program"] == program, "p_household_id"]
        sel = hh[(hh["category"] == cat).fillna(False).astype(bool).to_numpy() & ~isin(hh["household_id"], on)]
        if sel.empty:
            continue
        head = _s(sel["head_name"]) if "head_name" in sel.columns else pd.Series("", index=sel.index)
        benefit_col = "dibao_benefit" if program == DIBAO else "tekun_benefit"
        benefit = _s(sel[benefit_col].round(2)) if benefit_col in sel.columns else pd.Series("", index=sel.index)
        detail = "户主 " + head + " " + cat + " " + column_title("households", benefit_col) + " " + benefit
        f.add(
            code,
            table="households",
            row=_s_row(sel),
            column="category",
            value=cat,
            key=sel["household_id"],
            detail=detail,
        )


def _s_row(df: pd.DataFrame) -> pd.Series | None:
    return df["_row"] if "_row" in df.columns else None


def check_missed(
    f: Findings,
    lf: pd.DataFrame,
    r: pd.DataFrame,
    p: pd.DataFrame,
    households: pd.DataFrame,
    params: Params,
    data_year: int,
) -> None:
    """A roster family linked only to a surveyed, non-registered household under the line."""
    not_reg = ~p["registered"].fillna(True).astype(bool) & lf["active"]
    if not not_reg.any():
        return
    try:
        from jingzhun.identify.income import per_capita_income
    except ImportError:
        return
    hh = households[isin(households["household_id"], p.loc[not_reg, "household_id"])]
    if hh.empty:
        return
    income = per_capita_income(hh, params)["per_capita_net_income"]
    line = params.poverty_line(data_year - 1)
    below = hh[(income < line).fillna(False).astype(bool).to_numpy()]
    if below.empty:
        return
    inc = income[(income < line).fillna(False).astype(bool)]
    sub = lf[not_reg.to_numpy() & isin(p["household_id"], below["household_id"])]
    records = join_by(sub["p_household_id"], sub["r_record_id"])
    hid = below["household_id"]
    detail = "人均纯收入 " + _s(inc.round(2)).to_numpy() + " < 扶贫标准 " + f"{line:.0f}"
    f.add(
        "M-MISSED-CANDIDATE",
        table="households",
        row=_s_row(below),
        column="per_capita_net_income",
        value=hid.map(records).astype("str"),
        key=hid,
        detail=pd.Series(detail, index=below.index),
    )


def check_not_found(f: Findings, unlinked: pd.DataFrame) -> None:
    if unlinked.empty:
        return
    detail = _s(unlinked["village_code"]) + " " + _s(unlinked["village_name"])
    f.add(
        "M-ROSTER-NOT-FOUND",
        table="dibao",
        row=unlinked["d_row"],
        column="id_number",
        value=roster_text(unlinked),
        key=unlinked["record_id"],
        detail=detail.str.strip(),
    )


def check_partial(f: Findings, lf: pd.DataFrame, per: pd.DataFrame) -> None:
    """保人不保户: a household with some current members on the 低保 roster and some not."""
    cov = lf[lf["active"] & (lf["r_program"] == DIBAO) & lf["p_current"]]
    if cov.empty:
        return
    n_cov = cov.groupby("p_household_id")["_p"].nunique()
    cur = per[["household_id", "_p", "name"]][
        per["current"].to_numpy() & isin(per["household_id"], n_cov.index.to_numpy())
    ]
    n_cur = cur.groupby("household_id")["_p"].nunique()
    both = pd.DataFrame({"covered": n_cov, "current": n_cur}).dropna()
    part = both[both["covered"] < both["current"]]
    if part.empty:
        return
    missing = cur[isin(cur["household_id"], part.index.to_numpy()) & ~cur["_p"].isin(cov["_p"]).to_numpy()]
    names = join_by(missing["household_id"], missing["name"], "、")
    hid = pd.Series(part.index, dtype="str")
    detail = (
        "名册 "
        + part["covered"].astype(int).astype(str).to_numpy()
        + " 人 / 家庭 "
        + part["current"].astype(int).astype(str).to_numpy()
        + " 人; 未在名册: "
        + hid.map(names).astype("str").fillna("").to_numpy()
    )
    records = join_by(cov["p_household_id"], cov["r_record_id"])
    f.add(
        "M-PARTIAL-HOUSEHOLD",
        table="members",
        column="household_id",
        value=hid.map(records).astype("str"),
        key=hid,
        detail=pd.Series(detail),
    )


def check_benefit(
    f: Findings, lf: pd.DataFrame, per: pd.DataFrame, households: pd.DataFrame, params: Params, data_year: int
) -> None:
    """低保金/特困供养金 in the income year vs the roster's monthly amount × months covered."""
    income_year = data_year - 1
    share = float(params.settings.match.benefit_tolerance)
    absolute = float(params.settings.match.benefit_tolerance_abs)
    cols = [c for c in ("_row", "household_id", "dibao_benefit", "tekun_benefit") if provided(households, c)]
    hh = households[cols][isin(households["household_id"], per["household_id"])]
    for program, col in ((DIBAO, "dibao_benefit"), (TEKUN, "tekun_benefit")):
        if col not in hh.columns:
            continue
        rows = lf[lf["r_program"] == program]
        months = months_in_year(rows["r_start_date"], rows["r_end_date"], income_year)
        amount = (rows["r_monthly_amount"].astype("Float64") * months).fillna(0)
        expected = amount.groupby(rows["p_household_id"].to_numpy()).sum()
        reported = pd.to_numeric(hh[col], errors="coerce").astype("Float64")
        exp = hh["household_id"].map(expected).astype("Float64").fillna(0)
        consider = reported.notna() & ((reported > 0) | (exp > 0))
        tol = np.maximum(absolute, share * exp.fillna(0).to_numpy(dtype=float))
        diff = (reported - exp).abs()
        bad = (consider & (diff > tol)).fillna(False).astype(bool)
        sel = hh[bad]
        if sel.empty:
            continue
        shown = isin(rows["p_household_id"], sel["household_id"])
        detail_months = (
            rows["r_record_id"][shown].astype("str")
            + " "
            + rows["r_monthly_amount"][shown].astype("str")
            + "元×"
            + months[shown].astype("Int64").astype("str")
            + "月"
        )
        explain = join_by(rows["p_household_id"][shown], detail_months, ", ")
        detail = (
            f"{income_year} 年 收入 "
            + _s(reported[bad].round(2))
            + " 元, 名册 "
            + _s(exp[bad].round(2))
            + " 元 ("
            + sel["household_id"].map(explain).astype("str").fillna("无名册记录")
            + ")"
        )
        f.add(
            "M-BENEFIT-MISMATCH",
            table="households",
            row=_s_row(sel),
            column=col,
            value=_s(reported[bad].round(2)),
            key=sel["household_id"],
            detail=detail,
        )


def check_departed(f: Findings, lf: pd.DataFrame, r: pd.DataFrame, p: pd.DataFrame) -> None:
    """A member who died (or left / is imprisoned) still covered by the roster."""
    end = pd.to_datetime(r["end_date"], errors="coerce")
    changed = pd.to_datetime(p["change_date"], errors="coerce")
    still = (end.isna() | changed.isna() | (end > changed)).to_numpy(dtype=bool)
    reason = p["change_reason"]
    for code, which in (("M-DEAD-ON-ROSTER", ["死亡"]), ("M-LEFT-ON-ROSTER", ["判刑收监", "出国定居"])):
        m = reason.isin(which).fillna(False).to_numpy(dtype=bool) & still & lf["active"].to_numpy(dtype=bool)
        if not m.any():
            continue
        detail = person_text(p[m]) + " " + _s(reason[m]) + " " + _s(changed[m].dt.strftime("%Y-%m-%d"))
        f.add(
            code,
            table="dibao",
            row=r["d_row"][m],
            column="record_id",
            value=roster_text(r[m]),
            key=p["household_id"][m],
            detail=detail.str.strip(),
        )


def check_member_flags(f: Findings, per: pd.DataFrame) -> None:
    both = (per["on_dibao"].fillna(False) & per["on_tekun"].fillna(False)).astype(bool)
    if not both.any():
        return
    sel = per[both]
    f.add(
        "M-DIBAO-AND-TEKUN",
        table="members",
        row=sel["m_row"],
        column="on_tekun",
        value="是否享受低保=是, 是否特困供养人员=是",
        key=sel["id_norm"],
        detail=person_text(sel),
    )
