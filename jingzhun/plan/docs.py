"""Document models for 户有卡、村有册、乡有簿、县有档 (built once, rendered per village).

Everything data-sized is prepared with column operations; the per-household Python
objects the templates need are made in one pass and sliced per village.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jingzhun.identify.members import age_on, current_mask
from jingzhun.plan.core import PlanResult

MEMBER_FIELDS = ["name", "relation", "sex", "age", "id_masked", "health", "labor", "school_status", "work_status"]


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """``df.to_dict("records")`` without pandas' per-value boxing (arrow strings iterate slowly)."""
    cols = [df[c].to_numpy(dtype=object, na_value=None) if df[c].dtype != bool else df[c].to_numpy() for c in df.columns]
    keys = list(df.columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*cols, strict=True)]


def _s(df: pd.DataFrame, col: str, n: int | None = None) -> pd.Series:
    if col in df.columns:
        return df[col].astype("str").reset_index(drop=True).fillna("")
    return pd.Series([""] * (len(df) if n is None else n), dtype="str")


# exit_blockers codes of identification, as the card says them.
BLOCKER_LABELS = {
    "I-EXIT-INCOME": "收入未稳定超过退出标准",
    "I-GAP-HOUSING": "住房安全",
    "I-GAP-EDUCATION": "义务教育",
    "I-GAP-MEDICAL": "基本医疗",
    "I-GAP-WATER": "饮水安全",
}


def blocker_text(s: pd.Series) -> pd.Series:
    """``I-EXIT-INCOME;I-GAP-MEDICAL`` → ``收入未稳定超过退出标准、基本医疗`` (unknown codes kept)."""
    out = s.fillna("").astype("str")
    for code, label in BLOCKER_LABELS.items():
        out = out.str.replace(code, label, regex=False)
    return out.str.replace(";", "、", regex=False)


def _member_records(members: pd.DataFrame | None, hids: pd.Series, data_year: int) -> list[list[dict[str, Any]]]:
    """Per household (aligned to ``hids``): its current members, 户主 first."""
    n = len(hids)
    if members is None or members.empty:
        return [[] for _ in range(n)]
    m = members[current_mask(members)]
    m = m[m["household_id"].astype("str").isin(hids)]
    age = age_on(m, pd.Timestamp(year=data_year, month=1, day=1)) if ("birth_date" in m.columns or "id_number" in m.columns) else None
    idn = _s(m, "id_number")
    frame = pd.DataFrame(
        {
            "household_id": m["household_id"].astype("str").to_numpy(dtype=object),
            "name": _s(m, "name"),
            "relation": _s(m, "relation"),
            "sex": _s(m, "sex"),
            "age": age.astype("str").fillna("").reset_index(drop=True) if age is not None else "",
            "id_masked": (idn.str.slice(0, 6) + "********" + idn.str.slice(-4)).where(idn.str.len() >= 15, ""),
            "health": _s(m, "health").str.replace(",", "、", regex=False),
            "labor": _s(m, "labor"),
            "school_status": _s(m, "school_status"),
            "work_status": _s(m, "work_status"),
        }
    )
    frame["_head"] = (frame["relation"] != "户主").astype(int)
    order = pd.Series(np.arange(n), index=hids.to_numpy(dtype=object))
    frame["_pos"] = frame["household_id"].map(order).to_numpy(dtype=np.int64)
    frame = frame.sort_values(["_pos", "_head"], kind="stable")
    recs = records(frame[MEMBER_FIELDS])
    bounds = np.searchsorted(frame["_pos"].to_numpy(dtype=np.int64), np.arange(n + 1)).tolist()
    return [recs[bounds[i]: bounds[i + 1]] for i in range(n)]


@dataclass
class DocModel:
    """Cards (one dict per household) in village order, plus per-level summaries."""

    cards: list[dict[str, Any]]
    village_bounds: dict[str, tuple[int, int]]   # village_code -> [start, end) in cards
    villages: pd.DataFrame                        # one row per village: summary fields
    county: dict[str, Any]
    year: int

    def village_context(self, code: str) -> dict[str, Any]:
        start, end = self.village_bounds[code]
        v = self.village_rows[code]
        return {"year": self.year, "county": self.county, "village": v, "cards": self.cards[start:end]}

    def township_codes(self) -> list[str]:
        return sorted(self.villages["township_code"].unique().tolist())

    def township_context(self, tcode: str) -> dict[str, Any]:
        if not hasattr(self, "_tgroups"):
            self._tgroups = {k: g for k, g in self.villages.groupby("township_code", sort=True)}
        group = self._tgroups[tcode]
        rows = [self.village_rows[v] for v in group["village_code"]]
        households = [c for v in rows for c in self.cards[slice(*self.village_bounds[v["village_code"]])]]
        township = {
            "township_code": tcode,
            "township_name": rows[0]["township_name"],
            "households": int(group["households"].sum()),
            "population": int(group["population"].sum()),
            "unpaired": int(group["unpaired"].sum()),
        }
        return {"year": self.year, "county": self.county, "township": township, "villages": rows, "households": households}

    def townships(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for tcode in self.township_codes():
            yield tcode, self.township_context(tcode)

    @property
    def village_rows(self) -> dict[str, dict[str, Any]]:
        if not hasattr(self, "_vrows"):
            self._vrows = {r["village_code"]: r for r in self.villages.to_dict("records")}
        return self._vrows


def build(
    result: PlanResult,
    households: pd.DataFrame,
    members: pd.DataFrame | None,
    cadres: pd.DataFrame | None,
    villages: pd.DataFrame | None,
    county: dict[str, Any],
    data_year: int,
    identified: pd.DataFrame | None = None,
) -> DocModel:
    p = result.plans
    n = len(p)
    hid = p["household_id"]
    h = households.assign(household_id=households["household_id"].astype("str").str.strip()).drop_duplicates("household_id")
    h = h.set_index("household_id").reindex(hid.to_numpy(dtype=object)).reset_index()

    # Names of places: the villages table first, the households' own columns next.
    vnames = p["village_name"].fillna("")
    tnames = p["township_name"].fillna("")
    if villages is not None and "village_code" in villages.columns:
        vt = villages.assign(village_code=villages["village_code"].astype("str")).drop_duplicates("village_code").set_index("village_code")
        if "village_name" in vt.columns:
            vnames = p["village_code"].map(vt["village_name"]).astype("str").fillna(vnames).fillna("")
        if "township_name" in vt.columns:
            tnames = p["village_code"].map(vt["township_name"]).astype("str").fillna(tnames).fillna("")

    income = pd.Series(np.nan, index=range(n))
    if identified is not None and "per_capita_net_income" in identified.columns:
        ident = identified.assign(household_id=identified["household_id"].astype("str")).drop_duplicates("household_id").set_index("household_id")
        income = hid.map(ident["per_capita_net_income"]).astype("Float64")
        exit_ready = hid.map(ident["exit_ready"]).astype("boolean").fillna(False) if "exit_ready" in ident.columns else pd.Series(False, index=range(n))
        blockers = hid.map(ident["exit_blockers"]).astype("str").fillna("") if "exit_blockers" in ident.columns else pd.Series("", index=range(n))
    else:
        if "per_capita_net_income" in h.columns:
            income = h["per_capita_net_income"].astype("Float64")
        exit_ready = pd.Series(False, index=range(n))
        blockers = pd.Series("", index=range(n))
    income_txt = income.astype("Float64").map(lambda v: "" if pd.isna(v) else f"{v:,.2f}") if n else pd.Series([], dtype="str")

    phones = pd.Series(pd.NA, index=range(n), dtype="str")
    if cadres is not None and "phone" in cadres.columns and len(cadres):
        cp = cadres.assign(cadre_id=cadres["cadre_id"].astype("str").str.strip()).drop_duplicates("cadre_id").set_index("cadre_id")["phone"]
        phones = p["cadre_id"].map(cp).astype("str")

    cards_df = pd.DataFrame(
        {
            "household_id": hid,
            "village_code": p["village_code"],
            "village_name": vnames,
            "township_name": tnames,
            "group_name": p["group_name"].fillna(""),
            "head_name": p["head_name"].fillna(""),
            "household_size": p["household_size"].astype("str").fillna(""),
            "category": p["category"].fillna(""),
            "status": p["status"].fillna(""),
            "main_cause": p["main_cause"].fillna(""),
            "other_causes": _s(h, "other_causes", n).str.replace(",", "、", regex=False),
            "identified_year": _s(h, "identified_year", n),
            "planned_exit_year": p["planned_exit_year"].astype("str").fillna(""),
            "income": income_txt,
            "exit_ready": exit_ready.to_numpy(dtype=bool),
            "exit_blockers": blocker_text(blockers),
            "cadre_name": p["cadre_name"].fillna(""),
            "cadre_unit": p["cadre_unit"].fillna(""),
            "cadre_phone": phones.fillna(""),
            "cadre_id": p["cadre_id"].fillna(""),
            "measure_text": p["measures"].fillna("").str.replace(";", "、", regex=False),
        }
    )
    cards = records(cards_df)
    items = result.items
    combos = result.combo.tolist()
    mem = _member_records(members, hid, data_year)
    for i, c in enumerate(cards):
        c["measures"] = items[combos[i]]
        c["members"] = mem[i]
        c["seq"] = 0

    codes = p["village_code"].to_numpy(dtype=object)
    bounds: dict[str, tuple[int, int]] = {}
    if n:
        change = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
        for a, b in zip(change[:-1], change[1:], strict=True):
            bounds[str(codes[a])] = (int(a), int(b))
            for k, c in enumerate(cards[a:b], start=1):
                c["seq"] = k

    size = p["household_size"].astype("Float64").fillna(0)
    g = pd.DataFrame({"village_code": p["village_code"], "size": size, "unpaired": (p["pairing"] == "none"),
                      "exit_ready": exit_ready.to_numpy(dtype=bool)}).groupby("village_code", sort=True)
    vs = pd.DataFrame({
        "households": g.size(),
        "population": g["size"].sum().astype("int64"),
        "unpaired": g["unpaired"].sum().astype("int64"),
        "exit_ready": g["exit_ready"].sum().astype("int64"),
    }).reset_index()
    first = cards_df.drop_duplicates("village_code").set_index("village_code")
    vs["village_name"] = vs["village_code"].map(first["village_name"]).fillna("")
    vs["township_name"] = vs["village_code"].map(first["township_name"]).fillna("")
    vs["township_code"] = vs["village_code"].str.slice(0, 9)
    by_cat = _grouped_counts(p, "category")
    by_cause = _grouped_counts(p, "main_cause")
    by_status = _grouped_counts(p, "status")
    meas = p[["village_code", "measures"]].assign(measure=p["measures"].str.split(";")).explode("measure")
    meas = meas[meas["measure"].fillna("") != ""]
    by_measure = _grouped_counts(meas, "measure")
    cad_v = p[p["cadre_id"].notna()].groupby(["village_code", "cadre_id"], sort=True).size().rename("n").reset_index()
    cad_v["cadre_name"] = cad_v["cadre_id"].map(p.drop_duplicates("cadre_id").set_index("cadre_id")["cadre_name"]).fillna("")
    cad_v["cadre_unit"] = cad_v["cadre_id"].map(p.drop_duplicates("cadre_id").set_index("cadre_id")["cadre_unit"]).fillna("")
    by_cadre = {k: grp[["cadre_id", "cadre_name", "cadre_unit", "n"]].to_dict("records") for k, grp in cad_v.groupby("village_code", sort=False)}
    for col, d in (("by_category", by_cat), ("by_cause", by_cause), ("by_status", by_status), ("by_measure", by_measure), ("cadres", by_cadre)):
        vs[col] = [d.get(v, []) for v in vs["village_code"]]
    vs["file"] = vs["township_code"] + "/" + vs["village_code"] + ".html"
    return DocModel(cards, bounds, vs, county, data_year)


def _grouped_counts(df: pd.DataFrame, col: str) -> dict[str, list[tuple[str, int]]]:
    vals = df[col].astype("str").fillna("").replace("", "未填")
    c = pd.DataFrame({"v": df["village_code"].to_numpy(dtype=object), "k": vals.to_numpy(dtype=object)}).value_counts().rename("n").reset_index()
    c = c.sort_values(["v", "n", "k"], ascending=[True, False, True], kind="stable")
    return {v: list(zip(g["k"].tolist(), g["n"].astype(int).tolist(), strict=True)) for v, g in c.groupby("v", sort=False)}
