"""Read one table file (CSV, Excel, Parquet) into a typed frame (docs/DEVELOPING.md "Typed frames").

Steps, the same for every format: get the grid of raw text (all columns as strings;
Parquet keeps its typed columns), find the header row below any title rows, combine a
two-row header, map headers to canonical names (aliases and national field codes of
``jingzhun.tablespec``), drop empty rows and a trailing 合计 row, then parse each
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
import zipfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from jingzhun import ids
from jingzhun import tablespec as reg
from jingzhun.errors import ConfigError, InputError, UsageError
from jingzhun.findings import Findings, detail_text, unnamed_column
from jingzhun.i18n import t
from jingzhun.io import clean, parse
from jingzhun.tablespec import CSV_SUFFIXES, PARQUET_SUFFIXES, TABLES, table_for_stem

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
    # (size, mtime_ns) of the file when its bytes were read: to tell a file changed during the run.
    stamp: tuple[int, int] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("stamp")
        return d

    def check_unchanged(self) -> None:
        """Raise :class:`InputError` when the file was removed or changed since it was read."""
        if self.stamp is None:
            return
        p = Path(self.path)
        try:
            st = p.stat()
        except OSError:
            raise input_moved(p, t("在运行中被删除或移走", "was removed or moved during the run")) from None
        if (st.st_size, st.st_mtime_ns) != self.stamp:
            raise input_moved(p, t("在运行中被修改", "was changed during the run"))


def input_moved(p: Path, what: str) -> InputError:
    """The error for an input file that changed or vanished after it was found."""
    return InputError(
        t(f"输入文件 {p} {what}", f"input file {p} {what}"),
        t(
            "请在运行结束前不要改动数据文件夹, 然后重新运行",
            "leave the dataset alone until the run ends, then run again",
        ),
    )


@dataclass(frozen=True)
class Limits:
    """Size limits checked before a file is read (``[limits]`` in params_default.toml)."""

    max_cell_chars: int = 32767
    max_rows: int = 20_000_000
    max_excel_cells: int = 50_000_000
    max_unpacked_mb: int = 4096

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> Limits:
        known = {f.name for f in fields(cls)}
        for k, v in values.items():
            if k in known and not (isinstance(v, int | float) and not isinstance(v, bool) and 1 <= v < 2**53):
                raise ConfigError(
                    t(
                        f"参数 limits.{k} 应为正整数, 而不是 {v}",
                        f"parameter limits.{k} must be a positive whole number, not {v}",
                    )
                )
        return cls(**{k: int(v) for k, v in values.items() if k in known})


@cache
def default_limits() -> Limits:
    """The packaged ``[limits]`` (a dataset's ``jingzhun.toml`` may change them, see ``load_year``)."""
    from jingzhun.params import Params

    return Limits.from_values(Params.load().table("limits"))


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
    table: str | None = None  # the table, when the reader had to infer it to choose the columns
    extra: list[int] = field(default_factory=list)  # headerless columns with values (reported, not read)
    trimmed: set[int] = field(default_factory=set)  # columns already trimmed (in their Parquet dictionary)


# ---- entry point -------------------------------------------------------------------------


def read_table(
    path: str | Path,
    table: str | None = None,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    limits: Limits | None = None,
) -> ReadResult:
    """Read a table file into a typed frame with its reading findings and source info.

    ``table`` is inferred from the file name (canonical or Chinese alias) and else from
    the headers; pass it when neither says. ``encoding`` overrides CSV detection;
    ``sheet`` (name or 0-based index) overrides the sheet choice of a workbook. The
    file is read once: ``info.sha256`` is the hash of the very bytes parsed.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(t(f"找不到文件 {p}", f"file {p} does not exist"), t("请检查路径", "check the path"))
    if table is not None and table not in TABLES:
        raise UsageError(
            t(f"未知的表名 {table}", f"unknown table {table}"),
            t(f"可用的表: {', '.join(TABLES)}", f"tables: {', '.join(TABLES)}"),
        )
    limits = limits or default_limits()
    table = table or table_for_stem(p.stem)
    raw, stamp = read_bytes(p)
    fmt = detect_format(p, raw[:8])
    info = SourceInfo(
        path=str(p), table=table or "", format=fmt, sha256=hashlib.sha256(raw).hexdigest(), size=len(raw), stamp=stamp
    )
    findings = Findings()

    if _is_blank(raw, fmt):
        if table is None:
            raise InputError(
                t(f"文件 {p} 是空的", f"file {p} is empty"),
                t("请检查导出的文件", "check the exported file"),
            )
        findings.add("V-READ-EMPTY-FILE", table=table, detail=p.name)
        frame = _empty_frame(table)
        return ReadResult(frame, findings, info)

    if fmt == "csv":
        grid = _read_csv_grid(p, raw, table, encoding)
    elif fmt == "excel":
        grid = _read_excel_grid(p, raw, table, sheet, limits, findings)
    else:
        grid = _read_parquet_grid(p, raw, table, limits, findings)
    del raw

    if not any(grid.headers) and grid.data.num_columns == 0:
        if table is None:
            raise InputError(
                t(f"文件 {p} 是空的", f"file {p} is empty"), t("请检查导出的文件", "check the exported file")
            )
        info.sheet = grid.sheet
        findings.add("V-READ-EMPTY-FILE", table=table, detail=p.name)
        return ReadResult(_empty_frame(table), findings, info)
    table = grid.table or table
    if table is None:
        table = infer_table(grid.headers, p)
    info.table = table
    info.encoding, info.delimiter, info.sheet = grid.encoding, grid.delimiter, grid.sheet
    info.header_row = grid.header_row

    frame, skipped, headers = _typed_frame(grid, table, findings, p.name, limits)
    frame = reg.conform(table, frame)  # every column of the contract: an absent one typed, all NA
    info.rows = len(frame)
    info.skipped_rows = sorted([r for r, _ in grid.title_rows] + skipped)
    info.columns = headers
    return ReadResult(frame, findings, info)


def read_bytes(p: Path) -> tuple[bytes, tuple[int, int]]:
    """The whole file and its (size, mtime_ns); a file that vanishes or changes while read is an InputError."""
    try:
        before = p.stat()
        raw = p.read_bytes()
        after = p.stat()
    except FileNotFoundError:
        raise input_moved(p, t("在读取时被删除或移走", "was removed or moved while being read")) from None
    except OSError as e:
        raise InputError(
            t(f"无法读取文件 {p}: {e.strerror or e}", f"cannot read the file {p}: {e.strerror or e}")
        ) from None
    stamp = (after.st_size, after.st_mtime_ns)
    if len(raw) != after.st_size or stamp != (before.st_size, before.st_mtime_ns):
        raise InputError(
            t(f"输入文件 {p} 在读取时被修改", f"input file {p} changed while being read"),
            t(
                "请在运行结束前不要改动数据文件夹, 然后重新运行",
                "leave the dataset alone until the run ends, then run again",
            ),
        )
    return raw, stamp


# ---- format, encoding, hashing -----------------------------------------------------------


def detect_format(p: Path, head: bytes | None = None) -> str:
    """``csv``, ``excel`` or ``parquet`` from the suffix, checked against the file's first bytes."""
    if head is None:
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
        t(
            f"{p} 不是表格文件 (无法按 CSV/Excel/Parquet 读取)",
            f"{p} is not a table (not readable as CSV/Excel/Parquet)",
        ),
        t(
            "请确认导出的是表格, 而不是图片或其他文件",
            "check that the file is a table export, not an image or other file",
        ),
    )


def sha256_file(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def _is_blank(raw: bytes, fmt: str) -> bool:
    if not raw:
        return True
    if fmt != "csv" or len(raw) > 4096:
        return False
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if raw.startswith(bom):
            raw = raw[len(bom) :]
            break
    return raw.strip(b" \t\r\n,;\x00") == b""


def detect_encoding(source: Path | bytes) -> str:
    """UTF-16 (by its BOM, or NULs in every other byte), UTF-8 with BOM, strict UTF-8, else GB18030.

    GB18030 is a superset of GBK and GB2312. Excel's "Unicode text" export is UTF-16 LE with a BOM.
    """
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if raw.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    head = raw[:8192]
    if len(head) >= 4 and b"\x00" in head:
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if odd > len(head) // 4 and even == 0:
            return "utf-16-le"
        if even > len(head) // 4 and odd == 0:
            return "utf-16-be"
    dec = codecs.getincrementaldecoder("utf-8")("strict")
    view = memoryview(raw)
    try:  # in slices: no full-size copy of a big file
        for i in range(0, len(view), 1 << 23):
            dec.decode(view[i : i + (1 << 23)])
        dec.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _bom_length(raw: bytes, enc: str) -> int:
    boms = {"utf-8-sig": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    bom = boms.get(enc.lower())
    if enc.lower().replace("_", "-") in ("utf-8", "utf8") and raw.startswith(codecs.BOM_UTF8):
        bom = codecs.BOM_UTF8
    return len(bom) if bom is not None and raw.startswith(bom) else 0


# ---- CSV ---------------------------------------------------------------------------------


def _read_csv_grid(p: Path, raw: bytes, table: str | None, encoding: str | None) -> _Grid:
    enc = encoding or detect_encoding(raw)
    try:
        enc = codecs.lookup(enc).name
    except LookupError:
        raise UsageError(
            t(f"未知的编码 {enc}", f"unknown encoding {enc}"), t("例如 gbk、gb18030、utf-8", "e.g. gbk, gb18030, utf-8")
        ) from None
    if enc == "utf-16":  # the BOM decides; name the byte order so that a slice after the header decodes
        enc = "utf-16-be" if raw.startswith(codecs.BOM_UTF16_BE) else "utf-16-le"
    head = raw[:8192]
    if head.count(0) > max(2, len(head) // 1000) and not enc.startswith("utf-16"):  # a stray NUL in a name is text
        raise _not_a_table(p)
    bom = _bom_length(raw, enc)
    head_bytes = raw[bom : bom + HEAD_BYTES]
    complete = bom + HEAD_BYTES >= len(raw)
    text_enc = "utf-8" if enc == "utf-8-sig" else enc
    try:
        text = head_bytes.decode(text_enc, errors="strict" if complete else "ignore")
    except UnicodeDecodeError:
        raise InputError(
            t(f"{p} 无法按 {enc} 编码读取", f"{p} cannot be decoded as {enc}"),
            t(
                "请用 --encoding 指定编码, 或检查文件是否为表格",
                "name the encoding with --encoding, or check the file is a table",
            ),
        ) from None
    if text.startswith("\ufeff"):
        text, bom = text[1:], bom + len("\ufeff".encode(text_enc))
    if not complete:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        text = text[: cut + 1] if cut >= 0 else text
    # CR, LF and CRLF all end a row (old Mac and WPS exports); quoted fields may hold line breaks.
    sio = io.StringIO(text, newline="")
    reader = csv.reader(sio, delimiter=sniff_delimiter(text.splitlines()[:HEAD_ROWS]))
    delim = reader.dialect.delimiter
    rows: list[list[str]] = []
    ends: list[int] = []
    try:
        for r in reader:
            rows.append(r)
            ends.append(sio.tell())
            if len(rows) >= HEAD_ROWS + 2:
                break
    except csv.Error:
        pass  # a broken row in the sample: arrow reports it below
    if not rows:
        raise _not_a_table(p)
    h, two_row = find_header(rows, _scoring_map(table))
    header_lines = min(h + (2 if two_row else 1), len(rows))
    headers = combine_headers(rows, h, two_row, _scoring_map(table))
    table = table or infer_table(headers, p)
    # The usual field count of the data rows; rows with another count are reported, not guessed.
    counts = [len(r) for r in rows[header_lines:] if r]
    width = max(set(counts), key=lambda c: (counts.count(c), c)) if counts else len(headers)
    headers = (headers + [""] * (width - len(headers)))[: max(width, len(headers))]
    offset = bom + len(text[: ends[header_lines - 1]].encode(text_enc))

    bad: list[tuple[int | None, str]] = []

    def on_invalid(row: Any) -> str:
        bad.append((row.number, row.text))
        return "skip"

    names = [f"c{i}" for i in range(width)]
    wanted = _wanted_columns(headers[:width], table)
    arrow_enc = "utf8" if text_enc.replace("-", "").lower() == "utf8" else enc
    body = pa.py_buffer(raw)[offset:]
    data = _arrow_csv(p, body, names, wanted, arrow_enc, delim, on_invalid, enc, threads=True)
    if bad and any(n is None for n, _ in bad):
        # Rare: re-read on one thread, which numbers the rejected rows, so _row stays exact.
        bad.clear()
        data = _arrow_csv(p, body, names, wanted, arrow_enc, delim, on_invalid, enc, threads=False)
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
        table=table,
        extra=_headerless_with_values(headers, rows[header_lines:], wanted),
    )


def _wanted_columns(headers: list[str], table: str) -> list[int]:
    """Positions to read: the contract's columns, and the first column (a 合计 label is often there)."""
    hmap = reg.header_map(table)
    keep = [j for j, h in enumerate(headers) if match_header(h, hmap) is not None]
    return sorted(set(keep) | ({0} if headers else set()))


def _headerless_with_values(headers: list[str], sample: list[list[Any]], wanted: list[int]) -> list[int]:
    """Columns without a header that hold values in the first rows (reported, not read)."""
    skip = set(wanted)
    return [
        j
        for j, h in enumerate(headers)
        if not h and j not in skip and any(j < len(r) and r[j] not in (None, "") and str(r[j]).strip() for r in sample)
    ]


def _arrow_csv(
    p: Path,
    body: pa.Buffer,
    names: list[str],
    wanted: list[int],
    arrow_enc: str,
    delim: str,
    on_invalid: Any,
    enc: str,
    *,
    threads: bool,
) -> pa.Table:
    """The data rows (after the header) as strings; only the ``wanted`` columns are kept."""
    include = [names[j] for j in wanted if j < len(names)]
    try:
        return pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(
                column_names=names, encoding=arrow_enc, block_size=1 << 24, use_threads=threads
            ),
            parse_options=pacsv.ParseOptions(delimiter=delim, invalid_row_handler=on_invalid, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(include, pa.string()),
                include_columns=include,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, MemoryError) as e:
        if "Empty CSV" in str(e):
            return pa.table({n: pa.array([], type=pa.string()) for n in include})
        raise _csv_error(p, enc, e) from None


def _csv_error(p: Path, enc: str, e: Exception) -> InputError:
    return InputError(
        t(f"{p} 无法按 CSV 读取 (编码 {enc}): {e}", f"{p} cannot be read as CSV (encoding {enc}): {e}"),
        t(
            "请用 --encoding 指定编码, 或检查文件是否为表格",
            "name the encoding with --encoding, or check the file is a table",
        ),
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


def _read_excel_grid(
    p: Path, raw: bytes, table: str | None, sheet: str | int | None, limits: Limits, findings: Findings
) -> _Grid:
    import python_calamine as calamine

    parts = xlsx_sheets(p, raw, limits)
    try:
        wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
        meta = list(wb.sheets_metadata)
    except Exception as e:  # noqa: BLE001 - calamine raises its own error types for zip/xml/format faults
        raise InputError(
            t(f"无法打开 Excel 文件 {p}: {e}", f"cannot open the Excel file {p}: {e}"),
            t(
                "文件可能已损坏或不是 Excel 文件; 请用 Excel/WPS 打开后另存为 .xlsx",
                "the file may be damaged or not an Excel file; open it in Excel/WPS and save as .xlsx",
            ),
        ) from None
    names = [m.name for m in meta]
    if not names:
        raise _not_a_table(p)
    if sheet is not None:
        return _excel_sheet_grid(p, wb, _named_sheet(p, names, sheet), table, parts, limits)
    hidden = [m.name for m in meta if not str(m.visible).endswith(".Visible")]
    visible = [n for n in names if n not in hidden]
    if not visible:
        raise InputError(
            t(f"{p} 的工作表都是隐藏的: {', '.join(names)}", f"every sheet of {p} is hidden: {', '.join(names)}"),
            t("请用 --sheet 指定要读的工作表", "name the sheet to read with --sheet"),
        )
    # The first visible sheet whose header fits the table; else the best fitting one; else the first.
    best: _Grid | None = None
    best_score = -1
    for name in visible:
        grid = _excel_sheet_grid(p, wb, name, table, parts, limits)
        score = _score(grid.headers, _scoring_map(table))
        if score > best_score:
            best, best_score = grid, score
        if score >= 2:
            break
    assert best is not None
    tb = table or best.table or table_for_stem(p.stem)
    for name in hidden:
        findings.add(
            "V-READ-HIDDEN-SHEET",
            table=tb or "",
            value=name,
            detail=t(f"{p.name}, 已读工作表「{best.sheet}」", f"{p.name}, read sheet '{best.sheet}'"),
        )
    return best


def _named_sheet(p: Path, names: list[str], sheet: str | int) -> str:
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
        i = int(sheet)
        if not 0 <= i < len(names):
            raise UsageError(
                t(f"{p.name} 没有第 {i} 个工作表", f"{p.name} has no sheet {i}"),
                t(f"工作表: {', '.join(names)}", f"sheets: {', '.join(names)}"),
            )
        return names[i]
    if sheet in names:
        return sheet
    raise UsageError(
        t(f"{p.name} 没有工作表 {sheet}", f"{p.name} has no sheet {sheet}"),
        t(f"工作表: {', '.join(names)}", f"sheets: {', '.join(names)}"),
    )


def _excel_sheet_grid(p: Path, wb: Any, name: str, table: str | None, parts: _Xlsx, limits: Limits) -> _Grid:
    if parts.zip is not None and name in parts.sheets:
        check_sheet_size(p, parts.zip, parts.sheets[name], name, limits)
    try:
        raw = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as e:  # noqa: BLE001 - calamine errors on damaged sheet XML
        raise InputError(t(f"无法读取 {p} 的工作表 {name}: {e}", f"cannot read sheet {name} of {p}: {e}")) from None
    rows = [[cell_text(v) for v in r] for r in raw]
    del raw
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
    title = [(i + 1, _row_text(rows[i])) for i in range(h) if _row_text(rows[i])]
    grid = _Grid(
        headers=headers,
        data=pa.table({}),
        first_data_row=start + 1,
        header_row=start,
        title_rows=title,
        two_row=two_row,
        sheet=name,
    )
    tb = table
    if tb is None:
        if _score(headers, _UNION) < 2:
            return grid  # not this sheet (the caller tries the next one or infers the table)
        tb = infer_table(headers, p)
    wanted = _wanted_columns(headers, tb)
    grid.data = pa.table(
        {f"c{j}": pa.array([r[j] if j < len(r) else None for r in body], type=pa.string()) for j in wanted}
    )
    grid.table, grid.extra = tb, _headerless_with_values(headers, body[:HEAD_ROWS], wanted)
    return grid


# ---- size checks before reading (hostile files) ------------------------------------------

_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_ROW_TAG = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')


def _cells_beyond(last: bytes) -> re.Pattern[bytes]:
    """A pattern for cell references whose column lies beyond column ``last`` (e.g. b"AR").

    Honest files have none, so the scan finds nothing and costs no Python work per cell.
    """
    n = len(last)
    alts = [rb"[A-Z]{%d,}" % (n + 1)]
    for i, ch in enumerate(last):
        if ch < ord("Z"):
            alts.append(
                last[:i] + b"[" + bytes([ch + 1]) + b"-Z]" + (rb"[A-Z]{%d}" % (n - i - 1) if n - i - 1 else b"")
            )
    # A literal start (' r="') lets the regex engine skip ahead fast; rows have digits there, cells letters.
    return re.compile(rb' r="(' + b"|".join(alts) + rb")\d")


def _too_big(p: Path, what_zh: str, what_en: str) -> InputError:
    return InputError(
        t(f"{p} 超出读取上限, 未读入: {what_zh}", f"{p} is over a reading limit and was not read: {what_en}"),
        t(
            "如确是真实数据, 可在 jingzhun.toml 的 [limits] 中调高上限; 否则请检查文件 (可能已损坏或被篡改)",
            "if the data is real, raise the limit under [limits] in jingzhun.toml; else check the file "
            "(it may be damaged or crafted)",
        ),
    )


@dataclass
class _Xlsx:
    zip: zipfile.ZipFile | None = None
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name → its XML member


def xlsx_sheets(p: Path, raw: bytes, limits: Limits) -> _Xlsx:
    """Check an xlsx zip's unpacked size and map its sheets to their XML members (nothing for .xls)."""
    if not raw.startswith(b"PK"):
        return _Xlsx()
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
        infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return _Xlsx()  # calamine reports the damage
    total = sum(i.file_size for i in infos)
    if total > limits.max_unpacked_mb * 1024 * 1024:
        mb = total // (1024 * 1024)
        raise _too_big(
            p,
            f"解压后 {mb} MB, 上限 {limits.max_unpacked_mb} MB (max_unpacked_mb)",
            f"{mb} MB unpacked, limit {limits.max_unpacked_mb} MB (max_unpacked_mb)",
        )
    try:
        book = z.read("xl/workbook.xml")
        rels = z.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, OSError):
        return _Xlsx(z)
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        a = dict(_ATTR.findall(tag))
        if b"Id" in a and b"Target" in a:
            target = a[b"Target"].decode("utf-8", "replace").lstrip("/")
            targets[a[b"Id"]] = target if target.startswith("xl/") else "xl/" + target
    out: dict[str, str] = {}
    for tag in _SHEET_TAG.findall(book):
        a = dict(_ATTR.findall(tag))
        rid = next((v for k, v in a.items() if k.endswith(b":id")), None)
        if b"name" in a and rid in targets:
            out[_xml_unescape(a[b"name"].decode("utf-8", "replace"))] = targets[rid]
    _check_shared_strings(p, z, limits)
    return _Xlsx(z, out)


EXCEL_CELL_CHARS = 32767  # Excel's own limit: a longer text is not from Excel


class _LongRuns:
    """Finds a text run (between tags) longer than ``limit`` characters in a stream of XML chunks."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pattern = re.compile(rb">[^<]{%d,}" % limit)  # text between a tag's end and the next tag
        self.carry = b""

    def feed(self, chunk: bytes) -> int | None:
        """The length of an over-long run found so far, else None."""
        buf = self.carry + chunk
        self.carry = b""
        for m in self.pattern.finditer(buf):
            if m.end() - m.start() - 1 > 4 * self.limit:
                return (m.end() - m.start() - 1) // 4  # at least this many characters
            if m.end() == len(buf):
                self.carry = buf[m.start() :]  # may go on in the next chunk
                return None
            n = len(m.group()[1:].decode("utf-8", "replace"))
            if n > self.limit:
                return n
        i = buf.rfind(b"<")
        self.carry = buf[i:] if i >= 0 else buf
        return None


def _long_cell(p: Path, n: int, limit: int) -> InputError:
    return _too_big(
        p,
        f"有 {n} 字以上的单元格, 上限 {limit} 字 (max_cell_chars; Excel 单元格最多 32767 字)",
        f"a cell of {n}+ characters, limit {limit} (max_cell_chars; an Excel cell holds at most 32,767)",
    )


def _check_shared_strings(p: Path, z: zipfile.ZipFile, limits: Limits) -> None:
    """No shared string beyond Excel's cell limit: calamine copies it into every cell that uses it."""
    limit = max(limits.max_cell_chars, EXCEL_CELL_CHARS)
    try:
        f = z.open("xl/sharedStrings.xml")
    except (KeyError, zipfile.BadZipFile, OSError, NotImplementedError):
        return
    runs = _LongRuns(limit)
    with f:
        while chunk := f.read(1 << 22):
            if (n := runs.feed(chunk)) is not None:
                raise _long_cell(p, n, limit)


def _xml_unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
    )


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check_sheet_size(p: Path, z: zipfile.ZipFile, member: str, name: str, limits: Limits) -> None:
    """Rows × columns of one sheet, from its declared dimension and its cells, within the limits.

    One streaming pass over the sheet XML (zlib and regular expressions in C; Python work
    only for cells beyond column Z): calamine allocates the whole range, so a single cell
    at XFD1048576 would otherwise abort the process.
    """
    try:
        f = z.open(member)
    except (KeyError, zipfile.BadZipFile, OSError, NotImplementedError):
        return
    rows = cols = 0
    tail = b""
    beyond = _cells_beyond(b"Z")
    limit = max(limits.max_cell_chars, EXCEL_CELL_CHARS)
    runs = _LongRuns(limit)
    inline = False
    with f:
        while chunk := f.read(1 << 22):
            buf = tail + chunk
            inline = inline or b"inlineStr" in buf  # text in the sheet itself (most files share strings)
            if inline and (n := runs.feed(chunk)) is not None:  # an inline string beyond Excel's cell limit
                raise _long_cell(p, n, limit)
            if not tail:
                m = _DIMENSION.search(buf[:65536])
                if m and m.group(3):
                    cols, rows = _col_number(m.group(3)), int(m.group(4))
                    beyond = _cells_beyond(max(m.group(3), b"Z", key=_col_number))
            last = max(buf.rfind(b"<row"), buf.rfind(b":row"))
            m = _ROW_TAG.search(buf, max(0, last - 8)) if last >= 0 else None
            if m:
                rows = max(rows, int(m.group(1)))
            for letters in set(beyond.findall(buf)):
                cols = max(cols, _col_number(letters))
            tail = buf[-64:] or b" "
    cols = max(cols, 26 if rows else 0)
    cells = rows * cols
    if rows > limits.max_rows or cells > limits.max_excel_cells:
        raise _too_big(
            p,
            f"工作表「{name}」的范围有 {rows} 行 × {cols} 列 = {cells} 个单元格, 上限 {limits.max_excel_cells} "
            f"(max_excel_cells) 和 {limits.max_rows} 行 (max_rows)",
            f"sheet '{name}' spans {rows} rows × {cols} columns = {cells} cells; limits {limits.max_excel_cells} "
            f"(max_excel_cells) and {limits.max_rows} rows (max_rows)",
        )


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


def _read_parquet_grid(p: Path, raw: bytes, table: str | None, limits: Limits, findings: Findings) -> _Grid:
    try:
        pf = pq.ParquetFile(pa.BufferReader(raw))
        schema = pf.schema_arrow
    except (pa.ArrowException, OSError) as e:
        raise InputError(t(f"无法读取 Parquet 文件 {p}: {e}", f"cannot read the Parquet file {p}: {e}")) from None
    n = pf.metadata.num_rows
    if n > limits.max_rows:
        raise _too_big(
            p, f"{n} 行, 上限 {limits.max_rows} 行 (max_rows)", f"{n} rows, limit {limits.max_rows} (max_rows)"
        )
    headers = list(schema.names)
    if not headers:
        return _Grid(headers=[], data=pa.table({}), first_data_row=1, header_row=None)
    tb = table or infer_table(headers, p)
    hmap = reg.header_map(tb)

    def name(j: int) -> str:
        return match_header(headers[j], hmap) or headers[j]

    wanted = []
    for j in _wanted_columns(headers, tb):
        typ = schema.field(j).type
        if pa.types.is_nested(typ) or pa.types.is_dictionary(typ) and pa.types.is_nested(typ.value_type):
            findings.add("V-READ-COLUMN-TYPE", table=tb, column=name(j), value=str(typ))
        else:
            wanted.append(j)
    unique = len(set(headers)) == len(headers)
    # Text columns stay dictionary-encoded while read: one huge value repeated on every row
    # (a few KB on disk) is checked once in the dictionary instead of copied into each row.
    texts = [headers[j] for j in wanted if unique and _is_text(schema.field(j).type)]
    try:
        if texts:
            pf = pq.ParquetFile(pa.BufferReader(raw), read_dictionary=texts)
        if unique:
            data = pf.read(columns=[headers[j] for j in wanted], use_threads=True)
        else:  # repeated names: read all, pick by position
            data = pf.read(use_threads=True).select(wanted)
    except (pa.ArrowException, OSError, MemoryError) as e:
        raise InputError(
            t(
                f"无法读取 Parquet 文件 {p}: {type(e).__name__}: {e}",
                f"cannot read the Parquet file {p}: {type(e).__name__}: {e}",
            )
        ) from None
    data = data.rename_columns([f"c{j}" for j in wanted])
    cols = []
    done: set[int] = set()
    for j, col in zip(wanted, data.columns, strict=True):
        if pa.types.is_dictionary(col.type) and _is_text(col.type.value_type):
            col, clean = _decode_short(col, tb, name(j), limits.max_cell_chars, findings)
            if clean:  # valid UTF-8, trimmed in the dictionary
                cols.append(col)
                done.add(j)
                continue
        if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
            col = pa.chunked_array(
                [c.view(pa.large_string()) for c in col.cast(pa.large_binary()).chunks], type=pa.large_string()
            )  # bytes read as text, checked below
        if _is_text(col.type):
            col, bad = _valid_utf8(col)
            if bad:
                findings.add("V-READ-BAD-TEXT", table=tb, column=name(j), value=str(bad))
        cols.append(col)
    data = pa.table(cols, names=data.column_names)
    return _Grid(headers=headers, data=data, first_data_row=1, header_row=None, table=tb, trimmed=done)


def _is_text(typ: pa.DataType) -> bool:
    return pa.types.is_string(typ) or pa.types.is_large_string(typ)


def _decode_short(
    col: pa.ChunkedArray, table: str, column: str, limit: int, findings: Findings
) -> tuple[pa.ChunkedArray, bool]:
    """A dictionary-encoded text column decoded, its values over ``limit`` characters reported and left empty.

    When every dictionary is valid UTF-8 the values are trimmed (``parse.trim``) in the
    dictionary, once per distinct value, and the second item is True: the column needs
    neither the UTF-8 repair nor the trimming of every row."""
    chunks, start = [], 0
    bad_text = [_has_bad_utf8(chunk.dictionary) for chunk in col.chunks]
    clean = not any(bad_text)
    for chunk, bad in zip(col.chunks, bad_text, strict=True):
        d = chunk.dictionary
        lens = pc.utf8_length(d) if not bad else pc.binary_length(d)
        long = pc.fill_null(pc.greater(lens, limit), False)
        if pc.any(long).as_py():
            hit = np.asarray(
                pc.fill_null(pc.take(long, chunk.indices), False).to_numpy(zero_copy_only=False), dtype=bool
            )
            idx = np.flatnonzero(hit)
            which = chunk.indices.take(pa.array(idx)).to_numpy(zero_copy_only=False)
            heads = [d[int(k)].as_py()[:40] for k in which[:1000]]  # the first ones in full detail
            heads += [heads[-1]] * (len(idx) - len(heads))
            sizes = lens.take(pa.array(which)).to_pylist()
            findings.add(
                "V-READ-CELL-TOO-LONG",
                table=table,
                row=(idx + start + 1).tolist(),
                column=column,
                value=[f"{h}… ({n})" for h, n in zip(heads, sizes, strict=True)],
                detail=str(limit),
            )
            short = pc.if_else(long, pa.scalar(None, d.type), d)
            chunk = pa.DictionaryArray.from_arrays(chunk.indices, short)
        if clean:
            chunk = pa.DictionaryArray.from_arrays(chunk.indices, parse.trim(chunk.dictionary))
        chunks.append(chunk.dictionary_decode())
        start += len(chunk)
    out = pa.chunked_array(chunks, type=col.type.value_type) if chunks else pa.chunked_array([], col.type.value_type)
    return out, clean


def _has_bad_utf8(arr: pa.Array) -> bool:
    try:
        arr.validate(full=True)
        return False
    except pa.ArrowInvalid:
        return True


def _valid_utf8(col: pa.ChunkedArray) -> tuple[pa.ChunkedArray, int]:
    """A text column with invalid UTF-8 repaired (U+FFFD) and how many values needed it."""
    try:
        col.validate(full=True)
        return col, 0
    except pa.ArrowInvalid:
        pass
    raw = pc.cast(col, pa.large_binary()).to_pylist()
    fixed = [None if b is None else b.decode("utf-8", "replace") for b in raw]
    bad = sum(
        1 for b, f in zip(raw, fixed, strict=True) if f is not None and "\ufffd" in f and b"\xef\xbf\xbd" not in b
    )
    return pa.chunked_array([pa.array(fixed, type=pa.large_string())]), bad


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
    """Canonical column for a header cell (after trimming, width and case unification; a bracketed unit may differ)."""
    if not text:
        return None
    k = reg.key(text)
    if k in hmap:
        return hmap[k]
    k2 = _UNIT_SUFFIX.sub("", k)
    return hmap.get(k2) if k2 else None


def _score(row: Sequence[str | None], hmap: dict[str, str]) -> int:
    return len({c for c in (match_header(v, hmap) for v in row) if c})


def find_header(rows: Sequence[Sequence[str | None]], hmap: dict[str, str]) -> tuple[int, bool]:
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


def combine_headers(rows: Sequence[Sequence[str | None]], h: int, two_row: bool, hmap: dict[str, str]) -> list[str]:
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


def _row_text(r: Sequence[str | None]) -> str:
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
    return reg.conform(table, pd.DataFrame({"_row": pd.array([], dtype="Int64")}))


def _na_column(type_: str, n: int) -> pd.Series:
    return reg.na_column(type_, n)


def _typed_frame(
    grid: _Grid, table: str, findings: Findings, file_name: str, limits: Limits
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
            findings.add(
                "V-COLUMN-DUPLICATE",
                table=table,
                column=name,
                detail=detail_text("duplicate_header", chosen[name] + 1, grid.headers[chosen[name]], j + 1, h),
            )
            continue
        chosen[name] = j

    data = grid.data
    n_all = data.num_rows
    # 1-based data row: the first row below the header is 1.
    rows = grid.row_numbers if grid.row_numbers is not None else np.arange(1, n_all + 1)

    # Trim text columns once; drop rows with nothing in them. Only the columns read are here
    # (the contract's and the first one): ``c<j>`` is the j-th column of the file.
    trimmed: dict[int, pa.ChunkedArray] = {}
    for cname, col in zip(data.column_names, data.columns, strict=True):
        j = int(cname[1:])
        if j in grid.trimmed:
            trimmed[j] = col
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_null(col.type):
            trimmed[j] = parse.trim(col)
        else:
            trimmed[j] = col
    # A contract column the reader could not take (a nested Parquet type) has its own finding: all NA here.
    unread = {name for name, j in chosen.items() if j not in trimmed}
    chosen = {name: j for name, j in chosen.items() if name not in unread}
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

    clean.strip_control_chars(
        trimmed, {j: nm for nm, j in chosen.items()}, grid.headers, table, rows, findings, reg.key_column(table)
    )
    for r, text in grid.bad_lines:
        findings.add("V-READ-BAD-LINE", table=table, row=r, value=text)

    if n == 0:
        findings.add("V-READ-NO-ROWS", table=table, detail=file_name)

    for name, j in chosen.items():
        trimmed[j] = _refuse_long_cells(trimmed[j], table, name, rows, limits, findings)

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
        if name in unread:
            out[name] = _na_column(c.type, n)
            continue
        if name not in chosen:
            if c.required:
                findings.add(
                    "V-COLUMN-MISSING",
                    table=table,
                    column=name,
                    detail=detail_text("header_example", c.aliases[0] if c.aliases else name),
                )
                out[name] = _na_column(c.type, n)
            continue
        headers_out[name] = grid.headers[chosen[name]]
        out[name] = converted[name]
        findings.extend(per_col[name])

    # Columns outside the contract are reported and not read (a wide export stays cheap).
    for _, h in unknown:
        findings.add("V-COLUMN-UNKNOWN", table=table, column=h)
    for j in grid.extra:
        findings.add("V-COLUMN-UNKNOWN", table=table, column=unnamed_column(j))

    frame = pd.DataFrame({k: v.reset_index(drop=True) for k, v in out.items()})
    return frame, skipped, headers_out


def _refuse_long_cells(
    arr: pa.ChunkedArray, table: str, column: str, rows: np.ndarray, limits: Limits, findings: Findings
) -> pa.ChunkedArray:
    """Cells longer than ``max_cell_chars`` become findings (the start of the value) and are left empty."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)) or not len(arr):
        return arr
    longest = pc.max(pc.binary_length(arr)).as_py()  # bytes ≥ characters: the usual case stops here
    if longest is None or longest <= limits.max_cell_chars:
        return arr
    over = pc.greater(pc.utf8_length(arr), limits.max_cell_chars)
    if not pc.any(over).as_py():
        return arr
    idx = np.flatnonzero(np.asarray(pc.fill_null(over, False).to_numpy(zero_copy_only=False), dtype=bool))
    values = arr.take(pa.array(idx))
    heads = pc.utf8_slice_codeunits(values, 0, 40).to_pylist()
    lens = pc.utf8_length(values).to_pylist()
    findings.add(
        "V-READ-CELL-TOO-LONG",
        table=table,
        row=[int(rows[i]) for i in idx],
        column=column,
        value=[f"{h}… ({n})" for h, n in zip(heads, lens, strict=True)],
        detail=str(limits.max_cell_chars),
    )
    return pc.if_else(over, pa.scalar(None, arr.type), arr)


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
    dtype = {
        "int": "Int64",
        "year": "Int64",
        "money": "Float64",
        "area": "Float64",
        "bool": "boolean",
        "date": "datetime64[ns]",
    }[c.type]
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
    if c.type in ("money", "area") and (
        pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ)
    ):
        return pd.Series(_masked(pc.cast(arr, pa.float64()), "float"))
    if c.type in ("int", "year") and pa.types.is_integer(typ):
        return pd.Series(_masked(pc.cast(arr, pa.int64()), "int"))
    if c.type == "bool" and pa.types.is_boolean(typ):
        return pd.Series(_masked(arr, "bool"))
    if c.type == "date" and (pa.types.is_timestamp(typ) or pa.types.is_date(typ)):
        try:
            ns = pc.cast(arr, pa.timestamp("ns"))
        except pa.ArrowInvalid:  # a date the ns unit cannot hold (2916-03-01): parsed as text, reported
            return None
        return pd.Series(pd.to_datetime(ns.to_pandas()), dtype="datetime64[ns]")
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
    findings.add(
        code,
        table=table,
        row=rows.iloc[idx].reset_index(drop=True),
        column=column,
        value=raw,
        key=None if keys is None else keys.iloc[idx].reset_index(drop=True),
    )


# Tables exported by other departments (民政's roster, comparison hits): their damaged IDs
# are the other department's to fix and are matched by other means, so they warn.
EXTERNAL_TABLES = frozenset({"dibao", "crosscheck"})


def _check_identifier(
    s: pd.Series, c: reg.Column, table: str, rows: pd.Series, keys: pd.Series | None, findings: Findings
) -> pd.Series:
    """Excel-damaged IDs get V-ID-EXCEL-DAMAGED; an integral ``.0`` on other identifiers is removed."""
    suspect = ids.excel_suspects(s)
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
        findings.add(
            code,
            table=table,
            row=rows.iloc[idx[damaged]].reset_index(drop=True),
            column=c.name,
            value=sub[damaged].reset_index(drop=True),
            key=None if key_sub is None else key_sub[damaged].reset_index(drop=True),
        )
    if repair.any():
        findings.add(
            "V-ID-DOT0-REPAIRED",
            table=table,
            row=rows.iloc[idx[repair]].reset_index(drop=True),
            column=c.name,
            value=sub[repair].reset_index(drop=True),
            key=None if key_sub is None else key_sub[repair].reset_index(drop=True),
        )
        s = s.copy()
        s.iloc[idx[repair]] = sub[repair].str.replace(r"\.0+$", "", regex=True).to_numpy()
    return s


def read_tables(paths: Iterable[tuple[str, Path]], *, encoding: str | None = None) -> dict[str, ReadResult]:
    """Read several files, each as the table named with it."""
    return {tb: read_table(p, tb, encoding=encoding) for tb, p in paths}
