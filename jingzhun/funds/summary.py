"""Fund summaries: allocation and spending by fund source, category, township and village,
spending per registered household, and project completion status.

Every payment row is counted somewhere: payments without a project, or with a project
missing from the library, get their own labelled group, and a payment without a place
falls under ``UNKNOWN_PLACE``. So each summary's ``paid`` column sums to the ledger's
total (``Ledger.total``), and ``unparsed`` counts the rows whose amount was unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from jingzhun.funds.ledger import Ledger, build_ledger
from jingzhun.tablespec import text_column

NO_PROJECT = "(无项目)"
UNKNOWN_PROJECT = "(项目库中无此项目)"
UNKNOWN_PLACE = "(未知)"
COUNTY_LEVEL = "(县级)"
STATUSES = ("未审批", "已审批未开工", "在建", "已完工未验收", "已验收")

# File name (under the command's folder) → attribute.
FILES = {
    "funds_by_source.csv": "by_source",
    "funds_by_category.csv": "by_category",
    "funds_by_township.csv": "by_township",
    "funds_by_village.csv": "by_village",
    "funds_completion.csv": "completion",
}


@dataclass
class FundSummaries:
    by_source: pd.DataFrame
    by_category: pd.DataFrame
    by_township: pd.DataFrame
    by_village: pd.DataFrame
    completion: pd.DataFrame
    total_paid: float
    payments: int
    unparsed: int
    has_payments: bool = True  # False: no payments table, so what was paid is unknown

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, attr) for name, attr in FILES.items()}


def _share(paid: pd.Series, budget: pd.Series) -> pd.Series:
    b = budget.astype("Float64")
    return (paid.astype("Float64") / b.where(b > 0)).round(4)


def _by_project_field(ledger: Ledger, field: str) -> pd.DataFrame:
    j, p = ledger.projects, ledger.payments
    label = p[field].astype("str")
    label = label.where(p["project_known"], UNKNOWN_PROJECT).where(p["project_id"].notna(), NO_PROJECT)
    label = label.fillna(UNKNOWN_PLACE).astype("str")
    pay = (
        p.assign(_g=label)
        .groupby("_g", sort=True, dropna=False)
        .agg(paid=("amount", "sum"), payments=("payment_id", "size"), unparsed=("amount_ok", lambda s: int((~s).sum())))
    )
    jl = j[field].fillna(UNKNOWN_PLACE).astype("str")
    proj = j.assign(_g=jl).groupby("_g", sort=True).agg(projects=("project_id", "size"), budget=("budget", "sum"))
    out = proj.join(pay, how="outer").reset_index().rename(columns={"_g": field})
    out["projects"] = out["projects"].fillna(0).astype("int64")
    out["payments"] = out["payments"].fillna(0).astype("int64")
    out["unparsed"] = out["unparsed"].fillna(0).astype("int64")
    out["budget"] = out["budget"].astype("Float64").fillna(0.0).round(2)
    out["paid"] = out["paid"].astype("Float64").fillna(0.0).round(2)
    out["paid_share"] = _share(out["paid"], out["budget"])
    return out[[field, "projects", "budget", "payments", "unparsed", "paid", "paid_share"]]


def _names(households: pd.DataFrame | None, villages: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    """village_code → village_name and township_code → township_name (villages table first)."""
    parts_v, parts_t = [], []
    for df in (villages, households):
        if df is None:
            continue
        d = pd.DataFrame(
            {
                "village_code": text_column(df, "village_code", blank_na=True),
                "village_name": text_column(df, "village_name", blank_na=True),
                "township_name": text_column(df, "township_name", blank_na=True),
            }
        )
        d["township_code"] = d["village_code"].str.slice(0, 9)
        parts_v.append(d.dropna(subset=["village_code", "village_name"])[["village_code", "village_name"]])
        parts_t.append(d.dropna(subset=["township_code", "township_name"])[["township_code", "township_name"]])
    v = (
        pd.concat(parts_v).drop_duplicates("village_code")
        if parts_v
        else pd.DataFrame(columns=["village_code", "village_name"])
    )
    t = (
        pd.concat(parts_t).drop_duplicates("township_code")
        if parts_t
        else pd.DataFrame(columns=["township_code", "township_name"])
    )
    return (
        v.set_index("village_code")["village_name"].astype("str"),
        t.set_index("township_code")["township_name"].astype("str"),
    )


def township_names(households: pd.DataFrame | None, villages: pd.DataFrame | None) -> pd.Series:
    return _names(households, villages)[1]


def _registered(households: pd.DataFrame | None, level: str) -> pd.Series:
    if households is None:
        return pd.Series(dtype="int64")
    reg = households["registered"]
    mask = (
        reg.fillna(False).astype(bool)
        if pd.api.types.is_bool_dtype(reg.dtype)
        else reg.astype("str").isin(["True", "true", "是", "1"])
    )
    code = text_column(households, "village_code", blank_na=True)
    if level == "township_code":
        code = code.str.slice(0, 9)
    return code[mask.to_numpy()].value_counts()


def _by_place(ledger: Ledger, households: pd.DataFrame | None, level: str, names: pd.Series) -> pd.DataFrame:
    j, p = ledger.projects, ledger.payments
    pcode = p[level].fillna(UNKNOWN_PLACE).astype("str")
    to_hh = p["household_id"].notna()
    pay = (
        pd.DataFrame(
            {
                "_g": pcode,
                "paid": p["amount"],
                "household_paid": p["amount"].where(to_hh),
                "payments": 1,
                "unparsed": (~p["amount_ok"]).astype("int64"),
            }
        )
        .groupby("_g", sort=True, dropna=False)
        .sum(min_count=0)
    )
    jcode = j[level].fillna(COUNTY_LEVEL).astype("str")
    proj = j.assign(_g=jcode).groupby("_g", sort=True).agg(projects=("project_id", "size"), budget=("budget", "sum"))
    out = proj.join(pay, how="outer")
    out["registered_households"] = _registered(households, level).reindex(out.index).fillna(0).astype("int64")
    out = out.reset_index().rename(columns={"_g": level})
    for c in ("projects", "payments", "unparsed"):
        out[c] = out[c].fillna(0).astype("int64")
    for c in ("budget", "paid", "household_paid"):
        out[c] = out[c].astype("Float64").fillna(0.0).round(2)
    regs = out["registered_households"].astype("Float64")
    out["paid_per_registered_household"] = (out["paid"] / regs.where(regs > 0)).round(2)
    out["household_paid_per_registered_household"] = (out["household_paid"] / regs.where(regs > 0)).round(2)
    name_col = "village_name" if level == "village_code" else "township_name"
    out.insert(1, name_col, out[level].map(names).astype("str"))
    if level == "village_code":
        out.insert(2, "township_code", out[level].str.slice(0, 9).where(out[level].str.fullmatch(r"\d{12}")))
    return out


def completion(ledger: Ledger, as_of: pd.Timestamp) -> pd.DataFrame:
    """Projects by status on the audit date (a date after it does not count yet)."""
    j = ledger.projects

    def done(c: str) -> pd.Series:
        return (j[c] <= as_of).fillna(False).astype(bool)

    status = pd.Series("未审批", index=j.index, dtype="str")
    status[done("approved_date")] = "已审批未开工"
    status[done("approved_date") & done("start_date")] = "在建"
    status[done("approved_date") & done("start_date") & done("completion_date")] = "已完工未验收"
    status[done("approved_date") & done("start_date") & done("completion_date") & done("acceptance_date")] = "已验收"
    paid = ledger.payments[ledger.payments["project_known"]].groupby("project_id")["amount"].sum()
    g = j.assign(status=status, paid=j["project_id"].map(paid).astype("Float64").fillna(0.0)).groupby("status")
    out = (
        pd.DataFrame({"projects": g.size(), "budget": g["budget"].sum(), "paid": g["paid"].sum()})
        .reindex(list(STATUSES))
        .reset_index()
        .rename(columns={"index": "status"})
    )
    out["projects"] = out["projects"].fillna(0).astype("int64")
    for c in ("budget", "paid"):
        out[c] = out[c].astype("Float64").fillna(0.0).round(2)
    out["paid_share"] = _share(out["paid"], out["budget"])
    return out


def summarize(
    ledger: Ledger,
    households: pd.DataFrame | None,
    villages: pd.DataFrame | None,
    as_of: pd.Timestamp,
) -> FundSummaries:
    vnames, tnames = _names(households, villages)
    return FundSummaries(
        by_source=_by_project_field(ledger, "fund_source"),
        by_category=_by_project_field(ledger, "category"),
        by_township=_by_place(ledger, households, "township_code", tnames),
        by_village=_by_place(ledger, households, "village_code", vnames),
        completion=completion(ledger, as_of),
        total_paid=round(ledger.total, 2),
        payments=len(ledger.payments),
        unparsed=int((~ledger.payments["amount_ok"]).sum()),
        has_payments=ledger.has_payments,
    )


def fund_summaries(frames: dict[str, pd.DataFrame], data_year: int, as_of: pd.Timestamp | None = None) -> FundSummaries:
    """Summaries straight from typed frames (for ``jingzhun report`` and ``jingzhun run``)."""
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(year=data_year, month=12, day=31)
    ledger = build_ledger(frames.get("projects"), frames.get("payments"), frames.get("households"))
    return summarize(ledger, frames.get("households"), frames.get("villages"), as_of)
