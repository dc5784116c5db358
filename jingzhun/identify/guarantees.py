"""两不愁三保障一安全: the guarantees checked for exit, listed for every household.

A gap flag is True when the guarantee fails, False when it holds and NA when it cannot
be decided (the column is absent, or the household has no current member rows).
"""

from __future__ import annotations

import pandas as pd

from jingzhun.identify.members import age_on, current_mask, isin, map_keys
from jingzhun.nulls import NA
from jingzhun.params import Params
from jingzhun.tablespec import conform, provided

# school_status values that mean "not in school" (empty counts too; data-contract §2).
NOT_IN_SCHOOL: tuple[str, ...] = ("非在校生", "学龄前儿童")
GAP_COLUMNS: tuple[str, ...] = ("housing_gap", "education_gap", "medical_gap", "water_gap")


def _bool(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="boolean")
    return df[col].astype("boolean")


def _names(members: pd.DataFrame, mask: pd.Series) -> pd.Series:
    """``name(id)`` of the flagged members joined by 、 per household_id (flagged rows only)."""
    sub = members.loc[mask]
    if sub.empty:
        return pd.Series(dtype="str")
    name = sub["name"].astype("str").fillna("")
    ident = sub["id_number"].astype("str").fillna("")
    label = (name + "(" + ident + ")").astype("str")
    # a grouped sum of Arrow strings concatenates in C; agg("、".join) calls Python per group
    return (label + "、").groupby(sub["household_id"].astype("str"), sort=True).sum().str.rstrip("、")


def guarantee_gaps(
    households: pd.DataFrame, members: pd.DataFrame | None, params: Params, income_year: int
) -> pd.DataFrame:
    """Gap flags aligned to ``households``; member lists for the education and medical gaps."""
    idx = households.index
    hid = households["household_id"].astype("str")
    out = pd.DataFrame(index=idx)
    out["housing_gap"] = _bool(households, "dangerous_house")
    water_safe = _bool(households, "drinking_water_safe")
    out["water_gap"] = ~water_safe
    out["education_gap"] = pd.Series(pd.NA, index=idx, dtype="boolean")
    out["medical_gap"] = pd.Series(pd.NA, index=idx, dtype="boolean")
    out["education_gap_members"] = pd.Series("", index=idx, dtype="str")
    out["medical_gap_members"] = pd.Series("", index=idx, dtype="str")
    if members is None or members.empty:
        return out
    members = conform("members", members)
    if not provided(members, "household_id"):
        return out

    used = ["household_id", "name", "id_number", "birth_date", "school_status", "health", "medical_insurance"]
    cur = members.loc[current_mask(members).to_numpy(dtype=bool), used]  # narrow: only the columns read here
    cur["household_id"] = cur["household_id"].astype("str")
    has_members = isin(hid, cur["household_id"])

    # Compulsory education: aged min..max on 31 December of the income year, not in school.
    if provided(members, "school_status"):
        age = age_on(cur, pd.Timestamp(year=income_year, month=12, day=31))
        lo, hi = int(params.settings.identify.school_age_min), int(params.settings.identify.school_age_max)
        school_age = ((age >= lo) & (age <= hi)).fillna(False).astype(bool)
        status = cur["school_status"].astype("str").str.strip()
        out_of_school = (status.isna() | (status == "") | status.isin(NOT_IN_SCHOOL)).fillna(True).astype(bool)
        flagged = school_age & out_of_school
        if bool(params.settings.identify.exempt_disabled_home_schooling):
            disabled = cur["health"].astype("str").str.contains("残疾", regex=False).fillna(False).astype(bool)
            flagged &= ~disabled
        out["education_gap"] = isin(hid, cur.loc[flagged, "household_id"]).astype("boolean").where(has_members, NA)
        names = _names(cur, flagged)
        out["education_gap_members"] = map_keys(hid, names).astype("str").fillna("")

    # Basic medical: every current member in 城乡居民基本医疗保险 (empty is not "true").
    if provided(members, "medical_insurance"):
        insured = cur["medical_insurance"].astype("boolean").fillna(False).astype(bool)
        flagged = ~insured
        out["medical_gap"] = isin(hid, cur.loc[flagged, "household_id"]).astype("boolean").where(has_members, NA)
        names = _names(cur, flagged)
        out["medical_gap_members"] = map_keys(hid, names).astype("str").fillna("")
    return out
