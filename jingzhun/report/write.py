"""Render the report model: CSV, XLSX and the printable HTML page with inline SVG charts.

``write_report(model, folder, xlsx=…, links=…)`` writes straight into ``folder`` (the
``report`` folder, e.g. the temporary one from ``output_dir(out, "report")``):
``indicators.csv``, ``trend.csv``, ``assessment.csv``, ``index.html`` and with ``xlsx``
``indicators.xlsx``. ``links`` maps an output path relative to the run's output folder
(``identify/identify.xlsx``) to its label ("" = the built-in label); the page links to
``../<path>`` for exactly those.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from jingzhun.i18n import get_lang, t
from jingzhun.io.write import write_csv, write_xlsx
from jingzhun.render import Templates, render, write_text
from jingzhun.report import charts
from jingzhun.report.assessment import CRITERIA
from jingzhun.report.indicators import GAP_KINDS, INDICATOR_COLUMNS, LABELS
from jingzhun.report.model import ReportModel

# Outputs of the other commands a report can link to, in page order: the workbook a person
# opens (xlsx: Chinese headers, IDs as text) and, when it was not written (--no-xlsx), the
# CSV files it holds. Path under the output folder → label.
OUTPUT_GROUPS: tuple[tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]], ...] = (
    ({"report/findings.html": ("问题汇总 (每类问题一行)", "findings summary (one line per kind)")}, {}),
    (
        {
            "validate/validate.xlsx": ("数据校验问题清单", "validation findings"),
            "validate/findings.xlsx": ("数据校验问题清单", "validation findings"),
        },
        {"validate/findings.csv": ("数据校验问题清单", "validation findings")},
    ),
    (
        {"identify/identify.xlsx": ("农户与行政村识别结果", "household and village identification")},
        {
            "identify/households.csv": ("农户识别结果", "household identification"),
            "identify/villages.csv": ("行政村识别指标", "village identification figures"),
        },
    ),
    (
        {"diff/diff.xlsx": ("年度变化", "year-to-year changes")},
        {"diff/households.csv": ("年度变化(农户)", "year-to-year changes (households)")},
    ),
    (
        {"match/match.xlsx": ("低保比对结果", "低保 linkage")},
        {
            "match/pairs.csv": ("低保比对结果", "低保 linkage pairs"),
            "match/findings.csv": ("低保比对问题清单", "低保 linkage findings"),
        },
    ),
    ({"match/review.xlsx": ("低保比对待确认", "低保 pairs to review")}, {}),
    (
        {"plan/plan.xlsx": ("帮扶计划(一户一策)", "assistance plans")},
        {"plan/plans.csv": ("帮扶计划(一户一策)", "assistance plans")},
    ),
    ({"plan/books/index.html": ("帮扶档案(户有卡、村有册、乡有簿、县有档)", "plan books")}, {}),
    ({"notice/identification": ("识别公示", "identification notices")}, {}),
    ({"notice/exit": ("脱贫公示", "exit notices")}, {}),
    ({"notice/projects": ("项目公告", "project notices")}, {}),
    ({"audit/report.html": ("扶贫资金项目审计报告", "fund and project audit report")}, {}),
    (
        {"audit/audit.xlsx": ("审计问题台账", "audit workbook")},
        {"audit/findings.csv": ("审计问题清单", "audit findings")},
    ),
    ({"manifest.json": ("运行清单 (manifest)", "run manifest")}, {}),
)
KNOWN_OUTPUTS: dict[str, tuple[str, str]] = {
    p: lab for group in OUTPUT_GROUPS for part in group for p, lab in part.items()
}
FILES = ("indicators.csv", "trend.csv", "assessment.csv", "index.html")
# The report's inputs (``ReportModel.inputs``) as the page names them.
INPUT_LABELS: dict[str, tuple[str, str]] = {
    "identify": ("识别结果", "identification"),
    "exit_year": ("脱贫年份 (户表 exit_year 列)", "exit year (households' exit_year)"),
    "members": ("家庭成员表 (members)", "members table"),
    "villages": ("村表 (villages)", "villages table"),
    "match": ("低保比对", "低保 match"),
    "pairing": ("帮扶结对", "cadre pairing"),
    "funds": ("资金拨付", "funds paid"),
    "audit": ("资金审计", "fund audit"),
    "trend": ("历年趋势 (往年数据)", "trend (earlier years)"),
}

PCT = {
    "incidence",
    "exit_rate",
    "return_rate",
    "edge_rate",
    "gap_rate",
    "dibao_coverage",
    "cadre_coverage",
    "cadre_planned_coverage",
    "audit_risk_share",
}
MONEY = {"funds_paid", "funds_per_registered_household", "audit_amount_at_risk"}
CHART_TOWNSHIPS = 40


def existing_links(out: str | Path) -> dict[str, str]:
    """The known outputs that exist under ``out`` (the run's output folder), built-in labels.

    A workbook is linked instead of its CSV files; the CSVs only when it is missing."""
    base = Path(out)
    links: dict[str, str] = {}
    for main, fallback in OUTPUT_GROUPS:
        found = next((p for p in main if (base / p).exists()), None)
        if found is not None:
            links[found] = ""
        else:
            links.update({p: "" for p in fallback if (base / p).exists()})
    return links


def label(col: str) -> str:
    zh, en = LABELS.get(col, (col, col))
    return t(zh, en)


def xlsx_titles() -> dict[str, tuple[str, str]]:
    """Column titles of indicators.xlsx (zh, en): the indicator labels and the assessment's."""
    names = {
        **LABELS,
        "year": ("年度", "year"),
        "score": ("得分", "score"),
        "rank": ("排名", "rank"),
        "code": ("代码", "code"),
        "name": ("名称", "name"),
    }
    for name, crit in CRITERIA.items():
        names[f"{name}_score"] = (f"{crit.zh}(标准化)", f"{name} (standardised)")
    return names


def fmt(col: str, v: Any) -> str:
    """One cell as printed: percentages, money with separators, counts; NA → —."""
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return "—"
    if col in ("year", "rank", "code"):
        return str(v)
    if col in PCT:
        return f"{float(v) * 100:.2f}%"
    if col in MONEY:
        x = float(v)
        return f"{x:,.0f}" if abs(x) >= 100 or x == 0 else f"{x:,.2f}"
    if col.endswith("_score"):
        return f"{float(v):.3f}"
    if col == "score":
        return f"{float(v):.2f}"
    if isinstance(v, float) and v.is_integer():
        return f"{int(v):,}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _rows(df: pd.DataFrame, cols: list[str]) -> list[dict[str, str]]:
    data = df[cols].astype("object").where(df[cols].notna(), None)
    return [{c: fmt(c, r[c]) for c in cols} for r in data.to_dict("records")]


def _place(r: dict[str, Any]) -> str:
    return r["name"] if r["name"] not in (None, "—", "") else (r["code"] or t("(未知)", "(unknown)"))


def context(
    model: ReportModel, links: dict[str, str] | None, village_rows: int, table_file: str = "indicators.csv"
) -> dict[str, Any]:
    """Everything ``templates/report/index.html`` uses (``table_file``: where every village is listed)."""
    county = model.county()
    tw = model.level("township")
    vil = model.level("village")
    people = [
        "households",
        "population",
        "registered_households",
        "registered_poor_households",
        "registered_poor_population",
        "poor_population",
        "denominator",
        "incidence",
        "exits_households",
        "returned_households",
        "edge_households",
    ]
    support = [
        "gap_households",
        "gap_rate",
        "dibao_coverage",
        "cadre_coverage",
        "cadre_planned_coverage",
        "funds_paid",
        "funds_per_registered_household",
        "audit_amount_at_risk",
    ]
    gaps = [f"{k}_gap_households" for k in GAP_KINDS]

    ch_tw = tw.sort_values(["incidence", "code"], ascending=[False, True], na_position="last", kind="stable").head(
        CHART_TOWNSHIPS
    )
    tw_names = [str(n) if pd.notna(n) else str(c) for n, c in zip(ch_tw["name"], ch_tw["code"], strict=True)]
    thr = model.exit_threshold
    incidence_chart = charts.bars(
        tw_names,
        ch_tw["incidence"].tolist(),
        [fmt("incidence", v) for v in ch_tw["incidence"].astype("object")],
        marker=thr,
        marker_text=t(f"退出标准 {thr * 100:g}%", f"exit line {thr * 100:g}%"),
    )
    gap_chart = charts.bars([label(c) for c in gaps], [county[c] for c in gaps], [fmt(c, county[c]) for c in gaps])
    a = model.assessment
    score_chart = charts.bars(
        [str(n) if pd.notna(n) else str(c) for n, c in zip(a["township_name"], a["township_code"], strict=True)][
            :CHART_TOWNSHIPS
        ],
        a["score"].tolist()[:CHART_TOWNSHIPS],
        [fmt("score", v) for v in a["score"].astype("object")][:CHART_TOWNSHIPS],
    )

    tr = model.trend
    trend_charts: dict[str, Any] = {}
    if len(model.years) > 1:
        for key, col, f in (
            ("trend_incidence", "incidence", "pct"),
            ("trend_poor", "registered_poor_households", "count"),
        ):
            series = []
            for code, part in tr.groupby("code", sort=False):
                main = bool((part["level"] == "county").all())
                name = part["name"].dropna()
                series.append(
                    {
                        "name": str(name.iloc[-1]) if len(name) else str(code),
                        "main": main,
                        "values": dict(zip(part["year"].astype(int), part[col].astype("object"), strict=True)),
                    }
                )
            if key == "trend_poor":
                series = [s for s in series if s["main"]]
            trend_charts[key] = charts.lines(model.years, series, fmt=f)
    trend_cols = [
        "year",
        "households",
        "registered_households",
        "registered_poor_households",
        "registered_poor_population",
        "poor_population",
        "denominator",
        "incidence",
        "exits_households",
        "returned_households",
        "edge_households",
    ]
    county_trend = tr[tr["level"] == "county"]
    tw_trend = tr[tr["level"] == "township"].copy()

    crit_cols = [c["indicator"] for c in model.criteria]
    assess_rows = []
    for r in a.astype("object").where(a.notna(), None).to_dict("records"):
        assess_rows.append(
            {
                "rank": fmt("rank", r["rank"]),
                "name": r["township_name"] or r["township_code"],
                "code": r["township_code"],
                "score": fmt("score", r["score"]),
                "cells": [{"value": fmt(c, r[c]), "score": fmt(f"{c}_score", r[f"{c}_score"])} for c in crit_cols],
            }
        )

    link_list = [
        {"href": "../" + p, "label": lab or t(*KNOWN_OUTPUTS.get(p, (p, p)))} for p, lab in (links or {}).items()
    ]

    def named(k: str, v: dict) -> dict[str, str]:
        return {"name": t(*INPUT_LABELS[k]) if k in INPUT_LABELS else k, "note": v["note"]}

    missing = [named(k, v) for k, v in model.inputs.items() if not v["available"]]
    notes = [named(k, v) for k, v in model.inputs.items() if v["available"] and v["note"]]
    return {
        "lang": get_lang(),
        "title": t(
            f"{model.county_name}{model.data_year}年度扶贫监测与考核报告",
            f"{model.county_name} poverty monitoring and assessment, {model.data_year}",
        ),
        "model": model,
        "mon": model.monitoring,
        "county": _rows(model.level("county"), INDICATOR_COLUMNS)[0],
        "county_raw": county,
        "labels": {c: label(c) for c in LABELS},
        "people_cols": people,
        "support_cols": support,
        "gap_cols": gaps,
        "townships": [{"place": _place(r), **r} for r in _rows(tw, ["code", "name", *people, *support, *gaps])],
        "villages": [
            {"place": _place(r), **r} for r in _rows(vil.head(village_rows), ["code", "name", "township_name", *people])
        ],
        "villages_total": len(vil),
        "village_rows": village_rows,
        "table_file": table_file,
        "trend_cols": trend_cols,
        "county_trend": _rows(county_trend, trend_cols),
        "township_trend": [{"place": _place(r), **r} for r in _rows(tw_trend, ["code", "name", *trend_cols])],
        "charts": {"incidence": incidence_chart, "gaps": gap_chart, "scores": score_chart, **trend_charts},
        "criteria": [
            {
                **c,
                "direction_text": t("越高越好", "higher is better")
                if c["direction"] == "higher"
                else t("越低越好", "lower is better"),
            }
            for c in model.criteria
        ],
        "assessment": assess_rows,
        "links": link_list,
        "missing_inputs": missing,
        "input_notes": notes,
        "exit_threshold": fmt("incidence", model.exit_threshold),
        "years": model.years,
        "chart_rows": CHART_TOWNSHIPS,
    }


def write_report(
    model: ReportModel,
    folder: str | Path,
    *,
    xlsx: bool,
    links: dict[str, str] | None,
    templates: Templates = None,
    village_rows: int | None = None,
) -> list[Path]:
    """Write the report files into ``folder`` (created if needed); returns the paths written.

    ``village_rows``: villages listed in index.html (default ``report.html_village_rows``).
    """
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    written = [
        write_csv(model.indicators, d / "indicators.csv"),
        write_csv(model.trend, d / "trend.csv"),
        write_csv(model.assessment, d / "assessment.csv"),
    ]
    if model.monitoring is not None:  # 防止返贫监测 (jingzhun.report.monitoring)
        written.append(write_csv(model.monitoring.levels, d / "monitoring.csv"))
        written.append(write_csv(model.monitoring.objects, d / "monitoring_objects.csv"))
    rows = model.html_village_rows if village_rows is None else village_rows
    table_file = "indicators.xlsx" if xlsx else "indicators.csv"
    html = render("report/index.html", context(model, links, rows, table_file), templates)
    write_text(d / "index.html", html)
    written.append(d / "index.html")
    if xlsx:
        sheets = {
            t("县", "county"): model.level("county"),
            t("乡镇", "townships"): model.level("township"),
            t("行政村", "villages"): model.level("village"),
            t("年度趋势", "trend"): model.trend,
            t("乡镇考核", "assessment"): model.assessment,
        }
        written.append(write_xlsx(sheets, d / "indicators.xlsx", titles=xlsx_titles()))
    return written
