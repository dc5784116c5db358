"""``jingzhun match DATASET [--year Y]``: link the register to the 低保/特困 roster.

Writes ``match/pairs.csv``, ``match/findings.csv``, ``match/review.xlsx`` (pairs below
the review threshold, with an empty 决定 column) and ``match/summary.json``.
``--decisions FILE`` applies a filled-in review file and keeps its decisions in the
dataset as ``match_decisions.csv``, read again automatically by every later run.
"""

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
    findings_written,
    guarded,
    make_run,
    print_json,
)
from jingzhun.findings import severity_counts, worst_exit_code
from jingzhun.findings_view import code_label
from jingzhun.i18n import t
from jingzhun.io.write import write_csv
from jingzhun.match import decisions as dec
from jingzhun.match.api import read_frame, read_kept, run_match, write_files
from jingzhun.match.core import METHODS
from jingzhun.match.evaluate import evaluate
from jingzhun.outputs import output_dir, replaced_file

DecisionsOpt = Annotated[
    Path | None,
    typer.Option("--decisions", help="已填写的复核表 (review.xlsx 或 CSV) / filled-in review file"),
]
TruthOpt = Annotated[
    Path | None,
    typer.Option("--truth", help="真值文件, 计算准确率和召回率 / truth file (record_id, household_id, id_number)"),
]
KeepOpt = Annotated[
    bool,
    typer.Option(
        "--keep-decisions/--no-keep-decisions",
        help="把复核决定保存到数据集的 match_decisions.csv / keep decisions in the dataset",
    ),
]


@guarded
def command(
    ctx: typer.Context,
    dataset: DatasetArg,
    year: YearOpt = None,
    out: OutOpt = Path("out"),
    decisions: DecisionsOpt = None,
    truth: TruthOpt = None,
    keep_decisions: KeepOpt = True,
    xlsx: XlsxOpt = True,
    json_out: JsonOpt = False,
    fail_on: FailOnOpt = "error",
    config: ConfigOpt = None,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """比对建档立卡与低保/特困名册 / link the register to the 低保/特困 roster and report mismatches."""
    run = make_run(ctx, lang=lang, config=config, quiet=quiet)
    fail_on = check_fail_on(fail_on)
    progress = run.progress()
    result, findings, ds, new_decisions, frames = run_match(dataset, year, run.config, decisions, progress)
    metrics = None
    if truth is not None:
        dibao = frames["dibao"]
        roster_ids = dibao[["record_id", "id_number"]] if "id_number" in dibao.columns else None
        metrics = evaluate(result.pairs, read_frame(truth), roster_ids)
    rendered = findings.render()
    where = Path(out) / "match"
    summary = {**result.summary, "findings_by_severity": severity_counts(rendered), "out": str(where)}
    if metrics is not None:
        summary["metrics"] = metrics
    with progress.step("write"), output_dir(out, "match") as d:
        write_files(result, rendered, d, metrics, xlsx)
    if new_decisions is not None and keep_decisions:
        kept_path = ds.root / dec.DECISIONS_FILE
        merged = dec.merge_kept(read_kept(kept_path), new_decisions)
        with replaced_file(kept_path) as tmp:  # the user's work: replaced whole or not at all
            write_csv(merged, tmp)
        summary["decisions_kept"] = str(kept_path)
    if json_out:
        print_json(summary)
    _print_summary(run.err, summary, metrics)
    raise typer.Exit(worst_exit_code(rendered, fail_on))


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.4f}"


# How a person reads each link pass (the pairs file keeps the method names).
METHOD_LABELS: dict[str, tuple[str, str]] = {
    "manual": ("人工复核确认", "confirmed in review"),
    "id_exact": ("身份证号一致", "same ID number"),
    "id_normalized": ("身份证号规范化后一致", "same ID after normalising"),
    "id_fuzzy": ("身份证号近似 (差一位或 Excel 损坏)", "near ID (one digit off or damaged by Excel)"),
    "name_village": ("姓名+村一致", "same name and village"),
}


def _print_summary(console: Any, s: dict[str, Any], metrics: dict[str, Any] | None) -> None:
    console.print(
        t(
            f"{s['data_year']} 年度低保比对: 名册 {s['roster_rows']} 条, "
            f"建档立卡及调查人员 {s['register_persons']} 人; "
            f"匹配 {s['linked']} 条, 未匹配 {s['unlinked']} 条, 待复核 {s['review']} 条",
            f"低保 linkage {s['data_year']}: roster {s['roster_rows']} rows, register {s['register_persons']} persons; "
            f"linked {s['linked']}, unlinked {s['unlinked']}, to review {s['review']}",
        )
    )
    if not s["roster_has_id_column"]:
        console.print(
            t("名册没有身份证号列: 只按姓名+村匹配", "the roster has no ID column: name + village matching only"),
            style="yellow",
        )
    table = Table(title=t("按匹配方法", "by method"))
    table.add_column(t("方法", "method"))
    table.add_column(t("条数", "pairs"), justify="right")
    for m in METHODS:
        table.add_row(t(*METHOD_LABELS[m]), str(s["by_method"][m]))
    console.print(table)
    if s["findings"]:
        ft = Table(title=t("问题", "findings"))
        ft.add_column(t("代码", "code"))
        ft.add_column(t("条数", "count"), justify="right")
        for code, n in s["findings"].items():
            ft.add_row(code_label(code), str(n))
        console.print(ft)
    if metrics is not None:
        mt = Table(title=t("对照真值", "against the truth"))
        for col in (
            t("方法", "method"),
            t("条数", "pairs"),
            t("真实", "true"),
            t("准确率", "precision"),
            t("召回率", "recall"),
            "F1",
        ):
            mt.add_column(col, justify="right")
        rows = list(metrics["by_method"].items()) + [(t("合计", "overall"), metrics["overall"])]
        for name, m in rows:
            mt.add_row(
                name, str(m["pairs"]), str(m["true_pairs"]), _fmt(m["precision"]), _fmt(m["recall"]), _fmt(m["f1"])
            )
        console.print(mt)
    c = s["findings_by_severity"]
    console.print(findings_written(c, s["out"]), markup=False)
