"""``jingzhun run``: the whole yearly pipeline, for pre-submission checks and cron."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from jingzhun.cli_common import (
    ConfigOpt,
    DatasetArg,
    FailOnOpt,
    JobsOpt,
    JsonOpt,
    LangOpt,
    OutOpt,
    QuietOpt,
    XlsxOpt,
    YearOpt,
    check_fail_on,
    guarded,
    make_run,
    print_json,
)
from jingzhun.county import derived
from jingzhun.errors import InputError, UsageError
from jingzhun.executors import make_executor
from jingzhun.findings import severity_counts
from jingzhun.findings_view import code_label, severity_label, summary_table, totals_line
from jingzhun.i18n import t
from jingzhun.outputs import RUN_LOG
from jingzhun.pipeline import RunOptions, run_pipeline
from jingzhun.progress import STATUS_LABELS, STEP_LABELS, Reporter

DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="公示开始日期 YYYY-MM-DD, 默认数据年度 12 月 1 日 / notice start date (default: 1 December of the "
        "data year)",
    ),
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="审计基准日 YYYY-MM-DD, 默认数据年度 12 月 31 日 / audit date")
]
TemplatesOpt = Annotated[
    Path | None, typer.Option("--templates", help="自定义模板文件夹 / folder overriding the packaged templates")
]
DocxOpt = Annotated[bool, typer.Option("--docx/--no-docx", help="同时生成 Word 文档 / also write DOCX documents")]
BooksOpt = Annotated[bool, typer.Option("--books/--no-books", help="生成户卡村册乡簿县档 / write the books")]
EngineOpt = Annotated[
    str, typer.Option("--engine", help="存储的运行方式 local 或 dask / how a store's county tasks run: local or dask")
]
ClusterOpt = Annotated[
    str | None, typer.Option("--cluster", help="dask 本机集群, 如 local:4 / a local Dask cluster, e.g. local:4")
]
SchedulerOpt = Annotated[
    str | None, typer.Option("--scheduler", help="dask 调度器地址 tcp://HOST:PORT / a running Dask scheduler")
]
LogOpt = Annotated[
    Path | None,
    typer.Option("--log", help="把带时间的运行日志追加到此文件 / append timestamped log lines to this file"),
]


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            t(f"{option} 日期格式错误: {value}", f"{option} is not a date: {value}"),
            t("请写成 YYYY-MM-DD", "write YYYY-MM-DD"),
        ) from None


@guarded
def command(
    ctx: typer.Context,
    dataset: DatasetArg,
    year: YearOpt = None,
    out: OutOpt = Path("out"),
    xlsx: XlsxOpt = True,
    json_out: JsonOpt = False,
    fail_on: FailOnOpt = "error",
    date_: DateOpt = None,
    as_of: AsOfOpt = None,
    templates: TemplatesOpt = None,
    docx: DocxOpt = True,
    books: BooksOpt = True,
    jobs: JobsOpt = None,
    log: LogOpt = None,
    engine: EngineOpt = "local",
    cluster: ClusterOpt = None,
    scheduler: SchedulerOpt = None,
    config: ConfigOpt = None,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """年度全流程: 校验→识别→变化→比对→帮扶→公示→审计→报告, 生成 manifest.json / the whole yearly pipeline."""
    run = make_run(ctx, lang=lang, config=config, quiet=quiet)
    options = RunOptions(
        year=year,
        fail_on=check_fail_on(fail_on),
        xlsx=xlsx,
        notice_date=_parse_date(date_, "--date"),
        templates=templates,
        docx=docx,
        books=books,
        jobs=jobs,
        as_of=pd.Timestamp(d) if (d := _parse_date(as_of, "--as-of")) else None,
    )
    from jingzhun.province.store import is_store

    if is_store(dataset):
        _run_store(run, dataset, out, options, engine, cluster, scheduler, json_out)
    log_path = check_log(log, out)
    reporter = Reporter(run.err, run.quiet, log_path)
    with make_executor(jobs) as executor:
        result = run_pipeline(dataset, out, options, run.config, progress=reporter, executor=executor)
    try:
        reporter.line(
            t(f"结束, 退出码 {result.exit_code}", f"finished, exit code {result.exit_code}")
            + exit_reason(result.findings, result.exit_code, options.fail_on)
        )
    except OSError as e:
        raise InputError(
            t(f"无法写日志文件 {log}: {e.strerror}", f"cannot write log file {log}: {e.strerror}")
        ) from None
    if json_out:
        print_json(result.summary)
    if not run.quiet:
        _print_summary(run.err, result)
    raise typer.Exit(result.exit_code)


def _run_store(
    run: Any,
    store: Path,
    out: Path,
    options: RunOptions,
    engine: str,
    cluster: str | None,
    scheduler: str | None,
    json_out: bool,
) -> None:
    """A store: one task per county through the chosen engine, then the global passes."""
    from jingzhun.executors import make_executor
    from jingzhun.province.run import run_store

    executor: Any
    if engine == "dask":
        from jingzhun.province.dask_engine import DaskExecutor, parse_cluster

        workers = parse_cluster(cluster) if cluster else None
        executor = DaskExecutor(workers=workers, scheduler=scheduler)
    elif engine == "local":
        executor = make_executor(options.jobs)
    else:
        raise UsageError(t(f"--engine 只能是 local 或 dask: {engine}", f"--engine must be local or dask: {engine}"))
    try:
        result = run_store(store, out, options, executor, run.config, engine)
    finally:
        executor.close()
    if json_out:
        print_json(result.summary())
    if not run.quiet:
        bad = [r for r in result.tasks if not r.ok]
        run.err.print(
            t(
                f"{len(result.tasks)} 个县, {len(bad)} 个失败; 全部结果在 {result.out}",
                f"{len(result.tasks)} counties, {len(bad)} failed; all outputs are in {result.out}",
            ),
            markup=False,
        )
    raise typer.Exit(result.exit_code)


def check_log(log: Path | None, out: Path) -> Path | None:
    """The log file to append to. Inside ``--out`` only ``<out>/run.log`` is allowed: it is
    carried into each new output (and is not a result: manifest and verify leave it out)."""
    if log is None:
        return None
    path, out_r = log.resolve(), out.resolve()
    if path.is_relative_to(out_r):
        if path != out_r / RUN_LOG:
            raise UsageError(
                t(
                    f"日志文件 {log} 在输出文件夹 {out} 里, 会随旧结果一起被替换",
                    f"the log file {log} is inside the output folder {out} and would be replaced with the old results",
                ),
                t(
                    f"请用 --log {out / RUN_LOG} (它会被带到新结果中), 或输出文件夹之外的文件",
                    f"use --log {out / RUN_LOG} (it is carried into the new output) or a file outside the "
                    f"output folder",
                ),
            )
        return path
    try:
        path.open("a", encoding="utf-8").close()
    except OSError as e:
        raise InputError(
            t(f"无法写日志文件 {log}: {e.strerror}", f"cannot write log file {log}: {e.strerror}")
        ) from None
    return path


def _print_summary(console: Any, result: Any) -> None:
    table = Table(title=t(f"{result.year} 年度全流程", f"yearly pipeline {result.year}"))
    table.add_column(t("步骤", "step"))
    table.add_column(t("状态", "status"))
    table.add_column(t("用时", "time"), justify="right")
    table.add_column(t("问题数", "findings"), justify="right")
    table.add_column(t("说明", "note"))
    for r in result.steps:
        table.add_row(
            t(*STEP_LABELS.get(r.name, (r.name, r.name))),
            t(*STATUS_LABELS[r.status]),
            f"{r.seconds:.1f} s",
            str(r.counts.get("findings", "")),
            r.note,
        )
    console.print(table)
    if len(result.findings):
        console.print(summary_table(result.findings, title=t("问题汇总", "findings"), examples=1))
    console.print(totals_line(result.findings), markup=False)
    if derived(result.summary.get("county", {}).get("origin", "")):
        c = result.summary["county"]
        what = t("县", "county") if len(c["code"]) == 6 else t("地区", "area")
        console.print(
            t(
                f"{what}: {c['name'] or '-'} ({c['code'] or '-'}), 由行政村代码推断; 可在 jingzhun.toml 的 "
                f"[county] 中设置",
                f"{what}: {c['name'] or '-'} ({c['code'] or '-'}), derived from the village codes; set "
                f"[county] in jingzhun.toml",
            ),
            markup=False,
        )
    console.print(
        t(
            f"全部结果在 {result.out} (manifest.json 记录了输入、参数和每个输出文件的哈希; 用 jingzhun verify 核对)",
            f"all outputs are in {result.out} (manifest.json records inputs, parameters and output hashes; "
            f"check with jingzhun verify)",
        ),
        markup=False,
    )


def exit_reason(findings: pd.DataFrame, exit_code: int, fail_on: str) -> str:
    """Why the run ends with ``exit_code``: the severities that count under ``--fail-on`` and, when
    the code is 1, their findings by code (the end-of-run line and the ``--log`` file)."""
    levels = ["error", "warning"] if fail_on == "warning" else ["error"]
    named = t("、", " or ").join(severity_label(s) for s in levels)
    if exit_code == 0:
        return t(
            f": 没有{named}级问题 (--fail-on {fail_on}); {totals_line(findings)}",
            f": no {named} findings (--fail-on {fail_on}); {totals_line(findings)}",
        )
    counts = severity_counts(findings)
    parts = []
    for sev in levels:
        part = findings[findings["severity"] == sev]
        if not len(part):
            continue
        by_code = part["code"].value_counts(sort=False).sort_index()
        codes = ", ".join(f"{code_label(str(c))} {n}" for c, n in list(by_code.items())[:20]) + (
            ", …" if len(by_code) > 20 else ""
        )
        parts.append(f"{severity_label(sev)} {counts[sev]} ({codes})")
    return t(f": 有{named}级问题 (--fail-on {fail_on}): ", f": {named} findings (--fail-on {fail_on}): ") + "; ".join(
        parts
    )
