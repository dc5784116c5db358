"""The 低保/特困 match's public API: :func:`load_decisions` (the review decisions kept in
the dataset and a new filled-in review file), :func:`compute` and :func:`write`;
``jingzhun match`` and the ``match`` step of ``jingzhun run`` (:mod:`jingzhun.steps`) both
go through here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from jingzhun.county import settle
from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import InputError
from jingzhun.findings import Findings
from jingzhun.i18n import t
from jingzhun.io.write import write_csv, write_json, write_xlsx
from jingzhun.match import decisions as dec
from jingzhun.match.core import REVIEW_COLUMNS, MatchResult, match
from jingzhun.params import Params
from jingzhun.progress import Reporter, no_step
from jingzhun.steps import Context, Outcome

TABLES = ("households", "members", "villages", "dibao")


REVIEW_SHEET = "review"  # labelled by the writer: 复核 / review


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


def compute(
    frames: dict[str, pd.DataFrame], params: Params, data_year: int, decisions: pd.DataFrame | None = None
) -> MatchResult:
    """Link the register to the roster, applying the review ``decisions`` (None or empty: none)."""
    return match(
        frames, params, data_year, decisions=decisions if decisions is not None and not decisions.empty else None
    )


def write(result: MatchResult, folder: Path, xlsx: bool = False, metrics: dict[str, Any] | None = None) -> None:
    """Every output of ``result`` (with its own findings) into ``folder``."""
    write_files(result, result.findings.render(), folder, metrics, xlsx=xlsx)


def step_compute(c: Context) -> Outcome:
    c.need_table("dibao")
    applied, _ = load_decisions(c.ds.root, None)
    result = compute(c.frames, c.params, c.year, applied)
    return Outcome(result, result.findings, {"pairs": int(len(result.pairs))})


def step_write(outcome: Outcome, d: Path, c: Context) -> None:
    d.mkdir()
    write(outcome.value, d, xlsx=c.options.xlsx)
