"""``identify``: the library entry point (frames + params in, result object out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jingzhun.errors import ConfigError, InputError
from jingzhun.findings import Findings, detail_text
from jingzhun.i18n import t
from jingzhun.identify import monitoring
from jingzhun.identify.classify import classify, income_results
from jingzhun.identify.exclusion import SOURCE_CODES, exclusion_hits, hits_by_household
from jingzhun.identify.guarantees import guarantee_gaps
from jingzhun.identify.income import INCOME_COLUMNS, REQUIRED_COMPONENTS, TRANSFER_COMPONENTS, per_capita_income
from jingzhun.identify.members import current_mask, isin, map_keys
from jingzhun.identify.villages import apply_quota, county_summary, village_table
from jingzhun.params import Params
from jingzhun.tablespec import conform_frames, provided

# Household columns carried into the output as they are (when present).
CARRIED = (
    "village_code",
    "village_name",
    "township_name",
    "head_name",
    "head_id_number",
    "household_size",
    "category",
    "status",
)
HOUSEHOLD_COLUMNS = [
    "household_id",
    "township_code",
    "township_name",
    "village_code",
    "village_name",
    "head_name",
    "head_id_number",
    "household_size",
    "population",
    "registered",
    "category",
    "status",
    "per_capita_net_income",
    "line",
    "edge_line",
    "exit_line",
    "result",
    "income_result",
    "edge_kind",
    "reasons",
    "exit_ready",
    "exit_blockers",
    "housing_gap",
    "education_gap",
    "medical_gap",
    "water_gap",
    "education_gap_members",
    "medical_gap_members",
    "exclusion_sources",
    "exclusion_members",
    "quota_rank",
    "village_quota",
    "beyond_quota",
    "active",
    "exited",
    "remaining_poor",
    *[c for c in INCOME_COLUMNS if c != "per_capita_net_income"],
]


@dataclass
class IdentifyResult:
    """What ``identify`` returns; every frame is sorted for reproducible output."""

    households: pd.DataFrame
    villages: pd.DataFrame
    county: dict[str, Any]
    findings: Findings
    hits: pd.DataFrame
    params: list[dict[str, Any]] = field(default_factory=list)
    data_year: int = 0
    income_year: int = 0
    monitoring: pd.DataFrame | None = None  # identify/monitoring.csv (monitoring years only)

    def townships(self) -> pd.DataFrame:
        """Counts by township and result (for summaries)."""
        hh = self.households
        tab = pd.crosstab([hh["township_code"].fillna(""), hh["township_name"].fillna("")], hh["result"])
        for r in ("poor", "edge", "not_poor", "excluded", "undetermined"):
            if r not in tab.columns:
                tab[r] = 0
        tab = tab[["poor", "edge", "not_poor", "excluded", "undetermined"]]
        tab.columns.name = None
        return tab.reset_index()

    def top_reasons(self, n: int = 10) -> pd.Series:
        # Split in Arrow (a Python list per household took a second at 200,000 households);
        # the codes keep their order, so ties in the count rank as before.
        reasons = self.households["reasons"]
        split = pc.split_pattern(pa.array(reasons.astype("str"), type=pa.large_string()), ";")
        flat = pc.list_flatten(split)
        flat = pc.filter(flat, pc.not_equal(flat, ""))
        codes = pd.Series(flat.to_pandas(types_mapper=pd.ArrowDtype), name=reasons.name).astype("str")
        return codes.value_counts().head(n)


_CHOICES: dict[str, tuple[str, ...]] = {
    "identify.counted_transfers": TRANSFER_COMPONENTS,
    "identify.exclusion_sources": tuple(SOURCE_CODES),
    "village_rule.mode": ("all", "two_of_three"),
    "region.name": ("东部", "中部", "西部"),
}


def check_params(params: Params) -> None:
    """Values outside their allowed set stop the run (exit 3) naming the parameter."""
    for name, allowed in _CHOICES.items():
        value = params.get(name)
        values = value if isinstance(value, list) else [value]
        bad = [str(v) for v in values if v not in allowed]
        if bad:
            raise ConfigError(
                t(
                    f"参数 {name} 的值 {', '.join(bad)} 无效 (来源 {params.origin_of(name)})",
                    f"parameter {name}: invalid value {', '.join(bad)} (from {params.origin_of(name)})",
                ),
                t(f"可用的值: {', '.join(allowed)}", f"allowed: {', '.join(allowed)}"),
            )
    if float(params.settings.identify.edge_multiplier) < 1:
        raise ConfigError(
            t("参数 identify.edge_multiplier 应不小于 1", "parameter identify.edge_multiplier must be at least 1")
        )
    if int(params.settings.identify.school_age_min) > int(params.settings.identify.school_age_max):
        raise ConfigError(
            t(
                "参数 identify.school_age_min 大于 identify.school_age_max",
                "parameter identify.school_age_min is greater than identify.school_age_max",
            )
        )


def lines_for(params: Params, income_year: int) -> dict[str, float]:
    line = params.poverty_line(income_year)
    return {
        "line": line,
        "edge_line": round(float(params.settings.identify.edge_multiplier) * line, 2),
        "exit_line": params.exit_line(income_year),
    }


def _households(frames: dict[str, pd.DataFrame], data_year: int) -> pd.DataFrame:
    households = frames.get("households")
    if households is None:
        raise InputError(
            t(f"{data_year} 年度没有农户表 (households)", f"data year {data_year} has no households table"),
            t("请放入 households.csv 或 农户信息.xlsx", "add households.csv or 农户信息.xlsx"),
        )
    if not provided(households, "household_id"):
        raise InputError(t("农户表缺少必需列 户编号 (household_id)", "the households table has no household_id column"))
    return households


def household_results(frames: dict[str, pd.DataFrame], params: Params, data_year: int) -> pd.DataFrame:
    """``household_id`` and ``result`` per household row, exactly as :func:`identify` decides
    them (income against the lines, exclusion hits), without the guarantees, villages,
    quota and findings: what the audit needs for eligibility. Same errors as ``identify``.
    """
    frames = conform_frames(frames)
    households = _households(frames, data_year)
    check_params(params)
    lines = lines_for(params, data_year - 1)
    hh = households.reset_index(drop=True)
    income = per_capita_income(hh, params)
    by_hh = hits_by_household(exclusion_hits(frames.get("members"), frames.get("crosscheck"), params))
    r = income_results(hh, income, by_hh["exclusion_sources"], lines)
    return pd.DataFrame({"household_id": hh["household_id"].astype("str"), "result": r["result"]})


def identify(frames: dict[str, pd.DataFrame], params: Params, data_year: int) -> IdentifyResult:
    """Identify every household of one data year (income of year ``data_year - 1``).

    ``frames``: typed frames by table name; ``households`` is required, ``members``,
    ``villages`` and ``crosscheck`` are used when present.
    """
    frames = conform_frames(frames)
    households = _households(frames, data_year)
    members = frames.get("members")
    villages = frames.get("villages")
    crosscheck = frames.get("crosscheck")
    income_year = data_year - 1
    check_params(params)
    lines = lines_for(params, income_year)
    monitoring.check_monitoring_params(params, data_year)
    findings = Findings()

    hh = households.reset_index(drop=True)
    hid = hh["household_id"].astype("str")
    income = per_capita_income(hh, params)
    gaps = guarantee_gaps(hh, members, params, income_year)
    hits = exclusion_hits(members, crosscheck, params)
    by_hh = hits_by_household(hits)
    cls = classify(hh, income, gaps, by_hh["exclusion_sources"], lines)

    out = pd.DataFrame({"household_id": hid})
    for c in CARRIED:
        out[c] = hh[c]
    out["village_code"] = out["village_code"].astype("str")
    out["township_code"] = out["village_code"].str.slice(0, 9)
    size_sane = income["size_ok"] & ~income["out_of_range"].str.contains("household_size", regex=False).fillna(False)
    out["population"] = _population(hh, members, size_sane.astype(bool))
    for k, v in lines.items():
        out[k] = v
    out = pd.concat([out, income, gaps, cls], axis=1)
    out["exclusion_sources"] = map_keys(hid, by_hh["exclusion_sources"]).astype("str").fillna("")
    out["exclusion_members"] = map_keys(hid, by_hh["exclusion_members"]).astype("str").fillna("")
    out["remaining_poor"] = (out["result"] == "poor") | (
        out["active"] & ~out["exit_ready"].fillna(False).astype(bool) & (out["result"] != "excluded")
    )

    per_hh, per_v = apply_quota(out, villages)
    out = pd.concat([out, per_hh], axis=1)
    out["reasons"] = (
        out["reasons"]
        + pd.Series(
            out["beyond_quota"].fillna(False).astype(bool).map({True: ";I-QUOTA-BEYOND", False: ""}), dtype="str"
        )
    ).str.strip(";")
    vt = village_table(out, villages, per_v, params)

    _income_findings(findings, hh, income)
    _exclusion_findings(findings, hits, cls, hid)
    _quota_findings(findings, hh, out, vt)
    _village_findings(findings, hh, out, villages, vt)
    mon = _monitoring(hh, out, members, params, data_year, findings)

    out = out[HOUSEHOLD_COLUMNS]
    order = (
        out[["village_code", "household_id"]]
        .sort_values(["village_code", "household_id"], kind="stable", na_position="last")
        .index.to_numpy()
    )
    if (order != np.arange(len(order))).any():  # exports usually come sorted: no take of the wide frame then
        out = out.take(order)
    county = county_summary(
        out,
        vt,
        params,
        {
            "data_year": data_year,
            "income_year": income_year,
            **lines,
            "edge_multiplier": float(params.settings.identify.edge_multiplier),
        },
    )
    if mon is not None:
        county["monitoring"] = monitoring.monitoring_county(mon, data_year)
    return IdentifyResult(
        out.reset_index(drop=True), vt, county, findings, hits, params.records(), data_year, income_year, mon
    )


def _monitoring(
    hh: pd.DataFrame,
    out: pd.DataFrame,
    members: pd.DataFrame | None,
    params: Params,
    data_year: int,
    findings: Findings,
) -> pd.DataFrame | None:
    """identify/monitoring.csv for a monitoring year (jingzhun.identify.monitoring), else None."""
    if not monitoring.is_monitoring_year(params, data_year):
        return None
    mt = monitoring.monitoring_table(hh, out, members, params, data_year)
    monitoring.monitoring_findings(findings, mt, hh["_row"] if "_row" in hh.columns else None)
    order = mt[["village_code", "household_id"]].sort_values(["village_code", "household_id"], kind="stable")
    return mt.loc[order.index].reset_index(drop=True)


def _population(hh: pd.DataFrame, members: pd.DataFrame | None, size_ok: pd.Series) -> pd.Series:
    """household_size (as the national form counts), else the number of current members."""
    size = (
        pd.to_numeric(hh["household_size"], errors="coerce").astype("Int64") if "household_size" in hh.columns else None
    )
    counted = pd.Series(0, index=hh.index, dtype="Int64")
    if members is not None and provided(members, "household_id"):
        hid = hh["household_id"].astype("str")
        mh = members["household_id"].astype("str")[current_mask(members).to_numpy(dtype=bool)]
        codes, uniq = pd.factorize(pd.concat([hid, mh], ignore_index=True))
        hc, mc = codes[: len(hid)], codes[len(hid) :]
        per_code = np.append(np.bincount(mc[mc >= 0], minlength=len(uniq)), 0)  # code -1 (NA) counts 0
        counted = pd.Series(per_code[hc], index=hh.index, dtype="Int64")
    if size is None:
        return counted
    return size.where(size_ok, counted).astype("Int64")


def _rows(hh: pd.DataFrame, mask: pd.Series) -> Any:
    return hh.loc[mask, "_row"] if "_row" in hh.columns else None


def _income_findings(f: Findings, hh: pd.DataFrame, income: pd.DataFrame) -> None:
    absent = [c for c in REQUIRED_COMPONENTS if not provided(hh, c)]
    for c in absent:
        f.add("I-INCOME-COLUMN-MISSING", table="households", column=c)
    if len(absent) < len(REQUIRED_COMPONENTS):
        m = ~income["income_complete"]
        f.add(
            "I-INCOME-MISSING",
            table="households",
            row=_rows(hh, m),
            column=income.loc[m, "missing_components"],
            key=hh.loc[m, "household_id"],
        )
    m = ~income["size_ok"]
    size = hh["household_size"]
    f.add(
        "I-SIZE-INVALID",
        table="households",
        row=_rows(hh, m),
        column="household_size",
        value=size[m],
        key=hh.loc[m, "household_id"],
    )
    m = ~income["in_range"]
    if m.any():
        cols = income.loc[m, "out_of_range"]
        f.add(
            "I-INPUT-RANGE",
            table="households",
            row=_rows(hh, m),
            column=cols,
            key=hh.loc[m, "household_id"],
            value=_range_values(hh[m], cols),
        )
    m = income["income_mismatch"]
    detail = (
        t("重算 ", "recomputed ")
        + income.loc[m, "per_capita_net_income"].astype("str")
        + t(", 差额 ", ", difference ")
        + income.loc[m, "income_difference"].astype("str")
    )
    f.add(
        "I-INCOME-MISMATCH",
        table="households",
        row=_rows(hh, m),
        column="per_capita_net_income",
        value=income.loc[m, "reported_per_capita_income"],
        key=hh.loc[m, "household_id"],
        detail=detail,
    )


def _range_values(hh: pd.DataFrame, cols: pd.Series) -> list[str]:
    """The failing inputs as ``column=value`` text (the values as read)."""
    out = []
    for (_, rec), names in zip(hh.iterrows(), cols, strict=True):
        out.append("; ".join(f"{c}={rec[c]}" for c in str(names).split(";") if c in rec.index))
    return out


def _exclusion_findings(f: Findings, hits: pd.DataFrame, cls: pd.DataFrame, hid: pd.Series) -> None:
    if hits.empty:
        return
    excluded = set(hid[cls["result"] == "excluded"])
    h = hits[isin(hits["household_id"], excluded).to_numpy()]
    for code, part in h.groupby("code", sort=True):
        who = part["name"].fillna("") + "(" + part["id_number"] + ")"
        f.add(
            str(code),
            table="members",
            row=part["member_row"],
            column="id_number",
            value=who,
            key=part["household_id"],
            detail=part["source"] + ": " + part["detail"].fillna(""),
        )


def _quota_findings(f: Findings, hh: pd.DataFrame, out: pd.DataFrame, vt: pd.DataFrame) -> None:
    m = out["beyond_quota"].fillna(False).astype(bool)
    detail = detail_text("rank_quota", out.loc[m, "quota_rank"], out.loc[m, "village_quota"])
    f.add(
        "I-QUOTA-BEYOND",
        table="households",
        row=_rows(hh, m),
        column="per_capita_net_income",
        value=out.loc[m, "per_capita_net_income"],
        key=out.loc[m, "household_id"],
        detail=detail,
    )
    for status, code in (("over", "I-QUOTA-OVER"), ("under", "I-QUOTA-UNDER")):
        v = vt[vt["quota_status"] == status]
        f.add(
            code,
            table="villages",
            column="household_quota",
            value=v["eligible_households"],
            key=v["village_code"],
            detail=detail_text("quota", v["household_quota"]),
        )


def _village_findings(
    f: Findings, hh: pd.DataFrame, out: pd.DataFrame, villages: pd.DataFrame | None, vt: pd.DataFrame
) -> None:
    if villages is None or not provided(villages, "village_code"):
        return
    known = set(villages["village_code"].astype("str").dropna())
    m = ~isin(hh["village_code"], known) if provided(hh, "village_code") else pd.Series(False, index=hh.index)
    f.add(
        "I-VILLAGE-UNKNOWN",
        table="households",
        row=_rows(hh, m),
        column="village_code",
        value=hh.loc[m, "village_code"] if m.any() else [],
        key=hh.loc[m, "household_id"],
    )
    m = vt["in_villages_table"] & vt["denominator"].isna()
    f.add("I-VILLAGE-NO-POPULATION", table="villages", column="agricultural_population", key=vt.loc[m, "village_code"])
