"""The report model: built once from the other steps' results, rendered as CSV, XLSX,
JSON (``summary()``) and HTML. Pure: results in, frames and a summary out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jingzhun.i18n import t
from jingzhun.identify.core import IdentifyResult
from jingzhun.params import Params
from jingzhun.report.assessment import assess, weights_of
from jingzhun.report.indicators import COUNTS, aggregate, household_flags
from jingzhun.tablespec import provided

# Columns of trend.csv (county and township rows, one per year).
TREND_COLUMNS: list[str] = [
    "level",
    "code",
    "name",
    "year",
    "households",
    "population",
    "registered_households",
    "registered_poor_households",
    "registered_poor_population",
    "poor_population",
    "denominator",
    "incidence",
    "exits_households",
    "exits_population",
    "returned_households",
    "edge_households",
]
# County figures in the summary and the HTML headline, in this order.
HEADLINE: tuple[str, ...] = (
    "households",
    "population",
    "registered_households",
    "registered_population",
    "registered_poor_households",
    "registered_poor_population",
    "poor_population",
    "denominator",
    "incidence",
    "exits_households",
    "exits_population",
    "returned_households",
    "edge_households",
    "edge_new_households",
    "edge_unstable_households",
    "housing_gap_households",
    "education_gap_households",
    "medical_gap_households",
    "water_gap_households",
    "gap_households",
    "dibao_eligible_households",
    "dibao_covered_households",
    "dibao_coverage",
    "cadre_households",
    "cadre_covered_households",
    "cadre_coverage",
    "cadre_planned_coverage",
    "funds_paid",
    "funds_per_registered_household",
    "audit_amount_at_risk",
    "audit_findings",
)
# Inputs the model reports on (name → what it feeds).
INPUTS: tuple[str, ...] = (
    "identify",
    "exit_year",
    "members",
    "villages",
    "match",
    "pairing",
    "funds",
    "audit",
    "trend",
)


@dataclass
class ReportModel:
    data_year: int
    county_code: str
    county_name: str
    indicators: pd.DataFrame  # indicators.INDICATOR_COLUMNS, county → townships → villages
    trend: pd.DataFrame  # TREND_COLUMNS, county first then townships, by year
    assessment: pd.DataFrame  # see assessment.assess
    criteria: list[dict[str, Any]]  # the assessed indicators with weight and direction
    inputs: dict[str, dict[str, Any]]  # name → {"available": bool, "note": str}
    years: list[int] = field(default_factory=list)
    exit_threshold: float = 0.02
    parameters: list[dict[str, Any]] = field(default_factory=list)
    html_village_rows: int = 600  # villages listed in index.html (report.html_village_rows)
    monitoring: Any = None  # jingzhun.report.monitoring.MonitoringReport in a monitoring year

    def level(self, name: str) -> pd.DataFrame:
        return self.indicators[self.indicators["level"] == name].reset_index(drop=True)

    def county(self) -> dict[str, Any]:
        row = self.level("county")
        return {k: _py(row[k].iloc[0]) if len(row) else None for k in HEADLINE}

    def summary(self) -> dict[str, Any]:
        """The ``--json`` summary (plain JSON types, stable content)."""
        return {
            "data_year": self.data_year,
            "county": {"code": self.county_code, "name": self.county_name, **self.county()},
            "townships": int((self.indicators["level"] == "township").sum()),
            "villages": int((self.indicators["level"] == "village").sum()),
            "years": list(self.years),
            "inputs": self.inputs,
            "exit_threshold": self.exit_threshold,
            "criteria": self.criteria,
            "assessment": [
                {
                    "township_code": _py(r.township_code),
                    "township_name": _py(r.township_name),
                    "score": _py(r.score),
                    "rank": _py(r.rank),
                }
                for r in self.assessment[["township_code", "township_name", "score", "rank"]].itertuples()
            ],
        }


def _py(v: Any) -> Any:
    """A JSON-ready Python value (NA → None, numpy → int/float)."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


def _exit_years(households: pd.DataFrame | None) -> pd.Series | None:
    if households is None or not provided(households, "exit_year") or not provided(households, "household_id"):
        return None
    h = households[["household_id", "exit_year"]].copy()
    h["household_id"] = h["household_id"].astype("str")
    h = h.dropna(subset=["household_id"]).drop_duplicates("household_id")
    return pd.Series(pd.to_numeric(h["exit_year"], errors="coerce").astype("Int64").to_numpy(), index=h["household_id"])


def _pairing_frame(plan_result: Any) -> pd.DataFrame | None:
    """household_id + pairing from a PlanResult (``plans``), a Pairing (``households``) or a frame."""
    if plan_result is None:
        return None
    for attr in ("plans", "households"):
        frame = getattr(plan_result, attr, None)
        if isinstance(frame, pd.DataFrame) and "pairing" in frame.columns:
            return frame[["household_id", "pairing"]]
    if isinstance(plan_result, pd.DataFrame) and "pairing" in plan_result.columns:
        return plan_result[["household_id", "pairing"]]
    raise TypeError("plan_result must be a PlanResult, a Pairing or a frame with household_id and pairing")


def _paid_known(funds: Any) -> bool:
    """Whether fund summaries were given and made with a payments table: without one what was
    paid is unknown (empty in the report), not 0. Duck-typed summaries count as having one."""
    return funds is not None and bool(getattr(funds, "has_payments", True))


def _funds_maps(funds: Any, county_code: str) -> dict[str, pd.Series] | None:
    """Paid by village, township and county; None (the indicators are empty, not 0) without
    fund summaries or when they were made without a payments table."""
    if not _paid_known(funds):
        return None
    v = funds.by_village
    tw = funds.by_township
    return {
        "village": pd.Series(v["paid"].astype("Float64").to_numpy(), index=v["village_code"].astype("str")),
        "township": pd.Series(tw["paid"].astype("Float64").to_numpy(), index=tw["township_code"].astype("str")),
        "county": pd.Series([float(funds.total_paid)], index=[county_code]),
    }


SERIOUS = ("error", "warning")


def audit_at_risk(audit_report: Any, county_code: str) -> dict[str, pd.Series] | None:
    """Amount at risk by village, township and county: error/warning findings, each source
    row (table, row) counted once with its largest amount; findings without a row count alone."""
    if audit_report is None:
        return None
    f = audit_report.findings
    f = f[f["severity"].isin(SERIOUS)].copy()
    f["amount"] = f["amount"].astype("Float64").fillna(0.0)
    # village_code of each (table, row) from the evidence sheets (payments and projects carry it).
    ev = [
        s[["table", "row", "village_code"]]
        for s in audit_report.sheets.values()
        if {"table", "row", "village_code"} <= set(s.columns)
    ]
    if ev:
        vmap = pd.concat(ev, ignore_index=True).dropna(subset=["row"]).drop_duplicates(["table", "row"])
        f = f.merge(vmap.astype({"row": "Int64"}), on=["table", "row"], how="left")
    else:
        f["village_code"] = pd.Series(pd.NA, index=f.index, dtype="str")
    has_row = f["row"].notna()
    one = f[has_row].sort_values("amount", ascending=False, kind="stable").drop_duplicates(["table", "row"])
    f = pd.concat([one, f[~has_row]], ignore_index=True)
    out: dict[str, pd.Series] = {}
    for level, col in (("village", "village_code"), ("township", "township_code")):
        key = f[col].astype("str")
        g = f[key.notna()].groupby(key[key.notna()].to_numpy(dtype=object), sort=True)
        out[level] = g["amount"].sum().astype("Float64")
        out[f"{level}_findings"] = g.size().astype("Int64")
    out["county"] = pd.Series([float(f["amount"].sum())], index=[county_code])
    out["county_findings"] = pd.Series([len(f)], index=[county_code])
    return out


def _year_indicators(
    res: IdentifyResult,
    households: pd.DataFrame | None,
    params: Params,
    year: int,
    county: tuple[str, str],
    match_result: Any = None,
    pairing: pd.DataFrame | None = None,
    funds: Any = None,
    audit: Any = None,
) -> tuple[pd.DataFrame, dict[str, bool]]:
    exit_years = _exit_years(households)
    dibao = match_result.pairs["household_id"] if match_result is not None else None
    available = {"exit_year": exit_years is not None, "match": dibao is not None, "pairing": pairing is not None}
    flags = household_flags(
        res.households,
        exit_year=exit_years,
        data_year=year,
        exit_year_offset=int(params.settings.report.exit_year_offset),
        dibao_households=dibao,
        pairing=pairing,
    )
    ind = aggregate(
        flags,
        res.villages,
        available=available,
        county_code=county[0],
        county_name=county[1],
        funds=_funds_maps(funds, county[0]),
        audit=audit_at_risk(audit, county[0]),
    )
    return ind, available


def build_report(
    *,
    params: Params,
    data_year: int,
    identify_by_year: Mapping[int, IdentifyResult],
    households_by_year: Mapping[int, pd.DataFrame | None] | None = None,
    match_result: Any = None,
    plan_result: Any = None,
    funds: Any = None,
    audit_report: Any = None,
    notes: Mapping[str, str] | None = None,
    payments: pd.DataFrame | None = None,
) -> ReportModel:
    """Indicators of ``data_year`` by village, township and county, the trend over the
    years in ``identify_by_year`` (up to ``data_year``) and the township assessment.

    - ``identify_by_year``: ``identify`` results by data year; ``data_year`` is required.
    - ``households_by_year``: the typed households frame per year (only ``household_id`` and
      ``exit_year`` are read: exits this year); a year without it has no exit figures.
    - ``match_result``: :class:`jingzhun.match.MatchResult` (低保 coverage).
    - ``plan_result``: a ``PlanResult``, a ``Pairing`` or a frame with household_id and pairing.
    - ``funds``: :class:`jingzhun.funds.summary.FundSummaries`; taken from ``audit_report`` when None.
    - ``audit_report``: :class:`jingzhun.audit.report.AuditReport` (amount at risk).
    - ``notes``: input name → why it is missing (shown in the report).
    - ``payments``: the year's payments (measures of the monitoring objects; monitoring years only).
    A None input leaves its indicators empty (NA), never an error.
    """
    if data_year not in identify_by_year:
        raise ValueError(f"identify_by_year has no result for {data_year}")
    households_by_year = households_by_year or {}
    notes = dict(notes or {})
    county = (str(params.settings.county.code), str(params.settings.county.name))
    if funds is None and audit_report is not None:
        funds = audit_report.funds
    if funds is not None and not _paid_known(funds):
        notes.setdefault("funds", t("没有资金拨付表 (payments)", "no payments table"))
    pairing = _pairing_frame(plan_result)
    main = identify_by_year[data_year]
    ind, available = _year_indicators(
        main, households_by_year.get(data_year), params, data_year, county, match_result, pairing, funds, audit_report
    )

    years = sorted(y for y in identify_by_year if y <= data_year)
    trend_parts = []
    for y in years:
        yi = (
            ind
            if y == data_year
            else _year_indicators(identify_by_year[y], households_by_year.get(y), params, y, county)[0]
        )
        part = yi[yi["level"].isin(["county", "township"])].assign(year=y)
        trend_parts.append(part)
    trend = pd.concat(trend_parts, ignore_index=True)
    trend["level_order"] = (trend["level"] != "county").astype(int)
    trend = trend.sort_values(["level_order", "code", "year"], kind="stable")[TREND_COLUMNS].reset_index(drop=True)
    trend["year"] = trend["year"].astype("Int64")

    weights = weights_of(params)
    assessment, criteria = assess(ind[ind["level"] == "township"], weights)

    members_ok = main.households["education_gap"].notna().any() or main.households["medical_gap"].notna().any()
    villages_ok = (
        bool(main.villages["in_villages_table"].any()) if "in_villages_table" in main.villages.columns else False
    )
    status = {
        "identify": True,
        "exit_year": available["exit_year"],
        "members": bool(members_ok),
        "villages": villages_ok,
        "match": match_result is not None,
        "pairing": pairing is not None,
        "funds": _paid_known(funds),
        "audit": audit_report is not None,
        "trend": len(years) > 1,
    }
    inputs = {k: {"available": bool(status[k]), "note": notes.get(k, "")} for k in INPUTS}
    used = {
        "report.exit_year_offset",
        "report.html_village_rows",
        "region.name",
        "region.exit_incidence",
        "region.exit_incidence_west",
    }
    parameters = [r for r in params.records() if r["name"] in used or r["name"].startswith("indicator_weights.")]
    from jingzhun.report.monitoring import build_monitoring

    return ReportModel(
        monitoring=build_monitoring(identify_by_year, data_year, county, params, payments),
        data_year=data_year,
        county_code=county[0],
        county_name=county[1],
        indicators=ind,
        trend=trend,
        assessment=assessment,
        criteria=criteria,
        inputs=inputs,
        years=years,
        exit_threshold=float(main.county.get("exit_threshold", 0.02)),
        parameters=parameters,
        html_village_rows=int(params.settings.report.html_village_rows),
    )


__all__ = ["COUNTS", "HEADLINE", "TREND_COLUMNS", "ReportModel", "audit_at_risk", "build_report"]
