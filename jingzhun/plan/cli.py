"""``jingzhun plan DATASET``: 一户一策, 结对帮扶, and 户有卡、村有册、乡有簿、县有档."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from jingzhun import county
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
from jingzhun.county import say_county, settle
from jingzhun.dataset import Dataset, load_year
from jingzhun.executors import SERIAL, Executor, make_executor
from jingzhun.findings import Findings, severity_counts, worst_exit_code
from jingzhun.i18n import t
from jingzhun.identify.core import identify
from jingzhun.io.write import write_csv, write_xlsx
from jingzhun.outputs import output_dir
from jingzhun.params import Params
from jingzhun.plan import docs
from jingzhun.plan.books import write_books
from jingzhun.plan.core import PlanResult, make_plans, summary
from jingzhun.plan.measures import load_rules, rules_file
from jingzhun.plan.usable import for_documents
from jingzhun.progress import Reporter, no_step

TABLES = ("households", "members", "villages", "cadres", "crosscheck")

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


def county_info(params: Params) -> dict[str, Any]:
    return dict(county.county_info(params))


def run_plan(
    dataset: Path, year: int | None, config: Path | None, measures: Path | None, progress: Reporter | None = None
) -> tuple[PlanResult, Findings, docs.DocModel, Params]:
    step = progress.step if progress is not None else no_step
    ds = Dataset.open(dataset)
    data_year = ds.resolve_year(year)
    params = Params.load(ds.root, config)
    rules = load_rules(rules_file(ds.root, measures))
    with step("read"):
        yd = load_year(ds, data_year, TABLES)
    settle(params, yd.frames)
    with step("identify"):
        ident = identify(yd.frames, params, data_year)
    with step("plan"):
        result, own, model = plan_frames(yd.frames, params, data_year, ident.households, rules)
    findings = Findings()
    findings.extend([yd.findings, own])
    return result, findings, model, params


def plan_frames(
    frames: dict[str, pd.DataFrame], params: Params, data_year: int, identified: pd.DataFrame, rules: list
) -> tuple[PlanResult, Findings, docs.DocModel]:
    """Plans, pairing and the document model from typed frames and the identify households.

    Households and villages that cannot go into a document (duplicate or missing key, bad
    village code) are left out first, with findings (:mod:`jingzhun.plan.usable`)."""
    frames, left_out = for_documents(frames, ("households", "villages"))
    result = make_plans(
        frames["households"], frames.get("members"), frames.get("cadres"), params, data_year, identified, rules
    )
    findings = Findings()
    findings.extend(left_out)
    if "cadres" not in frames:
        findings.add("P-NO-CADRES", table="cadres", detail=str(data_year))
    findings.extend(result.findings)
    model = docs.build(
        result,
        frames["households"],
        frames.get("members"),
        frames.get("cadres"),
        frames.get("villages"),
        county_info(params),
        data_year,
        identified,
    )
    return result, findings, model


def write_files(
    result: PlanResult,
    rendered: pd.DataFrame,
    model: docs.DocModel,
    d: Path,
    *,
    xlsx: bool,
    books: bool,
    templates: Path | None,
    docx: bool,
    executor: Executor = SERIAL,
) -> list[Path]:
    """Every output of plan into folder ``d`` (shared with ``jingzhun run``); returns the documents."""
    write_csv(result.plans, d / "plans.csv")
    write_csv(result.cadres, d / "cadres.csv")
    write_csv(rendered, d / "findings.csv")
    if xlsx:
        write_xlsx({"plans": result.plans, "cadres": result.cadres, "findings": rendered}, d / "plan.xlsx")
    return write_books(model, d / "books", templates, docx, executor) if books else []


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
    result, findings, model, params = run_plan(dataset, year, run.config, measures, progress)
    say_county(run.err, params)
    rendered = findings.render()
    with progress.step("books" if books else "write"), output_dir(out, "plan") as d, make_executor(jobs) as ex:
        files = write_files(
            result, rendered, model, d, xlsx=xlsx, books=books, templates=templates, docx=docx, executor=ex
        )
    counts = severity_counts(rendered)
    s = summary(result)
    where = Path(out) / "plan"
    if json_out:
        print_json({**s, "year": model.year, "documents": len(files), "findings": counts, "out": str(where)})
    run.err.print(
        t(
            f"{model.year} 年度帮扶计划: {s['households']} 户, {s['villages']} 个村; 保留结对 {s['paired_kept']} 户, 新结对 {s['paired_new']} 户, 未落实帮扶责任人 {s['unpaired']} 户; 超上限帮扶干部 {s['cadres_over_cap']} 人; 无措施 {s['without_measure']} 户",
            f"plans {model.year}: {s['households']} households in {s['villages']} villages; pairings kept {s['paired_kept']}, new {s['paired_new']}, unpaired {s['unpaired']}; cadres over cap {s['cadres_over_cap']}; without measures {s['without_measure']}",
        ),
        markup=False,
    )
    run.err.print(
        t(f"文档 {len(files)} 个; ", f"{len(files)} documents; ") + findings_written(counts, where), markup=False
    )
    raise typer.Exit(worst_exit_code(rendered, fail_on))
