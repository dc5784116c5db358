"""``jingzhun notice DATASET --kind identification|exit|projects``: 两公示一公告."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from jingzhun.cli_common import (
    ConfigOpt,
    DatasetArg,
    FailOnOpt,
    JobsOpt,
    JsonOpt,
    LangOpt,
    OutOpt,
    QuietOpt,
    YearOpt,
    check_fail_on,
    guarded,
    make_run,
    print_json,
)
from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import UsageError
from jingzhun.findings import Findings, severity_counts, worst_exit_code
from jingzhun.i18n import t
from jingzhun.io.write import write_csv
from jingzhun.outputs import output_dir
from jingzhun.params import Params
from jingzhun.plan.notice_docs import write_notices
from jingzhun.plan.notices import KINDS, NoticeCommon, NoticeSet, common, household_notices, project_notices
from jingzhun.plan.usable import for_documents

KindOpt = Annotated[str, typer.Option("--kind", help="identification (拟识别) | exit (拟退出) | projects (项目公告)")]
DateOpt = Annotated[str | None, typer.Option("--date", help="公示开始及发布日期 YYYY-MM-DD, 默认今天 / notice start and issue date")]
TemplatesOpt = Annotated[Path | None, typer.Option("--templates", help="自定义模板文件夹 / template folder overriding the packaged templates")]
DocxOpt = Annotated[bool, typer.Option("--docx/--no-docx", help="同时生成 Word 文件 / also write DOCX")]


def parse_date(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(t(f"--date 日期格式错误: {value}", f"--date is not a date: {value}"),
                         t("请写成 YYYY-MM-DD, 如 2016-03-01", "write YYYY-MM-DD, e.g. 2016-03-01")) from None


def build_notices(kind: str, frames: dict[str, pd.DataFrame], data_year: int, nc: NoticeCommon, *,
                  previous: pd.DataFrame | None = None, identified: pd.DataFrame | None = None) -> NoticeSet:
    """The rows of one notice kind: newly identified (against ``previous``), exit-ready
    (from ``identified``, the identify households) or projects. Rows that cannot go into a
    document (:mod:`jingzhun.plan.usable`) are left out, with findings."""
    frames, left_out = for_documents(frames, ("households", "villages") + (("projects",) if kind == "projects" else ()))
    if kind == "projects":
        nset = project_notices(frames.get("projects"), frames["households"], frames.get("villages"), nc.county)
    elif kind == "identification":
        nset = household_notices(kind, frames["households"], frames.get("villages"), data_year, previous=previous)
    else:
        nset = household_notices(kind, frames["households"], frames.get("villages"), data_year, identified=identified)
    nset.findings.extend(left_out)
    return nset


def write_files(nset: NoticeSet, nc: NoticeCommon, rendered: pd.DataFrame, d: Path,
                templates: Path | None, docx: bool, jobs: int | None = None) -> tuple[pd.DataFrame, list[Path]]:
    """Every output of one notice kind into folder ``d`` (shared with ``jingzhun run``)."""
    units, files = write_notices(nset, nc, d, templates, docx, jobs)
    write_csv(units.rename(columns={"count": "households" if nset.kind != "projects" else "projects"}), d / "summary.csv")
    write_csv(rendered, d / "findings.csv")
    return units, files


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
    start = parse_date(date_)
    ds = Dataset.open(dataset)
    data_year = ds.resolve_year(year)
    params = Params.load(ds.root, run.config)
    tables = ["households", "members", "villages", "crosscheck"] + (["projects"] if kind == "projects" else [])
    yd = load_year(ds, data_year, tables)
    frames = yd.frames
    nc = common(kind, params, data_year, start)
    findings = Findings()
    findings.extend(yd.findings)
    prev = None
    identified = None
    if kind == "identification" and (data_year - 1) in ds.years:
        prev = load_year(ds, data_year - 1, ["households"]).frames["households"]
    elif kind == "exit":
        from jingzhun.identify.core import identify

        identified = identify(frames, params, data_year).households
    nset = build_notices(kind, frames, data_year, nc, previous=prev, identified=identified)
    findings.extend(nset.findings)
    rendered = findings.render()
    with output_dir(Path(out) / "notice", kind) as d:
        units, files = write_files(nset, nc, rendered, d, templates, docx, jobs)
    counts = severity_counts(rendered)
    made = int((units["file"] != "").sum())
    empty = units.loc[units["file"] == "", "unit_name"].tolist()
    where = Path(out) / "notice" / kind
    if json_out:
        print_json({"kind": kind, "year": data_year, "units": int(len(units)), "notices": made, "empty_units": len(empty),
                    "rows": int(len(nset.rows)), "period": [nc.start.isoformat(), nc.end.isoformat()],
                    "findings": counts, "out": str(where)})
    run.err.print(t(
        f"{data_year} 年{kind} 公示: {len(nset.rows)} 条, {made} 个单位生成公示文件, {len(empty)} 个单位无公示内容 (见 summary.csv); 结果已写入 {where}",
        f"{kind} notices {data_year}: {len(nset.rows)} rows, {made} units with a notice, {len(empty)} with nothing to announce (see summary.csv); written to {where}",
    ), markup=False)
    raise typer.Exit(worst_exit_code(rendered, fail_on))

