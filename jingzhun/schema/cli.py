"""``jingzhun validate``: every table of a data year (or one table file) against the
schemas and the cross-table rules; findings to ``validate/findings.csv`` and
``validate/report.json``, a summary on stderr, ``--json`` on stdout."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from jingzhun.cli_common import (
    ConfigOpt,
    FailOnOpt,
    JsonOpt,
    LangOpt,
    OutOpt,
    QuietOpt,
    SheetOpt,
    TableFileArg,
    XlsxOpt,
    YearOpt,
    check_fail_on,
    guarded,
    make_run,
    print_json,
)
from jingzhun.county import say_county, settle
from jingzhun.dataset import YEAR_RE, Dataset, YearData, dataset_limits, load_file, load_year
from jingzhun.errors import UsageError
from jingzhun.executors import ThreadExecutor, make_executor
from jingzhun.findings_view import summary_table, totals_line
from jingzhun.i18n import t
from jingzhun.io.encoding import check_encoding
from jingzhun.outputs import output_dir
from jingzhun.params import Params
from jingzhun.schema.api import compute, validation_report, write_files
from jingzhun.tables import TABLES, table_for_stem

TableOpt = Annotated[
    str | None,
    typer.Option(
        "--table",
        help="只校验这一张表; 单个文件时指明表名 (英文标准名或中文文件名, 如 households 或 农户) / "
        "only this table; names the table of a single file (canonical or Chinese file name)",
    ),
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="并行进程数 (默认: 各组检查在本进程的两个线程中同时运行, 共用数据; 1 = 一个线程; 2 或更多 = 分给多个进程, "
        "结果相同) / worker processes (default: the groups of checks on two threads of this process, sharing "
        "its data; 1 = one thread; 2 or more = spread over processes, same results)",
    ),
]
EncodingOpt = Annotated[
    str | None, typer.Option("--encoding", help="CSV 编码 (默认自动识别) / CSV encoding (default: detected)")
]


def _load(
    dataset: Path, year: int | None, table: str | None, encoding: str | None, sheet: str | None = None
) -> tuple[YearData, Path]:
    """Read a dataset year folder or one table file; return the data and the dataset root."""
    if table is not None:
        table = table_for_stem(table) or table  # a Chinese file name (农户) names the table too
    if table is not None and table not in TABLES:
        raise UsageError(
            t(f"未知的表名 {table}", f"unknown table {table}"),
            t(f"可用的表: {', '.join(TABLES)}", f"tables: {', '.join(TABLES)}"),
        )
    if sheet is not None and not dataset.is_file():
        raise UsageError(
            t("--sheet 只用于单个 Excel 文件", "--sheet applies to a single Excel file"),
            t(
                "数据集文件夹中的工作簿按表头选择工作表; 或单独校验该文件",
                "workbooks in a dataset folder are read by their header; or validate that one file",
            ),
        )
    if encoding is not None:
        for path in _csv_files(dataset, year, table):
            check_encoding(path, encoding)
    if dataset.is_file():
        parent = dataset.resolve().parent
        in_year_folder = YEAR_RE.match(parent.name) is not None
        root = parent.parent if in_year_folder else parent
        data = load_file(dataset, table, encoding=encoding, sheet=sheet, limits=dataset_limits(root))
        data.year = year if year is not None else (int(parent.name) if in_year_folder else None)
        return data, root
    ds = Dataset.open(dataset)
    data_year = ds.resolve_year(year)
    return load_year(ds, data_year, [table] if table else None, encoding=encoding), ds.root


def _csv_files(dataset: Path, year: int | None, table: str | None) -> list[Path]:
    """The files ``--encoding`` applies to: the one file, or the year folder's tables."""
    if dataset.is_file():
        return [dataset]
    if not dataset.is_dir():
        return []
    ds = Dataset(dataset)
    files = ds.table_files(ds.resolve_year(year))
    return [p for tb, p in files.items() if table is None or tb == table]


@guarded
def command(
    ctx: typer.Context,
    dataset: TableFileArg,
    year: YearOpt = None,
    table: TableOpt = None,
    out: OutOpt = Path("out"),
    xlsx: XlsxOpt = True,
    json_out: JsonOpt = False,
    fail_on: FailOnOpt = "error",
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    jobs: JobsOpt = None,
    lang: LangOpt = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """校验一个年度的全部表 (或单个表文件) / validate every table of a data year (or one table file)."""
    run = make_run(ctx, lang=lang, config=config, quiet=quiet)
    fail_on = check_fail_on(fail_on)
    progress = run.progress()
    with progress.step("read"):
        data, root = _load(dataset, year, table, encoding, sheet)
    params = Params.load(root, run.config)
    folders = run.folders(root)
    settle(params, data.frames)
    with progress.step("validate"):
        # One process unless --jobs asks for more: the two check units take a few seconds at a
        # province's scale, less than a spawned worker costs to import pandas and pandera and to
        # receive a pickled copy of every frame (CPU and peak memory both doubled). By default the
        # two units run on two threads here: they share the frames, and much of their work is in
        # pandas and Arrow without the GIL (at 200,000 households 3.4 s of checks become 2.4 s).
        threads = jobs is None and (os.cpu_count() or 1) > 1
        with ThreadExecutor(2) if threads else make_executor(jobs or 1) as executor:
            result = compute(data, params, executor, folders.schemas)
        rendered = result.render(run.lang)
        report = validation_report(result, rendered, data, params, fail_on, root=root)
    summary = report["summary"]
    with progress.step("write"), output_dir(out, "validate") as d:
        write_files(rendered, report, d, xlsx)

    err = run.err
    title = t(f"校验结果 ({data.year} 年度)", f"validation ({data.year})") if data.year else t("校验结果", "validation")
    if len(rendered):
        err.print(summary_table(rendered, title=title))
    err.print(totals_line(rendered), markup=False)
    say_county(err, params)
    err.print(t(f"结果已写入 {out / 'validate'}", f"results written to {out / 'validate'}"), markup=False)
    if json_out:
        print_json(summary)
    if summary["exit_code"]:
        raise typer.Exit(summary["exit_code"])
