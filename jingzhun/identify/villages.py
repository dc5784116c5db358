"""Scale control (识别规模) and village / county figures (一高一低一无, exit incidence)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from jingzhun.county import names_of
from jingzhun.identify.members import isin
from jingzhun.nulls import NA
from jingzhun.params import Params
from jingzhun.tablespec import provided


def exit_incidence(params: Params) -> float:
    """Village and county exit threshold: 2%, or 3% in 西部 (退出意见, domain.md §4.2)."""
    if str(params.settings.region.name).strip() == "西部":
        return float(params.settings.region.exit_incidence_west)
    return float(params.settings.region.exit_incidence)


def apply_quota(hh: pd.DataFrame, villages: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rank income-eligible (``poor``) households by per-capita income within each village.

    Returns per household ``quota_rank`` (1 = lowest income; ties by household_id) and
    ``beyond_quota`` (rank > the village's ``household_quota``; NA without a quota), and
    per village ``eligible_households``, ``household_quota`` and ``quota_status``
    (``over``, ``under``, ``within``; NA without a quota).
    """
    idx = hh.index
    eligible = hh["result"] == "poor"
    ranked = hh.loc[eligible, ["village_code", "per_capita_net_income", "household_id"]].sort_values(
        ["village_code", "per_capita_net_income", "household_id"], kind="stable"
    )
    rank = pd.Series(pd.NA, index=idx, dtype="Int64")
    rank.loc[ranked.index] = ranked.groupby("village_code", sort=False).cumcount().to_numpy() + 1
    counts = ranked.groupby("village_code").size().rename("eligible_households")

    quota = pd.Series(dtype="Int64")
    if villages is not None and provided(villages, "household_quota"):
        quota = villages.set_index(villages["village_code"].astype("str"))["household_quota"].astype("Int64")
        quota = quota[~quota.index.duplicated()]
    hh_quota = hh["village_code"].astype("str").map(quota).astype("Int64")
    beyond = (rank > hh_quota).astype("boolean")
    beyond[~eligible] = NA
    per_hh = pd.DataFrame({"quota_rank": rank, "village_quota": hh_quota, "beyond_quota": beyond}, index=idx)

    codes = sorted(set(counts.index) | set(quota.index))
    per_v = pd.DataFrame(index=pd.Index(codes, name="village_code", dtype="str"))
    per_v["eligible_households"] = counts.reindex(per_v.index).fillna(0).astype("Int64")
    per_v["household_quota"] = quota.reindex(per_v.index).astype("Int64")
    status = pd.Series(pd.NA, index=per_v.index, dtype="str")
    q = per_v["household_quota"]
    e = per_v["eligible_households"]
    status[(q.notna() & (e > q)).fillna(False).astype(bool)] = "over"
    status[(q.notna() & (e < q)).fillna(False).astype(bool)] = "under"
    status[(q.notna() & (e == q)).fillna(False).astype(bool)] = "within"
    per_v["quota_status"] = status
    return per_hh, per_v.reset_index()


def _kleene_all(flags: list[pd.Series]) -> pd.Series:
    out = flags[0].astype("boolean")
    for f in flags[1:]:
        out = out & f.astype("boolean")
    return out


def _at_least(flags: list[pd.Series], k: int) -> pd.Series:
    true_n = sum(f.fillna(False).astype(int) for f in flags)
    maybe_n = sum(f.isna().astype(int) for f in flags)
    out = pd.Series(pd.NA, index=flags[0].index, dtype="boolean")
    out[true_n >= k] = True
    out[(true_n + maybe_n) < k] = False
    return out


def village_table(hh: pd.DataFrame, villages: pd.DataFrame | None, quota: pd.DataFrame, params: Params) -> pd.DataFrame:
    """One row per village: populations, incidence, the three criteria, candidate, exit."""
    pop = hh["population"].astype("Float64")
    remaining = hh["remaining_poor"]
    g = hh.assign(
        _pop=pop,
        _poor_pop=pop.where(remaining, 0),
        _poor=remaining.astype(int),
        _identified=(hh["result"] == "poor").astype(int),
        _edge=(hh["result"] == "edge").astype(int),
        _excluded=(hh["result"] == "excluded").astype(int),
        _undetermined=(hh["result"] == "undetermined").astype(int),
        _registered_active=hh["active"].astype(int),
        _ready=hh["exit_ready"].fillna(False).astype(bool).astype(int),
    ).groupby("village_code", sort=True)
    agg = pd.DataFrame(
        {
            "households": g.size(),
            "population": g["_pop"].sum(),
            "poor_households": g["_poor"].sum(),
            "poor_population": g["_poor_pop"].sum(),
            "identified_poor_households": g["_identified"].sum(),
            "edge_households": g["_edge"].sum(),
            "excluded_households": g["_excluded"].sum(),
            "undetermined_households": g["_undetermined"].sum(),
            "registered_active_households": g["_registered_active"].sum(),
            "exit_ready_households": g["_ready"].sum(),
        }
    )
    names = hh.groupby("village_code", sort=True)[["village_name", "township_name"]].first()
    agg = agg.join(names)
    agg.index = agg.index.astype("str")

    v = _village_frame(villages)
    out = v.join(agg, how="outer", suffixes=("_villages", ""))  # type: ignore[call-arg]  # pandas 3.1 keyword
    for c in ("village_name", "township_name"):
        if f"{c}_villages" in out.columns:
            out[c] = out[f"{c}_villages"].astype("str").fillna(out[c].astype("str"))
            out = out.drop(columns=f"{c}_villages")
    out.index.name = "village_code"
    out = out.reset_index()
    out["village_code"] = out["village_code"].astype("str")
    out["township_code"] = out["township_code"].astype("str").fillna(out["village_code"].str.slice(0, 9))
    for c in (
        "households",
        "poor_households",
        "identified_poor_households",
        "edge_households",
        "excluded_households",
        "undetermined_households",
        "registered_active_households",
        "exit_ready_households",
    ):
        out[c] = out[c].fillna(0).astype("Int64")
    for c in ("population", "poor_population"):
        out[c] = out[c].fillna(0).astype("Float64").round(0).astype("Int64")

    denom = out["agricultural_population"].astype("Float64")
    denom = denom.where(denom > 0, out["total_population"].astype("Float64"))
    denom = denom.where(denom > 0)
    out["denominator"] = denom.round(0).astype("Int64")
    out["denominator_source"] = pd.Series(
        np.where(
            out["agricultural_population"].astype("Float64").fillna(0) > 0,
            "agricultural_population",
            np.where(denom.notna(), "total_population", ""),
        ),
        dtype="str",
    )
    out["incidence"] = (out["poor_population"].astype("Float64") / denom).round(6)

    prov_inc = float(params.settings.village_rule.province_incidence)
    prov_income = float(params.settings.village_rule.province_avg_income)
    na = pd.Series(pd.NA, index=out.index, dtype="boolean")
    out["criterion_incidence"] = (
        (out["incidence"] >= float(params.settings.village_rule.incidence_multiple) * prov_inc).astype("boolean")
        if prov_inc > 0
        else na
    )
    out["criterion_income"] = (
        (
            out["per_capita_income"].astype("Float64") < float(params.settings.village_rule.income_share) * prov_income
        ).astype("boolean")
        if prov_income > 0
        else na.copy()
    )
    out["criterion_collective"] = (out["collective_income"].astype("Float64") <= 0).astype("boolean")
    flags = [out["criterion_incidence"], out["criterion_income"], out["criterion_collective"]]
    mode = str(params.settings.village_rule.mode).strip()
    out["poor_village_candidate"] = _at_least(flags, 2) if mode == "two_of_three" else _kleene_all(flags)
    threshold = exit_incidence(params)
    out["exit_threshold"] = threshold
    out["exit_ready"] = (out["incidence"] < threshold).astype("boolean")

    out = out.merge(quota, on="village_code", how="left")
    out["eligible_households"] = out["eligible_households"].fillna(0).astype("Int64")
    out["in_villages_table"] = isin(out["village_code"], v.index)
    first = [
        "village_code",
        "village_name",
        "township_code",
        "township_name",
        "poor_population",
        "incidence",
        "criterion_incidence",
        "criterion_income",
        "criterion_collective",
        "poor_village_candidate",
        "exit_ready",
    ]
    rest = [c for c in out.columns if c not in first]
    return out[first + rest].sort_values("village_code", kind="stable").reset_index(drop=True)


_VILLAGE_COLS: dict[str, Literal["str", "boolean", "Int64", "Float64"]] = {
    "village_name": "str",
    "township_code": "str",
    "township_name": "str",
    "is_poor_village": "boolean",
    "total_households": "Int64",
    "total_population": "Int64",
    "agricultural_population": "Int64",
    "per_capita_income": "Float64",
    "collective_income": "Float64",
}


def _village_frame(villages: pd.DataFrame | None) -> pd.DataFrame:
    cols = list(_VILLAGE_COLS)
    if villages is None or villages.empty or "village_code" not in villages.columns:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in _VILLAGE_COLS.items()}, index=pd.Index([], dtype="str"))
    v = villages.drop_duplicates("village_code").set_index(
        villages.drop_duplicates("village_code")["village_code"].astype("str")
    )
    out = pd.DataFrame(index=v.index)
    for c in cols:
        out[c] = (
            v[c].astype(_VILLAGE_COLS[c]) if c in v.columns else pd.Series(pd.NA, index=v.index, dtype=_VILLAGE_COLS[c])
        )
    return out


def county_summary(hh: pd.DataFrame, villages: pd.DataFrame, params: Params, extra: dict[str, Any]) -> dict[str, Any]:
    """The county line: counts by result, poor population, incidence, exit readiness."""
    counts = hh["result"].value_counts()
    pop = hh["population"].astype("Float64")
    poor_pop = int(pop.where(hh["remaining_poor"], 0).sum())
    denom_v = villages["denominator"]
    denom = int(denom_v.sum()) if denom_v.notna().any() else int(pop.sum())
    denom_source = "villages" if denom_v.notna().any() else "households"
    incidence = round(poor_pop / denom, 6) if denom > 0 else None
    threshold = exit_incidence(params)
    active = hh["active"]
    return {
        **extra,
        "households": len(hh),
        "population": int(pop.fillna(0).sum()),
        "results": {r: int(counts.get(r, 0)) for r in ("poor", "edge", "not_poor", "excluded", "undetermined")},
        "edge_kinds": {k: int(v) for k, v in hh["edge_kind"].value_counts().sort_index().items()},
        "registered_households": int(hh["registered"].sum()),
        "registered_active_households": int(active.sum()),
        "exit_ready_households": int(hh["exit_ready"].fillna(False).astype(bool).sum()),
        "poor_households": int(hh["remaining_poor"].sum()),
        "poor_population": poor_pop,
        "denominator": denom,
        "denominator_source": denom_source,
        "incidence": incidence,
        "exit_threshold": threshold,
        "exit_ready": None if incidence is None else bool(incidence < threshold),
        "villages": len(villages),
        "poor_village_candidates": int(villages["poor_village_candidate"].fillna(False).astype(bool).sum()),
        "villages_exit_ready": int(villages["exit_ready"].fillna(False).astype(bool).sum()),
        "beyond_quota_households": int(hh["beyond_quota"].fillna(False).astype(bool).sum()),
        **_by_county(hh, villages, threshold),
    }


def _by_county(hh: pd.DataFrame, villages: pd.DataFrame, threshold: float) -> dict[str, Any]:
    """``by_county``: incidence and exit readiness per county (first 6 digits) when the data spans several."""
    county_of = hh["village_code"].astype("str").str.slice(0, 6)
    codes = sorted(c for c in county_of.dropna().unique() if len(c) == 6 and c.isdigit())
    if len(codes) < 2:
        return {}
    v_county = villages["village_code"].astype("str").str.slice(0, 6)
    out: dict[str, Any] = {}
    for code in codes:
        sub = hh[(county_of == code).fillna(False).astype(bool)]
        vs = villages.loc[(v_county == code).fillna(False).astype(bool), "denominator"]
        pop = sub["population"].astype("Float64")
        poor_pop = int(pop.where(sub["remaining_poor"], 0).sum())
        denom = int(vs.sum()) if vs.notna().any() else int(pop.fillna(0).sum())
        incidence = round(poor_pop / denom, 6) if denom > 0 else None
        out[code] = {
            "name": names_of(code)["name"],
            "households": len(sub),
            "poor_population": poor_pop,
            "denominator": denom,
            "incidence": incidence,
            "exit_ready": None if incidence is None else bool(incidence < threshold),
        }
    return {"by_county": out}
