"""Monitoring indicators (贫困监测) by village, township and county, from per-household flags.

Definitions (every count is of households unless it says population):

- ``households`` / ``population``: every surveyed household of the year, people as
  identify counts them (``household_size``, else current members).
- ``registered_*``: 建档立卡 households of any status.
- ``registered_poor_*``: registered and not exited (status 未脱贫 or 返贫).
- ``poor_*``, ``denominator``, ``incidence``: exactly as ``identify`` (贫困发生率 =
  poor_population / denominator; poor = identified poor, or registered, not exited and
  not meeting the exit standard — so ``poor_*`` differs from ``registered_poor_*``;
  denominator = 农业人口, falling back to 总人口; a village without either
  gives NA; a township or the county sums the denominators of its villages that have one
  and falls back to its household population when none has).
- ``exits_*``: registered, status 已脱贫…, ``exit_year`` = data year − ``report.exit_year_offset``
  (the year folder Y holds the exits of year Y−1, the income year). NA without ``exit_year``.
- ``returned_*``: registered with status 返贫 (in the register this year).
- ``edge_*``: identify result ``edge`` (边缘易致贫户 + 脱贫不稳定户, split by kind).
- ``*_gap_households``: registered households whose guarantee fails (NA = unknown is not counted);
  ``gap_households``: any of the four.
- ``dibao_eligible_households``: registered with category 低保贫困户 or 特困供养贫困户;
  ``dibao_covered_households``: those of them with a member linked to a roster record
  (``match`` pairs). NA without a match result.
- ``cadre_households``: registered poor (not exited); ``cadre_covered_households``: with a
  cadre in force (pairing ``kept``: the household's cadre_id names a cadre);
  ``cadre_planned_coverage`` also counts the new pairings the plan proposes. NA without pairing.
- ``funds_paid``: payments placed in the area (fund summaries); ``funds_per_registered_household``
  = funds_paid / registered households. NA without projects or payments.
- ``audit_amount_at_risk``: error and warning audit findings, each source row counted once
  (its largest amount); ``audit_findings``: their number. NA without an audit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jingzhun.tablespec import text_column

DIBAO_CATEGORIES: tuple[str, ...] = ("低保贫困户", "特困供养贫困户")
EDGE_NEW = "边缘易致贫户"
EDGE_UNSTABLE = "脱贫不稳定户"
GAP_KINDS: tuple[str, ...] = ("housing", "education", "medical", "water")
UNKNOWN = ""  # code of households without a village code

# Summed counts per area (the order of indicators.csv after the place columns).
COUNTS: tuple[str, ...] = (
    "households",
    "population",
    "registered_households",
    "registered_population",
    "registered_poor_households",
    "registered_poor_population",
    "poor_households",
    "poor_population",
    "exits_households",
    "exits_population",
    "returned_households",
    "returned_population",
    "edge_households",
    "edge_new_households",
    "edge_unstable_households",
    *(f"{k}_gap_households" for k in GAP_KINDS),
    "gap_households",
    "dibao_eligible_households",
    "dibao_covered_households",
    "cadre_households",
    "cadre_covered_households",
    "cadre_planned_households",
)
# Which input each optional count needs (absent input → the count and its ratios are NA).
NEEDS: dict[str, str] = {
    "exits_households": "exit_year",
    "exits_population": "exit_year",
    "dibao_eligible_households": "match",
    "dibao_covered_households": "match",
    "cadre_households": "pairing",
    "cadre_covered_households": "pairing",
    "cadre_planned_households": "pairing",
}
PLACE_COLUMNS: tuple[str, ...] = ("level", "code", "name", "township_code", "township_name", "villages")
RATIOS: tuple[str, ...] = (
    "denominator",
    "incidence",
    "exit_rate",
    "return_rate",
    "edge_rate",
    "gap_rate",
    "dibao_coverage",
    "cadre_coverage",
    "cadre_planned_coverage",
    "funds_paid",
    "funds_per_registered_household",
    "audit_amount_at_risk",
    "audit_findings",
    "audit_risk_share",
)
INDICATOR_COLUMNS: list[str] = [*PLACE_COLUMNS, *COUNTS, *RATIOS]
LEVELS: tuple[str, ...] = ("county", "township", "village")

# (zh, en) column labels for the workbook and the HTML.
LABELS: dict[str, tuple[str, str]] = {
    "level": ("层级", "level"),
    "code": ("代码", "code"),
    "name": ("名称", "name"),
    "township_code": ("乡镇代码", "township code"),
    "township_name": ("乡镇", "township"),
    "villages": ("行政村数", "villages"),
    "households": ("调查户数", "households"),
    "population": ("调查人口", "people"),
    "registered_households": ("建档立卡户数(含已脱贫)", "registered households (any status)"),
    "registered_population": ("建档立卡人口(含已脱贫)", "registered people (any status)"),
    "registered_poor_households": ("建档立卡未脱贫户数", "registered, not exited (households)"),
    "registered_poor_population": ("建档立卡未脱贫人口", "registered, not exited (people)"),
    "poor_households": ("贫困户数(发生率口径)", "poor households (incidence count)"),
    "poor_population": ("贫困人口(发生率分子)", "poor people (incidence numerator)"),
    "exits_households": ("当年脱贫户数", "exits (households)"),
    "exits_population": ("当年脱贫人口", "exits (people)"),
    "returned_households": ("返贫户数", "returned households"),
    "returned_population": ("返贫人口", "returned people"),
    "edge_households": ("监测户数", "edge households"),
    "edge_new_households": ("边缘易致贫户", "edge, not registered"),
    "edge_unstable_households": ("脱贫不稳定户", "exited, unstable"),
    "housing_gap_households": ("住房未保障户", "housing gap"),
    "education_gap_households": ("义务教育未保障户", "education gap"),
    "medical_gap_households": ("基本医疗未保障户", "medical gap"),
    "water_gap_households": ("饮水未保障户", "water gap"),
    "gap_households": ("三保障一安全未达标户", "any guarantee gap"),
    "dibao_eligible_households": ("低保/特困贫困户", "低保/特困 registered"),
    "dibao_covered_households": ("其中已在低保名册", "of them on the roster"),
    "cadre_households": ("应结对户数", "households needing a cadre"),
    "cadre_covered_households": ("已结对户数", "with a cadre in force"),
    "cadre_planned_households": ("计划结对后户数", "with a cadre after the plan"),
    "denominator": ("发生率分母(农业人口)", "incidence denominator (rural population)"),
    "incidence": ("贫困发生率", "incidence"),
    "exit_rate": ("脱贫率", "exit rate"),
    "return_rate": ("返贫率", "return rate"),
    "edge_rate": ("监测户占比", "edge share"),
    "gap_rate": ("保障未达标率", "guarantee gap rate"),
    "dibao_coverage": ("低保覆盖率", "低保 coverage"),
    "cadre_coverage": ("结对覆盖率", "cadre coverage"),
    "cadre_planned_coverage": ("计划结对覆盖率", "planned cadre coverage"),
    "funds_paid": ("资金拨付(元)", "funds paid"),
    "funds_per_registered_household": ("户均资金(元)", "funds per registered household"),
    "audit_amount_at_risk": ("审计问题金额(元)", "audit amount at risk"),
    "audit_findings": ("审计问题数", "audit findings"),
    "audit_risk_share": ("问题金额占比", "amount at risk share"),
}


def _bool(s: pd.Series) -> np.ndarray:
    return s.astype("boolean").fillna(False).to_numpy(dtype=bool)


def household_flags(
    hh: pd.DataFrame,
    *,
    exit_year: pd.Series | None,
    data_year: int,
    exit_year_offset: int,
    dibao_households: pd.Series | None,
    pairing: pd.DataFrame | None,
) -> pd.DataFrame:
    """One row per household of ``identify``'s result: area codes and 0/1 (or people) columns.

    ``exit_year``: household_id → exit_year (the households table); ``dibao_households``:
    household_ids with a member linked to the roster; ``pairing``: household_id, pairing
    (kept/new/none). A None input leaves its columns at 0; :func:`aggregate` makes them NA.
    """
    hid = hh["household_id"].astype("str")
    pop = hh["population"].astype("Float64").fillna(0).to_numpy(dtype=float)
    reg = _bool(hh["registered"])
    exited = _bool(hh["exited"])
    active = _bool(hh["active"])
    status = text_column(hh, "status").str.strip()
    category = text_column(hh, "category").str.strip()
    result = text_column(hh, "result")
    edge_kind = text_column(hh, "edge_kind")

    n = len(hh)
    f: dict[str, Any] = {
        "village_code": text_column(hh, "village_code").fillna(UNKNOWN).to_numpy(dtype=object),
        "households": np.ones(n, dtype=np.int64),
        "population": pop,
        "registered_households": reg,
        "registered_population": np.where(reg, pop, 0.0),
        "registered_poor_households": active,
        "registered_poor_population": np.where(active, pop, 0.0),
    }
    poor = _bool(hh["remaining_poor"])
    f["poor_households"] = poor
    f["poor_population"] = np.where(poor, pop, 0.0)
    if exit_year is not None:
        ey = hid.map(exit_year).astype("Int64")
        ex = exited & (ey == data_year - exit_year_offset).fillna(False).to_numpy(dtype=bool)
    else:
        ex = np.zeros(n, dtype=bool)
    f["exits_households"] = ex
    f["exits_population"] = np.where(ex, pop, 0.0)
    ret = reg & (status == "返贫").fillna(False).to_numpy(dtype=bool)
    f["returned_households"] = ret
    f["returned_population"] = np.where(ret, pop, 0.0)
    f["edge_households"] = (result == "edge").fillna(False).to_numpy(dtype=bool)
    f["edge_new_households"] = (edge_kind == EDGE_NEW).fillna(False).to_numpy(dtype=bool)
    f["edge_unstable_households"] = (edge_kind == EDGE_UNSTABLE).fillna(False).to_numpy(dtype=bool)
    any_gap = np.zeros(n, dtype=bool)
    for k in GAP_KINDS:
        g = reg & _bool(hh[f"{k}_gap"])
        f[f"{k}_gap_households"] = g
        any_gap |= g
    f["gap_households"] = any_gap

    eligible = reg & category.isin(DIBAO_CATEGORIES).fillna(False).to_numpy(dtype=bool)
    f["dibao_eligible_households"] = eligible
    if dibao_households is not None:
        linked = hid.isin(pd.Index(dibao_households.dropna().astype("str").unique())).to_numpy(dtype=bool)
        f["dibao_covered_households"] = eligible & linked
    else:
        f["dibao_covered_households"] = np.zeros(n, dtype=bool)

    f["cadre_households"] = active
    if pairing is not None and len(pairing):
        p = pairing.drop_duplicates("household_id").set_index(
            pairing.drop_duplicates("household_id")["household_id"].astype("str")
        )
        state = hid.map(p["pairing"].astype("str")).astype("str")
        f["cadre_covered_households"] = active & (state == "kept").fillna(False).to_numpy(dtype=bool)
        f["cadre_planned_households"] = active & state.isin(["kept", "new"]).fillna(False).to_numpy(dtype=bool)
    else:
        f["cadre_covered_households"] = np.zeros(n, dtype=bool)
        f["cadre_planned_households"] = np.zeros(n, dtype=bool)
    out = pd.DataFrame(f)
    for c in COUNTS:
        if out[c].dtype == bool:
            out[c] = out[c].astype(np.int64)
    return out


def _ratio(num: pd.Series, den: pd.Series, digits: int) -> pd.Series:
    d = den.astype("Float64")
    return (num.astype("Float64") / d.where(d > 0)).round(digits)


def finish(df: pd.DataFrame) -> pd.DataFrame:
    """The ratio columns from the summed counts (the same formula at every level)."""
    df["incidence"] = _ratio(df["poor_population"], df["denominator"], 6)
    # Share of last year's poor that exited: exits / (still poor + exits).
    df["exit_rate"] = _ratio(df["exits_households"], df["registered_poor_households"] + df["exits_households"], 4)
    df["return_rate"] = _ratio(df["returned_households"], df["registered_households"], 4)
    df["edge_rate"] = _ratio(df["edge_households"], df["households"], 4)
    df["gap_rate"] = _ratio(df["gap_households"], df["registered_households"], 4)
    df["dibao_coverage"] = _ratio(df["dibao_covered_households"], df["dibao_eligible_households"], 4)
    df["cadre_coverage"] = _ratio(df["cadre_covered_households"], df["cadre_households"], 4)
    df["cadre_planned_coverage"] = _ratio(df["cadre_planned_households"], df["cadre_households"], 4)
    df["funds_per_registered_household"] = _ratio(df["funds_paid"], df["registered_households"], 2)
    df["audit_risk_share"] = _ratio(df["audit_amount_at_risk"], df["funds_paid"], 4)
    return df


def _sum_counts(flags: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    g = flags[list(COUNTS)].groupby(key.to_numpy(dtype=object), sort=True)
    return g.sum()


def _denominator(vdenom: pd.Series, group: pd.Series, fallback: pd.Series) -> pd.Series:
    """Sum of the villages' denominators per group (NA when none has one) → household population."""
    s = vdenom.astype("Float64").groupby(group.to_numpy(dtype=object), sort=True).sum(min_count=1)
    s = s.reindex(fallback.index)
    return s.where(s.notna(), fallback.astype("Float64"))


def aggregate(
    flags: pd.DataFrame,
    villages: pd.DataFrame,
    *,
    available: dict[str, bool],
    county_code: str,
    county_name: str,
    funds: dict[str, pd.Series] | None,
    audit: dict[str, pd.Series] | None,
) -> pd.DataFrame:
    """Village, township and county rows (``INDICATOR_COLUMNS``), sorted county → township → village.

    ``villages``: identify's village table (names, denominators). ``funds``/``audit``:
    ``{"village": Series, "township": Series, "county": Series}`` keyed by code (county by
    county_code), values paid / amount at risk (+ ``"<level>_findings"`` for audit).
    """
    vt = villages.copy()
    vt["village_code"] = vt["village_code"].astype("str")
    vt = vt.drop_duplicates("village_code").set_index("village_code")

    v = _sum_counts(flags, flags["village_code"])
    codes = v.index.union(pd.Index(vt.index.astype(object)))
    v = v.reindex(codes).fillna(0).astype(np.int64)
    v.index.name = "code"
    v = v.reset_index()
    vcode = v["code"].astype("str")
    v["name"] = vcode.map(vt["village_name"].astype("str")).astype("str")
    tcode = vcode.map(vt["township_code"].astype("str")).astype("str")
    v["township_code"] = tcode.where(tcode.notna(), vcode.str.slice(0, 9)).astype("str")
    tname_v = vcode.map(vt["township_name"].astype("str")).astype("str")
    v["township_name"] = tname_v
    v["villages"] = 1
    vden = vcode.map(vt["denominator"].astype("Float64")).astype("Float64")
    v["denominator"] = vden

    # Townships: sums of their villages.
    tkey = v["township_code"].fillna(UNKNOWN)
    tw = v[list(COUNTS)].groupby(tkey.to_numpy(dtype=object), sort=True).sum()
    tw["villages"] = v.groupby(tkey.to_numpy(dtype=object), sort=True).size()
    tw["denominator"] = _denominator(vden, tkey, tw["population"])
    tnames = pd.Series(tname_v.to_numpy(dtype=object), index=tkey.to_numpy(dtype=object)).dropna()
    tnames = tnames[~tnames.index.duplicated()]
    tw.index.name = "code"
    tw = tw.reset_index()
    tw["name"] = tw["code"].map(tnames).astype("str")
    tw["township_code"] = tw["code"].astype("str")
    tw["township_name"] = tw["name"]

    c = v[list(COUNTS)].sum().to_frame().T.astype(np.int64)
    c["villages"] = len(v)
    has_den = vden.notna().any()
    c["denominator"] = float(vden.sum()) if has_den else float(c["population"].iloc[0])
    c["code"] = county_code
    c["name"] = county_name
    c["township_code"] = pd.NA
    c["township_name"] = pd.NA

    frames = []
    for level, df in (("county", c), ("township", tw), ("village", v)):
        df = df.copy()
        df["level"] = level
        df["code"] = df["code"].astype("str")
        for key, src in (("funds_paid", funds), ("audit_amount_at_risk", audit)):
            if src is None:
                df[key] = pd.Series(pd.NA, index=df.index, dtype="Float64")
            else:
                df[key] = df["code"].map(src[level]).astype("Float64").fillna(0.0).round(2)
        if audit is None:
            df["audit_findings"] = pd.Series(pd.NA, index=df.index, dtype="Int64")
        else:
            df["audit_findings"] = (
                df["code"].map(audit[f"{level}_findings"]).astype("Float64").fillna(0).astype("Int64")
            )
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    for col in COUNTS:
        out[col] = out[col].astype("Int64")
        need = NEEDS.get(col)
        if need is not None and not available.get(need, False):
            out[col] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out["population"] = out["population"].astype("Int64")
    out["villages"] = out["villages"].astype("Int64")
    out["denominator"] = out["denominator"].astype("Float64").round(0).astype("Int64")
    out = finish(out)
    out["level_order"] = out["level"].map({lv: i for i, lv in enumerate(LEVELS)})
    out = out.sort_values(["level_order", "code"], kind="stable").drop(columns="level_order")
    for col in ("name", "township_code", "township_name", "level", "code"):
        out[col] = out[col].astype("str")
    return out[INDICATOR_COLUMNS].reset_index(drop=True)
