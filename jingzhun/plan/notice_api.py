"""The notices' public API (两公示一公告): :func:`build_notices` (the rows of one kind,
screened), :func:`write_files` (the posted notices and the office's own summary);
``jingzhun notice`` and the ``notice`` step of ``jingzhun run`` (:mod:`jingzhun.steps`)
both go through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from jingzhun.county import posting_gaps
from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import UsageError
from jingzhun.executors import SERIAL, Executor
from jingzhun.findings import Findings
from jingzhun.i18n import t
from jingzhun.io.write import write_csv, write_xlsx
from jingzhun.params import Params
from jingzhun.plan.notice_docs import write_notices
from jingzhun.plan.notices import (
    KIND_TITLES,
    NoticeCommon,
    NoticeSet,
    common,
    household_notices,
    project_notices,
    screen,
)
from jingzhun.plan.usable import for_documents
from jingzhun.render import Templates
from jingzhun.steps import Context, Outcome


def default_notice_date(data_year: int) -> date:
    """1 December of the data year: the year's 动态调整 (拟识别, 拟退出 and the year's project
    results) is settled at the year's end — the exits a year folder records are those of the
    year before (``report.exit_year_offset``) — and a 7- or 10-day 公示期 from 1 December ends
    inside the year. Never today's date: the same data gives the same notices on any day."""
    return date(data_year, 12, 1)


def build_notices(
    kind: str,
    frames: dict[str, pd.DataFrame],
    data_year: int,
    nc: NoticeCommon,
    *,
    previous: pd.DataFrame | None = None,
    identified: pd.DataFrame | None = None,
    monitoring: pd.DataFrame | None = None,
) -> NoticeSet:
    """The rows of one notice kind: newly identified (against ``previous``), exit-ready
    (from ``identified``, the identify households) or projects; screened (:func:`screen`). Rows
    that cannot go into a document (:mod:`jingzhun.plan.usable`) are left out, with findings."""
    frames, left_out = for_documents(frames, ("households", "villages") + (("projects",) if kind == "projects" else ()))
    if kind == "projects":
        nset = project_notices(frames.get("projects"), frames["households"], frames.get("villages"), nc.county)
    elif kind == "identification":
        nset = household_notices(kind, frames["households"], frames.get("villages"), data_year, previous=previous)
    elif kind == "monitoring":
        nset = household_notices(kind, frames["households"], frames.get("villages"), data_year, monitoring=monitoring)
    else:
        nset = household_notices(kind, frames["households"], frames.get("villages"), data_year, identified=identified)
    nset.findings.extend(left_out)
    return screen(nset, nc)


INTERNAL = "notice-internal"


POSTED_MANIFEST = "posted-manifest.json"  # what jingzhun wrote into notice/<kind>/, kept beside the internal files


def write_files(
    nset: NoticeSet,
    nc: NoticeCommon,
    rendered: pd.DataFrame,
    d: Path,
    internal: Path,
    templates: Templates,
    docx: bool,
    executor: Executor = SERIAL,
    xlsx: bool = False,
) -> tuple[pd.DataFrame, list[Path]]:
    """One notice kind (shared with ``jingzhun run``): the notices into folder ``d`` (posted),
    ``summary.csv`` and ``findings.csv`` (with ``xlsx`` also ``notice.xlsx``) into folder
    ``internal`` (kept by the office)."""
    units, files = write_notices(nset, nc, d, templates, docx, executor)
    internal.mkdir(parents=True, exist_ok=True)
    summary = units.rename(columns={"count": "households" if nset.kind != "projects" else "projects"})
    write_csv(summary, internal / "summary.csv")
    write_csv(rendered, internal / "findings.csv")
    if xlsx:
        write_xlsx({"summary": summary, "findings": rendered}, internal / "notice.xlsx")
    return units, files


def compute(
    kind: str, ds: Dataset, frames: dict[str, pd.DataFrame], params: Params, data_year: int, nc: NoticeCommon
) -> NoticeSet:
    """One kind's notices of ``data_year`` (``jingzhun notice``): the identification notice
    compares with the year before's households, the exit notice identifies this year."""
    prev = None
    identified = None
    monitoring = None
    if kind == "identification" and (data_year - 1) in ds.years:
        prev = load_year(ds, data_year - 1, ["households"]).frames["households"]
    elif kind in ("exit", "monitoring"):
        from jingzhun.identify.core import identify

        ir = identify(frames, params, data_year)
        identified, monitoring = ir.households, ir.monitoring
    return build_notices(kind, frames, data_year, nc, previous=prev, identified=identified, monitoring=monitoring)


def require_monitoring_year(params: Params, data_year: int) -> None:
    """Monitoring notices exist from ``monitoring.first_year``; their parameters are checked before reading."""
    from jingzhun.identify.monitoring import check_monitoring_params, is_monitoring_year

    if not is_monitoring_year(params, data_year):
        first = int(params.settings.monitoring.first_year)
        raise UsageError(
            t(
                f"{data_year} 年度不是防止返贫监测年度 (监测从 {first} 年度开始), 没有监测对象公示",
                f"data year {data_year} is not a monitoring year (monitoring starts with {first}); "
                "no monitoring notice",
            ),
            t(f"请用 --year 指定 {first} 或以后的年度", f"give --year {first} or later"),
        )
    check_monitoring_params(params, data_year)


@dataclass
class Notices:
    """The notices of a run, by kind (identification, exit, projects), and every finding."""

    start: date
    kinds: dict[str, tuple[NoticeSet, NoticeCommon]] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)


def step_compute(c: Context) -> Outcome:
    start = c.options.notice_date or default_notice_date(c.year)
    ident = c.results["identify"]
    previous = c.previous.frames.get("households") if c.previous is not None else None
    out = Notices(start)
    gaps = posting_gaps(c.params)  # nothing is posted without its issuer and a supervision phone
    for kind in ("identification", "exit", "projects"):
        if kind == "projects" and "projects" not in c.frames:
            continue
        if gaps:
            for code in gaps:
                out.findings.add(code, table="notice", key=kind, detail=KIND_TITLES[kind])
            continue
        nc = common(kind, c.params, c.year, start)
        nset = build_notices(kind, c.frames, c.year, nc, previous=previous, identified=ident.households)
        out.kinds[kind] = (nset, nc)
        out.findings.extend(nset.findings)
    return Outcome(out, out.findings, {"notices": {}, "date": start.isoformat()})


def step_write(outcome: Outcome, d: Path, c: Context) -> None:
    notices: Notices = outcome.value
    made: dict[str, int] = outcome.summary["notices"]
    for kind, (nset, nc) in notices.kinds.items():
        folder = d / kind
        folder.mkdir(parents=True)
        units, _ = write_files(
            nset,
            nc,
            nset.findings.render(),
            folder,
            c.tmp / INTERNAL / kind,
            c.folders.templates,
            c.options.docx,
            c.executor,
            c.options.xlsx,
        )
        made[kind] = int((units["file"] != "").sum())
