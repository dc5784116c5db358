"""Read one table file (CSV, Excel, Parquet) into a typed frame (docs/DEVELOPING.md "Typed frames").

Steps, the same for every format: get the grid of raw text (all columns as strings;
Parquet keeps its typed columns), find the header row below any title rows, combine a
two-row header, map headers to canonical names (aliases and national field codes of
``jingzhun.schema.columns``), drop empty rows and a trailing 合计 row, then parse each
column by its contract type. Every problem is a finding; nothing raises except a file
that is not a table at all (:class:`~jingzhun.errors.InputError`).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from jingzhun import ids
from jingzhun.errors import InputError, UsageError
from jingzhun.findings import Findings
from jingzhun.i18n import t
from jingzhun.io import clean, parse
from jingzhun.schema import columns as reg
from jingzhun.tables import TABLES, table_for_stem

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
PARQUET_SUFFIXES = (".parquet", ".pq")

HEAD_BYTES = 256 * 1024
HEAD_ROWS = 30
PARALLEL_ROWS = 50_000
TOTAL_WORDS = ("合计", "总计", "小计", "总合计")
ID_NUMBER_COLUMNS = ("id_number", "head_id_number", "payee_id_number")
_SCI = re.compile(r"^[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+$")
_DOT0 = r"^[0-9]+\.0+$"
_UNIT_SUFFIX = re.compile(r"\([^()]*\)$")


@dataclass
class SourceInfo:
    """Where a frame came from: for manifests, reports and messages."""

    path: str
    table: str
    format: str
    sha256: str
    size: int
    rows: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None  # 1-based file row of the (last) header row
    skipped_rows: list[int] = field(default_factory=list)  # 1-based file rows: title and total rows
    columns: dict[str, str] = field(default_factory=dict)  # frame column → header as in the file

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReadResult:
    frame: pd.DataFrame
    findings: Findings
    info: SourceInfo


@dataclass
class _Grid:
    """A table before typing: header cells, data columns (positional), file row numbers."""

    headers: list[str]
    data: pa.Table  # columns named c0…; strings (CSV/Excel) or typed (Parquet)
    first_data_row: int  # 1-based file row of the first data row
    header_row: int | None
    title_rows: list[tuple[int, str]] = field(default_factory=list)
    two_row: bool = False
    bad_lines: list[tuple[int | None, str]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    row_numbers: np.ndarray | None = None  # 1-based data row of each row of ``data`` when not 1..n


# ---- entry point -------------------------------------------------------------------------

def read_table(
    path: str | Path,
    table: str | None = None,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> ReadResult:
    """Read a table file into a typed frame with its reading findings and source info.

    ``table`` is inferred from the file name (canonical or Chinese alias) and else from
    the headers; pass it when neither says. ``encoding`` overrides CSV detection;
    ``sheet`` (name or 0-based index) overrides the first sheet of a workbook.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(t(f"找不到文件 {p}", f"file {p} does not exist"), t("请检查路径", "check the path"))
    if table is not None and table not in TABLES:
        raise UsageError(
            t(f"未知的表名 {table}", f"unknown table {table}"),
            t(f"可用的表: {', '.join(TABLES)}", f"tables: {', '.join(TABLES)}"),
        )
    table = table or table_for_stem(p.stem)
    fmt = detect_format(p)
    size = p.stat().st_size
    info = SourceInfo(path=str(p), table=table or "", format=fmt, sha256=sha256_file(p), size=size)
    findings = Findings()

    if _is_blank(p, fmt):
        if table is None:
            raise InputError(
                t(f"文件 {p} 是空的", f"file {p} is empty"),
                t("请检查导出的文件", "check the exported file"),
            )
        findings.add("V-READ-EMPTY-FILE", table=table, detail=p.name)
        frame = _empty_frame(table)
        return ReadResult(frame, findings, info)

    if fmt == "csv":
        grid = _read_csv_grid(p, table, encoding)
    elif fmt == "excel":
        grid = _read_excel_grid(p, table, sheet)
    else:
        grid = _read_parquet_grid(p)

    if not any(grid.headers) and grid.data.num_columns == 0:
        if table is None:
            raise InputError(t(f"文件 {p} 是空的", f"file {p} is empty"), t("请检查导出的文件", "check the exported file"))
        info.sheet = grid.sheet
        findings.add("V-READ-EMPTY-FILE", table=table, detail=p.name)
        return ReadResult(_empty_frame(table), findings, info)
    if table is None:
        table = infer_table(grid.headers, p)
    info.table = table
    info.encoding, info.delimiter, info.sheet = grid.encoding, grid.delimiter, grid.sheet
    info.header_row = grid.header_row

    frame, skipped, headers = _typed_frame(grid, table, findings, p.name)
    info.rows = len(frame)
    info.skipped_rows = sorted([r for r, _ in grid.title_rows] + skipped)
    info.columns = headers
    return ReadResult(frame, findings, info)


# ---- format, encoding, hashing -----------------------------------------------------------

def detect_format(p: Path) -> str:
    """``csv``, ``excel`` or ``parquet`` from the suffix, checked against the file's first bytes."""
    with open(p, "rb") as f:
        head = f.read(8)
    suffix = p.suffix.lower()
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "excel"
    if suffix in PARQUET_SUFFIXES or suffix in (".xlsx", ".xlsm"):
        if not head:
            return "parquet" if suffix in PARQUET_SUFFIXES else "excel"
        raise _not_a_table(p)
    if suffix in CSV_SUFFIXES or suffix == ".xls" or not suffix:
        return "csv"
    raise InputError(
        t(f"不支持的文件类型: {p.name}", f"unsupported file type: {p.name}"),
        t("请使用 .csv、.xlsx 或 .parquet", "use .csv, .xlsx or .parquet"),
    )


def _not_a_table(p: Path) -> InputError:
    return InputError(
        t(f"{p} 不是表格文件 (无法按 CSV/Excel/Parquet 读取)", f"{p} is not a table (not readable as CSV/Excel/Parquet)"),
        t("请确认导出的是表格, 而不是图片或其他文件", "check that the file is a table export, not an image or other file"),
    )


def sha256_file(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def _is_blank(p: Path, fmt: str) -> bool:
    if p.stat().st_size == 0:
        return True
    if fmt != "csv" or p.stat().st_size > 4096:
        return False
    raw = p.read_bytes().lstrip(codecs.BOM_UTF8)
    return raw.strip(b" \t\r\n,;\x00") == b""


def detect_encoding(p: Path) -> str:
    """UTF-8 with BOM, strict UTF-8, else GB18030 (a superset of GBK and GB2312)."""
    with open(p, "rb") as f:
        if f.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        f.seek(0)
        dec = codecs.getincrementaldecoder("utf-8")("strict")
        try:
            for chunk in iter(lambda: f.read(1 << 23), b""):
                dec.decode(chunk)
            dec.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            return "gb18030"


# ---- CSV ---------------------------------------------------------------------------------

def _read_csv_grid(p: Path, table: str | None, encoding: str | None) -> _Grid:
    with open(p, "rb") as f:
        head_bytes = f.read(HEAD_BYTES)
    if b"\x00" in head_bytes[:8192]:
        raise _not_a_table(p)
    enc = encoding or detect_encoding(p)
    try:
        codecs.lookup(enc)
    except LookupError:
        raise UsageError(t(f"未知的编码 {enc}", f"unknown encoding {enc}"), t("例如 gbk、gb18030、utf-8", "e.g. gbk, gb18030, utf-8")) from None
    complete = len(head_bytes) < HEAD_BYTES
    try:
        text = head_bytes.decode(enc, errors="strict" if complete else "ignore")
    except UnicodeDecodeError:
        raise InputError(
            t(f"{p} 无法按 {enc} 编码读取", f"{p} cannot be decoded as {enc}"),
            t("请用 --encoding 指定编码, 或检查文件是否为表格", "name the encoding with --encoding, or check the file is a table"),
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not complete:
        text = text[: text.rfind("\n") + 1] if "\n" in text else text
    lines = text.splitlines(keepends=True)[: HEAD_ROWS + 2]
    delim = sniff_delimiter(lines)
    rows = [r for r in csv.reader(io.StringIO("".join(lines)), delimiter=delim)]
    if not rows:
        raise _not_a_table(p)
    h, two_row = find_header(rows, _scoring_map(table))
    header_lines = h + (2 if two_row else 1)
    headers = combine_headers(rows, h, two_row, _scoring_map(table))
    # The usual field count of the data rows; rows with another count are reported, not guessed.
    counts = [len(r) for r in rows[header_lines:] if r]
    width = max(set(counts), key=lambda c: (counts.count(c), c)) if counts else len(headers)
    headers = (headers + [""] * (width - len(headers)))[: max(width, len(headers))]
    consumed = "".join(lines[:header_lines])
    offset = len(consumed.encode(enc if enc != "utf-8-sig" else "utf-8"))
    if enc == "utf-8-sig":
        offset += len(codecs.BOM_UTF8)

    bad: list[tuple[int | None, str]] = []

    def on_invalid(row: Any) -> str:
        bad.append((row.number, row.text))
        return "skip"

    names = [f"c{i}" for i in range(width)]
    arrow_enc = "utf8" if enc.replace("-", "").lower() in ("utf8", "utf8sig") else enc
    data = _arrow_csv(p, offset, names, arrow_enc, delim, on_invalid, enc, threads=True)
    if bad and any(n is None for n, _ in bad):
        # Rare: re-read on one thread, which numbers the rejected rows, so _row stays exact.
        bad.clear()
        data = _arrow_csv(p, offset, names, arrow_enc, delim, on_invalid, enc, threads=False)
    row_numbers = None
    if bad:
        rejected = {n for n, _ in bad}
        row_numbers = np.array([i for i in range(1, data.num_rows + len(rejected) + 1) if i not in rejected])
    title = [(i + 1, _row_text(rows[i])) for i in range(h) if _row_text(rows[i])]
    return _Grid(
        headers=headers,
        data=data,
        first_data_row=header_lines + 1,
        header_row=header_lines,
        title_rows=title,
        two_row=two_row,
        bad_lines=bad,
        encoding=enc,
        delimiter=delim,
        row_numbers=row_numbers,
    )


def _arrow_csv(
    p: Path, offset: int, names: list[str], arrow_enc: str, delim: str, on_invalid: Any, enc: str, *, threads: bool
) -> pa.Table:
    with open(p, "rb") as f:
        f.seek(offset)
        try:
            return pacsv.read_csv(
                f,
                read_options=pacsv.ReadOptions(
                    column_names=names, encoding=arrow_enc, block_size=1 << 24, use_threads=threads
                ),
                parse_options=pacsv.ParseOptions(delimiter=delim, invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, UnicodeDecodeError) as e:
            if "Empty CSV" in str(e):
                return pa.table({n: pa.array([], type=pa.string()) for n in names})
            raise _csv_error(p, enc, e) from None


def _csv_error(p: Path, enc: str, e: Exception) -> InputError:
    return InputError(
        t(f"{p} 无法按 CSV 读取 (编码 {enc}): {e}", f"{p} cannot be read as CSV (encoding {enc}): {e}"),
        t("请用 --encoding 指定编码, 或检查文件是否为表格", "name the encoding with --encoding, or check the file is a table"),
    )


def sniff_delimiter(lines: list[str]) -> str:
    """Comma, tab or semicolon: the one most frequent and most regular in the first lines."""
    sample = [ln for ln in lines if ln.strip()][:10]
    best, best_score = ",", 0.0
    for d in (",", "\t", ";"):
        counts = [ln.count(d) for ln in sample]
        if not counts or max(counts) == 0:
            continue
        mode = max(set(counts), key=counts.count)
        score = mode * counts.count(mode) + sum(counts) / 1000
        if score > best_score:
            best, best_score = d, score
    return best


# ---- Excel -------------------------------------------------------------------------------

def _read_excel_grid(p: Path, table: str | None, sheet: str | int | None) -> _Grid:
    import python_calamine as calamine

    try:
        wb = calamine.CalamineWorkbook.from_path(str(p))
    except Exception as e:  # calamine raises its own error types for zip/xml/format faults
        raise InputError(
            t(f"无法打开 Excel 文件 {p}: {e}", f"cannot open the Excel file {p}: {e}"),
            t("文件可能已损坏或不是 Excel 文件; 请用 Excel/WPS 打开后另存为 .xlsx",
              "the file may be damaged or not an Excel file; open it in Excel/WPS and save as .xlsx"),
        ) from None
    names = list(wb.sheet_names)
    if not names:
        raise _not_a_table(p)
    if sheet is None:
        name = names[0]
    elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
        i = int(sheet)
        if not 0 <= i < len(names):
            raise UsageError(t(f"{p.name} 没有第 {i} 个工作表", f"{p.name} has no sheet {i}"),
                             t(f"工作表: {', '.join(names)}", f"sheets: {', '.join(names)}"))
        name = names[i]
    elif sheet in names:
        name = sheet
    else:
        raise UsageError(t(f"{p.name} 没有工作表 {sheet}", f"{p.name} has no sheet {sheet}"),
                         t(f"工作表: {', '.join(names)}", f"sheets: {', '.join(names)}"))
    try:
        raw = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as e:  # calamine errors on damaged sheet XML
        raise InputError(t(f"无法读取 {p} 的工作表 {name}: {e}", f"cannot read sheet {name} of {p}: {e}")) from None
    rows = [[cell_text(v) for v in r] for r in raw]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        return _Grid(headers=[], data=pa.table({}), first_data_row=1, header_row=None, sheet=name)
    smap = _scoring_map(table)
    h, two_row = find_header(rows[:HEAD_ROWS], smap)
    headers = combine_headers(rows, h, two_row, smap)
    start = h + (2 if two_row else 1)
    body = rows[start:]
    width = max([len(headers)] + [len(r) for r in body[:1]])
    headers = headers + [""] * (width - len(headers))
    cols = {f"c{j}": pa.array([r[j] if j < len(r) else None for r in body], type=pa.string()) for j in range(width)}
    data = pa.table(cols) if cols else pa.table({})
    title = [(i + 1, _row_text(rows[i])) for i in range(h) if _row_text(rows[i])]
    return _Grid(headers=headers, data=data, first_data_row=start + 1, header_row=start, title_rows=title,
                 two_row=two_row, sheet=name)


def cell_text(v: Any) -> str | None:
    """An Excel cell value as the text a user sees (numbers with at most 15 significant digits)."""
    if v is None or v == "":
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return format(v, ".15g")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return str(v)


# ---- Parquet -----------------------------------------------------------------------------

def _read_parquet_grid(p: Path) -> _Grid:
    try:
        data = pq.read_table(p)
    except (pa.ArrowInvalid, OSError) as e:
        raise InputError(t(f"无法读取 Parquet 文件 {p}: {e}", f"cannot read the Parquet file {p}: {e}")) from None
    headers = list(data.column_names)
    data = data.rename_columns([f"c{i}" for i in range(len(headers))])
    return _Grid(headers=headers, data=data, first_data_row=1, header_row=None)


# ---- header detection --------------------------------------------------------------------

_UNION: dict[str, str] = {}


def _scoring_map(table: str | None) -> dict[str, str]:
    if table is not None:
        return reg.header_map(table)
    if not _UNION:
        for tb in TABLES:
            for k, v in reg.header_map(tb).items():
                _UNION.setdefault(k, v)
    return _UNION


def match_header(text: str | None, hmap: dict[str, str]) -> str | None:
    """Canonical column for a header cell (after trimming, width and case unification; a unit in brackets may differ)."""
    if not text:
        return None
    k = reg.key(text)
    if k in hmap:
        return hmap[k]
    k2 = _UNIT_SUFFIX.sub("", k)
    return hmap.get(k2) if k2 else None


def _score(row: list[str | None], hmap: dict[str, str]) -> int:
    return len({c for c in (match_header(v, hmap) for v in row) if c})


def find_header(rows: list[list[str | None]], hmap: dict[str, str]) -> tuple[int, bool]:
    """(index of the header row, whether the next row completes a two-row header)."""
    window = rows[:HEAD_ROWS]
    scores = [_score(r, hmap) for r in window]
    best = max(scores, default=0)
    if best == 0:
        h = next((i for i, r in enumerate(window) if any(v and str(v).strip() for v in r)), 0)
        return h, False
    h = next(i for i, s in enumerate(scores) if s >= min(2, best))
    if h + 1 >= len(rows):
        return h, False
    top, sub = rows[h], rows[h + 1]
    under_empty = under_group = 0
    for j, v in enumerate(sub):
        if not match_header(v, hmap):
            continue
        above = top[j] if j < len(top) else None
        if not above or not str(above).strip():
            under_empty += 1
        elif not match_header(above, hmap):
            under_group += 1
    return h, bool(under_empty >= 1 or under_group >= 2)


def combine_headers(rows: list[list[str | None]], h: int, two_row: bool, hmap: dict[str, str]) -> list[str]:
    top = [(v or "").strip() for v in rows[h]] if h < len(rows) else []
    if not two_row:
        return top
    sub = [(v or "").strip() for v in rows[h + 1]]
    n = max(len(top), len(sub))
    top += [""] * (n - len(top))
    sub += [""] * (n - len(sub))
    out = []
    for a, b in zip(top, sub, strict=True):
        if b and (match_header(b, hmap) or not a or not match_header(a, hmap)):
            out.append(b)
        else:
            out.append(a)
    return out


def _row_text(r: list[str | None]) -> str:
    return " ".join(str(v).strip() for v in r if v and str(v).strip())


def infer_table(headers: list[str], p: Path) -> str:
    """The table whose headers match best; an error when nothing or two tables fit equally."""
    scores = {tb: _score(headers, reg.header_map(tb)) for tb in TABLES}
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, s1), (_, s2) = ranked[0], ranked[1]
    if s1 >= 2 and s1 > s2:
        return best
    raise UsageError(
        t(f"无法从文件名或表头判断 {p.name} 是哪张表", f"cannot tell which table {p.name} is from its name or headers"),
        t(f"请用 --table 指定: {', '.join(TABLES)}", f"name it with --table: {', '.join(TABLES)}"),
    )


# ---- typing ------------------------------------------------------------------------------

def _empty_frame(table: str) -> pd.DataFrame:
    cols: dict[str, Any] = {"_row": pd.array([], dtype="Int64")}
    for name in reg.required_columns(table):
        cols[name] = _na_column(reg.column(table, name).type, 0)
    return pd.DataFrame(cols)


def _na_column(type_: str, n: int) -> pd.Series:
    dtype = {"int": "Int64", "year": "Int64", "money": "Float64", "area": "Float64", "bool": "boolean",
             "date": "datetime64[ns]"}.get(type_, "str")
    return pd.Series([None] * n, dtype=dtype)


def _typed_frame(
    grid: _Grid, table: str, findings: Findings, file_name: str
) -> tuple[pd.DataFrame, list[int], dict[str, str]]:
    cols = reg.columns(table)
    hmap = reg.header_map(table)

    for row, text in grid.title_rows:
        findings.add("V-READ-TITLE-ROWS", table=table, value=text, detail=str(row))
    if grid.two_row and grid.header_row:
        findings.add("V-READ-TWO-ROW-HEADER", table=table, detail=f"{grid.header_row - 1}-{grid.header_row}")

    # Header → canonical name; duplicates and unknown columns.
    chosen: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    for j, h in enumerate(grid.headers):
        name = match_header(h, hmap)
        if name is None:
            if h:
                unknown.append((j, h))
            continue
        if name in chosen:
            findings.add("V-COLUMN-DUPLICATE", table=table, column=name,
                         detail=t(f"第 {chosen[name] + 1} 列「{grid.headers[chosen[name]]}」和第 {j + 1} 列「{h}」",
                                  f"column {chosen[name] + 1} '{grid.headers[chosen[name]]}' and column {j + 1} '{h}'"))
            continue
        chosen[name] = j

    data = grid.data
    n_all = data.num_rows
    # 1-based data row: the first row below the header is 1.
    rows = grid.row_numbers if grid.row_numbers is not None else np.arange(1, n_all + 1)

    # Trim text columns once; drop rows with nothing in them.
    trimmed: dict[int, pa.ChunkedArray] = {}
    for j in range(data.num_columns):
        col = data.column(j)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_null(col.type):
            trimmed[j] = parse.trim(col)
        else:
            trimmed[j] = col
    keep = None
    if data.num_columns and n_all:
        empty = None
        for arr in trimmed.values():
            e = pc.is_null(arr)
            empty = e if empty is None else pc.and_(empty, e)
        if empty is not None and pc.any(empty).as_py():
            keep = pc.invert(empty)
    if keep is not None:
        for j in list(trimmed):
            trimmed[j] = pc.filter(trimmed[j], keep)
        rows = rows[np.asarray(keep)]

    # A trailing 合计 / 总计 / 小计 row (possibly several) is not data.
    skipped: list[int] = []
    n = len(rows)
    order = sorted(trimmed)
    while n > 0:
        first_cells = []
        for j in order:
            v = trimmed[j][n - 1].as_py() if len(trimmed[j]) else None
            if v is not None and str(v).strip():
                first_cells.append(str(v))
            if len(first_cells) >= 3:
                break
        if not any(reg.key(c).startswith(TOTAL_WORDS) for c in first_cells):
            break
        findings.add("V-READ-TOTAL-ROW", table=table, row=int(rows[n - 1]), value=" ".join(first_cells))
        skipped.append(int(rows[n - 1]) + (grid.header_row or 0))
        n -= 1
    if n < len(rows):
        rows = rows[:n]
        for j in list(trimmed):
            trimmed[j] = trimmed[j].slice(0, n)

    clean.strip_control_chars(trimmed, {j: nm for nm, j in chosen.items()}, grid.headers, table, rows, findings, reg.key_column(table))
    for r, text in grid.bad_lines:
        findings.add("V-READ-BAD-LINE", table=table, row=r, value=text)

    if n == 0:
        findings.add("V-READ-NO-ROWS", table=table, detail=file_name)

    row_series = pd.Series(pd.array(rows, dtype="Int64"), name="_row")
    out: dict[str, pd.Series] = {"_row": row_series}
    headers_out: dict[str, str] = {}

    key_name = reg.key_column(table)
    key_values: pd.Series | None = None
    if key_name in chosen:
        key_values = parse.to_str_series(_as_text(trimmed[chosen[key_name]]))

    # Columns convert independently (arrow kernels release the GIL): use both cores on big
    # files; each column's findings are merged in registry order, so output stays deterministic.
    todo = [(name, c) for name, c in cols.items() if name in chosen]
    per_col = {name: Findings() for name, _ in todo}

    def conv(item: tuple[str, reg.Column]) -> pd.Series:
        name, c = item
        return _convert(trimmed[chosen[name]], c, table, row_series, key_values, per_col[name])

    if n >= PARALLEL_ROWS and len(todo) > 1:
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            converted = dict(zip([nm for nm, _ in todo], pool.map(conv, todo), strict=True))
    else:
        converted = {nm: conv((nm, c)) for nm, c in todo}
    for name, c in cols.items():
        if name not in chosen:
            if c.required:
                findings.add("V-COLUMN-MISSING", table=table, column=name,
                             detail=t(f"表头可写作「{c.aliases[0] if c.aliases else name}」",
                                      f"header e.g. '{c.aliases[0] if c.aliases else name}'"))
                out[name] = _na_column(c.type, n)
            continue
        headers_out[name] = grid.headers[chosen[name]]
        out[name] = converted[name]
        findings.extend(per_col[name])

    for j, h in unknown:
        findings.add("V-COLUMN-UNKNOWN", table=table, column=h)
        label = h if h not in out else f"{h}#{j + 1}"
        out[label] = parse.to_str_series(_as_text(trimmed[j]))
        headers_out[label] = h
    # Columns without a header that hold values are kept as 列N.
    named = set(chosen.values()) | {j for j, _ in unknown}
    for j in order:
        if j in named or j >= len(grid.headers) or pc.all(pc.is_null(trimmed[j])).as_py() in (True, None):
            continue
        label = t(f"列{j + 1}", f"column{j + 1}")
        findings.add("V-COLUMN-UNKNOWN", table=table, column=label)
        out[label] = parse.to_str_series(_as_text(trimmed[j]))
        headers_out[label] = ""

    frame = pd.DataFrame({k: v.reset_index(drop=True) for k, v in out.items()})
    return frame, skipped, headers_out


def _as_text(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Any arrow column as trimmed text (numbers as Excel would show them)."""
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    if pa.types.is_floating(arr.type):
        vals = [cell_text(v) for v in arr.to_pylist()]
        return pa.chunked_array([pa.array(vals, type=pa.large_string())])
    return parse.trim(pc.cast(arr, pa.large_string()))


def _convert(
    arr: pa.ChunkedArray,
    c: reg.Column,
    table: str,
    rows: pd.Series,
    keys: pd.Series | None,
    findings: Findings,
) -> pd.Series:
    typ = arr.type
    # Parquet fast paths: a typed column that already has the contract type.
    if not c.identifier and not (pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_null(typ)):
        fast = _typed_fast_path(arr, c)
        if fast is not None:
            return fast
    text = _as_text(arr)

    if c.identifier or c.type == "text":
        s = parse.to_str_series(text)
        if c.identifier:
            s = _check_identifier(s, c, table, rows, keys, findings)
        return s

    if c.type == "enum":
        typed, bad = parse.by_unique(text, lambda u: parse.parse_enum(u, reg.label_map(table, c.name)))
        _report(findings, "V-ENUM-UNKNOWN", table, c.name, bad, text, rows, keys)
        return typed.astype("str")
    if c.type == "multi":
        typed, bad, unknown = parse.by_unique(
            text, lambda u: parse.parse_multi(u, reg.label_map(table, c.name), c.labels)
        )
        _report(findings, "V-ENUM-UNKNOWN", table, c.name, bad, text, rows, keys)
        return typed.astype("str")

    parser, code = {
        "int": (parse.parse_int, "V-VALUE-NOT-INT"),
        "year": (parse.parse_year, "V-VALUE-NOT-YEAR"),
        "money": (parse.parse_number, "V-VALUE-NOT-NUMBER"),
        "area": (parse.parse_number, "V-VALUE-NOT-NUMBER"),
        "date": (parse.parse_date, "V-VALUE-NOT-DATE"),
        "bool": (lambda u: parse.parse_bool(u, reg.bool_map(table, c.name)), "V-VALUE-NOT-BOOL"),
    }[c.type]
    typed, bad = parse.by_unique(text, parser)
    _report(findings, code, table, c.name, bad, text, rows, keys)
    dtype = {"int": "Int64", "year": "Int64", "money": "Float64", "area": "Float64", "bool": "boolean",
             "date": "datetime64[ns]"}[c.type]
    return typed.astype(dtype)


def _masked(arr: pa.ChunkedArray, kind: str) -> pd.api.extensions.ExtensionArray:
    """A typed arrow column as a pandas masked array, built from numpy buffers.

    ``pd.array(arrow, dtype="Int64")`` goes through Python objects when the column has
    nulls (seconds per million rows); this takes the values and the null mask directly.
    A float NaN counts as missing, as it does in ``pd.array``.
    """
    a = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    mask = np.asarray(a.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if kind == "bool":
        vals = pc.fill_null(a, False).to_numpy(zero_copy_only=False)
        return pd.arrays.BooleanArray(np.asarray(vals, dtype=bool), mask)
    if kind == "int":
        vals = pc.fill_null(a, 0).to_numpy(zero_copy_only=False)
        return pd.arrays.IntegerArray(np.asarray(vals, dtype=np.int64), mask)
    vals = np.asarray(pc.fill_null(a, 0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
    mask |= np.isnan(vals)
    return pd.arrays.FloatingArray(np.where(mask, 0.0, vals), mask)


def _typed_fast_path(arr: pa.ChunkedArray, c: reg.Column) -> pd.Series | None:
    typ = arr.type
    if c.type in ("money", "area") and (pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ)):
        return pd.Series(_masked(pc.cast(arr, pa.float64()), "float"))
    if c.type in ("int", "year") and pa.types.is_integer(typ):
        return pd.Series(_masked(pc.cast(arr, pa.int64()), "int"))
    if c.type == "bool" and pa.types.is_boolean(typ):
        return pd.Series(_masked(arr, "bool"))
    if c.type == "date" and (pa.types.is_timestamp(typ) or pa.types.is_date(typ)):
        return pd.Series(pd.to_datetime(pc.cast(arr, pa.timestamp("ns")).to_pandas()), dtype="datetime64[ns]")
    return None


def _report(
    findings: Findings,
    code: str,
    table: str,
    column: str,
    bad: np.ndarray,
    text: pa.ChunkedArray,
    rows: pd.Series,
    keys: pd.Series | None,
) -> None:
    if not bad.any():
        return
    idx = np.flatnonzero(bad)
    raw = text.take(pa.array(idx)).to_pylist()
    findings.add(code, table=table, row=rows.iloc[idx].reset_index(drop=True), column=column, value=raw,
                 key=None if keys is None else keys.iloc[idx].reset_index(drop=True))


# Tables exported by other departments (民政's roster, comparison hits): their damaged IDs
# are the other department's to fix and are matched by other means, so they warn.
EXTERNAL_TABLES = frozenset({"dibao", "crosscheck"})


def _check_identifier(
    s: pd.Series, c: reg.Column, table: str, rows: pd.Series, keys: pd.Series | None, findings: Findings
) -> pd.Series:
    """Excel-damaged IDs get V-ID-EXCEL-DAMAGED; an integral ``.0`` on other identifiers is removed."""
    suspect = s.str.contains(r"[.eE]|000$", regex=True).fillna(False).astype(bool).to_numpy()
    if not suspect.any():
        return s
    idx = np.flatnonzero(suspect)
    sub = s.iloc[idx]
    if c.name in ID_NUMBER_COLUMNS:
        damaged = ids.excel_damaged(sub).to_numpy(dtype=bool)
        repair = np.zeros(len(idx), dtype=bool)
    else:
        damaged = sub.str.fullmatch(_SCI.pattern).fillna(False).astype(bool).to_numpy()
        repair = sub.str.fullmatch(_DOT0).fillna(False).astype(bool).to_numpy()
    key_sub = None if keys is None else keys.iloc[idx]
    if damaged.any():
        code = "V-ROSTER-ID-EXCEL-DAMAGED" if table in EXTERNAL_TABLES else "V-ID-EXCEL-DAMAGED"
        findings.add(code, table=table, row=rows.iloc[idx[damaged]].reset_index(drop=True),
                     column=c.name, value=sub[damaged].reset_index(drop=True),
                     key=None if key_sub is None else key_sub[damaged].reset_index(drop=True))
    if repair.any():
        findings.add("V-ID-DOT0-REPAIRED", table=table, row=rows.iloc[idx[repair]].reset_index(drop=True),
                     column=c.name, value=sub[repair].reset_index(drop=True),
                     key=None if key_sub is None else key_sub[repair].reset_index(drop=True))
        s = s.copy()
        s.iloc[idx[repair]] = sub[repair].str.replace(r"\.0+$", "", regex=True).to_numpy()
    return s


def read_tables(paths: Iterable[tuple[str, Path]], *, encoding: str | None = None) -> dict[str, ReadResult]:
    """Read several files, each as the table named with it."""
    return {tb: read_table(p, tb, encoding=encoding) for tb, p in paths}
