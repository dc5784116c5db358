"""``jingzhun audit DATASET [--year Y] [--as-of DATE]``: the fund and project audit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from jingzhun.audit.api import run_audit, write_report
from jingzhun.audit.report import AuditReport
from jingzhun.audit.truth import read_truth, score
from jingzhun.cli_common import (
    ConfigOpt,
    DatasetArg,
    FailOnOpt,
    JsonOpt,
    LangOpt,
    OutOpt,
    QuietOpt,
    XlsxOpt,
    YearOpt,
    check_fail_on,
    findings_written,
    guarded,
    make_run,
    print_json,
)
from jingzhun.errors import UsageError
from jingzhun.findings import worst_exit_code
from jingzhun.i18n import t
from jingzhun.io.write import write_csv
from jingzhun.outputs import output_dir

AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="审计基准日 YYYY-MM-DD, 默认数据年度12月31日 / audit date (default: 31 Dec of the data year)"
    ),
]
TruthOpt = Annotated[
    Path | None,
    typer.Option(
        "--truth", help="注入异常的真值文件, 打印各检查的查全率和查准率 / truth file: print recall and precision"
    ),
]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option("--templates", help="自定义模板文件夹 / folder overriding the packaged templates"),
]
AuditJobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="并行进程数 (默认: 资金拨付和项目不足一百万行时只用一个进程, 否则 CPU 核数, 至多 4; 1 = 只用一个进程, "
        "结果相同) / worker processes (default: one process below a million payment and project rows, "
        "else cores, at most 4; 1 = one process, same results)",
    ),
]


def parse_as_of(value: str | None) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value).normalize()
    except (ValueError, TypeError):
        raise UsageError(
            t(f"--as-of 不是日期: {value}", f"--as-of is not a date: {value}"),
            t("例如 --as-of 2017-12-31", "e.g. --as-of 2017-12-31"),
        ) from None


@guarded
def command(
    ctx: typer.Context,
    dataset: DatasetArg,
    year: YearOpt = None,
    out: OutOpt = Path("out"),
    as_of: AsOfOpt = None,
    xlsx: XlsxOpt = True,
    json_out: JsonOpt = False,
    truth: TruthOpt = None,
    templates: TemplatesOpt = None,
    jobs: AuditJobsOpt = None,
    fail_on: FailOnOpt = "error",
    config: ConfigOpt = None,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """扶贫资金和项目审计 / audit poverty funds and projects against the register."""
    run = make_run(ctx, lang=lang, config=config, quiet=quiet)
    fail_on = check_fail_on(fail_on)
    date = parse_as_of(as_of)
    truth_frame = read_truth(truth) if truth is not None else None
    progress = run.progress()
    folders = run.folders(dataset, templates)
    report = run_audit(dataset, year, run.config, date, jobs, progress)
    scores = None
    if truth_frame is not None:
        scores = score(report.findings, truth_frame)
        report.summary["truth"] = scores.astype("object").where(scores.notna(), None).to_dict("records")
    with progress.step("write"), output_dir(out, "audit") as d:
        write_report(report, d, xlsx, folders.templates)
        if scores is not None:
            write_csv(scores, d / "truth_scores.csv")
    if json_out:
        print_json(report.summary)
    _summary(run.err, report, Path(out) / "audit")
    if scores is not None:
        _scores(run.err, scores)
    raise typer.Exit(worst_exit_code(report.findings, fail_on))


def _summary(console: Any, report: AuditReport, where: Path) -> None:
    s = report.summary
    led = s["ledger"]
    console.print(
        t(
            f"{s['data_year']} 年度审计 (基准日 {s['as_of']}): 拨付 {led['payments']} 笔, "
            f"合计 {led['amount_total']:,.2f} 元"
            f" (金额无法识别 {led['amount_unparsed_rows']} 笔); 项目 {s['projects']['count']} 个",
            f"audit {s['data_year']} (as of {s['as_of']}): {led['payments']} payments,"
            f" {led['amount_total']:,.2f} in total"
            f" ({led['amount_unparsed_rows']} unparsed); {s['projects']['count']} projects",
        )
    )
    if not report.funds.has_payments:
        console.print(
            t(
                "[yellow]没有资金拨付表 (payments): 只审计了项目库, 拨付相关的检查未进行, 拨付金额未知 (不是 0)[/]",
                "[yellow]no payments table: only the project library was audited; the payment checks did not run"
                " and what was paid is unknown (not 0)[/]",
            )
        )
    table = Table(title=t("问题 (按检查项)", "findings by check"))
    table.add_column(t("检查项", "check"))
    table.add_column(t("代码", "code"))
    table.add_column(t("问题数", "findings"), justify="right")
    table.add_column(t("涉及金额(元)", "amount"), justify="right")
    for c in s["by_check"]:
        if c["findings"]:
            table.add_row(c["title"], c["code"], str(c["findings"]), f"{c['amount']:,.2f}")
    console.print(table)
    f = s["findings"]
    console.print(findings_written(f, where), markup=False)


def _scores(console: Any, scores: pd.DataFrame) -> None:
    table = Table(title=t("与注入异常比对", "against the injected anomalies"))
    table.add_column("code", no_wrap=True, min_width=24)
    for c in ("injected", "found", "recall", "flagged", "other", "false+", "precision"):
        table.add_column(c, justify="right", no_wrap=True)
    for r in scores.itertuples(index=False):
        table.add_row(
            str(r.expected_code),
            str(r.injected),
            str(r.found),
            _pct(r.recall),
            str(r.flagged),
            str(r.other_injected),
            str(r.false_positive),
            _pct(r.precision),
        )
    console.print(table)


def _pct(v: Any) -> str:
    return "—" if v is None or pd.isna(v) else f"{float(v):.1%}"
