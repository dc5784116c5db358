"""The report's 防止返贫监测 part: indicators by village, township and county, the measures
in place for each object, and the yearly counts across the monitoring years.

Everything comes from ``identify`` results (``IdentifyResult.monitoring``) and the year's
payments; a poverty year (no monitoring table) gives None.

- objects by type, 风险消除 (recorded; ``cleared_share`` = recorded ÷ (objects + recorded)),
  ready for 风险消除, new objects (not an object the year before), 返贫 and 致贫 (below the
  line, or below the monitoring range with a risk, where the household was not the year
  before; 返贫 for a registered household, 致贫 for one never registered): the bottom line is
  no large-scale return to poverty (守住不发生规模性返贫底线).
- measures: an object with labour gets 开发式帮扶 (产业、就业、公益岗位、小额信贷); one without,
  综合保障兜底 (国开发〔2020〕6号). An object with labour and a risk but no development measure
  among the year's payments is finding R-MON-NO-DEV-MEASURE. Without a payments table (none
  given, or ``run`` could not read it) the measures are unknown (empty) and there is no such finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jingzhun.findings import Findings
from jingzhun.identify.core import IdentifyResult
from jingzhun.identify.monitoring import CLASS_KEYS
from jingzhun.params import Params

LEVEL_COLUMNS = [
    "level",
    "code",
    "name",
    "households",
    "objects",
    "unstable",
    "edge",
    "sudden",
    "risk_cleared",
    "cleared_share",
    "risk_cleared_ready",
    "new_objects",
    "returned",
    "newly_poor",
]
_RISK_CODES = ("I-MON-RISK", "I-MON-RIGID-EXPENSE", "I-MON-INCOME-DROP")


@dataclass
class MonitoringReport:
    levels: pd.DataFrame  # LEVEL_COLUMNS: county, townships, villages
    objects: pd.DataFrame  # one row per object: class, labour, measures, support kind
    years: pd.DataFrame  # county figures per monitoring year
    findings: Findings = field(default_factory=Findings)

    def county(self) -> dict[str, Any]:
        row = self.levels[self.levels["level"] == "county"]
        return {str(k): (None if pd.isna(v) else v) for k, v in row.iloc[0].items()} if len(row) else {}


def _below(res: IdentifyResult) -> pd.Series:
    """Per household ID: below the line, or (monitoring years) below the range with a risk."""
    hh = res.households.drop_duplicates("household_id").set_index("household_id")
    inc = hh["per_capita_net_income"].astype("Float64")
    below = (inc < hh["line"].astype("Float64")).fillna(False).astype(bool)
    if res.monitoring is not None:
        mt = res.monitoring.drop_duplicates("household_id").set_index("household_id")
        reasons = mt["reasons"].astype("str").fillna("")
        risky = reasons.str.contains("I-MON-BELOW-RANGE", regex=False) & reasons.str.contains(
            "|".join(_RISK_CODES), regex=True
        )
        below = below | risky.reindex(below.index).fillna(False).astype(bool)
    return below


def changes(prev: IdentifyResult | None, cur: IdentifyResult) -> pd.DataFrame:
    """household_id and change (new_object, returned, newly_poor) of ``cur`` against ``prev``."""
    assert cur.monitoring is not None
    mt = cur.monitoring.drop_duplicates("household_id").set_index("household_id")
    obj = mt["monitoring_class"].fillna("") != ""
    hh = cur.households.drop_duplicates("household_id").set_index("household_id")
    below = _below(cur)
    if prev is not None:
        was_obj = pd.Series(False, index=mt.index)
        if prev.monitoring is not None:
            p = prev.monitoring.drop_duplicates("household_id").set_index("household_id")["monitoring_class"]
            was_obj = (p.reindex(mt.index).fillna("") != "").astype(bool)
        was_below = _below(prev).reindex(hh.index).fillna(False).astype(bool)
        preg = prev.households.drop_duplicates("household_id").set_index("household_id")["registered"]
        was_reg = preg.reindex(hh.index).astype("boolean").fillna(False).astype(bool)
    else:  # no earlier year: nothing is "new"
        was_obj = obj.copy()
        was_below = below.copy()
        was_reg = hh["registered"].astype("boolean").fillna(False).astype(bool)
    reg = hh["registered"].astype("boolean").fillna(False).astype(bool)
    exited = hh["exited"].astype("boolean").fillna(False).astype(bool)
    change = pd.Series("", index=hh.index, dtype="object")
    change[(obj & ~was_obj).reindex(hh.index).fillna(False).astype(bool)] = "new_object"
    change[exited & below & ~was_below] = "returned"
    change[~reg & ~was_reg & below & ~was_below] = "newly_poor"
    out = change[change != ""].rename("change").reset_index()
    return out


def _counts(mt: pd.DataFrame, ch: pd.DataFrame) -> pd.DataFrame:
    d = pd.DataFrame(
        {
            "village_code": mt["village_code"].astype("str").fillna(""),
            "village_name": mt["village_name"].astype("str").fillna(""),
            "township_code": mt["township_code"].astype("str").fillna(""),
            "township_name": mt["township_name"].astype("str").fillna(""),
            "households": 1,
            "objects": (mt["monitoring_class"].fillna("") != "").to_numpy(dtype=int),
            "risk_cleared": mt["risk_cleared"].fillna(False).to_numpy(dtype=int),
            "risk_cleared_ready": mt["risk_cleared_ready"].fillna(False).to_numpy(dtype=int),
        }
    )
    for label, k in CLASS_KEYS.items():
        d[k] = (mt["monitoring_class"] == label).to_numpy(dtype=int)
    kind = mt["household_id"].map(ch.drop_duplicates("household_id").set_index("household_id")["change"])
    for col, c in (("new_objects", "new_object"), ("returned", "returned"), ("newly_poor", "newly_poor")):
        d[col] = (kind == c).fillna(False).to_numpy(dtype=int)
    return d


def _sum(d: pd.DataFrame, level: str, code: str, name: str) -> pd.DataFrame:
    nums = [c for c in LEVEL_COLUMNS if c not in ("level", "code", "name", "cleared_share")]
    if level == "county":
        g = d[nums].sum().to_frame().T
        g.insert(0, "name", name)
        g.insert(0, "code", code)
    else:
        g = d.groupby([code, name], sort=True)[nums].sum().reset_index().rename(columns={code: "code", name: "name"})
    g.insert(0, "level", level)
    seen = g["objects"] + g["risk_cleared"]
    g["cleared_share"] = (g["risk_cleared"] / seen.where(seen > 0)).astype("Float64").round(4)
    return g[LEVEL_COLUMNS]


def _measures(mt: pd.DataFrame, payments: pd.DataFrame | None, params: Params, data_year: int) -> pd.DataFrame:
    """One row per object: labour, the year's measures, 开发式帮扶 or 综合保障兜底, and whether a
    development measure is in place."""
    obj = mt[mt["monitoring_class"].fillna("") != ""]
    dev_words = [str(w) for w in params.settings.monitoring.development_measures]
    per_hh = pd.Series(dtype="str")
    if payments is not None:
        pay = payments[["household_id", "measure"]].dropna()
        yr = pd.to_datetime(payments.loc[pay.index, "pay_date"], errors="coerce").dt.year
        pay = pay[(yr.isna() | (yr >= data_year - 1)).to_numpy(dtype=bool)]
        pay = pay.astype("str").drop_duplicates()
        per_hh = pay.groupby("household_id")["measure"].agg(lambda s: ";".join(sorted(s)))
    measures = obj["household_id"].astype("str").map(per_hh).astype("str").fillna("")
    has_dev = measures.apply(lambda m: any(w in m for w in dev_words)).astype("boolean")
    if payments is None:  # no payments table (or it could not be read): the measures are unknown
        measures = pd.Series(pd.NA, index=obj.index, dtype="str")
        has_dev = pd.Series(pd.NA, index=obj.index, dtype="boolean")
    labour = obj["has_labour"].astype("boolean")
    out = pd.DataFrame(
        {
            "household_id": obj["household_id"].astype("str"),
            "village_code": obj["village_code"],
            "village_name": obj["village_name"],
            "monitoring_class": obj["monitoring_class"],
            "risk_kinds": obj["risk_kinds"],
            "has_labour": labour,
            "support_kind": np.where(labour.fillna(True), "开发式帮扶", "综合保障兜底"),
            "measures": measures,
            "development_measure": has_dev,
        }
    )
    return out.reset_index(drop=True)


def build_monitoring(
    identify_by_year: Mapping[int, IdentifyResult],
    data_year: int,
    county: tuple[str, str],
    params: Params,
    payments: pd.DataFrame | None = None,
) -> MonitoringReport | None:
    """The monitoring part of the report of ``data_year`` (None for a poverty year)."""
    cur = identify_by_year[data_year]
    if cur.monitoring is None:
        return None
    mt = cur.monitoring
    ch = changes(identify_by_year.get(data_year - 1), cur)
    d = _counts(mt, ch)
    levels = pd.concat(
        [
            _sum(d, "county", county[0], county[1]),
            _sum(d, "township", "township_code", "township_name"),
            _sum(d, "village", "village_code", "village_name"),
        ],
        ignore_index=True,
    )
    objects = _measures(mt, payments, params, data_year)
    findings = Findings()
    # Only where the payments were read: unknown measures are not missing measures.
    without = (~objects["development_measure"]).fillna(False).astype(bool)
    lacking = objects[objects["has_labour"].fillna(False).astype(bool) & without]
    findings.add(
        "R-MON-NO-DEV-MEASURE",
        table="households",
        column="measure",
        key=lacking["household_id"],
        value=lacking["risk_kinds"].fillna(lacking["monitoring_class"]),
        detail=lacking["measures"].where(lacking["measures"] != "", "无帮扶记录"),
    )
    rows = []
    for y in sorted(identify_by_year):
        m = identify_by_year[y].county.get("monitoring")
        if m is not None and y <= data_year:
            rows.append(
                {"year": y, **{k: m[k] for k in ("objects", "unstable", "edge", "sudden", "risk_cleared_ready")}}
            )
    years = pd.DataFrame(rows)
    return MonitoringReport(levels, objects, years, findings)
