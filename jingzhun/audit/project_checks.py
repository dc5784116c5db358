"""The project systems: 审批制、合同制、公示制、验收制, budgets, idle funds, the negative
list and equal splits (domain.md §7.2, §8). Vectorised over projects and payments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jingzhun.audit.negative_list import match_texts
from jingzhun.audit.parts import date_text, money_text, part
from jingzhun.nulls import NA, NaT

P = "payments"
J = "projects"


def unknown_project(p: pd.DataFrame) -> pd.DataFrame:
    f = p[p["project_id"].notna() & ~p["project_known"]]
    return part(
        "A-UNKNOWN-PROJECT",
        f,
        table=P,
        key="payment_id",
        column="project_id",
        value=f["project_id"],
        amount=f["amount"],
    )


def no_project(p: pd.DataFrame) -> pd.DataFrame:
    f = p[p["project_id"].isna() & ~p["to_household"]]
    return part(
        "A-PAYMENT-NO-PROJECT",
        f,
        table=P,
        key="payment_id",
        column="project_id",
        value=f["payee_name"],
        amount=f["amount"],
    )


def approval(p: pd.DataFrame) -> list[pd.DataFrame]:
    known = p["project_known"]
    f = p[known & p["project_approved"].isna()]
    out = [
        part(
            "A-PROJECT-UNAPPROVED",
            f,
            table=P,
            key="payment_id",
            column="project_id",
            value=f["project_id"],
            amount=f["amount"],
        )
    ]
    f = p[known & (p["pay_date"] < p["project_approved"]).fillna(False).astype(bool)]
    out.append(
        part(
            "A-PAID-BEFORE-APPROVAL",
            f,
            table=P,
            key="payment_id",
            column="pay_date",
            value=f["project_id"],
            detail="拨付 " + date_text(f["pay_date"]) + ", 审批 " + date_text(f["project_approved"]),
            amount=f["amount"],
        )
    )
    return out


def acceptance(p: pd.DataFrame) -> pd.DataFrame:
    final = p["project_known"] & (p["stage"] == "尾款")
    missing = final & p["project_accepted"].isna()
    early = final & (p["pay_date"] < p["project_accepted"]).fillna(False).astype(bool)
    m = missing | early
    f = p[m]
    detail = np.where(
        missing[m],
        "未验收",
        "验收日期 "
        + date_text(f["project_accepted"]).fillna("")
        + " 晚于拨付日期 "
        + date_text(f["pay_date"]).fillna(""),
    )
    return part(
        "A-PAID-BEFORE-ACCEPTANCE",
        f,
        table=P,
        key="payment_id",
        column="stage",
        value=f["project_id"],
        detail=detail,
        amount=f["amount"],
    )


def project_totals(proj: pd.DataFrame, p: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per project: amount paid (all parsed rows), paid by the audit date, first payment date."""
    k = p[p["project_known"]]
    by = k.groupby("project_id")
    by_asof = k[~(k["pay_date"] > as_of).fillna(False).astype(bool)].groupby("project_id")["amount"].sum()
    tot = pd.DataFrame({"paid": by["amount"].sum(), "first_pay": by["pay_date"].min(), "n_pay": by.size()})
    tot["paid_asof"] = by_asof
    if tot.empty:  # no payment names a known project (or a header-only projects file): nothing to join
        out = proj.assign(paid=NA, first_pay=NaT, n_pay=0, paid_asof=NA)
        out["first_pay"] = out["first_pay"].astype("datetime64[ns]")
    else:
        out = proj.join(tot, on="project_id")
    out["paid"] = out["paid"].astype("Float64").fillna(0.0)
    out["paid_asof"] = out["paid_asof"].astype("Float64").fillna(0.0)
    out["n_pay"] = out["n_pay"].fillna(0).astype("int64")
    return out


def contracts(j: pd.DataFrame, threshold: float, exempt: list[str]) -> pd.DataFrame:
    m = (j["budget"] > threshold).fillna(False).astype(bool) & j["contract_id"].isna() & ~j["category"].isin(exempt)
    f = j[m]
    return part(
        "A-NO-CONTRACT",
        f,
        table=J,
        key="project_id",
        column="contract_id",
        value=money_text(f["budget"]),
        detail=f"{threshold:.0f}",
        amount=f["budget"],
    )


def publicity(j: pd.DataFrame, days: int) -> list[pd.DataFrame]:
    first_event = pd.concat([j["start_date"], j["first_pay"]], axis=1).min(axis=1)
    active = j["start_date"].notna() | (j["n_pay"] > 0)
    f = j[active & j["publicity_start"].isna()]
    out = [part("A-NOT-PUBLICISED", f, table=J, key="project_id", column="publicity_start", amount=f["budget"])]
    end = (j["publicity_end"] + pd.Timedelta(days=1)).where(j["publicity_end"].notna())
    stop = pd.concat([end, first_event], axis=1).min(axis=1)
    has = j["publicity_start"].notna() & stop.notna()
    span = (stop - j["publicity_start"]).dt.days
    m = has & (span < days).fillna(False).astype(bool)
    f = j[m]
    detail = (
        "公示 "
        + date_text(f["publicity_start"])
        + " 起, 至 "
        + date_text(stop[m])
        + " 止; 规定不少于 "
        + str(days)
        + " 天"
    )
    out.append(
        part(
            "A-PUBLICITY-SHORT",
            f,
            table=J,
            key="project_id",
            column="publicity_start",
            value=span[m].astype("Int64"),
            detail=detail,
            amount=f["budget"],
        )
    )
    return out


def budgets(j: pd.DataFrame) -> list[pd.DataFrame]:
    invalid = j["budget"].isna() | (j["budget"] <= 0).fillna(False).astype(bool)
    f = j[invalid]
    out = [
        part("A-BUDGET-INVALID", f, table=J, key="project_id", column="budget", value=f["budget_raw"], amount=f["paid"])
    ]
    over = ~invalid & (j["paid"] > j["budget"] + 0.005).fillna(False).astype(bool)
    f = j[over]
    out.append(
        part(
            "A-OVER-BUDGET",
            f,
            table=J,
            key="project_id",
            column="budget",
            value=money_text(f["paid"]),
            detail=money_text(f["budget"]),
            amount=f["paid"] - f["budget"],
        )
    )
    return out


def idle(j: pd.DataFrame, as_of: pd.Timestamp, share: float, days: int) -> pd.DataFrame:
    age = (as_of - j["approved_date"]).dt.days
    ratio = j["paid_asof"] / j["budget"]
    m = ((j["budget"] > 0) & (age > days) & (ratio < share)).fillna(False).astype(bool)
    f = j[m]
    pct = (ratio[m] * 100).round(1).astype("str") + "%"
    return part(
        "A-IDLE-FUNDS",
        f,
        table=J,
        key="project_id",
        column="budget",
        value=pct,
        detail=age[m].astype("Int64"),
        amount=(f["budget"] - f["paid_asof"]).clip(lower=0),
    )


def negative_list(p: pd.DataFrame, j: pd.DataFrame, keywords: list[str], allow: list[str]) -> list[pd.DataFrame]:
    """Payment purposes and project names that match an item of the 2017 negative list
    (patterns in :mod:`jingzhun.audit.negative_list`) or a configured keyword."""
    out = []
    for frame, table, col, key, amount in (
        (p, P, "purpose", "payment_id", "amount"),
        (j, J, "name", "project_id", "budget"),
    ):
        hit, detail = match_texts(frame[col], keywords, allow)
        f = frame[hit]
        out.append(
            part(
                "A-NEGATIVE-LIST",
                f,
                table=table,
                key=key,
                column=col,
                value=f[col],
                detail=detail[hit],
                amount=f[amount],
            )
        )
    return out


def equal_split(
    p: pd.DataFrame, j: pd.DataFrame, categories: list[str], min_households: int, tolerance: float
) -> pd.DataFrame:
    h = p[
        p["project_known"]
        & p["to_household"]
        & p["resolved_hh"].notna()
        & (p["amount"].fillna(0) > 0)
        & p["category"].isin(categories)
    ]
    per_hh = h.groupby(["project_id", "resolved_hh"])["amount"].sum()
    g = per_hh.groupby(level="project_id")
    stats = pd.DataFrame({"n": g.size(), "lo": g.min(), "hi": g.max(), "mean": g.mean(), "total": g.sum()})
    bad = stats[(stats["n"] >= min_households) & ((stats["hi"] - stats["lo"]) <= tolerance * stats["mean"])]
    f = j[j["project_id"].isin(bad.index)]
    s = bad.reindex(f["project_id"])
    return part(
        "A-EQUAL-SPLIT",
        f,
        table=J,
        key="project_id",
        column="amount",
        value=s["n"].to_numpy(),
        detail="每户 " + money_text(pd.Series(s["mean"].to_numpy())) + " 元",
        amount=pd.Series(s["total"].to_numpy()),
    )
