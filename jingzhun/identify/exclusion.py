"""Exclusion: a current member's ID in another department's register (比对数据).

A hit is a 疑点 to verify (domain.md §3.4), so every hit names the member and the
source. Only sources listed in ``identify.exclusion_sources`` count.
"""

from __future__ import annotations

import pandas as pd

from jingzhun.identify.members import current_mask, isin, normalized_ids
from jingzhun.params import Params
from jingzhun.tablespec import conform, provided

SOURCE_CODES: dict[str, str] = {
    "财政供养": "I-EXCL-PAYROLL",
    "车辆": "I-EXCL-VEHICLE",
    "商品房": "I-EXCL-HOUSE",
    "工商注册": "I-EXCL-BUSINESS",
    "村干部": "I-EXCL-CADRE",
}
HIT_COLUMNS = ["household_id", "member_row", "id_number", "name", "source", "code", "detail"]


def exclusion_hits(members: pd.DataFrame | None, crosscheck: pd.DataFrame | None, params: Params) -> pd.DataFrame:
    """One row per (household, current member, enabled source) hit."""
    empty = pd.DataFrame({c: pd.Series(dtype="str") for c in HIT_COLUMNS})
    if members is None or crosscheck is None or members.empty or crosscheck.empty:
        return empty
    members, crosscheck = conform("members", members), conform("crosscheck", crosscheck)
    if not (provided(members, "id_number") and provided(crosscheck, "id_number") and provided(crosscheck, "source")):
        return empty
    enabled = [s for s in params.settings.identify.exclusion_sources if s in SOURCE_CODES]
    cc = crosscheck.loc[crosscheck["source"].astype("str").str.strip().isin(enabled).fillna(False).astype(bool)]
    if cc.empty:
        return empty
    cc = pd.DataFrame(
        {
            "id_number": normalized_ids(cc["id_number"]),
            "source": cc["source"].astype("str").str.strip(),
            "detail": cc["detail"].astype("str"),
        }
    ).dropna(subset=["id_number"])
    cc = cc.sort_values(["id_number", "source", "detail"], na_position="last").drop_duplicates(["id_number", "source"])

    used = ["household_id", "id_number", "name", *(["_row"] if "_row" in members.columns else [])]
    cur = members.loc[current_mask(members).to_numpy(dtype=bool), used]
    m = pd.DataFrame(
        {
            "household_id": cur["household_id"].astype("str"),
            "member_row": cur["_row"].astype("str")
            if "_row" in cur.columns
            else pd.Series(pd.NA, index=cur.index, dtype="str"),
            "id_number": normalized_ids(cur["id_number"]),
            "name": cur["name"].astype("str"),
        }
    ).dropna(subset=["id_number"])
    m = m[isin(m["id_number"], cc["id_number"]).to_numpy()]  # the few members with a hit, before the merge
    hits = m.merge(cc, on="id_number", how="inner")
    hits["code"] = hits["source"].map(SOURCE_CODES).astype("str")
    hits = hits.sort_values(["household_id", "id_number", "source"]).reset_index(drop=True)
    return hits[HIT_COLUMNS]


def hits_by_household(hits: pd.DataFrame) -> pd.DataFrame:
    """``exclusion_sources`` (sorted, ``;``) and ``exclusion_members`` per household_id."""
    if hits.empty:
        return pd.DataFrame({"exclusion_sources": pd.Series(dtype="str"), "exclusion_members": pd.Series(dtype="str")})
    who = (hits["name"].fillna("") + "(" + hits["id_number"] + "):" + hits["source"]).astype("str")
    hits = hits.assign(_who=who)
    uniq = hits[["household_id", "source"]].drop_duplicates().sort_values(["household_id", "source"])
    return pd.DataFrame(
        {
            "exclusion_sources": (uniq["source"] + ";").groupby(uniq["household_id"], sort=True).sum().str.rstrip(";"),
            "exclusion_members": (hits["_who"] + "、").groupby(hits["household_id"], sort=True).sum().str.rstrip("、"),
        }
    ).astype("str")
