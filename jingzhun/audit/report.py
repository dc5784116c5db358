"""The audit report model: built once from an :class:`AuditResult` and the fund
summaries, then rendered as CSV, XLSX (one sheet per check, the auditor's 台账), JSON
(``summary``) and HTML (``context()`` for ``templates/audit/report.html``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from jingzhun.audit.core import AuditResult
from jingzhun.audit.parts import date_text, money_text
from jingzhun.audit.payee_checks import measure_distribution
from jingzhun.catalogue import CATALOGUE
from jingzhun.catalogue.audit import AMOUNT_MEANING, DEFAULT_AMOUNT_MEANING, TITLES
from jingzhun.findings import SEVERITIES
from jingzhun.funds.summary import UNKNOWN_PLACE, FundSummaries
from jingzhun.i18n import get_lang, t
from jingzhun.ids import mask

PAYMENT_EVIDENCE = [
    "payment_id",
    "project_id",
    "household_id",
    "payee_name",
    "payee_id_number",
    "bank_account",
    "amount",
    "pay_date",
    "measure",
    "purpose",
    "stage",
    "village_code",
]
PROJECT_EVIDENCE = [
    "project_id",
    "name",
    "village_code",
    "category",
    "fund_source",
    "budget",
    "paid",
    "approved_date",
    "contract_id",
    "publicity_start",
    "publicity_end",
    "start_date",
    "completion_date",
    "acceptance_date",
    "implementer",
]
# Chinese headers for the workbook (the contract's 中文表头 where there is one).
HEADERS_ZH = {
    "code": "问题代码",
    "severity": "级别",
    "table": "表",
    "row": "行号",
    "column": "字段",
    "value": "值",
    "key": "编号",
    "message": "问题描述",
    "basis": "政策依据",
    "detail": "说明",
    "amount": "涉及金额(元)",
    "township_code": "乡镇代码",
    "township_name": "乡镇",
    "payment_id": "拨付编号",
    "project_id": "项目编号",
    "household_id": "户编号",
    "payee_name": "收款人",
    "payee_id_number": "收款人身份证号",
    "bank_account": "收款账号",
    "pay_amount": "拨付金额(元)",
    "pay_date": "拨付日期",
    "measure": "帮扶措施",
    "purpose": "用途摘要",
    "stage": "拨付阶段",
    "village_code": "行政村代码",
    "name": "项目名称",
    "category": "项目类别",
    "fund_source": "资金来源",
    "budget": "资金规模(元)",
    "paid": "已拨付(元)",
    "approved_date": "审批日期",
    "contract_id": "合同编号",
    "publicity_start": "公示开始日期",
    "publicity_end": "公示结束日期",
    "start_date": "开工日期",
    "completion_date": "完工日期",
    "acceptance_date": "验收日期",
    "implementer": "实施单位",
    "check": "检查项",
    "findings": "问题数",
    # fund summaries
    "projects": "项目数",
    "payments": "拨付笔数",
    "unparsed": "金额无法识别笔数",
    "paid_share": "拨付比例",
    "household_paid": "到户资金(元)",
    "registered_households": "建档立卡户数",
    "village_name": "行政村",
    "paid_per_registered_household": "户均拨付(元)",
    "household_paid_per_registered_household": "户均到户资金(元)",
    "status": "项目状态",
    "role": "与问题的关系",
    "other_household": "另一户(共用账号的主户)",
}
EVIDENCE_COLUMNS = [
    "code",
    "key",
    "role",
    "payment_id",
    "pay_date",
    "pay_amount",
    "household_id",
    "payee_name",
    "bank_account",
    "measure",
    "purpose",
    "stage",
    "project_id",
    "other_household",
]
CHART_WIDTH = 420  # px of the longest bar in the inline SVG charts


def _title(code: str) -> str:
    zh, en = TITLES.get(code, (code, code))
    return t(zh, en)


def _bars(labels: list[str], values: list[float], counts: list[int] | None = None) -> list[dict[str, Any]]:
    top = max([v for v in values if v > 0], default=0.0)
    out = []
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        w = 0.0 if top <= 0 else max(v, 0.0) / top * CHART_WIDTH
        out.append(
            {
                "label": lab,
                "value": round(float(v), 2),
                "width": round(w, 1),
                "y": i * 22,
                "count": None if counts is None else int(counts[i]),
            }
        )
    return out


def _log_x(v: float, lo: float, hi: float) -> float:
    return round(float(np.log10(max(v, lo) / lo) / np.log10(hi / lo)) * CHART_WIDTH, 1)


def measure_ranges(result: AuditResult) -> list[dict[str, Any]]:
    """Per measure (data year): households, 5th/50th/95th percentile and maximum of what each
    household received for it in the year, with x positions on one log scale for the range chart
    (bar p5–p95, tick at the median, dot at the maximum) and the number of A-AMOUNT-OUTLIER findings."""
    d = measure_distribution(result.payments)
    d = d[d["pay_year"] == result.data_year].sort_values("median", ascending=False, kind="stable")
    if d.empty:
        return []
    lo = 10 ** np.floor(np.log10(max(float(d["p5"].min()), 1.0)))
    hi = 10 ** np.ceil(np.log10(max(float(d["max"].max()), lo * 10)))
    f = result.findings
    n_out = f.loc[f["code"] == "A-AMOUNT-OUTLIER", "detail"].str.split(" ").str[0].value_counts()
    out = []
    for i, r in enumerate(d.to_dict("records")):
        out.append(
            {
                "label": str(r["measure"]),
                "n": int(r["n"]),
                "p5": round(float(r["p5"]), 2),
                "median": round(float(r["median"]), 2),
                "p95": round(float(r["p95"]), 2),
                "max": round(float(r["max"]), 2),
                "outliers": int(n_out.get(r["measure"], 0)),
                "y": i * 22,
                "x_p5": _log_x(r["p5"], lo, hi),
                "x_median": _log_x(r["median"], lo, hi),
                "x_p95": _log_x(r["p95"], lo, hi),
                "x_max": _log_x(r["max"], lo, hi),
            }
        )
    return out


def at_risk(f: pd.DataFrame) -> dict[str, Any]:
    """The total amount at risk: error and warning findings, each record (a payment or a
    project) counted once, with the largest amount of its findings, so that several checks on
    one payment are not added up; findings without a record count alone."""
    s = f[f["severity"].isin(["error", "warning"])]
    amount = s["amount"].astype("Float64").fillna(0.0)
    has = s["key"].notna() & s["table"].notna()
    per = amount[has].groupby([s.loc[has, "table"], s.loc[has, "key"]]).max()
    total = float(per.sum()) + float(amount[~has].sum())
    return {
        "amount": round(total, 2),
        "records": int(len(per) + (~has).sum()),
        "findings_amount": round(float(amount.sum()), 2),
    }


@dataclass
class AuditReport:
    summary: dict[str, Any]  # the --json summary and the HTML headline figures
    findings: pd.DataFrame  # rendered findings: contract §3 fields + amount + township
    sheets: dict[str, pd.DataFrame]  # workbook: overview, one sheet per check, fund summaries
    top: pd.DataFrame  # the largest findings with their evidence
    funds: FundSummaries
    method: list[dict[str, Any]]
    charts: dict[str, list[dict[str, Any]]]

    def context(self) -> dict[str, Any]:
        """Everything ``templates/audit/report.html`` uses."""

        def records(df: pd.DataFrame) -> list[dict[str, Any]]:
            return cast(list[dict[str, Any]], df.astype("object").where(df.notna(), None).to_dict("records"))

        return {
            "lang": get_lang(),
            "title": t(
                f"{self.summary['county']}{self.summary['data_year']}年度扶贫资金项目审计报告",
                f"{self.summary['county']} poverty fund and project audit, {self.summary['data_year']}",
            ),
            "s": self.summary,
            "no_payments": not self.funds.has_payments,
            "top": records(self.top),
            "by_source": records(self.funds.by_source),
            "by_category": records(self.funds.by_category),
            "by_township": records(self.funds.by_township),
            "completion": records(self.funds.completion),
            "method": self.method,
            "charts": self.charts,
            "chart_width": CHART_WIDTH,
        }


def _evidence(result: AuditResult, f: pd.DataFrame) -> pd.DataFrame:
    """Findings with the fields of the payment or project they point at (joined by row)."""
    pay = result.payments[["_row", *[c for c in PAYMENT_EVIDENCE if c != "amount"], "amount"]].rename(
        columns={"amount": "pay_amount"}
    )
    pay = pay.drop_duplicates("_row")
    proj = result.projects[["_row", *PROJECT_EVIDENCE]].drop_duplicates("_row")
    out = []
    for table, ev in (("payments", pay), ("projects", proj)):
        part = f[f["table"] == table]
        if len(part):
            ev = ev.rename(columns={c: f"ev_{c}" for c in ev.columns if c != "_row"})
            merged = part.merge(ev, left_on="row", right_on="_row", how="left").drop(columns="_row")
            merged.columns = [c[3:] if c.startswith("ev_") else c for c in merged.columns]
            out.append(merged)
    rest = f[~f["table"].isin(["payments", "projects"])]
    if len(rest):
        out.append(rest)
    if not out:
        return f
    df = pd.concat(out, ignore_index=True)
    keep = [c for c in df.columns if not (df[c].isna().all() and c not in f.columns)]
    df = df[keep]
    for c in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[c].dtype):
            df[c] = date_text(df[c])
    return df


def evidence_sheet(result: AuditResult, f: pd.DataFrame) -> pd.DataFrame:
    """One row per (finding, payment it is about), so an auditor checks a finding without a lookup:
    the payment itself; for a duplicate also the earlier payment it repeats; for a shared account
    also the main household's payments into that account (with that household); for a project
    finding every payment of the project."""
    pay = result.payments
    ev = pd.DataFrame(
        {
            "_row": pay["_row"],
            "payment_id": pay["payment_id"],
            "pay_date": date_text(pay["pay_date"]),
            "pay_amount": pay["amount"],
            "household_id": pay["resolved_hh"],
            "payee_name": pay["payee_name"],
            "bank_account": pay["bank_account"],
            "measure": pay["measure"],
            "purpose": pay["purpose"],
            "stage": pay["stage"],
            "project_id": pay["project_id"],
            "_account": pay["account"],
        }
    )
    ev = ev.drop_duplicates("_row")
    base = f[["code", "table", "row", "key", "detail"]]
    on_pay = base[base["table"] == "payments"]
    own = on_pay.merge(ev, left_on="row", right_on="_row", how="inner").assign(role=t("本笔拨付", "this payment"))
    parts = [own]
    dup = on_pay[on_pay["code"] == "A-DUPLICATE-PAYMENT"]
    if len(dup):
        first = ev.drop_duplicates("payment_id").rename(columns={"payment_id": "detail"})
        parts.append(
            dup.merge(first, on="detail", how="inner").assign(
                payment_id=lambda d: d["detail"], role=t("被重复的前一笔", "the earlier payment it repeats")
            )
        )
    shared = own[own["code"] == "A-SHARED-ACCOUNT"]
    if len(shared):
        shared = shared.assign(other_household=shared["detail"].str.extract(r"主户 (\S+)", expand=False))
        own.loc[own["code"] == "A-SHARED-ACCOUNT", "other_household"] = shared["other_household"].to_numpy()
        main = shared[["code", "table", "row", "key", "detail", "_account", "other_household"]].merge(
            ev.rename(columns={"household_id": "other_household"}),
            on=["_account", "other_household"],
            how="inner",
            suffixes=("_f", ""),
        )
        main = main.drop(columns=["_row"]).assign(
            household_id=main["other_household"], role=t("主户同账号拨付", "main household's payment, same account")
        )
        parts[0] = own
        parts.append(main)
    on_proj = base[base["table"] == "projects"]
    if len(on_proj):
        parts.append(
            on_proj.merge(ev, left_on="key", right_on="project_id", how="inner").assign(
                role=t("项目的拨付", "a payment of the project")
            )
        )
    out = pd.concat([x.reindex(columns=EVIDENCE_COLUMNS) for x in parts], ignore_index=True)
    out = out.sort_values(["code", "key", "pay_date", "payment_id"], kind="stable", na_position="last")
    return out.drop_duplicates(["code", "key", "payment_id", "role"]).reset_index(drop=True)


def _summary_of(
    result: AuditResult, funds: FundSummaries, f: pd.DataFrame, tnames: pd.Series, county: str
) -> dict[str, Any]:
    pay = result.payments
    sev = f["severity"].value_counts()
    by_code = f.groupby("code").agg(findings=("code", "size"), amount=("amount", "sum"))
    checks = []
    for code in TITLES:
        n = int(by_code["findings"].get(code, 0)) if len(by_code) else 0
        amt = float(by_code["amount"].get(code, 0.0)) if len(by_code) else 0.0
        checks.append(
            {
                "code": code,
                "title": _title(code),
                "severity": CATALOGUE[code].severity,
                "findings": n,
                "amount": round(amt, 2),
            }
        )
    tw = (
        f.assign(township_code=f["township_code"].fillna(UNKNOWN_PLACE))
        .groupby("township_code")
        .agg(findings=("code", "size"), amount=("amount", "sum"))
        .reset_index()
    )
    towns = [
        {
            "township_code": r["township_code"],
            "township_name": tnames.get(r["township_code"], None),
            "findings": int(r["findings"]),
            "amount": round(float(r["amount"]), 2),
        }
        for r in tw.sort_values(["amount", "township_code"], ascending=[False, True]).to_dict("records")
    ]
    flagged_rows = f.loc[(f["table"] == "payments") & f["severity"].isin(["error", "warning"]), "row"].dropna()
    flagged = pay[pay["_row"].isin(flagged_rows)]
    return {
        "county": county,
        "data_year": result.data_year,
        "as_of": result.as_of.strftime("%Y-%m-%d"),
        "ledger": {
            "payments": int(len(pay)),
            "amount_total": round(float(pay["amount"].sum(skipna=True)), 2),
            "amount_parsed_rows": int(pay["amount_ok"].sum()),
            "amount_unparsed_rows": int((~pay["amount_ok"]).sum()),
            "nonpositive_rows": int((pay["amount"] <= 0).fillna(False).sum()),
            "households_paid": int(pay["resolved_hh"].nunique()),
        },
        "projects": {
            "count": int(len(result.projects)),
            "budget_total": round(float(result.projects["budget"].sum(skipna=True)), 2),
            "paid_total": round(float(result.projects["paid"].sum()), 2),
        },
        "findings": {"total": int(len(f)), **{s: int(sev.get(s, 0)) for s in SEVERITIES}},
        "flagged_payments": {
            "count": int(len(flagged)),
            "amount": round(float(flagged["amount"].clip(lower=0).sum(skipna=True)), 2),
        },
        "at_risk": at_risk(f),
        "by_check": checks,
        "by_township": towns,
        "funds_total_paid": funds.total_paid,
        "parameters": result.parameters,
    }


def build_report(
    result: AuditResult, funds: FundSummaries, tnames: pd.Series | None = None, county: str = "", top_n: int = 20
) -> AuditReport:
    """The report model; ``tnames`` maps township_code → name."""
    tnames = tnames if tnames is not None else pd.Series(dtype="str")
    f = result.rendered()
    f.insert(
        f.columns.tolist().index("township_code") + 1, "township_name", f["township_code"].map(tnames).astype("str")
    )
    summary = _summary_of(result, funds, f, tnames, county)

    ev = _evidence(result, f)
    sheets: dict[str, pd.DataFrame] = {
        t("概况", "overview"): pd.DataFrame(
            [
                {
                    "check": c["title"],
                    "code": c["code"],
                    "severity": c["severity"],
                    "findings": c["findings"],
                    "amount": c["amount"],
                }
                for c in summary["by_check"]
            ]
        )
    }
    by_code = dict(iter(ev.groupby("code", sort=False)))  # one split instead of a mask per check
    for code in TITLES:
        part = by_code.get(code)
        if part is not None and len(part):
            sheets[code] = part.drop(columns=["code"]).reset_index(drop=True)
    sheets[t("证据", "evidence")] = evidence_sheet(result, f)
    for name, frame in funds.frames().items():
        sheets[name.removesuffix(".csv")] = frame

    serious = ev[ev["severity"].isin(["error", "warning"])]
    amounts = serious["amount"]
    if top_n > 0 and len(serious) > top_n and amounts.notna().all():
        # only rows reaching the n-th largest amount can be in the top (ties kept): sort those
        serious = serious[(amounts >= amounts.nlargest(top_n).iloc[-1]).to_numpy(dtype=bool)]
    top = serious.sort_values(["amount", "code", "key"], ascending=[False, True, True], kind="stable").head(top_n)
    top = top.assign(title=top["code"].map(_title), evidence=_evidence_text(top)).reset_index(drop=True)

    method = []
    for code in TITLES:
        r = CATALOGUE[code]
        zh, en = AMOUNT_MEANING.get(code, DEFAULT_AMOUNT_MEANING)
        method.append(
            {
                "code": code,
                "title": _title(code),
                "severity": r.severity,
                "basis": r.basis_for(get_lang()),
                "amount_meaning": t(zh, en),
            }
        )

    checks = [c for c in summary["by_check"] if c["findings"]]
    checks.sort(key=lambda c: (-c["amount"], c["code"]))
    towns = summary["by_township"][:15]
    src = funds.by_source
    charts = {
        "by_check": _bars([c["title"] for c in checks], [c["amount"] for c in checks], [c["findings"] for c in checks]),
        "by_township": _bars(
            [(x["township_name"] or x["township_code"]) for x in towns],
            [x["amount"] for x in towns],
            [x["findings"] for x in towns],
        ),
        "paid_by_source": _bars(
            src["fund_source"].tolist(), [float(v) for v in src["paid"]], [int(v) for v in src["payments"]]
        ),
        "by_measure": measure_ranges(result),
    }
    return AuditReport(summary=summary, findings=f, sheets=sheets, top=top, funds=funds, method=method, charts=charts)


def _evidence_text(top: pd.DataFrame) -> pd.Series:
    """One readable line of evidence per finding (IDs and accounts masked: the report is printed)."""

    def col(c: str) -> pd.Series:
        return top[c].astype("str").fillna("") if c in top.columns else pd.Series("", index=top.index, dtype="str")

    is_pay = top["table"] == "payments"
    pay_amount = money_text(top["pay_amount"]) if "pay_amount" in top.columns else col("pay_amount")
    payee_id = mask(col("payee_id_number").where(col("payee_id_number") != "", pd.NA).astype("str"))
    pay_text = (
        t("收款人 ", "payee ")
        + col("payee_name")
        + " "
        + payee_id.fillna("")
        + t(", 金额 ", ", amount ")
        + pay_amount.fillna("")
        + t(" 元, 日期 ", ", date ")
        + col("pay_date")
        + t(", 用途 ", ", purpose ")
        + col("purpose")
    )
    has_project = col("project_id") != ""
    pay_text = pay_text.where(~has_project, pay_text + t(", 项目 ", ", project ") + col("project_id"))
    budget = money_text(top["budget"]) if "budget" in top.columns else col("budget")
    proj_text = (
        col("name")
        + t(", 资金规模 ", ", budget ")
        + budget.fillna("")
        + t(" 元, 审批 ", ", approved ")
        + col("approved_date")
        + t(", 实施单位 ", ", implementer ")
        + col("implementer")
    )
    return pay_text.where(is_pay, proj_text).str.replace(r"\s+", " ", regex=True).str.strip(" ,")
