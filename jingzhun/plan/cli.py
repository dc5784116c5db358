"""``jingzhun plan DATASET``: 一户一策, 结对帮扶, and 户有卡、村有册、乡有簿、县有档."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    XlsxOpt,
    YearOpt,
    check_fail_on,
    findings_written,
    guarded,
    make_run,
    print_json,
)
from jingzhun.county import say_county
from jingzhun.executors import make_executor
from jingzhun.findings import severity_counts, worst_exit_code
from jingzhun.i18n import t
from jingzhun.outputs import output_dir
from jingzhun.plan.api import run_plan, write_files
from jingzhun.plan.core import summary

MeasuresOpt = Annotated[Path | None, typer.Option("--measures", help="帮扶措施规则表 (CSV) / measure rule table")]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--templates", help="自定义模板文件夹, 同名文件覆盖内置模板 / template folder overriding the packaged templates"
    ),
]
DocxOpt = Annotated[
    bool, typer.Option("--docx/--no-docx", help="同时生成可编辑的 Word 村册 / also write editable DOCX books")
]
BooksOpt = Annotated[bool, typer.Option("--books/--no-books", help="生成卡、册、簿、档 / write the documents")]


@guarded
def command(
    ctx: typer.Context,
    dataset: DatasetArg,
    year: YearOpt = None,
    out: OutOpt = Path("out"),
    measures: MeasuresOpt = None,
    templates: TemplatesOpt = None,
    docx: DocxOpt = True,
    books: BooksOpt = True,
    jobs: JobsOpt = None,
    xlsx: XlsxOpt = True,
    json_out: JsonOpt = False,
    fail_on: FailOnOpt = "error",
    config: ConfigOpt = None,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """帮扶计划: 一户一策、结对帮扶、户卡村册乡簿县档 / household plans, cadre pairing and books."""
    run = make_run(ctx, lang=lang, config=config, quiet=quiet)
    fail_on = check_fail_on(fail_on)
    progress = run.progress()
    folders = run.folders(dataset, templates)
    result, findings, model, params = run_plan(dataset, year, run.config, measures, progress)
    say_county(run.err, params)
    rendered = findings.render()
    with progress.step("books" if books else "write"), output_dir(out, "plan") as d, make_executor(jobs) as ex:
        files = write_files(
            result, rendered, model, d, xlsx=xlsx, books=books, templates=folders.templates, docx=docx, executor=ex
        )
    counts = severity_counts(rendered)
    s = summary(result)
    where = Path(out) / "plan"
    if json_out:
        print_json({**s, "year": model.year, "documents": len(files), "findings": counts, "out": str(where)})
    run.err.print(
        t(
            f"{model.year} 年度帮扶计划: {s['households']} 户, {s['villages']} 个村; "
            f"保留结对 {s['paired_kept']} 户, 新结对 {s['paired_new']} 户, 未落实帮扶责任人 {s['unpaired']} "
            f"户; 超上限帮扶干部 {s['cadres_over_cap']} 人; 无措施 {s['without_measure']} 户",
            f"plans {model.year}: {s['households']} households in {s['villages']} villages; pairings "
            f"kept {s['paired_kept']}, new {s['paired_new']}, unpaired {s['unpaired']}; cadres over "
            f"cap {s['cadres_over_cap']}; without measures {s['without_measure']}",
        ),
        markup=False,
    )
    run.err.print(
        t(f"文档 {len(files)} 个; ", f"{len(files)} documents; ") + findings_written(counts, where), markup=False
    )
    raise typer.Exit(worst_exit_code(rendered, fail_on))
