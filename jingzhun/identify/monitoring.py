"""防止返贫动态监测: monitoring objects and 风险消除 for data years from ``monitoring.first_year``.

Rules and their documents: docs/monitoring.md. Per household of a monitoring year:

``脱贫不稳定户``  registered (脱贫户), income below the year's monitoring range, with a risk
``边缘易致贫户``  not registered (一般农户), income below the range, with a risk
``突发严重困难户`` income at or above the range, rigid expenses above the household's income
                 or income fallen by ``income_drop_share`` (刚性支出较大或收入大幅缩减)

A risk is a recorded risk kind (``risk_kinds``) or a computed one (rigid expenses, income drop).
A household recorded as an object (``monitoring_type``) and not marked 风险消除 stays an
object with its recorded type when no rule fires now. ``risk_cleared_ready`` holds for an
object with no blocker: income at or above the range, no rigid-expense or income-drop risk,
三保障 and drinking water assured (the identify gap flags), the observation time since
``monitoring_date`` reached, and labour in the household when ``hold_without_labour``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jingzhun.errors import ConfigError
from jingzhun.findings import Findings
from jingzhun.i18n import t
from jingzhun.identify.classify import join_codes
from jingzhun.identify.members import current_mask, isin
from jingzhun.params import Params
from jingzhun.schema.columns import MONITORING_TYPE
from jingzhun.tablespec import provided

UNSTABLE, EDGE, SUDDEN = MONITORING_TYPE
RIGID_COLUMNS = ("medical_expense", "education_expense", "other_rigid_expense")
LABOUR_LABELS = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力")
CLASS_KEYS = {UNSTABLE: "unstable", EDGE: "edge", SUDDEN: "sudden"}
MONITORING_COLUMNS = [
    "household_id",
    "township_code",
    "township_name",
    "village_code",
    "village_name",
    "head_name",
    "registered",
    "status",
    "monitoring_type",
    "monitoring_class",
    "class_source",
    "reasons",
    "risk_kinds",
    "per_capita_net_income",
    "monitoring_range",
    "rigid_expense",
    "rigid_share",
    "income_drop",
    "has_labour",
    "monitoring_date",
    "observation_months",
    "risk_cleared",
    "risk_cleared_ready",
    "blockers",
]


def is_monitoring_year(params: Params, data_year: int) -> bool:
    return data_year >= int(params.settings.monitoring.first_year)


def _must_set(key: str, example: str, why_zh: str, why_en: str) -> ConfigError:
    return ConfigError(
        t(
            f"防止返贫监测需要参数 {key}, 但没有设置 ({why_zh})",
            f"monitoring needs parameter {key}, not set ({why_en})",
        ),
        t(
            f"请在数据集的 jingzhun.toml 中设置 {example} (本省公布的数值, 见 docs/monitoring.md)",
            f"set {example} in the dataset's jingzhun.toml (your province's figure, see docs/monitoring.md)",
        ),
    )


def monitoring_range(params: Params, data_year: int) -> float:
    """The monitoring range (元/人·年) of ``data_year``; ConfigError naming the key when not set."""
    key = f"monitoring_range.{data_year}"
    if data_year not in params.settings.monitoring_range:
        raise _must_set(
            key,
            f"[monitoring_range] 下的 {data_year} = 金额",
            "监测范围由各省份确定, 没有可引用的全国默认值",
            "provinces set the range; there is no national default to cite",
        )
    return float(params.settings.monitoring_range[data_year])


def observation_months(params: Params) -> int:
    """Minimum months from 纳入监测 to 风险消除; ConfigError when left at 0 (not set)."""
    months = int(params.settings.monitoring.observation_months)
    if months <= 0:
        raise _must_set(
            "monitoring.observation_months",
            "[monitoring] 下的 observation_months = 月数",
            "风险消除前的最短观察时间没有可引用的全国数值",
            "no national figure for the minimum time before 风险消除 was found",
        )
    return months


def check_monitoring_params(params: Params, data_year: int) -> None:
    """Every monitoring parameter without a default is set (called before any reading)."""
    if is_monitoring_year(params, data_year):
        monitoring_range(params, data_year)
        observation_months(params)


def _num(df: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(df[col], errors="coerce").astype("Float64")


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    s = df[col].astype("str").str.strip()
    return s.where(s != "")


def _bool(s: pd.Series) -> np.ndarray:
    return np.asarray(s.astype("boolean").fillna(False), dtype=bool)


def has_labour(households: pd.DataFrame, members: pd.DataFrame | None) -> pd.Series:
    """True where a current member has labour (普通/技能/弱或半劳动力); NA without a members table
    or when its file has no 劳动技能 or 户编号 column (unknown, not "no labour")."""
    hid = households["household_id"].astype("str")
    if members is None or not provided(members, "labor") or not provided(members, "household_id"):
        return pd.Series(pd.NA, index=households.index, dtype="boolean")
    able = current_mask(members).to_numpy(dtype=bool) & isin(members["labor"], list(LABOUR_LABELS)).to_numpy()
    return pd.Series(isin(hid, members.loc[able, "household_id"]).to_numpy(), index=households.index, dtype="boolean")


def months_between(start: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Whole calendar months from ``start`` to ``end`` (a month counts once its day is reached); NA stays NA."""
    d = pd.to_datetime(start, errors="coerce")
    months = (end.year - d.dt.year) * 12 + (end.month - d.dt.month) - (d.dt.day > end.day).astype("Int64")
    return months.astype("Int64")


@dataclass
class Signals:
    """Per-household rule inputs of one monitoring year (arrays aligned to the households frame)."""

    range: float
    inc: pd.Series
    hh_income: pd.Series
    rigid: pd.Series
    rigid_excess: np.ndarray
    drop: pd.Series
    income_drop: np.ndarray
    kinds: pd.Series
    recorded_risk: np.ndarray
    has_risk: np.ndarray
    known: np.ndarray
    low: np.ndarray
    cls: np.ndarray
    source: np.ndarray
    recorded: pd.Series
    cleared: np.ndarray
    still: np.ndarray


def signals(hh: pd.DataFrame, inc: pd.Series, registered: np.ndarray, params: Params, data_year: int) -> Signals:
    """The rule inputs and the class of every household of ``hh`` (``inc``: per-capita net income)."""
    rng = monitoring_range(params, data_year)
    idx = hh.index
    inc = inc.astype("Float64")
    size = _num(hh, "household_size").where(lambda s: s > 0)
    hh_income = inc * size
    rigid = sum((_num(hh, c).fillna(0) for c in RIGID_COLUMNS), pd.Series(0.0, index=idx, dtype="Float64"))
    ratio = float(params.settings.monitoring.rigid_expense_ratio)
    rigid_excess = _bool((rigid > 0) & (rigid > ratio * hh_income.clip(lower=0)))
    prev = _num(hh, "previous_per_capita_income")
    drop = ((prev - inc) / prev).where(prev > 0)
    drop_share = float(params.settings.monitoring.income_drop_share)
    income_drop = _bool(drop >= drop_share) if drop_share > 0 else np.zeros(len(idx), dtype=bool)
    kinds = _text(hh, "risk_kinds")
    recorded_risk = _bool(kinds.notna())
    sudden = rigid_excess | income_drop
    has_risk = recorded_risk | sudden
    known = _bool(inc.notna())
    low = _bool(inc < rng)

    cls = np.full(len(idx), "", dtype=object)
    cls[sudden & known & ~low] = SUDDEN
    cls[low & has_risk & ~registered] = EDGE
    cls[low & has_risk & registered] = UNSTABLE
    source = np.where(cls != "", "identified", "")
    recorded = _text(hh, "monitoring_type")
    cleared = _bool(hh["risk_cleared"])
    still = recorded.notna().to_numpy(dtype=bool) & ~cleared & (cls == "")
    cls[still] = recorded.to_numpy(dtype=object)[still]
    source[still] = "recorded"
    return Signals(
        rng,
        inc,
        hh_income,
        rigid,
        rigid_excess,
        drop,
        income_drop,
        kinds,
        recorded_risk,
        has_risk,
        known,
        low,
        cls,
        source,
        recorded,
        cleared,
        still,
    )


def monitoring_table(
    hh: pd.DataFrame, ident: pd.DataFrame, members: pd.DataFrame | None, params: Params, data_year: int
) -> pd.DataFrame:
    """One row per household: class, reasons, 风险消除 readiness and blockers.

    ``hh``: the households table; ``ident``: identify's per-household frame aligned to it
    (``per_capita_net_income``, ``registered``, the gap flags, the place columns).
    """
    min_months = observation_months(params)
    idx = hh.index
    sg = signals(hh, ident["per_capita_net_income"], _bool(ident["registered"]), params, data_year)
    rng, inc, hh_income, rigid, drop, kinds, recorded = (
        sg.range,
        sg.inc,
        sg.hh_income,
        sg.rigid,
        sg.drop,
        sg.kinds,
        sg.recorded,
    )
    rigid_excess, income_drop, recorded_risk, has_risk = sg.rigid_excess, sg.income_drop, sg.recorded_risk, sg.has_risk
    known, low, cls, source, cleared, still = sg.known, sg.low, sg.cls, sg.source, sg.cleared, sg.still
    obj = cls != ""

    labour = has_labour(hh, members)
    months = months_between(_text(hh, "monitoring_date"), pd.Timestamp(year=data_year - 1, month=12, day=31))
    hold = bool(params.settings.monitoring.hold_without_labour)
    reasons = join_codes(
        idx,
        [
            (low & known, "I-MON-BELOW-RANGE"),
            (recorded_risk, "I-MON-RISK"),
            (rigid_excess, "I-MON-RIGID-EXPENSE"),
            (income_drop, "I-MON-INCOME-DROP"),
            (low & known & ~has_risk, "I-MON-LOW-NO-RISK"),
            (still, "I-MON-RECORDED"),
        ],
    )
    blockers = join_codes(
        idx,
        [
            (obj & ~known, "I-INCOME-MISSING"),
            (obj & low, "I-MON-BELOW-RANGE"),
            (obj & rigid_excess, "I-MON-RIGID-EXPENSE"),
            (obj & income_drop, "I-MON-INCOME-DROP"),
            (obj & _bool(ident["housing_gap"]), "I-GAP-HOUSING"),
            (obj & _bool(ident["education_gap"]), "I-GAP-EDUCATION"),
            (obj & _bool(ident["medical_gap"]), "I-GAP-MEDICAL"),
            (obj & _bool(ident["water_gap"]), "I-GAP-WATER"),
            (obj & _bool(months.isna()), "I-MON-NO-DATE"),
            (obj & _bool(months < min_months), "I-MON-OBSERVATION"),
            (obj & hold & _bool(labour == False), "I-MON-NO-LABOUR"),  # noqa: E712 (NA: no members table)
        ],
    )
    out = pd.DataFrame({"household_id": ident["household_id"].astype("str")}, index=idx)
    for c in ("township_code", "township_name", "village_code", "village_name", "head_name", "registered", "status"):
        out[c] = ident[c]
    out["monitoring_type"] = recorded
    out["monitoring_class"] = pd.Series(cls, index=idx, dtype="str")
    out["class_source"] = pd.Series(source, index=idx, dtype="str")
    out["reasons"] = reasons
    out["risk_kinds"] = kinds
    out["per_capita_net_income"] = inc
    out["monitoring_range"] = rng
    out["rigid_expense"] = rigid
    out["rigid_share"] = (rigid / hh_income.where(hh_income > 0)).round(4)
    out["income_drop"] = drop.round(4)
    out["has_labour"] = labour
    out["monitoring_date"] = pd.to_datetime(_text(hh, "monitoring_date"), errors="coerce").dt.strftime("%Y-%m-%d")
    out["observation_months"] = months
    out["risk_cleared"] = pd.Series(cleared, index=idx, dtype="boolean")
    out["risk_cleared_ready"] = pd.Series(obj & (blockers == "").to_numpy(), index=idx, dtype="boolean").where(obj)
    out["blockers"] = blockers
    return out[MONITORING_COLUMNS]


def monitoring_findings(f: Findings, mt: pd.DataFrame, rows: pd.Series | None = None) -> None:
    """应纳尽纳 and 风险消除 checks: an object by the rules not recorded, a recorded 风险消除 with blockers."""
    recorded_open = mt["monitoring_type"].notna() & ~mt["risk_cleared"].fillna(False).astype(bool)
    missed = (mt["class_source"] == "identified") & ~recorded_open
    f.add(
        "I-MON-NOT-RECORDED",
        table="households",
        row=None if rows is None else rows[missed],
        column="monitoring_type",
        value=mt.loc[missed, "monitoring_class"],
        key=mt.loc[missed, "household_id"],
        detail=mt.loc[missed, "reasons"],
    )
    early = mt["risk_cleared"].fillna(False).astype(bool) & (mt["blockers"] != "")
    f.add(
        "I-MON-CLEARED-BLOCKED",
        table="households",
        row=None if rows is None else rows[early],
        column="risk_cleared",
        value=mt.loc[early, "blockers"],
        key=mt.loc[early, "household_id"],
    )


def monitoring_villages(mt: pd.DataFrame) -> pd.DataFrame:
    """Objects by class per village, with 风险消除 (recorded and ready) and not-recorded counts."""
    keys = ["township_code", "township_name", "village_code", "village_name"]
    d = mt[keys].fillna("").astype("str")
    d["households"] = 1
    for label, k in CLASS_KEYS.items():
        d[k] = (mt["monitoring_class"] == label).to_numpy(dtype=int)
    d["objects"] = (mt["monitoring_class"] != "").to_numpy(dtype=int)
    d["risk_cleared_ready"] = mt["risk_cleared_ready"].fillna(False).to_numpy(dtype=int)
    d["risk_cleared_recorded"] = mt["risk_cleared"].fillna(False).to_numpy(dtype=int)
    d["not_recorded"] = ((mt["class_source"] == "identified") & mt["monitoring_type"].isna()).to_numpy(dtype=int)
    out = d.groupby(keys, sort=True, dropna=False).sum().reset_index()
    return out


def monitoring_county(mt: pd.DataFrame, data_year: int) -> dict[str, object]:
    """County totals for identify/summary.json."""
    counts = mt["monitoring_class"].value_counts()
    objects = int((mt["monitoring_class"] != "").sum())
    return {
        "data_year": data_year,
        "monitoring_range": float(mt["monitoring_range"].iloc[0]) if len(mt) else None,
        "objects": objects,
        **{k: int(counts.get(label, 0)) for label, k in CLASS_KEYS.items()},
        "risk_cleared_ready": int(mt["risk_cleared_ready"].fillna(False).sum()),
        "risk_cleared_recorded": int(mt["risk_cleared"].fillna(False).sum()),
    }
