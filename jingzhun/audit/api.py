"""The audit's public API: :func:`compute` (the funds and projects of one year against the
register) and :func:`write`; ``jingzhun audit``, ``jingzhun report`` and the ``audit`` step
of ``jingzhun run`` (:mod:`jingzhun.steps`) all go through here."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jingzhun.audit.pipeline import TABLES, audit_year, write_report
from jingzhun.audit.report import AuditReport
from jingzhun.county import settle
from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import InputError
from jingzhun.executors import make_executor
from jingzhun.findings import Findings
from jingzhun.i18n import t
from jingzhun.params import Params
from jingzhun.progress import Reporter, no_step
from jingzhun.render import Templates
from jingzhun.steps import Context, Outcome

compute = audit_year


def write(report: AuditReport, folder: Path, xlsx: bool = False, templates: Templates = None) -> list[Path]:
    """Every output of ``report`` into ``folder``; returns the files written."""
    return write_report(report, folder, xlsx, templates)


# Without --jobs, a ledger (payments and projects) of fewer rows is audited in this process: at
# 200,000 households (75,913 payments) the two spawned workers cost more than they save (5.6 s
# against 3.3–5.1 s in one process). A province's ledger (2M payments) keeps the workers.
WORKERS_FROM_ROWS = 1_000_000


def run_audit(
    dataset: Path,
    year: int | None,
    config: Path | None,
    as_of: pd.Timestamp | None,
    jobs: int | None = None,
    progress: Reporter | None = None,
) -> AuditReport:
    step = progress.step if progress is not None else no_step
    ds = Dataset.open(dataset)
    data_year = ds.resolve_year(year)
    params = Params.load(ds.root, config)
    files = ds.table_files(data_year)
    if "projects" not in files and "payments" not in files:
        raise InputError(
            t(
                f"{data_year} 年度文件夹中没有项目库 (projects) 或资金拨付 (payments) 表",
                f"the {data_year} folder has neither a projects nor a payments table",
            ),
            t("审计需要 项目库.xlsx 和/或 资金拨付.xlsx", "the audit needs projects and/or payments"),
        )
    with step("read"):
        yd = load_year(ds, data_year, TABLES)
    settle(params, yd.frames)
    with step("audit"):
        ledger_rows = sum(len(yd.frames[tb]) for tb in ("payments", "projects") if tb in yd.frames)
        alone = jobs is None and ledger_rows < WORKERS_FROM_ROWS
        with make_executor(1 if alone else jobs) as executor:
            return audit_year(yd.frames, params, data_year, as_of=as_of, reading=yd.findings, executor=executor)


def step_compute(c: Context) -> Outcome:
    c.need_table("payments", "projects")
    report = compute(
        c.frames,
        c.params,
        c.year,
        as_of=c.options.as_of,
        reading=c.data.findings,
        identified=c.results["identify"].households,
        executor=c.executor,
    )
    return Outcome(report, Findings.from_frame(report.findings), {"checked": report.summary.get("payments")})


def step_write(outcome: Outcome, d: Path, c: Context) -> None:
    d.mkdir()
    write(outcome.value, d, c.options.xlsx, c.folders.templates)
