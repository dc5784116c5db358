"""One data year from typed frames to the audit report model, and the model to files.

``audit_year`` is what ``jingzhun audit`` (and ``jingzhun run``) call: identification
for eligibility, the checks, the fund summaries and the report model. ``write_report``
renders the model: findings CSV, fund summary CSVs, JSON summary, HTML and XLSX.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jingzhun.audit.core import audit
from jingzhun.audit.report import HEADERS_ZH, AuditReport, build_report
from jingzhun.catalogue.audit import TITLES
from jingzhun.errors import JingzhunError
from jingzhun.executors import SERIAL, Executor
from jingzhun.findings import Findings
from jingzhun.funds.ledger import build_ledger
from jingzhun.funds.summary import summarize, township_names
from jingzhun.i18n import t
from jingzhun.identify.income import REQUIRED_COMPONENTS, TRANSFER_COMPONENTS
from jingzhun.io.write import write_csv, write_json, write_xlsx
from jingzhun.params import Params
from jingzhun.render import Templates, render, write_text

TABLES = ("households", "members", "villages", "crosscheck", "projects", "payments")


def eligibility_of(frames: dict[str, pd.DataFrame], params: Params, data_year: int) -> tuple[pd.DataFrame | None, str]:
    """The identification result per household, or None with the reason it is unavailable.

    Only the result is computed (``household_results``: income and exclusion hits), not
    the whole identification with its guarantees, villages and findings.
    """
    from jingzhun.identify.core import household_results

    if frames.get("households") is None:
        return None, "no households"
    try:
        return household_results(frames, params, data_year), "identify"
    except JingzhunError as e:
        return None, e.message


# What the eligibility reads of each table (``household_results``: income, exclusion hits).
ELIGIBILITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "households": ("household_id", *REQUIRED_COMPONENTS, "transfer_income", *TRANSFER_COMPONENTS)
    + ("household_size", "per_capita_net_income"),
    "members": ("_row", "household_id", "id_number", "name", "change_reason"),
    "crosscheck": ("id_number", "source", "detail"),
}


def eligibility_frames(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables :func:`eligibility_of` reads, narrowed to the columns it reads: the unit may go
    to a worker process, and pickling every column of a million member rows there costs seconds
    and hundreds of MB. A column left out counts as absent there, as it is never read."""
    out: dict[str, pd.DataFrame] = {}
    for name, wanted in ELIGIBILITY_COLUMNS.items():
        df = frames.get(name)
        if df is None:
            continue
        narrow = df[[c for c in df.columns if c in wanted]]
        narrow.attrs = dict(df.attrs)
        out[name] = narrow
    return out


def audit_year(
    frames: dict[str, pd.DataFrame],
    params: Params,
    data_year: int,
    as_of: pd.Timestamp | None = None,
    reading: Findings | None = None,
    identified: pd.DataFrame | None = None,
    executor: Executor = SERIAL,
) -> AuditReport:
    """Audit one year and build the report model.

    ``reading``: the findings of reading the files; the raw text of an amount that
    could not be parsed is taken from there for ``A-AMOUNT-UNPARSED``.
    ``identified``: the identify households when the caller has them (``jingzhun run``),
    so identification is not computed twice. Without it, the identification is one unit
    for ``executor`` (beside the ledger when the executor has workers).
    """
    elig: pd.DataFrame | None
    if identified is not None:
        elig, source = identified[["household_id", "result"]], "identify"
        ledger = None
    else:
        # The identification for eligibility as one unit, while the ledger is built here.
        # Narrowed only for workers: conform puts the left-out columns back as NA columns, which
        # costs more here than passing the frames as they are.
        sent = eligibility_frames(frames) if executor.jobs > 1 else frames
        pending = executor.submit(eligibility_of, sent, params, data_year)
        ledger = build_ledger(frames.get("projects"), frames.get("payments"), frames.get("households"))
        elig, source = pending.result()
    result = audit(frames, params, data_year, as_of=as_of, eligibility=elig, ledger=ledger, executor=executor)
    if reading is not None and len(reading):
        _raw_amounts(result.findings, reading.frame())
    funds = summarize(result.ledger, frames.get("households"), frames.get("villages"), result.as_of)
    tnames = township_names(frames.get("households"), frames.get("villages"))
    county = str(params.values.get("county.name", ""))
    report = build_report(result, funds, tnames, county=county, top_n=int(params.settings.audit.top_findings))
    report.summary["eligibility_source"] = source
    return report


def _raw_amounts(findings: pd.DataFrame, reading: pd.DataFrame) -> None:
    raw = reading[(reading["table"] == "payments") & (reading["column"] == "amount") & reading["value"].notna()]
    if raw.empty:
        return
    by_row = raw.drop_duplicates("row").set_index("row")["value"]
    m = (findings["code"] == "A-AMOUNT-UNPARSED") & findings["value"].isna()
    findings.loc[m, "value"] = findings.loc[m, "row"].map(by_row).astype("str")


def _sheet(name: str) -> str:
    """A check's sheet is named by its title; the others by their key (labelled by the writer)."""
    return t(*TITLES[name]) if name in TITLES else name


def write_report(report: AuditReport, d: Path, xlsx: bool, templates: Templates = None) -> list[Path]:
    """Write every output of the model into folder ``d`` (the command's temp folder)."""
    written = [write_csv(report.findings, d / "findings.csv")]
    for name, frame in report.funds.frames().items():
        written.append(write_csv(frame, d / name))
    written.append(write_json(report.summary, d / "summary.json"))
    html = render("audit/report.html", {**report.context(), "xlsx": xlsx}, templates)
    write_text(d / "report.html", html)
    written.append(d / "report.html")
    if xlsx:
        written.append(
            write_xlsx({_sheet(k): v for k, v in report.sheets.items()}, d / "audit.xlsx", titles=HEADERS_ZH)
        )
    return written
