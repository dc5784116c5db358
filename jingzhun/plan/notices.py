"""两公示一公告: who is announced, and the notice models (pure; rendering elsewhere).

- identification (拟识别贫困户公示), per village: registered households that are new this
  data year: ``identified_year`` = the data year, or absent / not registered in the
  previous year's folder.
- exit (拟退出贫困户公示), per village: households that identification found exit-ready.
- projects (扶贫项目公告公示), per township and for the county: the projects table.

Nothing private goes into a notice model: no ID, phone, bank account or health detail
(data-contract §6) — the models carry only the columns of domain.md §7, and
:func:`screen` gives every value a notice can print one last scan
(:mod:`jingzhun.plan.posting`) before anything is rendered.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from jingzhun.county import is_area, names_of
from jingzhun.findings import Findings, detail_text
from jingzhun.i18n import t
from jingzhun.identify.income import out_of_range
from jingzhun.identify.members import isin
from jingzhun.identify.monitoring import monitoring_range
from jingzhun.nulls import NA
from jingzhun.params import Params
from jingzhun.plan.posting import Scanner, kind_text, screen_frame, strip_controls
from jingzhun.tablespec import conform, provided, text_column

KINDS = ("identification", "exit", "projects", "monitoring")
KIND_TITLES = {
    "identification": "拟识别建档立卡贫困户名单公示",
    "exit": "拟退出建档立卡贫困户名单公示",
    "projects": "扶贫项目公告公示",
    "monitoring": "防止返贫监测对象名单公示",
}
KIND_LABELS = {
    "identification": "拟识别贫困户",
    "exit": "拟退出贫困户",
    "projects": "扶贫项目",
    "monitoring": "拟纳入监测对象/拟风险消除",
}

HOUSEHOLD_COLUMNS = [
    "village_code",
    "township_code",
    "village_name",
    "township_name",
    "group_name",
    "head_name",
    "household_size",
    "category",
    "main_cause",
    "identified_year",
    "exit_year",
]
# Record keys: kept for sorting and findings, never handed to a template (not public items).
RECORD_KEYS = ("household_id", "project_id")
PROJECT_COLUMNS = [
    "project_id",
    "name",
    "place",
    "category",
    "fund_source",
    "budget",
    "implementer",
    "period",
    "beneficiary_households",
    "beneficiary_poor_households",
    "performance_target",
]


def _registered(df: pd.DataFrame) -> pd.Series:
    """A file without the 是否建档立卡 column holds registered households only."""
    if not provided(df, "registered"):
        return pd.Series(True, index=df.index)
    return df["registered"].astype("boolean").fillna(False).astype(bool)


def newly_identified(households: pd.DataFrame, previous: pd.DataFrame | None, data_year: int) -> pd.Series:
    """Boolean mask over ``households``: registered and new in ``data_year``."""
    reg = _registered(households)
    new = (households["identified_year"].astype("Int64") == data_year).fillna(False).astype(bool)
    if previous is not None:
        before = previous.loc[_registered(previous), "household_id"].astype("str").str.strip()
        hid = households["household_id"].astype("str").str.strip()
        new |= ~isin(hid, before, na_matches=True).to_numpy(dtype=bool)
    return reg & new


def exit_candidates(households: pd.DataFrame, identified: pd.DataFrame | None) -> pd.Series:
    """Boolean mask over ``households``: identification found them ready to exit."""
    if identified is None or "exit_ready" not in identified.columns:
        return pd.Series(False, index=households.index)
    ident = identified.assign(household_id=identified["household_id"].astype("str")).drop_duplicates("household_id")
    ready = ident.set_index("household_id")["exit_ready"].astype("boolean")
    return households["household_id"].astype("str").map(ready).astype("boolean").fillna(False).astype(bool)


def monitoring_items(households: pd.DataFrame, monitoring: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    """(公示事项, 监测对象类型) over ``households`` from identify/monitoring.csv: 拟纳入监测对象 for an
    object by the rules not yet recorded, 拟风险消除 for an object ready and not yet marked; else empty."""
    empty = pd.Series("", index=households.index, dtype="str")
    if monitoring is None or monitoring.empty:
        return empty, empty
    m = monitoring.assign(household_id=monitoring["household_id"].astype("str")).drop_duplicates("household_id")
    recorded = m["monitoring_type"].notna() & ~m["risk_cleared"].astype("boolean").fillna(False).astype(bool)
    include = (m["class_source"] == "identified") & ~recorded
    clear = m["risk_cleared_ready"].astype("boolean").fillna(False).astype(bool) & ~m["risk_cleared"].astype(
        "boolean"
    ).fillna(False).astype(bool)
    item = pd.Series("", index=m.index, dtype="str").mask(include, "拟纳入监测对象").mask(clear, "拟风险消除")
    key = households["household_id"].astype("str")
    it = key.map(pd.Series(item.to_numpy(), index=m["household_id"])).astype("str").fillna("")
    cls = key.map(pd.Series(m["monitoring_class"].astype("str").to_numpy(), index=m["household_id"]))
    return it, cls.astype("str").fillna("")


def household_rows(
    households: pd.DataFrame, mask: pd.Series, villages: pd.DataFrame | None, data_year: int
) -> pd.DataFrame:
    """The public columns of the announced households, sorted by village, group, name."""
    h = households[mask.to_numpy(dtype=bool)].reset_index(drop=True)
    out = pd.DataFrame(
        {
            c: text_column(h, c, reset=True)
            for c in HOUSEHOLD_COLUMNS
            if c not in ("township_code", "household_size", "exit_year")
        }
    )
    out["township_code"] = out["village_code"].str.slice(0, 9)
    out["household_size"] = h["household_size"].astype("Int64").astype("str")
    out["exit_year"] = str(data_year)
    out["household_id"] = text_column(h, "household_id", reset=True)
    out = _place_names(out, villages)
    out = out.fillna("")
    return out.sort_values(["village_code", "group_name", "head_name", "household_id"], kind="stable").reset_index(
        drop=True
    )


def _place_names(out: pd.DataFrame, villages: pd.DataFrame | None) -> pd.DataFrame:
    if villages is None or out.empty:
        return out
    vt = (
        villages.assign(village_code=villages["village_code"].astype("str"))
        .drop_duplicates("village_code")
        .set_index("village_code")
    )
    for col in ("village_name", "township_name"):
        out[col] = out["village_code"].map(vt[col]).astype("str").fillna(out[col])
    return out


def village_universe(households: pd.DataFrame, villages: pd.DataFrame | None) -> pd.DataFrame:
    """Every village known this year (households and the villages table) with names."""
    parts = [
        pd.DataFrame(
            {
                "village_code": text_column(households, "village_code", reset=True),
                "village_name": text_column(households, "village_name", reset=True),
                "township_name": text_column(households, "township_name", reset=True),
            }
        )
    ]
    if villages is not None:
        parts.insert(
            0,
            pd.DataFrame(
                {c: text_column(villages, c, reset=True) for c in ("village_code", "village_name", "township_name")}
            ),
        )
    u = pd.concat(parts, ignore_index=True)
    u = u[u["village_code"].notna()].drop_duplicates("village_code").sort_values("village_code", kind="stable")
    u["township_code"] = u["village_code"].str.slice(0, 9)
    return u.fillna("").reset_index(drop=True)


def project_rows(projects: pd.DataFrame, villages: pd.DataFrame, county_code: str) -> pd.DataFrame:
    """Projects with their unit: a township code (village projects too) or the county code."""
    p = projects.reset_index(drop=True)
    vcode = text_column(p, "village_code", reset=True).str.strip()
    unit = vcode.str.slice(0, 9).where(vcode.str.len() >= 9, county_code).fillna(county_code)
    vnames = villages.set_index("village_code")["village_name"] if len(villages) else pd.Series(dtype="str")
    tnames = (
        villages.drop_duplicates("township_code").set_index("township_code")["township_name"]
        if len(villages)
        else pd.Series(dtype="str")
    )
    place = vcode.map(vnames).astype("str")
    place = (unit.map(tnames).astype("str").fillna("") + place.fillna("")).where(vcode.notna(), "县级")
    start = _date_text(p, "start_date")
    end = _date_text(p, "completion_date")
    # A missing date is said, not dropped: a start date alone would read as a one-day project.
    period = (start.where(start != "", "（开工日期未定）") + "至" + end.where(end != "", "（完成日期未定）")).where(
        (start != "") | (end != ""), ""
    )
    budget = p["budget"].astype("Float64")
    out = pd.DataFrame(
        {
            "unit": unit,
            "project_id": text_column(p, "project_id", reset=True),
            "name": text_column(p, "name", reset=True),
            "place": place.replace("", NA).fillna(vcode),
            "category": text_column(p, "category", reset=True),
            "fund_source": text_column(p, "fund_source", reset=True),
            "budget": budget.map(lambda v: "" if pd.isna(v) else f"{v:,.2f}"),
            "budget_value": budget.fillna(0).astype(float),
            "implementer": text_column(p, "implementer", reset=True),
            "period": period,
            "beneficiary_households": text_column(p, "beneficiary_households", reset=True),
            "beneficiary_poor_households": text_column(p, "beneficiary_poor_households", reset=True),
            "performance_target": text_column(p, "performance_target", reset=True),
        }
    ).fillna("")
    return out.sort_values(["unit", "project_id"], kind="stable").reset_index(drop=True)


def _date_text(df: pd.DataFrame, col: str) -> pd.Series:
    d = pd.to_datetime(df[col], errors="coerce")
    return d.dt.strftime("%Y-%m-%d").astype("str").fillna("")


@dataclass
class NoticeCommon:
    """What every notice of one run shares: period, phones, issuer, standards."""

    kind: str
    year: int
    start: date
    end: date
    days: int
    issuer: str
    county: dict[str, Any]
    phones: list[tuple[str, str]]
    standard: str
    health_words: tuple[str, ...] = ()

    def context(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": KIND_TITLES[self.kind],
            "year": self.year,
            "county": self.county,
            "period": {"start": self.start, "end": self.end, "days": self.days},
            "issuer": self.issuer,
            "issue_date": self.start,
            "phones": self.phones,
            "standard": self.standard,
        }


PHONE_LABELS = {
    "county": "县扶贫办",
    "township": "乡镇扶贫工作站",
    "village": "村委会",
    "national": "全国扶贫监督举报电话",
}


def common(kind: str, params: Params, data_year: int, start: date) -> NoticeCommon:
    days = getattr(params.settings.notice_days, kind if kind in ("projects", "monitoring") else "households")
    phones = [
        (PHONE_LABELS.get(k, k), str(v))
        for k, v in asdict(params.settings.supervision_phones).items()
        if str(v).strip()
    ]
    income_year = data_year - 1
    if kind == "identification":
        standard = (
            f"{income_year}年家庭人均纯收入低于国家扶贫标准 {params.poverty_line(income_year):,.0f} 元，"
            f"综合考虑住房、教育、健康等情况"
        )
    elif kind == "exit":
        standard = (
            f"{income_year}年家庭人均纯收入稳定超过国家扶贫标准 {params.exit_line(income_year):,.0f} 元，不愁吃、"
            f"不愁穿，义务教育、基本医疗、住房安全有保障"
        )
    elif kind == "monitoring":
        rng = monitoring_range(params, data_year)
        standard = (
            f"纳入监测：家庭人均纯收入低于{data_year}年监测范围 {rng:,.0f} 元且有返贫致贫风险，"
            "或因病、因灾、因意外事故等"
            "刚性支出较大、收入大幅缩减；风险消除：收入持续稳定、“两不愁三保障”及饮水安全持续巩固、"
            "返贫致贫风险稳定消除"
        )
    else:
        standard = ""
    county = {k: getattr(params.settings.county, k) for k in ("code", "name", "province", "issuer")}
    return NoticeCommon(
        kind,
        data_year,
        start,
        start + timedelta(days=days - 1),
        days,
        str(params.settings.county.issuer),
        county,
        phones,
        standard,
        tuple(str(w) for w in params.settings.notice.health_words),
    )


@dataclass
class NoticeSet:
    """Per unit (village, or township/county for projects): its rows; the empty units."""

    kind: str
    units: pd.DataFrame  # unit_code, unit_name, township_code, township_name, count, file
    rows: pd.DataFrame  # household_rows or project_rows, with a unit column
    findings: Findings
    screened: bool = field(default=False)  # :func:`screen` ran: units has ``withheld``


def _sane_only(households: pd.DataFrame, mask: pd.Series, findings: Findings, kind: str) -> pd.Series:
    """``mask`` without the households whose inputs fail a range rule (undetermined:
    never on a notice), each left out with a finding."""
    bad = out_of_range(households)
    left = mask & (bad != "").to_numpy(dtype=bool)
    if left.any():
        rows = households["_row"][left] if "_row" in households.columns else None
        findings.add(
            "P-NOTICE-LEFT-OUT",
            table="households",
            row=rows,
            column=bad[left],
            key=households.loc[left, "household_id"],
            detail=KIND_LABELS[kind],
        )
    return mask & ~left


def household_notices(
    kind: str,
    households: pd.DataFrame,
    villages: pd.DataFrame | None,
    data_year: int,
    previous: pd.DataFrame | None = None,
    identified: pd.DataFrame | None = None,
    monitoring: pd.DataFrame | None = None,
) -> NoticeSet:
    findings = Findings()
    item, cls = monitoring_items(households, monitoring if kind == "monitoring" else None)
    if kind == "identification":
        mask = newly_identified(households, previous, data_year)
        if previous is None:
            findings.add("P-NOTICE-NO-PREVIOUS", table="households", detail=str(data_year))
    elif kind == "monitoring":
        mask = (item != "").astype(bool)
    else:
        mask = exit_candidates(households, identified)
    mask = _sane_only(households, mask, findings, kind)
    rows = household_rows(households, mask, villages, data_year)
    if kind == "monitoring":  # same order as household_rows: by village, group, name, ID
        sel = mask.to_numpy(dtype=bool)
        extra = pd.DataFrame(
            {"monitoring_item": item[sel].to_numpy(), "monitoring_class": cls[sel].to_numpy()},
            index=households["household_id"].astype("str")[sel].to_numpy(),
        )
        extra = extra[~extra.index.duplicated()]
        rows["monitoring_item"] = rows["household_id"].map(extra["monitoring_item"]).fillna("")
        rows["monitoring_class"] = rows["household_id"].map(extra["monitoring_class"]).fillna("")
    rows["unit"] = rows["village_code"]
    u = village_universe(households, villages)
    counts = rows.groupby("unit").size()
    units = pd.DataFrame(
        {
            "unit_code": u["village_code"],
            "unit_name": u["village_name"],
            "township_code": u["township_code"],
            "township_name": u["township_name"],
        }
    )
    units["count"] = units["unit_code"].map(counts).fillna(0).astype("int64")
    empty = units[units["count"] == 0]
    findings.add(
        "P-NOTICE-EMPTY",
        table="households",
        key=(empty["unit_name"] + "(" + empty["unit_code"] + ")").str.lstrip("("),
        detail=KIND_LABELS[kind],
    )
    return NoticeSet(kind, units, rows, findings)


def county_units(u: pd.DataFrame, county: dict[str, Any]) -> pd.DataFrame:
    """The county-level units of the project notices: the county; in a folder of several counties
    (``county.code`` an area) each county of the villages, as 县级项目 are posted by each county's
    office (a partitioned province run posts one per county task, and so does the whole folder)."""
    code, name = str(county["code"]), str(county["name"])
    found = set(u["village_code"].str.slice(0, 6)) if is_area(code) else set()
    codes = sorted(c for c in found if len(c) == 6 and c.isdigit())
    names = [names_of(c)["name"] or c for c in codes] if codes else [name]
    codes = codes or [code]
    blank = [""] * len(codes)
    return pd.DataFrame({"unit_code": codes, "unit_name": names, "township_code": blank, "township_name": blank})


def project_notices(
    projects: pd.DataFrame | None, households: pd.DataFrame, villages: pd.DataFrame | None, county: dict[str, Any]
) -> NoticeSet:
    findings = Findings()
    u = village_universe(households, villages)
    rows = project_rows(
        projects if projects is not None else conform("projects", pd.DataFrame()), u, str(county["code"])
    )
    towns = u.drop_duplicates("township_code")
    units = pd.concat(
        [
            county_units(u, county),
            pd.DataFrame(
                {
                    "unit_code": towns["township_code"],
                    "unit_name": towns["township_name"],
                    "township_code": towns["township_code"],
                    "township_name": towns["township_name"],
                }
            ),
        ],
        ignore_index=True,
    )
    extra = sorted(set(rows["unit"]) - set(units["unit_code"]))
    if extra:
        units = pd.concat(
            [units, pd.DataFrame({"unit_code": extra, "unit_name": "", "township_code": extra, "township_name": ""})],
            ignore_index=True,
        )
    units["count"] = units["unit_code"].map(rows.groupby("unit").size()).fillna(0).astype("int64")
    empty = units[units["count"] == 0]
    findings.add(
        "P-NOTICE-EMPTY",
        table="projects",
        key=(empty["unit_name"] + "(" + empty["unit_code"] + ")"),
        detail=KIND_LABELS["projects"],
    )
    return NoticeSet("projects", units.reset_index(drop=True), rows, findings)


def _withhold(units: pd.DataFrame, reasons: dict[str, str]) -> None:
    new = [have or reasons.get(str(code), "") for code, have in zip(units["unit_code"], units["withheld"], strict=True)]
    units["withheld"] = pd.Series(new, index=units.index, dtype="str")


def screen(nset: NoticeSet, nc: NoticeCommon) -> NoticeSet:
    """The last check on what the notices print (data-contract §6), before any rendering.

    Control and bidi characters are removed from every text (a warning each); a value
    holding an ID, mobile, account number or health word withholds its unit's notice
    (``units.withheld`` says why; an error finding names the value, masked). The shared
    texts of ``nc`` (issuer, county name, phones) are cleaned in place; a private value
    there withholds every notice. Idempotent.
    """
    if nset.screened:
        return nset
    scanner = Scanner(nc.health_words)
    units = nset.units.copy()
    units["withheld"] = ""
    findings = Findings()
    table = "projects" if nset.kind == "projects" else "households"
    keycol = "project_id" if nset.kind == "projects" else "household_id"
    rows = nset.rows
    cols = [c for c in rows.columns if c not in RECORD_KEYS and c not in ("unit", "budget_value")]
    r = screen_frame(rows, cols, scanner, table=table, unit=rows["unit"].astype("str"), key=rows[keycol].astype("str"))
    findings.extend(r.findings)
    _withhold(units, r.withheld)
    code = units["unit_code"].astype("str")
    u = screen_frame(units, ["unit_name", "township_name"], scanner, table=table, unit=code, key=code)
    findings.extend(u.findings)
    units[["unit_name", "township_name"]] = u.frame[["unit_name", "township_name"]]
    _withhold(units, u.withheld)
    for reason in _screen_common(nc, scanner, findings):
        units["withheld"] = units["withheld"].where(units["withheld"] != "", reason)
    units.loc[units["count"] == 0, "withheld"] = ""
    every = Findings()
    every.extend([nset.findings, findings])
    return NoticeSet(nset.kind, units, r.frame, every, screened=True)


def _screen_common(nc: NoticeCommon, scanner: Scanner, findings: Findings) -> list[str]:
    """Clean the shared texts in place; the reasons to withhold every notice (private values)."""
    nc.issuer = strip_controls(nc.issuer)
    nc.standard = strip_controls(nc.standard)
    nc.county = {k: strip_controls(v) if isinstance(v, str) else v for k, v in nc.county.items()}
    nc.phones = [(strip_controls(label), strip_controls(number)) for label, number in nc.phones]
    texts = [("county.issuer", nc.issuer, True), ("county.name", str(nc.county.get("name", "")), True)]
    texts += [(f"supervision_phones ({label})", number, False) for label, number in nc.phones]
    reasons = []
    for name, value, mobiles in texts:
        for hit in scanner.hits(value, mobiles)[:1]:
            findings.add(
                "P-NOTICE-PRIVATE",
                table="parameters",
                column=name,
                key=name,
                value=hit.shown,
                detail=detail_text("private_every_notice", "@" + hit.kind),
            )
            reasons.append(t(f"参数 {name} 含{kind_text(hit.kind)}", f"parameter {name} holds a {kind_text(hit.kind)}"))
    return reasons
