"""The project library and the payment ledger, prepared for audit and summaries.

Typed frames (docs/DEVELOPING.md) arrive with ``money`` as ``Float64`` and dates as
``datetime64``; a frame built by hand or read loosely may hold text there instead. Both
are accepted: text is parsed with the reader's own parsers and the raw text is kept, so
a row whose amount cannot be parsed is counted and reported, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jingzhun import ids
from jingzhun.identify.members import isin, map_keys
from jingzhun.io.parse import parse_date, parse_number
from jingzhun.nulls import NA
from jingzhun.tablespec import conform, text_column

PROJECT_TEXT = (
    "project_id",
    "name",
    "village_code",
    "category",
    "fund_source",
    "implementer",
    "contract_id",
    "performance_target",
)
PROJECT_DATES = (
    "approved_date",
    "publicity_start",
    "publicity_end",
    "start_date",
    "completion_date",
    "acceptance_date",
)
PAYMENT_TEXT = (
    "payment_id",
    "project_id",
    "household_id",
    "payee_name",
    "payee_id_number",
    "bank_account",
    "measure",
    "purpose",
    "stage",
)


def money(df: pd.DataFrame, col: str) -> tuple[pd.Series, pd.Series]:
    """(Float64 amounts, raw text): numbers pass through, text is parsed (``1,234.5元``).

    The raw text of a numeric column is only written out where a finding shows it (an
    amount of zero or less); turning every number into text costs seconds on millions.
    """
    s = df[col]
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        out = s.astype("Float64")
        out = out.where(np.isfinite(out.fillna(0.0)))
        raw = pd.Series(pd.NA, index=df.index, dtype="str")
        shown = (out <= 0).fillna(False).to_numpy(dtype=bool)
        if shown.any():
            raw[shown] = out[shown].astype("str")
        return out, raw
    raw = text_column(df, col, blank_na=True)
    out, _ = parse_number(raw)
    return out.astype("Float64"), raw


def date(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    s = df[col]
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.astype("datetime64[ns]")
    out, _ = parse_date(text_column(df, col, blank_na=True))
    return out.astype("datetime64[ns]")


def row_numbers(df: pd.DataFrame) -> pd.Series:
    if "_row" in df.columns:
        return df["_row"].astype("Int64")
    return pd.Series(np.arange(1, len(df) + 1), index=df.index, dtype="Int64")


def norm_id(s: pd.Series) -> pd.Series:
    """Normalised ID numbers (full-width, x, spaces; 15 → 18 digits); empty → NA."""
    if len(s) == 0:
        return s.astype("str")
    return ids.upgrade15(ids.normalize(s)).astype("str")


def norm_account(s: pd.Series) -> pd.Series:
    """Bank accounts compared by their digits only (spaces and dashes vary between exports)."""
    d = s.str.replace(r"[^0-9A-Za-z]", "", regex=True)
    return d.where(d != "", NA).astype("str")


def prepare_projects(projects: pd.DataFrame | None) -> pd.DataFrame:
    """Projects with every column the audit uses, typed; missing columns all NA."""
    df = conform("projects", projects if projects is not None else pd.DataFrame())
    out = pd.DataFrame({"_row": row_numbers(df)}, index=df.index)
    for c in PROJECT_TEXT:
        out[c] = text_column(df, c, blank_na=True)
    out["budget"], out["budget_raw"] = money(df, "budget")
    for c in PROJECT_DATES:
        out[c] = date(df, c)
    for c in ("beneficiary_households", "beneficiary_poor_households"):
        out[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    out["township_code"] = out["village_code"].str.slice(0, 9)
    return out.reset_index(drop=True)


def prepare_payments(payments: pd.DataFrame | None) -> pd.DataFrame:
    """Payments typed, IDs and accounts normalised; every input row kept in order."""
    df = conform("payments", payments if payments is not None else pd.DataFrame())
    out = pd.DataFrame({"_row": row_numbers(df)}, index=df.index)
    for c in PAYMENT_TEXT:
        out[c] = text_column(df, c, blank_na=True)
    out["amount"], out["amount_raw"] = money(df, "amount")
    out["amount_ok"] = out["amount"].notna().to_numpy(dtype=bool)
    out["pay_date"] = date(df, "pay_date")
    out["pay_year"] = out["pay_date"].dt.year.astype("Int64")
    out["payee_id"] = norm_id(out["payee_id_number"])
    out["account"] = norm_account(out["bank_account"])
    out = out.reset_index(drop=True)
    if out["payment_id"].isna().any():  # a key is needed for every finding
        fallback = "#" + out["_row"].astype("str")
        out["payment_id"] = out["payment_id"].fillna(fallback)
    return out


@dataclass
class Ledger:
    """Projects and payments joined: each payment knows its project and its place."""

    projects: pd.DataFrame
    payments: pd.DataFrame
    has_payments: bool = True  # False: no payments table was given (its sums are unknown, not 0)

    @property
    def total(self) -> float:
        """Sum of every parsed amount (negative ones included): the ledger's sum."""
        return float(self.payments["amount"].sum(skipna=True))


def build_ledger(
    projects: pd.DataFrame | None,
    payments: pd.DataFrame | None,
    households: pd.DataFrame | None = None,
) -> Ledger:
    """Prepare both tables and attach to each payment its project's fields and its village.

    A payment's village is its household's village when the household is known, else
    its project's village; the township is the first 9 digits (统计用区划代码).
    """
    proj = prepare_projects(projects)
    pay = prepare_payments(payments)
    pj = proj.drop_duplicates("project_id")[
        [
            "project_id",
            "category",
            "fund_source",
            "village_code",
            "budget",
            "approved_date",
            "acceptance_date",
            "publicity_start",
            "publicity_end",
            "start_date",
        ]
    ].rename(
        columns={
            "village_code": "project_village",
            "approved_date": "project_approved",
            "acceptance_date": "project_accepted",
            "budget": "project_budget",
        }
    )
    pj = pj[pj["project_id"].notna()]
    pay = pay.merge(pj, on="project_id", how="left")
    pay["project_known"] = isin(pay["project_id"], pj["project_id"]).to_numpy(dtype=bool)
    hh_village = pd.Series(dtype="str")
    if households is not None:
        h = pd.DataFrame(
            {
                "household_id": text_column(households, "household_id", blank_na=True),
                "village_code": text_column(households, "village_code", blank_na=True),
            }
        )
        hh_village = h.drop_duplicates("household_id").set_index("household_id")["village_code"]
    pay["village_code"] = map_keys(pay["household_id"], hh_village).astype("str")
    pay["village_code"] = pay["village_code"].fillna(pay["project_village"]).astype("str")
    pay["township_code"] = pay["village_code"].str.slice(0, 9)
    return Ledger(projects=proj, payments=pay, has_payments=payments is not None)
