"""``jingzhun report DATASET [--year Y]``: monitoring indicators by village, township and
county, the year-over-year trend and the township assessment (考核)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

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
    guarded,
    make_run,
    print_json,
)
from jingzhun.findings import worst_exit_code
from jingzhun.findings_view import totals_line
from jingzhun.i18n import t
from jingzhun.identify.cache import earlier_runs
from jingzhun.outputs import output_dir
from jingzhun.report.api import report_with_findings
from jingzhun.report.model import ReportModel
from jingzhun.report.write import existing_links, fmt, write_report

TemplatesOpt = Annotated[
    Path | None,
    typer.Option("--templates", help="自定义模板文件夹 / folder overriding the packaged templates"),
]


@guarded
def command(
    ctx: typer.Context,
    dataset: DatasetArg,
    year: YearOpt = None,
    out: OutOpt = Path("out"),
    xlsx: XlsxOpt = True,
    json_out: JsonOpt = False,
    fail_on: FailOnOpt = "error",
    templates: TemplatesOpt = None,
    config: ConfigOpt = None,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """监测与考核指标报告 / monitoring indicators by village, township and county, trend and assessment."""
    run = make_run(ctx, lang=lang, config=config, quiet=quiet)
    fail_on = check_fail_on(fail_on)
    progress = run.progress()
    folders = run.folders(dataset, templates)
    model, findings = report_with_findings(
        dataset, year, run.config, progress, earlier=earlier_runs(Path(out).resolve())
    )
    links = existing_links(out)
    with progress.step("write"), output_dir(out, "report") as d:
        write_report(model, d, xlsx=xlsx, links=links, templates=folders.templates)
    if json_out:
        print_json(model.summary())
    _summary(run.err, model, Path(out) / "report")
    code = worst_exit_code(findings, fail_on)
    if code:
        run.err.print(
            t(
                "数据中的问题 (用 jingzhun validate、identify、match、audit 查看清单): ",
                "findings in the data (see jingzhun validate, identify, match, audit for the lists): ",
            )
            + totals_line(findings),
            markup=False,
        )
    raise typer.Exit(code)


def _summary(console: Any, model: ReportModel, where: Path) -> None:
    c = model.county()
    console.print(
        t(f"{model.county_name} {model.data_year} 年度监测指标", f"{model.county_name} indicators, {model.data_year}"),
        style="bold",
    )
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="dim")
    table.add_column(justify="right")
    for label, key in (
        (t("调查户数", "households"), "households"),
        (t("建档立卡户(含已脱贫)", "registered (any status)"), "registered_households"),
        (t("建档立卡未脱贫户", "registered, not exited"), "registered_poor_households"),
        (t("贫困人口(发生率分子)", "poor people (numerator)"), "poor_population"),
        (t("发生率分母(农业人口)", "denominator"), "denominator"),
        (t("贫困发生率", "incidence"), "incidence"),
        (t("当年脱贫户", "exits"), "exits_households"),
        (t("返贫户", "returned"), "returned_households"),
        (t("监测户", "edge"), "edge_households"),
        (t("低保覆盖率", "低保 coverage"), "dibao_coverage"),
        (t("结对覆盖率", "cadre coverage"), "cadre_coverage"),
        (t("审计问题金额(元)", "amount at risk"), "audit_amount_at_risk"),
    ):
        table.add_row(label, fmt(key, c[key]))
    console.print(table)
    top = model.assessment.head(3)
    if len(top):
        names = ", ".join(
            f"{r.rank}. {str(r.township_name or r.township_code)} ({fmt('score', r.score)})" for r in top.itertuples()
        )
        console.print(t("考核前三: ", "assessment top 3: ") + names)
    missing = [k for k, v in model.inputs.items() if not v["available"]]
    if missing:
        console.print(
            t("缺少输入, 相关指标为空: ", "missing inputs, indicators left empty: ") + ", ".join(missing),
            style="yellow",
        )
    console.print(t(f"结果: {where}/index.html", f"outputs: {where}/index.html"))
