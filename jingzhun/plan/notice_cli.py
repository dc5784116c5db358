"""``jingzhun notice DATASET --kind identification|exit|projects``: 两公示一公告.

``notice/<kind>/`` holds the notices and nothing else: it is the folder meant for
posting. What the office keeps for itself goes to ``notice-internal/<kind>/``:
``summary.csv`` (every unit, its file or why none was written) and ``findings.csv``
(the reading findings may hold full ID numbers: never post them).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console

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
from jingzhun.county import require_posting, say_county, settle
from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import EXIT_INPUT, UsageError
from jingzhun.executors import make_executor
from jingzhun.findings import Findings, severity_counts, worst_exit_code
from jingzhun.i18n import t
from jingzhun.outputs import output_dir
from jingzhun.params import Params
from jingzhun.plan.notice_api import (
    INTERNAL,
    POSTED_MANIFEST,
    compute,
    default_notice_date,
    require_monitoring_year,
    write_files,
)
from jingzhun.plan.notices import KINDS, common

KindOpt = Annotated[
    str,
    typer.Option(
        "--kind",
        help="identification (拟识别) | exit (拟退出) | projects (项目公告) | monitoring (防止返贫监测, 2021 起)",
    ),
]
DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="公示开始及发布日期 YYYY-MM-DD, 默认数据年度 12 月 1 日 / notice start and issue date (default: 1 "
        "December of the data year)",
    ),
]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option("--templates", help="自定义模板文件夹 / template folder overriding the packaged templates"),
]
DocxOpt = Annotated[bool, typer.Option("--docx/--no-docx", help="同时生成 Word 文件 / also write DOCX")]


def parse_date(value: str | None) -> date | None:
    """``--date`` as a date; None when not given (then :func:`default_notice_date`)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            t(f"--date 日期格式错误: {value}", f"--date is not a date: {value}"),
            t("请写成 YYYY-MM-DD, 如 2016-03-01", "write YYYY-MM-DD, e.g. 2016-03-01"),
        ) from None


@guarded
def command(
    ctx: typer.Context,
    dataset: DatasetArg,
    kind: KindOpt = "identification",
    date_: DateOpt = None,
    year: YearOpt = None,
    out: OutOpt = Path("out"),
    templates: TemplatesOpt = None,
    docx: DocxOpt = True,
    jobs: JobsOpt = None,
    xlsx: XlsxOpt = True,
    json_out: JsonOpt = False,
    fail_on: FailOnOpt = "error",
    config: ConfigOpt = None,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """公示公告: 拟识别、拟退出贫困户公示, 扶贫项目公告 / public notices per village."""
    run = make_run(ctx, lang=lang, config=config, quiet=quiet)
    fail_on = check_fail_on(fail_on)
    if kind not in KINDS:
        raise UsageError(t(f"--kind 只能是 {' | '.join(KINDS)}", f"--kind must be one of {' | '.join(KINDS)}"))
    given = parse_date(date_)
    ds = Dataset.open(dataset)
    folders = run.folders(ds.root, templates)
    data_year = ds.resolve_year(year)
    start = given or default_notice_date(data_year)
    params = Params.load(ds.root, run.config)
    tables = ["households", "members", "villages", "crosscheck"] + (["projects"] if kind == "projects" else [])
    require_posting(params)  # the issuer is never derived: say so before reading the data
    if kind == "monitoring":
        require_monitoring_year(params, data_year)
    progress = run.progress()
    with progress.step("read"):
        yd = load_year(ds, data_year, tables)
    settle(params, yd.frames)
    say_county(run.err, params)
    frames = yd.frames
    nc = common(kind, params, data_year, start)
    findings = Findings()
    findings.extend(yd.findings)
    with progress.step("notice"):
        nset = compute(kind, ds, frames, params, data_year, nc)
    findings.extend(nset.findings)
    rendered = findings.render()
    posted_marker = Path(out) / INTERNAL / kind / POSTED_MANIFEST  # the posting folder holds only notices
    with (
        progress.step("write"),
        output_dir(Path(out) / INTERNAL, kind) as internal,
        output_dir(Path(out) / "notice", kind, marker_at=(internal / POSTED_MANIFEST, posted_marker)) as d,
        make_executor(jobs) as executor,
    ):
        units, files = write_files(nset, nc, rendered, d, internal, folders.templates, docx, executor, xlsx)
    counts = severity_counts(rendered)
    made = int((units["file"] != "").sum())
    withheld = units[units["withheld"] != ""]
    empty = units.loc[(units["file"] == "") & (units["withheld"] == ""), "unit_name"].tolist()
    where = Path(out) / "notice" / kind
    kept = Path(out) / INTERNAL / kind
    if json_out:
        print_json(
            {
                "kind": kind,
                "year": data_year,
                "units": int(len(units)),
                "notices": made,
                "empty_units": len(empty),
                "rows": int(len(nset.rows)),
                "date": start.isoformat(),
                "date_given": given is not None,
                "period": [nc.start.isoformat(), nc.end.isoformat()],
                "withheld": len(withheld),
                "findings": counts,
                "out": str(where),
                "internal": str(kept),
            }
        )
    run.err.print(
        t(
            f"{data_year} 年{kind} 公示: {len(nset.rows)} 条, {made} 个单位生成公示文件, {len(empty)} "
            f"个单位无公示内容; "
            f"公示期 {nc.start.isoformat()} 至"
            f" {nc.end.isoformat()}{'' if given else ' (未给 --date, 按数据年度 12 月 1 日)'}; "
            f"公示已写入 {where} (只含公示, 可张贴); 汇总和问题清单 (内部, 勿张贴) 在 {kept}",
            f"{kind} notices {data_year}: {len(nset.rows)} rows, {made} units with a notice, {len(empty)} "
            f"with nothing to announce; "
            f"period {nc.start.isoformat()} to"
            f" {nc.end.isoformat()}{'' if given else ' (no --date: 1 December of the data year)'}; "
            f"notices (only notices, for posting) in {where}; summary and findings (internal, never post) in {kept}",
        ),
        markup=False,
    )
    if len(withheld):
        _say_withheld(run.err, withheld, kept)
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(worst_exit_code(rendered, fail_on))


def _say_withheld(err: Console, withheld: pd.DataFrame, kept: Path) -> None:
    """Name every notice not written and why (the values themselves are in the findings, masked)."""
    run_err = [
        f"  {n or c} ({c}): {w}"
        for c, n, w in zip(withheld["unit_code"], withheld["unit_name"], withheld["withheld"], strict=True)
    ]
    err.print(
        t(
            f"错误: {len(withheld)} 份公示未生成: 要张贴的内容含身份证号、手机号、银行卡号或健康信息 "
            f"(多为列错位), 其余公示已生成。"
            f"请更正数据后重新生成; 详见 {kept / 'findings.csv'} (P-NOTICE-PRIVATE):",
            f"Error: {len(withheld)} notices were not written: what they would post holds an ID, mobile or "
            f"account number or a health "
            f"detail (often swapped columns); the other notices were written. Correct the data and rerun; see "
            f"{kept / 'findings.csv'} (P-NOTICE-PRIVATE):",
        )
        + "\n"
        + "\n".join(run_err),
        markup=False,
    )
