"""``jingzhun match DATASET [--year Y]``: link the register to the 低保/特困 roster.

Writes ``match/pairs.csv``, ``match/findings.csv``, ``match/review.xlsx`` (pairs below
the review threshold, with an empty 决定 column) and ``match/summary.json``.
``--decisions FILE`` applies a filled-in review file and keeps its decisions in the
dataset as ``match_decisions.csv``, read again automatically by every later run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
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
from jingzhun.county import settle
from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import InputError
from jingzhun.findings import Findings, severity_counts, worst_exit_code
from jingzhun.findings_view import code_label
from jingzhun.i18n import t
from jingzhun.io.write import write_csv, write_json, write_xlsx
from jingzhun.match import decisions as dec
from jingzhun.match.core import METHODS, REVIEW_COLUMNS, MatchResult, match
from jingzhun.match.evaluate import evaluate
from jingzhun.outputs import output_dir, replaced_file
from jingzhun.params import Params
from jingzhun.progress import Reporter, no_step

TABLES = ("households", "members", "villages", "dibao")
REVIEW_SHEET = "review"  # labelled by the writer: 复核 / review

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


def read_frame(path: Path) -> pd.DataFrame:
    """A decisions or truth file: .xlsx (first sheet) or .csv (any usual encoding), all text."""
    if not path.is_file():
        raise InputError(t(f"找不到文件 {path}", f"file {path} not found"), t("请检查路径", "check the path"))
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(path))
            rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
            if not rows:
                return pd.DataFrame()
            header = [str(h).strip() for h in rows[0]]
            body = [["" if v is None else str(v) for v in r] for r in rows[1:]]
            return pd.DataFrame(body, columns=header, dtype="str")
        from jingzhun.io.read import detect_encoding

        return pd.read_csv(path, dtype="str", keep_default_na=False, encoding=detect_encoding(path))
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise InputError(
            t(f"无法读取 {path}: {e}", f"cannot read {path}: {e}"),
            t("请提供 .xlsx 或 .csv 文件", "give an .xlsx or .csv file"),
        ) from None


def read_kept(path: Path) -> pd.DataFrame | None:
    """The decisions kept in the dataset (``match_decisions.csv``), None when there are none.

    jingzhun writes this file whole (replaced in one rename): every row has every column
    and ends with a line break. A file cut short (a full disk, a kill, a copy that stopped)
    is an error, never read as a shorter list of decisions.
    """
    if not path.is_file():
        return None
    try:
        frame = read_frame(path)
    except InputError:
        frame = None
    if frame is None or _damaged(path.read_bytes(), frame):
        raise InputError(
            t(
                f"保存的复核决定 {path} 已损坏 (文件不完整, 如最后一行被截断)",
                f"the kept review decisions {path} are damaged (the file is incomplete, e.g. its last row is cut)",
            ),
            t(
                "请从备份恢复该文件, 或删除它后用 jingzhun match --decisions 重新提供已填写的复核表; "
                "若是手工编辑的, 每行 (包括最后一行) 都要以回车结束",
                "restore the file from a backup, or delete it and give the filled-in review file again with "
                "jingzhun match --decisions; "
                "if you edited it by hand, end every line (the last one too) with a line break",
            ),
        )
    return frame


def _damaged(raw: bytes, frame: pd.DataFrame) -> bool:
    if not raw.strip(b"\xef\xbb\xbf \r\n"):
        return False  # empty: no decisions
    if not raw.endswith(b"\n") or not {"record_id", "decision"} <= set(frame.columns):
        return True
    return bool(frame.isna().any(axis=None))  # a row with fewer cells (every cell is text, "" when empty)


def load_decisions(root: Path, new_file: Path | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(decisions to apply: kept ones + the new file, the new file's frame)."""
    kept = read_kept(root / dec.DECISIONS_FILE)
    new = read_frame(new_file) if new_file is not None else None
    if new is not None:
        renamed = new.rename(columns=dec.canonical_header)
        if "record_id" not in renamed.columns or "decision" not in renamed.columns:
            raise InputError(
                t(
                    f"{new_file} 不是复核表: 缺少 名册记录编号 或 决定 列",
                    f"{new_file} is not a review file: no record_id or decision column",
                ),
                t(
                    "请填写 match/review.xlsx 的决定栏后再提供",
                    "fill the decision column of match/review.xlsx and pass that file",
                ),
            )
    parts = [x for x in (kept, new) if x is not None]
    applied = pd.concat([dec.normalize_frame(x) for x in parts], ignore_index=True) if parts else pd.DataFrame()
    if not applied.empty:
        applied = applied.drop_duplicates(["record_id", "household_id", "id_number"], keep="last").reset_index(
            drop=True
        )
    return applied, new


def review_sheet(review: pd.DataFrame) -> pd.DataFrame:
    """The review pairs under their canonical names (the writer gives them the person's titles)."""
    return review[REVIEW_COLUMNS]


def write_files(
    result: MatchResult, rendered: pd.DataFrame, d: Path, metrics: dict[str, Any] | None = None, xlsx: bool = False
) -> None:
    """Every output of match into folder ``d`` (shared with ``jingzhun run``)."""
    write_csv(result.pairs, d / "pairs.csv")
    write_csv(rendered, d / "findings.csv")
    if xlsx:
        write_xlsx({"pairs": result.pairs, "findings": rendered}, d / "match.xlsx")
    write_xlsx(
        {REVIEW_SHEET: review_sheet(result.review)},
        d / "review.xlsx",
        choices={REVIEW_SHEET: {"decision": [t(dec.CONFIRM, "confirm"), t(dec.REJECT, "reject")]}},
    )
    write_json(result.summary | ({"metrics": metrics} if metrics is not None else {}), d / "summary.json")


def run_match(
    dataset: Path,
    year: int | None,
    config: Path | None,
    decisions_file: Path | None,
    progress: Reporter | None = None,
) -> tuple[MatchResult, Findings, Dataset, pd.DataFrame | None, dict[str, pd.DataFrame]]:
    step = progress.step if progress is not None else no_step
    ds = Dataset.open(dataset)
    data_year = ds.resolve_year(year)
    params = Params.load(ds.root, config)
    params.poverty_line(data_year - 1)
    applied, new = load_decisions(ds.root, decisions_file)
    with step("read"):
        yd = load_year(ds, data_year, TABLES)
    settle(params, yd.frames)
    with step("match"):
        result = match(yd.frames, params, data_year, decisions=applied if not applied.empty else None)
    findings = Findings()
    findings.extend([yd.findings, result.findings])
    return result, findings, ds, new, yd.frames


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
