"""结对帮扶: every household in the plan gets a responsible cadre.

1. 不脱贫不脱钩: a pairing in force (``households.cadre_id`` naming a known cadre) is
   kept while the household has not exited, even when it puts the cadre over the cap
   (reported, never undone).
2. The rest are paired within each cadre's cap (``max_households`` column, else
   ``cadre_caps[rank]``, else ``cadre_caps.default``): first with cadres whose
   ``township_code`` is the household's township, then county-wide.
3. Load is spread evenly by water-filling: every free place of every cadre is a "slot"
   with the level it would bring that cadre to; slots are taken in order of
   (level, cadre_id), so nobody gets a second household before everyone has a first.

All of it is sorting and grouping: O(n log n), deterministic, no pairwise loops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jingzhun.findings import Findings
from jingzhun.nulls import NA

CADRE_COLUMNS = ["cadre_id", "name", "unit", "rank", "township_code", "phone"]


@dataclass
class Pairing:
    households: pd.DataFrame  # household_id, cadre_id (NA = unpaired), pairing: kept|new|none
    cadres: pd.DataFrame  # cadre_id, name, unit, rank, township_code, cap, kept, new, load, over_cap
    findings: Findings


def cadre_caps(cadres: pd.DataFrame, caps: dict[str, int]) -> np.ndarray:
    default = int(caps.get("default", 5))
    rank = cadres["rank"].astype("str")
    by_rank = rank.map({k: int(v) for k, v in caps.items() if k != "default"}).astype("Float64").fillna(default)
    cap = cadres["max_households"].astype("Float64").fillna(by_rank)
    return cap.clip(lower=0).to_numpy(dtype=np.int64)


def _slots(cad: pd.DataFrame, group_col: str | None) -> pd.DataFrame:
    """One row per free place: cadre position, level it brings the cadre to, group."""
    free = np.maximum(cad["cap"].to_numpy(dtype=np.int64) - cad["load"].to_numpy(dtype=np.int64), 0)
    pos = np.repeat(np.arange(len(cad)), free)
    if len(pos) == 0:
        return pd.DataFrame(
            {"pos": pos, "level": pos, "group": pd.Series([], dtype="str"), "cid": pd.Series([], dtype="str")}
        )
    start = np.repeat(np.cumsum(free) - free, free)
    level = cad["load"].to_numpy(dtype=np.int64)[pos] + (np.arange(len(pos)) - start) + 1
    out = pd.DataFrame({"pos": pos, "level": level, "cid": cad["cadre_id"].to_numpy(dtype=object)[pos]})
    out["group"] = cad[group_col].to_numpy(dtype=object)[pos] if group_col else ""
    return out


def _fill(need: pd.DataFrame, slots: pd.DataFrame, by_group: bool) -> pd.DataFrame:
    """Give the k-th household of a group the k-th slot of that group (k from 0)."""
    slots = slots.sort_values(["group", "level", "cid"] if by_group else ["level", "cid"], kind="stable")
    key = ["group"] if by_group else []
    slots = slots.assign(k=slots.groupby(key).cumcount() if by_group else np.arange(len(slots)))
    need = need.assign(k=need.groupby(key).cumcount() if by_group else np.arange(len(need)))
    on = ["group", "k"] if by_group else ["k"]
    return need.merge(slots[on + ["pos"]], on=on, how="inner")


def pair(
    households: pd.DataFrame,
    cadres: pd.DataFrame | None,
    caps: dict[str, int],
) -> Pairing:
    """Pair the plan's households (already filtered to those not exited) with cadres.

    ``households`` and ``cadres`` are tables as read (every column there, absent ones empty);
    ``households.cadre_id`` is the pairing in force where filled.
    """
    findings = Findings()
    hid = households["household_id"].astype("str").reset_index(drop=True)
    township = households["village_code"].astype("str").str.slice(0, 9).reset_index(drop=True)
    current = households["cadre_id"].astype("str").str.strip().replace("", NA).reset_index(drop=True)
    if cadres is None:
        cad = pd.DataFrame({c: pd.Series([], dtype="str") for c in CADRE_COLUMNS})
    else:
        cad = cadres.copy()
        cad["cadre_id"] = cad["cadre_id"].astype("str").str.strip()
        cad = cad[cad["cadre_id"].notna() & (cad["cadre_id"] != "")].drop_duplicates("cadre_id")
        cad = cad.sort_values("cadre_id", kind="stable").reset_index(drop=True)
    cad["cap"] = cadre_caps(cad, caps) if len(cad) else pd.Series([], dtype="int64")
    cad["township_code"] = cad["township_code"].astype("str").str.strip().str.slice(0, 9)

    known_ids = set(cad["cadre_id"].tolist()) if cadres is not None else None
    if known_ids is None:
        keep = current.notna().to_numpy(dtype=bool)
    else:
        keep = current.isin(known_ids).fillna(False).to_numpy(dtype=bool)
        unknown = current.notna().to_numpy(dtype=bool) & ~keep
        findings.add("P-CADRE-UNKNOWN", table="households", column="cadre_id", value=current[unknown], key=hid[unknown])

    assigned = current.where(pd.Series(keep)).astype("object")
    kept_counts = current[keep].value_counts()
    cad["kept"] = cad["cadre_id"].map(kept_counts).fillna(0).astype("int64")
    cad["load"] = cad["kept"]

    need_idx = np.flatnonzero(~keep)
    if len(need_idx) and len(cad):
        need = pd.DataFrame(
            {
                "idx": need_idx,
                "group": township.to_numpy(dtype=object)[need_idx],
                "hid": hid.to_numpy(dtype=object)[need_idx],
            }
        )
        need = need.sort_values(["group", "hid"], kind="stable")
        # Step 1: cadres of the household's township.
        local = _fill(need, _slots(cad, "township_code"), by_group=True)
        _assign(assigned, cad, local)
        # Step 2: whatever capacity is left anywhere, county-wide.
        rest = need[~need["idx"].isin(local["idx"])]
        if len(rest):
            wide = _fill(rest, _slots(cad, None), by_group=False)
            _assign(assigned, cad, wide)

    assigned_s = pd.Series(assigned, dtype="str")
    pairing = np.where(keep, "kept", np.where(assigned_s.notna().to_numpy(dtype=bool), "new", "none"))
    out = pd.DataFrame({"household_id": hid, "cadre_id": assigned_s, "pairing": pd.Series(pairing, dtype="str")})

    unpaired = out["pairing"] == "none"
    findings.add("P-UNPAIRED", table="households", column="cadre_id", key=hid[unpaired])

    cad["new"] = cad["load"] - cad["kept"]
    cad["over_cap"] = cad["load"] > cad["cap"]
    over = cad[cad["over_cap"]]
    findings.add(
        "P-CADRE-OVER-CAP",
        table="cadres",
        column="cadre_id",
        key=over["cadre_id"],
        value=over["load"],
        detail=over["cap"],
    )
    cols = CADRE_COLUMNS + ["cap", "kept", "new", "load", "over_cap"]
    return Pairing(out, cad[cols].reset_index(drop=True), findings)


def _assign(assigned: pd.Series, cad: pd.DataFrame, got: pd.DataFrame) -> None:
    if got.empty:
        return
    pos = got["pos"].to_numpy(dtype=np.int64)
    assigned.iloc[got["idx"].to_numpy(dtype=np.int64)] = cad["cadre_id"].to_numpy(dtype=object)[pos]
    cad["load"] = cad["load"].to_numpy(dtype=np.int64) + np.bincount(pos, minlength=len(cad))


def pair_by_county(
    households: pd.DataFrame,
    cadres: pd.DataFrame | None,
    caps: dict[str, int],
    everyone: pd.DataFrame,
    data_year: int,
) -> Pairing:
    """:func:`pair` within each county of a folder of several counties (``county.code`` an area).

    结对帮扶 cadres serve in their own county: a household is paired only with cadres of its county
    (the first six digits of its village code), as the county task of a partitioned province run
    pairs it. A county's cadres are those placed in it as ``jingzhun ingest`` places them (township
    code, else their households), and any cadre paired in force with one of its households (``everyone``:
    the year's households, in and out of the plan). A county with no cadre is paired as without a
    cadres table (P-NO-CADRES for that county). A cadre paired in several counties over the cap in
    total is P-CADRE-OVER-CAP once more (the province run's G8). ``households`` is sorted by village.
    """
    from jingzhun.county import county_prefix, row_counties

    county = county_prefix(households["village_code"])
    homes = county_prefix(everyone["village_code"])
    home = ids = pd.Series(dtype="str")
    if cadres is not None:
        home = (row_counties({"households": everyone, "cadres": cadres}) or {}).get("cadres", home)
        ids = cadres["cadre_id"].astype("str").str.strip()
    findings = Findings()
    parts: list[Pairing] = []
    at: list[np.ndarray] = []
    codes = sorted(set(homes) - {""})
    rows = _positions(county)
    pools = _county_pools(home, ids, homes, everyone["cadre_id"]) if cadres is not None else {}
    for code in codes:
        sel = rows.get(code, np.zeros(0, dtype=np.int64))
        pool = cadres.iloc[pools[code]] if cadres is not None and code in pools else None
        if pool is None or pool.empty:
            pool = None
            findings.add("P-NO-CADRES", table="cadres", key=code, detail=str(data_year))
        parts.append(pair(households.iloc[sel], pool, caps))
        at.append(sel)
    rest = ~county.isin(codes).to_numpy(dtype=bool)
    for p in parts:
        findings.extend(p.findings)
    if rest.any():  # no county (no task of a province run has them): pairings in force kept, nobody new
        parts.append(pair(households[rest], None, caps))
        at.append(np.flatnonzero(rest))
    if not parts:
        return pair(households, cadres, caps)
    cad = _merged_cadres([p.cadres for p in parts])
    _over_cap_in_total(households, county, cad, findings)
    out = pd.concat([p.households for p in parts], ignore_index=True)
    out.index = np.concatenate(at)
    return Pairing(out.sort_index().reset_index(drop=True), cad, findings)


def _positions(codes: pd.Series) -> dict[str, np.ndarray]:
    """The row positions of each value of ``codes`` (ascending)."""
    frame = pd.DataFrame({"code": codes.to_numpy(dtype=object), "pos": np.arange(len(codes))})
    return {str(k): g.to_numpy(dtype=np.int64) for k, g in frame.groupby("code", sort=False)["pos"]}


def _county_pools(home: pd.Series, ids: pd.Series, homes: pd.Series, paired: pd.Series) -> dict[str, np.ndarray]:
    """Per county, the positions (ascending) of the cadres placed in it (``home``) or paired in force
    with one of its households (``homes``: each household's county, ``paired``: its cadre in force)."""
    placed = pd.DataFrame({"county": home.to_numpy(dtype=object), "pos": np.arange(len(home))})
    force = pd.DataFrame(
        {"county": homes.to_numpy(dtype=object), "cadre_id": paired.astype("str").str.strip().to_numpy(dtype=object)}
    )
    force = force.dropna().drop_duplicates()
    known = pd.DataFrame({"cadre_id": ids.to_numpy(dtype=object), "pos": np.arange(len(ids))}).dropna()
    linked = force.merge(known, on="cadre_id")[["county", "pos"]]
    both = pd.concat([placed.dropna(), linked], ignore_index=True)
    both = both[both["county"] != ""].drop_duplicates()
    return {str(k): np.sort(g.to_numpy(dtype=np.int64)) for k, g in both.groupby("county", sort=False)["pos"]}


def _merged_cadres(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One row per cadre of the counties' pairings: loads summed, over the cap in total."""
    both = pd.concat(parts, ignore_index=True)
    if both.empty:
        return both
    first = both.drop_duplicates("cadre_id").set_index("cadre_id")
    sums = both.groupby("cadre_id", sort=True)[["kept", "new", "load"]].sum()
    out = first.drop(columns=["kept", "new", "load", "over_cap"]).join(sums).sort_index().reset_index()
    out["over_cap"] = out["load"] > out["cap"]
    return out[both.columns].reset_index(drop=True)


def _over_cap_in_total(households: pd.DataFrame, county: pd.Series, cad: pd.DataFrame, findings: Findings) -> None:
    """P-CADRE-OVER-CAP for a cadre whose pairings in force span counties and exceed the cap in total."""
    if cad.empty:
        return
    current = households["cadre_id"].astype("str").str.strip().replace("", NA)
    load = pd.DataFrame({"cadre_id": current.to_numpy(), "county": county.to_numpy()}).dropna()
    per = load.groupby("cadre_id").agg(load=("county", "size"), counties=("county", "nunique"))
    caps = cad.set_index("cadre_id")["cap"]
    per = per[per.index.isin(caps.index)]
    per["cap"] = caps.reindex(per.index).to_numpy()
    over = per[(per["counties"] > 1) & (per["load"] > per["cap"])]
    findings.add(
        "P-CADRE-OVER-CAP",
        table="cadres",
        column="cadre_id",
        key=pd.Series(over.index, dtype="str"),
        value=over["load"].reset_index(drop=True),
        detail=over["cap"].astype("int64").reset_index(drop=True),
    )
