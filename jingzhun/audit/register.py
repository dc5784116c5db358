"""The register as the audit sees it: who is a household, a member, dead, or flagged.

Built once from the typed ``households``, ``members`` and ``crosscheck`` frames and the
identification result (``result == "excluded"``), then joined to payments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jingzhun.funds.ledger import date, norm_id
from jingzhun.identify.members import isin, lookup, positions
from jingzhun.tablespec import text_column

EXITED_NO_POLICY = "已脱贫(不再享受政策)"


@dataclass
class Register:
    households: pd.DataFrame  # household_id, registered, status, exit_year, village_code, family_key, excluded
    members: pd.DataFrame  # household_id, id, name, change_reason, change_date
    kin: pd.DataFrame  # household_id, kin_detail: households with a 村干部/财政供养 hit
    deaths_by_id: pd.Series  # normalised id -> death date
    deaths_by_name: pd.DataFrame  # household_id, name, death_date

    def household_of_person(self, ids: pd.Series) -> pd.Series:
        """The household of each normalised ID (its first listed member row); NA when none.

        The member rows whose ID is asked for are picked first (a hash of the few payee IDs,
        not of every member's): the look-up then hashes only those rows, in their order."""
        rows = np.flatnonzero(isin(self.members["id"], ids).to_numpy(dtype=bool))
        pos = positions(ids, self.members["id"].iloc[rows])
        at = np.where(pos >= 0, rows[np.maximum(pos, 0)] if len(rows) else -1, -1)
        return lookup(self.members["household_id"], at, ids.index)


def _bool(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="boolean")
    s = df[col]
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("boolean")
    t = text_column(df, col, blank_na=True)
    return t.map(
        {"true": True, "True": True, "是": True, "1": True, "false": False, "False": False, "否": False, "0": False}
    ).astype("boolean")


def build_register(
    households: pd.DataFrame | None,
    members: pd.DataFrame | None,
    crosscheck: pd.DataFrame | None,
    eligibility: pd.DataFrame | None,
    kin_sources: list[str],
) -> Register:
    hh_in = households if households is not None else pd.DataFrame()
    hh = pd.DataFrame(
        {
            "household_id": text_column(hh_in, "household_id", blank_na=True),
            "registered": _bool(hh_in, "registered"),
            "status": text_column(hh_in, "status", blank_na=True),
            "exit_year": pd.to_numeric(hh_in["exit_year"], errors="coerce").astype("Int64")
            if "exit_year" in hh_in.columns
            else pd.array([pd.NA] * len(hh_in), dtype="Int64"),
            "village_code": text_column(hh_in, "village_code", blank_na=True),
            "township_name": text_column(hh_in, "township_name", blank_na=True),
        }
    )
    # 分户 of one family keeps the surname and the village: the audit's notion of "related".
    surname = text_column(hh_in, "head_name", blank_na=True).str.slice(0, 1)
    hh["family_key"] = (hh["village_code"].fillna("") + "|" + surname.fillna(hh["household_id"])).astype("str")
    hh = hh[hh["household_id"].notna()].drop_duplicates("household_id").reset_index(drop=True)
    excluded = pd.Series(False, index=hh.index)
    if eligibility is not None and {"household_id", "result"} <= set(eligibility.columns):
        ex_ids = eligibility.loc[eligibility["result"].astype("str") == "excluded", "household_id"].astype("str")
        excluded = isin(hh["household_id"], ex_ids)
    hh["excluded"] = excluded.to_numpy(dtype=bool)

    m_in = members if members is not None else pd.DataFrame()
    mem = pd.DataFrame(
        {
            "household_id": text_column(m_in, "household_id", blank_na=True),
            "id": norm_id(text_column(m_in, "id_number", blank_na=True)),
            "name": text_column(m_in, "name", blank_na=True),
            "change_reason": text_column(m_in, "change_reason", blank_na=True),
            "change_date": date(m_in, "change_date"),
        }
    ).reset_index(drop=True)
    dead = mem[(mem["change_reason"] == "死亡") & mem["change_date"].notna()]
    deaths_by_id = dead[dead["id"].notna()].groupby("id")["change_date"].min()
    deaths_by_name = (
        dead[dead["name"].notna()]
        .groupby(["household_id", "name"])["change_date"]
        .min()
        .rename("death_date")
        .reset_index()
    )

    kin = pd.DataFrame({"household_id": pd.Series(dtype="str"), "kin_detail": pd.Series(dtype="str")})
    if crosscheck is not None and len(crosscheck) and "source" in crosscheck.columns:
        cc = pd.DataFrame(
            {
                "id": norm_id(text_column(crosscheck, "id_number", blank_na=True)),
                "source": text_column(crosscheck, "source", blank_na=True),
            }
        )
        cc = cc[cc["source"].isin(kin_sources) & cc["id"].notna()].drop_duplicates()
        m = mem[["id", "household_id", "name"]].dropna(subset=["id"])
        m = m[isin(m["id"], cc["id"]).to_numpy()]  # the few members with a hit, before the merge
        hits = cc.merge(m, on="id", how="inner")
        if len(hits):
            hits["kin_detail"] = (hits["source"] + " " + hits["name"].fillna("")).astype("str")
            # distinct details per household in sorted order, joined by "; " (grouped Arrow sum)
            u = hits[["household_id", "kin_detail"]].sort_values(["household_id", "kin_detail"]).drop_duplicates()
            joined = (u["kin_detail"] + "; ").groupby(u["household_id"], sort=True).sum().str.slice(0, -2)
            kin = pd.DataFrame({"household_id": joined.index.astype("str"), "kin_detail": joined.to_numpy()}).astype(
                "str"
            )
    return Register(households=hh, members=mem, kin=kin, deaths_by_id=deaths_by_id, deaths_by_name=deaths_by_name)
